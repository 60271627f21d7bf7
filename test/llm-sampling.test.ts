// The sampling provider through a real MCP client/server pair, the default chain, availability and
// the message that says how to configure a model.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { createLlm, HOW_TO_CONFIGURE, LlmUnavailableError, type LlmRequest } from '../src/llm/index.js';
import { LlmConfigSchema } from '../src/config/llm.js';
import { resolveChain } from '../src/llm/resolve.js';
import { reply, startMockLlm } from '../mocks/llm/index.js';
import { quietLog, samplingPair } from './llm-support.js';

const planTool = { name: 'submit_plan', description: 'Submit the plan', inputSchema: { type: 'object', properties: { steps: { type: 'array' } } } };
const otherTool = { name: 'ask_user', description: 'Ask a question', inputSchema: { type: 'object', properties: { question: { type: 'string' } } } };
const forced: LlmRequest = { system: 'You plan.', messages: [{ role: 'user', content: 'Plan it' }], tools: [planTool, otherTool], toolChoice: { name: 'submit_plan' } };

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function pair(...args: Parameters<typeof samplingPair>) {
  const p = await samplingPair(...args);
  closers.push(p.close);
  return p;
}

describe('sampling provider', () => {
  it('describes the tools in the prompt and reads the call from the JSON answer', async () => {
    const p = await pair({ sampling: {} }, () => ({
      model: 'client-model-x',
      role: 'assistant',
      content: { type: 'text', text: 'Here you go:\n```json\n{"tool": "submit_plan", "arguments": {"steps": [{"id": "a"}]}}\n```' },
    }));
    const llm = createLlm(undefined, { env: {}, log: quietLog });
    const answer = await llm.complete(forced, { caller: p.caller });
    expect(answer).toMatchObject({ provider: 'sampling', model: 'client-model-x', text: '', costUsd: 0, toolCalls: [{ name: 'submit_plan', arguments: { steps: [{ id: 'a' }] } }] });
    const sent = p.received[0];
    expect(sent.systemPrompt).toMatch(/^You plan\.\n\nTools you can call:\n- submit_plan: Submit the plan/);
    expect(sent.systemPrompt).toContain('You must call the tool "submit_plan"');
    expect(sent.tools).toBeUndefined();
    expect(sent).toMatchObject({ includeContext: 'none', maxTokens: 4096, messages: [{ role: 'user', content: { type: 'text', text: 'Plan it' } }] });
    expect(llm.usage().byModel).toMatchObject([{ provider: 'sampling', model: 'client-model-x', calls: 1, costUsd: 0 }]);
  });

  it('takes bare arguments as the forced tool call', async () => {
    const p = await pair({ sampling: {} }, () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: '{"steps": []}' } }));
    const answer = await createLlm(undefined, { env: {}, log: quietLog }).complete(forced, { caller: p.caller });
    expect(answer.toolCalls).toEqual([{ name: 'submit_plan', arguments: { steps: [] } }]);
  });

  it('uses real tool definitions with a client that declares sampling.tools', async () => {
    const p = await pair({ sampling: { tools: {} } }, () => ({
      model: 'client-model-y',
      role: 'assistant',
      stopReason: 'toolUse',
      content: [{ type: 'tool_use', id: 'call-1', name: 'submit_plan', input: { steps: [] } }],
    }));
    const answer = await createLlm(undefined, { env: {}, log: quietLog }).complete(forced, { caller: p.caller });
    expect(answer.toolCalls).toEqual([{ name: 'submit_plan', arguments: { steps: [] } }]);
    const sent = p.received[0];
    // Sampling can only say "required": offering just the forced tool makes it that one.
    expect(sent.tools?.map((t) => t.name)).toEqual(['submit_plan']);
    expect(sent.toolChoice).toEqual({ mode: 'required' });
    expect(sent.systemPrompt).toBe('You plan.');
  });

  it('returns JSON text in JSON mode', async () => {
    const p = await pair({ sampling: {} }, () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'Sure! {"total": 9600}' } }));
    const answer = await createLlm(undefined, { env: {}, log: quietLog }).complete({ messages: [{ role: 'user', content: 'Sum' }], json: true }, { caller: p.caller });
    expect(JSON.parse(answer.text)).toEqual({ total: 9600 });
    expect(p.received[0].systemPrompt).toMatch(/JSON object/);
  });

  it('reports a declined request as the reason nothing answered', async () => {
    const p = await pair({ sampling: {} }, () => {
      throw new McpError(ErrorCode.InvalidRequest, 'User rejected sampling request');
    });
    const err = await createLlm(undefined, { env: {}, log: quietLog }).complete(forced, { caller: p.caller }).catch((e) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err.failures).toMatchObject([{ provider: 'sampling', kind: 'refused' }]);
    expect(err.message).toMatch(/User rejected sampling request/);
  });

  it('is the last resort after the configured providers fail', async () => {
    const mock = await startMockLlm({ replies: [reply.serverError(500)] });
    closers.push(mock.close);
    const p = await pair({ sampling: {} }, () => ({ model: 'client-model', role: 'assistant', content: { type: 'text', text: 'from the client' } }));
    const llm = createLlm({ provider: 'openai', baseURL: mock.url, apiKey: 'k', maxRetries: 0 }, { env: {}, log: quietLog });
    const answer = await llm.complete({ messages: [{ role: 'user', content: 'hi' }] }, { caller: p.caller });
    expect(answer).toMatchObject({ provider: 'sampling', text: 'from the client' });
    expect(mock.requests).toHaveLength(1);
  });
});

