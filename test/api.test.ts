// The REST API (/api/v1) over real HTTP, against a hub child process with the mock apps, a fixture server and
// four tokens: every route, auth and scopes (what one token sees and does is its own), errors as problem
// details, paging, and the live stream of a run's steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_TASK, TEAM_CHAT_ID, startMockApps, type MockApps } from './support/apps.js';
import { eventually, fixture, tempDir, writeConfig } from './support/hub.js';
import { connectAs, startHttpHub, type HttpHub } from './support/tokens.js';

const TOKENS = { ops: 'ops-token-0123456789abcdef', alice: 'alice-token-0123456789abcdef', carol: 'carol-token-0123456789abcdef', bob: 'bob-token-0123456789abcdef' };
type Who = keyof typeof TOKENS | 'none' | 'wrong';

let apps: MockApps;
let hub: HttpHub;
let base: string;

async function api(who: Who, method: string, path: string, body?: unknown): Promise<{ status: number; type: string; json: any }> {
  const headers: Record<string, string> = {};
  if (who === 'wrong') headers.authorization = 'Bearer not-a-token-0123456789';
  else if (who !== 'none') headers.authorization = `Bearer ${TOKENS[who]}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: text ? JSON.parse(text) : undefined };
}

/** The `run` events of a run's stream, read until it ends. */
async function events(who: keyof typeof TOKENS, runId: string): Promise<Array<{ status: string; steps: Array<{ id: string; status: string }> }>> {
  const res = await fetch(`${base}/api/v1/runs/${runId}/events`, { headers: { authorization: `Bearer ${TOKENS[who]}` } });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const text = await res.text();
  return [...text.matchAll(/^event: run\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]));
}

beforeAll(async () => {
  apps = await startMockApps();
  const dir = tempDir('api-');
  const config = writeConfig(dir, {
    ...apps.config,
    servers: { ...apps.config.servers, fx: fixture('fx') },
    orchestrate: { trust: ['xero__list-*', 'fx__*'], confirm: ['telegram__send_*'] },
    workflows: { weekly: { schedule: '0 9 * * 1', steps: [{ id: 'ws', tool: 'clickup__get_workspaces', args: {} }] } },
    http: {
      auth: {
        tokens: [
          { name: 'ops', token: TOKENS.ops, tools: ['*'], orchestrate: true, workflows: true, admin: true },
          { name: 'alice', token: TOKENS.alice, tools: ['clickup__*', 'fx__*'], orchestrate: true, workflows: true },
          { name: 'carol', token: TOKENS.carol, tools: ['clickup__*'], orchestrate: true },
          { name: 'bob', token: TOKENS.bob, tools: ['telegram__*'] },
        ],
      },
    },
  });
  hub = await startHttpHub(config);
  base = hub.url.replace(/\/mcp$/, '');
}, 90_000);

afterAll(async () => {
  await hub?.stop();
  await apps?.close();
});

describe('REST API', () => {
  it('needs a valid token and answers errors as problem details', async () => {
    for (const who of ['none', 'wrong'] as const) {
      const r = await api(who, 'GET', '/api/v1/servers');
      expect(r.status).toBe(401);
      expect(r.type).toContain('application/problem+json');
      expect(r.json).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
    expect((await api('alice', 'GET', '/api/v1/me')).json).toMatchObject({ name: 'alice', admin: false, orchestrate: true, tools: ['clickup__*', 'fx__*'] });
    const unknown = await api('alice', 'GET', '/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.type).toContain('application/problem+json');
    const bad = await api('alice', 'POST', '/api/v1/runs', { task: 'x', plan: { steps: [] } });
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toContain('give `task` or `plan`');
    const badQuery = await api('alice', 'GET', '/api/v1/tools?limit=0');
    expect(badQuery.status).toBe(400);
    expect(badQuery.json.detail).toMatch(/query\.limit/);
  });

  it('describes itself in OpenAPI 3.1: every route is in the document, and every operation there is a route', async () => {
    const doc = (await api('alice', 'GET', '/api/v1/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    const { apiRoutes } = await import('../src/api/routes.js');
    const { localPrincipal } = await import('../src/access/principal.js');
    const routes = apiRoutes({} as never, localPrincipal('test'))
      .routes.filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect([...new Set(routes)].sort()).toEqual(documented.sort());
  });

  it('shows each token its own servers and tools; only an admin restarts a server', async () => {
    const mine = (await api('alice', 'GET', '/api/v1/servers')).json.servers.map((s: { name: string }) => s.name);
    expect(mine.sort()).toEqual(['clickup', 'fx']);
    const all = (await api('ops', 'GET', '/api/v1/servers')).json.servers;
    expect(all.map((s: { name: string }) => s.name).sort()).toEqual(['clickup', 'fx', 'telegram', 'xero']);
    expect(all.find((s: { name: string }) => s.name === 'xero')).toMatchObject({ state: 'ready', transport: 'stdio' });

    expect((await api('alice', 'POST', '/api/v1/servers/fx/restart')).status).toBe(403);
    const pidBefore = await fxPid();
    const restarted = await api('ops', 'POST', '/api/v1/servers/fx/restart');
    expect(restarted.status).toBe(202);
    expect(restarted.json).toMatchObject({ name: 'fx', state: 'ready' });
    expect(await fxPid()).not.toBe(pidBefore);
    expect((await api('ops', 'POST', '/api/v1/servers/nope/restart')).status).toBe(404);

    // Tools: in scope only, paged by name.
    const first = await api('alice', 'GET', '/api/v1/tools?limit=5');
    expect(first.json.tools).toHaveLength(5);
    expect(first.json.nextCursor).toBeDefined();
    const second = await api('alice', 'GET', `/api/v1/tools?limit=5&cursor=${encodeURIComponent(first.json.nextCursor)}`);
    const names = [...first.json.tools, ...second.json.tools].map((t: { name: string }) => t.name);
    expect(new Set(names).size).toBe(10);
    expect(names.every((n) => n.startsWith('clickup__') || n.startsWith('fx__'))).toBe(true);
    const hits = (await api('alice', 'GET', '/api/v1/search?q=create%20a%20task%20in%20a%20list&limit=3')).json.tools;
    expect(hits[0]).toMatchObject({ name: 'clickup__create_task' });
    expect(typeof hits[0].score).toBe('number');
    const bobHits = (await api('bob', 'GET', '/api/v1/search?q=create%20a%20task')).json.tools;
    expect(bobHits.every((h: { name: string }) => h.name.startsWith('telegram__'))).toBe(true);
  });

  /** The fixture server's process id, through an MCP client (it changes when the server restarts). */
  async function fxPid(): Promise<string> {
    const ops = await connectAs(hub.url, TOKENS.ops);
    try {
      const result = await ops.client.callTool({ name: 'fx__pid', arguments: {} });
      return JSON.stringify(result.content);
    } finally {
      await ops.close();
    }
  }

  it('runs a plan in the background and streams its steps live; another token can neither see nor cancel it', async () => {
    const plan = { goal: 'look around', steps: [{ id: 'ws', tool: 'clickup__get_workspaces', args: {} }, { id: 'spaces', tool: 'clickup__get_spaces', args: { team_id: { $expr: 'steps.ws.workspaces[0].id' } } }] };
    const started = await api('alice', 'POST', '/api/v1/runs', { plan });
    expect(started.status).toBe(202);
    const seen = await events('alice', started.json.runId);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)!.status).toBe('succeeded');
    expect(seen.at(-1)!.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded']);
    expect(seen.some((e) => e.steps.some((s) => s.status !== 'succeeded'))).toBe(true);

    const run = await api('alice', 'GET', `/api/v1/runs/${started.json.runId}`);
    expect(run.json).toMatchObject({ id: started.json.runId, status: 'succeeded', client: 'alice' });
    const list = (await api('alice', 'GET', '/api/v1/runs')).json.runs;
    expect(list.map((r: { id: string }) => r.id)).toContain(started.json.runId);
    expect((await api('carol', 'GET', `/api/v1/runs/${started.json.runId}`)).status).toBe(404);
    expect((await api('carol', 'GET', '/api/v1/runs')).json.runs.map((r: { id: string }) => r.id)).not.toContain(started.json.runId);
    expect((await api('bob', 'GET', '/api/v1/runs')).status).toBe(403);
    expect((await api('ops', 'GET', `/api/v1/runs/${started.json.runId}`)).status).toBe(200);

    // A plan outside the token's scope is refused whole.
    const outside = await api('carol', 'POST', '/api/v1/runs', { plan: { steps: [{ id: 'x', tool: 'fx__pid', args: {} }] } });
    const refused = await eventually(async () => {
      const r = (await api('carol', 'GET', '/api/v1/runs?status=failed')).json.runs.find((x: { id: string }) => x.id === outside.json.runId);
      return r;
    });
    expect(refused.status).toBe('failed');

    // Cancel: a long step is aborted; carol cannot cancel alice's run.
    const slow = await api('alice', 'POST', '/api/v1/runs', { plan: { steps: [{ id: 'wait', tool: 'fx__slow', args: { steps: 50, stepMs: 400 } }] } });
    await eventually(async () => (await api('alice', 'GET', `/api/v1/runs/${slow.json.runId}`)).json.steps?.[0]?.status === 'running');
    expect((await api('carol', 'POST', `/api/v1/runs/${slow.json.runId}/cancel`)).status).toBe(404);
    expect((await api('alice', 'POST', `/api/v1/runs/${slow.json.runId}/cancel`)).status).toBe(202);
    const cancelled = await eventually(async () => {
      const r = (await api('alice', 'GET', `/api/v1/runs/${slow.json.runId}`)).json;
      return r.status === 'cancelled' && r;
    });
    expect(cancelled.steps[0].status).toBe('cancelled');
  });

  it('plans the seed task, waits for approval of the Telegram step, and runs it once on approve', async () => {
    const sentBefore = apps.telegram.state.sentTo(TEAM_CHAT_ID).length;
    const started = await api('ops', 'POST', '/api/v1/runs', { task: SEED_TASK });
    expect(started.status).toBe(202);
    const seen = await events('ops', started.json.runId);
    const waiting = seen.at(-1)!;
    expect(waiting.status).toBe('needs-approval');
    expect((waiting as unknown as { approval: { steps: Array<{ tool: string }> } }).approval.steps.map((s) => s.tool)).toEqual(['telegram__send_message']);
    expect((await api('ops', 'GET', '/api/v1/runs?status=needs-approval')).json.runs.map((r: { id: string }) => r.id)).toContain(started.json.runId);
    expect((await api('carol', 'POST', `/api/v1/runs/${started.json.runId}/approve`, { approve: true })).status).toBe(404);
    expect(apps.telegram.state.sentTo(TEAM_CHAT_ID).length).toBe(sentBefore);

    const approved = await api('ops', 'POST', `/api/v1/runs/${started.json.runId}/approve`, { approve: true });
    expect(approved.status).toBe(200);
    expect(approved.json.status).toBe('succeeded');
    expect(apps.telegram.state.sentTo(TEAM_CHAT_ID).length).toBe(sentBefore + 1);
    const again = await api('ops', 'POST', `/api/v1/runs/${started.json.runId}/approve`, { approve: true });
    expect(again.status).toBe(409);
    expect(apps.telegram.state.sentTo(TEAM_CHAT_ID).length).toBe(sentBefore + 1);
    // The run is in a conversation of its own, which only ops sees.
    const conversations = (await api('ops', 'GET', '/api/v1/conversations')).json.conversations;
    const conv = conversations.find((c: { title: string }) => c.title === SEED_TASK);
    expect(conv).toBeDefined();
    expect((await api('ops', 'GET', `/api/v1/conversations/${conv.id}`)).json.turns[0]).toMatchObject({ status: 'succeeded' });
    expect((await api('alice', 'GET', `/api/v1/conversations/${conv.id}`)).status).toBe(404);
    expect((await api('alice', 'DELETE', `/api/v1/conversations/${conv.id}`)).status).toBe(404);
    expect((await api('ops', 'DELETE', `/api/v1/conversations/${conv.id}`)).status).toBe(200);
    expect((await api('ops', 'GET', `/api/v1/conversations/${conv.id}`)).status).toBe(404);
  });

  it('lists, shows, pauses, resumes and runs workflows for those who may', async () => {
    // A workflow of alice's, made over MCP; the config's own is read-only here (it changes in the file).
    const alice = await connectAs(hub.url, TOKENS.alice);
    const made = await alice.client.callTool({ name: 'schedule_workflow', arguments: { id: 'alices', name: 'Alice weekly', schedule: '0 9 * * 1', steps: [{ id: 'ws', tool: 'clickup__get_workspaces', args: {} }] } });
    await alice.close();
    expect(made.isError).toBeFalsy();
    expect((await api('alice', 'GET', '/api/v1/workflows')).json.workflows.map((w: { id: string }) => w.id)).toEqual(['alices']);
    expect((await api('carol', 'GET', '/api/v1/workflows')).status).toBe(403);
    expect((await api('bob', 'GET', '/api/v1/workflows')).status).toBe(403);
    const all = (await api('ops', 'GET', '/api/v1/workflows')).json.workflows.map((w: { id: string }) => w.id);
    expect(all).toEqual(expect.arrayContaining(['alices', 'weekly']));
    const configPause = await api('ops', 'POST', '/api/v1/workflows/weekly/pause');
    expect(configPause.status).toBe(409);
    expect(configPause.json.detail).toMatch(/config/);

    expect((await api('alice', 'POST', '/api/v1/workflows/alices/pause')).json).toMatchObject({ id: 'alices', state: 'paused' });
    expect((await api('alice', 'GET', '/api/v1/workflows/alices')).json).toMatchObject({ id: 'alices', state: 'paused' });
    expect((await api('alice', 'POST', '/api/v1/workflows/alices/resume')).json.state).not.toBe('paused');
    expect((await api('alice', 'POST', '/api/v1/workflows/nope/run')).status).toBe(404);
    expect((await api('alice', 'POST', '/api/v1/workflows/alices/run')).status).toBe(202);
    const ran = await eventually(async () => (await api('alice', 'GET', '/api/v1/workflows/alices?runs=5')).json.runs?.find((r: { status: string }) => r.status === 'succeeded'));
    // The workflow's run is in the run history too.
    expect((await api('alice', 'GET', `/api/v1/runs/${ran.id}`)).status).toBe(200);
    expect((await api('ops', 'GET', '/api/v1/memory')).status).toBe(503);
  });

  it('reports usage per period and the audit log, each token its own, paged', async () => {
    const usage = (await api('alice', 'GET', '/api/v1/usage?period=hour')).json;
    expect(usage.period).toBe('hour');
    expect(usage.buckets.length).toBeGreaterThanOrEqual(24);
    expect(usage.totals.calls).toBeGreaterThan(0);
    const everyone = (await api('ops', 'GET', '/api/v1/usage')).json;
    expect(everyone.totals.calls).toBeGreaterThan(usage.totals.calls);
    expect(everyone.totals.llmCalls).toBeGreaterThan(0);
    expect((await api('alice', 'GET', '/api/v1/usage?since=tomorrow')).status).toBe(400);

    const own = (await api('alice', 'GET', '/api/v1/audit?limit=3')).json;
    expect(own.entries).toHaveLength(3);
    expect(own.entries.every((e: { client: string }) => e.client === 'alice')).toBe(true);
    const next = (await api('alice', 'GET', `/api/v1/audit?limit=3&cursor=${own.nextCursor}`)).json;
    expect(next.entries.length).toBeGreaterThan(0);
    expect(next.entries[0].ts <= own.entries[2].ts).toBe(true);
    expect((await api('alice', 'GET', '/api/v1/audit?client=ops')).json.entries.every((e: { client: string }) => e.client === 'alice')).toBe(true);
    // A made-up cursor is refused at once (a base-36 word such as "undefined" once meant a loop over 10^13 lines).
    for (const cursor of ['undefined', 'zzzzzzzz', '-1', 'x'.repeat(50)]) {
      const made = await api('alice', 'GET', `/api/v1/audit?cursor=${cursor}`);
      expect(made.status, cursor).toBe(400);
      expect(made.json.detail).toMatch(/cursor/);
    }
    const opsLines = (await api('ops', 'GET', '/api/v1/audit?client=carol&limit=50')).json.entries;
    expect(opsLines.length).toBeGreaterThan(0);
    expect(opsLines.every((e: { client: string }) => e.client === 'carol')).toBe(true);
  });
});
