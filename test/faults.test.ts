// Fault injection against the real hub (child processes, real transports): downstream servers killed
// mid-call, hung and garbage-writing servers, 1,000 hostile JSON-RPC messages over HTTP and over stdio,
// 100 concurrent HTTP sessions, unauthenticated / wrong-scope / forged-Origin requests, limits, secret
// isolation, audit, metrics, graceful shutdown. Each test adds its figures; the table is printed at the
// end (stderr) and written to bench/out/faults.json. Run alone: npm run test:faults.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI, ROOT, eventually, fixture as baseFixture, readEvents, tempDir, text, writeConfig } from './support/hub.js';
import { startHttpHub, type HttpHub } from './fixtures/raw-hub.js';

const GARBAGE = path.join(ROOT, 'dist/test/fixtures/garbage-server.js');
const OPS_TOKEN = `ops-${randomBytes(16).toString('hex')}`;
const READER_TOKEN = `reader-${randomBytes(16).toString('hex')}`;
const ALPHA_SECRET = `alpha-${randomBytes(12).toString('hex')}`;
const BETA_SECRET = `beta-${randomBytes(12).toString('hex')}`;
const HUB_SECRET = `hubenv-${randomBytes(12).toString('hex')}`;
const VICTIMS = 4;
const KILLS_PER_VICTIM = 4;
const QUIET = { memory: { enabled: false }, routing: { embeddings: { provider: 'none' } } };

/** A fixture server with its security tools (env, busy). */
const fixture = (name: string, extra: { env?: Record<string, string>; [key: string]: unknown } = {}) =>
  baseFixture(name, { ...extra, env: { FIXTURE_SECURITY: '1', ...extra.env } });

const figures: Array<{ scenario: string; figure: string }> = [];
const figure = (scenario: string, value: string) => figures.push({ scenario, figure: value });

afterAll(() => {
  if (!figures.length) return;
  const width = Math.max(...figures.map((f) => f.scenario.length));
  const table = ['', 'Fault-injection figures', `${'scenario'.padEnd(width)}  figure`, `${'-'.repeat(width)}  ------`, ...figures.map((f) => `${f.scenario.padEnd(width)}  ${f.figure}`), ''].join('\n');
  process.stderr.write(`${table}\n`);
  mkdirSync(path.join(ROOT, 'bench/out'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench/out/faults.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, figures }, null, 2));
});

// ---------- helpers ----------

async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'fault-client', version: '1.0.0' }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} } }));
  return client;
}

interface RawResponse {
  status: number;
  headers: Headers;
  /** JSON-RPC messages in the body (a JSON body or SSE data lines). */
  messages: Array<Record<string, any>>;
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } });
  const raw = await res.text();
  const messages: Array<Record<string, any>> = [];
  const parse = (t: string) => {
    try {
      const v = JSON.parse(t);
      messages.push(...(Array.isArray(v) ? v : [v]));
    } catch {
      /* not JSON: no message */
    }
  };
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    for (const line of raw.split('\n')) if (line.startsWith('data:')) parse(line.slice(5).trim());
  } else if (raw) parse(raw);
  return { status: res.status, headers: res.headers, messages };
}

