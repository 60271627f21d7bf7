// Unpacking the archives a model arrives in (.zip / .whl through adm-zip, .tar / .tar.gz / .tgz through
// tar). Regular files are written; links and special files are skipped; an entry whose path would land
// outside the target folder refuses the whole archive.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import * as tar from 'tar';

export type ArchiveKind = 'zip' | 'tar';

/** The archive kind of a file name, or undefined. */
export function archiveKind(file: string): ArchiveKind | undefined {
  if (/\.(zip|whl)$/i.test(file)) return 'zip';
  if (/\.(tar|tar\.gz|tgz)$/i.test(file)) return 'tar';
  return undefined;
}

/** Writes the archive's files under `dest`; returns their relative paths. */
export function extractArchive(file: string, dest: string): string[] {
  const kind = archiveKind(file);
  if (!kind) throw new Error(`${file}: not an archive this command reads (.zip, .whl, .tar, .tar.gz, .tgz)`);
  try {
    return kind === 'zip' ? extractZip(file, dest) : extractTar(file, dest);
  } catch (err) {
    throw new Error(`${file}: cannot unpack it (${(err as Error).message})`);
  }
}

/** Where an entry goes under `dest`; undefined for a folder entry; throws for a path outside it. */
function safeTarget(dest: string, name: string): string | undefined {
  const clean = name.replace(/\\/g, '/').replace(/^\.\/+/, '');
  if (!clean || clean.endsWith('/')) return undefined;
  if (clean.startsWith('/') || /^[A-Za-z]:/.test(clean) || clean.split('/').includes('..')) throw new Error(`entry "${name}" points outside the archive's folder`);
  return path.join(dest, clean);
}

function extractZip(file: string, dest: string): string[] {
  const entries = new AdmZip(file).getEntries();
  // Every path is checked before anything is written.
  const files = entries.flatMap((entry) => {
    const unixType = (entry.attr >>> 16) & 0o170000;
    const target = safeTarget(dest, entry.entryName);
    return target && !entry.isDirectory && (!unixType || unixType === 0o100000) ? [{ entry, target }] : []; // links, devices: skipped
  });
  for (const { entry, target } of files) {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, entry.getData());
  }
  return files.map(({ target }) => path.relative(dest, target));
}

function extractTar(file: string, dest: string): string[] {
  const files: string[] = [];
  // First pass: check every path (and note the regular files) before anything is written.
  tar.t({
    file,
    sync: true,
    onReadEntry: (entry) => {
      const target = safeTarget(dest, entry.path);
      if (target && (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile')) files.push(path.relative(dest, target));
    },
  });
  mkdirSync(dest, { recursive: true });
  const wanted = new Set(files.map((f) => f.split(path.sep).join('/')));
  tar.x({ file, cwd: dest, sync: true, strict: true, filter: (p, entry) => 'type' in entry && wanted.has(p.replace(/^\.\/+/, '')) && entry.type !== 'SymbolicLink' });
  return files;
}
