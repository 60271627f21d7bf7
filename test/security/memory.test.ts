// Memory's trust holes, one test each, against a real embedded Chroma (started from the chromadb npm
// package as the hub starts it): plan reuse never crosses principals, a request that changes a value is
// never reused (the near-miss set in test/fixtures/memory-near-misses.json), search/similar/forget and
// the memory meta-tools see only the caller's entries, the Chroma process gets none of the hub's
// environment, its records are out of reach of a client without the secret tenant, and its files are
// private (0600 / 0700).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChromaClient } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePrincipal, type Principal } from '../../src/access/principal.js';
import { MemoryConfigSchema, type MemoryConfigInput } from '../../src/config/memory.js';
import { collectionName, HashingEmbedder, Memory } from '../../src/memory/index.js';
import type { Plan } from '../../src/planner/plan.js';
import { RunRecordSchema, type RunRecord } from '../../src/planner/record.js';
import { memoryForget, memorySave, memorySearch } from '../../src/server/memory-tools.js';

interface Pair {
  stored: string;
  asked: string;
  args: Record<string, string>;
}
const FIXTURE = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'memory-near-misses.json'), 'utf8')) as { nearMisses: Pair[]; repeats: Pair[] };

const token = (name: string, tools = ['*']): Principal => makePrincipal({ name, local: false, tools, orchestrate: true, workflows: false, admin: false });
const alice = token('alice');
const bob = token('bob');
/** Alice's name with a narrower scope: another key, so another memory. */
const aliceNarrow = token('alice', ['xero__*']);

const TASK = 'Create a ClickUp task for following up on the unpaid invoices from Xero.';
const PLAN: Plan = {
  steps: [
    { id: 'invoices', tool: 'xero__list-invoices', args: { statuses: ['AUTHORISED'] } },
    { id: 'task', tool: 'clickup__create_task', args: { list_id: '901', name: 'Follow up unpaid invoices' } },
  ],
};
const anyTools = { toolsExist: () => true };

let seq = 0;
function run(task: string, principal: Principal | undefined, over: Partial<RunRecord> = {}): RunRecord {
  return RunRecordSchema.parse({
    id: `sec-run-${++seq}`,
    task,
    status: 'succeeded',
    plan: PLAN,
    planSource: 'llm',
    client: principal?.name ?? 'stdio',
    ...(principal ? { principal: principal.ref() } : {}),
    startedAt: new Date().toISOString(),
    ...over,
  });
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'memory-sec-'));
  dirs.push(d);
  return d;
}
const config = (input: MemoryConfigInput = {}) => MemoryConfigSchema.parse(input);

const SECRET_VAR = 'HUB_TEST_SECRET_API_KEY';
const SECRET_VALUE = `sk-memory-sec-${process.pid}-do-not-leak`;

let dataDir: string;
let owner: Memory;
const opened: Memory[] = [];

/** A memory in a collection of its own on the embedded server `owner` runs (joined through its data directory, as a second hub would). */
async function fresh(): Promise<Memory> {
  const m = await Memory.start(config({ collection: `sec-${++seq}` }), { dataDir });
  expect(m.status(), m.status().reason).toMatchObject({ state: 'ready' });
  opened.push(m);
  return m;
}

function chromaPid(dir: string): number {
  return (JSON.parse(readFileSync(path.join(dir, 'chroma', 'hub-server.json'), 'utf8')) as { pid: number }).pid;
}

function hostPort(url: string) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), ssl: false };
}

beforeAll(async () => {
  dataDir = tempDir();
  // Data written before the rule (by an older hub or by hand) is locked down at start too.
  mkdirSync(path.join(dataDir, 'chroma'), { mode: 0o755 });
  chmodSync(path.join(dataDir, 'chroma'), 0o755);
  writeFileSync(path.join(dataDir, 'chroma', 'old-notes.txt'), 'written before', { mode: 0o644 });
  chmodSync(path.join(dataDir, 'chroma', 'old-notes.txt'), 0o644);
  process.env[SECRET_VAR] = SECRET_VALUE;
  try {
    owner = await Memory.start(config(), { dataDir });
  } finally {
    delete process.env[SECRET_VAR];
  }
  expect(owner.status(), owner.status().reason).toMatchObject({ state: 'ready', embedded: true });
});

