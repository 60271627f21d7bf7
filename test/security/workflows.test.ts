// Workflows and trust, through a real hub over HTTP with several tokens and two recording downstream
// servers (raw-server: every tools/call it receives is written to an events file). A workflow belongs to
// the token that created it: every tool it may call (steps, onSuccess, onFailure) must be in that token's
// scope at creation, each run acts as it with the rights it has now, consent for destructive steps comes
// from a person (not from a flag in the input), and other tokens see it exactly as an unknown id.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpHub } from '../fixtures/raw-hub.js';
import { ROOT, eventually, readEvents, tempDir, text, writeConfig } from '../support/hub.js';

const RAW = path.join(ROOT, 'dist/test/fixtures/raw-server.js');
const QUIET = { memory: { enabled: false }, routing: { embeddings: { provider: 'none' } } };
const TOKENS = { alice: `alice-${randomBytes(16).toString('hex')}`, bob: `bob-${randomBytes(16).toString('hex')}`, root: `root-${randomBytes(16).toString('hex')}` };
type Who = keyof typeof TOKENS;

/** Two recording servers, a and b; a__say needs consent (every other tool is trusted). */
function hubConfig(dir: string, aliceTools: string[], extra: Record<string, unknown> = {}) {
  const events = path.join(dir, 'events.jsonl');
  const raw = (name: string) => ({ command: process.execPath, args: [RAW], env: { RAW_SERVER_NAME: name, RAW_EVENTS: events } });
  const file = writeConfig(dir, {
    ...QUIET,
    dataDir: path.join(dir, 'data'),
    servers: { a: raw('a'), b: raw('b') },
    orchestrate: { trust: ['*'], confirm: ['a__say'] },
    http: {
      auth: {
        tokens: [
          { name: 'alice', token: TOKENS.alice, tools: aliceTools, workflows: true },
          { name: 'bob', token: TOKENS.bob, tools: ['a__*'], workflows: true },
          { name: 'root', token: TOKENS.root, tools: ['*'], workflows: true, admin: true },
        ],
      },
    },
    ...extra,
  });
  return { file, events };
}

interface Hub {
  as(who: Who): Promise<Client>;
  stop(): Promise<void>;
}

