// The run memory against a real Chroma server, started from the chromadb npm package exactly as the
// hub starts it (Memory.start with no URL). One embedded server serves most tests, each in its own
// collection (joined through `chroma.url`, the shared-server path); persistence and shutdown get
// servers of their own.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChromaClient } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryConfigSchema, type MemoryConfigInput } from '../src/config/memory.js';
import { freePort, heartbeat } from '../src/memory/chroma-server.js';
import { collectionName, HashingEmbedder, Memory } from '../src/memory/index.js';
import type { Plan } from '../src/planner/plan.js';
import { RunRecordSchema, type RunRecord } from '../src/planner/record.js';
import type { Embedder } from '../src/routing/embedder.js';

const SEED = 'Create a ClickUp task for following up on the unpaid invoices from Xero, and send a summary to our Telegram group.';

const seedPlan: Plan = {
  steps: [
    { id: 'invoices', tool: 'xero__list-invoices', args: { statuses: ['AUTHORISED'] } },
    { id: 'task', tool: 'clickup__create_task', args: { list_id: '901', name: 'Follow up unpaid invoices' } },
    { id: 'notify', tool: 'telegram__send_message', args: { chat_id: '-100200', text: { $expr: 'steps.task.url' } } },
  ],
};

const SCHEMAS: Record<string, unknown> = {
  'xero__list-invoices': { type: 'object', properties: { statuses: { type: 'array' } } },
  clickup__create_task: { type: 'object', properties: { list_id: { type: 'string' }, name: { type: 'string' } }, required: ['list_id', 'name'] },
  telegram__send_message: { type: 'object', properties: { chat_id: { type: 'string' }, text: { type: 'string' } } },
};

let seq = 0;
function run(task: string, over: Partial<RunRecord> = {}): RunRecord {
  return RunRecordSchema.parse({ id: `run-${++seq}`, task, status: 'succeeded', plan: seedPlan, planSource: 'llm', client: 'test', startedAt: new Date().toISOString(), usage: { llmCalls: 1 }, ...over });
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'memory-test-'));
  dirs.push(d);
  return d;
}

const config = (input: MemoryConfigInput = {}) => MemoryConfigSchema.parse(input);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let shared: Memory;
let url: string;
const opened: Memory[] = [];

/** A memory in its own collection on the shared server. */
async function fresh(input: MemoryConfigInput = {}, deps: Partial<Parameters<typeof Memory.start>[1]> = {}): Promise<Memory> {
  const m = await Memory.start(config({ collection: `test-${++seq}`, ...input, chroma: { url, ...input.chroma } }), {
    dataDir: tempDir(),
    toolSchema: (name) => SCHEMAS[name],
    ...deps,
  });
  opened.push(m);
  return m;
}

beforeAll(async () => {
  shared = await Memory.start(config(), { dataDir: tempDir() });
  const status = shared.status();
  expect(status, status.reason).toMatchObject({ state: 'ready', embedded: true });
  url = shared.address!;
});

