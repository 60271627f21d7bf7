// Optional reranking of search_tools (routing.rerank): the pure part (prompt, parsing hostile answers,
// timeouts) and the plumbing through the real hub, with the mock LLM behind the real OpenAI SDK client
// and with the client's own model over MCP sampling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRerank, rerank, rerankPrompt, RERANK_LIMITS } from '../src/routing/rerank.js';
import { ConfigSchema } from '../src/config/schema.js';
import { reply, startMockLlm, type MockLlm } from '../mocks/llm/index.js';
import { fixture, startHub, tempDir, writeConfig, type HubHandle } from './support/hub.js';

const NAMES = ['a__one', 'a__two', 'b__three', 'b__four'];
const hits = NAMES.map((name) => ({ name, description: `does ${name}`, score: 1 }));

describe('rerank, the pure part', () => {
  it('builds a prompt from the query and the candidates only, bounded', () => {
    const { prompt, system } = rerankPrompt('x'.repeat(5000), [{ name: 'a__one', description: `${'long '.repeat(200)}end` }, { name: 'a__two' }]);
    expect(system).toMatch(/JSON array/);
    expect(prompt).toContain('1. a__one - long');
    expect(prompt).toContain('2. a__two');
    expect(prompt).not.toContain('end');
    expect(prompt.length).toBeLessThan(RERANK_LIMITS.queryChars + RERANK_LIMITS.descriptionChars + 200);
  });

  it('reads names or 1-based numbers, in prose, fences or objects; named first, the rest after in their order', () => {
    expect(parseRerank('["b__four", "a__two"]', NAMES)).toEqual(['b__four', 'a__two', 'a__one', 'b__three']);
    expect(parseRerank('Sure! ```json\n[4, 1]\n```', NAMES)).toEqual(['b__four', 'a__one', 'a__two', 'b__three']);
    expect(parseRerank('The best: ["b__three"] I think. [not json]', NAMES)).toEqual(['b__three', 'a__one', 'a__two', 'b__four']);
    expect(parseRerank('{"tools": [{"name": "a__two"}, 3]}', NAMES)).toEqual(['a__two', 'b__three', 'a__one', 'b__four']);
  });

  it('ignores names that are not candidates, repeats, bad numbers; nothing usable gives undefined', () => {
    expect(parseRerank('["evil__drop_db", "b__four", "b__four", 0, 9, 2.5, "a__one"]', NAMES)).toEqual(['b__four', 'a__one', 'a__two', 'b__three']);
    expect(parseRerank('["evil__drop_db", "rm -rf /"]', NAMES)).toBeUndefined();
    expect(parseRerank('I cannot help with that.', NAMES)).toBeUndefined();
    expect(parseRerank('', NAMES)).toBeUndefined();
    // A huge answer is read only up to its bound: the name past it does not count.
    expect(parseRerank(`["${'x'.repeat(RERANK_LIMITS.answerChars)}", "b__four"]`, NAMES)).toBeUndefined();
  });

  it('keeps the original order when the model fails, times out or answers garbage; never throws', async () => {
    const failing = await rerank('q', hits, async () => Promise.reject(new Error('boom')), { timeoutMs: 1000, maxTokens: 10 });
    expect(failing).toMatchObject({ hits, reranked: false, reason: 'boom' });
    const started = Date.now();
    let aborted = false;
    const hanging = await rerank('q', hits, ({ signal }) => new Promise(() => signal.addEventListener('abort', () => (aborted = true))), { timeoutMs: 50, maxTokens: 10 });
    expect(hanging).toMatchObject({ hits, reranked: false, reason: expect.stringContaining('50 ms') });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(aborted).toBe(true);
    expect(await rerank('q', hits, async () => 'no idea', { timeoutMs: 1000, maxTokens: 10 })).toMatchObject({ hits, reranked: false });
    const good = await rerank('q', hits, async () => '["b__three"]', { timeoutMs: 1000, maxTokens: 10 });
    expect(good.reranked).toBe(true);
    expect(good.hits.map((h) => h.name)).toEqual(['b__three', 'a__one', 'a__two', 'b__four']);
  });

  it('is off by default, and its keys are checked', () => {
    const config = ConfigSchema.parse({});
    expect(config.routing.rerank).toEqual({ enabled: false, by: 'auto', candidates: 20, timeoutMs: 5000, maxTokens: 400 });
    const bad = ConfigSchema.safeParse({ routing: { rerank: { enabled: true, model: 'x', by: 'magic' } } });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['routing.rerank', 'routing.rerank.by']));
  });
});

type Found = { tools: Array<{ name: string }>; reranked?: boolean };
const search = async (hub: HubHandle, query: string, limit = 5) =>
  (await hub.client.callTool({ name: 'search_tools', arguments: { query, limit } })).structuredContent as Found;
