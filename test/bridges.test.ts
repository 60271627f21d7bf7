// MCP 2026-07-28 beside 2025-11-25 through the hub, over real processes: a 2026 client (SDK v2, pinned) and
// a 2025 client (SDK v1) against a hub fronting a 2025 server (test/fixtures/fixture-server.ts, SDK v1) and a
// server the hub negotiates as 2026 (test/fixtures/conformance-server.ts, SDK v2). Each bridge direction, the
// signed requestState, subscriptions/listen, and cacheScope under token scopes.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttp } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdio } from '@modelcontextprotocol/client/stdio';
import { CLI, ROOT, eventually, fixture, hubStatus, startHub, tempDir, text, writeConfig, type HubHandle } from './support/hub.js';
import { startHttpHub, type HttpHub } from './support/tokens.js';

const CONFORMANCE = path.join(ROOT, 'dist/test/fixtures/conformance-server.js');
const servers = {
  old: fixture('old', { tools: { include: ['confirm', 'ask_model', 'add_tool', 'echo', 'late_*'] } }),
  new: { command: process.execPath, args: [CONFORMANCE], prefix: 'new' },
};
const QUIET = { memory: { enabled: false }, routing: { embeddings: { provider: 'none' } }, expose: { mode: 'all' } };
const TOKENS = [
  { name: 'all', token: 'tok-all-0123456789', tools: ['*'] },
  { name: 'old-only', token: 'tok-old-0123456789', tools: ['old__*'] },
];

/** A 2026-07-28 client: SDK v2, pinned to the new revision, answering elicitation and sampling. */
function modernClient(asked: string[] = []): ModernClient {
  const client = new ModernClient({ name: 'modern-client', version: '1.0.0' }, { capabilities: { elicitation: {}, sampling: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } });
  client.setRequestHandler('elicitation/create', async (request) => {
    asked.push(String(request.params.message));
    const wants = Object.keys((request.params as { requestedSchema?: { properties?: object } }).requestedSchema?.properties ?? {});
    return { action: 'accept', content: wants.includes('ok') ? { ok: true } : { name: 'Ada' } };
  });
  client.setRequestHandler('sampling/createMessage', async () => ({ role: 'assistant', model: 'test', content: { type: 'text', text: 'forty-two' } }));
  return client;
}

/** One raw 2026 request: the wire as it is, no client smoothing it over. */
async function modernPost(url: string, method: string, params: Record<string, unknown>, token?: string, capabilities: object = { elicitation: {} }) {
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': capabilities };
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      // Mcp-Name: the tool or prompt, the resource, or the task a request is about.
      ...(typeof (params.name ?? params.uri ?? params.taskId) === 'string' ? { 'mcp-name': String(params.name ?? params.uri ?? params.taskId) } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params: { ...params, _meta: { ...meta, ...(params._meta as object) } } }),
  });
  const body = await response.text();
  // JSON, or the last data line of an SSE stream (the answer).
  const json = body.trimStart().startsWith('{') ? JSON.parse(body) : JSON.parse(body.split('\n').filter((l) => l.startsWith('data:')).at(-1)!.slice(5));
  return { status: response.status, json };
}