afterAll(async () => {
  await Promise.all(opened.map((m) => m.close()));
  await shared?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('embedded Chroma', () => {
  it('runs on a loopback port with the data under <dataDir>/chroma, keyed by the embedder', async () => {
    const s = shared.status();
    expect(shared.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.embedder).toBe(new HashingEmbedder().id);
    expect(s.collection).toBe(collectionName('orchestrator_memory', new HashingEmbedder()));
    expect(await heartbeat(url)).toBe(true);
  });

  it('keeps runs across a restart on the same data directory, and stops its server on close', async () => {
    const dataDir = tempDir();
    const first = await Memory.start(config(), { dataDir });
    expect(first.state).toBe('ready');
    const firstUrl = first.address!;
    const lock = JSON.parse((await import('node:fs')).readFileSync(path.join(dataDir, 'chroma', 'hub-server.json'), 'utf8')) as { pid: number };
    expect(await first.store(run(SEED))).toBe(true);
    await first.close();
    expect(first.status().state).toBe('off');
    expect(alive(lock.pid)).toBe(false);
    expect(await heartbeat(firstUrl)).toBe(false);
    expect(existsSync(path.join(dataDir, 'chroma', 'chroma.sqlite3'))).toBe(true);

    const second = await Memory.start(config(), { dataDir });
    try {
      expect(second.status()).toMatchObject({ state: 'ready', count: 1 });
      const [hit] = await second.similar(SEED, 1);
      expect(hit.record.task).toBe(SEED);
      expect(hit.record.plan).toEqual(seedPlan);
    } finally {
      await second.close();
    }
  });

  it('takes the server down with the hub even when the hub is killed', async () => {
    const dataDir = tempDir();
    // A stand-in hub process: starts memory, prints the server's pid, then waits to be killed.
    const script = `
      const { Memory } = await import(${JSON.stringify(path.resolve('dist/src/memory/index.js'))});
      const { MemoryConfigSchema } = await import(${JSON.stringify(path.resolve('dist/src/config/memory.js'))});
      const m = await Memory.start(MemoryConfigSchema.parse({}), { dataDir: ${JSON.stringify(dataDir)} });
      console.log(JSON.stringify({ ...m.status(), url: m.address }));
      setInterval(() => {}, 1000);`;
    if (!existsSync('dist/src/memory/index.js')) throw new Error('build first: npx tsc -p tsconfig.json');
    const hub = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    const status = await new Promise<{ state: string; url: string }>((resolve, reject) => {
      let out = '';
      hub.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
      });
      hub.on('exit', (code) => reject(new Error(`stand-in hub exited with ${code}`)));
    });
    expect(status.state).toBe('ready');
    const { pid } = JSON.parse((await import('node:fs')).readFileSync(path.join(dataDir, 'chroma', 'hub-server.json'), 'utf8')) as { pid: number };
    expect(alive(pid)).toBe(true);
    const exited = new Promise((r) => hub.on('exit', r));
    hub.kill('SIGKILL');
    await exited;
    // The server notices its stdin close; nothing signals that to us, so poll (bounded by the test timeout).
    while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
    expect(await heartbeat(status.url)).toBe(false);
  });
});

describe('store and retrieve', () => {
  it('finds the most similar runs first, successful and failed, and lists recent ones', async () => {
    const m = await fresh();
    await m.store(run(SEED));
    await m.store(run('Send the weekly sales report to Telegram', { status: 'failed', error: 'telegram__send_message: chat not found' }));
    await m.store(run('List open GitHub issues'));
    expect(m.status().count).toBe(3);

    const similar = await m.similar('Make a ClickUp task about unpaid Xero invoices', 2);
    expect(similar.map((s) => s.record.task)[0]).toBe(SEED);
    expect(similar[0].similarity).toBeGreaterThan(similar[1].similarity);

    const failed = await m.similar('weekly sales report to Telegram', 3, { status: 'failed' });
    expect(failed).toHaveLength(1);
    expect(failed[0].record.error).toContain('chat not found');

    const hits = await m.search('telegram report', 1);
    expect(hits[0]).toMatchObject({ kind: 'run', status: 'failed', client: 'test', tools: ['xero__list-invoices', 'clickup__create_task', 'telegram__send_message'] });
    const recent = await m.search('', 10);
    expect(recent.map((h) => h.text)).toEqual(['List open GitHub issues', 'Send the weekly sales report to Telegram', SEED]);
  });

  it('replaces a run stored again under the same id (planned, then finished)', async () => {
    const m = await fresh();
    const r = run(SEED, { status: 'running' });
    await m.store(r);
    await m.store({ ...r, status: 'succeeded', summary: 'Created 1 task' });
    expect(m.status().count).toBe(1);
    expect((await m.similar(SEED, 5))[0].record.summary).toBe('Created 1 task');
  });

  it('keeps notes, filters by time, forgets by id and by date', async () => {
    const m = await fresh();
    await m.store(run('Old request about invoices', { startedAt: '2025-01-06T10:00:00.000Z' }));
    await m.store(run('Newer request about invoices', { startedAt: '2025-03-03T10:00:00.000Z' }));
    const noteId = await m.saveNote('The finance group on Telegram is -100200');
    expect(noteId).toMatch(/^note:/);

    const notes = await m.search('finance telegram group', 5, { kind: 'note' });
    expect(notes).toEqual([expect.objectContaining({ id: noteId, kind: 'note', text: 'The finance group on Telegram is -100200' })]);
    const january = await m.search('invoices', 5, { after: '2025-01-01', before: '2025-02-01' });
    expect(january.map((h) => h.text)).toEqual(['Old request about invoices']);

    expect(await m.forget({ id: noteId! })).toBe(1);
    expect(await m.forget({ before: '2025-02-01' })).toBe(1);
    expect((await m.search('', 10)).map((h) => h.text)).toEqual(['Newer request about invoices']);
    expect(await m.forget({ id: 'no-such-run' })).toBe(0);
  });

  it('never stores secrets: not in the request, the arguments, the results or the summary', async () => {
    const m = await fresh();
    const secret = 'sk-proj-Q2mL7vB4nW1pR8tY6uI3';
    const r = run(`Post to the webhook with key ${secret}`, {
      steps: [{ id: 'post', tool: 'http__post', status: 'succeeded', args: { url: 'https://example.com/hook?token=abcdef123456', headers: { Authorization: 'Bearer xyz.abc.def' }, body: 'hi' }, result: { echoed: secret } }],
      summary: `Posted using ${secret}`,
    });
    await m.store(r);
    const client = new ChromaClient({ host: '127.0.0.1', port: Number(new URL(url).port) });
    const raw = await (await client.getCollection({ name: m.status().collection! })).get({ include: ['documents', 'metadatas'] });
    const everything = JSON.stringify(raw);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('abcdef123456');
    expect(everything).not.toContain('xyz.abc.def');
    expect(everything).toContain('https://example.com/hook?token=[REDACTED]');
    const [hit] = await m.similar('Post to the webhook', 1);
    expect(hit.record.steps[0].args).toMatchObject({ headers: { Authorization: '[REDACTED]' }, body: 'hi' });
  });
});

