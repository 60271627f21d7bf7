// A mock LLM API for tests and the offline demo. One server speaks both wire formats:
//   OpenAI Chat Completions  POST /v1/chat/completions  -> give the OpenAI SDK baseURL `url` (…/v1)
//   Anthropic Messages       POST /v1/messages          -> give the Anthropic SDK baseURL `origin` (no /v1:
//                                                          that SDK adds it)
// Each request is answered by the next scripted reply, else the responder, else an echo of the last
// user message. Every request is recorded, normalised (see LlmMockRequest), for assertions.
import { EventEmitter } from 'node:events';
import type http from 'node:http';
import { MockHttpServer, type ErrorShapes, type MockRequest, type MockResponse } from '../lib/mock-http.js';
import { answerAnthropic, anthropicError, anthropicFault, checkAnthropic, parseAnthropic } from './anthropic-wire.js';
import { answerOpenAi, checkOpenAi, openAiError, openAiFault, parseOpenAi } from './openai-wire.js';
import { writeJson } from './sse.js';
import type { AnswerReply, FaultReply, LlmMockRequest, Reply, Responder } from './types.js';

export * from './types.js';

export interface MockLlmOptions {
  port?: number;
  host?: string;
  /** When set, only this key is accepted (Authorization: Bearer for OpenAI, x-api-key for Anthropic); otherwise any non-empty key. */
  apiKey?: string;
  /** Replies for the first requests, in order. */
  replies?: Reply[];
  responder?: Responder;
}

export interface MockLlm {
  /** OpenAI base URL, http://127.0.0.1:PORT/v1. */
  url: string;
  /** Anthropic base URL, http://127.0.0.1:PORT (the Anthropic SDK appends /v1/messages). */
  origin: string;
  /** Every request received, in order. */
  requests: LlmMockRequest[];
  /** Requests being answered now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** The underlying HTTP mock: its `faults` (rateLimit, serverError, slowMs, revokedToken) apply to every request. */
  server: MockHttpServer;
  /** Queues replies for the next requests. */
  script(...replies: Reply[]): void;
  setResponder(responder: Responder | undefined): void;
  /** Forgets scripted replies, the responder, recorded requests and faults. */
  reset(): void;
  /** Resolves once `count` requests have arrived in all. */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

const isAnthropic = (req?: MockRequest) => !!req && (req.path.startsWith('/v1/messages') || req.headers['anthropic-version'] !== undefined);

const shapes: ErrorShapes = {
  rateLimited: (sec, req) => (isAnthropic(req) ? anthropicFault({ fault: 'rate-limit', retryAfterSec: sec }, '') : openAiFault({ fault: 'rate-limit', retryAfterSec: sec }, 'the model')),
  serverError: (req) => (isAnthropic(req) ? anthropicFault({ fault: 'server' }, '') : openAiFault({ fault: 'server' }, '')),
  unauthorized: (req) =>
    isAnthropic(req)
      ? anthropicError(401, 'authentication_error', req?.headers['x-api-key'] ? 'invalid x-api-key' : 'x-api-key header is required')
      : req?.headers.authorization
        ? openAiFault({ fault: 'auth' }, '')
        : openAiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", 'invalid_request_error', null),
  notFound: (method, path, req) =>
    isAnthropic(req) ? anthropicError(404, 'not_found_error', 'Not Found') : openAiError(404, `Invalid URL (${method} ${path})`, 'invalid_request_error', null),
};

export async function startMockLlm(options: MockLlmOptions = {}): Promise<MockLlm> {
  const queue: Reply[] = [...(options.replies ?? [])];
  let responder = options.responder;
  const requests: LlmMockRequest[] = [];
  const events = new EventEmitter();
  let inFlight = 0;
  let maxInFlight = 0;

  const keyOf = (req: MockRequest): string | undefined => {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const header = req.headers['x-api-key'];
    return isAnthropic(req) ? (typeof header === 'string' ? header : bearer) : bearer;
  };
  const authorize = (req: MockRequest) => {
    if (!req.path.startsWith('/v1/')) return true;
    const key = keyOf(req);
    return !!key && (options.apiKey === undefined || key === options.apiKey);
  };
  const server = new MockHttpServer(shapes, authorize);

  const nextReply = async (request: LlmMockRequest): Promise<Reply> => {
    if (queue.length > 0) return queue.shift()!;
    if (responder) return responder(request);
    return `echo: ${request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''}`;
  };

  const endpoint =
    (api: 'openai' | 'anthropic') =>
    async (req: MockRequest): Promise<MockResponse> => {
      const body = (req.body ?? {}) as Record<string, any>;
      const problem = api === 'openai' ? checkOpenAi(body) : checkAnthropic(body);
      if (problem) return api === 'openai' ? openAiFault({ fault: 'bad-request', message: problem }, '') : anthropicFault({ fault: 'bad-request', message: problem }, '');
      const request = api === 'openai' ? parseOpenAi(body, req.headers) : parseAnthropic(body, req.headers);
      return {
        body: null,
        stream: async (res) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          const closed = new Promise<void>((resolve) => res.once('close', resolve));
          closed.then(() => inFlight--);
          requests.push(request);
          events.emit('request');
          await respond(res, request, await nextReply(request), closed);
        },
      };
    };

  const respond = async (res: http.ServerResponse, request: LlmMockRequest, r: Reply, closed: Promise<void>): Promise<void> => {
    const answer: AnswerReply | FaultReply = typeof r === 'string' ? { text: r } : r;
    if ('fault' in answer) {
      if (answer.fault === 'hang') return closed;
      const e = request.api === 'openai' ? openAiFault(answer, request.model) : anthropicFault(answer, request.model);
      return writeJson(res, e.status, e.body, e.headers);
    }
    if (answer.delayMs) await Promise.race([new Promise((resolve) => setTimeout(resolve, answer.delayMs)), closed]);
    if (res.destroyed) return;
    if (request.api === 'openai') answerOpenAi(res, request, answer);
    else answerAnthropic(res, request, answer);
  };

  server
    .route('POST', '/v1/chat/completions', endpoint('openai'))
    .route('POST', '/v1/messages', endpoint('anthropic'))
    .route('GET', '/v1/models', (req) => {
      const ids = ['gpt-4.1-mini', 'claude-haiku-4-5', 'scripted-stand-in'];
      return isAnthropic(req)
        ? { body: { data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })), has_more: false, first_id: ids[0], last_id: ids.at(-1) } }
        : { body: { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1735689600, owned_by: 'mock' })) } };
    });
  const origin = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');

  return {
    url: `${origin}/v1`,
    origin,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    server,
    script: (...replies) => void queue.push(...replies),
    setResponder: (r) => void (responder = r),
    reset: () => {
      queue.length = 0;
      responder = undefined;
      requests.length = 0;
      maxInFlight = inFlight;
      server.setFaults({});
    },
    waitForRequests: (count) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (requests.length < count) return;
          events.off('request', check);
          resolve();
        };
        events.on('request', check);
        check();
      }),
    close: () => server.close(),
  };
}