describe('bridges between the revisions, over HTTP', () => {
  let hub: HttpHub;

  beforeAll(async () => {
    hub = await startHttpHub(writeConfig(tempDir('bridges-'), { ...QUIET, servers, http: { auth: { tokens: TOKENS } } }));
  });
  afterAll(async () => void (await hub?.stop()));

  it('negotiates each downstream server to its own revision', async () => {
    const client = modernClient();
    await client.connect(new ModernHttp(new URL(hub.url), { requestInit: { headers: { authorization: 'Bearer tok-all-0123456789' } } }));
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      const status = (await client.callTool({ name: 'hub_status', arguments: {} })).structuredContent as { servers: Array<{ name: string; protocol?: string }> };
      expect(Object.fromEntries(status.servers.map((s) => [s.name, s.protocol]))).toEqual({ old: '2025-11-25', new: '2026-07-28' });
    } finally {
      await client.close();
    }
  });

  it('asks a 2026 client what a 2025 server asks, as input_required rounds, and resumes the call', async () => {
    const asked: string[] = [];
    const client = modernClient(asked);
    await client.connect(new ModernHttp(new URL(hub.url), { requestInit: { headers: { authorization: 'Bearer tok-all-0123456789' } } }));
    try {
      expect(text(await client.callTool({ name: 'old__confirm', arguments: { question: 'Ship it?' } }))).toBe('accept: {"ok":true}');
      expect(asked).toEqual(['Ship it?']);
      expect(text(await client.callTool({ name: 'old__ask_model', arguments: { question: 'meaning?' } }))).toBe('model said: forty-two');
    } finally {
      await client.close();
    }
  });

  it('signs requestState: the round it names resumes for its principal only, and an edited one is refused', async () => {
    const first = await modernPost(hub.url, 'tools/call', { name: 'old__confirm', arguments: { question: 'Pay?' } }, 'tok-all-0123456789');
    expect(first.json.result.resultType).toBe('input_required');
    const [key, question] = Object.entries(first.json.result.inputRequests as Record<string, { method: string; params: { message: string } }>)[0]!;
    expect(question).toMatchObject({ method: 'elicitation/create', params: { message: 'Pay?' } });
    const state = first.json.result.requestState as string;
    const answer = { [key]: { action: 'accept', content: { ok: false } } };

    const tampered = await modernPost(hub.url, 'tools/call', { name: 'old__confirm', arguments: { question: 'Pay?' }, inputResponses: answer, requestState: `${state}x` }, 'tok-all-0123456789');
    expect(tampered.json.error.code).toBe(-32602);
    // Another token cannot resume it, even with the state as it was.
    const stranger = await modernPost(hub.url, 'tools/call', { name: 'old__confirm', arguments: { question: 'Pay?' }, inputResponses: answer, requestState: state }, 'tok-old-0123456789');
    expect(stranger.json.error.code).toBe(-32602);
    const resumed = await modernPost(hub.url, 'tools/call', { name: 'old__confirm', arguments: { question: 'Pay?' }, inputResponses: answer, requestState: state }, 'tok-all-0123456789');
    expect(resumed.json.result.content[0].text).toBe('accept: {"ok":false}');
    // A round answered once is gone.
    const again = await modernPost(hub.url, 'tools/call', { name: 'old__confirm', arguments: { question: 'Pay?' }, inputResponses: answer, requestState: state }, 'tok-all-0123456789');
    expect(again.json.error.code).toBe(-32602);
  });

  it("passes a 2026 server's own input keys and the client's capabilities through", async () => {
    const round = await modernPost(hub.url, 'tools/call', { name: 'new__test_input_required_result_elicitation', arguments: {} }, 'tok-all-0123456789');
    expect(Object.keys(round.json.result.inputRequests)).toEqual(['user_name']);
    // A client that declared no sampling: the server learns so and says what it needs (-32021, HTTP 400).
    const missing = await modernPost(hub.url, 'tools/call', { name: 'new__test_missing_capability', arguments: {} }, 'tok-all-0123456789', {});
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { sampling: {} } } });
  });

  it("hands a 2026 server's task on under a hub task id, to its own principal only, and routes tasks/* back", async () => {
    const TASKS = { extensions: { 'io.modelcontextprotocol/tasks': {} } };
    const started = await modernPost(hub.url, 'tools/call', { name: 'new__slow_compute', arguments: { seconds: 0.3 } }, 'tok-all-0123456789', TASKS);
    expect(started.json.result).toMatchObject({ resultType: 'task', status: 'working', taskId: expect.stringMatching(/^new\//) });
    const { taskId } = started.json.result;
    // Another token cannot follow it: to it the id is unknown.
    expect((await modernPost(hub.url, 'tasks/get', { taskId }, 'tok-old-0123456789', TASKS)).json.error.code).toBe(-32602);
    const done = await eventually(async () => {
      const got = await modernPost(hub.url, 'tasks/get', { taskId }, 'tok-all-0123456789', TASKS);
      return got.json.result?.status === 'completed' && got.json.result;
    }, 10_000, 'the task to complete');
    expect(done).toMatchObject({ taskId, result: { content: [{ type: 'text', text: 'Computed after 0.3 s' }] } });

    const long = await modernPost(hub.url, 'tools/call', { name: 'new__slow_compute', arguments: { seconds: 60 } }, 'tok-all-0123456789', TASKS);
    expect((await modernPost(hub.url, 'tasks/cancel', { taskId: long.json.result.taskId }, 'tok-all-0123456789', TASKS)).json.result).toBeDefined();
    expect((await modernPost(hub.url, 'tasks/get', { taskId: long.json.result.taskId }, 'tok-all-0123456789', TASKS)).json.result.status).toBe('cancelled');
  });

  it('follows a task to its result for a client that does not take tasks', async () => {
    const plain = await modernPost(hub.url, 'tools/call', { name: 'new__slow_compute', arguments: { seconds: 0.2 } }, 'tok-all-0123456789');
    expect(plain.json.result).toMatchObject({ content: [{ type: 'text', text: 'Computed after 0.2 s' }] });
  });

  it('marks 2026 lists private under a token, and each token sees its own', async () => {
    const all = await modernPost(hub.url, 'tools/list', {}, 'tok-all-0123456789');
    const old = await modernPost(hub.url, 'tools/list', {}, 'tok-old-0123456789');
    for (const list of [all, old]) expect(list.json.result).toMatchObject({ cacheScope: 'private', ttlMs: expect.any(Number) });
    const names = (r: typeof all) => (r.json.result.tools as Array<{ name: string }>).map((t) => t.name);
    expect(names(all)).toContain('new__test_simple_text');
    expect(names(old).filter((n) => n.includes('__')).every((n) => n.startsWith('old__'))).toBe(true);
  });

  it('tells a 2026 client of list changes on its subscriptions/listen stream', async () => {
    const client = modernClient();
    const changed: string[] = [];
    client.setNotificationHandler('notifications/tools/list_changed', async () => void changed.push('tools'));
    await client.connect(new ModernHttp(new URL(hub.url), { requestInit: { headers: { authorization: 'Bearer tok-all-0123456789' } } }));
    const subscription = await client.listen({ toolsListChanged: true });
    try {
      await client.callTool({ name: 'old__add_tool', arguments: { name: 'late_tool' } });
      await eventually(() => changed.length > 0, 10_000, 'tools/list_changed on the listen stream');
      expect((await client.listTools(undefined, { cacheMode: 'bypass' })).tools.map((t) => t.name)).toContain('old__late_tool');
    } finally {
      subscription.close();
      await client.close();
    }
  });
});

describe('bridges over stdio', () => {
  it('serves a 2026 client on stdio, input rounds included', async () => {
    const dir = tempDir('bridges-stdio-');
    const config = writeConfig(dir, { ...QUIET, servers, expose: { mode: 'all' } });
    const asked: string[] = [];
    const client = modernClient(asked);
    await client.connect(new ModernStdio({ command: process.execPath, args: [CLI, 'serve', '--config', config], stderr: 'pipe' }));
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect(text(await client.callTool({ name: 'old__confirm', arguments: { question: 'Over stdio?' } }))).toBe('accept: {"ok":true}');
      expect(text(await client.callTool({ name: 'new__test_input_required_result_elicitation', arguments: {} }))).toContain('Ada');
      expect(asked).toEqual(['Over stdio?', 'What is your name?']);
    } finally {
      await client.close();
    }
  });

  let hub: HubHandle;
  afterAll(async () => hub?.close());

  it('asks a 2025 client what a 2026 server asks in input_required rounds, and retries for it', async () => {
    hub = await startHub('stdio', writeConfig(tempDir('bridges-old-'), { ...QUIET, servers }));
    // The v1 test client answers sampling with its own text (test/support/hub.ts).
    const result = await hub.client.callTool({ name: 'new__test_input_required_result_sampling', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe('Sampled answer: sampled');
    // A task of the 2026 server reaches a 2025 client as its final result.
    expect(text(await hub.client.callTool({ name: 'new__slow_compute', arguments: { seconds: 0.2 } }))).toBe('Computed after 0.2 s');
    expect((await hubStatus(hub.client)).servers.find((s) => s.name === 'new')).toMatchObject({ state: 'ready' });
  });
});
