// The custom-server template end to end: the SDK Client over stdio to `node dist/custom-servers/template/...`,
// which calls a small in-test HTTP API (MockHttpServer) standing in for the REST API it wraps.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { MockHttpServer } from '../mocks/lib/mock-http.js';
import { ROOT } from './support/hub.js';

const SERVER = path.join(ROOT, 'dist/custom-servers/template/src/index.js');
const TOKEN = 'template-test-token';
type Result = { content: Array<{ type: string; text?: string }>; structuredContent?: any; isError?: boolean };

const posts = [
  { userId: 1, id: 1, title: 'First post', body: 'Hello' },
  { userId: 2, id: 2, title: 'Second post', body: 'World' },
  { userId: 1, id: 3, title: 'Third post', body: 'Again' },
];

function createApi(): MockHttpServer {
  const api = new MockHttpServer(
    {
      rateLimited: (retryAfterSec) => ({ status: 429, body: { message: 'Too many requests' }, headers: { 'retry-after': String(retryAfterSec) } }),
      serverError: () => ({ status: 500, body: { message: 'Internal error' } }),
      unauthorized: () => ({ status: 401, body: { message: 'Invalid token' } }),
      notFound: (method, p) => ({ status: 404, body: { message: `Cannot ${method} ${p}` } }),
    },
    (req) => req.headers.authorization === `Bearer ${TOKEN}`,
  );
  api.route('GET', '/posts', (req) => {
    const userId = req.query.get('userId');
    const limit = Number(req.query.get('_limit') ?? 100);
    return { body: posts.filter((p) => !userId || p.userId === Number(userId)).slice(0, limit) };
  });
  api.route('POST', '/posts', (req) => {
    if (typeof req.body?.title !== 'string') return { status: 400, body: { message: 'title is required' } };
    return { status: 201, body: { ...req.body, id: 101 } };
  });
  return api;
}

async function connect(env: Record<string, string>): Promise<Client> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run npm run build first`);
  const client = new Client({ name: 'template-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER], env: { PATH: process.env.PATH ?? '', ...env }, stderr: 'pipe' }));
  return client;
}

describe('custom server template', () => {
  const api = createApi();
  let client: Client;
  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as Result;

  beforeAll(async () => {
    await api.listen();
    client = await connect({ TEMPLATE_API_URL: api.url, TEMPLATE_API_TOKEN: TOKEN });
  }, 30_000);
  afterAll(async () => {
    await client?.close();
    await api.close();
  });
  beforeEach(() => {
    api.setFaults({});
    api.requests.length = 0;
  });

  it('lists its two tools with schemas and annotations', async () => {
    const { tools } = await client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(['create_post', 'list_posts']);
    expect(byName.list_posts.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.create_post.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(byName.create_post.inputSchema.required?.sort()).toEqual(['body', 'title', 'userId']);
    expect(byName.list_posts.outputSchema?.properties).toHaveProperty('posts');
  });

  it('reads through the API with the token and query parameters', async () => {
    const r = await call('list_posts', { userId: 1, limit: 5 });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent.posts.map((p: any) => p.id)).toEqual([1, 3]);
    expect(r.content[0].text).toBe('2 posts:\n#1 (user 1): First post\n#3 (user 1): Third post');
    expect(api.requests).toEqual([expect.objectContaining({ method: 'GET', path: '/posts', query: { userId: '1', _limit: '5' } })]);
  });

  it('writes through the API', async () => {
    const r = await call('create_post', { userId: 2, title: 'New', body: 'Text' });
    expect(r.structuredContent.post).toEqual({ userId: 2, title: 'New', body: 'Text', id: 101 });
    expect(r.content[0].text).toBe('Created post #101: New');
    expect(api.requests[0]).toMatchObject({ method: 'POST', path: '/posts', body: { userId: 2, title: 'New', body: 'Text' } });
  });

  it('retries a failing or rate-limited API and then succeeds', async () => {
    api.setFaults({ serverError: { count: 1 }, rateLimit: { count: 1, retryAfterSec: 0 } });
    const r = await call('list_posts', {});
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent.count).toBe(3);
    expect(api.requests).toHaveLength(3);
  });

  it('answers a refused token as isError with a hint naming the setting', async () => {
    api.setFaults({ revokedToken: true });
    const r = await call('list_posts', {});
    expect(r.isError).toBe(true);
    expect(r.content[0].text).toBe('Could not list posts: GET /posts: HTTP 401: Invalid token\nHint: Check TEMPLATE_API_TOKEN: it is missing, expired or lacks access to this resource.');
  });

  it('answers an unreachable API as isError with a hint about the URL', async () => {
    const down = createApi();
    await down.listen();
    const url = down.url;
    await down.close();
    const other = await connect({ TEMPLATE_API_URL: url, TEMPLATE_API_TOKEN: TOKEN, TEMPLATE_API_TIMEOUT_MS: '2000' });
    try {
      const r = (await other.callTool({ name: 'create_post', arguments: { userId: 1, title: 't', body: 'b' } })) as Result;
      expect(r.isError).toBe(true);
      expect(r.content[0].text).toMatch(/^Could not create the post: POST \/posts: /);
      expect(r.content[0].text).toContain('Hint: Check TEMPLATE_API_URL');
    } finally {
      await other.close();
    }
  }, 30_000);

  it('rejects arguments outside the schema before calling the API', async () => {
    const r = await call('list_posts', { limit: 1000 });
    expect(r.isError).toBe(true);
    expect(r.content[0].text).toContain('Input validation error');
    expect(api.requests).toHaveLength(0);
  });
});
