// The history of runs, for the REST API and the console: every run record as it changes, kept in the hub's
// database (the latest RUNS_KEPT), a live feed of changes, and the cancel switch of each run in progress.
import { EventEmitter } from 'node:events';
import type { Principal } from '../access/principal.js';
import { mayActFor } from '../access/policy.js';
import type { Db } from '../storage/database.js';
import { RunRecordSchema, type RunRecord } from './record.js';

const RUNS_KEPT = 5000;

export interface RunPage {
  runs: RunRecord[];
  nextCursor?: string;
}

export class RunLog {
  private readonly feed = new EventEmitter();
  private readonly active = new Map<string, AbortController>();
  private writes = 0;

  constructor(private readonly db: () => Db) {
    this.feed.setMaxListeners(0);
  }

  /** Keeps the record as it is now and tells whoever follows it. Never throws into a run. */
  update(record: RunRecord): void {
    try {
      const owner = record.principal;
      this.db()
        .prepare('INSERT OR REPLACE INTO runs (id, owner_name, owner_local, status, started, updated, record) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(record.id, owner?.name ?? 'local', owner ? Number(owner.local) : 1, record.status, record.startedAt, Date.now(), JSON.stringify(record));
      if (++this.writes % 100 === 0) this.db().prepare('DELETE FROM runs WHERE id NOT IN (SELECT id FROM runs ORDER BY started DESC LIMIT ?)').run(RUNS_KEPT);
    } catch (err) {
      process.stderr.write(`runs: cannot keep run ${record.id}: ${(err as Error).message}\n`);
    }
    this.feed.emit(record.id, record);
  }

  /** A run `principal` may see (its own; an admin's: any). */
  get(id: string, principal: Principal | undefined): RunRecord | undefined {
    const row = this.db().prepare('SELECT record FROM runs WHERE id = ?').get(id) as { record: string } | undefined;
    if (!row) return undefined;
    const record = RunRecordSchema.parse(JSON.parse(row.record));
    return visible(record, principal) ? record : undefined;
  }

  /** The runs `principal` may see, newest first; the cursor is the last run's start time and id. */
  list(principal: Principal | undefined, options: { status?: string; limit?: number; cursor?: string } = {}): RunPage {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
    const where: string[] = [];
    const params: unknown[] = [];
    if (principal && !principal.admin) {
      where.push('owner_name = ? AND owner_local = 0');
      params.push(principal.name);
    }
    if (options.status) {
      where.push('status = ?');
      params.push(options.status);
    }
    if (options.cursor) {
      const [started, id] = decodeCursor(options.cursor);
      where.push('(started < ? OR (started = ? AND id < ?))');
      params.push(started, started, id);
    }
    const rows = this.db()
      .prepare(`SELECT record FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started DESC, id DESC LIMIT ?`)
      .all(...params, limit + 1) as Array<{ record: string }>;
    const runs = rows.slice(0, limit).map((r) => RunRecordSchema.parse(JSON.parse(r.record)));
    const last = runs.at(-1);
    return { runs, ...(rows.length > limit && last ? { nextCursor: encodeCursor(last.startedAt, last.id) } : {}) };
  }

  /** Calls `listener` with each change of run `id` until the returned function is called. */
  follow(id: string, listener: (record: RunRecord) => void): () => void {
    this.feed.on(id, listener);
    return () => this.feed.off(id, listener);
  }

  /** A signal that aborts when `outer` does or when the run is cancelled here; call the returned done() when the run stops. */
  running(id: string, outer: AbortSignal | undefined): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    const onAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    else outer?.addEventListener('abort', onAbort, { once: true });
    this.active.set(id, controller);
    return {
      signal: controller.signal,
      done: () => {
        outer?.removeEventListener('abort', onAbort);
        if (this.active.get(id) === controller) this.active.delete(id);
      },
    };
  }

  /** Cancels a run in progress; false when it is not running in this process. */
  cancel(id: string): boolean {
    const controller = this.active.get(id);
    if (!controller) return false;
    controller.abort(new Error('cancelled'));
    return true;
  }
}

/** Whether `principal` may see a run (the one access policy); the hub itself (no principal) sees every run. */
function visible(record: RunRecord, principal: Principal | undefined): boolean {
  return !principal || mayActFor(principal, record.principal);
}

function encodeCursor(started: string, id: string): string {
  return Buffer.from(JSON.stringify([started, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') return [value[0], value[1]];
  } catch {
    // Reported below.
  }
  throw new RangeError('cursor is not one this API gave out; start without it');
}
