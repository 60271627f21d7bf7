// The calling client's own model, through MCP sampling (sampling/createMessage relayed to the client
// that made the request). Costs the hub nothing and needs no key. Clients that declare
// `sampling.tools` get real tool definitions; for the others the tools are described in the prompt
// and the call is read back from a JSON answer.
import { CreateMessageResultSchema, CreateMessageResultWithToolsSchema } from '@modelcontextprotocol/core';
import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { LlmProviderError } from './errors.js';
import { extractJson, JSON_INSTRUCTION, normaliseJsonText } from './json.js';
import { maxTokensFor, temperatureFor, toolArguments, type Availability, type Provider, type ProviderAnswer, type ResolvedEntry } from './provider.js';
import type { LlmCallContext, LlmRequest, LlmToolCall, LlmToolDef } from './types.js';

interface ContentBlock {
  type: string;
  text?: string;
  name?: string;
  input?: unknown;
}

export class SamplingProvider implements Provider {
  constructor(readonly entry: ResolvedEntry) {}

  availability(ctx: LlmCallContext): Availability {
    if (!ctx.caller) return { ok: false, reason: 'MCP sampling needs a connected client, and this request has none' };
    if (!ctx.caller.capabilities()?.sampling) return { ok: false, reason: 'the connected client does not support MCP sampling' };
    return { ok: true };
  }

  async complete(request: LlmRequest, ctx: LlmCallContext, _signal: AbortSignal): Promise<ProviderAnswer> {
    const caller = ctx.caller!;
    const tools = request.tools ?? [];
    const native = tools.length > 0 && !!caller.capabilities()?.sampling?.tools;
    const system = [
      request.system,
      tools.length > 0 && !native ? describeTools(tools, request.toolChoice?.name) : undefined,
      request.json ? JSON_INSTRUCTION : undefined,
    ]
      .filter(Boolean)
      .join('\n\n');
    const temperature = temperatureFor(request, this.entry);
    const params: Record<string, unknown> = {
      messages: request.messages.map((m) => ({ role: m.role, content: { type: 'text', text: m.content } })),
      maxTokens: maxTokensFor(request, this.entry),
      includeContext: 'none',
      ...(system ? { systemPrompt: system } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
      ...(this.entry.model ? { modelPreferences: { hints: [{ name: this.entry.model }] } } : {}),
      ...(native
        ? {
            // Sampling can require a tool call but not name one: offering only the forced tool does that.
            tools: tools
              .filter((t) => !request.toolChoice || t.name === request.toolChoice.name)
              .map((t) => ({ name: t.name, description: t.description, inputSchema: { type: 'object', ...t.inputSchema } })),
            toolChoice: { mode: request.toolChoice ? 'required' : 'auto' },
          }
        : {}),
    };

    let result: { model: string; content: ContentBlock | ContentBlock[] };
    try {
      result = await caller.sendRequest(
        { method: 'sampling/createMessage', params },
        native ? CreateMessageResultWithToolsSchema : CreateMessageResultSchema,
      );
    } catch (err) {
      throw samplingError(err);
    }

    const blocks = Array.isArray(result.content) ? result.content : [result.content];
    let text = blocks.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
    let toolCalls: LlmToolCall[] = blocks
      .filter((b) => b.type === 'tool_use')
      .map((b) => ({ name: b.name ?? '', arguments: toolArguments(b.name ?? '', b.input) }));
    if (!native && tools.length > 0) {
      const parsed = callsFromText(text, tools, request.toolChoice?.name);
      if (parsed.length > 0) {
        toolCalls = parsed;
        text = '';
      }
    }
    if (request.json) text = normaliseJsonText(text);
    // The client reports no token counts; the hub pays nothing for them either.
    return { text, toolCalls, usage: { inputTokens: 0, outputTokens: 0 }, model: result.model };
  }
}

function describeTools(tools: LlmToolDef[], forced: string | undefined): string {
  const list = tools
    .map((t) => `- ${t.name}: ${t.description}\n  arguments (JSON Schema): ${JSON.stringify(t.inputSchema)}`)
    .join('\n');
  const how = forced
    ? `You must call the tool "${forced}". Answer with only this JSON object, no prose: {"tool": "${forced}", "arguments": {...}}`
    : 'To call a tool, answer with only this JSON object, no prose: {"tool": "<name>", "arguments": {...}}. Otherwise answer in plain text.';
  return `Tools you can call:\n${list}\n\n${how}`;
}

/** Reads tool calls out of a JSON answer: {"tool", "arguments"}, {"tool_calls": [...]}, or bare arguments of the forced tool. */
function callsFromText(text: string, tools: LlmToolDef[], forced: string | undefined): LlmToolCall[] {
  const value = extractJson(text);
  if (!value || typeof value !== 'object') return [];
  const known = new Set(tools.map((t) => t.name));
  const asCall = (v: unknown): LlmToolCall | undefined => {
    if (!v || typeof v !== 'object') return undefined;
    const o = v as Record<string, unknown>;
    const name = typeof o.tool === 'string' ? o.tool : typeof o.name === 'string' ? o.name : undefined;
    if (!name || !known.has(name)) return undefined;
    return { name, arguments: toolArguments(name, o.arguments ?? o.input ?? {}) };
  };
  const list = Array.isArray(value) ? value : Array.isArray((value as { tool_calls?: unknown }).tool_calls) ? (value as { tool_calls: unknown[] }).tool_calls : [value];
  const calls = list.map(asCall).filter((c): c is LlmToolCall => c !== undefined);
  if (calls.length > 0) return calls;
  // Models often drop the wrapper when only one tool is possible.
  if (forced && !Array.isArray(value)) return [{ name: forced, arguments: value as Record<string, unknown> }];
  return [];
}

function samplingError(err: unknown): LlmProviderError {
  if (err instanceof SdkError) {
    if (err.code === SdkErrorCode.RequestTimeout) return new LlmProviderError('timeout', `sampling: ${err.message}`);
    if (err.code === SdkErrorCode.ConnectionClosed) return new LlmProviderError('network', `sampling: ${err.message}`);
  }
  if (err instanceof ProtocolError || err instanceof SdkError) {
    // The user declined, or the client could not sample: another provider may still answer.
    return new LlmProviderError('refused', `sampling: ${err.message}`);
  }
  return new LlmProviderError('refused', `sampling: ${err instanceof Error ? err.message : String(err)}`);
}
