// Fuzzing the hub's edge with hostile JSON-RPC over both transports, against the real hub child
// process: nesting (up to thousands of levels), sizes (past the limits), wrong types in every field,
// unicode (lone surrogates, invalid UTF-8, NUL, BOM, direction overrides), batches and plain garbage.
// A seeded PRNG makes every run the same (FUZZ_SEED=<n> tries another). The hub must answer what needs
// an answer, never crash or answer 5xx, keep its memory, and serve a normal tools/call afterwards.
// Figures go to stderr.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { QUIET, call, fixture, openRawSession, post, rssMb, startHttpHub, startStdioHub, stdioReady, textOf, type Message } from '../fixtures/raw-hub.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const MESSAGES = 2000;
const MAX_BODY = 65_536;
const CONCURRENCY = 8;

/** mulberry32: small, fast, good enough to pick cases reproducibly. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const WEIRD_STRINGS = ['', '\u0000', '\ud800', '\udfff', 'a\ud800b', '\ufeff', '\u202e\u2066evil', '💥'.repeat(3), '\\', '"', '__proto__', 'constructor', '../../etc/passwd', '%s%n', '\r\n', 'null'];
const METHODS = ['ping', 'tools/list', 'tools/call', 'tools/call', 'tools/call', 'resources/list', 'resources/read', 'prompts/list', 'prompts/get', 'initialize', 'completion/complete', 'logging/setLevel', 'notifications/initialized', 'notifications/cancelled', 'no/such'];
const TOOLS = ['steady__echo', 'steady__add', 'nope__x', 'call_tool', 'describe_tool', 'search_tools', 'hub_status'];

function weirdString(r: Rng): string {
  if (r.next() < 0.5) return r.pick(WEIRD_STRINGS);
  const len = r.int(40);
  let s = '';
  // Any UTF-16 code unit, lone surrogates included (JSON.stringify escapes them).
  for (let i = 0; i < len; i++) s += String.fromCharCode(r.int(0x10000));
  return s;
}

/** A JSON value of any type, nested up to `depth` levels (kept modest: deep ones are built as text). */
function value(r: Rng, depth: number): unknown {
  const k = r.int(depth > 0 ? 9 : 6);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1e308, -1e-308, 2 ** 53 + 1, 3.14, -0]);
    case 3:
    case 4:
      return weirdString(r);
    case 5:
      return 'x'.repeat(r.int(2000));
    case 6:
    case 7:
      return Object.fromEntries(Array.from({ length: r.int(5) }, () => [weirdString(r), value(r, depth - 1)]));
    default:
      return Array.from({ length: r.int(5) }, () => value(r, depth - 1));
  }
}

const deepText = (r: Rng, depth: number) => {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    if (r.next() < 0.5) {
      open += '[';
      close = `]${close}`;
    } else {
      open += '{"k":';
      close = `}${close}`;
    }
  }
  return `${open}1${close}`;
};

/** A request (or notification) whose fields may each have the wrong type. */
function message(r: Rng, i: number): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  m.jsonrpc = r.next() < 0.85 ? '2.0' : value(r, 1);
  if (r.next() < 0.85) m.id = r.next() < 0.8 ? i : value(r, 1);
  m.method = r.next() < 0.85 ? r.pick(METHODS) : value(r, 1);
  if (m.method === 'tools/call' && r.next() < 0.8) {
    const name = r.next() < 0.8 ? r.pick(TOOLS) : value(r, 1);
    const args = r.next() < 0.8 ? (name === 'call_tool' ? { name: r.pick(TOOLS), arguments: value(r, 3) } : Object.fromEntries([['message', weirdString(r)], ['a', value(r, 0)], ['b', 2], [weirdString(r), value(r, 3)]])) : value(r, 2);
    m.params = { name, arguments: args };
  } else if (r.next() < 0.7) m.params = value(r, 3);
  if (r.next() < 0.05) m.result = value(r, 2);
  if (r.next() < 0.05) m.error = value(r, 2);
  return m;
}