async function startHub(configFile: string): Promise<Hub> {
  const { url, stop } = await startHttpHub(configFile);
  const clients: Client[] = [];
  return {
    async as(who) {
      const client = new Client({ name: `client-${who}`, version: '1.0.0' }, { capabilities: {} });
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${TOKENS[who]}` } } }));
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await stop();
    },
  };
}

async function call<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { data: result.structuredContent as T, text: text(result), isError: result.isError === true };
}

/** The tools/call requests a recording server received, as [tool, text argument]. */
function received(events: string, server: 'a' | 'b'): Array<[string, unknown]> {
  return readEvents(events)
    .filter((e) => e.server === server && e.event === 'call')
    .map((e) => [e.tool as string, (e.params as { arguments?: { text?: unknown } }).arguments?.text]);
}

interface Run {
  status: string;
  error?: string;
  trigger: string;
  steps: Array<{ id: string; tool?: string; status: string; error?: string }>;
  notifications: Array<{ kind: string; status: string; error?: string }>;
}

/** How the hub refuses a plan or step calling b__echo as alice. */
const OUTSIDE_B = /outside the scope of token "alice": b__echo|"b__echo" is not available to token "alice"/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('workflows and trust (HTTP hub, several tokens)', () => {
  let dir: string;
  let events: string;
  let hub: Hub;
  let alice: Client;
  let bob: Client;
  let root: Client;

  beforeAll(async () => {
    dir = tempDir('wf-trust-');
    const config = hubConfig(dir, ['a__*'], { workflows: { cfg: { schedule: '0 9 * * 1', steps: [{ id: 'e', tool: 'a__echo', args: { text: 'cfg' } }] } } });
    events = config.events;
    hub = await startHub(config.file);
    [alice, bob, root] = await Promise.all([hub.as('alice'), hub.as('bob'), hub.as('root')]);
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('refuses at creation a workflow whose onSuccess or onFailure steps call tools outside the token\'s scope, and stores nothing', async () => {
    const main = [{ id: 'main', tool: 'a__echo', args: { text: 'main' } }];
    const elsewhere = [{ id: 'tell', tool: 'b__echo', args: { text: 'leak' } }];
    for (const [i, extra] of [{ onSuccess: elsewhere }, { onFailure: elsewhere }, { steps: elsewhere }].entries()) {
      const created = await call(alice, 'schedule_workflow', { id: `leak-${i}`, name: `leak ${i}`, schedule: '* * * * * *', steps: main, ...extra });
      expect(created.isError, created.text).toBe(true);
      expect(created.text).toMatch(/outside the scope of token "alice": b__echo/);
    }
    expect((await call<{ workflows: unknown[] }>(alice, 'list_workflows')).data.workflows).toEqual([]);
    expect((await call<{ workflows: Array<{ id: string }> }>(root, 'list_workflows')).data.workflows.map((w) => w.id)).not.toContain('leak-0');
    await sleep(2500);
    expect(received(events, 'b')).toEqual([]);
  });

  it('takes no consent from approveDestructive in schedule_workflow\'s input; the owner\'s resume_workflow approval is consent', async () => {
    const steps = [{ id: 'wipe', tool: 'a__say', args: { text: 'wipe' } }];
    const flagged = await call(alice, 'schedule_workflow', { id: 'wipe', name: 'wipe', schedule: '* * * * * *', steps, approveDestructive: true });
    expect(flagged.isError, flagged.text).toBe(true);
    expect(flagged.text).toMatch(/approveDestructive/);

    // Without the flag (and a client that cannot be asked) it waits for a person's approval.
    const created = await call<{ id: string; needsApproval: string[] }>(alice, 'schedule_workflow', { id: 'wipe', name: 'wipe', schedule: '* * * * * *', steps });
    expect(created.isError, created.text).toBe(false);
    expect(created.data.needsApproval).toEqual(['a__say']);
    expect((await call<{ state: string }>(alice, 'get_workflow', { id: 'wipe' })).data.state).toBe('awaiting-approval');
    expect((await call(alice, 'run_workflow', { id: 'wipe' })).text).toMatch(/waits for approval/);
    await sleep(2500);
    expect(received(events, 'a').filter(([tool]) => tool === 'say')).toEqual([]);

    const approved = await call<{ workflow: { state: string } }>(alice, 'resume_workflow', { id: 'wipe', approveDestructive: true });
    expect(approved.data.workflow.state, approved.text).toBe('scheduled');
    await eventually(() => received(events, 'a').some(([tool, t]) => tool === 'say' && t === 'wipe'), 15_000, 'the approved step to run');
    expect((await call(alice, 'remove_workflow', { id: 'wipe' })).isError).toBe(false);
  });

  it('shows another token\'s workflow exactly as an unknown id: no list, get, pause, run, approve or remove; an admin can', async () => {
    const created = await call(alice, 'schedule_workflow', { id: 'owned', name: 'owned', schedule: '0 9 * * 1', steps: [{ id: 'say', tool: 'a__say', args: { text: 'owned' } }] });
    expect(created.isError, created.text).toBe(false);

    // bob has the same scope and the workflows right, but the workflow is alice's; the config's is the local user's.
    expect((await call<{ workflows: unknown[] }>(bob, 'list_workflows')).data.workflows).toEqual([]);
    expect((await call<{ workflows: unknown[] }>(alice, 'list_workflows')).data.workflows).toEqual([expect.objectContaining({ id: 'owned' })]);
    const asUnknown = async (client: Client, tool: string, id: string, extra: Record<string, unknown> = {}) => {
      const refused = await call(client, tool, { id, ...extra });
      const unknown = await call(client, tool, { id: 'no-such-workflow', ...extra });
      expect(refused.isError, `${tool} ${id}`).toBe(true);
      expect(refused.text, `${tool} ${id}`).toBe(unknown.text.replaceAll('no-such-workflow', id));
    };
    for (const [tool, extra] of [['get_workflow', {}], ['pause_workflow', {}], ['run_workflow', {}], ['resume_workflow', { approveDestructive: true }], ['remove_workflow', {}]] as const) {
      await asUnknown(bob, tool, 'owned', extra);
      await asUnknown(bob, tool, 'cfg', extra);
      await asUnknown(alice, tool, 'cfg', extra);
    }
    const still = await call<{ state: string; approved: string[] }>(alice, 'get_workflow', { id: 'owned' });
    expect(still.data).toMatchObject({ state: 'awaiting-approval', approved: [] });
    expect(received(events, 'a').filter(([, t]) => t === 'owned')).toEqual([]);

    // An admin sees every workflow and may act for its owner; the run still acts as alice.
    expect((await call<{ workflows: Array<{ id: string }> }>(root, 'list_workflows')).data.workflows.map((w) => w.id).sort()).toEqual(['cfg', 'owned']);
    expect((await call(root, 'get_workflow', { id: 'owned' })).isError).toBe(false);
    expect((await call<{ workflow: { state: string } }>(root, 'resume_workflow', { id: 'owned', approveDestructive: true })).data.workflow.state).toBe('scheduled');
    const ran = await call<{ run: Run }>(root, 'run_workflow', { id: 'owned' });
    expect(ran.data.run.status, ran.text).toBe('succeeded');
    expect(received(events, 'a').filter(([, t]) => t === 'owned')).toHaveLength(1);
    expect((await call(root, 'pause_workflow', { id: 'owned' })).isError).toBe(false);
    expect((await call(root, 'remove_workflow', { id: 'owned' })).isError).toBe(false);
    expect((await call(alice, 'get_workflow', { id: 'owned' })).isError).toBe(true);
  });
});

describe('a stored workflow with a step outside its owner\'s scope (HTTP hub)', () => {
  let hub: Hub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  it('refuses that step at run time, after the owner\'s token is narrowed or when it is written into the store; the server never gets the call', { timeout: 90_000 }, async () => {
    const dir = tempDir('wf-narrowed-');
    // alice may call both servers at first: the workflow is in scope when it is created.
    const wide = hubConfig(dir, ['a__*', 'b__*']);
    hub = await startHub(wide.file);
    const created = await call(await hub.as('alice'), 'schedule_workflow', {
      id: 'report',
      name: 'report',
      schedule: '0 9 * * 1',
      steps: [{ id: 'main', tool: 'a__echo', args: { text: 'main' } }],
      onSuccess: [{ id: 'tell', tool: 'b__echo', args: { text: 'notify' } }],
    });
    expect(created.isError, created.text).toBe(false);
    await hub.stop();

    // Also one written straight into the store: owned by alice, calling b every second.
    const definitions = path.join(dir, 'data', 'workflows', 'definitions');
    mkdirSync(definitions, { recursive: true });
    const now = new Date().toISOString();
    const aliceRef = { name: 'alice', local: false, tools: ['a__*'], orchestrate: false, workflows: true, admin: false };
    const plantedSteps = [{ id: 'x', tool: 'b__echo', args: { text: 'planted' } }];
    writeFileSync(
      path.join(definitions, 'planted.json'),
      JSON.stringify({
        version: 1,
        source: 'runtime',
        owner: aliceRef,
        definition: { id: 'planted', name: 'planted', schedule: '* * * * * *', timezone: 'UTC', steps: plantedSteps },
        createdAt: now,
        updatedAt: now,
        state: { anchor: now, plan: { goal: 'planted', steps: plantedSteps }, planSource: 'given' },
      }),
    );

    // The operator narrows alice to server a.
    const narrowed = hubConfig(dir, ['a__*']);
    hub = await startHub(narrowed.file);
    const alice = await hub.as('alice');
    const ran = await call<{ run: Run }>(alice, 'run_workflow', { id: 'report' });
    expect(ran.data?.run, ran.text).toBeDefined();
    expect(ran.data.run.status).toBe('succeeded');
    expect(ran.data.run.notifications).toEqual([expect.objectContaining({ kind: 'onSuccess', status: 'failed', error: expect.stringMatching(OUTSIDE_B) })]);

    const planted = await eventually(
      async () => {
        const runs = (await call<{ runs: Run[] }>(alice, 'get_workflow', { id: 'planted' })).data.runs.filter((r) => r.trigger === 'schedule' && r.status !== 'running');
        return runs.length >= 2 && runs;
      },
      20_000,
      'two scheduled runs of the planted workflow',
    );
    for (const run of planted) expect(run).toMatchObject({ status: 'failed', error: expect.stringMatching(OUTSIDE_B) });
    expect(received(narrowed.events, 'a')).toContainEqual(['echo', 'main']);
    expect(received(narrowed.events, 'b')).toEqual([]);
    // Audited under the owner's name.
    const audit = readEvents(path.join(dir, 'data', 'audit.jsonl'));
    expect(audit.some((e) => e.tool === 'workflow:planted' && e.client === 'alice')).toBe(true);
  });
});
