// The memory's pure parts: plan adaptation for reuse, secret scrubbing, the model-free embedder, and
// how records become Chroma entries within Chroma Cloud's limits. The Chroma-backed behaviour is in memory.test.ts.
import { describe, expect, it } from 'vitest';
import { MemoryConfigSchema } from '../src/config/memory.js';
import { formatExamples } from '../src/memory/examples.js';
import { MAX_DOCUMENT_BYTES, noteEntry, parseRun, parseSchemas, runEntry, schemaHash } from '../src/memory/entries.js';
import { HashingEmbedder } from '../src/memory/hash-embedder.js';
import { adaptPlan, diffTokens, tokens } from '../src/memory/reuse.js';
import { looksLikeSecret, scrub, scrubText } from '../src/memory/scrub.js';
import { requestValues, sameValues } from '../src/memory/values.js';
import type { Plan } from '../src/planner/plan.js';
import { RunRecordSchema, type RunRecord } from '../src/planner/record.js';

const SEED = 'Create a ClickUp task for following up on the unpaid invoices from Xero, and send a summary to our Telegram group.';

const seedPlan: Plan = {
  goal: 'Follow up unpaid invoices',
  steps: [
    { id: 'invoices', tool: 'xero__list-invoices', args: { statuses: ['AUTHORISED'] } },
    { id: 'task', tool: 'clickup__create_task', args: { list_id: '901', name: { $template: 'Follow up {{$count(steps.invoices.invoices)}} unpaid invoices' } }, dependsOn: ['invoices'] },
    { id: 'notify', tool: 'telegram__send_message', args: { chat: '#finance', text: { $expr: 'steps.task.url' } } },
  ],
};

describe('plan reuse: adapting a remembered plan to a near-identical request', () => {
  it('keeps a plan as it is when only filler, case, punctuation or inflection differ', () => {
    const r = adaptPlan(seedPlan, SEED, 'Please create a clickup task for following up on the unpaid invoice from Xero and send a summary to our Telegram group');
    expect(r).toEqual({ ok: true, plan: seedPlan, substitutions: [] });
  });

  it('swaps a changed literal into the plan where it appears literally, and only there', () => {
    const past = 'Create a ClickUp task in list 901 for unpaid invoices and tell #finance';
    const r = adaptPlan(seedPlan, past, 'Create a ClickUp task in list 777 for unpaid invoices and tell #ops');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.substitutions).toEqual([
      { from: '901', to: '777' },
      { from: '#finance', to: '#ops' },
    ]);
    const [, task, notify] = r.plan.steps as Array<{ args: Record<string, unknown>; tool: string }>;
    expect(task.args.list_id).toBe('777');
    expect(notify.args.chat).toBe('#ops');
    // Expressions and tool names are untouched.
    expect(notify.args.text).toEqual({ $expr: 'steps.task.url' });
    expect(task.tool).toBe('clickup__create_task');
  });

  it('refuses when a meaningful word is added or dropped, even a short one', () => {
    expect(adaptPlan(seedPlan, SEED, SEED.replace('unpaid ', '')).ok).toBe(false);
    expect(adaptPlan(seedPlan, SEED, SEED.replace('send a summary', 'do not send a summary')).ok).toBe(false);
  });

  it('refuses a change the plan does not show literally, or one that reaches a tool name or an expression', () => {
    const notLiteral = adaptPlan(seedPlan, SEED, SEED.replace('unpaid', 'overdue'));
    expect(notLiteral).toMatchObject({ ok: false, reason: expect.stringContaining('changes a word, not a literal value') });
    const valueNotShown = adaptPlan(seedPlan, 'Create a ClickUp task for Acme', 'Create a ClickUp task for Globex');
    expect(valueNotShown).toMatchObject({ ok: false, reason: expect.stringContaining('does not show literally') });
    const toolName = adaptPlan(seedPlan, SEED, SEED.replace('Telegram', 'Slack'));
    expect(toolName).toMatchObject({ ok: false, reason: expect.stringContaining('tool name') });
  });

  it('tokenises keeping literals whole and diffs case-insensitively', () => {
    expect(tokens('Due before 2024-05-01, in "#sales"!')).toEqual(['Due', 'before', '2024-05-01', 'in', '#sales']);
    expect(diffTokens(['a', 'B', 'c'], ['A', 'b', 'd', 'e'])).toEqual([{ from: ['c'], to: ['d', 'e'] }]);
  });
});

