// The one interface the planner (and anything else that needs a model) uses, whatever the provider:
// OpenAI (or any OpenAI-compatible endpoint), Anthropic, or the client's own model via MCP sampling.
import type { Caller } from '../access/caller.js';

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface LlmToolDef {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  inputSchema: Record<string, unknown>;
}

export interface LlmRequest {
  system?: string;
  messages: LlmMessage[];
  /** Function/tool calling: the model answers with calls to these. */
  tools?: LlmToolDef[];
  /** Force a call to this tool (structured output through tool calling). */
  toolChoice?: { name: string };
  /** Ask for a JSON object as the text answer (JSON mode). */
  json?: boolean;
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /** What the call is for, for usage accounting and logs: "plan", "replan", "step", "summary", "schedule". */
  purpose?: string;
}

export interface LlmToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface LlmResponse {
  text: string;
  toolCalls: LlmToolCall[];
  usage: LlmUsage;
  provider: string;
  model: string;
  costUsd: number;
}

/** Per request: the upstream client, for the sampling provider. */
export interface LlmCallContext {
  caller?: Caller;
}

export interface UsageReport {
  /** Per provider/model: calls, tokens, cost. */
  byModel: Array<{ provider: string; model: string; calls: number; failures: number; inputTokens: number; outputTokens: number; costUsd: number }>;
  totals: { calls: number; inputTokens: number; outputTokens: number; costUsd: number };
}

export interface Llm {
  /** Tries the configured providers in order (fallback chain); throws LlmUnavailableError when none can serve. */
  complete(request: LlmRequest, ctx?: LlmCallContext): Promise<LlmResponse>;
  /** Whether some provider can serve this context (a key is set, or the client supports sampling), and if not why. */
  availability(ctx?: LlmCallContext): { ok: true } | { ok: false; reason: string };
  usage(): UsageReport;
}

/** Why one provider of the chain did not answer. */
export interface LlmFailure {
  provider: string;
  model?: string;
  /** `unavailable` (no key, no sampling client), or how the call failed: rate-limit, server, timeout, network, auth, ... */
  kind: string;
  message: string;
  /** Attempts made (retries included); 0 when the provider was skipped. */
  attempts: number;
}

export class LlmUnavailableError extends Error {
  constructor(
    message: string,
    /** Each provider tried or skipped, in chain order. */
    readonly failures: LlmFailure[] = [],
  ) {
    super(message);
    this.name = 'LlmUnavailableError';
  }
}
