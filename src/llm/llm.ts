// createLlm: the providers of the `llm:` section as one Llm, tried in order (fallback chain), with
// usage and cost accounted per provider and model.
import type { LlmConfig, LlmConfigInput } from '../config/llm.js';
import { childLogger, type Logger } from '../log/logger.js';
import { AnthropicProvider } from './anthropic.js';
import { LlmProviderError } from './errors.js';
import { GuardedProvider } from './guard.js';
import { systemClock, type Clock } from './limiter.js';
import { OpenAiProvider } from './openai.js';
import { PriceTable } from './prices.js';
import type { Provider, ResolvedEntry } from './provider.js';
import { parseLlmConfig, resolveChain } from './resolve.js';
import { SamplingProvider } from './sampling.js';
import { LlmUnavailableError, type Llm, type LlmCallContext, type LlmFailure, type LlmRequest, type LlmResponse } from './types.js';
import { UsageMeter } from './usage.js';

export const HOW_TO_CONFIGURE =
  'To use a model, set OPENAI_API_KEY or ANTHROPIC_API_KEY, configure llm: in orchestrator.config.yaml, or use a client that supports MCP sampling.';

export interface LlmDeps {
  /** Where API keys are looked up when the config gives none (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Time for rate limits and retry backoff (tests drive it). */
  clock?: Clock;
  log?: Logger;
  /** Jitter source for backoff. */
  random?: () => number;
  /** Each answered call's tokens and cost, with the client it was made for ("hub" when none). */
  onUsage?: (client: string, usage: { inputTokens: number; outputTokens: number }, costUsd: number) => void;
}

export interface ChainEntry {
  name: string;
  provider: ResolvedEntry['kind'];
  model?: string;
  baseURL?: string;
  available: boolean;
  reason?: string;
}

export interface LlmService extends Llm {
  /** The chain in order with each entry's availability for this context, for hub_status and doctor. */
  chain(ctx?: LlmCallContext): ChainEntry[];
}

export function createProvider(entry: ResolvedEntry): Provider {
  switch (entry.kind) {
    case 'openai':
      return new OpenAiProvider(entry);
    case 'anthropic':
      return new AnthropicProvider(entry);
    case 'sampling':
      return new SamplingProvider(entry);
  }
}

export function createLlm(config: LlmConfig | LlmConfigInput | undefined, deps: LlmDeps = {}): LlmService {
  const parsed = parseLlmConfig(config);
  const log = deps.log ?? childLogger('llm');
  const clock = deps.clock ?? systemClock;
  const prices = new PriceTable(parsed.prices);
  const meter = new UsageMeter();
  const chain = resolveChain(parsed, deps.env ?? process.env).map((e) => new GuardedProvider(createProvider(e), clock, log, deps.random));

  const unavailable = (ctx: LlmCallContext): string => {
    const reasons = chain.map((p) => {
      const a = p.provider.availability(ctx);
      return a.ok ? undefined : `${p.entry.name}: ${a.reason}`;
    });
    return `No LLM is available (${reasons.filter(Boolean).join('; ')}). ${HOW_TO_CONFIGURE}`;
  };

  return {
    async complete(request: LlmRequest, ctx: LlmCallContext = {}): Promise<LlmResponse> {
      const failures: LlmFailure[] = [];
      for (const guarded of chain) {
        const { entry } = guarded;
        const availability = guarded.provider.availability(ctx);
        if (!availability.ok) {
          failures.push({ provider: entry.name, model: entry.model, kind: 'unavailable', message: availability.reason, attempts: 0 });
          continue;
        }
        const started = Date.now();
        try {
          const answer = await guarded.complete(request, ctx);
          // Sampling has no model of its own: the row is the client's model.
          const model = entry.model && entry.kind !== 'sampling' ? entry.model : answer.model;
          const costUsd = prices.cost(answer.model || model, answer.usage);
          meter.success(entry.name, model, answer.usage, costUsd);
          deps.onUsage?.(ctx.caller?.principal.name ?? 'hub', answer.usage, costUsd);
          log.debug('LLM call', { provider: entry.name, model: answer.model, purpose: request.purpose, ...answer.usage, costUsd, ms: Date.now() - started });
          return { text: answer.text, toolCalls: answer.toolCalls, usage: answer.usage, provider: entry.name, model: answer.model || model, costUsd };
        } catch (err) {
          const error = err instanceof LlmProviderError ? err : new LlmProviderError('invalid-response', String(err));
          meter.failure(entry.name, entry.model ?? '(client)');
          failures.push({ provider: entry.name, model: entry.model, kind: error.kind, message: error.message, attempts: error.attempts });
          if (!error.fallbackable) throw error;
          log.warn('LLM provider failed, trying the next one', { provider: entry.name, model: entry.model, kind: error.kind, purpose: request.purpose });
        }
      }
      const tried = failures.filter((f) => f.kind !== 'unavailable');
      const message =
        tried.length === 0
          ? unavailable(ctx)
          : `Every LLM provider failed: ${failures.map((f) => `${f.provider}${f.model ? ` (${f.model})` : ''}: ${f.message}`).join('; ')}`;
      throw new LlmUnavailableError(message, failures);
    },

    availability(ctx: LlmCallContext = {}) {
      if (chain.some((p) => p.provider.availability(ctx).ok)) return { ok: true };
      return { ok: false, reason: unavailable(ctx) };
    },

    usage: () => meter.report(),

    chain(ctx: LlmCallContext = {}) {
      return chain.map(({ provider, entry }) => {
        const a = provider.availability(ctx);
        return { name: entry.name, provider: entry.kind, model: entry.model, baseURL: entry.baseURL, available: a.ok, ...(a.ok ? {} : { reason: a.reason }) };
      });
    },
  };
}
