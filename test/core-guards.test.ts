// Guards for the core's quiet invariants: each test here fails when one realistic breakage is applied
// by hand (see the comment on each): BM25's rarer-terms-weigh-more, length normalisation and
// saturation; JSON Schema dialects; names that need sanitising; consent bound to tool and arguments.
import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../src/routing/bm25.js';
import { FIELDS, type FieldTerms } from '../src/routing/document.js';
import { validateArguments } from '../src/catalog/validate.js';
import { MAX_NAME_LENGTH, namespacedName } from '../src/catalog/naming.js';
import { Orchestrator } from '../src/planner/orchestrator.js';
import { FakeCatalog, ScriptedLlm, planReply, READ_ONLY } from './support/planner-fakes.js';

const weights = { name: 3, server: 1, description: 1, params: 0.5, related: 0.5 };

function doc(description: string[]): FieldTerms {
  const fields = Object.fromEntries(FIELDS.map((f) => [f, [] as string[]])) as unknown as FieldTerms;
  fields.description = description;
  return fields;
}

/** 300 documents of filler words, so document frequencies mean something. */
function corpus(): Bm25Index {
  const index = new Bm25Index({ k1: 1.2, b: 0.75, weights });
  for (let i = 0; i < 300; i++) index.add(1000 + i, doc([`filler${i % 37}`, `word${i % 11}`, 'common', `x${i}`]));
  return index;
}

describe('BM25 ranking properties', () => {
  it('weighs a rare term above a common one (breaks when IDF is inverted or flattened)', () => {
    const index = corpus();
    index.add(1, doc(['common', 'pad1']));
    index.add(2, doc(['rare', 'pad2']));
    const ranked = index.search(['common', 'rare'], 5).map((s) => s.doc);
    expect(ranked[0]).toBe(2);
    expect(ranked.indexOf(2)).toBeLessThan(ranked.indexOf(1));
  });

  it('ranks a short document above a long one with the same match (breaks without length normalisation)', () => {
    const index = corpus();
    // The long one has the lower id, so a tie would put it first.
    index.add(1, doc(['invoice', ...Array.from({ length: 40 }, (_, i) => `pad${i}`)]));
    index.add(2, doc(['invoice', 'pad0']));
    const ranked = index.search(['invoice'], 2).map((s) => s.doc);
    expect(ranked).toEqual([2, 1]);
  });

  it('saturates term frequency: three query terms once beat one term many times (breaks without saturation)', () => {
    const index = corpus();
    const pad = (n: number) => Array.from({ length: n }, () => 'pad');
    index.add(1, doc([...Array.from({ length: 8 }, () => 'invoice'), ...pad(2)]));
    index.add(2, doc(['invoice', 'overdue', 'unpaid', ...pad(7)]));
    // Each query term in three documents: equal IDF.
    for (const [id, t] of [[3, 'overdue'], [4, 'overdue'], [5, 'unpaid'], [6, 'unpaid'], [7, 'invoice']] as const) index.add(id, doc([t, 'filler']));
    const ranked = index.search(['invoice', 'overdue', 'unpaid'], 2).map((s) => s.doc);
    expect(ranked[0]).toBe(2);
    const one = index.search(['invoice'], 10).find((s) => s.doc === 7)!.score;
    const many = index.search(['invoice'], 10).find((s) => s.doc === 1)!.score;
    expect(many / one).toBeLessThan(3);
  });
});

describe('JSON Schema dialects of tool input schemas', () => {
  const tuple = { type: 'object', properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false } } };

  it('checks schemas without $schema as 2020-12, the MCP default (breaks when checked as draft-07)', () => {
    expect(validateArguments(tuple, { pair: ['a', 1] })).toBeUndefined();
    expect(validateArguments(tuple, { pair: ['a', 'b'] })).toMatch(/pair/);
    expect(validateArguments(tuple, { pair: ['a', 1, 'extra'] })).toMatch(/pair/);
  });

  it('checks a schema by the dialect its $schema names', () => {
    expect(validateArguments({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...tuple }, { pair: ['a', 'b'] })).toMatch(/pair/);
    // draft-07's tuple form: items as an array, additionalItems false.
    const draft07 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }], additionalItems: false } } };
    expect(validateArguments(draft07, { pair: ['a', 1] })).toBeUndefined();
    expect(validateArguments(draft07, { pair: ['a', 1, 2] })).toMatch(/pair/);
    expect(validateArguments(draft07, { pair: [1, 1] })).toMatch(/pair/);
  });
});

