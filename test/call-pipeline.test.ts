// One call pipeline end to end: the real hub as a child process over stdio and Streamable HTTP, a
// hand-written downstream server (no SDK) that records the wire. A tools/call of a catalog tool and a
// call_tool of the same tool go through the same steps (scope, arguments, audit, the downstream call,
// result handling), so they must answer exactly alike, whatever the server does.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { ROOT, eventually, readEvents, startHub, tempDir, text, writeConfig, type HubHandle, type Mode } from './support/hub.js';

const RAW = path.join(ROOT, 'dist/test/fixtures/raw-server.js');
// The raw server poses as the official Xero server, whose plain-text failures the hub flags.
const XERO_NAME = 'Xero MCP Server';
const SLOW_TIMEOUT_MS = 1500;

type Event = { server: string; pid: number; event: string; id?: string | number; tool?: string; method?: string; key?: string; params?: any };

describe.each<Mode>(['stdio', 'http'])('the call pipeline over %s', (mode) => {
  let hub: HubHandle;
  let eventsFile: string;
  const events = () => readEvents(eventsFile) as Event[];
  /** The last tools/call of `tool` that reached `server`, once it has. */
  const reached = (server: string, tool: string, after = 0) =>
    eventually(() => events().slice(after).filter((e) => e.server === server && e.event === 'call' && e.tool === tool).at(-1), 10_000, `${tool} to reach ${server}`);
  const cancelledAt = (server: string, requestId: unknown) =>
    eventually(
      () => events().find((e) => e.server === server && e.method === 'notifications/cancelled' && e.params?.requestId === requestId),
      10_000,
      `${server} to see the cancellation of ${String(requestId)}`,
    );
  const viaCallTool = (name: string, args: Record<string, unknown>) => hub.client.callTool({ name: 'call_tool', arguments: { name, arguments: args } });

  beforeAll(async () => {
    const dir = tempDir('relay-test-');
    eventsFile = path.join(dir, 'events.jsonl');
    const raw = (name: string, extra: Record<string, unknown> = {}) => ({ command: process.execPath, args: [RAW], env: { RAW_SERVER_NAME: name, RAW_EVENTS: eventsFile }, ...extra });
    const config = writeConfig(dir, {
      servers: {
        raw: raw(XERO_NAME, { timeoutMs: 20_000 }),
        rawslow: raw('raw-slow', { timeoutMs: SLOW_TIMEOUT_MS }),
        rawcrash: raw('raw-crash'),
      },
    });
    hub = await startHub(mode, config, { sample: (prompt) => `42 (you asked: ${prompt})` });
  });

  afterAll(async () => {
    await hub?.close();
  });

  it('sends a tools/call and a call_tool of the same tool to the server alike', async () => {
    expect(text(await hub.client.callTool({ name: 'raw__echo', arguments: { text: 'direct' } }))).toBe('echo: direct');
    expect(text(await viaCallTool('raw__echo', { text: 'meta' }))).toBe('echo: meta');
    const calls = events().filter((e) => e.server === XERO_NAME && e.tool === 'echo');
    const [direct, meta] = ['direct', 'meta'].map((t) => calls.find((e) => e.params.arguments.text === t)!);
    expect(Object.keys(direct.params).sort()).toEqual(Object.keys(meta.params).sort());
    expect(typeof direct.id).toBe(typeof meta.id);
  });

  it('maps interleaved calls answered out of order back to their callers', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const results = await Promise.all(keys.map((key) => hub.client.callTool({ name: 'raw__hold', arguments: { key, count: keys.length } })));
    expect(results.map(text)).toEqual(keys.map((k) => `held ${k}`));
    // The server answered in reverse order of arrival, whatever order they arrived in.
    const arrived = events().filter((e) => e.tool === 'hold').slice(-keys.length).map((e) => e.params.arguments.key);
    const answered = events().filter((e) => e.event === 'answered').slice(-keys.length).map((e) => e.key);
    expect(answered).toEqual([...arrived].reverse());
    expect(new Set(events().filter((e) => e.tool === 'hold').slice(-keys.length).map((e) => e.id)).size).toBe(keys.length);
  });

  it('keeps the progress of concurrent calls apart, under tokens of its own downstream', async () => {
    const seen: Record<number, Array<{ progress: number; total?: number }>> = { 2: [], 3: [], 4: [] };
    const before = events().length;
    const results = await Promise.all(
      [2, 3, 4].map((steps) =>
        hub.client.callTool({ name: 'raw__progress', arguments: { steps, stepMs: 20 } }, undefined, { onprogress: (p) => seen[steps].push(p) }),
      ),
    );
    expect(results.map(text)).toEqual(['done 2', 'done 3', 'done 4']);
    for (const steps of [2, 3, 4]) {
      // Each call sees only its own reports, in order. The SDK client drops a report it reads in the same
      // chunk as the response (test/fixtures/fixture-server.ts), so the last one may be missing on a busy machine.
      expect(seen[steps].every((p) => p.total === steps)).toBe(true);
      expect(seen[steps].map((p) => p.progress)).toEqual(Array.from({ length: steps }, (_, i) => i + 1).slice(0, Math.max(seen[steps].length, steps - 1)));
    }
    for (const call of events().slice(before).filter((e) => e.tool === 'progress')) expect(call.params._meta.progressToken).toBe(call.id);
  });

  it('answers tools/call and call_tool exactly alike: results, JSON-RPC errors, malformed results, plain-text failures, bad arguments', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['raw__echo', { text: 'same' }],
      ['raw__fail', { code: -32099, message: 'custom failure' }],
      ['raw__malformed', {}],
      ['raw__say', { text: 'Error listing invoices: token expired' }],
      ['raw__say', { text: 'Found 3 invoices:' }],
      ['raw__echo', { text: 5 }],
      ['raw__echo', {}],
    ];
    const fast = [];
    for (const [name, args] of cases) {
      const result = await hub.client.callTool({ name, arguments: args });
      expect(result).toEqual(await viaCallTool(name, args));
      fast.push(result);
    }
    const [ok, failed, malformed, plainFailure, plainFine, wrongType, missing] = fast;
    expect(ok.isError).toBeFalsy();
    expect(failed).toMatchObject({ isError: true });
    expect(text(failed)).toBe('server "raw" answered the call to fail with an error (-32099): custom failure');
    expect(malformed.isError).toBe(true);
    expect(plainFailure.isError).toBe(true);
    expect(plainFine.isError).toBeFalsy();
    expect(text(wrongType)).toMatch(/^Invalid arguments for raw__echo: `text` must be string/);
    expect(text(missing)).toContain('missing required field `text`');
    expect(events().filter((e) => e.tool === 'echo' && typeof e.params.arguments.text !== 'string')).toEqual([]);
  });

  it('forwards a client cancellation downstream with its reason, and keeps serving', async () => {
    const before = events().length;
    const abort = new AbortController();
    const call = hub.client.callTool({ name: 'raw__hang', arguments: {} }, undefined, { signal: abort.signal });
    call.catch(() => undefined);
    const started = await reached(XERO_NAME, 'hang', before);
    abort.abort('user gave up');
    await expect(call).rejects.toThrow();
    expect((await cancelledAt(XERO_NAME, started.id)).params.reason).toBe('user gave up');
    expect(text(await hub.client.callTool({ name: 'raw__echo', arguments: { text: 'after' } }))).toBe('echo: after');
  });

  it('times out a silent server with a cancellation and a message naming the setting', async () => {
    const before = events().length;
    const result = await hub.client.callTool({ name: 'rawslow__hang', arguments: {} });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`server "rawslow" did not answer the call to hang within ${SLOW_TIMEOUT_MS} ms`);
    expect(text(result)).toContain('servers.rawslow.timeoutMs');
    const call = await reached('raw-slow', 'hang', before);
    expect((await cancelledAt('raw-slow', call.id)).params.reason).toMatch(/timed out/i);
    expect(await viaCallTool('rawslow__hang', {})).toEqual(result);
  });

  it('restarts the timeout on each progress report', async () => {
    const progress: number[] = [];
    // 5 steps 500 ms apart outlast the 1500 ms timeout; each report restarts it.
    const result = await hub.client.callTool({ name: 'rawslow__progress', arguments: { steps: 5, stepMs: 500 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(text(result)).toBe('done 5');
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });

  it("relays the server's sampling request during the call to the client that made it", async () => {
    // Over HTTP another client, active more recently, must not get it (the hub's fallback for requests outside a call).
    const other = mode === 'http' ? new Client({ name: 'other-client', version: '1.0.0' }, { capabilities: { sampling: {} } }) : undefined;
    other?.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', model: 'm', content: { type: 'text', text: 'the other client' } }));
    await other?.connect(new StreamableHTTPClientTransport(new URL(hub.url!)));
    try {
      const before = events().length;
      const asking = hub.client.callTool({ name: 'raw__ask', arguments: { question: 'meaning of life?' } });
      const started = await reached(XERO_NAME, 'ask', before);
      await other?.listTools();
      process.kill(started.pid, 'SIGUSR2');
      expect(text(await asking)).toBe('model said: 42 (you asked: meaning of life?)');
    } finally {
      await other?.close();
    }
  });

  it.runIf(mode === 'http')('cancels its calls downstream when their client ends the session', async () => {
    const other = new Client({ name: 'leaving-client', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(hub.url!));
    await other.connect(transport);
    const before = events().length;
    other.callTool({ name: 'raw__hang', arguments: {} }).catch(() => undefined);
    const started = await reached(XERO_NAME, 'hang', before);
    await transport.terminateSession();
    await other.close();
    expect((await cancelledAt(XERO_NAME, started.id)).params.reason).toMatch(/closed/i);
  });

  it('fails every call in flight at once when the server exits, saying so', async () => {
    const before = events().length;
    const hanging = hub.client.callTool({ name: 'rawcrash__hang', arguments: {} });
    await reached('raw-crash', 'hang', before);
    const crashed = await hub.client.callTool({ name: 'rawcrash__crash', arguments: {} });
    expect(crashed.isError).toBe(true);
    expect(text(crashed)).toMatch(/server "rawcrash" exited during the call to crash \(last stderr: raw: crashing on purpose\); it is being restarted/);
    expect(text(await hanging)).toMatch(/server "rawcrash" exited during the call to hang/);
  });
});
