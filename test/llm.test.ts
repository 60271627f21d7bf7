// The LLM layer through the real OpenAI and Anthropic SDKs against the mock LLM API (both wire
// formats), and the sampling provider through a real MCP client/server pair.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLlm, LlmProviderError, LlmUnavailableError, HOW_TO_CONFIGURE, type LlmRequest } from '../src/llm/index.js';
import type { LlmConfigInput } from '../src/config/llm.js';
import { reply, startMockLlm, type MockLlm } from '../mocks/llm/index.js';
import { quietLog, TestClock } from './llm-support.js';

let mock: MockLlm;
beforeAll(async () => {
  mock = await startMockLlm({ apiKey: 'sk-test' });
});
afterAll(async () => {
  await mock?.close();
});
afterEach(() => {
  mock.reset();
});

const openai = (extra: Record<string, unknown> = {}) =>
  ({ provider: 'openai', baseURL: mock.url, apiKey: 'sk-test', model: 'gpt-4o-mini', maxRetries: 0, ...extra }) as const;
const anthropic = (extra: Record<string, unknown> = {}) =>
  ({ provider: 'anthropic', baseURL: mock.origin, apiKey: 'sk-test', model: 'claude-haiku-4-5', maxRetries: 0, ...extra }) as const;

function llmOf(config: LlmConfigInput, clock = new TestClock(true)) {
  return createLlm({ samplingFallback: false, ...config }, { env: {}, log: quietLog, clock, random: () => 0.5 });
}

const ask = (content: string, extra: Partial<LlmRequest> = {}): LlmRequest => ({ messages: [{ role: 'user', content }], ...extra });

const planTool = {
  name: 'submit_plan',
  description: 'Submit the plan',
  inputSchema: { type: 'object', properties: { steps: { type: 'array' } }, required: ['steps'] },
};

describe.each([
  ['openai', openai],
  ['anthropic', anthropic],
] as const)('%s provider through the official SDK', (name, entry) => {
  for (const stream of [false, true]) {
    const mode = stream ? 'streamed' : 'plain';

    it(`answers text (${mode}) with usage and cost`, async () => {
      const llm = llmOf(entry({ stream }));
      mock.script(reply.text('Four invoices are unpaid.', { usage: { input: 1000, output: 500 } }));
      const answer = await llm.complete(ask('How many invoices are unpaid?', { system: 'Be brief.' }));
      expect(answer).toMatchObject({ text: 'Four invoices are unpaid.', toolCalls: [], provider: name, usage: { inputTokens: 1000, outputTokens: 500 } });
      // gpt-4o-mini 0.15/0.60, claude-haiku-4-5 1/5 USD per 1M tokens
      expect(answer.costUsd).toBeCloseTo(name === 'openai' ? 0.00045 : 0.0035, 8);
      const sent = mock.requests[0];
      expect(sent).toMatchObject({ api: name, stream, system: 'Be brief.', messages: [{ role: 'user', content: 'How many invoices are unpaid?' }] });
      if (name === 'openai') {
        expect(sent.headers.authorization).toBe('Bearer sk-test');
        // A baseURL means an OpenAI-compatible server, which knows max_tokens.
        expect(sent.body.max_tokens).toBe(4096);
        if (stream) expect(sent.body.stream_options).toEqual({ include_usage: true });
      } else {
        // SDK 1.x sends the key as a bearer token; older ones as x-api-key. The API takes both.
        expect(sent.headers['x-api-key'] ?? sent.headers.authorization).toMatch(/^(Bearer )?sk-test$/);
        expect(sent.headers['anthropic-version']).toBeTruthy();
        expect(sent.body.max_tokens).toBe(4096);
      }
    });

    it(`returns a forced tool call (${mode})`, async () => {
      const llm = llmOf(entry({ stream }));
      const plan = { goal: 'chase', steps: [{ id: 'invoices', tool: 'xero__list-invoices', args: { page: 1 } }] };
      mock.script(reply.toolCall('submit_plan', plan));
      const answer = await llm.complete(ask('Plan this', { tools: [planTool], toolChoice: { name: 'submit_plan' } }));
      expect(answer.toolCalls).toEqual([{ name: 'submit_plan', arguments: plan }]);
      const sent = mock.requests[0];
      expect(sent.tools).toEqual([planTool]);
      expect(sent.toolChoice).toBe('submit_plan');
    });
  }

  it('asks for JSON and returns the JSON text', async () => {
    const llm = llmOf(entry());
    // Anthropic has no JSON mode: a fenced answer is unwrapped.
    mock.script(name === 'openai' ? '{"count":4}' : 'Here it is:\n```json\n{"count": 4}\n```');
    const answer = await llm.complete(ask('Count them', { json: true }));
    expect(JSON.parse(answer.text)).toEqual({ count: 4 });
    const sent = mock.requests[0];
    expect(sent.system).toMatch(/JSON/);
    if (name === 'openai') expect(sent.body.response_format).toEqual({ type: 'json_object' });
  });

  it('reports a tool call whose arguments are not JSON as a failure', async () => {
    const llm = llmOf(entry({ stream: true }));
    mock.script(reply.toolCall('submit_plan', '{"steps": [unterminated'));
    const err = await llm.complete(ask('Plan', { tools: [planTool], toolChoice: { name: 'submit_plan' } })).catch((e) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err.failures).toMatchObject([{ provider: name, kind: 'invalid-response' }]);
  });
});

