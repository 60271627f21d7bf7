// OpenAI Chat Completions through the official SDK; also any OpenAI-compatible endpoint (baseURL):
// Gemini's OpenAI endpoint, Ollama, vLLM, LM Studio.
// The SDK is imported at the first request, not at startup: loading it costs about 130 ms, and most hubs
// start with no OpenAI model configured (or never ask it before the first plan).
import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { fromSdkError, LlmProviderError } from './errors.js';
import { JSON_INSTRUCTION } from './json.js';
import { maxTokensFor, temperatureFor, toolArguments, type Availability, type Provider, type ProviderAnswer, type ResolvedEntry } from './provider.js';
import type { LlmRequest } from './types.js';

type Sdk = typeof import('openai');
let sdkModule: Promise<Sdk> | undefined;
const loadSdk = (): Promise<Sdk> => (sdkModule ??= import('openai'));

export class OpenAiProvider implements Provider {
  private client?: OpenAI;

  constructor(readonly entry: ResolvedEntry) {}

  availability(): Availability {
    // A local endpoint (Ollama, vLLM) needs no key; the official API does.
    if (this.entry.apiKey || this.entry.baseURL) return { ok: true };
    return { ok: false, reason: 'OPENAI_API_KEY is not set' };
  }

  async complete(request: LlmRequest, _ctx: unknown, signal: AbortSignal): Promise<ProviderAnswer> {
    const params = this.params(request);
    const sdk = await loadSdk();
    try {
      return this.entry.stream ? await this.streamed(sdk, params, signal) : await this.plain(sdk, params, signal);
    } catch (err) {
      throw fromSdkError(err, sdk);
    }
  }

  private sdk(sdk: Sdk): OpenAI {
    // Our guard owns retries and timeouts (it honours Retry-After and falls back); the SDK's timeout is a backstop.
    this.client ??= new sdk.OpenAI({
      apiKey: this.entry.apiKey ?? 'no-key',
      baseURL: this.entry.baseURL,
      maxRetries: 0,
      timeout: this.entry.timeoutMs + 5_000,
      defaultHeaders: this.entry.headers,
    });
    return this.client;
  }

  private params(request: LlmRequest): ChatCompletionCreateParamsBase {
    // JSON mode requires the word "JSON" in the messages; the instruction also helps compatible servers that ignore response_format.
    const system = [request.system, request.json ? JSON_INSTRUCTION : undefined].filter(Boolean).join('\n\n');
    const messages: ChatCompletionMessageParam[] = [
      ...(system ? [{ role: 'system' as const, content: system }] : []),
      ...request.messages.map((m) => ({ role: m.role, content: m.content })),
    ];
    const maxTokens = maxTokensFor(request, this.entry);
    const temperature = temperatureFor(request, this.entry);
    return {
      model: this.entry.model!,
      messages,
      // The official API wants max_completion_tokens (reasoning models refuse max_tokens); compatible servers know max_tokens.
      ...(this.entry.baseURL ? { max_tokens: maxTokens } : { max_completion_tokens: maxTokens }),
      ...(temperature !== undefined ? { temperature } : {}),
      ...(request.tools?.length
        ? {
            tools: request.tools.map((t) => ({
              type: 'function' as const,
              function: { name: t.name, description: t.description, parameters: t.inputSchema },
            })),
            tool_choice: request.toolChoice ? { type: 'function' as const, function: { name: request.toolChoice.name } } : 'auto',
          }
        : {}),
      ...(request.json ? { response_format: { type: 'json_object' as const } } : {}),
    };
  }

  private async plain(sdk: Sdk, params: ChatCompletionCreateParamsBase, signal: AbortSignal): Promise<ProviderAnswer> {
    const completion = await this.sdk(sdk).chat.completions.create({ ...params, stream: false }, { signal });
    const message = completion.choices[0]?.message;
    if (!message) throw new LlmProviderError('invalid-response', 'the answer has no choices');
    const calls = (message.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [{ name: c.function.name, args: c.function.arguments }] : []));
    return {
      text: message.content ?? '',
      toolCalls: calls.map((c) => ({ name: c.name, arguments: toolArguments(c.name, c.args) })),
      usage: { inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0 },
      model: completion.model,
    };
  }

  private async streamed(sdk: Sdk, params: ChatCompletionCreateParamsBase, signal: AbortSignal): Promise<ProviderAnswer> {
    const stream = await this.sdk(sdk).chat.completions.create(
      { ...params, stream: true, stream_options: { include_usage: true } },
      { signal },
    );
    let text = '';
    let model = params.model;
    let usage = { inputTokens: 0, outputTokens: 0 };
    // Tool calls arrive in pieces keyed by index: the first piece has id and name, later ones argument text.
    const calls = new Map<number, { name: string; args: string }>();
    for await (const chunk of stream) {
      model = chunk.model || model;
      if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
      const delta = chunk.choices[0]?.delta;
      if (!delta) continue;
      if (delta.content) text += delta.content;
      for (const piece of delta.tool_calls ?? []) {
        const call = calls.get(piece.index) ?? { name: '', args: '' };
        if (piece.function?.name) call.name += piece.function.name;
        if (piece.function?.arguments) call.args += piece.function.arguments;
        calls.set(piece.index, call);
      }
    }
    return { text, toolCalls: [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => ({ name: c.name, arguments: toolArguments(c.name, c.args) })), usage, model };
  }
}
