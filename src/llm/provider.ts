// What each provider implements: one attempt at one request. Limits, retries, timeouts, usage and the
// fallback chain are the same for all and live around it (guard.ts, llm.ts).
import type { LlmProviderKind } from '../config/llm.js';
import { LlmProviderError } from './errors.js';
import type { LlmCallContext, LlmRequest, LlmToolCall, LlmUsage } from './types.js';

/** A chain entry with defaults applied and its key resolved from the environment. */
export interface ResolvedEntry {
  kind: LlmProviderKind;
  /** Label in usage reports and logs. */
  name: string;
  /** Absent only for sampling without a hint: the client picks. */
  model?: string;
  baseURL?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  temperature?: number;
  maxTokens: number;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxDelayMs: number;
  stream: boolean;
  rateLimit: { requestsPerMinute?: number; burst: number; maxConcurrent: number };
}

export interface ProviderAnswer {
  text: string;
  toolCalls: LlmToolCall[];
  usage: LlmUsage;
  /** The model that answered, as the API reports it. */
  model: string;
}

export type Availability = { ok: true } | { ok: false; reason: string };

export interface Provider {
  readonly entry: ResolvedEntry;
  availability(ctx: LlmCallContext): Availability;
  /** One attempt. `signal` aborts it (timeout or caller); failures throw LlmProviderError. */
  complete(request: LlmRequest, ctx: LlmCallContext, signal: AbortSignal): Promise<ProviderAnswer>;
}

/** Output tokens for this request: the request's wish, capped by the entry's setting. */
export function maxTokensFor(request: LlmRequest, entry: ResolvedEntry): number {
  return Math.min(request.maxTokens ?? entry.maxTokens, entry.maxTokens);
}

export function temperatureFor(request: LlmRequest, entry: ResolvedEntry): number | undefined {
  return request.temperature ?? entry.temperature;
}

/** A tool call's arguments, given as JSON text (OpenAI, streamed Anthropic) or a value: must be an object. */
export function toolArguments(tool: string, value: unknown): Record<string, unknown> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = value.trim() === '' ? {} : JSON.parse(value);
    } catch {
      throw new LlmProviderError('invalid-response', `the arguments of the call to ${tool} are not valid JSON`);
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new LlmProviderError('invalid-response', `the arguments of the call to ${tool} are not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