const names = (found: Found) => found.tools.map((t) => t.name);
// Words that match many of the fixture's tools, so there are enough candidates to reorder.
const QUERY = 'add a tool, echo the message, slow progress, ask the model';
const NO_KEYS = { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' };

describe('search_tools reranked by the configured LLM (mock API, real OpenAI SDK)', () => {
  let mock: MockLlm;
  let hub: HubHandle;
  let plain: HubHandle;
  beforeAll(async () => {
    mock = await startMockLlm({ apiKey: 'sk-test' });
    const llm = { provider: 'openai', baseURL: mock.url, apiKey: 'sk-test', maxRetries: 0 };
    const servers = { maths: fixture('maths') };
    const base = { servers, expose: { mode: 'search' }, llm, memory: { enabled: false } };
    [hub, plain] = await Promise.all([
      startHub('stdio', writeConfig(tempDir(), { ...base, routing: { embeddings: { provider: 'none' }, rerank: { enabled: true, by: 'llm', candidates: 5, timeoutMs: 1500 } } }), { env: NO_KEYS }),
      // The same model configured, reranking left at its default (off).
      startHub('stdio', writeConfig(tempDir(), { ...base, routing: { embeddings: { provider: 'none' } } }), { env: NO_KEYS }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([hub?.close(), plain?.close()]);
    await mock?.close();
  });

  it('applies the order the model gives, and keeps the search order when its answer is garbage', async () => {
    mock.script('I would rather not say.');
    const original = await search(hub, QUERY);
    expect(original.reranked).toBe(false);
    expect(original.tools.length).toBe(5);
    const prompt = mock.requests.at(-1)!.messages.at(-1)!.content;
    expect(prompt).toContain(`Request: ${QUERY}`);
    // The model sees exactly the candidates: names and short descriptions, nothing else of the catalog.
    expect(prompt.split('\n').filter((l) => /^\d+\. maths__/.test(l)).map((l) => l.replace(/^\d+\. (\S+).*$/, '$1'))).toEqual(names(original));

    mock.script(JSON.stringify([...names(original)].reverse()));
    const reversed = await search(hub, QUERY);
    expect(reversed.reranked).toBe(true);
    expect(names(reversed)).toEqual([...names(original)].reverse());
  });

  it('ignores what a hostile answer adds, and survives a model that hangs', async () => {
    const original = names(await (mock.script('[]'), search(hub, QUERY)));
    mock.script(`["evil__drop_database", "${original[3]}", "${original[3]}", 5, "${'z'.repeat(3000)}"]`);
    const hostile = await search(hub, QUERY);
    expect(names(hostile)).toEqual([original[3], original[4], original[0], original[1], original[2]]);

    mock.script(reply.hang());
    const started = Date.now();
    const hung = await search(hub, QUERY);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(hung.reranked).toBe(false);
    expect(names(hung)).toEqual(original);
    expect(hub.stderr()).toMatch(/kept its own order: reranking failed/);
  });

  it('asks no model when reranking is off (the default)', async () => {
    const before = mock.requests.length;
    const found = await search(plain, QUERY);
    expect(found.tools.length).toBeGreaterThan(0);
    expect(found).not.toHaveProperty('reranked');
    expect(mock.requests.length).toBe(before);
  });
});

describe("search_tools reranked by the client's model (MCP sampling)", () => {
  it('uses sampling when the client offers it, and the search order when it does not', async () => {
    let answer = 'no';
    const prompts: string[] = [];
    const config = writeConfig(tempDir(), {
      servers: { maths: fixture('maths') },
      expose: { mode: 'search' },
      memory: { enabled: false },
      routing: { embeddings: { provider: 'none' }, rerank: { enabled: true, by: 'sampling', candidates: 4 } },
    });
    const sampling = await startHub('stdio', config, { env: NO_KEYS, sample: (p) => (prompts.push(p), answer) });
    const without = await startHub('stdio', config, { env: NO_KEYS, capabilities: {} });
    try {
      const original = names(await search(sampling, QUERY, 4));
      expect(prompts).toHaveLength(1);
      answer = JSON.stringify([4, 3, 2, 1]);
      const reversed = await search(sampling, QUERY, 4);
      expect(reversed.reranked).toBe(true);
      expect(names(reversed)).toEqual([...original].reverse());
      // No sampling, no model: the plain search, no error.
      const plain = await search(without, QUERY, 4);
      expect(plain).not.toHaveProperty('reranked');
      expect(names(plain)).toEqual(original);
    } finally {
      await Promise.all([sampling.close(), without.close()]);
    }
  });
});