const INIT = (id: number | string = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

async function openRawSession(url: string, token: string): Promise<Record<string, string>> {
  const init = await post(url, INIT(), { authorization: `Bearer ${token}` });
  expect(init.status).toBe(200);
  const headers = { authorization: `Bearer ${token}`, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
  await post(url, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), headers);
  return headers;
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return Math.round(kb / 102.4) / 10;
}

function isErrorAnswer(m: Record<string, any> | undefined): boolean {
  return !!m && (m.error !== undefined || m.result?.isError === true);
}

/**
 * Hostile and malformed messages: [line, answer expected]. An answer is expected for anything that is
 * not a valid notification or response (JSON-RPC requires one for requests and for invalid input).
 */
type Expect = true | false | 'any';

/** true: an error answer is due; 'any': an answer (a valid request with odd content); false: none (notifications, responses). */
function hostileCorpus(count: number, idBase: number): Array<{ line: string; expectAnswer: Expect }> {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const make: Array<(i: number) => { line: string; expectAnswer: Expect }> = [
    () => ({ line: 'not json at all', expectAnswer: true }),
    () => ({ line: '{"jsonrpc": "2.0", "id": 1, "method": ', expectAnswer: true }),
    () => ({ line: '{}', expectAnswer: true }),
    () => ({ line: '42', expectAnswer: true }),
    () => ({ line: '"a string"', expectAnswer: true }),
    () => ({ line: 'null', expectAnswer: true }),
    () => ({ line: JSON.stringify({ jsonrpc: '1.0', id: 5, method: 'tools/list' }), expectAnswer: true }),
    () => ({ line: JSON.stringify({ jsonrpc: '2.0', id: { nested: true }, method: 'tools/list' }), expectAnswer: true }),
    () => ({ line: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 42 }), expectAnswer: true }),
    (i) => ({ line: JSON.stringify({ jsonrpc: '2.0', id: idBase + i, method: 'no/such/method' }), expectAnswer: true }),
    (i) => ({ line: JSON.stringify({ jsonrpc: '2.0', id: idBase + i, method: 'tools/call', params: { name: 12345 } }), expectAnswer: true }),
    (i) => ({ line: JSON.stringify({ jsonrpc: '2.0', id: idBase + i, method: 'tools/call', params: { name: 'steady__add', arguments: [1, 2] } }), expectAnswer: true }),
    (i) => ({ line: JSON.stringify({ jsonrpc: '2.0', id: idBase + i, method: 'tools/call', params: { name: 'steady__add', arguments: { a: 'x', b: null } } }), expectAnswer: true }),
    (i) => ({ line: JSON.stringify({ jsonrpc: '2.0', id: idBase + i, method: 'tools/call', params: { name: 'x'.repeat(5000), arguments: {} } }), expectAnswer: true }),
    (i) => ({ line: JSON.stringify({ jsonrpc: '2.0', id: idBase + i, method: 'tools/call', params: { name: '../../etc/passwd', arguments: {} } }), expectAnswer: true }),
    (i) => ({ line: `{"jsonrpc":"2.0","id":${idBase + i},"method":"tools/call","params":{"name":"call_tool","arguments":{"__proto__":{"polluted":true},"name":"steady__nope"}}}`, expectAnswer: true }),
    (i) => ({ line: JSON.stringify({ jsonrpc: '2.0', id: idBase + i, method: 'resources/read', params: { uri: 'file:///etc/shadow' } }), expectAnswer: true }),
    (i) => ({ line: JSON.stringify({ jsonrpc: '2.0', id: idBase + i, method: 'prompts/get', params: { name: 'steady__nope' } }), expectAnswer: true }),
    (i) => ({ line: JSON.stringify({ jsonrpc: '2.0', id: idBase + i, method: 'tools/call', params: { name: 'search_tools', arguments: { query: '\u0000\ud800'.repeat(100) } } }), expectAnswer: 'any' }),
    () => ({ line: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'nobody' } }), expectAnswer: false }),
    () => ({ line: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/whatever', params: [1, 2] }), expectAnswer: true }), // params must be an object: Invalid Request
    () => ({ line: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/whatever', params: { x: 1 } }), expectAnswer: false }),
    () => ({ line: JSON.stringify({ jsonrpc: '2.0', id: 424242, result: { unexpected: true } }), expectAnswer: false }),
    () => ({ line: deep(2000), expectAnswer: true }),
    () => ({ line: JSON.stringify({ jsonrpc: '2.0', id: 'x'.repeat(10_000), method: 'ping' }), expectAnswer: 'any' }),
  ];
  return Array.from({ length: count }, (_, i) => make[i % make.length](i));
}

// ---------- the main hub: auth, scopes, many misbehaving servers ----------

describe('fault injection (HTTP hub with auth)', () => {
  let dir: string;
  let hub: HttpHub;
  let ops: Client;
  let logFile: string;

  beforeAll(async () => {
    dir = tempDir('faults-');
    logFile = path.join(dir, 'hub.log');
    const victims = Object.fromEntries(Array.from({ length: VICTIMS }, (_, i) => [`victim${i}`, fixture(`victim${i}`, { circuitBreaker: { failures: 100, resetMs: 1000 } })]));
    const config = writeConfig(dir, {
      ...QUIET,
      expose: { mode: 'all' },
      dataDir: path.join(dir, 'data'),
      servers: {
        steady: fixture('steady'),
        alpha: fixture('alpha', { env: { ALPHA_API_KEY: ALPHA_SECRET, FIXTURE_SECRET: ALPHA_SECRET } }),
        beta: fixture('beta', { env: { BETA_TOKEN: BETA_SECRET } }),
        ...victims,
        hung: fixture('hung', { timeoutMs: 300, circuitBreaker: { failures: 3, resetMs: 1500 } }),
        limited: fixture('limited', { maxConcurrent: 2 }),
        garbage: { command: process.execPath, args: [GARBAGE] },
        stuck: { command: process.execPath, args: [GARBAGE], env: { GARBAGE_MODE: 'hang-start' }, startupTimeoutMs: 1000 },
      },
      http: {
        auth: {
          tokens: [
            // 100 concurrent sessions below: more than the default quota (http.maxSessions / 4).
            { name: 'ops', token: OPS_TOKEN, tools: ['*'], orchestrate: true, workflows: true, admin: true, maxSessions: 200 },
            { name: 'reader', token: READER_TOKEN, tools: ['steady__echo', 'steady__add'] },
          ],
        },
        maxBodyBytes: 65_536,
        rateLimit: { perSession: 100_000, perToken: 100_000 },
      },
    });
    // Debug logging: every line the hub can write is checked for secrets below.
    hub = await startHttpHub(config, { ORCHESTRATOR_LOG_LEVEL: 'debug', HUB_ONLY_SECRET: HUB_SECRET }, ['--log-file', logFile]);
    ops = await connect(hub.url, OPS_TOKEN);
  }, 90_000);

  afterAll(async () => {
    await ops?.close().catch(() => undefined);
    const code = await hub?.stop();
    expect(code).toBe(0);
  });

  const alive = async () => {
    const r = await ops.callTool({ name: 'steady__echo', arguments: { message: 'still here' } });
    expect(text(r)).toBe('steady: still here');
    expect(hub.child.exitCode).toBeNull();
  };

  it('answers every call when downstream servers are killed mid-call, and restarts them', async () => {
    let answered = 0;
    let errors = 0;
    let steadyOk = 0;
    for (let round = 0; round < KILLS_PER_VICTIM; round++) {
      await Promise.all(
        Array.from({ length: VICTIMS }, async (_, v) => {
          const name = `victim${v}`;
          const pid = Number(text(await eventually(async () => {
            const r = await ops.callTool({ name: `${name}__pid`, arguments: {} });
            return !r.isError && r;
          }, 30_000, `${name} back`)));
          let killed = false;
          const result = await ops.callTool({ name: `${name}__slow`, arguments: { steps: 50, stepMs: 100 } }, undefined, {
            onprogress: () => {
              if (!killed) {
                killed = true;
                process.kill(pid, 'SIGKILL');
              }
            },
          });
          answered++;
          if (result.isError) errors++;
          expect(killed).toBe(true);
          expect(text(result)).toMatch(new RegExp(`server "${name}" exited during the call to slow`));
        }),
      );
      // The other servers keep serving in the meantime.
      for (let i = 0; i < 5; i++) if (text(await ops.callTool({ name: 'steady__add', arguments: { a: i, b: 1 } })) === String(i + 1)) steadyOk++;
    }
    const kills = VICTIMS * KILLS_PER_VICTIM;
    expect(answered).toBe(kills);
    expect(errors).toBe(kills);
    await alive();
    figure('downstream SIGKILLed mid-call', `${kills} kills, ${answered}/${kills} calls answered (error), ${steadyOk}/${5 * KILLS_PER_VICTIM} calls to a healthy server ok, hub alive`);
  });

  it('times out a hung server, opens its circuit after 3 failures, fails fast, and closes it after a probe', async () => {
    const timeouts = [];
    for (let i = 0; i < 3; i++) timeouts.push(await ops.callTool({ name: 'hung__hang', arguments: {} }));
    expect(timeouts.every((r) => r.isError && /did not answer the call to hang within 300 ms/.test(text(r)))).toBe(true);
    const fast = await ops.callTool({ name: 'hung__echo', arguments: { message: 'x' } });
    expect(fast.isError).toBe(true);
    expect(text(fast)).toMatch(/server "hung" is failing \(3 consecutive failed calls\)/);
    const metricsOpen = await (await fetch(hub.url.replace(/\/mcp$/, '/metrics'), { headers: { authorization: `Bearer ${OPS_TOKEN}` } })).text();
    expect(metricsOpen).toMatch(/mcp_hub_circuit_state\{server="hung"\} 2/);
    let refusedFast = 1;
    // Once resetMs has passed a probe goes through; echo answers, so the circuit closes.
    const probe = await eventually(async () => {
      const r = await ops.callTool({ name: 'hung__echo', arguments: { message: 'probe' } });
      if (r.isError) refusedFast++;
      return !r.isError && r;
    }, 20_000, 'the circuit to close');
    expect(text(probe)).toBe('hung: probe');
    expect(text(await ops.callTool({ name: 'hung__echo', arguments: { message: 'again' } }))).toBe('hung: again');

    // A server that never finishes its handshake: the hub started without it and says so.
    const status = (await ops.callTool({ name: 'hub_status', arguments: {} })).structuredContent as { servers: Array<{ name: string; state: string; error?: string }> };
    const stuck = status.servers.find((s) => s.name === 'stuck')!;
    expect(stuck.state).not.toBe('ready');
    expect(stuck.error).toMatch(/within 1000 ms/);
    figure('hung downstream', `3 calls timed out (300 ms), circuit opened, ${refusedFast} calls failed fast, probe closed it; a server hung in its handshake left out (${stuck.state})`);
  });

  it('keeps a server to maxConcurrent calls at once', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => ops.callTool({ name: 'limited__busy', arguments: { ms: 150 } })));
    const maxSeen = Math.max(...results.map((r) => (r.structuredContent as { max: number }).max));
    expect(maxSeen).toBeLessThanOrEqual(2);
    figure('per-server concurrency limit', `8 concurrent calls, at most ${maxSeen} in flight at the server (maxConcurrent 2)`);
  });

  it('survives a server that writes garbage to stdout', async () => {
    let ok = 0;
    const calls = 20;
    for (let i = 0; i < calls; i++) {
      const r = await ops.callTool({ name: 'garbage__garble', arguments: { lines: 50 } });
      if (text(r) === 'survived 50 lines of garbage') ok++;
    }
    expect(ok).toBe(calls);
    await alive();
    figure('garbage-writing downstream', `${calls * 50} garbage lines over ${calls} calls, ${ok}/${calls} calls answered correctly`);
  });

  it('answers 1,000 malformed or hostile JSON-RPC messages over HTTP with errors, and stays up with stable memory', async () => {
    const headers = await openRawSession(hub.url, OPS_TOKEN);
    const corpus = hostileCorpus(1000, 1_000_000);
    // Oversized bodies too (over http.maxBodyBytes).
    corpus.splice(0, 20, ...Array.from({ length: 20 }, () => ({ line: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(100_000) } }), expectAnswer: true })));
    const rssBefore = rssMb(hub.child.pid!);
    let answered = 0;
    let errorAnswers = 0;
    let statuses5xx = 0;
    for (const { line, expectAnswer } of corpus) {
      const r = await post(hub.url, line, headers);
      answered++;
      if (r.status >= 500) statuses5xx++;
      if (expectAnswer === true) {
        expect(isErrorAnswer(r.messages[0]), `${line.slice(0, 80)} -> ${r.status} ${JSON.stringify(r.messages).slice(0, 200)}`).toBe(true);
        errorAnswers++;
      } else if (expectAnswer === 'any') expect(r.messages[0]?.id).toBeDefined();
      else expect(r.status).toBeLessThan(500);
    }
    await alive();
    const rssAfter = rssMb(hub.child.pid!);
    expect(statuses5xx).toBe(0);
    expect(rssAfter - rssBefore).toBeLessThan(100);
    const needed = corpus.filter((c) => c.expectAnswer === true).length;
    const odd = corpus.filter((c) => c.expectAnswer === 'any').length;
    figure('hostile JSON-RPC over HTTP', `${corpus.length} messages (20 oversized), all answered: ${errorAnswers}/${needed} invalid ones with an error, ${odd} odd-but-valid requests with a result, 0 5xx; RSS ${rssBefore} -> ${rssAfter} MB`);
  });

  it('serves 100 concurrent HTTP sessions making calls', async () => {
    const sessions = 100;
    const callsEach = 4;
    const clients = await Promise.all(Array.from({ length: sessions }, () => connect(hub.url, OPS_TOKEN)));
    try {
      const results = await Promise.all(
        clients.map(async (c, i) => {
          const out = [
            await c.callTool({ name: 'steady__echo', arguments: { message: `s${i}` } }),
            await c.callTool({ name: 'steady__add', arguments: { a: i, b: i } }),
            await c.callTool({ name: 'call_tool', arguments: { name: 'alpha__echo', arguments: { message: `s${i}` } } }),
            await c.callTool({ name: 'hub_status', arguments: {} }),
          ];
          return text(out[0]) === `steady: s${i}` && text(out[1]) === String(2 * i) && text(out[2]) === `alpha: s${i}` && !out[3].isError;
        }),
      );
      const ok = results.filter(Boolean).length;
      expect(ok).toBe(sessions);
      // /health says only up or down; the session count is in the metrics (admin tokens).
      expect(await (await fetch(hub.url.replace(/\/mcp$/, '/health'))).json()).toEqual({ status: 'ok' });
      const metrics = await (await fetch(hub.url.replace(/\/mcp$/, '/metrics'), { headers: { authorization: `Bearer ${OPS_TOKEN}` } })).text();
      expect(Number(/^mcp_hub_http_sessions (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(sessions);
      figure('concurrent HTTP sessions', `${sessions} sessions x ${callsEach} calls: ${ok * callsEach}/${sessions * callsEach} correct`);
    } finally {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    }
  });

  it('refuses unauthenticated requests, forged Origins and Hosts, and other tokens\' sessions', async () => {
    const variants: Array<Record<string, string>> = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: `Bearer ${OPS_TOKEN}x` },
      { authorization: `Bearer ${OPS_TOKEN.toUpperCase()}` },
      { authorization: `Basic ${Buffer.from(`ops:${OPS_TOKEN}`).toString('base64')}` },
      { authorization: `bearer  ${READER_TOKEN.slice(0, -1)}` },
      { authorization: 'Bearer null' },
    ];
    let unauth = 0;
    for (let i = 0; i < 50; i++) {
      const h = variants[i % variants.length];
      for (const body of [INIT(i), JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list' })]) {
        const r = await post(hub.url, body, h);
        expect(r.status).toBe(401);
        expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(r.messages[0]?.error?.code).toBe(-32001);
        unauth++;
      }
    }
    const metrics = await fetch(hub.url.replace(/\/mcp$/, '/metrics'));
    expect(metrics.status).toBe(401);
    unauth++;

    let forged = 0;
    for (const origin of ['http://evil.example', 'https://attacker.test', 'null', 'http://127.0.0.1.evil.example']) {
      const r = await post(hub.url, INIT(), { authorization: `Bearer ${OPS_TOKEN}`, origin });
      expect(r.status).toBe(403);
      expect(r.messages[0]?.error?.message).toMatch(/Origin .* is not allowed/);
      forged++;
    }
    // DNS rebinding: a foreign Host header on a loopback hub.
    const port = new URL(hub.url).port;
    const rebound = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host: `evil.example:${port}`, authorization: `Bearer ${OPS_TOKEN}`, 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end(INIT());
      });
    });
    expect(rebound).toBe(403);
    forged++;

    // A session opened with one token is invisible to another.
    const opsSession = await openRawSession(hub.url, OPS_TOKEN);
    const hijack = await post(hub.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), { ...opsSession, authorization: `Bearer ${READER_TOKEN}` });
    expect(hijack.status).toBe(404);
    await alive();
    figure('unauthenticated requests', `${unauth}/${unauth} refused (401), /metrics included`);
    figure('forged Origin / Host', `${forged}/${forged} refused (403); another token's session id: 404`);
  });

  it('confines a scoped token to its tools on every path', async () => {
    const reader = await connect(hub.url, READER_TOKEN);
    let refused = 0;
    try {
      const listed = (await reader.listTools()).tools.map((t) => t.name).sort();
      expect(listed).toEqual(['call_tool', 'describe_tool', 'hub_status', 'search_tools', 'steady__add', 'steady__echo']);
      expect(text(await reader.callTool({ name: 'steady__echo', arguments: { message: 'in scope' } }))).toBe('steady: in scope');
      const attempts: Array<[string, Record<string, unknown>, RegExp]> = [
        ['steady__pid', {}, /not available to token "reader"/], // direct tools/call
        ['alpha__echo', { message: 'x' }, /not available to token "reader"/],
        ['call_tool', { name: 'steady__pid', arguments: {} }, /not available to token "reader"/],
        ['call_tool', { name: 'beta__env', arguments: {} }, /not available to token "reader"/],
        ['describe_tool', { name: 'steady__pid' }, /Unknown tool "steady__pid"/],
        ['orchestrate', { task: 'anything' }, /orchestrate is not available to token "reader"/],
        ['plan_task', { task: 'anything' }, /not available to token "reader"/],
        ['schedule_workflow', { schedule: '0 9 * * 1', task: 'x' }, /not available to token "reader"/],
        ['list_workflows', {}, /not available to token "reader"/],
        ['run_workflow', { id: 'x' }, /not available to token "reader"/],
        ['memory_search', { query: 'x' }, /not available to token "reader"/],
      ];
      for (const [name, args, message] of attempts) {
        const r = await reader.callTool({ name, arguments: args });
        expect(r.isError, name).toBe(true);
        expect(text(r), name).toMatch(message);
        refused++;
      }
      const found = (await reader.callTool({ name: 'search_tools', arguments: { query: 'process id environment echo add', limit: 20 } })).structuredContent as { tools: Array<{ name: string }> };
      expect(found.tools.length).toBeGreaterThan(0);
      expect(found.tools.every((t) => t.name === 'steady__echo' || t.name === 'steady__add')).toBe(true);
      expect((await reader.listResources()).resources).toEqual([]);
      expect((await reader.listPrompts()).prompts).toEqual([]);
      await expect(reader.readResource({ uri: 'hub://steady/fixture://readme' })).rejects.toThrow(/not available to token "reader"/);
      await expect(reader.getPrompt({ name: 'steady__greet', arguments: { who: 'x' } })).rejects.toThrow(/unknown prompt/);
      refused += 2;
      // Same calls with the full token work (the refusals above are the scope, not the tools).
      expect(text(await ops.callTool({ name: 'steady__pid', arguments: {} }))).toMatch(/^\d+$/);
    } finally {
      await reader.close();
    }
    figure('wrong-scope requests', `${refused}/${refused} refused (direct, call_tool, describe, orchestrate, plan, workflows, memory, resources, prompts); tools/list and search show only the 2 tools in scope`);
  });

  it('keeps one server\'s secrets out of another server\'s environment and out of every log', async () => {
    const envOf = async (server: string) => JSON.parse(text(await ops.callTool({ name: `${server}__env`, arguments: {} }))) as Record<string, string>;
    const alpha = await envOf('alpha');
    const beta = await envOf('beta');
    const steady = await envOf('steady');
    expect(alpha.ALPHA_API_KEY).toBe(ALPHA_SECRET);
    expect(beta.BETA_TOKEN).toBe(BETA_SECRET);
    for (const env of [beta, steady]) expect(JSON.stringify(env)).not.toContain(ALPHA_SECRET);
    for (const env of [alpha, steady]) expect(JSON.stringify(env)).not.toContain(BETA_SECRET);
    for (const env of [alpha, beta, steady]) {
      expect(JSON.stringify(env)).not.toContain(HUB_SECRET);
      expect(JSON.stringify(env)).not.toContain(OPS_TOKEN);
    }
    // Secrets in arguments go to the audit masked.
    await ops.callTool({ name: 'call_tool', arguments: { name: 'steady__echo', arguments: { message: 'hello', apiKey: ALPHA_SECRET } } });
    // The logs: the hub's stderr (debug, where the alpha fixture's stderr line with its secret is logged), the log file and the audit.
    const audit = path.join(dir, 'data', 'audit.jsonl');
    await eventually(() => readFileSync(audit, 'utf8').includes('"apiKey":"[REDACTED]"'), 10_000, 'the audit line');
    await eventually(() => readFileSync(logFile, 'utf8').includes('my secret is [REDACTED]'), 10_000, 'the log file');
    const logs = { stderr: hub.stderr(), 'log file': readFileSync(logFile, 'utf8'), audit: readFileSync(audit, 'utf8') };
    for (const [where, content] of Object.entries(logs)) {
      for (const secret of [ALPHA_SECRET, BETA_SECRET, OPS_TOKEN, READER_TOKEN]) expect(content.includes(secret), `${where} holds a secret`).toBe(false);
    }
    expect(logs.stderr).toContain('my secret is [REDACTED]');
    const servers = 3 + VICTIMS + 3;
    figure('secret isolation', `3 servers' environments checked: no other server's secret, no hub-only variable, no token; 4 secrets absent from stderr, log file and audit (${Object.values(logs).reduce((n, l) => n + l.length, 0)} bytes, ${servers} servers)`);
  });

  it('audits every call with its client and outcome, and exposes Prometheus metrics', async () => {
    const audit = path.join(dir, 'data', 'audit.jsonl');
    await ops.callTool({ name: 'steady__add', arguments: { a: 4000, b: 2 } });
    const lines = await eventually(() => {
      const all = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
      return all.some((l) => l.tool === 'steady__add' && l.args?.a === 4000) && all;
    }, 10_000, 'the audit line');
    const add = lines.find((l) => l.tool === 'steady__add' && l.args?.a === 4000)!;
    expect(add).toMatchObject({ kind: 'tool', client: 'ops', server: 'steady', outcome: 'ok', args: { a: 4000, b: 2 } });
    expect(lines.some((l) => l.client === 'reader' && l.outcome === 'refused' && l.tool === 'steady__pid')).toBe(true);
    expect(lines.some((l) => l.client === 'reader' && l.outcome === 'refused' && l.tool === 'orchestrate' && l.kind === 'meta')).toBe(true);
    expect(lines.some((l) => l.tool === 'victim0__slow' && l.outcome === 'error')).toBe(true);

    // Metrics name every server and count every token's calls: admin tokens only.
    expect((await fetch(hub.url.replace(/\/mcp$/, '/metrics'), { headers: { authorization: `Bearer ${READER_TOKEN}` } })).status).toBe(403);
    const res = await fetch(hub.url.replace(/\/mcp$/, '/metrics'), { headers: { authorization: `Bearer ${OPS_TOKEN}` } });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/mcp_hub_tool_calls_total\{server="steady",tool="steady__add",outcome="ok"\} \d+/);
    expect(body).toMatch(/mcp_hub_tool_calls_total\{server="victim0",tool="victim0__slow",outcome="error"\} 4/);
    expect(body).toMatch(/mcp_hub_tool_call_duration_seconds_bucket\{le="0\.1",server="steady",tool="steady__echo"\}/);
    expect(body).toMatch(/mcp_hub_tool_calls_total\{server="hub",tool="unknown",outcome="error"\}/); // hostile names stay one label
    expect(body).toMatch(/mcp_hub_http_refused_total\{reason="auth"\} \d+/);
    expect(body).toMatch(/mcp_hub_circuit_state\{server="hung"\} 0/);
    expect(body).toMatch(/mcp_hub_process_resident_memory_bytes/);
    figure('audit and metrics', `${lines.length} audit lines (token names, refusals, errors); /metrics ${Math.round(body.length / 1024)} KB`);
  });
});