describe('names that need sanitising', () => {
  it('gives two long names that differ only in sanitised characters two names, each stable and valid', () => {
    const long = 'get_the_quarterly_profit_and_loss_report_for_every_tracking_category';
    const a = namespacedName('xero', long.replace(/_/g, '.'));
    const b = namespacedName('xero', long);
    expect(a).not.toBe(b);
    for (const n of [a, b]) {
      expect(n).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(n.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    }
    expect(namespacedName('xero', long)).toBe(b);
  });

  it('keeps short names readable and tells a forced disambiguation apart', () => {
    expect(namespacedName('my.server', 'list items')).toBe('my_server__list_items');
    expect(namespacedName('s', 'a.b', true)).not.toBe(namespacedName('s', 'a_b', true));
  });
});

describe('consent is bound to the tool and its arguments', () => {
  it("an approval for one delete does not cover a replan's different delete", async () => {
    const deleted: unknown[] = [];
    let fail = true;
    const catalog = new FakeCatalog([
      { name: 'app__list', annotations: READ_ONLY, handler: () => ({ structuredContent: { ids: [1, 2] }, content: [{ type: 'text', text: '1,2' }] }) },
      {
        name: 'app__delete',
        annotations: { destructiveHint: true },
        inputSchema: { type: 'object', properties: { id: { type: 'number' } } },
        handler: (args) => {
          if (fail) {
            fail = false;
            return { content: [{ type: 'text', text: 'temporarily unavailable' }], isError: true };
          }
          deleted.push(args.id);
          return { content: [{ type: 'text', text: 'deleted' }] };
        },
      },
    ]);
    const first = { steps: [{ id: 'list', tool: 'app__list', args: {} }, { id: 'del', tool: 'app__delete', args: { id: 1 }, dependsOn: ['list'] }] };
    const replanned = { steps: [{ id: 'del', tool: 'app__delete', args: { id: 2 } }] };
    const llm = new ScriptedLlm([planReply(first), planReply(replanned)]);
    const index = { searchMany: async () => catalog.tools().map((t) => ({ name: t.name, server: 'app', description: t.name, score: 1 })) };
    const o = new Orchestrator({ caller: catalog, tools: catalog, index, llm, logger: { info() {}, warn() {} }, config: { retries: 0, retryDelayMs: 0 } });
    const waiting = await o.run('clean up', {});
    expect(waiting.status).toBe('needs-approval');
    // Approved: delete id 1. It fails; the replan deletes id 2 instead, which was never shown.
    const after = await o.resume(waiting.runId, true);
    expect(after.status).toBe('needs-approval');
    expect(deleted).toEqual([]);
    expect(after.approval?.steps.map((s) => s.step)).toEqual(['del']);
  });
});

describe('typed text for a tool the client cannot see', () => {
  it('converts scalar strings to the schema type only when that alone makes the arguments valid', async () => {
    const { checkArguments } = await import('../src/catalog/validate.js');
    const schema = { type: 'object', properties: { page: { type: 'integer' }, paid: { type: 'boolean' }, note: { type: 'string' } }, required: ['page'] };
    const given = { page: '2', paid: 'false', note: '7' };
    expect(checkArguments(schema, given)).toEqual({ args: { page: 2, paid: false, note: '7' } });
    expect(given.page).toBe('2');
    const valid = { page: 3 };
    expect(checkArguments(schema, valid).args).toBe(valid);
    expect(checkArguments(schema, { page: 'two' }).problem).toMatch(/page/);
    // Only text is converted: a number for a string field stays an error.
    expect(checkArguments(schema, { page: 1, note: 7 }).problem).toMatch(/note/);
  });
});
