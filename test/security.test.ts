// Units of the security layer: token authentication and scopes, the config's rules for tokens and
// unauthenticated binds, rate-limit buckets, the circuit breaker and concurrency limit, the audit log's
// redaction and rotation, and plans confined to a client's scope. End to end: test/faults.test.ts.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../src/config/schema.js';
import { Authenticator, sha256, tokenPrincipal, unsafeBinding } from '../src/server/auth.js';
import { allowsMetaTool } from '../src/access/policy.js';
import { localPrincipal } from '../src/access/principal.js';
import { CORE_META_TOOLS } from '../src/server/meta-tools.js';
import { describeTool, searchTools } from '../src/server/search-tools.js';
import { orchestrate, planTask } from '../src/server/orchestrate-tools.js';
import { WORKFLOW_TOOLS } from '../src/server/workflow-tools.js';
import { MEMORY_TOOLS } from '../src/server/memory-tools.js';
import { RateLimiter, TokenBucket } from '../src/server/limits.js';
import { CircuitBreaker, ConcurrencyLimit } from '../src/downstream/breaker.js';
import { AuditLog, summarizeArgs } from '../src/audit/audit.js';
import { registerSecret } from '../src/log/redact.js';
import { Orchestrator } from '../src/planner/orchestrator.js';
import type { Caller } from '../src/access/caller.js';
import { FakeCatalog, ScriptedLlm, planReply, READ_ONLY } from './support/planner-fakes.js';
import { tempDir } from './support/hub.js';

const TOKEN = 'tok-reader-0123456789abcdef';
const tokens = ConfigSchema.parse({
  http: {
    auth: {
      tokens: [
        { name: 'reader', token: TOKEN, tools: ['xero__list-*', 'clickup__*'] },
        { name: 'admin', tokenSha256: sha256('tok-admin-0123456789abcdef').toString('hex'), tools: ['*'], orchestrate: true, workflows: true },
      ],
    },
  },
}).http.auth!.tokens;

describe('authentication and scopes', () => {
  const auth = new Authenticator(tokens);

  it('accepts a configured token or the one behind a configured digest, and nothing else', () => {
    expect(auth.authenticate(`Bearer ${TOKEN}`)?.name).toBe('reader');
    expect(auth.authenticate('bearer tok-admin-0123456789abcdef')?.name).toBe('admin');
    for (const header of [undefined, '', 'Bearer', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `${TOKEN}`, `Bearer ${sha256(TOKEN).toString('hex')}`]) {
      expect(auth.authenticate(header), String(header)).toBeUndefined();
    }
  });

  it('scopes tools by glob over namespaced names, servers by whole-server globs, meta-tools by flag', () => {
    const meta = Object.fromEntries([...CORE_META_TOOLS, searchTools, describeTool, orchestrate, planTask, ...WORKFLOW_TOOLS, ...MEMORY_TOOLS].map((t) => [t.name, t]));
    const reader = tokenPrincipal(tokens[0]);
    expect(reader.allowsTool('xero__list-invoices')).toBe(true);
    expect(reader.allowsTool('xero__create-invoice')).toBe(false);
    expect(reader.allowsTool('clickup__create_task')).toBe(true);
    expect(reader.allowsServer('clickup')).toBe(true);
    expect(reader.allowsServer('xero')).toBe(false);
    expect(['hub_status', 'search_tools', 'describe_tool', 'call_tool'].every((t) => allowsMetaTool(reader, meta[t]))).toBe(true);
    expect(['orchestrate', 'plan_task', 'memory_search', 'schedule_workflow', 'list_workflows', 'run_workflow'].some((t) => allowsMetaTool(reader, meta[t]))).toBe(false);
    const admin = tokenPrincipal(tokens[1]);
    expect(['orchestrate', 'memory_search', 'schedule_workflow'].every((t) => allowsMetaTool(admin, meta[t]))).toBe(true);
    // Every meta-tool declares what it needs; one that does not, and a call with no principal, are refused.
    expect(Object.values(meta).every((t) => t.needs !== undefined)).toBe(true);
    expect(allowsMetaTool(localPrincipal('stdio'), { name: 'undeclared' } as never)).toBe(false);
    expect(allowsMetaTool(undefined, meta.orchestrate)).toBe(false);
  });

  it('rejects weak, doubled or duplicate tokens in the config, and refuses an open non-loopback bind with the reason', () => {
    const parse = (auth: unknown) => ConfigSchema.safeParse({ http: { auth } });
    expect(parse({ tokens: [{ name: 'a', token: 'short', tools: ['*'] }] }).success).toBe(false);
    expect(parse({ tokens: [{ name: 'a', token: TOKEN, tokenSha256: sha256(TOKEN).toString('hex') }] }).success).toBe(false);
    expect(parse({ tokens: [{ name: 'a', token: TOKEN }, { name: 'a', token: `${TOKEN}2` }] }).success).toBe(false);
    expect(parse({ tokens: [] }).success).toBe(false);
    expect(unsafeBinding({ host: '0.0.0.0', auth: undefined, allowUnauthenticated: false })).toMatch(/without authentication.*http\.auth\.tokens.*allowUnauthenticated/);
    expect(unsafeBinding({ host: '0.0.0.0', auth: undefined, allowUnauthenticated: true })).toBeUndefined();
    expect(unsafeBinding({ host: '127.0.0.1', auth: undefined, allowUnauthenticated: false })).toBeUndefined();
  });
});