/** One hostile message as bytes (no newline inside: one stdio line each). */
function hostile(r: Rng, i: number): Buffer {
  const kind = r.int(10);
  let text: string;
  switch (kind) {
    case 0: { // nesting: within the bound, past it, and deep enough to overflow a recursive walk
      const depth = r.pick([1 + r.int(60), 1 + r.int(3000), 5000 + r.int(20_000)]);
      text = r.next() < 0.3 ? deepText(r, depth) : `{"jsonrpc":"2.0","id":${i},"method":"tools/call","params":{"name":"${r.pick(TOOLS)}","arguments":{"deep":${deepText(r, depth)}}}}`;
      break;
    }
    case 1: // sizes: long strings, many keys, past http.maxBodyBytes now and then
      text = JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'steady__echo', arguments: { message: 'y'.repeat(r.next() < 0.2 ? MAX_BODY + r.int(50_000) : r.int(30_000)), ...Object.fromEntries(Array.from({ length: r.int(500) }, (_, k) => [`k${k}`, k])) } } });
      break;
    case 2: // batches
      text = JSON.stringify(r.next() < 0.1 ? [] : Array.from({ length: 1 + r.int(8) }, (_, k) => (r.next() < 0.8 ? message(r, i * 100 + k) : value(r, 2))));
      break;
    case 3: { // invalid UTF-8 and control bytes inside a message
      const bytes = Buffer.from(JSON.stringify(message(r, i)));
      for (let k = 0; k < 1 + r.int(5); k++) bytes[r.int(bytes.length)] = r.pick([0xff, 0xfe, 0xc0, 0x80, 0xed, 0x00, 0x1b]);
      return Buffer.from(bytes.map((b) => (b === 0x0a ? 0x20 : b)));
    }
    case 4: { // garbage bytes
      const bytes = randomBytesFrom(r, r.int(300));
      return Buffer.from(bytes.map((b) => (b === 0x0a ? 0x20 : b)));
    }
    case 5: // truncated JSON
      text = JSON.stringify(message(r, i));
      text = text.slice(0, r.int(text.length));
      break;
    case 6: // a scalar or a wrong top-level value
      text = JSON.stringify(value(r, 1)) ?? 'undefined';
      break;
    case 7: // lone surrogates as escapes, in keys and values, and in the method name
      text = `{"jsonrpc":"2.0","id":${i},"method":"tools/call\\ud800","params":{"name":"steady__echo\\udc00","arguments":{"\\ud800":"\\udfff\\ud800x","message":"\\ud83d"}}}`;
      if (r.next() < 0.5) text = `{"jsonrpc":"2.0","id":${i},"method":"tools/call","params":{"name":"steady__echo","arguments":{"message":"lone \\ud800 surrogate"}}}`;
      break;
    default: // requests with wrong types, unicode and odd values everywhere
      text = JSON.stringify(message(r, i));
  }
  return Buffer.from(text.replace(/\n/g, ' '));
}

function randomBytesFrom(r: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = r.int(256);
  return out;
}

const isError = (m: Message | undefined) => !!m && (m.error !== undefined || m.result?.isError === true);

function tempConfig(prefix: string, http?: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const file = path.join(dir, 'orchestrator.config.yaml');
  writeFileSync(file, stringify({ ...QUIET, dataDir: path.join(dir, 'data'), servers: { steady: fixture('steady') }, ...(http ? { http } : {}) }));
  return file;
}

