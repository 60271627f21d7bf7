// Schema of the `llm:` section: which model the planner (and LLM steps) use, and how it is called.
// Every field has a default, so the section may be absent. Without a `provider` the chain is chosen
// from the environment: openai when OPENAI_API_KEY is set, anthropic when ANTHROPIC_API_KEY is set,
// then the client's own model through MCP sampling.
// Only the shape lives here: src/config imports nothing from src/llm.
import { z } from 'zod';

export const LlmProviderKindSchema = z.enum(['openai', 'anthropic', 'sampling']);

export const RateLimitSchema = z
  .object({
    /** Token bucket: requests per minute this provider is sent at most. Absent: no limit. */
    requestsPerMinute: z.number().positive().optional(),
    /** Requests that may start at once before spacing applies. */
    burst: z.number().int().positive().default(1),
    /** Requests in flight at once to this provider. */
    maxConcurrent: z.number().int().positive().default(4),
  })
  .strict();

/** Settings a fallback entry inherits from the top-level entry unless it sets its own. */
const shared = {
  temperature: z.number().min(0).max(2).optional(),
  /** Output tokens per answer, unless a request asks for fewer. */
  maxTokens: z.number().int().positive().optional(),
  /** One attempt, start to last byte; a slower answer is abandoned (and the next provider tried). */
  timeoutMs: z.number().int().positive().optional(),
  /** Further attempts on 429, 5xx and network errors (the SDKs' own retries are off: ours honour Retry-After). */
  maxRetries: z.number().int().min(0).max(10).optional(),
  /** Backoff before retry n is retryBaseMs * 2^n (with jitter), unless the server says Retry-After. */
  retryBaseMs: z.number().int().min(0).optional(),
  /** A Retry-After longer than this is not waited for: the next provider in the chain is tried instead. */
  retryMaxDelayMs: z.number().int().min(0).optional(),
  /** Stream answers (server-sent events) instead of waiting for one body. */
  stream: z.boolean().optional(),
};

export const SHARED_DEFAULTS = {
  maxTokens: 4096,
  timeoutMs: 120_000,
  maxRetries: 2,
  retryBaseMs: 500,
  retryMaxDelayMs: 30_000,
  stream: false,
} as const;

const entryFields = {
  provider: LlmProviderKindSchema,
  /**
   * Model id. Default: gpt-4.1-mini (openai), claude-haiku-4-5 (anthropic); for sampling a hint to the
   * client, which picks its own model.
   */
  model: z.string().min(1).optional(),
  /** Any OpenAI-compatible endpoint (Gemini's OpenAI endpoint, Ollama, vLLM, Azure) or an Anthropic proxy. */
  baseURL: z.string().min(1).optional(),
  /** Usually `${OPENAI_API_KEY}`; absent or empty: the SDK's own variable (OPENAI_API_KEY / ANTHROPIC_API_KEY). */
  apiKey: z.string().optional(),
  /** Extra HTTP headers sent with every request (proxies, org ids). */
  headers: z.record(z.string(), z.string()).optional(),
  /** Name in usage reports and logs; default `<provider>`. */
  name: z.string().min(1).optional(),
  rateLimit: RateLimitSchema.prefault({}),
  ...shared,
};

/** One provider of the fallback chain. */
export const LlmEntrySchema = z.object(entryFields).strict();

export const PriceSchema = z
  .object({
    /** USD per 1M input tokens. */
    input: z.number().min(0),
    /** USD per 1M output tokens. */
    output: z.number().min(0),
  })
  .strict();

export const LlmConfigSchema = z
  .object({
    ...entryFields,
    /** Absent: chosen from the environment (see above). */
    provider: LlmProviderKindSchema.optional(),
    /** Tried in order when the one before fails with 429, 5xx, a timeout, a network or an auth error. */
    fallback: z.array(LlmEntrySchema).default([]),
    /** Use the calling client's model (MCP sampling) as a last resort when every configured provider fails. */
    samplingFallback: z.boolean().default(true),
    /** Cost table, merged over the built-in one: model id (or id prefix) -> USD per 1M tokens. */
    prices: z.record(z.string(), PriceSchema).default({}),
  })
  .strict();

export type LlmProviderKind = z.output<typeof LlmProviderKindSchema>;
export type LlmEntry = z.output<typeof LlmEntrySchema>;
export type LlmConfig = z.output<typeof LlmConfigSchema>;
export type LlmConfigInput = z.input<typeof LlmConfigSchema>;
export type Price = z.output<typeof PriceSchema>;
