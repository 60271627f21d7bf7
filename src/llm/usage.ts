// Calls, failures, tokens and cost per provider and model, for hub_status and metrics.
import type { LlmUsage, UsageReport } from './types.js';

type Row = UsageReport['byModel'][number];

export class UsageMeter {
  private readonly rows = new Map<string, Row>();

  private row(provider: string, model: string): Row {
    const key = `${provider}\u0000${model}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { provider, model, calls: 0, failures: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
      this.rows.set(key, row);
    }
    return row;
  }

  success(provider: string, model: string, usage: LlmUsage, costUsd: number): void {
    const row = this.row(provider, model);
    row.calls++;
    row.inputTokens += usage.inputTokens;
    row.outputTokens += usage.outputTokens;
    row.costUsd += costUsd;
  }

  failure(provider: string, model: string): void {
    this.row(provider, model).failures++;
  }

  report(): UsageReport {
    const byModel = [...this.rows.values()].map((r) => ({ ...r }));
    const totals = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    for (const r of byModel) {
      totals.calls += r.calls;
      totals.inputTokens += r.inputTokens;
      totals.outputTokens += r.outputTokens;
      totals.costUsd += r.costUsd;
    }
    return { byModel, totals };
  }
}