function report(transport: string, f: Record<string, string | number>): void {
  process.stderr.write(`fuzz ${transport} (seed ${SEED}): ${Object.entries(f).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
}

describe('fuzzing the edge', () => {
  it(`HTTP: ${MESSAGES} hostile messages, no crash, no 5xx, a normal call after`, async () => {
    const token = `fuzz-${randomBytes(16).toString('hex')}`;
    const hub = await startHttpHub(tempConfig('fuzz-http-', { maxBodyBytes: MAX_BODY, auth: { tokens: [{ name: 'fuzz', token, tools: ['*'] }] }, rateLimit: { perSession: 100_000, perToken: 100_000 } }));
    let code: number | null;
    try {
      const headers = await openRawSession(hub.url, token);
      const r = prng(SEED);
      const rssBefore = rssMb(hub.child.pid!);
      const t0 = performance.now();
      let errors = 0;
      let results = 0;
      let empty = 0;
      let fivexx = 0;
      const bodies = Array.from({ length: MESSAGES }, (_, i) => hostile(r, i));
      // A few requests in flight at once, as several clients would send them (and the run stays short).
      let nextIndex = 0;
      const worker = async () => {
        while (nextIndex < bodies.length) {
          const res = await post(hub.url, bodies[nextIndex++], headers);
          if (res.status >= 500) fivexx++;
          if (res.messages.some(isError) || (res.status >= 400 && res.status < 500)) errors++;
          else if (res.messages.length) results++;
          else empty++; // notifications and responses: 202, nothing to say
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const ms = Math.round(performance.now() - t0);
      const after = await post(hub.url, call('after', 'steady__add', { a: 2, b: 3 }), headers);
      expect(after.messages[0]?.result?.structuredContent).toEqual({ sum: 5 });
      const rssAfter = rssMb(hub.child.pid!);
      const crashes = hub.child.exitCode === null ? 0 : 1;
      report('HTTP', { 'messages sent': MESSAGES, 'answered with an error': errors, 'answered with a result': results, 'no answer due (202)': empty, '5xx': fivexx, crashes, RSS: `${rssBefore} -> ${rssAfter} MB`, duration: `${ms} ms` });
      expect(fivexx).toBe(0);
      expect(crashes).toBe(0);
      expect(errors + results + empty).toBe(MESSAGES);
      expect(errors).toBeGreaterThan(MESSAGES / 2);
      expect(rssAfter - rssBefore).toBeLessThan(150);
    } finally {
      code = await hub.stop();
    }
    expect(code).toBe(0);
  }, 60_000);

  it(`stdio: ${MESSAGES} hostile lines, no crash, only protocol on stdout, a normal call after`, async () => {
    const hub = await startStdioHub(tempConfig('fuzz-stdio-'));
    let code: number | null;
    try {
      await stdioReady(hub, 'steady__add');
      const r = prng(SEED + 1);
      const seenBefore = hub.received.length;
      const rssBefore = rssMb(hub.child.pid!);
      const t0 = performance.now();
      for (let i = 0; i < MESSAGES; i++) hub.send(hostile(r, i));
      // Answers may come in any order (calls go to the server); the last one is ours.
      hub.send(call('fuzz-end', 'steady__add', { a: 2, b: 3 }));
      const deadline = Date.now() + 40_000;
      while (!hub.received.some((m) => m.id === 'fuzz-end') && Date.now() < deadline && hub.child.exitCode === null) await new Promise((res) => setTimeout(res, 50));
      const ms = Math.round(performance.now() - t0);
      const last = hub.received.find((m) => m.id === 'fuzz-end');
      expect(textOf(last)).toBe('5');
      await new Promise((res) => setTimeout(res, 300)); // stragglers
      const answers = hub.received.slice(seenBefore).filter((m) => m.id !== 'fuzz-end');
      const errors = answers.filter(isError).length;
      const rssAfter = rssMb(hub.child.pid!);
      const crashes = hub.child.exitCode === null ? 0 : 1;
      report('stdio', { 'messages sent': MESSAGES, 'answers': answers.length, 'answered with an error': errors, 'answered with a result': answers.length - errors, 'non-JSON stdout lines': hub.notJson.length, crashes, RSS: `${rssBefore} -> ${rssAfter} MB`, duration: `${ms} ms` });
      expect(crashes).toBe(0);
      expect(hub.notJson).toEqual([]);
      expect(errors).toBeGreaterThan(MESSAGES / 2);
      expect(rssAfter - rssBefore).toBeLessThan(150);
    } finally {
      code = await hub.stop();
    }
    expect(code).toBe(0);
  }, 60_000);
});
