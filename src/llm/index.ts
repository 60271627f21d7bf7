// The LLM layer's public surface.
export * from './types.js';
export { createLlm, createProvider, HOW_TO_CONFIGURE, type ChainEntry, type LlmDeps, type LlmService } from './llm.js';
export { LlmProviderError, type FailureKind } from './errors.js';
export { systemClock, type Clock } from './limiter.js';
export { DEFAULT_PRICES, PriceTable } from './prices.js';
export { DEFAULT_MODELS, parseLlmConfig, resolveChain } from './resolve.js';
export { extractJson } from './json.js';
