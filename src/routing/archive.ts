// Unpacking the archives a model arrives in (.zip / .whl, .tar / .tar.gz / .tgz) with node's zlib only.
// Regular files and folders are written; links and special files are skipped; a path that would land
// outside the target folder is refused.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, inflateRawSync } from 'node:zlib';

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
  const data = readFileSync(file);
  try {
    return kind === 'zip' ? extractZip(data, dest) : extractTar(data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data, dest);
  } catch (err) {
    throw new Error(`${file}: cannot unpack it (${(err as Error).message})`);
  }
}

function safeTarget(dest: string, name: string): string | undefined {
  const clean = name.replace(/\\/g, '/').replace(/^\.\/+/, '');
  if (!clean || clean.endsWith('/')) return undefined;
  if (clean.startsWith('/') || /^[A-Za-z]:/.test(clean) || clean.split('/').includes('..')) throw new Error(`entry "${name}" points outside the archive's folder`);
  return path.join(dest, clean);
}

function write(target: string, content: Buffer): void {
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, content);
}

function extractZip(buf: Buffer, dest: string): string[] {
  // End of central directory: 22 bytes plus a comment of up to 64 KiB, at the end.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const entries = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  if (entries === 0xffff || p === 0xffffffff) throw new Error('zip64 archives are not supported: unpack it and import the folder');
  const written: string[] = [];
  for (let n = 0; n < entries; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('damaged central directory');
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    const unixType = (external >>> 16) & 0o170000;
    if (unixType && unixType !== 0o100000) continue; // links, devices: skipped
    const target = safeTarget(dest, name);
    if (!target) continue;
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`damaged local header for ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressed);
    const content = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : undefined;
    if (!content) throw new Error(`${name} uses compression method ${method}; only stored and deflate are supported`);
    if (content.length !== size) throw new Error(`${name}: expected ${size} bytes, got ${content.length}`);
    write(target, content);
    written.push(path.relative(dest, target));
  }
  return written;
}

function extractTar(buf: Buffer, dest: string): string[] {
  const written: string[] = [];
  let p = 0;
  let longName: string | undefined;
  while (p + 512 <= buf.length) {
    const header = buf.subarray(p, p + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) => header.toString('utf8', start, start + len).replace(/\0.*$/s, '');
    const sizeField = header.subarray(124, 136);
    if (sizeField[0] & 0x80) throw new Error('tar entries over 8 GiB are not supported');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 0x30);
    let name = field(0, 100);
    if (field(257, 6).startsWith('ustar')) {
      const prefix = field(345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const body = buf.subarray(p + 512, p + 512 + size);
    p += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x') {
      const match = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (match) longName = match[1];
      continue;
    }
    if (type === 'g') continue;
    if (longName) {
      name = longName;
      longName = undefined;
    }
    if (type !== '0' && type !== '7') continue; // folders are made as needed; links and devices skipped
    const target = safeTarget(dest, name);
    if (!target) continue;
    write(target, Buffer.from(body));
    written.push(path.relative(dest, target));
  }
  return written;
}
