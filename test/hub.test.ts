// The hub end to end: the official SDK Client on top, the hub as a child process in the middle
// (over stdio and over Streamable HTTP), real downstream servers as child processes below.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { processes } from './support/processes.js';
import { ROOT, eventually, fixture, hubStatus, readEvents, startHub, tempDir, text, writeConfig, type HubHandle, type Mode } from './support/hub.js';

const LONG = 'a_tool_with_a_really_long_name_that_goes_on_and_on_beyond_limits';
const SECRET = 'sk-alpha-very-secret-123';

describe.each<Mode>(['stdio', 'http'])('hub over %s', (mode) => {
  let hub: HubHandle;
  let events: string;
  // Marks this suite's never-ready server, whose restarts spawn a process each time, to find strays after.
  const sleepyMark = `sleepy-${mode}-${process.pid}`;
  const notifications: Array<{ method: string; params: any }> = [];

  beforeAll(async () => {
    const dir = tempDir();
    events = path.join(dir, 'events.jsonl');
    const config = writeConfig(dir, {
      servers: {
        alpha: fixture('alpha', { env: { FIXTURE_EVENTS_FILE: events, FIXTURE_SECRET: SECRET }, timeoutMs: 20_000 }),
        beta: fixture('beta', { tools: { exclude: ['crash', 'hang'], overrides: { echo: { description: 'Beta echo, overridden.' } } } }),
        gamma: fixture('gamma', { tools: { include: ['echo', 'ad?'] } }),
        slowpoke: fixture('slowpoke', { env: { FIXTURE_EVENTS_FILE: events }, timeoutMs: 500, tools: { include: ['hang'] } }),
        broken: fixture('broken', { env: { FIXTURE_FAIL_START: '1' } }),
        sleepy: { command: process.execPath, args: ['-e', `setInterval(() => {}, 1000) // ${sleepyMark}`], startupTimeoutMs: 1000 },
        everything: { command: process.execPath, args: [path.join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js')] },
        unset: { command: 'node', args: ['x.js'], env: { TOKEN: '${HUB_TEST_UNSET_VAR}' } },
      },
    });
    hub = await startHub(mode, config, {
      sample: (prompt) => `42 (you asked: ${prompt})`,
      onNotification: (method, params) => notifications.push({ method, params }),
    });
  });

  afterAll(async () => {
    await hub?.close();
    // No downstream process outlives the hub, not even one from a failed start still in its exit grace.
    await eventually(() => !processes().some((p) => p.args.includes(sleepyMark)), 10_000, 'no stray sleepy process');
  });

  it('lists the namespaced tools of every server, keeping same-named tools apart', async () => {
    const { tools } = await hub.client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of ['hub_status', 'call_tool', 'alpha__echo', 'beta__echo', 'gamma__echo', 'everything__echo']) expect(names).toContain(name);
    expect(tools.find((t) => t.name === 'alpha__echo')!.description).toContain('server alpha');
    expect(tools.find((t) => t.name === 'gamma__echo')!.description).toContain('server gamma');
    expect(names.every((n) => /^[a-zA-Z0-9_-]{1,64}$/.test(n))).toBe(true);
    expect(names.some((n) => n.startsWith('broken__') || n.startsWith('sleepy__') || n.startsWith('unset__'))).toBe(false);
  });

  it('shortens names over 64 characters deterministically with a hash of the original', async () => {
    const { tools } = await hub.client.listTools();
    const hash = createHash('sha256').update(`alpha__${LONG}`).digest('hex').slice(0, 8);
    const expected = `alpha__${LONG}`.slice(0, 55) + '_' + hash;
    expect(expected).toHaveLength(64);
    expect(tools.map((t) => t.name)).toContain(expected);
    expect(text(await hub.client.callTool({ name: expected, arguments: {} }))).toBe('long ok');
  });

  it('applies include/exclude filters and description overrides, and keeps schemas and annotations', async () => {
    const { tools } = await hub.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names.filter((n) => n.startsWith('gamma__')).sort()).toEqual(['gamma__add', 'gamma__echo']);
    expect(names).not.toContain('beta__crash');
    expect(names).not.toContain('beta__hang');
    expect(names).toContain('beta__slow');
    expect(tools.find((t) => t.name === 'beta__echo')!.description).toBe('Beta echo, overridden.');
    const add = tools.find((t) => t.name === 'alpha__add')!;
    expect(add.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
    expect(add.outputSchema).toMatchObject({ type: 'object', properties: { sum: { type: 'number' } } });
    expect(add.inputSchema).toMatchObject({ properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] });
    expect(tools.find((t) => t.name === 'alpha__crash')!.annotations).toMatchObject({ destructiveHint: true });
  });

  it('routes each call to the server that owns the tool', async () => {
    expect(text(await hub.client.callTool({ name: 'alpha__echo', arguments: { message: 'hi' } }))).toBe('alpha: hi');
    expect(text(await hub.client.callTool({ name: 'beta__echo', arguments: { message: 'hi' } }))).toBe('beta: hi');
    expect(text(await hub.client.callTool({ name: 'everything__echo', arguments: { message: 'hi' } }))).toContain('hi');
    const viaMeta = await hub.client.callTool({ name: 'call_tool', arguments: { name: 'gamma__add', arguments: { a: 2, b: 3 } } });
    expect(viaMeta.structuredContent).toEqual({ sum: 5 });
  });

  it('rejects invalid arguments with a tool error naming the field, before the server sees them', async () => {
    const wrongType = await hub.client.callTool({ name: 'alpha__add', arguments: { a: 1, b: 'two' } });
    expect(wrongType.isError).toBe(true);
    expect(text(wrongType)).toMatch(/`b` must be number/);
    const missing = await hub.client.callTool({ name: 'alpha__add', arguments: { b: 2 } });
    expect(text(missing)).toContain('missing required field `a`');
    const unknown = await hub.client.callTool({ name: 'alpha__ech', arguments: {} });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toContain('alpha__echo');
  });

  it('passes progress notifications and log messages from the downstream server to the caller', async () => {
    const progress: number[] = [];
    const before = notifications.length;
    const result = await hub.client.callTool({ name: 'beta__slow', arguments: { steps: 3, stepMs: 10 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(text(result)).toBe('done 3');
    // The SDK client may drop a report read in the same chunk as the answer (see call-pipeline.test.ts); the
    // hub batches a turn's writes to stdout, so on a busy machine the last report can share the answer's read.
    expect(progress.slice(0, 2)).toEqual([1, 2]);
    expect(progress.length === 2 || progress[2] === 3).toBe(true);
    const logs = await eventually(() => {
      const seen = notifications.slice(before).filter((n) => n.method === 'notifications/message' && n.params.logger === 'beta');
      return seen.length === 3 && seen;
    }, 5000, 'three log messages from beta');
    expect(logs.map((l) => l.params.data)).toEqual(['slow step 1', 'slow step 2', 'slow step 3']);
  });

  it('forwards a client cancellation downstream', async () => {
    const abort = new AbortController();
    const call = hub.client.callTool({ name: 'alpha__hang', arguments: {} }, undefined, { signal: abort.signal });
    call.catch(() => undefined);
    await eventually(() => readEvents(events).some((e) => e.server === 'alpha' && e.event === 'started'), 10_000, 'the call to reach alpha');
    abort.abort('user gave up');
    await expect(call).rejects.toThrow();
    await eventually(() => readEvents(events).some((e) => e.server === 'alpha' && e.event === 'cancelled'), 10_000, 'alpha to see the cancellation');
  });

  it('times out a hung server, sends it a cancellation, and says which setting to raise', async () => {
    const result = await hub.client.callTool({ name: 'slowpoke__hang', arguments: {} });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('did not answer');
    expect(text(result)).toContain('servers.slowpoke.timeoutMs');
    await eventually(() => readEvents(events).some((e) => e.server === 'slowpoke' && e.event === 'cancelled'), 10_000, 'slowpoke to see the cancellation');
  });

  it("relays a downstream server's sampling request to the client that made the call", async () => {
    const result = await hub.client.callTool({ name: 'alpha__ask_model', arguments: { question: 'meaning of life?' } });
    expect(text(result)).toBe('model said: 42 (you asked: meaning of life?)');
  });

  it("relays a downstream server's elicitation request to the client", async () => {
    const result = await hub.client.callTool({ name: 'beta__confirm', arguments: { question: 'Send the summary?' } });
    expect(text(result)).toBe('accept: {"ok":true}');
  });

  it('answers a call whose server crashes with a clear error at once, restarts it, and keeps the others serving', async () => {
    const crashed = await hub.client.callTool({ name: 'alpha__crash', arguments: {} });
    expect(crashed.isError).toBe(true);
    expect(text(crashed)).toMatch(/server "alpha" exited during the call to crash/);
    expect(text(await hub.client.callTool({ name: 'beta__echo', arguments: { message: 'still here' } }))).toBe('beta: still here');
    await eventually(async () => {
      const alpha = (await hubStatus(hub.client)).servers.find((s) => s.name === 'alpha')!;
      return alpha.state === 'ready' && alpha.restarts >= 1;
    }, 15_000, 'alpha to restart');
    expect(text(await hub.client.callTool({ name: 'alpha__echo', arguments: { message: 'back' } }))).toBe('alpha: back');
  });

  it('serves the rest when servers fail at startup, and says why in hub_status', async () => {
    const status = await hubStatus(hub.client);
    const byName = Object.fromEntries(status.servers.map((s) => [s.name, s]));
    expect(['restarting', 'failed', 'crash-loop']).toContain(byName.broken.state);
    expect(byName.broken.error).toContain('refusing to start');
    expect(['restarting', 'failed', 'crash-loop']).toContain(byName.sleepy.state);
    expect(byName.sleepy.error).toContain('within 1000 ms');
    expect(byName.unset).toMatchObject({ state: 'not-configured', missing: ['HUB_TEST_UNSET_VAR'] });
    expect(byName.beta).toMatchObject({ state: 'ready' });
  });

  it('refreshes the catalog on tools/list_changed and tells the client', async () => {
    const changed = new Promise<void>((resolve) => hub.client.setNotificationHandler(ToolListChangedNotificationSchema, async () => resolve()));
    await hub.client.callTool({ name: 'gamma__add', arguments: { a: 1, b: 1 } });
    const before = (await hub.client.listTools()).tools.map((t) => t.name);
    expect(before).not.toContain('beta__fresh');
    await hub.client.callTool({ name: 'beta__add_tool', arguments: { name: 'fresh' } });
    await changed;
    const after = (await hub.client.listTools()).tools.map((t) => t.name);
    expect(after).toContain('beta__fresh');
    expect(text(await hub.client.callTool({ name: 'beta__fresh', arguments: {} }))).toBe('fresh ran');
  });

  it('serves resources under server-qualified URIs and namespaced prompts', async () => {
    const { resources } = await hub.client.listResources();
    expect(resources.map((r) => r.uri)).toContain('hub://alpha/fixture://readme');
    const read = await hub.client.readResource({ uri: 'hub://beta/fixture://readme' });
    expect(read.contents[0]).toMatchObject({ uri: 'hub://beta/fixture://readme', text: 'readme of beta' });
    const { resourceTemplates } = await hub.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('hub://gamma/fixture://items/{id}');
    expect((await hub.client.readResource({ uri: 'hub://gamma/fixture://items/7' })).contents[0]).toMatchObject({ text: 'item 7 of gamma' });
    await expect(hub.client.readResource({ uri: 'fixture://readme' })).rejects.toThrow(/hub:\/\/<server>/);
    const { prompts } = await hub.client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain('alpha__greet');
    const prompt = await hub.client.getPrompt({ name: 'beta__greet', arguments: { who: 'Ann' } });
    expect(prompt.messages[0].content).toMatchObject({ text: 'Say hello to Ann from beta' });
  });

  it('logs downstream stderr with secrets redacted', async () => {
    await eventually(() => hub.stderr().includes('my secret is'), 10_000, 'the fixture stderr line in the hub log');
    expect(hub.stderr()).not.toContain(SECRET);
    expect(hub.stderr()).toContain('my secret is [REDACTED]');
  });
});

describe('hub with a client that cannot sample', () => {
  it('refuses a relayed sampling request with a clear error', async () => {
    const dir = tempDir();
    const hub = await startHub('stdio', writeConfig(dir, { servers: { alpha: fixture('alpha') } }), { capabilities: {} });
    try {
      const result = await hub.client.callTool({ name: 'alpha__ask_model', arguments: { question: 'hi' } });
      expect(result.isError).toBe(true);
      expect(text(result)).toContain('does not support sampling');
    } finally {
      await hub.close();
    }
  });
});
