// The audit trail: one JSON line per tool call and per orchestrate or workflow run, appended to a file
// that is rotated by size (audit.jsonl -> audit.jsonl.1 -> ...). Lines are batched per event-loop turn
// (one write for many calls under load) and flushed synchronously on close, so nothing is lost at exit.
// The trail says who called what with which arguments: it is private to the hub's user (file 0600,
// folder 0700). Nothing here may throw into a call: a line that cannot be written is reported on stderr.
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { isSecretKey, redact, redactText } from '../log/redact.js';

export interface AuditEntry {
  /** `tool` (a catalog tool), `meta` (a hub tool: orchestrate, run_workflow, ...), `run` (a plan run), `workflow` (a scheduled run). */
  kind: 'tool' | 'meta' | 'run' | 'workflow';
  /** Token name, "stdio", "http" (no auth), "cli", or "workflow:<id>". */
  client: string;
  tool: string;
  args?: Record<string, unknown>;
  outcome: 'ok' | 'error' | 'refused' | 'cancelled';
  ms: number;
  error?: string;
  [extra: string]: unknown;
}

/** A line as written: the entry with its time. */
export type AuditLine = Omit<AuditEntry, 'args'> & { time: string; args?: Record<string, unknown> | string };

export interface AuditOptions {
  file: string;
  maxBytes: number;
  maxFiles: number;
}

const MAX_VALUE_CHARS = 200;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

function warn(message: string): void {
  try {
    process.stderr.write(`audit: ${message}\n`);
  } catch {
    // stderr gone: nothing left to tell.
  }
}

export class AuditLog {
  /** Entries with their time, serialized at flush: off the path of the call's answer. */
  private pending: Array<{ at: number; entry: AuditEntry }> = [];
  private scheduled = false;
  private size: number;

  constructor(private readonly options: AuditOptions) {
    const dir = path.dirname(options.file);
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    // Files and folders made before (or by an older version, with the umask's 0644/0755) are closed too.
    for (const [target, mode] of [[dir, DIR_MODE], [options.file, FILE_MODE], ...rotatedFiles(options).map((f) => [f, FILE_MODE] as const)] as const) {
      try {
        if (existsSync(target) && (statSync(target).mode & 0o777) !== mode) chmodSync(target, mode);
      } catch (err) {
        warn(`cannot make ${target} private: ${(err as Error).message}`);
      }
    }
    this.size = existsSync(options.file) ? statSync(options.file).size : 0;
  }

  get file(): string {
    return this.options.file;
  }

  record(entry: AuditEntry): void {
    this.pending.push({ at: Date.now(), entry });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is pending now (also called at shutdown). */
  flush(): void {
    this.scheduled = false;
    if (!this.pending.length) return;
    const pending = this.pending;
    this.pending = [];
    try {
      const text = pending.map(({ at, entry }) => `${serialize(at, entry)}\n`).join('');
      const bytes = Buffer.byteLength(text);
      if (this.size > 0 && this.size + bytes > this.options.maxBytes) this.rotate();
      appendFileSync(this.options.file, text, { mode: FILE_MODE });
      this.size += bytes;
    } catch (err) {
      // An unwritable audit file must not take calls down; it is reported on stderr.
      warn(`cannot write ${this.options.file}: ${(err as Error).message}`);
    }
  }

  /**
   * Recorded lines, newest first, that pass `filter`: a page of `limit` after `cursor` (the last page's
   * last line, by time and position), over the file and its rotations. Lines that do not parse are skipped.
   */
  read(filter: (line: AuditLine) => boolean, options: { limit: number; cursor?: string }): { entries: AuditLine[]; nextCursor?: string } {
    this.flush();
    const lines: AuditLine[] = [];
    for (const file of [this.options.file, ...rotatedFiles(this.options)]) {
      if (!existsSync(file)) continue;
      const text = readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse();
      for (const raw of text) {
        try {
          lines.push(JSON.parse(raw) as AuditLine);
        } catch {
          // A torn last line (a crash mid-write) is not an entry.
        }
      }
    }
    // Each line's position from the oldest: stable across new writes, so a cursor stays valid while the file grows.
    const total = lines.length;
    // A cursor is a client's text: only one this API could have given out is taken (no loop over a made-up range).
    const after = options.cursor === undefined ? total : /^[0-9a-z]{1,8}$/.test(options.cursor) ? Number.parseInt(options.cursor, 36) : -1;
    if (!(after >= 0 && after <= total)) throw new RangeError('cursor is not one this API gave out (or the log rotated past it); start without it');
    const entries: AuditLine[] = [];
    let last = 0;
    for (let i = total - after; i < total && entries.length < options.limit; i++) {
      if (!filter(lines[i]!)) continue;
      entries.push(lines[i]!);
      last = i;
    }
    const more = entries.length === options.limit && lines.slice(last + 1).some(filter);
    return { entries, ...(more ? { nextCursor: (total - last - 1).toString(36) } : {}) };
  }

  private rotate(): void {
    const { file, maxFiles } = this.options;
    rmSync(`${file}.${maxFiles}`, { force: true });
    for (let i = maxFiles - 1; i >= 1; i--) if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    if (maxFiles >= 1) renameSync(file, `${file}.1`);
    this.size = 0;
  }
}

function rotatedFiles({ file, maxFiles }: AuditOptions): string[] {
  return Array.from({ length: maxFiles }, (_, i) => `${file}.${i + 1}`);
}

function serialize(at: number, entry: AuditEntry): string {
  const { args, error, ...rest } = entry;
  const time = new Date(at).toISOString();
  try {
    // Only the error text and the arguments can carry data; the rest are names and numbers the hub set.
    return JSON.stringify({ time, ...rest, ...(error !== undefined ? { error: redactText(String(error)) } : {}), ...(args ? { args: summarizeArgs(args) } : {}) });
  } catch (err) {
    // summarizeArgs bounds depth and size, so this is a value JSON cannot hold (a throwing getter, a
    // BigInt from a hub path): the call is still recorded, without its arguments.
    return JSON.stringify({ time, kind: rest.kind, client: rest.client, tool: rest.tool, outcome: rest.outcome, ms: rest.ms, args: `[not recordable: ${(err as Error).message}]` });
  }
}

/**
 * The arguments as recorded: secrets masked (registered values anywhere, values under secret-looking
 * keys), and long values cut, since the audit says who did what, not the data itself.
 */
export function summarizeArgs(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in args) {
    if (!Object.prototype.hasOwnProperty.call(args, key)) continue;
    const raw = args[key];
    // Strings and numbers (most arguments) directly; nested values through the full redaction.
    if (typeof raw === 'number' || typeof raw === 'boolean' || raw === null) {
      out[key] = raw;
      continue;
    }
    const value = typeof raw === 'string' ? (raw.length > 0 && isSecretKey(key) ? '[REDACTED]' : redactText(raw)) : redact({ [key]: raw })[key];
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    out[key] = text !== undefined && text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}... (${text.length} chars)` : value;
  }
  return out;
}
