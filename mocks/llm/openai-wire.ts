// The OpenAI Chat Completions wire format: request parsing, answers (plain and streamed with
// `stream_options.include_usage`), and OpenAI's error bodies {"error": {message, type, param, code}}.
import type http from 'node:http';
import { randomId } from './ids.js';
import { openSse, pieces, writeEvent, writeJson } from './sse.js';
import { estimateTokens, type AnswerReply, type FaultReply, type LlmMockRequest } from './types.js';

type Json = Record<string, any>;

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: Json) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

/** A problem that makes the real API answer 400, or undefined. */
export function checkOpenAi(body: Json): string | undefined {
  if (typeof body?.model !== 'string' || !body.model) return 'you must provide a model parameter';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "[] is too short - 'messages'";
  if (body.response_format?.type === 'json_object' && !JSON.stringify(body.messages).toLowerCase().includes('json')) {
    return "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.";
  }
  return undefined;
}

export function parseOpenAi(body: Json, headers: http.IncomingHttpHeaders): LlmMockRequest {
  const messages: Array<{ role: string; content: string }> = (body.messages ?? []).map((m: Json) => ({ role: m.role, content: text(m.content) }));
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content).join('\n\n');
  const choice = body.tool_choice;
  return {
    api: 'openai',
    model: body.model,
    stream: body.stream === true,
    system: system || undefined,
    messages: messages.filter((m) => m.role !== 'system' && m.role !== 'developer'),
    tools: (body.tools ?? [])
      .filter((t: Json) => t.type === 'function')
      .map((t: Json) => ({ name: t.function.name, description: t.function.description ?? '', inputSchema: t.function.parameters ?? {} })),
    toolChoice: typeof choice === 'string' ? choice : choice?.function?.name,
    json: body.response_format?.type === 'json_object' || body.response_format?.type === 'json_schema',
    maxTokens: body.max_completion_tokens ?? body.max_tokens,
    temperature: body.temperature,
    body,
    headers,
  };
}

const CREATED = () => Math.floor(Date.now() / 1000);

export function answerOpenAi(res: http.ServerResponse, request: LlmMockRequest, answer: AnswerReply): void {
  const model = answer.model ?? request.model;
  const content = answer.text ?? (answer.toolCalls?.length ? null : '');
  const calls = (answer.toolCalls ?? []).map((c) => ({
    id: randomId('call_', 24),
    type: 'function' as const,
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
  }));
  const finish = answer.finish === 'length' ? 'length' : calls.length ? 'tool_calls' : 'stop';
  const prompt = answer.usage?.input ?? estimateTokens(JSON.stringify(request.body.messages ?? []) + JSON.stringify(request.body.tools ?? []));
  const completion = answer.usage?.output ?? estimateTokens((content ?? '') + calls.map((c) => c.function.arguments).join(''));
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
  const id = randomId('chatcmpl-', 29);
  const created = CREATED();
  const headers = { 'x-request-id': randomId('req_', 32), 'openai-processing-ms': '1', 'openai-version': '2020-10-01' };

  if (!request.stream) {
    writeJson(
      res,
      200,
      {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: null, annotations: [], ...(calls.length ? { tool_calls: calls } : {}) },
            logprobs: null,
            finish_reason: finish,
          },
        ],
        usage,
        service_tier: 'default',
        system_fingerprint: 'fp_mock0001',
      },
      headers,
    );
    return;
  }

  const includeUsage = (request.body.stream_options as Json | undefined)?.include_usage === true;
  const chunk = (choices: unknown[], extra: Json = {}) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    service_tier: 'default',
    system_fingerprint: 'fp_mock0001',
    choices,
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
  const delta = (d: Json, finishReason: string | null = null) => chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }]);
  openSse(res, headers);
  writeEvent(res, delta({ role: 'assistant', content: calls.length && !answer.text ? null : '', refusal: null }));
  for (const piece of pieces(answer.text ?? '')) writeEvent(res, delta({ content: piece }));
  calls.forEach((call, index) => {
    writeEvent(res, delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
    for (const piece of pieces(call.function.arguments, 16)) writeEvent(res, delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  writeEvent(res, delta({}, finish));
  if (includeUsage) writeEvent(res, chunk([], { usage }));
  writeEvent(res, '[DONE]');
  res.end();
}

export function openAiError(status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}) {
  return { status, body: { error: { message, type, param: null, code } }, headers: { 'x-request-id': randomId('req_', 32), ...headers } };
}

export function openAiFault(fault: FaultReply, model: string) {
  switch (fault.fault) {
    case 'rate-limit': {
      const sec = fault.retryAfterSec ?? 1;
      return openAiError(
        429,
        `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${sec}s.`,
        'requests',
        'rate_limit_exceeded',
        { 'retry-after': String(sec), 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': `${sec}s` },
      );
    }
    case 'server':
      return fault.status === 503
        ? openAiError(503, 'The engine is currently overloaded, please try again later.', 'server_error', null)
        : openAiError(fault.status ?? 500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null);
    case 'auth':
      return openAiError(401, 'Incorrect API key provided: sk-mock***. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key');
    case 'model-not-found':
      return openAiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    case 'bad-request':
      return openAiError(400, fault.message ?? 'Invalid request.', 'invalid_request_error', null);
    case 'hang':
      throw new Error('hang is not an error body');
  }
}