describe('retention', () => {
  it('prunes runs past the maximum age, then the oldest past the maximum count, and keeps notes', async () => {
    const m = await fresh({ retention: { maxRuns: 3, maxAgeDays: 30 } });
    const day = 24 * 60 * 60 * 1000;
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day).toISOString();
    await m.store(run('ancient run', { startedAt: at(400) }));
    for (let i = 5; i >= 1; i--) await m.store(run(`recent run ${i}`, { startedAt: at(i) }));
    await m.saveNote('a note outlives retention');
    // A store may have started a prune that read the runs before the last stores; the second one sees them all.
    await m.prune();
    await m.prune();
    const left = (await m.search('', 20)).map((h) => h.text);
    expect(left).toEqual(['a note outlives retention', 'recent run 1', 'recent run 2', 'recent run 3']);
    expect(m.status().count).toBe(4);
  });
});

describe('plan reuse', () => {
  it('reuses a remembered successful plan for the same request, and plans afresh when a value changes', async () => {
    const m = await fresh();
    await m.store(run(SEED));
    const same = await m.findReusable(`Please ${SEED.toLowerCase()}`);
    expect(same).toMatchObject({ plan: seedPlan, substitutions: [] });
    expect(same!.similarity).toBeGreaterThanOrEqual(0.92);

    await m.store(run('Create a ClickUp task in list 901 for the unpaid invoices from Xero'));
    expect(await m.findReusable('Create a ClickUp task in list 901 for the unpaid invoices from Xero.')).toMatchObject({ plan: seedPlan, substitutions: [] });
    expect(await m.findReusable('Create a ClickUp task in list 455 for the unpaid invoices from Xero')).toBeUndefined();
  });

  it('does not reuse for a different request, a failed run, or when unsure', async () => {
    const m = await fresh();
    await m.store(run(SEED));
    await m.store(run('Send the weekly sales report to Telegram', { status: 'failed' }));
    expect(await m.findReusable('Send the weekly sales report to Telegram')).toBeUndefined();
    expect(await m.findReusable('Create a ClickUp task for the overdue invoices from Xero')).toBeUndefined();
    expect(await m.findReusable(SEED.replace('send a summary', 'do not send a summary'))).toBeUndefined();
    // A plan whose literal was masked as a secret is never replayed.
    await m.store(run('Call the API with my key', { plan: { steps: [{ id: 'a', tool: 'xero__list-invoices', args: { apiKey: 'k-1' } }] } }));
    expect(await m.findReusable('Call the API with my key')).toBeUndefined();
  });

  it('does not reuse when a tool is gone or its input schema changed', async () => {
    const schemas = { ...SCHEMAS };
    const m = await fresh({}, { toolSchema: (name) => schemas[name] });
    await m.store(run(SEED));
    expect(await m.findReusable(SEED)).toBeDefined();
    schemas.clickup__create_task = { ...(SCHEMAS.clickup__create_task as object), required: ['list_id', 'name', 'assignee'] };
    expect(await m.findReusable(SEED)).toBeUndefined();
    delete schemas.clickup__create_task;
    expect(await m.findReusable(SEED)).toBeUndefined();
    // The caller may bring its own check; it gets the stored hashes.
    let seen: Record<string, string> = {};
    const viaCheck = await m.findReusable(SEED, { toolsExist: (_plan, hashes) => ((seen = hashes), true) });
    expect(viaCheck).toBeDefined();
    expect(Object.keys(seen).sort()).toEqual(Object.keys(SCHEMAS).sort());
  });

  it('can be switched off', async () => {
    const m = await fresh({ reuse: { enabled: false } });
    await m.store(run(SEED));
    expect(await m.findReusable(SEED)).toBeUndefined();
  });
});

