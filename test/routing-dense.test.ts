// Dense and fused ranking through the real transformers.js loading and inference path, with a tiny
// model the test writes itself (ONNX graph + WordPiece tokenizer; no download), and the OpenAI
// provider against a local stand-in of the embeddings API.
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockHttpServer } from '../mocks/lib/mock-http.js';
import { RoutingConfigSchema } from '../src/config/routing.js';
import { createEmbedder, ToolIndex, type Embedder, type IndexedTool } from '../src/routing/index.js';
import { writeTinyModel, type TinyModel } from './fixtures/tiny-model.js';

// Concepts of the tiny model: words in one group embed alike though they share no letters.
const CONCEPTS = {
  weather: ['weather', 'forecast', 'umbrella', 'rain', 'sunny'],
  money: ['invoice', 'bill', 'owe', 'payment', 'overdue'],
  talk: ['message', 'chat', 'tell', 'text', 'say'],
};

const tool = (server: string, name: string, description: string): IndexedTool => ({ name: `${server}__${name}`, server, originalName: name, description });
const TOOLS = {
  sky: [tool('sky', 'get_forecast', 'Weather forecast for a city.'), tool('sky', 'get_alerts', 'Severe weather alerts.')],
  books: [tool('books', 'list_invoices', 'Invoices of the organisation.'), tool('books', 'add_contact', 'Adds a contact.')],
};

function logger() {
  const warns: Array<{ msg: string; meta?: object }> = [];
  return { warns, info() {}, debug() {}, warn: (msg: string, meta?: object) => void warns.push({ msg, meta }) };
}

