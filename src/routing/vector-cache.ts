// Tool vectors kept on disk, keyed by the embedder and the exact text embedded, so a restart, a config
// reload or a reconnecting server never embeds an unchanged tool again. One append-only file per
// embedder (and vector length) under the cache folder: records of a SHA-256 of the text followed by the
// vector. A torn last record (a crash mid-write) or a record that is not a unit vector is skipped.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const KEY_BYTES = 32;
/** Past this many records in one file, it is rewritten with the newest half, one entry per text. */
const COMPACT_AFTER = 50_000;

export interface VectorCacheLogger {
  warn(msg: string, meta?: object): void;
  debug(msg: string, meta?: object): void;
}

const keyOf = (text: string) => createHash('sha256').update(text).digest();

export class VectorCache {
  private readonly entries = new Map<string, Float32Array>();
  private file?: string;
  private dimension = 0;
  /** Set after a write failed: the cache goes on in memory only. */
  private readOnly = false;

  constructor(
    private readonly dir: string | undefined,
    private readonly logger: VectorCacheLogger,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Opens the file of this embedder (once its vector length is known) and reads what it holds. */
  open(embedderId: string, dimension: number): void {
    if (this.dimension === dimension && this.file) return;
    this.entries.clear();
    this.dimension = dimension;
    if (!this.dir) return;
    const name = createHash('sha256').update(`${embedderId}\n${dimension}`).digest('hex').slice(0, 20);
    this.file = path.join(this.dir, `${name}.vec`);
    let records = 0;
    try {
      const buf = readFileSync(this.file);
      const size = KEY_BYTES + dimension * 4;
      for (let at = 0; at + size <= buf.length; at += size) {
        records++;
        const v = new Float32Array(dimension);
        for (let i = 0; i < dimension; i++) v[i] = buf.readFloatLE(at + KEY_BYTES + i * 4);
        if (isUnit(v)) this.entries.set(buf.toString('hex', at, at + KEY_BYTES), v);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn('tool search: embedding cache unreadable, embedding afresh', { file: this.file, error: String(err) });
      return;
    }
    if (records > COMPACT_AFTER) this.compact();
    this.logger.debug('tool search: embedding cache read', { file: this.file, vectors: this.entries.size });
  }

  get(text: string): Float32Array | undefined {
    return this.entries.get(keyOf(text).toString('hex'));
  }

  /** Remembers vectors (in memory at once, on disk when the folder is writable). */
  put(items: Array<[text: string, vector: Float32Array]>): void {
    const fresh: Buffer[] = [];
    for (const [text, v] of items) {
      if (v.length !== this.dimension) continue;
      const key = keyOf(text);
      this.entries.set(key.toString('hex'), v);
      fresh.push(key, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    }
    if (!fresh.length || !this.file || this.readOnly) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      appendFileSync(this.file, Buffer.concat(fresh), { mode: 0o600 });
    } catch (err) {
      this.readOnly = true;
      this.logger.warn('tool search: cannot write the embedding cache; vectors are kept in memory only', { file: this.file, error: String(err) });
    }
  }

  private compact(): void {
    const keep = [...this.entries].slice(-COMPACT_AFTER / 2);
    this.entries.clear();
    const parts: Buffer[] = [];
    for (const [key, v] of keep) {
      this.entries.set(key, v);
      parts.push(Buffer.from(key, 'hex'), Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    }
    try {
      writeFileSync(`${this.file}.tmp`, Buffer.concat(parts), { mode: 0o600 });
      renameSync(`${this.file}.tmp`, this.file!);
    } catch (err) {
      this.logger.warn('tool search: could not compact the embedding cache', { file: this.file, error: String(err) });
    }
  }
}

function isUnit(v: Float32Array): boolean {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  return Math.abs(sum - 1) < 1e-3;
}