describe('embedders', () => {
  class TestEmbedder implements Embedder {
    readonly id = 'test:letters';
    dimension = 0;
    constructor(private readonly fail = false) {}
    async load() {
      if (this.fail) throw new Error('model download blocked');
      this.dimension = 26;
    }
    async embed(texts: string[]) {
      return texts.map((t) => {
        const v = new Float32Array(26);
        for (const c of t.toLowerCase()) if (c >= 'a' && c <= 'z') v[c.charCodeAt(0) - 97]++;
        const n = Math.hypot(...v) || 1;
        return v.map((x) => x / n);
      });
    }
    async close() {}
  }

  it('uses the given embedder in a collection of its own, falls back to hashing when it cannot load, and carries entries over', async () => {
    const given = await fresh({ collection: 'embedders' }, { embedder: new TestEmbedder() });
    expect(given.status()).toMatchObject({ embedder: 'test:letters', collection: collectionName('embedders', { id: 'test:letters', dimension: 26 }) });
    await given.store(run(SEED));
    expect((await given.similar(SEED, 1))[0].similarity).toBeCloseTo(1, 4);

    const fallback = await fresh({ collection: 'embedders' }, { embedder: new TestEmbedder(true) });
    expect(fallback.status()).toMatchObject({ state: 'ready', embedder: new HashingEmbedder().id });
    expect(fallback.status().collection).not.toBe(given.status().collection);
    // The new collection started empty, so it took over the earlier embedder's entries, embedded anew.
    expect(fallback.status().count).toBe(1);
    expect((await fallback.similar(SEED, 1))[0]).toMatchObject({ record: { task: SEED, plan: seedPlan } });
  });
});

describe('when Chroma is unavailable', () => {
  async function expectHarmless(m: Memory) {
    expect(await m.store(run(SEED))).toBe(false);
    expect(await m.similar(SEED, 3)).toEqual([]);
    expect(await m.findReusable(SEED)).toBeUndefined();
    expect(await m.search('anything', 5)).toEqual([]);
    expect(await m.saveNote('a note')).toBeUndefined();
    expect(await m.forget({ before: '2030-01-01' })).toBe(0);
    expect(await m.prune()).toBe(0);
    await m.close();
  }

  it('is unavailable with the reason when the configured server does not answer, and every method is harmless', async () => {
    const port = await freePort();
    const m = await Memory.start(config({ chroma: { url: `http://127.0.0.1:${port}`, timeoutMs: 2000 } }), { dataDir: tempDir() });
    expect(m.status()).toMatchObject({ state: 'unavailable', embedded: false });
    expect(m.address).toBe(`http://127.0.0.1:${port}`);
    expect(JSON.stringify(m.status())).not.toContain(String(port));
    expect(m.status().reason).toBeTruthy();
    await expectHarmless(m);
  });

  it('is unavailable when the embedded server cannot start', async () => {
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, 'chroma'), 'a file where the folder should be');
    const m = await Memory.start(config(), { dataDir });
    expect(m.status()).toMatchObject({ state: 'unavailable', embedded: true });
    await expectHarmless(m);
  });

  it('turns unavailable when the server goes away while in use', async () => {
    const own = await Memory.start(config(), { dataDir: tempDir() });
    const m = await Memory.start(config({ chroma: { url: own.address, timeoutMs: 2000 } }), { dataDir: tempDir() });
    expect(await m.store(run(SEED))).toBe(true);
    await own.close();
    expect(await m.store(run(SEED))).toBe(false);
    expect(m.status().state).toBe('unavailable');
    await expectHarmless(m);
  });

  it('is off when disabled', async () => {
    const m = await Memory.start(config({ enabled: false }), { dataDir: tempDir() });
    expect(m.status()).toMatchObject({ state: 'off', reason: 'memory.enabled is false' });
    await expectHarmless(m);
  });
});