let dir: string;
let model: TinyModel;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'routing-dense-'));
  model = writeTinyModel(path.join(dir, 'tiny-model'), CONCEPTS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (localPath: string) => RoutingConfigSchema.parse({ embeddings: { provider: 'transformers', localPath, dtype: 'fp32' } });

describe('transformers.js embedder with a tiny local model', () => {
  it('loads the model and returns unit vectors where related words lie close', async () => {
    const e = createEmbedder(config(model.dir).embeddings)!;
    await e.load();
    expect(e.dimension).toBe(model.dimension);
    const [umbrella, forecast, bill] = await e.embed(['umbrella', 'weather forecast', 'an overdue bill'], 'document');
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
    expect(dot(umbrella, umbrella)).toBeCloseTo(1, 5);
    expect(dot(umbrella, forecast)).toBeGreaterThan(0.9);
    expect(dot(umbrella, bill)).toBeLessThan(0.3);
    await e.close();
  });

  it('answers lexically while the model loads, then ranks densely and fuses', async () => {
    const log = logger();
    const idx = new ToolIndex(config(model.dir), { logger: log });
    idx.setServer('sky', TOOLS.sky, 'Weather service');
    idx.setServer('books', TOOLS.books, 'Accounting');
    // The model loads in the background: this search does not wait for it.
    expect(idx.status().dense).toBe('loading');
    expect(await idx.search('will I need an umbrella')).toEqual([]);

    await idx.ready();
    expect(idx.status()).toMatchObject({ dense: 'ready', tools: 4, embedded: 4 });
    expect(idx.status().model).toContain('tiny-model');

    const hybrid = await idx.search('will I need an umbrella');
    expect(['sky__get_forecast', 'sky__get_alerts']).toContain(hybrid[0].name);
    expect((await idx.search('how much do they owe me', { mode: 'dense' }))[0].name).toBe('books__list_invoices');
    expect(await idx.search('how much do they owe me', { mode: 'lexical' })).toEqual([]);
    // Fusion keeps lexical evidence: a name match still wins when the dense side is indifferent.
    expect((await idx.search('add contact'))[0].name).toBe('books__add_contact');

    // Incremental: a new server gets vectors, a removed one loses them.
    idx.setServer('msg', [tool('msg', 'send', 'Sends a chat message.')]);
    await idx.ready();
    expect(idx.status()).toMatchObject({ tools: 5, embedded: 5 });
    expect((await idx.search('tell Bob I am late', { mode: 'dense' }))[0].name).toBe('msg__send');
    idx.removeServer('sky');
    expect(idx.status()).toMatchObject({ tools: 3, embedded: 3 });
    expect(log.warns).toEqual([]);
    await idx.close();
  });

  it("counts a tool's app: alike tools of two servers are told apart by what each server is for", async () => {
    const report = (server: string) => tool(server, 'get_report', 'Returns the report.');
    const ranked = async (serverContext: number) => {
      const idx = new ToolIndex(RoutingConfigSchema.parse({ embeddings: config(model.dir).embeddings, fusion: { serverContext } }));
      idx.setServer('books', [report('books')], 'Invoices and bills');
      idx.setServer('sky', [report('sky')], 'Weather forecasts');
      await idx.ready();
      const names = (await idx.search('umbrella report', { mode: 'dense' })).map((h) => h.name);
      await idx.close();
      return names;
    };
    expect(await ranked(0.3)).toEqual(['sky__get_report', 'books__get_report']);
    // Without the server's own vector the two are the same text: a tie, kept in catalog order.
    expect(await ranked(0)).toEqual(['books__get_report', 'sky__get_report']);
  });

  it('keeps tool vectors on disk: a restart embeds nothing unchanged, a changed tool alone is embedded again', async () => {
    const cacheDir = path.join(dir, 'vector-cache');
    // Counts the documents each index sends to the model.
    const counting = (id?: string) => {
      const inner = createEmbedder(config(model.dir).embeddings)!;
      const seen: string[] = [];
      const e: Embedder = {
        id: id ?? inner.id,
        get dimension() {
          return inner.dimension;
        },
        load: () => inner.load(),
        embed: (texts, kind) => {
          if (kind === 'document') seen.push(...texts);
          return inner.embed(texts, kind);
        },
        close: () => inner.close(),
      };
      return { e, seen };
    };
    const start = async (id?: string) => {
      const c = counting(id);
      const idx = new ToolIndex(config(model.dir), { embedder: c.e, vectorCacheDir: cacheDir });
      idx.setServer('sky', TOOLS.sky, 'Weather service');
      idx.setServer('books', TOOLS.books, 'Accounting');
      await idx.ready();
      return { idx, seen: c.seen };
    };

    const first = await start();
    // Four tools and the two servers' own texts.
    expect(first.seen).toHaveLength(6);
    const before = await first.idx.search('how much do they owe me', { mode: 'dense' });
    await first.idx.close();

    const second = await start();
    expect(second.seen).toEqual([]);
    expect(second.idx.status()).toMatchObject({ dense: 'ready', embedded: 4 });
    expect(await second.idx.search('how much do they owe me', { mode: 'dense' })).toEqual(before);
    // list_changed: the server's tools are set again, one description changed; only that tool is embedded.
    second.idx.setServer('books', [TOOLS.books[0], tool('books', 'add_contact', 'Adds a contact person.')], 'Accounting');
    await second.idx.ready();
    expect(second.seen).toHaveLength(1);
    expect(second.seen[0]).toContain('Adds a contact person.');
    await second.idx.close();

    // A torn last record (a crash mid-write) and stray bytes cost only themselves.
    const [file] = readdirSync(cacheDir).map((f) => path.join(cacheDir, f));
    appendFileSync(file, Buffer.alloc(37, 7));
    const third = await start();
    expect(third.seen).toEqual([]);
    await third.idx.close();
    // A different model never reads these vectors.
    const other = await start('another-model');
    expect(other.seen).toHaveLength(6);
    await other.idx.close();
  });

  it('without a model says so once in the log and stays lexical', async () => {
    const log = logger();
    const idx = new ToolIndex(config(path.join(dir, 'no-such-model')), { logger: log });
    idx.setServer('sky', TOOLS.sky);
    await idx.ready();
    expect(idx.status()).toMatchObject({ dense: 'unavailable', tools: 2 });
    expect(idx.status().reason).toBeTruthy();
    idx.setServer('books', TOOLS.books);
    await idx.ready();
    expect((await idx.search('forecast'))[0].name).toBe('sky__get_forecast');
    expect((await idx.search('invoices', { mode: 'hybrid' }))[0].name).toBe('books__list_invoices');
    expect(log.warns).toHaveLength(1);
    expect(log.warns[0].msg).toMatch(/lexical/i);
    await idx.close();
  });
});

describe('OpenAI embeddings provider', () => {
  // Stand-in for POST /v1/embeddings: same path, payload and error shape as the real API.
  const api = new MockHttpServer(
    {
      rateLimited: (s) => ({ status: 429, headers: { 'retry-after': String(s) }, body: { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } } }),
      serverError: () => ({ status: 500, body: { error: { message: 'The server had an error', type: 'server_error', param: null, code: null } } }),
      unauthorized: () => ({ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } }),
      notFound: (m, p) => ({ status: 404, body: { error: { message: `Invalid URL (${m} ${p})`, type: 'invalid_request_error', param: null, code: null } } }),
    },
    (req) => req.headers.authorization === 'Bearer sk-test',
  );
  // A vector per text from its letters, returned in reverse order to check that `index` is honoured.
  api.route('POST', '/v1/embeddings', (req) => {
    const input: string[] = Array.isArray(req.body.input) ? req.body.input : [req.body.input];
    const data = input.map((t, index) => ({ object: 'embedding', index, embedding: [t.length, t.split('a').length - 1, 1] })).reverse();
    return { body: { object: 'list', data, model: req.body.model, usage: { prompt_tokens: input.length, total_tokens: input.length } } };
  });
  beforeAll(() => api.listen());
  afterAll(() => api.close());

  it('sends the model and inputs, and returns normalised vectors in input order', async () => {
    const options = RoutingConfigSchema.parse({ embeddings: { provider: 'openai', apiKey: 'sk-test', baseURL: `${api.url}/v1` } }).embeddings;
    const e = createEmbedder(options)!;
    const [a, b] = await e.embed(['aaa', 'b'], 'document');
    expect(api.requests.at(-1)).toMatchObject({ path: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: ['aaa', 'b'], encoding_format: 'float' } });
    expect(Array.from(a).map((x) => x.toFixed(3))).toEqual(['0.688', '0.688', '0.229']);
    expect(b[0]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(e.dimension).toBe(3);
  });

  it('a rejected key leaves the index lexical with one warning', async () => {
    const log = logger();
    const cfg = RoutingConfigSchema.parse({ embeddings: { provider: 'openai', apiKey: 'sk-wrong', baseURL: `${api.url}/v1` } });
    const idx = new ToolIndex(cfg, { logger: log });
    idx.setServer('sky', TOOLS.sky);
    await idx.ready();
    expect(idx.status()).toMatchObject({ dense: 'unavailable' });
    expect(idx.status().reason).toMatch(/401|Incorrect API key/);
    expect((await idx.search('forecast'))[0].name).toBe('sky__get_forecast');
    expect(log.warns).toHaveLength(1);
    await idx.close();
  });

  it('embeddings off: no embedder at all', () => {
    expect(createEmbedder(RoutingConfigSchema.parse({ embeddings: { provider: 'none' } }).embeddings)).toBeUndefined();
  });
});
