// Usage over time, for the REST API's charts: per hour and client, the calls the hub answered (with errors
// and time) and the model calls it made (tokens, cost). Counted in memory (nothing on a call's path but an
// addition) and written to the hub's database every few seconds, before a read and at close; a failed write
// is reported and never reaches a call.
import type { Db } from '../storage/database.js';

export interface UsageBucket {
  /** ISO start of the bucket. */
  start: string;
  calls: number;
  errors: number;
  avgMs: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

const HOUR = 3_600_000;
const PERIODS = { hour: HOUR, day: 24 * HOUR } as const;
export type UsagePeriod = keyof typeof PERIODS;

interface Counts {
  calls: number;
  errors: number;
  ms: number;
  llm: number;
  input: number;
  output: number;
  cost: number;
}

const FLUSH_MS = 5000;

export class UsageLog {
  private pending = new Map<string, { hour: number; client: string; counts: Counts }>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly db: () => Db) {
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  call(client: string, failed: boolean, ms: number, at = Date.now()): void {
    const c = this.counts(client, at);
    c.calls++;
    c.errors += failed ? 1 : 0;
    c.ms += ms;
  }

  llm(client: string, usage: { inputTokens: number; outputTokens: number }, costUsd: number, at = Date.now()): void {
    const c = this.counts(client, at);
    c.llm++;
    c.input += usage.inputTokens;
    c.output += usage.outputTokens;
    c.cost += costUsd;
  }

  /** Writes what was counted since the last write. */
  flush(): void {
    if (!this.pending.size) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    try {
      const db = this.db();
      const upsert = db.prepare(
        `INSERT INTO usage (hour, client, calls, errors, ms_total, llm_calls, input_tokens, output_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (hour, client) DO UPDATE SET calls = calls + excluded.calls, errors = errors + excluded.errors, ms_total = ms_total + excluded.ms_total,
           llm_calls = llm_calls + excluded.llm_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cost_usd = cost_usd + excluded.cost_usd`,
      );
      db.transaction(() => {
        for (const { hour, client, counts: c } of batch) upsert.run(hour, client, c.calls, c.errors, c.ms, c.llm, c.input, c.output, c.cost);
      })();
    } catch (err) {
      process.stderr.write(`usage: cannot write the usage counts: ${(err as Error).message}\n`);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }

  private counts(client: string, at: number): Counts {
    const hour = Math.floor(at / HOUR) * HOUR;
    const key = `${hour}\0${client}`;
    let entry = this.pending.get(key);
    if (!entry) this.pending.set(key, (entry = { hour, client, counts: { calls: 0, errors: 0, ms: 0, llm: 0, input: 0, output: 0, cost: 0 } }));
    return entry.counts;
  }

  /** Buckets of `period` between since and until (inclusive of both ends' buckets), for `client` only or for everyone; empty buckets included. */
  buckets(period: UsagePeriod, since: number, until: number, client?: string): { buckets: UsageBucket[]; totals: Omit<UsageBucket, 'start'> } {
    this.flush();
    const size = PERIODS[period];
    const first = Math.floor(since / size) * size;
    const rows = this.db()
      .prepare(
        `SELECT (hour / ?) * ? AS bucket, SUM(calls) AS calls, SUM(errors) AS errors, SUM(ms_total) AS ms, SUM(llm_calls) AS llm, SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(cost_usd) AS cost
         FROM usage WHERE hour >= ? AND hour <= ? ${client === undefined ? '' : 'AND client = ?'} GROUP BY bucket`,
      )
      .all(size, size, first, until, ...(client === undefined ? [] : [client])) as Array<{ bucket: number; calls: number; errors: number; ms: number; llm: number; input: number; output: number; cost: number }>;
    const byStart = new Map(rows.map((r) => [r.bucket, r]));
    const buckets: UsageBucket[] = [];
    for (let t = first; t <= until && buckets.length < 1000; t += size) {
      const r = byStart.get(t);
      buckets.push({
        start: new Date(t).toISOString(),
        calls: r?.calls ?? 0,
        errors: r?.errors ?? 0,
        avgMs: r && r.calls ? Math.round((r.ms / r.calls) * 10) / 10 : 0,
        llmCalls: r?.llm ?? 0,
        inputTokens: r?.input ?? 0,
        outputTokens: r?.output ?? 0,
        costUsd: r?.cost ?? 0,
      });
    }
    const calls = buckets.reduce((n, b) => n + b.calls, 0);
    const totals = {
      calls,
      errors: buckets.reduce((n, b) => n + b.errors, 0),
      avgMs: calls ? Math.round((rows.reduce((n, r) => n + r.ms, 0) / calls) * 10) / 10 : 0,
      llmCalls: buckets.reduce((n, b) => n + b.llmCalls, 0),
      inputTokens: buckets.reduce((n, b) => n + b.inputTokens, 0),
      outputTokens: buckets.reduce((n, b) => n + b.outputTokens, 0),
      costUsd: buckets.reduce((n, b) => n + b.costUsd, 0),
    };
    return { buckets, totals };
  }
}
