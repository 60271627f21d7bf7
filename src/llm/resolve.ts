// From the `llm:` section and the environment to the ordered chain of providers to try.
import { LlmConfigSchema, SHARED_DEFAULTS, type LlmConfig, type LlmConfigInput, type LlmEntry, type LlmProviderKind } from '../config/llm.js';
import type { ResolvedEntry } from './provider.js';

export const DEFAULT_MODELS: Record<LlmProviderKind, string | undefined> = {
  openai: 'gpt-4.1-mini',
  anthropic: 'claude-haiku-4-5',
  sampling: undefined,
};

/** The SDKs' own variables, read here so a test (or the hub) can pass its own environment. */
const KEY_VARS: Record<LlmProviderKind, string | undefined> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY', sampling: undefined };
const URL_VARS: Record<LlmProviderKind, string | undefined> = { openai: 'OPENAI_BASE_URL', anthropic: 'ANTHROPIC_BASE_URL', sampling: undefined };

export function parseLlmConfig(input: LlmConfigInput | undefined): LlmConfig {
  return LlmConfigSchema.parse(input ?? {});
}

export function resolveChain(config: LlmConfig, env: NodeJS.ProcessEnv = process.env): ResolvedEntry[] {
  const shared = {
    temperature: config.temperature,
    maxTokens: config.maxTokens ?? SHARED_DEFAULTS.maxTokens,
    timeoutMs: config.timeoutMs ?? SHARED_DEFAULTS.timeoutMs,
    maxRetries: config.maxRetries ?? SHARED_DEFAULTS.maxRetries,
    retryBaseMs: config.retryBaseMs ?? SHARED_DEFAULTS.retryBaseMs,
    retryMaxDelayMs: config.retryMaxDelayMs ?? SHARED_DEFAULTS.retryMaxDelayMs,
    stream: config.stream ?? SHARED_DEFAULTS.stream,
  };
  const entries: LlmEntry[] = [];
  if (config.provider) {
    const { fallback: _f, samplingFallback: _s, prices: _p, ...head } = config;
    entries.push({ ...head, provider: config.provider });
  } else {
    // No provider named: whatever the environment offers, in a fixed order.
    if (env.OPENAI_API_KEY) entries.push({ provider: 'openai', rateLimit: config.rateLimit });
    if (env.ANTHROPIC_API_KEY) entries.push({ provider: 'anthropic', rateLimit: config.rateLimit });
  }
  entries.push(...config.fallback);
  if (config.samplingFallback && !entries.some((e) => e.provider === 'sampling')) {
    entries.push({ provider: 'sampling', rateLimit: { burst: 1, maxConcurrent: 4 } });
  }

  const names = new Set<string>();
  return entries.map((e, i) => {
    let name = e.name ?? e.provider;
    if (names.has(name)) name = `${name}#${i + 1}`;
    names.add(name);
    const keyVar = KEY_VARS[e.provider];
    const urlVar = URL_VARS[e.provider];
    return {
      kind: e.provider,
      name,
      model: e.model ?? DEFAULT_MODELS[e.provider],
      // An empty value is what an unset ${VAR} in the config becomes: treat it as absent.
      apiKey: nonEmpty(e.apiKey) ?? (keyVar ? nonEmpty(env[keyVar]) : undefined),
      baseURL: nonEmpty(e.baseURL) ?? (urlVar ? nonEmpty(env[urlVar]) : undefined),
      headers: e.headers,
      temperature: e.temperature ?? shared.temperature,
      maxTokens: e.maxTokens ?? shared.maxTokens,
      timeoutMs: e.timeoutMs ?? shared.timeoutMs,
      maxRetries: e.maxRetries ?? shared.maxRetries,
      retryBaseMs: e.retryBaseMs ?? shared.retryBaseMs,
      retryMaxDelayMs: e.retryMaxDelayMs ?? shared.retryMaxDelayMs,
      stream: e.stream ?? shared.stream,
      rateLimit: e.rateLimit,
    };
  });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}
