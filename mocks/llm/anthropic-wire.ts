// The Anthropic Messages wire format: request parsing, answers (plain and the streamed event sequence
// message_start, content_block_start/delta/stop, message_delta, message_stop), and Anthropic's error
// bodies {"type": "error", "error": {type, message}, "request_id"}.
import type http from 'node:http';
import { randomId } from './ids.js';
import { openSse, pieces, writeEvent, writeJson } from './sse.js';
import { estimateTokens, type AnswerReply, type FaultReply, type LlmMockRequest } from './types.js';

type Json = Record<string, any>;

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b: Json) => (b?.type === 'text' ? b.text : '')).join('');
  return '';
}

export function checkAnthropic(body: Json): string | undefined {
  if (typeof body?.model !== 'string' || !body.model) return 'model: Field required';
  if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
  if (body.messages[0]?.role !== 'user') return 'messages: first message must use the "user" role';
  if (typeof body.temperature === 'number' && (body.temperature < 0 || body.temperature > 1)) return 'temperature: Input should be less than or equal to 1';
  return undefined;
}

export function parseAnthropic(body: Json, headers: http.IncomingHttpHeaders): LlmMockRequest {
  const choice = body.tool_choice;
  return {
    api: 'anthropic',
    model: body.model,
    stream: body.stream === true,
    system: text(body.system) || undefined,
    messages: (body.messages ?? []).map((m: Json) => ({ role: m.role, content: text(m.content) })),
    tools: (body.tools ?? []).map((t: Json) => ({ name: t.name, description: t.description ?? '', inputSchema: t.input_schema ?? {} })),
    toolChoice: choice?.type === 'tool' ? choice.name : choice?.type === 'any' ? 'required' : choice?.type,
    json: false,
    maxTokens: body.max_tokens,
    temperature: body.temperature,
    body,
    headers,
  };
}

export function answerAnthropic(res: http.ServerResponse, request: LlmMockRequest, answer: AnswerReply): void {
  const model = answer.model ?? request.model;
  const blocks: Json[] = [];
  if (answer.text) blocks.push({ type: 'text', text: answer.text });
  for (const call of answer.toolCalls ?? []) {
    blocks.push({ type: 'tool_use', id: randomId('toolu_01', 22), name: call.name, input: call.arguments });
  }
  if (blocks.length === 0) blocks.push({ type: 'text', text: '' });
  const stop = answer.finish === 'length' ? 'max_tokens' : answer.toolCalls?.length ? 'tool_use' : 'end_turn';
  const input = answer.usage?.input ?? estimateTokens(JSON.stringify(request.body.system ?? '') + JSON.stringify(request.body.messages ?? []) + JSON.stringify(request.body.tools ?? []));
  const output = answer.usage?.output ?? estimateTokens(blocks.map((b) => b.text ?? JSON.stringify(b.input)).join(''));
  const usage = { input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output, service_tier: 'standard' };
  const id = randomId('msg_01', 22);
  const headers = { 'request-id': randomId('req_01', 22), 'anthropic-organization-id': '00000000-0000-4000-8000-00000000m0ck' };

  if (!request.stream) {
    // A tool_use block whose input is not valid JSON cannot be expressed in a plain answer; send it as a string.
    const content = blocks.map((b) => (b.type === 'tool_use' && typeof b.input === 'string' ? { ...b, input: safeParse(b.input) } : b));
    writeJson(res, 200, { id, type: 'message', role: 'assistant', model, content, stop_reason: stop, stop_sequence: null, usage }, headers);
    return;
  }

  openSse(res, headers);
  writeEvent(
    res,
    { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } },
    'message_start',
  );
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      writeEvent(res, { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, 'content_block_start');
      if (index === 0) writeEvent(res, { type: 'ping' }, 'ping');
      for (const piece of pieces(block.text)) writeEvent(res, { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }, 'content_block_delta');
    } else {
      writeEvent(res, { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }, 'content_block_start');
      const json = typeof block.input === 'string' ? block.input : JSON.stringify(block.input);
      for (const piece of pieces(json, 16)) writeEvent(res, { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }, 'content_block_delta');
    }
    writeEvent(res, { type: 'content_block_stop', index }, 'content_block_stop');
  });
  writeEvent(res, { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: output } }, 'message_delta');
  writeEvent(res, { type: 'message_stop' }, 'message_stop');
  res.end();
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export function anthropicError(status: number, type: string, message: string, headers: Record<string, string> = {}) {
  const requestId = randomId('req_01', 22);
  return { status, body: { type: 'error', error: { type, message }, request_id: requestId }, headers: { 'request-id': requestId, ...headers } };
}

export function anthropicFault(fault: FaultReply, model: string) {
  switch (fault.fault) {
    case 'rate-limit': {
      const sec = fault.retryAfterSec ?? 1;
      return anthropicError(
        429,
        'rate_limit_error',
        'This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.',
        { 'retry-after': String(sec), 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '0' },
      );
    }
    case 'server':
      return fault.status === 529 ? anthropicError(529, 'overloaded_error', 'Overloaded') : anthropicError(fault.status ?? 500, 'api_error', 'Internal server error');
    case 'auth':
      return anthropicError(401, 'authentication_error', 'invalid x-api-key');
    case 'model-not-found':
      return anthropicError(404, 'not_found_error', `model: ${model}`);
    case 'bad-request':
      return anthropicError(400, 'invalid_request_error', fault.message ?? 'Invalid request.');
    case 'hang':
      throw new Error('hang is not an error body');
  }
}