// ---------- the same hostile corpus over stdio ----------

describe('fault injection (stdio hub)', () => {
  it('answers 1,000 malformed or hostile JSON-RPC lines over stdio with errors, and stays up with stable memory', async () => {
    const dir = tempDir('faults-stdio-');
    const config = writeConfig(dir, { ...QUIET, dataDir: path.join(dir, 'data'), servers: { steady: fixture('steady') } });
    const child = spawn(process.execPath, [CLI, 'serve', '--config', config], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...(process.env as Record<string, string>), ORCHESTRATOR_LOG_LEVEL: 'warn' } });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stderr!.resume();
    const waiting: Array<(m: Record<string, any>) => void> = [];
    let buffer = '';
    const received: Array<Record<string, any>> = [];
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const msg = JSON.parse(line); // the hub's stdout must only ever carry JSON-RPC
        if (msg.id === undefined && msg.method) continue; // notifications (list_changed, logs)
        received.push(msg);
        waiting.shift()?.(msg);
      }
    });
    const next = () => new Promise<Record<string, any>>((resolve) => waiting.push(resolve));
    const send = (line: string) => child.stdin!.write(`${line}\n`);
    try {
      send(INIT(0));
      expect((await next()).result?.serverInfo?.name).toBe('mcp-orchestrator');
      send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      await eventually(async () => {
        send(JSON.stringify({ jsonrpc: '2.0', id: 'ready', method: 'tools/list' }));
        return ((await next()).result?.tools ?? []).some((t: { name: string }) => t.name === 'steady__add');
      }, 30_000, 'steady to be ready');
      const rssBefore = rssMb(child.pid!);
      const corpus = hostileCorpus(1000, 2_000_000);
      let errorAnswers = 0;
      for (const { line, expectAnswer } of corpus) {
        send(line);
        if (!expectAnswer) continue;
        const answer = await next();
        if (expectAnswer === 'any') continue;
        expect(isErrorAnswer(answer), `${line.slice(0, 80)} -> ${JSON.stringify(answer).slice(0, 200)}`).toBe(true);
        errorAnswers++;
      }
      send(JSON.stringify({ jsonrpc: '2.0', id: 'last', method: 'tools/call', params: { name: 'steady__add', arguments: { a: 1, b: 2 } } }));
      const last = await next();
      expect(last.id).toBe('last');
      expect(last.result.structuredContent).toEqual({ sum: 3 });
      const rssAfter = rssMb(child.pid!);
      expect(rssAfter - rssBefore).toBeLessThan(100);
      expect(child.exitCode).toBeNull();
      const needed = corpus.filter((c) => c.expectAnswer === true).length;
      const odd = corpus.filter((c) => c.expectAnswer === 'any').length;
      figure('hostile JSON-RPC over stdio', `${corpus.length} lines: ${errorAnswers}/${needed} invalid ones answered with an error, ${odd} odd-but-valid requests with a result, ${corpus.length - needed - odd} notifications/responses ignored; hub alive, RSS ${rssBefore} -> ${rssAfter} MB`);
    } finally {
      child.stdin!.end();
      expect(await exited).toBe(0);
    }
  });
});