describe('rate limits', () => {
  it('allows a burst of twice the rate, then says how long to wait, and refills with time', () => {
    const bucket = new TokenBucket(2, 4, 0);
    expect([0, 0, 0, 0].map(() => bucket.take(0))).toEqual([0, 0, 0, 0]);
    expect(bucket.take(0)).toBe(1);
    expect(bucket.take(500)).toBe(0);
    const limiter = new RateLimiter(1);
    limiter.take('a', 0);
    limiter.take('b', 0);
    expect(limiter.size).toBe(2);
    limiter.sweep(10_000);
    expect(limiter.size).toBe(0);
  });
});

describe('circuit breaker and concurrency limit', () => {
  it('opens after N consecutive failures, fails fast, lets one probe through after resetMs, and closes on its success', () => {
    const states: string[] = [];
    const breaker = new CircuitBreaker('xero', { failures: 3, resetMs: 1000 }, (s) => states.push(s));
    breaker.failure(0);
    breaker.success();
    for (let i = 0; i < 3; i++) {
      expect(breaker.admit(0)).toBeUndefined();
      breaker.failure(0);
    }
    expect(breaker.state).toBe('open');
    expect(breaker.admit(500)).toMatch(/server "xero" is failing \(3 consecutive failed calls\).*fail fast/);
    expect(breaker.admit(1000)).toBeUndefined(); // the probe
    expect(breaker.admit(1000)).toMatch(/probe call is checking/);
    breaker.failure(1000);
    expect(breaker.state).toBe('open');
    expect(breaker.admit(2000)).toBeUndefined();
    breaker.release(); // a cancelled probe decides nothing
    expect(breaker.admit(2000)).toBeUndefined();
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('admits at most max calls, hands a freed slot to the next waiter, and drops a waiter whose signal aborts', async () => {
    const limit = new ConcurrencyLimit(2);
    expect(limit.tryAcquire() && limit.tryAcquire()).toBe(true);
    expect(limit.tryAcquire()).toBe(false);
    let third = false;
    const waiting = limit.acquire().then(() => (third = true));
    const abort = new AbortController();
    const dropped = limit.acquire(abort.signal);
    abort.abort(new Error('gone'));
    await expect(dropped).rejects.toThrow('gone');
    expect(limit.queued).toBe(1);
    limit.release();
    await waiting;
    expect(third).toBe(true);
    expect(limit.active).toBe(2);
  });
});

describe('audit log', () => {
  it('writes one JSON line per entry with secrets masked and long values cut, and rotates by size', () => {
    const dir = tempDir('audit-');
    const file = path.join(dir, 'audit.jsonl');
    registerSecret('sk-registered-secret-value-123');
    const audit = new AuditLog({ file, maxBytes: 2000, maxFiles: 2 });
    audit.record({ kind: 'tool', client: 'reader', tool: 'xero__list-invoices', args: { apiKey: 'plain-key', note: 'uses sk-registered-secret-value-123', big: 'x'.repeat(500) }, outcome: 'ok', ms: 3 });
    audit.flush();
    const [line] = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(line).toMatchObject({ kind: 'tool', client: 'reader', tool: 'xero__list-invoices', outcome: 'ok', args: { apiKey: '[REDACTED]', note: 'uses [REDACTED]' } });
    expect(line.args.big).toMatch(/^x{200}\.\.\. \(500 chars\)$/);
    expect(Date.parse(line.time)).not.toBeNaN();
    for (let i = 0; i < 60; i++) {
      audit.record({ kind: 'tool', client: 'stdio', tool: `t${i}`, outcome: 'ok', ms: 1 });
      audit.flush();
    }
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2']);
    for (const f of files) expect(readFileSync(path.join(dir, f)).length).toBeLessThanOrEqual(2000);
    expect(existsSync(`${file}.3`)).toBe(false);
    expect(summarizeArgs({ password: 'hunter22', nested: { token: 'abc12345' } })).toEqual({ password: '[REDACTED]', nested: { token: '[REDACTED]' } });
  });
});

describe('plans confined to a scope', () => {
  const catalog = new FakeCatalog([
    { name: 'xero__list-invoices', annotations: READ_ONLY },
    { name: 'telegram__send_message', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
  ]);
  const scoped: Caller = { principal: tokenPrincipal(tokens[0]), capabilities: () => undefined, sendRequest: async () => ({}) as never };
  const plan = { steps: [{ id: 'list', tool: 'xero__list-invoices', args: {} }, { id: 'send', tool: 'telegram__send_message', args: { text: 'hi' } }] };
  const index = { searchMany: async () => catalog.tools().map((t) => ({ name: t.name, server: t.name.split('__')[0], description: t.name, score: 1 })) };

  it('rejects a given plan with a tool outside the scope before any step runs', async () => {
    const o = new Orchestrator({ caller: catalog, tools: catalog, index, logger: { info() {}, warn() {} } });
    const result = await o.run(plan, { caller: scoped, client: 'reader' });
    expect(result.status).toBe('failed');
    expect(result.record.error).toContain('outside the scope of token "reader": telegram__send_message');
    expect(catalog.calls).toHaveLength(0);
    // The same plan for a full-access client runs.
    expect((await o.run(plan, { client: 'stdio', approve: async () => true })).status).toBe('succeeded');
  });

  it('refuses a planned task that needs a tool outside the scope (plan_task and orchestrate)', async () => {
    const llm = new ScriptedLlm([planReply(plan), planReply(plan), planReply(plan), planReply(plan)]);
    const o = new Orchestrator({ caller: catalog, tools: catalog, index, llm, logger: { info() {}, warn() {} } });
    // The planner sees only the token's tools: the out-of-scope one reads as unknown, and nothing runs.
    await expect(o.plan('list invoices and tell the team', { caller: scoped })).rejects.toThrow(/unknown tool "telegram__send_message"/);
    const before = catalog.calls.length;
    const run = await o.run('list invoices and tell the team', { caller: scoped });
    expect(run.status).toBe('failed');
    expect(run.record.error).toMatch(/Planning failed.*unknown tool "telegram__send_message"/s);
    expect(catalog.calls.length).toBe(before);
  });
});