afterAll(async () => {
  await Promise.all(opened.map((m) => m.close()));
  await owner?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('plan reuse', () => {
  it('never crosses principals: another token (or the same name with another scope) with the same request plans afresh', async () => {
    const m = await fresh();
    await m.store(run(TASK, alice));
    expect(await m.findReusable(TASK, { principal: alice, ...anyTools })).toMatchObject({ plan: PLAN });
    expect(await m.findReusable(TASK, { principal: bob, ...anyTools })).toBeUndefined();
    expect(await m.findReusable(TASK, { principal: aliceNarrow, ...anyTools })).toBeUndefined();
    // The local user (no principal) is a principal of its own too.
    expect(await m.findReusable(TASK, anyTools)).toBeUndefined();
    // Nor is the run an example for another principal's planning.
    expect(await m.similar(TASK, 5, { principal: bob })).toEqual([]);
    expect((await m.similar(TASK, 5, { principal: alice })).map((s) => s.record.task)).toEqual([TASK]);
  });

  it(`never reuses a plan for a request that changes a value (${FIXTURE.nearMisses.length} near misses), and reuses true repeats`, async () => {
    const m = await fresh();
    const reusedNearMisses: string[] = [];
    let repeatsReused = 0;
    const check = async (pair: Pair) => {
      const stored = run(pair.stored, alice, { plan: { steps: [{ id: 'act', tool: 'app__act', args: pair.args }] } });
      await m.store(stored);
      // The stored request itself is reused, so a refusal below is the changed value's doing.
      expect(await m.findReusable(pair.stored, { principal: alice, ...anyTools }), pair.stored).toBeDefined();
      const found = await m.findReusable(pair.asked, { principal: alice, ...anyTools });
      expect(await m.forget({ id: stored.id }, { principal: alice })).toBe(1);
      return found;
    };
    for (const pair of FIXTURE.nearMisses) if (await check(pair)) reusedNearMisses.push(`${pair.stored} -> ${pair.asked}`);
    const missedRepeats: string[] = [];
    for (const pair of FIXTURE.repeats) {
      if (await check(pair)) repeatsReused++;
      else missedRepeats.push(`${pair.stored} -> ${pair.asked}`);
    }
    const rate = repeatsReused / FIXTURE.repeats.length;
    console.log(
      `near misses: ${FIXTURE.nearMisses.length - reusedNearMisses.length}/${FIXTURE.nearMisses.length} planned afresh (precision ${reusedNearMisses.length ? 'below 1' : '1.0'}); ` +
        `true repeats reused: ${repeatsReused}/${FIXTURE.repeats.length} (${(rate * 100).toFixed(0)}%)${missedRepeats.length ? `; not reused: ${missedRepeats.join(' | ')}` : ''}`,
    );
    expect(reusedNearMisses, 'near misses that were reused').toEqual([]);
    expect(rate).toBeGreaterThanOrEqual(0.8);
  });
});

describe('search, similar and forget', () => {
  it('see and remove only the caller\'s own entries; earlier entries are the local user\'s', async () => {
    const m = await fresh();
    const aliceRun = run('Send the payroll summary for Acme to the finance chat', alice);
    const bobRun = run('Send the payroll summary for Globex to the finance chat', bob);
    const localRun = run('Send the payroll summary for Initech to the finance chat', undefined);
    for (const r of [aliceRun, bobRun, localRun]) expect(await m.store(r)).toBe(true);
    const aliceNote = await m.saveNote('alice: the payroll chat is -100777', { principal: alice });
    expect(aliceNote).toBeDefined();

    const texts = async (p: Principal | undefined, query = '') => (await m.search(query, 50, { principal: p })).map((h) => h.text).sort();
    expect(await texts(bob)).toEqual([bobRun.task]);
    expect(await texts(bob, 'payroll summary chat')).toEqual([bobRun.task]);
    expect(await texts(alice, 'payroll summary chat')).toEqual(['alice: the payroll chat is -100777', aliceRun.task].sort());
    expect(await texts(undefined, 'payroll summary chat')).toEqual([localRun.task]);
    expect(await texts(aliceNarrow)).toEqual([]);
    expect((await m.similar('payroll summary', 10, { principal: bob })).map((s) => s.record.id)).toEqual([bobRun.id]);

    // Bob can neither forget Alice's run or note by id nor sweep them with a date.
    expect(await m.forget({ id: aliceRun.id }, { principal: bob })).toBe(0);
    expect(await m.forget({ id: aliceNote! }, { principal: bob })).toBe(0);
    expect(await m.forget({ before: '2999-01-01' }, { principal: bob })).toBe(1);
    expect(await texts(alice)).toHaveLength(2);
    expect(await texts(undefined)).toEqual([localRun.task]);
    expect(await m.forget({ id: aliceRun.id }, { principal: alice })).toBe(1);
  });

  it('the memory meta-tools act as the calling principal', async () => {
    const m = await fresh();
    const ctx = (p: Principal) => ({ hub: { memory: m }, call: { caller: { principal: p } } }) as unknown as Parameters<typeof memorySave.run>[1];
    const saved = await memorySave.run({ text: 'alice prefers invoices grouped by customer' }, ctx(alice));
    const id = (saved.structuredContent as { id: string }).id;
    expect(id).toMatch(/^note:/);
    const seen = async (p: Principal) => ((await memorySearch.run({ query: 'invoices grouped by customer' }, ctx(p))).structuredContent as { entries: Array<{ id: string }> }).entries.map((e) => e.id);
    expect(await seen(alice)).toEqual([id]);
    expect(await seen(bob)).toEqual([]);
    expect((await memoryForget.run({ id }, ctx(bob))).structuredContent).toEqual({ removed: 0 });
    expect(await seen(alice)).toEqual([id]);
  });

  it('entries of a memory from before principals (in the open default tenant) move into the secret one and belong to the local user', async () => {
    const dir = tempDir();
    const first = await Memory.start(config(), { dataDir: dir });
    expect(first.state).toBe('ready');
    // What an earlier hub left: its collection in the default tenant, entries with no owner.
    const open = new ChromaClient(hostPort(first.address!));
    const legacy = await open.getOrCreateCollection({ name: collectionName('orchestrator_memory', new HashingEmbedder()), embeddingFunction: null, configuration: { hnsw: { space: 'cosine' } } });
    const [vector] = await new HashingEmbedder().embed(['Reconcile the Acme bank feed'], 'document');
    const old = run('Reconcile the Acme bank feed', undefined);
    const meta = { kind: 'run', ts: Date.now(), startedAt: old.startedAt, text: old.task, runId: old.id, status: 'succeeded' };
    await legacy.add({ ids: [`run:${old.id}`], embeddings: [Array.from(vector)], documents: [JSON.stringify(old)], metadatas: [meta] });
    await first.close();

    const second = await Memory.start(config(), { dataDir: dir });
    try {
      expect(second.status()).toMatchObject({ state: 'ready', count: 1 });
      expect((await second.search('bank feed', 5)).map((h) => h.text)).toEqual([old.task]);
      expect(await second.search('bank feed', 5, { principal: alice })).toEqual([]);
      expect(await second.findReusable(old.task, { principal: alice, ...anyTools })).toBeUndefined();
      const reopened = new ChromaClient(hostPort(second.address!));
      expect(await reopened.listCollections()).toEqual([]);
    } finally {
      await second.close();
    }
  });
});

describe('the embedded Chroma server', () => {
  it('gets a minimal environment: none of the hub\'s variables', async () => {
    const environ = readFileSync(`/proc/${chromaPid(dataDir)}/environ`, 'utf8').split('\0');
    expect(environ.some((e) => e.startsWith('PATH='))).toBe(true);
    expect(environ.filter((e) => e.includes(SECRET_VAR) || e.includes(SECRET_VALUE))).toEqual([]);
    // Nothing beyond a short list of basics.
    const names = environ.filter(Boolean).map((e) => e.slice(0, e.indexOf('=')));
    expect(names.filter((n) => !['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'NO_COLOR'].includes(n))).toEqual([]);
  });

  it('keeps the records out of reach of a client without the secret tenant, and status shows no address', async () => {
    const marker = `Pay the Umbrella Corp invoice ${process.pid}`;
    expect(await owner.store(run(marker, alice))).toBe(true);
    const address = owner.address!;

    // What a local process that knows only the port can reach: the default tenant and database.
    const stranger = new ChromaClient(hostPort(address));
    const visible = await stranger.listCollections();
    const documents: string[] = [];
    for (const c of visible) documents.push(...((await c.get({ include: ['documents'] })).documents as string[]));
    expect(documents.filter((d) => d?.includes(marker))).toEqual([]);
    expect(visible).toEqual([]);
    const databases = (await (await fetch(`${address}/api/v2/tenants/default_tenant/databases`)).json()) as Array<{ name: string }>;
    expect(databases.map((d) => d.name)).toEqual(['default_database']);

    // The names are in a private file; with them the records are there (the test above is not vacuous).
    const secretFile = path.join(dataDir, 'chroma', 'hub-secret.json');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = JSON.parse(readFileSync(secretFile, 'utf8')) as { tenant: string; database: string };
    expect(secret.tenant).toMatch(/^t_[0-9a-f]{32}$/);
    const insider = new ChromaClient({ ...hostPort(address), ...secret });
    const own = (await insider.listCollections()).find((c) => c.name === owner.status().collection)!;
    expect((await own.get({ include: ['documents'] })).documents.some((d) => d?.includes(marker))).toBe(true);

    // The address stays out of status (shown to scoped tokens); Memory.address has it for admins.
    expect(owner.status()).not.toHaveProperty('url');
    expect(JSON.stringify(owner.status())).not.toContain(new URL(address).port);
  });

  it('keeps its folder 0700 and its files 0600, those from before included', async () => {
    expect(await owner.store(run('Check the file modes', undefined))).toBe(true);
    const bad: string[] = [];
    const walk = (p: string) => {
      const mode = statSync(p).mode & 0o777;
      if (statSync(p).isDirectory()) {
        if (mode !== 0o700) bad.push(`${p} ${mode.toString(8)}`);
        for (const e of readdirSync(p)) walk(path.join(p, e));
      } else if (mode !== 0o600) bad.push(`${p} ${mode.toString(8)}`);
    };
    walk(path.join(dataDir, 'chroma'));
    expect(bad).toEqual([]);
    expect(readdirSync(path.join(dataDir, 'chroma'))).toContain('chroma.sqlite3');
  });
});