describe('retries', () => {
  it('waits what Retry-After says on 429, then succeeds', async () => {
    const clock = new TestClock(true);
    const llm = llmOf(openai({ maxRetries: 2 }), clock);
    mock.script(reply.rateLimit(7), 'ok');
    const answer = await llm.complete(ask('hi'));
    expect(answer.text).toBe('ok');
    expect(clock.sleeps).toEqual([7000]);
    expect(mock.requests).toHaveLength(2);
  });

  it('backs off exponentially on 5xx (Anthropic 529 overloaded) and gives up after maxRetries', async () => {
    const clock = new TestClock(true);
    const llm = llmOf(anthropic({ maxRetries: 2, retryBaseMs: 100 }), clock);
    mock.script(reply.serverError(529), reply.serverError(500), reply.serverError(503));
    const err = await llm.complete(ask('hi')).catch((e) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err.failures).toMatchObject([{ provider: 'anthropic', kind: 'server', attempts: 3 }]);
    // random() = 0.5 gives the middle of the jitter range: base, 2 * base.
    expect(clock.sleeps).toEqual([100, 200]);
    expect(mock.requests).toHaveLength(3);
  });

  it('leaves retrying to us: the SDK sends one request when maxRetries is 0', async () => {
    const llm = llmOf(openai({ maxRetries: 0 }));
    mock.setResponder(() => reply.serverError(500));
    await expect(llm.complete(ask('hi'))).rejects.toThrow(/500/);
    expect(mock.requests).toHaveLength(1);
  });

  it('does not wait a Retry-After beyond retryMaxDelayMs: the next provider answers', async () => {
    const clock = new TestClock(true);
    const llm = llmOf({ ...openai({ maxRetries: 3, retryMaxDelayMs: 5_000 }), fallback: [anthropic()] }, clock);
    mock.script(reply.rateLimit(60), 'from anthropic');
    const answer = await llm.complete(ask('hi'));
    expect(answer).toMatchObject({ text: 'from anthropic', provider: 'anthropic' });
    expect(clock.sleeps).toEqual([]);
  });
});

