// Anthropic Messages through the official SDK. Anthropic has no JSON mode: the instruction goes into
// the system prompt and the JSON is taken out of the answer.
// The SDK is imported at the first request, not at startup: loading it costs about 250 ms, and most hubs
// start with no Anthropic model configured (or never ask it before the first plan).
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsBase, Usage } from '@anthropic-ai/sdk/resources/messages/messages';
import { fromSdkError } from './errors.js';
import { JSON_INSTRUCTION, normaliseJsonText } from './json.js';
import { maxTokensFor, temperatureFor, toolArguments, type Availability, type Provider, type ProviderAnswer, type ResolvedEntry } from './provider.js';
import type { LlmRequest, LlmToolCall, LlmUsage } from './types.js';

type Sdk = typeof import('@anthropic-ai/sdk');
let sdkModule: Promise<Sdk> | undefined;
const loadSdk = (): Promise<Sdk> => (sdkModule ??= import('@anthropic-ai/sdk'));

export class AnthropicProvider implements Provider {
  private client?: Anthropic;

  constructor(readonly entry: ResolvedEntry) {}

  availability(): Availability {
    if (this.entry.apiKey) return { ok: true };
    return { ok: false, reason: 'ANTHROPIC_API_KEY is not set' };
  }

  async complete(request: LlmRequest, _ctx: unknown, signal: AbortSignal): Promise<ProviderAnswer> {
    const params = this.params(request);
    const sdk = await loadSdk();
    let answer: ProviderAnswer;
    try {
      answer = this.entry.stream ? await this.streamed(sdk, params, signal) : await this.plain(sdk, params, signal);
    } catch (err) {
      throw fromSdkError(err, sdk);
    }
    return request.json ? { ...answer, text: normaliseJsonText(answer.text) } : answer;
  }

  private sdk(sdk: Sdk): Anthropic {
    // Our guard owns retries and timeouts; the SDK's timeout is a backstop (and, being set, keeps the
    // SDK from refusing large non-streamed max_tokens).
    this.client ??= new sdk.Anthropic({
      apiKey: this.entry.apiKey,
      baseURL: this.entry.baseURL,
      maxRetries: 0,
      timeout: this.entry.timeoutMs + 5_000,
      defaultHeaders: this.entry.headers,
    });
    return this.client;
  }

  private params(request: LlmRequest): MessageCreateParamsBase {
    const system = [request.system, request.json ? JSON_INSTRUCTION : undefined].filter(Boolean).join('\n\n');
    const temperature = temperatureFor(request, this.entry);
    return {
      model: this.entry.model!,
      max_tokens: maxTokensFor(request, this.entry),
      ...(system ? { system } : {}),
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      // Anthropic's range is 0..1; OpenAI's 0..2 is halved rather than refused.
      ...(temperature !== undefined ? { temperature: temperature > 1 ? temperature / 2 : temperature } : {}),
      ...(request.tools?.length
        ? {
            tools: request.tools.map((t) => ({
              name: t.name,
              description: t.description,
              input_schema: { type: 'object' as const, ...t.inputSchema },
            })),
            tool_choice: request.toolChoice ? { type: 'tool' as const, name: request.toolChoice.name } : { type: 'auto' as const },
          }
        : {}),
    };
  }

  private async plain(sdk: Sdk, params: MessageCreateParamsBase, signal: AbortSignal): Promise<ProviderAnswer> {
    const message = await this.sdk(sdk).messages.create({ ...params, stream: false }, { signal });
    let text = '';
    const toolCalls: LlmToolCall[] = [];
    for (const block of message.content) {
      if (block.type === 'text') text += block.text;
      else if (block.type === 'tool_use') toolCalls.push({ name: block.name, arguments: toolArguments(block.name, block.input) });
    }
    return { text, toolCalls, usage: usageOf(message.usage), model: message.model };
  }

  private async streamed(sdk: Sdk, params: MessageCreateParamsBase, signal: AbortSignal): Promise<ProviderAnswer> {
    const stream = await this.sdk(sdk).messages.create({ ...params, stream: true }, { signal });
    let model = params.model as string;
    let usage: LlmUsage = { inputTokens: 0, outputTokens: 0 };
    const blocks = new Map<number, { type: 'text' | 'tool_use'; name: string; text: string }>();
    for await (const event of stream) {
      switch (event.type) {
        case 'message_start':
          model = event.message.model;
          usage = usageOf(event.message.usage);
          break;
        case 'content_block_start':
          if (event.content_block.type === 'text') blocks.set(event.index, { type: 'text', name: '', text: event.content_block.text });
          else if (event.content_block.type === 'tool_use') blocks.set(event.index, { type: 'tool_use', name: event.content_block.name, text: '' });
          break;
        case 'content_block_delta': {
          const block = blocks.get(event.index);
          if (!block) break;
          if (event.delta.type === 'text_delta') block.text += event.delta.text;
          else if (event.delta.type === 'input_json_delta') block.text += event.delta.partial_json;
          break;
        }
        case 'message_delta':
          // Output tokens here are cumulative for the message.
          usage = { inputTokens: usage.inputTokens, outputTokens: event.usage.output_tokens };
          break;
      }
    }
    let text = '';
    const toolCalls: LlmToolCall[] = [];
    for (const [, block] of [...blocks.entries()].sort(([a], [b]) => a - b)) {
      if (block.type === 'text') text += block.text;
      else toolCalls.push({ name: block.name, arguments: toolArguments(block.name, block.text) });
    }
    return { text, toolCalls, usage, model };
  }
}

/** Cache writes and reads are input too (priced as plain input here: a slight over-estimate for reads). */
function usageOf(u: Pick<Usage, 'input_tokens' | 'output_tokens'> & Partial<Pick<Usage, 'cache_creation_input_tokens' | 'cache_read_input_tokens'>>): LlmUsage {
  return {
    inputTokens: u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0),
    outputTokens: u.output_tokens,
  };
}
