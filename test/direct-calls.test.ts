// Direct tools/call over stdio (src/server/direct-calls.ts): the hub's stdio transport hands a plain tools/call
// of a catalog tool to the session instead of the SDK Server's dispatch. The real hub as a child process, a
// hand-written downstream server (test/fixtures/raw-server.ts) recording the wire, and the audit log. Each call
// is compared with the same call through call_tool, which the SDK's dispatch serves: same answer, same audit
// line (Hub.callTool writes it and the metrics together), same downstream traffic. The hub logs each direct call
// at debug level, which is how these tests know which path a call took.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, ROOT, eventually, readEvents, startHub, tempDir, text, writeConfig, type HubHandle } from './support/hub.js';

const RAW = path.join(ROOT, 'dist/test/fixtures/raw-server.js');
type Event = { server: string; pid: number; event: string; id?: string | number; tool?: string; method?: string; params?: any };
type AuditLine = { kind: string; client: string; tool: string; server?: string; outcome: string; error?: string; args?: unknown };

describe('direct tools/call over stdio', () => {
  let hub: HubHandle;
  let dir: string;
  let config: string;
  let eventsFile: string;
  const events = () => readEvents(eventsFile) as Event[];
  const auditFile = () => path.join(dir, 'data', 'audit.jsonl');
  const audit = (): AuditLine[] => (existsSync(auditFile()) ? readFileSync(auditFile(), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  /** How many calls this hub has taken directly so far (its debug lines). */
  const direct = () => hub.stderr().split('\n').filter((l) => l.includes('tools/call taken directly')).length;
  const viaCallTool = (name: string, args: Record<string, unknown>) => hub.client.callTool({ name: 'call_tool', arguments: { name, arguments: args } });
  const reached = (tool: string, after: number) =>
    eventually(() => events().slice(after).find((e) => e.event === 'call' && e.tool === tool), 10_000, `${tool} to reach the server`);
  const cancelledAt = (requestId: unknown) =>
    eventually(() => events().find((e) => e.method === 'notifications/cancelled' && e.params?.requestId === requestId), 10_000, `the cancellation of ${String(requestId)}`);
  /** The audit log's length once the lines of calls already answered are in (it is flushed a turn after each call). */
  const settled = async () => {
    for (let last = -1; ; ) {
      await new Promise((r) => setTimeout(r, 100));
      const now = audit().length;
      if (now === last) return now;
      last = now;
    }
  };
  /** The audit lines written after `before` lines, once `count` of them are there (the log is flushed a turn after each call). */
  const audited = (before: number, count: number) => eventually(() => (audit().length >= before + count ? audit().slice(before) : undefined), 10_000, 'audit lines');

  beforeAll(async () => {
    dir = tempDir('direct-calls-');
    eventsFile = path.join(dir, 'events.jsonl');
    config = writeConfig(dir, {
      dataDir: path.join(dir, 'data'),
      servers: { raw: { command: process.execPath, args: [RAW], env: { RAW_SERVER_NAME: 'raw-direct', RAW_EVENTS: eventsFile }, timeoutMs: 20_000 } },
    });
    hub = await startHub('stdio', config, { sample: (prompt) => `sampled: ${prompt}` });
  });

  afterAll(async () => {
    await hub?.close();
  });

  it('takes a plain tools/call of a catalog tool directly, and leaves everything else to the SDK', async () => {
    let before = direct();
    expect(text(await hub.client.callTool({ name: 'raw__echo', arguments: { text: 'direct' } }))).toBe('echo: direct');
    expect(direct()).toBe(before + 1);
    before = direct();
    expect(text(await viaCallTool('raw__echo', { text: 'meta' }))).toBe('echo: meta');
    expect((await hub.client.callTool({ name: 'hub_status', arguments: {} })).isError).toBeFalsy();
    // Params the direct path does not read (here a _meta key beside progressToken) stay with the SDK.
    expect(text(await hub.client.callTool({ name: 'raw__echo', arguments: { text: 'other meta' }, _meta: { 'example.com/trace': 'x' } }))).toBe('echo: other meta');
    const unknown = await hub.client.callTool({ name: 'raw__nope', arguments: {} });
    expect(text(unknown)).toContain('Unknown tool "raw__nope"');
    expect(direct()).toBe(before);
  });

  it('checks, audits and meters a direct call exactly like the same call through call_tool', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ text: 'fine' }, 'ok'],
      [{ text: 5 }, 'error'],
      [{}, 'error'],
    ];
    for (const [args, outcome] of cases) {
      const before = await settled();
      const directCount = direct();
      const sent = events().length;
      const result = await hub.client.callTool({ name: 'raw__echo', arguments: args });
      expect(direct()).toBe(directCount + 1);
      expect(result).toEqual(await viaCallTool('raw__echo', args));
      // call_tool writes its own line (kind meta) around the catalog call's.
      const lines = await audited(before, 3);
      const [directLine, ...metaLines] = lines;
      const catalogLine = metaLines.find((l) => l.kind === 'tool')!;
      expect(directLine).toMatchObject({ kind: 'tool', client: 'stdio', tool: 'raw__echo', server: 'raw', outcome });
      const { ms: _a, time: _t, ...directRest } = directLine as AuditLine & { ms: number; time: string };
      const { ms: _b, time: _u, ...catalogRest } = catalogLine as AuditLine & { ms: number; time: string };
      expect(directRest).toEqual(catalogRest);
      expect(metaLines.find((l) => l.kind === 'meta')).toMatchObject({ tool: 'call_tool', outcome });
      // Arguments the catalog refuses never reach the server, on either path.
      const reachedServer = events().slice(sent).filter((e) => e.event === 'call' && e.tool === 'echo').length;
      expect(reachedServer).toBe(outcome === 'ok' ? 2 : 0);
    }
  });

  it("turns the server's JSON-RPC error into the same tool error as call_tool", async () => {
    const before = direct();
    const failed = await hub.client.callTool({ name: 'raw__fail', arguments: { code: -32099, message: 'nope' } });
    expect(direct()).toBe(before + 1);
    expect(failed).toEqual(await viaCallTool('raw__fail', { code: -32099, message: 'nope' }));
    expect(text(failed)).toBe('server "raw" answered the call to fail with an error (-32099): nope');
  });

  it('relays progress, and the server asking the client for sampling, during a direct call', async () => {
    const before = direct();
    const progress: number[] = [];
    const done = await hub.client.callTool({ name: 'raw__progress', arguments: { steps: 3, stepMs: 20 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(text(done)).toBe('done 3');
    // The SDK client may drop a report read in the same chunk as the answer (see call-pipeline.test.ts).
    expect(progress.slice(0, 2)).toEqual([1, 2]);
    const sent = events().length;
    const asking = hub.client.callTool({ name: 'raw__ask', arguments: { question: 'why?' } });
    const started = await reached('ask', sent);
    process.kill(started.pid, 'SIGUSR2');
    expect(text(await asking)).toBe('model said: sampled: why?');
    expect(direct()).toBe(before + 2);
  });

  it('forwards the client cancelling a direct call downstream, answers nothing more, and audits it as cancelled', async () => {
    const before = direct();
    const auditBefore = await settled();
    const sent = events().length;
    const abort = new AbortController();
    const call = hub.client.callTool({ name: 'raw__hang', arguments: {} }, undefined, { signal: abort.signal });
    call.catch(() => undefined);
    const started = await reached('hang', sent);
    expect(direct()).toBe(before + 1);
    abort.abort('changed my mind');
    await expect(call).rejects.toThrow();
    expect((await cancelledAt(started.id)).params.reason).toBe('changed my mind');
    expect((await audited(auditBefore, 1))[0]).toMatchObject({ tool: 'raw__hang', outcome: 'cancelled' });
    expect(text(await hub.client.callTool({ name: 'raw__echo', arguments: { text: 'still here' } }))).toBe('echo: still here');
  });

  it('cancels direct calls in flight downstream when the client goes away', async () => {
    // A second hub on the same config, whose client leaves in the middle of a call.
    const client = new Client({ name: 'leaving', version: '1.0.0' });
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'serve', '--config', config], env: { ...(process.env as Record<string, string>), ORCHESTRATOR_LOG_LEVEL: 'debug' }, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await client.connect(transport);
    const sent = events().length;
    client.callTool({ name: 'raw__hang', arguments: {} }).catch(() => undefined);
    const started = await reached('hang', sent);
    expect(stderr).toContain('tools/call taken directly');
    await client.close();
    expect((await cancelledAt(started.id)).params.reason).toMatch(/closed/i);
  });
});
