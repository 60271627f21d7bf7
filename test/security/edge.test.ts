// The hub's edge against hostile clients (issue 11, "Trust"), one test per hole, over real HTTP and
// stdio with the real hub child process: input nested too deep or too large is refused at parse time
// and the hub keeps serving; config reloads re-authenticate open sessions; each token has a session
// quota; /health says only up or down; /metrics is for admins; the audit trail is private.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AuditLog, summarizeArgs } from '../../src/audit/audit.js';
import {
  INIT,
  QUIET,
  ROOT,
  call,
  deepCall,
  fixture,
  openRawSession,
  post,
  startHttpHub,
  startStdioHub,
  stdioReady,
  textOf,
  type HttpHub,
} from '../fixtures/raw-hub.js';

const secret = (name: string) => `${name}-${randomBytes(16).toString('hex')}`;
const OPS = secret('ops');
const READER = secret('reader');
const SOLO = secret('solo');
const PAIR = secret('pair');
/** Deep enough to overflow JSON.stringify's recursion (about 40 KB of brackets). */
const HOSTILE_DEPTH = 20_000;

const tempDir = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));
const writeConfig = (dir: string, config: unknown) => {
  const file = path.join(dir, 'orchestrator.config.yaml');
  writeFileSync(file, stringify(config));
  return file;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mode = (p: string) => statSync(p).mode & 0o777;

async function eventually<T>(check: () => Promise<T | false | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const expectTooDeep = (m: Record<string, any> | undefined) => {
  expect(m).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
  expect(m!.error.message).toMatch(/nested deeper than 64 levels/);
};

describe('HTTP edge (hub with tokens)', () => {
  let dir: string;
  let hub: HttpHub;

  beforeAll(async () => {
    dir = tempDir('edge-http-');
    const config = writeConfig(dir, {
      ...QUIET,
      expose: { mode: 'all' },
      dataDir: path.join(dir, 'data'),
      servers: { steady: fixture('steady') },
      http: {
        maxSessions: 8, // default quota per token: 2
        auth: {
          tokens: [
            { name: 'ops', token: OPS, tools: ['*'], admin: true },
            { name: 'reader', token: READER, tools: ['steady__echo'] },
            { name: 'solo', token: SOLO, tools: ['*'], maxSessions: 1 },
            { name: 'pair', token: PAIR, tools: ['*'] },
          ],
        },
      },
    });
    hub = await startHttpHub(config);
  }, 60_000);

  afterAll(async () => {
    expect(await hub?.stop()).toBe(0);
  });

  it('refuses a deeply nested tools/call at parse time (in scope or not) and keeps serving', async () => {
    const ops = await openRawSession(hub.url, OPS);
    const reader = await openRawSession(hub.url, READER);
    // A scoped token calling a tool outside its scope, and a full token calling one in scope: both deep.
    for (const [headers, tool] of [[reader, 'steady__pid'], [ops, 'steady__echo']] as const) {
      const r = await post(hub.url, deepCall(7, tool, HOSTILE_DEPTH), headers);
      expect(r.status).toBe(400);
      expectTooDeep(r.messages[0]);
    }
    // Within the bound, the scope refusal is as before.
    const shallow = await post(hub.url, deepCall(8, 'steady__pid', 50), reader);
    expect(shallow.messages[0]?.result?.isError).toBe(true);
    expect(textOf(shallow.messages[0])).toMatch(/not available to token "reader"/);
    await sleep(300); // the audit is written on the next turn: a crash there would have happened by now
    expect(hub.child.exitCode).toBeNull();
    const after = await post(hub.url, call(9, 'steady__echo', { message: 'still here' }), reader);
    expect(textOf(after.messages[0])).toBe('steady: still here');
  });

  it('holds each token to its session quota: 503 with Retry-After, naming the setting', async () => {
    const first = await post(hub.url, INIT(), { authorization: `Bearer ${SOLO}` });
    expect(first.status).toBe(200);
    const second = await post(hub.url, INIT(), { authorization: `Bearer ${SOLO}` });
    expect(second.status).toBe(503);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(second.messages[0]?.error?.message).toMatch(/token "solo".*maxSessions: 1/);
    // The default: http.maxSessions / 4 = 2.
    const pair = [];
    for (let i = 0; i < 3; i++) pair.push((await post(hub.url, INIT(), { authorization: `Bearer ${PAIR}` })).status);
    expect(pair).toEqual([200, 200, 503]);
    // Closing a session makes room again.
    const id = first.headers.get('mcp-session-id')!;
    const closed = await fetch(hub.url, { method: 'DELETE', headers: { authorization: `Bearer ${SOLO}`, 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' } });
    expect(closed.status).toBe(200);
    expect((await post(hub.url, INIT(), { authorization: `Bearer ${SOLO}` })).status).toBe(200);
  });

  it('/health says only that the hub is up, to anyone', async () => {
    const res = await fetch(`${hub.base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/metrics is for admin tokens only', async () => {
    const metrics = (token?: string) => fetch(`${hub.base}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await metrics()).status).toBe(401);
    const reader = await metrics(READER);
    expect(reader.status).toBe(403);
    expect(((await reader.json()) as { error: { message: string } }).error.message).toMatch(/admin/);
    const ops = await metrics(OPS);
    expect(ops.status).toBe(200);
    expect(await ops.text()).toMatch(/mcp_hub_http_sessions \d+/);
  });
});

describe('stdio edge', () => {
  it('answers a too-deep line and a too-long line with an error (id null) and keeps the session', async () => {
    const dir = tempDir('edge-stdio-');
    const hub = await startStdioHub(writeConfig(dir, { ...QUIET, dataDir: path.join(dir, 'data'), servers: { steady: fixture('steady') } }));
    let code: number | null;
    try {
      await stdioReady(hub, 'steady__echo');
      hub.send(deepCall(1, 'steady__echo', HOSTILE_DEPTH));
      expectTooDeep(await hub.next());
      await sleep(300);
      hub.send(call(2, 'steady__echo', { message: 'after deep' }));
      expect(textOf(await hub.next())).toBe('steady: after deep');
      // Over 10 MiB on one line: refused, the rest of that line skipped, the next line read.
      hub.send(`{"jsonrpc":"2.0","id":3,"method":"ping","params":{"pad":"${'x'.repeat(11 * 1024 * 1024)}"}}`);
      const tooLong = await hub.next();
      expect(tooLong).toMatchObject({ id: null, error: { code: -32600 } });
      expect(tooLong.error.message).toMatch(/exceeds 10485760 bytes/);
      hub.send(call(4, 'steady__add', { a: 1, b: 2 }));
      const sum = await hub.next();
      expect(sum.id).toBe(4);
      expect(sum.result.structuredContent).toEqual({ sum: 3 });
      expect(hub.notJson).toEqual([]); // stdout carries nothing but protocol
      expect(hub.child.exitCode).toBeNull();
    } finally {
      code = await hub.stop();
    }
    expect(code).toBe(0);
  }, 60_000);
});

describe('reloads re-authenticate', () => {
  it('ends the sessions of a removed or narrowed token and refuses the removed token', async () => {
    const dir = tempDir('edge-reload-');
    const TEMP = secret('temp');
    const base = { ...QUIET, expose: { mode: 'all' }, dataDir: path.join(dir, 'data'), servers: { steady: fixture('steady') } };
    const tokens = [
      { name: 'ops', token: OPS, tools: ['*'], admin: true },
      { name: 'reader', token: READER, tools: ['steady__echo', 'steady__add'] },
      { name: 'temp', token: TEMP, tools: ['*'] },
    ];
    const file = writeConfig(dir, { ...base, http: { auth: { tokens } } });
    const hub = await startHttpHub(file);
    let code: number | null;
    try {
      const ops = await openRawSession(hub.url, OPS);
      const reader = await openRawSession(hub.url, READER);
      const temp = await openRawSession(hub.url, TEMP);
      // The reader's open event stream: closing its session must end it.
      const stream = await fetch(hub.url, { headers: { ...reader, accept: 'text/event-stream' } });
      expect(stream.status).toBe(200);
      const streamEnded = (async () => {
        for await (const _ of stream.body!) void _;
        return true;
      })().catch(() => true);

      // temp removed, reader narrowed to echo.
      writeConfig(dir, { ...base, http: { auth: { tokens: [tokens[0], { ...tokens[1], tools: ['steady__echo'] }] } } });
      await eventually(async () => (await post(hub.url, INIT(), { authorization: `Bearer ${TEMP}` })).status === 401, 15_000, 'the removed token to be refused');

      expect((await post(hub.url, call(1, 'steady__echo', { message: 'x' }), temp)).status).toBe(401);
      expect((await post(hub.url, call(2, 'steady__echo', { message: 'x' }), reader)).status).toBe(404);
      expect(await Promise.race([streamEnded, sleep(5000).then(() => false)])).toBe(true);
      // A new session for the reader has the new, narrower scope.
      const fresh = await openRawSession(hub.url, READER);
      const listed = await post(hub.url, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }), fresh);
      const names = (listed.messages[0]?.result?.tools as Array<{ name: string }>).map((t) => t.name);
      expect(names).toContain('steady__echo');
      expect(names).not.toContain('steady__add');
      // An unchanged token's session goes on.
      expect(textOf((await post(hub.url, call(4, 'steady__echo', { message: 'ops' }), ops)).messages[0])).toBe('steady: ops');
    } finally {
      code = await hub.stop();
    }
    expect(code).toBe(0);
  }, 60_000);
});

describe('audit privacy', () => {
  it('keeps the audit file 0600 and its folder 0700, closing ones made before; /metrics open without auth', async () => {
    const dir = tempDir('edge-audit-');
    const data = path.join(dir, 'data');
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    writeFileSync(path.join(data, 'audit.jsonl'), '{"old":true}\n', { mode: 0o644 });
    chmodSync(path.join(data, 'audit.jsonl'), 0o644);
    const hub = await startHttpHub(writeConfig(dir, { ...QUIET, dataDir: data, servers: { steady: fixture('steady') } }));
    let code: number | null;
    try {
      const session = await openRawSession(hub.url);
      expect(textOf((await post(hub.url, call(1, 'steady__echo', { message: 'audited' }), session)).messages[0])).toBe('steady: audited');
      await eventually(async () => statSync(path.join(data, 'audit.jsonl')).size > 20, 10_000, 'the audit line');
      expect(mode(path.join(data, 'audit.jsonl'))).toBe(0o600);
      expect(mode(data)).toBe(0o700);
      // No auth configured: the local user, who may read the metrics.
      expect((await fetch(`${hub.base}/metrics`)).status).toBe(200);
    } finally {
      code = await hub.stop();
    }
    expect(code).toBe(0);
    // A fresh audit file and folder are private from the start.
    const fresh = path.join(tempDir('edge-audit-fresh-'), 'nested', 'audit.jsonl');
    const audit = new AuditLog({ file: fresh, maxBytes: 1_000_000, maxFiles: 2 });
    audit.record({ kind: 'tool', client: 'stdio', tool: 'x', outcome: 'ok', ms: 1 });
    audit.flush();
    expect(mode(fresh)).toBe(0o600);
    expect(mode(path.dirname(fresh))).toBe(0o700);
  }, 60_000);

  it('cannot be made to throw by arguments nested thousands of levels deep', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < HOSTILE_DEPTH; i++) deep = [deep];
    const summary = summarizeArgs({ deep, fine: 1 });
    expect(summary.fine).toBe(1);
    expect(JSON.stringify(summary).length).toBeLessThan(1000);
    const file = path.join(tempDir('edge-audit-deep-'), 'audit.jsonl');
    const audit = new AuditLog({ file, maxBytes: 1_000_000, maxFiles: 2 });
    audit.record({ kind: 'tool', client: 'reader', tool: 'steady__pid', args: { deep }, outcome: 'refused', ms: 1 });
    expect(() => audit.flush()).not.toThrow();
    expect(statSync(file).size).toBeGreaterThan(0);
  });
});

describe('last resort', () => {
  it('reports an uncaught exception and an unhandled rejection on stderr, redacted, and keeps the process serving', () => {
    const script = `
      const { installLastResort } = await import(${JSON.stringify(path.join(ROOT, 'dist/src/server/last-resort.js'))});
      const { registerSecret } = await import(${JSON.stringify(path.join(ROOT, 'dist/src/log/redact.js'))});
      registerSecret('secret-${'x'.repeat(12)}');
      installLastResort();
      setTimeout(() => { throw new Error('bug holding secret-${'x'.repeat(12)}'); }, 10);
      setTimeout(() => void Promise.reject(new Error('nobody awaited this')), 20);
      setTimeout(() => process.stderr.write('still serving\\n'), 100);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(''); // stdout is the protocol channel in stdio mode
    expect(run.stderr).toMatch(/uncaught exception; the hub keeps serving.*bug holding \[REDACTED\]/);
    expect(run.stderr).toMatch(/unhandled promise rejection; the hub keeps serving.*nobody awaited this/);
    expect(run.stderr).toContain('still serving');
    expect(run.stderr).not.toContain(`secret-${'x'.repeat(12)}`);
  });
});