describe('fallback chain', () => {
  it.each([
    ['500', reply.serverError(500)],
    ['401', reply.auth()],
    ['404 model', { fault: 'model-not-found' as const }],
  ])('moves on from a provider failing with %s and keeps its error', async (_label, fault) => {
    const llm = llmOf({ ...openai(), fallback: [anthropic()] });
    mock.setResponder((req) => (req.api === 'openai' ? fault : 'from anthropic'));
    const answer = await llm.complete(ask('hi'));
    expect(answer).toMatchObject({ text: 'from anthropic', provider: 'anthropic', model: 'claude-haiku-4-5' });
    expect(mock.requests.map((r) => r.api)).toEqual(['openai', 'anthropic']);
    expect(llm.usage().byModel).toEqual([
      { provider: 'openai', model: 'gpt-4o-mini', calls: 0, failures: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 },
      expect.objectContaining({ provider: 'anthropic', model: 'claude-haiku-4-5', calls: 1, failures: 0 }),
    ]);
  });

  it('names every failure when the whole chain fails', async () => {
    const llm = llmOf({ ...openai(), fallback: [anthropic(), { provider: 'openai', name: 'gemini', baseURL: mock.url, apiKey: 'wrong-key', model: 'gemini-2.5-flash' }] });
    mock.setResponder((req) => (req.api === 'openai' ? reply.serverError(503) : reply.rateLimit(1)));
    const err = await llm.complete(ask('hi')).catch((e) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err.failures.map((f: { provider: string; kind: string }) => `${f.provider}:${f.kind}`)).toEqual(['openai:server', 'anthropic:rate-limit', 'gemini:auth']);
    expect(err.message).toMatch(/^Every LLM provider failed: openai \(gpt-4o-mini\): 503 .*; anthropic \(claude-haiku-4-5\): 429 .*; gemini \(gemini-2.5-flash\): 401 /);
  });

  it('does not fall back on a request the API refuses as malformed (400)', async () => {
    const llm = llmOf({ ...openai(), fallback: [anthropic()] });
    mock.setResponder((req) => (req.api === 'openai' ? { fault: 'bad-request', message: "Invalid schema for function 'submit_plan'" } : 'unused'));
    const err = await llm.complete(ask('hi')).catch((e) => e);
    expect(err).toBeInstanceOf(LlmProviderError);
    expect(err).toMatchObject({ kind: 'bad-request', status: 400 });
    expect(err.message).toMatch(/Invalid schema for function 'submit_plan'/);
    expect(mock.requests.map((r) => r.api)).toEqual(['openai']);
  });

  it('abandons a provider that does not answer within timeoutMs', async () => {
    const llm = llmOf({ ...openai({ timeoutMs: 300 }), fallback: [anthropic()] });
    mock.setResponder((req) => (req.api === 'openai' ? reply.hang() : 'from anthropic'));
    const answer = await llm.complete(ask('hi'));
    expect(answer.provider).toBe('anthropic');
    expect(llm.usage().byModel.find((r) => r.provider === 'openai')).toMatchObject({ failures: 1, calls: 0 });

    const alone = llmOf(openai({ timeoutMs: 300 }));
    const err = await alone.complete(ask('hi')).catch((e) => e);
    expect(err.failures).toMatchObject([{ provider: 'openai', kind: 'timeout', message: 'no answer within 300 ms' }]);
  });
});

describe('limits', () => {
  it('keeps to requestsPerMinute: the second request waits for a token', async () => {
    const clock = new TestClock(false);
    const llm = llmOf(openai({ rateLimit: { requestsPerMinute: 2 } }), clock);
    mock.setResponder(() => 'ok');
    await llm.complete(ask('first'));
    const waiting = clock.nextSleep();
    const second = llm.complete(ask('second'));
    // 2 per minute, burst 1: the next token comes 30 s after the first.
    expect(await waiting).toBe(30_000);
    expect(mock.requests).toHaveLength(1);
    clock.advance(30_000);
    await second;
    expect(mock.requests.map((r) => r.messages[0].content)).toEqual(['first', 'second']);
  });

  it.each([
    [1, 1],
    [3, 3],
  ])('with maxConcurrent %i the API sees at most %i requests at once', async (maxConcurrent, expected) => {
    const server = await startMockLlm();
    try {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      server.setResponder(async () => (await gate, 'done'));
      const llm = llmOf(openai({ baseURL: server.url, rateLimit: { maxConcurrent } }));
      const calls = [1, 2, 3].map((i) => llm.complete(ask(`call ${i}`)));
      await server.waitForRequests(expected);
      expect(server.inFlight).toBe(expected);
      release();
      await Promise.all(calls);
      expect(server.requests).toHaveLength(3);
      expect(server.maxInFlight).toBe(expected);
    } finally {
      await server.close();
    }
  });
});

describe('usage', () => {
  it('adds up tokens and cost per provider and model', async () => {
    const llm = llmOf({ ...openai({ model: 'gpt-4.1' }), fallback: [anthropic({ model: 'my-local-model' })], prices: { 'my-local-model': { input: 0, output: 0 } } });
    mock.script(reply.text('a', { usage: { input: 2_000_000, output: 100_000 } }), reply.text('b', { usage: { input: 10, output: 20 } }));
    await llm.complete(ask('one'));
    await llm.complete(ask('two'));
    mock.setResponder((req) => (req.api === 'openai' ? reply.serverError(500) : reply.text('c', { usage: { input: 5, output: 5 } })));
    await llm.complete(ask('three'));
    const report = llm.usage();
    expect(report.byModel).toEqual([
      // gpt-4.1: 2 USD in, 8 USD out per 1M
      { provider: 'openai', model: 'gpt-4.1', calls: 2, failures: 1, inputTokens: 2_000_010, outputTokens: 100_020, costUsd: expect.closeTo(4.80018, 6) },
      { provider: 'anthropic', model: 'my-local-model', calls: 1, failures: 0, inputTokens: 5, outputTokens: 5, costUsd: 0 },
    ]);
    expect(report.totals).toEqual({ calls: 3, inputTokens: 2_000_015, outputTokens: 100_025, costUsd: expect.closeTo(4.80018, 6) });
  });
});