describe('secrets never enter memory', () => {
  it('masks well-known token shapes inside text', () => {
    const text = scrubText('use sk-proj-abcdefghijklmnop1234 and Bearer eyJhbGciOi.abc and 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw and pk_1234567_ABCDEFGHIJKLMNOPQRSTUV');
    expect(text).not.toMatch(/sk-proj|eyJhbGciOi|AAHdqTcv|pk_1234567/);
    expect(text).toContain('Bearer [REDACTED]');
  });

  it('masks long random strings but not ids, words or paths', () => {
    expect(looksLikeSecret('a8f5f167f44f4964e6c998dee827110c')).toBe(true);
    expect(looksLikeSecret('Zx9kQ2mL7vB4nW1pR8tY6uI3oE5aS0dF')).toBe(true);
    expect(looksLikeSecret('3f2b7c1e-9a4d-4e8b-b2c6-5d1f0a7e9c3b')).toBe(false);
    expect(looksLikeSecret('create_task_for_following_up_on_invoices')).toBe(false);
    expect(looksLikeSecret('short1')).toBe(false);
  });

  it('masks every string under a secret-looking key, keeps numbers and booleans', () => {
    expect(scrub({ args: { apiKey: 'plain', auth: { user: 'u', pass: 'p' }, name: 'Acme' }, usage: { inputTokens: 12 }, authorized: true })).toEqual({
      args: { apiKey: '[REDACTED]', auth: { user: '[REDACTED]', pass: '[REDACTED]' }, name: 'Acme' },
      usage: { inputTokens: 12 },
      authorized: true,
    });
  });
});

describe('model-free hashing embedder', () => {
  it('is deterministic, unit length, and ranks requests sharing their words closest', async () => {
    const e = new HashingEmbedder();
    const [a, a2, near, far] = await e.embed([SEED, SEED, 'ClickUp task to chase unpaid Xero invoices', 'weather forecast for Paris'], 'document');
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i], 0);
    expect(a.length).toBe(e.dimension);
    expect(dot(a, a)).toBeCloseTo(1, 5);
    expect(dot(a, a2)).toBeCloseTo(1, 5);
    expect(dot(a, near)).toBeGreaterThan(dot(a, far));
    expect(dot(a, far)).toBeLessThan(0.2);
  });
});

describe('records as Chroma entries', () => {
  const base = (over: Partial<RunRecord> = {}): RunRecord =>
    RunRecordSchema.parse({ id: 'run-1', task: SEED, status: 'succeeded', plan: seedPlan, startedAt: '2026-01-05T09:00:00.000Z', ...over });

  it('keeps the run as its document and the fields filters need as metadata, with schema hashes of the used tools', () => {
    const e = runEntry(base({ client: 'cursor', summary: 'Created task, sent summary' }), { 'xero__list-invoices': 'h1', 'clickup__create_task': 'h2', other__tool: 'h3' });
    expect(e.id).toBe('run:run-1');
    expect(e.embedText).toBe(SEED);
    expect(e.metadata).toMatchObject({ kind: 'run', status: 'succeeded', client: 'cursor', ts: Date.parse('2026-01-05T09:00:00.000Z') });
    expect(e.metadata.tools).toBe('xero__list-invoices,clickup__create_task,telegram__send_message');
    expect(parseSchemas(e.metadata)).toEqual({ 'xero__list-invoices': 'h1', 'clickup__create_task': 'h2' });
    expect(parseRun(e.document)).toMatchObject({ id: 'run-1', plan: seedPlan });
  });

  it('compacts a huge run under the document limit, keeping the plan', () => {
    const huge = 'x'.repeat(50_000);
    const steps = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, status: 'succeeded' as const, args: { blob: huge }, result: { rows: [huge] } }));
    const e = runEntry(base({ steps, summary: huge }), {});
    expect(Buffer.byteLength(e.document)).toBeLessThanOrEqual(MAX_DOCUMENT_BYTES);
    expect(parseRun(e.document)?.plan).toEqual(seedPlan);
  });

  it('hashes schemas independently of key order', () => {
    expect(schemaHash({ type: 'object', properties: { a: { type: 'string' } } })).toBe(schemaHash({ properties: { a: { type: 'string' } }, type: 'object' }));
    expect(schemaHash({ type: 'object' })).not.toBe(schemaHash({ type: 'object', required: ['a'] }));
  });

  it('scrubs notes', () => {
    expect(noteEntry('the deploy key is sk-live_abcdefghijklmnopqrstu').document).toBe('the deploy key is [REDACTED]');
  });

  it('has defaults for the whole memory section', () => {
    expect(MemoryConfigSchema.parse({})).toEqual({
      enabled: true,
      chroma: { headers: {}, timeoutMs: 10_000, startTimeoutMs: 30_000 },
      collection: 'orchestrator_memory',
      retention: { maxRuns: 5000, maxAgeDays: 180 },
      reuse: { enabled: true, threshold: 0.92 },
      examples: 3,
    });
  });
});

