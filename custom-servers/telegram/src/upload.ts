// Local files for send_document / send_photo: confined to TELEGRAM_UPLOAD_DIRS (the model chooses the
// path, so without a fence any readable file, keys included, could be sent out) and to Telegram's size limits.
import { openAsBlob } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ToolInputError } from './tools/common.js';

export const UPLOAD_LIMITS = { document: 50 * 1024 * 1024, photo: 10 * 1024 * 1024 } as const;

const MIME: Record<string, string> = {
  '.pdf': 'application/pdf', '.csv': 'text/csv', '.txt': 'text/plain', '.md': 'text/markdown', '.json': 'application/json',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.zip': 'application/zip',
};

export interface LocalFile {
  blob: Blob;
  name: string;
  size: number;
}

export async function readLocalFile(filePath: string, kind: keyof typeof UPLOAD_LIMITS, allowedDirs: string[], deniedDirs: string[] = []): Promise<LocalFile> {
  if (!allowedDirs.length) throw new ToolInputError('uploads of local files are off: set TELEGRAM_UPLOAD_DIRS to the folders files may be sent from (or send a URL)');
  let real: string;
  try {
    real = await realpath(path.resolve(filePath));
  } catch {
    throw new ToolInputError(`file_path not found: ${filePath}`);
  }
  // Compare real paths so a symlink inside an allowed directory cannot point outside it.
  const inside = (root: string) => real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  const roots = await Promise.all(allowedDirs.map((d) => realpath(d).catch(() => d)));
  if (!roots.some(inside)) {
    throw new ToolInputError(`file_path is outside the directories uploads are allowed from (${allowedDirs.join(', ')}); set TELEGRAM_UPLOAD_DIRS to allow more`);
  }
  const denied = await Promise.all(deniedDirs.map((d) => realpath(d).catch(() => d)));
  if (denied.some(inside)) throw new ToolInputError(`file_path is inside the hub's data directory, which is never uploaded from`);
  const info = await stat(real);
  if (!info.isFile()) throw new ToolInputError(`file_path is not a regular file: ${filePath}`);
  if (info.size === 0) throw new ToolInputError(`file_path is empty: ${filePath}`);
  if (info.size > UPLOAD_LIMITS[kind]) {
    throw new ToolInputError(`${filePath} is ${(info.size / 1048576).toFixed(1)} MB; Telegram accepts at most ${UPLOAD_LIMITS[kind] / 1048576} MB for a ${kind}`);
  }
  const type = MIME[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
  return { blob: await openAsBlob(real, { type }), name: path.basename(filePath), size: info.size };
}
