// Every call the hub answers passes here once it starts and once it ends: the audit line, the metrics,
// and the count of calls in flight that graceful shutdown waits on.
import type { AuditLog } from '../audit/audit.js';
import type { CallOutcome, HubMetrics } from './metrics.js';
import type { UsageLog } from './usage.js';

export interface CallInfo {
  kind: 'tool' | 'meta';
  tool: string;
  /** Owning server of a catalog tool; meta-tools are the hub's ("hub"). */
  server?: string;
  /** False for names the hub does not know: their metrics go under "unknown" (labels must stay bounded). */
  known: boolean;
  client: string;
  args?: Record<string, unknown>;
}

/** Ends a tracked call; undefined outcome: the call was handed elsewhere and is not counted. */
export type FinishCall = (outcome: CallOutcome | undefined, error?: string) => void;

const MAX_AUDITED_NAME = 120;

export class CallTracker {
  inFlight = 0;
  /** The calls in flight, for what a shutdown waits for. */
  private readonly open = new Set<CallInfo>();
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly metrics: HubMetrics,
    private readonly audit: () => AuditLog | undefined,
    private readonly usage?: UsageLog,
  ) {}

  start(info: CallInfo): FinishCall {
    const t0 = performance.now();
    this.inFlight++;
    this.open.add(info);
    let done = false;
    return (outcome, error) => {
      if (done) return;
      done = true;
      this.inFlight--;
      this.open.delete(info);
      // Bookkeeping must never fail the call it records, nor skip the in-flight count below.
      if (outcome) {
        try {
          this.record(info, outcome, performance.now() - t0, error);
        } catch (err) {
          process.stderr.write(`calls: cannot record a call to ${info.known ? info.tool : 'an unknown tool'}: ${(err as Error)?.message}\n`);
        }
      }
      if (this.inFlight === 0 && this.idleWaiters.length) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        waiters.forEach((w) => w());
      }
    };
  }

  private record(info: CallInfo, outcome: CallOutcome, ms: number, error: string | undefined): void {
    this.metrics.observeCall(info.server ?? 'hub', info.known ? info.tool : 'unknown', outcome, ms / 1000);
    this.usage?.call(info.client, outcome !== 'ok', ms);
    this.audit()?.record({
      kind: info.kind,
      client: info.client,
      tool: info.tool.length > MAX_AUDITED_NAME ? `${info.tool.slice(0, MAX_AUDITED_NAME)}...` : info.tool,
      ...(info.server ? { server: info.server } : {}),
      args: info.args,
      outcome,
      ms: Math.round(ms * 10) / 10,
      ...(error ? { error: error.slice(0, 300) } : {}),
    });
  }

  /** Resolves true when no call is in flight, or false after timeoutMs. */
  /** The tools of the calls in flight, by name. */
  inFlightTools(): string[] {
    return [...this.open].map((c) => (c.known ? c.tool : 'an unknown tool'));
  }

  idle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/** The first text of a tool result, for the audit's error field. */
export function resultText(result: { content?: unknown }): string | undefined {
  const first = (result.content as Array<{ type?: string; text?: string }> | undefined)?.find((c) => c.type === 'text');
  return first?.text;
}
