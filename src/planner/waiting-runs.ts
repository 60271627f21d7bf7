// Runs waiting for consent, kept in the hub's database so they survive a restart, a crash or a config
// reload. An approval claims its run with one conditional UPDATE: it can be given once, for that run,
// and covers the steps the approval request showed (their approval keys are stored with it).
import type { PrincipalRef } from '../access/principal.js';
import type { Db } from '../storage/database.js';
import type { RunState } from './executor.js';
import { PlanSchema } from './plan.js';
import { RunRecordSchema, type RunRecord } from './record.js';

/** A run as stored: RunState with its Maps and Sets as arrays. */
interface StoredRun {
  record: RunRecord;
  plan: unknown;
  results: Array<[string, unknown]>;
  input?: unknown;
  approved: string[];
  declined: string[];
  approvedTools: string[];
  replanUsed: boolean;
  replanAdded?: string[];
  activeMs: number;
  conversationId?: string;
}

export type WaitingLookup =
  | { status: 'waiting'; record: RunRecord; owner: PrincipalRef | undefined }
  /** An approval claimed it and it is running (or the hub stopped while it ran). */
  | { status: 'resuming'; record: RunRecord; owner: PrincipalRef | undefined }
  | { status: 'expired' | 'unknown' };

export class WaitingRuns {
  constructor(
    /** Opened on first use: a hub that never waits nor converses (a one-shot command) creates no file. */
    private readonly db: () => Db,
    private readonly ttlMs: number,
  ) {}

  /** Keeps a run that stopped for consent; `shown` are the approval keys of the steps the request named. */
  save(state: RunState, shown: string[]): void {
    const stored: StoredRun = {
      record: state.record,
      plan: state.plan,
      results: [...state.results],
      input: state.input,
      approved: [...state.approved],
      declined: [...state.declined],
      approvedTools: [...state.approvedTools],
      replanUsed: state.replanUsed,
      replanAdded: state.replanAdded && [...state.replanAdded],
      activeMs: state.activeMs,
      conversationId: state.conversationId,
    };
    const now = Date.now();
    this.db()
      .prepare('INSERT OR REPLACE INTO waiting_runs (run_id, owner, state, shown, run, since, expires) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(state.record.id, JSON.stringify(state.record.principal ?? null), 'waiting', JSON.stringify(shown), JSON.stringify(stored), now, now + this.ttlMs);
  }

  lookup(runId: string): WaitingLookup {
    const row = this.db().prepare('SELECT owner, state, run, expires FROM waiting_runs WHERE run_id = ?').get(runId) as { owner: string; state: string; run: string; expires: number } | undefined;
    if (!row) return { status: 'unknown' };
    if (row.state === 'waiting' && row.expires <= Date.now()) return { status: 'expired' };
    const stored = JSON.parse(row.run) as StoredRun;
    return { status: row.state === 'resuming' ? 'resuming' : 'waiting', record: RunRecordSchema.parse(stored.record), owner: (JSON.parse(row.owner) as PrincipalRef | null) ?? undefined };
  }

  /** Takes a waiting run for its approval: exactly one caller gets it; undefined when it is not waiting (unknown, expired, already claimed). */
  claim(runId: string): { state: RunState; shown: Set<string> } | undefined {
    const claimed = this.db().prepare("UPDATE waiting_runs SET state = 'resuming' WHERE run_id = ? AND state = 'waiting' AND expires > ? RETURNING shown, run").get(runId, Date.now()) as
      | { shown: string; run: string }
      | undefined;
    if (!claimed) return undefined;
    const s = JSON.parse(claimed.run) as StoredRun;
    const state: RunState = {
      record: RunRecordSchema.parse(s.record),
      plan: PlanSchema.parse(s.plan),
      results: new Map(s.results),
      input: s.input,
      approved: new Set(s.approved),
      declined: new Set(s.declined),
      approvedTools: new Set(s.approvedTools),
      replanUsed: s.replanUsed,
      replanAdded: s.replanAdded && new Set(s.replanAdded),
      activeMs: s.activeMs,
      conversationId: s.conversationId,
    };
    return { state, shown: new Set(JSON.parse(claimed.shown) as string[]) };
  }

  /** The run ended (or waits again, saved anew): it is no longer resumable under this claim. */
  finish(runId: string): void {
    this.db().prepare("DELETE FROM waiting_runs WHERE run_id = ? AND state = 'resuming'").run(runId);
  }

  /** Ids of the runs waiting now. */
  ids(): string[] {
    return (this.db().prepare("SELECT run_id FROM waiting_runs WHERE state = 'waiting' AND expires > ? ORDER BY since").all(Date.now()) as Array<{ run_id: string }>).map((r) => r.run_id);
  }

  /** Forgets runs that waited past their time. Claimed ones stay: they say that a run was interrupted. */
  sweep(): void {
    this.db().prepare("DELETE FROM waiting_runs WHERE state = 'waiting' AND expires <= ?").run(Date.now() - this.ttlMs);
  }
}
