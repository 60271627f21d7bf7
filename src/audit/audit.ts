// The audit trail: one JSON line per tool call and per orchestrate or workflow run, appended to a file
// that is rotated by size (audit.jsonl -> audit.jsonl.1 -> ...). Lines are batched per event-loop turn
// (one write for many calls under load) and flushed synchronously on close, so nothing is lost at exit.
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
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

export interface AuditOptions {
  file: string;
  maxBytes: number;
  maxFiles: number;
}

const MAX_VALUE_CHARS = 200;

export class AuditLog {
  /** Entries with their time, serialized at flush: off the path of the call's answer. */
  private pending: Array<{ at: number; entry: AuditEntry }> = [];
  private scheduled = false;
  private size: number;

  constructor(private readonly options: AuditOptions) {
    mkdirSync(path.dirname(options.file), { recursive: true });
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
    const text = this.pending.map(({ at, entry }) => `${serialize(at, entry)}\n`).join('');
    this.pending = [];
    const bytes = Buffer.byteLength(text);
    if (this.size > 0 && this.size + bytes > this.options.maxBytes) this.rotate();
    try {
      appendFileSync(this.options.file, text);
      this.size += bytes;
    } catch (err) {
      // An unwritable audit file must not take calls down; it is reported on stderr.
      process.stderr.write(`audit: cannot write ${this.options.file}: ${(err as Error).message}\n`);
    }
  }

  private rotate(): void {
    const { file, maxFiles } = this.options;
    rmSync(`${file}.${maxFiles}`, { force: true });
    for (let i = maxFiles - 1; i >= 1; i--) if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    if (maxFiles >= 1) renameSync(file, `${file}.1`);
    this.size = 0;
  }
}

function serialize(at: number, entry: AuditEntry): string {
  const { args, error, ...rest } = entry;
  // Only the error text and the arguments can carry data; the rest are names and numbers the hub set.
  return JSON.stringify({ time: new Date(at).toISOString(), ...rest, ...(error !== undefined ? { error: redactText(error) } : {}), ...(args ? { args: summarizeArgs(args) } : {}) });
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