describe('availability', () => {
  it('says how to configure a model when nothing can answer', async () => {
    const llm = createLlm(undefined, { env: {}, log: quietLog });
    const a = llm.availability();
    expect(a.ok).toBe(false);
    expect(!a.ok && a.reason).toContain(HOW_TO_CONFIGURE);
    expect(HOW_TO_CONFIGURE).toBe(
      'To use a model, set OPENAI_API_KEY or ANTHROPIC_API_KEY, configure llm: in orchestrator.config.yaml, or use a client that supports MCP sampling.',
    );
    const err = await llm.complete({ messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err.message).toBe(`No LLM is available (sampling: MCP sampling needs a connected client, and this request has none). ${HOW_TO_CONFIGURE}`);
  });

  it('counts the client as a model only when it supports sampling', async () => {
    const llm = createLlm(undefined, { env: {}, log: quietLog });
    const without = await pair({});
    const a = llm.availability({ caller: without.caller });
    expect(!a.ok && a.reason).toMatch(/the connected client does not support MCP sampling/);
    const withSampling = await pair({ sampling: {} }, () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: '' } }));
    expect(llm.availability({ caller: withSampling.caller })).toEqual({ ok: true });
  });

  it('chooses the chain from the environment when llm: names no provider', () => {
    const chainOf = (env: NodeJS.ProcessEnv, config = {}) => createLlm(config, { env, log: quietLog }).chain().map((e) => `${e.name}:${e.model ?? '-'}:${e.available}`);
    expect(chainOf({})).toEqual(['sampling:-:false']);
    expect(chainOf({ OPENAI_API_KEY: 'sk' })).toEqual(['openai:gpt-4.1-mini:true', 'sampling:-:false']);
    expect(chainOf({ OPENAI_API_KEY: 'sk', ANTHROPIC_API_KEY: 'ak' })).toEqual(['openai:gpt-4.1-mini:true', 'anthropic:claude-haiku-4-5:true', 'sampling:-:false']);
    expect(chainOf({ ANTHROPIC_API_KEY: 'ak' }, { samplingFallback: false })).toEqual(['anthropic:claude-haiku-4-5:true']);
    expect(createLlm({}, { env: { OPENAI_API_KEY: 'sk' }, log: quietLog }).availability()).toEqual({ ok: true });
  });
});

describe('llm: config', () => {
  it('defaults every field', () => {
    expect(LlmConfigSchema.parse({})).toEqual({ rateLimit: { burst: 1, maxConcurrent: 4 }, fallback: [], samplingFallback: true, prices: {} });
  });

  it('rejects unknown keys and providers', () => {
    expect(LlmConfigSchema.safeParse({ provider: 'gemini' }).success).toBe(false);
    expect(LlmConfigSchema.safeParse({ provider: 'openai', modle: 'x' }).success).toBe(false);
    expect(LlmConfigSchema.safeParse({ fallback: [{ model: 'x' }] }).success).toBe(false);
  });

  it('reads an unset ${VAR} key (an empty string) as absent and falls back to the SDK variable; fallbacks inherit shared settings', () => {
    const config = LlmConfigSchema.parse({
      provider: 'openai',
      apiKey: '',
      timeoutMs: 5000,
      maxRetries: 1,
      rateLimit: { requestsPerMinute: 60 },
      fallback: [{ provider: 'openai', name: 'gemini', baseURL: 'https://generativelanguage.googleapis.com/v1beta/openai/', apiKey: 'g-key', model: 'gemini-2.5-flash', maxRetries: 0 }],
    });
    const [head, gemini, sampling] = resolveChain(config, { OPENAI_API_KEY: 'from-env' });
    expect(head).toMatchObject({ name: 'openai', apiKey: 'from-env', model: 'gpt-4.1-mini', timeoutMs: 5000, maxRetries: 1, rateLimit: { requestsPerMinute: 60 } });
    expect(gemini).toMatchObject({ name: 'gemini', apiKey: 'g-key', timeoutMs: 5000, maxRetries: 0, rateLimit: { burst: 1, maxConcurrent: 4 } });
    expect(gemini.rateLimit.requestsPerMinute).toBeUndefined();
    expect(sampling.kind).toBe('sampling');
  });
});
