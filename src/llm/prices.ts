// What tokens cost, in USD per 1M tokens (list prices; override or extend with `llm.prices`).
// A model is priced by its exact id, else by the longest id that prefixes it, so dated snapshots
// (gpt-4o-mini-2024-07-18, claude-sonnet-4-5-20250929) find their family.
import type { Price } from '../config/llm.js';
import type { LlmUsage } from './types.js';

export const DEFAULT_PRICES: Record<string, Price> = {
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  o3: { input: 2, output: 8 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
};

export class PriceTable {
  private readonly prices: Record<string, Price>;

  constructor(overrides: Record<string, Price> = {}) {
    this.prices = { ...DEFAULT_PRICES, ...overrides };
  }

  priceOf(model: string): Price | undefined {
    if (this.prices[model]) return this.prices[model];
    let best: string | undefined;
    for (const id of Object.keys(this.prices)) {
      if (model.startsWith(id) && (!best || id.length > best.length)) best = id;
    }
    return best ? this.prices[best] : undefined;
  }

  /** 0 for a model with no known price (a local model, the client's model through sampling). */
  cost(model: string, usage: LlmUsage): number {
    const price = this.priceOf(model);
    if (!price) return 0;
    return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
  }
}
