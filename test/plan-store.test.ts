// Runs waiting for approval and conversations in the hub's database (src/storage/database.ts), and the
// validator's checks of references against output schemas: the parts of issue 16 below the meta-tools.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Orchestrator } from '../src/planner/orchestrator.js';
import { Conversations } from '../src/planner/conversations.js';
import { validatePlan, parsePlan, type ToolLookup } from '../src/planner/validator.js';
import { openDatabase } from '../src/storage/database.js';
import { makePrincipal } from '../src/access/principal.js';
import { CREATE, DESTROY, FakeCatalog, READ_ONLY, deferred, ok } from './support/planner-fakes.js';
import { tempDir } from './support/hub.js';

const quiet = { info() {}, warn() {} };
const noSearch = { searchMany: async () => [] };

function apps() {
  return new FakeCatalog([
    { name: 'app__list', annotations: READ_ONLY, handler: () => ok({ items: [{ id: 1 }, { id: 2 }] }) },
    { name: 'app__delete', annotations: DESTROY, handler: (a) => ok({ deleted: a.id }) },
    { name: 'app__note', annotations: CREATE, handler: (a) => ok({ noted: a.text }) },
  ]);
}
const PLAN = {
  steps: [
    { id: 'list', tool: 'app__list', args: {} },
    { id: 'del', tool: 'app__delete', forEach: 'steps.list.items', args: { id: { $expr: 'item.id' } } },
  ],
};