// ---------- limits, refusal to start, graceful shutdown ----------

describe('fault injection (limits and lifecycle)', () => {
  it('applies rate limits (429 + Retry-After), body size, session limits and idle expiry', async () => {
    const dir = tempDir('faults-limits-');
    const token = `lim-${randomBytes(16).toString('hex')}`;
    const config = writeConfig(dir, {
      ...QUIET,
      dataDir: path.join(dir, 'data'),
      servers: { steady: fixture('steady') },
      http: { auth: { tokens: [{ name: 'lim', token, tools: ['*'], maxSessions: 3 }] }, rateLimit: { perSession: 1, perToken: 1000 }, maxSessions: 3, sessionIdleMs: 400, maxBodyBytes: 2048 },
    });
    const hub = await startHttpHub(config);
    try {
      const headers = await openRawSession(hub.url, token);
      let limited = 0;
      let retryAfter = '';
      for (let i = 0; i < 10; i++) {
        const r = await post(hub.url, JSON.stringify({ jsonrpc: '2.0', id: i, method: 'ping' }), headers);
        if (r.status === 429) {
          limited++;
          retryAfter = r.headers.get('retry-after') ?? '';
          expect(r.messages[0]?.error?.message).toMatch(/rate limit/);
        }
      }
      expect(limited).toBeGreaterThan(0);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);

      const big = await post(hub.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { pad: 'x'.repeat(5000) } }), { authorization: `Bearer ${token}` });
      expect(big.status).toBe(413);
      expect(big.messages[0]?.error?.code).toBe(-32600);

      // Up to maxSessions (3, one open above), then 503.
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await post(hub.url, INIT(i), { authorization: `Bearer ${token}` })).status);
      expect(statuses).toEqual([200, 200, 503, 503]);

      // Idle sessions are closed: their id stops working, and room for new ones comes back.
      await eventually(async () => (await post(hub.url, JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'ping' }), headers)).status === 404, 15_000, 'the idle session to expire');
      await eventually(async () => (await post(hub.url, INIT(), { authorization: `Bearer ${token}` })).status === 200, 15_000, 'room for a new session');
      figure('HTTP limits', `${limited}/10 requests over 1 req/s refused with 429 (Retry-After ${retryAfter} s); 5 KB body refused 413; sessions beyond 3 refused 503; idle sessions expired`);
    } finally {
      expect(await hub.stop()).toBe(0);
    }
  });

  it('refuses to serve a non-loopback address without auth, and says why', async () => {
    const dir = tempDir('faults-bind-');
    const config = writeConfig(dir, { ...QUIET, servers: {} });
    const child = spawn(process.execPath, [CLI, 'serve', '--http', '--host', '0.0.0.0', '--port', '0', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/refusing to serve HTTP on 0\.0\.0\.0 without authentication.*http\.allowUnauthenticated: true/s);
    figure('open non-loopback bind', 'refused at start (exit 2) with the reason and the fix');
  });

  it('on SIGTERM lets an in-flight call finish, then exits 0; a second signal forces exit', async () => {
    const dir = tempDir('faults-shutdown-');
    const token = `sd-${randomBytes(16).toString('hex')}`;
    const config = writeConfig(dir, { ...QUIET, dataDir: path.join(dir, 'data'), servers: { steady: fixture('steady') }, http: { auth: { tokens: [{ name: 'sd', token, tools: ['*'] }] } } });
    const hub = await startHttpHub(config);
    const client = await connect(hub.url, token);
    let signalled = false;
    const result = await client.callTool({ name: 'steady__slow', arguments: { steps: 8, stepMs: 150 } }, undefined, {
      onprogress: () => {
        if (!signalled) {
          signalled = true;
          hub.child.kill('SIGTERM');
        }
      },
    });
    expect(signalled).toBe(true);
    expect(text(result)).toBe('done 8');
    expect(await hub.exited).toBe(0);
    expect(hub.stderr()).toMatch(/SIGTERM: waiting up to 10000 ms for 1 call\(s\) in flight/);
    const audit = readFileSync(path.join(dir, 'data', 'audit.jsonl'), 'utf8');
    expect(audit).toContain('"tool":"steady__slow"');

    // A call that never ends: the first signal waits for it, the second forces exit.
    const events = path.join(dir, 'events.jsonl');
    const config2 = writeConfig(dir, { ...QUIET, dataDir: path.join(dir, 'data2'), servers: { steady: fixture('steady', { env: { FIXTURE_EVENTS_FILE: events } }) }, http: { auth: { tokens: [{ name: 'sd', token, tools: ['*'] }] } } }, 'second.yaml');
    const second = await startHttpHub(config2);
    const c2 = await connect(second.url, token);
    void c2.callTool({ name: 'steady__hang', arguments: {} }).catch(() => undefined);
    await eventually(() => readEvents(events).some((e) => e.event === 'started'), 10_000, 'the hanging call to start');
    second.child.kill('SIGTERM');
    await eventually(() => second.stderr().includes('waiting up to'), 10_000, 'the first signal to be handled');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain('SIGTERM again: exiting now');
    await c2.close().catch(() => undefined);
    await client.close().catch(() => undefined);
    figure('graceful shutdown', 'SIGTERM during a 1.2 s call: call answered, exit 0, audit flushed; second signal: exit 1 at once');
  });
});
