// Plan reuse is safe: a remembered plan runs again only for the same request, never for one that changes
// who, how much, when, which app, or adds or drops a condition, however small the change in words.
// Pure rules first (reuse.ts, values.ts), then the decision memory makes (Memory.findReusable) against
// a real Chroma server with the model-free embedder. Own small cases; the benchmark's set is
// bench/reuse-cases.json (npm run bench:reuse).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryConfigSchema } from '../src/config/memory.js';
import { Memory } from '../src/memory/index.js';
import { adaptPlan } from '../src/memory/reuse.js';
import { sameValues } from '../src/memory/values.js';
import type { Plan } from '../src/planner/plan.js';
import { RunRecordSchema } from '../src/planner/record.js';

const plan: Plan = {
  steps: [
    { id: 'tx', tool: 'xero__list-bank-transactions', args: { where: 'Total > 1000' } },
    { id: 'post', tool: 'telegram__send_message', args: { chat_id: '-100301', text: { $expr: '$string($count(steps.tx.bankTransactions))' } }, dependsOn: ['tx'] },
  ],
};

const reusable = (past: string, next: string) => sameValues(past, next).same && adaptPlan(plan, past, next).ok;

describe('what makes two requests the same for reuse', () => {
  it('a changed pronoun changes who is meant: me / us, my / our are not filler', () => {
    expect(reusable('Send me the summary on Telegram', 'Send us the summary on Telegram')).toBe(false);
    expect(reusable('List my open ClickUp tasks', 'List our open ClickUp tasks')).toBe(false);
    expect(reusable('Post the report to our group', 'Post the report to your group')).toBe(false);
  });

  it('a polite frame ("could you", "please", "thanks") still changes nothing', () => {
    expect(reusable('Send me the summary on Telegram', 'Could you send me the summary on Telegram, please? Thanks')).toBe(true);
    expect(reusable('Post the report to our group', 'Can you post the report to our group')).toBe(true);
    expect(reusable('Show the overdue invoices', 'Show me the overdue invoices')).toBe(true);
    expect(reusable('Send the overdue invoices', 'Send me the overdue invoices')).toBe(false);
  });

  it('a small word that carries meaning counts even beside an inflected one (over / under, not, to / from)', () => {
    const past = 'Find the bank transactions over $1,000 in Xero';
    expect(reusable(past, 'Find the bank transaction under $1,000 in Xero')).toBe(false);
    expect(reusable('List the invoices not approved', 'List the invoice approved')).toBe(false);
    expect(reusable('Copy the tasks to the Backlog list', 'Copy the task from the Backlog list')).toBe(false);
    // Inflection alone is still the same request.
    expect(reusable(past, 'Find the bank transaction over $1,000 in Xero')).toBe(true);
  });

  it('the sign of an amount is part of it', () => {
    expect(sameValues('Adjust the balance by -500', 'Adjust the balance by 500').same).toBe(false);
    expect(reusable('Adjust the balance by -500', 'Adjust the balance by 500')).toBe(false);
    expect(reusable('Adjust the balance by -500', 'adjust the balance by -500.')).toBe(true);
  });
});

describe('the reuse decision of a real memory (no model)', () => {
  let memory: Memory;
  let dataDir: string;
  const SEED = 'Find the bank transactions over $1,000 from this month in Xero and send them to the Finance chat on Telegram.';

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'memory-reuse-'));
    const schemas: Record<string, unknown> = { 'xero__list-bank-transactions': { type: 'object' }, telegram__send_message: { type: 'object' } };
    memory = await Memory.start(MemoryConfigSchema.parse({}), { dataDir, toolSchema: (name) => schemas[name] });
    expect(memory.status(), memory.status().reason).toMatchObject({ state: 'ready' });
    const record = RunRecordSchema.parse({ id: 'run-seed', task: SEED, status: 'succeeded', plan, planSource: 'llm', startedAt: new Date().toISOString() });
    expect(await memory.store(record)).toBe(true);
  });

  afterAll(async () => {
    await memory?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['the same words', SEED],
    ['filler and case', `Please ${SEED.toLowerCase()}`],
    ['punctuation', SEED.replace(' and send', ', and send').replace(/\.$/, '')],
    ['inflection', SEED.replace('transactions', 'transaction')],
  ])('reuses the plan for a true repeat: %s', async (_what, request) => {
    expect(await memory.findReusable(request)).toMatchObject({ record: { id: 'run-seed' }, plan });
  });

  it.each([
    ['an amount', SEED.replace('$1,000', '$10,000')],
    ['a bound', SEED.replace('over', 'under')],
    ['a bound, reworded', SEED.replace('transactions over', 'transaction under')],
    ['a period', SEED.replace('this month', 'last month')],
    ['a chat', SEED.replace('Finance', 'Sales')],
    ['an app', SEED.replace('Telegram', 'Slack')],
    ['a negation', SEED.replace('and send', 'and do not send')],
    ['a dropped condition', SEED.replace(' over $1,000', '')],
    ['a recipient', SEED.replace('send them to the Finance chat', 'send them to me')],
  ])('plans afresh when the request changes %s', async (_what, request) => {
    expect(request).not.toBe(SEED);
    expect(await memory.findReusable(request)).toBeUndefined();
    // The run is still the example the planner is shown.
    expect((await memory.similar(request, 1))[0]?.record.id).toBe('run-seed');
  });
});