describe('runs waiting for approval', () => {
  it('survive the orchestrator (a restart or a config reload) in the database file, and an approval claims one once, even when two arrive together', async () => {
    const file = path.join(tempDir('hub-db-'), 'hub.db');
    const catalog = apps();
    const first = new Orchestrator({ caller: catalog, tools: catalog, index: noSearch, logger: quiet, db: () => openDatabase(file) });
    const waiting = await first.run(PLAN);
    expect(waiting.status).toBe('needs-approval');

    // A new orchestrator over the same file: what a restarted hub has.
    const db = openDatabase(file);
    const second = new Orchestrator({ caller: catalog, tools: catalog, index: noSearch, logger: quiet, db: () => db });
    expect(second.waiting()).toEqual([waiting.runId]);
    expect(second.get(waiting.runId)?.status).toBe('needs-approval');
    const gate = deferred();
    catalog.on('app__delete', async (a) => {
      await gate.promise;
      return ok({ deleted: a.id });
    });
    const both = [second.resume(waiting.runId, true), second.resume(waiting.runId, true)];
    gate.resolve();
    const settled = await Promise.allSettled(both);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    expect(String((settled.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(/approved already/);
    expect(catalog.callsTo('app__delete')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(catalog.callsTo('app__list')).toHaveLength(1);
    expect(second.waiting()).toEqual([]);
  });

  it('an approval covers the steps its request showed: a step changed since then asks again', async () => {
    const catalog = apps();
    const db = openDatabase(':memory:');
    const o = new Orchestrator({ caller: catalog, tools: catalog, index: noSearch, logger: quiet, db: () => db });
    const waiting = await o.run(PLAN);
    // What the request showed, changed in the store (as a replan or a tampered row would): the shown key no longer matches.
    const row = db.prepare('SELECT run FROM waiting_runs WHERE run_id = ?').get(waiting.runId) as { run: string };
    const stored = JSON.parse(row.run);
    stored.plan.steps[1].args.id = 99;
    db.prepare('UPDATE waiting_runs SET run = ? WHERE run_id = ?').run(JSON.stringify(stored), waiting.runId);
    const after = await o.resume(waiting.runId, true);
    expect(after.status).toBe('needs-approval');
    expect(catalog.callsTo('app__delete')).toEqual([]);
  });

  it('expire after approvalTtlMs', async () => {
    const catalog = apps();
    const o = new Orchestrator({ caller: catalog, tools: catalog, index: noSearch, logger: quiet, config: { approvalTtlMs: 1 } });
    const waiting = await o.run(PLAN);
    await new Promise((r) => setTimeout(r, 5));
    await expect(o.resume(waiting.runId, true)).rejects.toThrow(/expired/);
    expect(catalog.callsTo('app__delete')).toEqual([]);
  });
});

describe('conversations', () => {
  const alice = makePrincipal({ name: 'alice', local: false, tools: ['app__*'], orchestrate: true, workflows: false, admin: false });
  const bob = makePrincipal({ name: 'bob', local: false, tools: ['app__*'], orchestrate: true, workflows: false, admin: false });

  it('belong to their principal, keep their turns in order (a resumed run updates its own), and are forgotten after the retention', async () => {
    const db = openDatabase(':memory:');
    const c = new Conversations(() => db, 30);
    const id = c.open(undefined, alice);
    expect(() => c.open(id, bob)).toThrow(/No conversation/);
    expect(c.open(id, alice)).toBe(id);
    const record = { id: 'r1', task: 'clean up', status: 'needs-approval' as const, steps: [{ id: 'del', tool: 'app__delete', status: 'needs-approval' as const }], startedAt: new Date().toISOString(), trigger: 'orchestrate' as const, usage: { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 } };
    c.record(id, 'run_plan', record);
    c.record(id, 'run_plan', { ...record, status: 'succeeded', steps: [{ id: 'del', tool: 'app__delete', status: 'succeeded', result: { deleted: 2 } }] });
    c.record(id, 'orchestrate', { ...record, id: 'r2', task: 'the same for the archive' });
    const turns = c.turns(id, alice)!;
    expect(turns.map((t) => [t.seq, t.runId, t.status])).toEqual([
      [1, 'r1', 'succeeded'],
      [2, 'r2', 'needs-approval'],
    ]);
    expect(c.render(turns)).toMatch(/1\. Task: "clean up" \(run_plan, succeeded, run r1\)\n {3}- del \(app__delete\): succeeded; result \{/);
    expect(c.turns(id, bob)).toBeUndefined();
    expect(c.list(bob)).toEqual([]);
    expect(c.list(alice).map((x) => [x.id, x.turns])).toEqual([[id, 2]]);

    db.prepare('UPDATE conversations SET updated = ?').run(Date.now() - 31 * 86_400_000);
    expect(c.turns(id, alice)).toBeUndefined();
    c.sweep();
    expect((db.prepare('SELECT COUNT(*) AS n FROM turns').get() as { n: number }).n).toBe(0);
  });
});

describe('plan checks against output schemas', () => {
  const tools: ToolLookup = {
    getTool: (name) =>
      ({
        app__invoices: {
          name,
          tool: {
            name,
            inputSchema: { type: 'object' },
            outputSchema: { type: 'object', properties: { invoices: { type: 'array', items: { type: 'object', properties: { number: { type: 'string' }, due: { type: 'number' } } } }, total: { type: 'number' } } },
          },
        },
        app__note: { name, tool: { name, inputSchema: { type: 'object', properties: { text: { type: 'string' }, amount: { type: 'number' } } } } },
      })[name] as never,
  };
  const check = (steps: unknown[]) => validatePlan(parsePlan({ steps }).plan!, tools);

  it('names a field the referenced tool does not return, and an argument of the wrong type', () => {
    const issues = check([
      { id: 'inv', tool: 'app__invoices', args: {} },
      { id: 'a', tool: 'app__note', args: { text: { $expr: 'steps.inv.totl' } } },
      { id: 'b', tool: 'app__note', forEach: 'steps.inv.invoices', args: { text: { $template: '{{item.number}}' } } },
      { id: 'c', tool: 'app__note', args: { text: { $expr: 'steps.inv.total' }, amount: { $expr: 'steps.inv.total' } } },
      { id: 'd', tool: 'app__note', args: { text: { $expr: '$string(steps.inv.invoices.nmber)' } } },
    ]);
    expect(issues).toEqual([
      { step: 'a', field: 'args.text', message: expect.stringMatching(/reads steps\.inv\.totl, but the output schema of app__invoices has no field "totl" there \(it has: invoices, total\)/) },
      { step: 'c', field: 'args.text', message: expect.stringMatching(/gives a number .* but app__note wants a string for "text"/) },
      { step: 'd', field: 'args.text', message: expect.stringMatching(/no field "nmber"/) },
    ]);
  });
});