describe('examples for the planner', () => {
  it('shows plans that worked and what went wrong in failures, within the budget', () => {
    const ok = RunRecordSchema.parse({ id: 'a', task: SEED, status: 'succeeded', plan: seedPlan, summary: 'Created task 86ab; sent to Finance', startedAt: '2026-01-05T09:00:00Z' });
    const bad = RunRecordSchema.parse({
      id: 'b',
      task: 'Send the invoices to Telegram',
      status: 'failed',
      plan: seedPlan,
      steps: [{ id: 'notify', tool: 'telegram__send_message', status: 'failed', error: 'chat not found' }],
      startedAt: '2026-01-06T09:00:00Z',
    });
    const text = formatExamples([
      { record: ok, similarity: 0.91 },
      { record: bad, similarity: 0.62 },
    ]);
    expect(text).toContain(`1. Request: ${JSON.stringify(SEED)} (similarity 0.91, succeeded)`);
    expect(text).toContain(`Plan: ${JSON.stringify(ok.plan)}`);
    expect(text).toContain('Outcome: Created task 86ab');
    expect(text).toContain('What went wrong (step notify, telegram__send_message): chat not found');
    expect(formatExamples([{ record: ok, similarity: 0.9 }], 100)).toBe('');
    expect(formatExamples([])).toBe('');
  });
});

describe('the values of a request (plan reuse requires the same ones)', () => {
  it('finds names, amounts, dates, ids, addresses, channels and quoted text', () => {
    expect(requestValues('Refund $500 to Acme on May 5 at 3pm')).toEqual(['$500', '3pm', '5', 'acme', 'may']);
    expect(requestValues('Email a.b@c.io about "Q3 Plan" and https://x.io/a/b.')).toEqual(['"Q3 Plan"', 'a.b@c.io', 'https://x.io/a/b', 'plan', 'q3']);
    expect(requestValues('Post the summary to #finance for last week')).toEqual(['#finance', 'last week']);
    // "may" the verb, and the sentence's first word, are not values.
    expect(requestValues('I may send it next Monday')).toEqual(['next monday']);
    expect(requestValues('List unpaid invoices')).toEqual([]);
  });

  it('tells a changed value from a change of case, punctuation or filler', () => {
    expect(sameValues('List unpaid invoices for Acme', 'list the unpaid invoices for acme, please.').same).toBe(true);
    expect(sameValues('Transfer 1,000 EUR', 'Transfer 1000 EUR').same).toBe(true);
    expect(sameValues('List unpaid invoices for Acme', 'List unpaid invoices for Globex')).toEqual({ same: false, onlyA: ['acme'], onlyB: ['globex'] });
    expect(sameValues('Expenses from last week', 'Expenses from this week').same).toBe(false);
    expect(sameValues('Task titled "fix bug"', 'Task titled "Fix Bug"').same).toBe(false);
    expect(sameValues('Send 3 reminders', 'Send three reminders').same).toBe(false);
  });
});
