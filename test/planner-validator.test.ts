// The plan validator and the expression language: every issue names the step and the field.
import { describe, expect, it } from 'vitest';
import { checkPlan, formatIssue, parsePlan, PlanValidationError, stepDependencies, validatePlan } from '../src/planner/validator.js';
import { referencedSteps, resolveValue } from '../src/planner/expressions.js';
import { PlanSchema, type PlanInput } from '../src/planner/plan.js';
import { FakeCatalog, READ_ONLY, CREATE } from './support/planner-fakes.js';

const catalog = new FakeCatalog([
  {
    name: 'xero__list-invoices',
    annotations: READ_ONLY,
    inputSchema: { type: 'object', properties: { status: { type: 'string', enum: ['DRAFT', 'AUTHORISED', 'PAID'] }, page: { type: 'number' } }, additionalProperties: false },
  },
  {
    name: 'clickup__create_task',
    annotations: CREATE,
    inputSchema: {
      type: 'object',
      properties: { list_id: { type: 'string' }, name: { type: 'string' }, priority: { type: 'integer', minimum: 1, maximum: 4 }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['list_id', 'name'],
      additionalProperties: false,
    },
  },
  { name: 'telegram__send_message', annotations: CREATE, inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
]);

const issuesOf = (plan: PlanInput) => validatePlan(PlanSchema.parse(plan), catalog);

describe('plan validator', () => {
  it('accepts a valid plan with expressions, templates, forEach and a prompt step', () => {
    const plan: PlanInput = {
      goal: 'chase unpaid invoices',
      steps: [
        { id: 'invoices', tool: 'xero__list-invoices', args: { status: 'AUTHORISED' } },
        {
          id: 'tasks',
          tool: 'clickup__create_task',
          forEach: 'steps.invoices.invoices[amountDue > 0]',
          args: { list_id: 'L1', name: { $template: 'Chase {{item.number}}' }, priority: { $expr: 'item.amountDue > 1000 ? 1 : 3' } },
        },
        { id: 'summary', prompt: 'Summarise {{$count(steps.tasks)}} tasks', inputs: { tasks: { $expr: 'steps.tasks' } } },
        { id: 'notify', tool: 'telegram__send_message', args: { text: { $expr: 'steps.summary' } } },
      ],
    };
    expect(issuesOf(plan)).toEqual([]);
    expect(() => checkPlan(plan, catalog)).not.toThrow();
  });

  it('reports an unknown tool with close names', () => {
    const issues = issuesOf({ steps: [{ id: 'a', tool: 'clickup__create_tasks', args: {} }] });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ step: 'a', field: 'tool' });
    expect(issues[0].message).toContain('unknown tool "clickup__create_tasks"');
    expect(issues[0].message).toContain('did you mean clickup__create_task');
  });

  it('checks literal arguments against the input schema, naming the field; expressions count as any', () => {
    const issues = issuesOf({
      steps: [
        { id: 'inv', tool: 'xero__list-invoices', args: { status: 'UNPAID', page: 'two' } },
        { id: 'task', tool: 'clickup__create_task', args: { name: 42, priority: { $expr: '"high"' }, tags: [{ $expr: 'steps.inv.x' }, 'ok'], colour: 'red' } },
      ],
    });
    const texts = issues.map(formatIssue);
    expect(texts).toContain('step "inv", `args.status`: must be one of "DRAFT", "AUTHORISED", "PAID" (input schema of xero__list-invoices)');
    expect(texts.some((t) => t.startsWith('step "inv", `args.page`: must be number'))).toBe(true);
    expect(texts).toContain('step "task", `args.list_id`: is required but missing (input schema of clickup__create_task)');
    expect(texts.some((t) => t.startsWith('step "task", `args.name`: must be string'))).toBe(true);
    expect(texts).toContain('step "task", `args.colour`: is not a field of this tool (input schema of clickup__create_task)');
    // The expression values (priority, tags[0]) are not judged before run time.
    expect(issues.some((i) => i.field?.startsWith('args.priority') || i.field?.startsWith('args.tags'))).toBe(false);
    expect(issues).toHaveLength(5);
  });

  it('rejects references to later, unknown and own steps', () => {
    const issues = issuesOf({
      steps: [
        { id: 'first', tool: 'telegram__send_message', args: { text: { $expr: 'steps.second.text' } } },
        { id: 'second', tool: 'telegram__send_message', args: { text: { $template: '{{steps.nope}} and {{$steps.second}}' } } },
      ],
    });
    expect(issues.map(formatIssue)).toEqual([
      'step "first", `args.text`: refers to step "second", which comes later; a step can only use results of earlier steps',
      'step "second", `args.text`: refers to unknown step "nope" (steps: first, second)',
      'step "second", `args.text`: refers to its own result; a step can only use results of earlier steps',
    ]);
  });

  it('finds a dependsOn cycle and unknown dependsOn ids', () => {
    const issues = issuesOf({
      steps: [
        { id: 'a', tool: 'telegram__send_message', args: { text: 'a' }, dependsOn: ['c'] },
        { id: 'b', tool: 'telegram__send_message', args: { text: 'b' }, dependsOn: ['a', 'ghost'] },
        { id: 'c', tool: 'telegram__send_message', args: { text: 'c' }, dependsOn: ['b'] },
      ],
    });
    expect(issues.map(formatIssue)).toEqual([
      'step "b", `dependsOn`: names unknown step "ghost" (steps: a, b, c)',
      'step "a", `dependsOn`: forms a cycle: a -> c -> b -> a',
    ]);
  });

  it('reports expressions that do not compile, forEach included, and dynamic step access', () => {
    const issues = issuesOf({
      steps: [
        { id: 'inv', tool: 'xero__list-invoices', args: {} },
        { id: 'x', tool: 'telegram__send_message', forEach: 'steps.inv.invoices[', args: { text: { $expr: 'steps.*.name' } } },
      ],
    });
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({ step: 'x', field: 'forEach' });
    expect(issues[0].message).toMatch(/^expression "steps.inv.invoices\[" does not compile/);
    expect(issues[1]).toMatchObject({ step: 'x', field: 'args.text' });
    expect(issues[1].message).toContain('without naming a step');
  });

  it('reports shape errors by step id, and duplicate ids', () => {
    const { issues } = parsePlan({ steps: [{ id: 'ok', tool: 't' }, { id: 'bad', tol: 'x' }, { id: '1x', tool: 'y' }] });
    expect(issues.find((i) => i.step === 'bad')?.message).toContain('neither a tool step');
    expect(issues.some((i) => i.step === '1x')).toBe(true);
    const dup = issuesOf({ steps: [{ id: 'a', tool: 'xero__list-invoices' }, { id: 'a', tool: 'xero__list-invoices' }] });
    expect(dup.map(formatIssue)).toEqual(['step "a", `id`: is used by another step too; step ids must be unique']);
    expect(() => checkPlan({ steps: [] }, catalog)).toThrow(PlanValidationError);
  });
});

describe('expressions', () => {
  it('finds references from the AST, not the text', () => {
    expect([...referencedSteps('steps.a.x & $string(steps.b.y)').ids].sort()).toEqual(['a', 'b']);
    expect([...referencedSteps('$$.steps.c.items[status = "open"]').ids]).toEqual(['c']);
    expect([...referencedSteps('items[id = $steps.d.id]').ids]).toEqual(['d']);
    // "steps" inside a string or as a field of another value is no reference.
    expect(referencedSteps('"steps.a" & item.steps').ids.size).toBe(0);
    expect(referencedSteps('item.steps').dynamic).toBe(false);
    expect(referencedSteps('steps["a"]').dynamic).toBe(true);
    expect([...stepDependencies({ id: 's', tool: 't', args: { v: { $expr: 'steps.a' } }, dependsOn: ['b'] })].sort()).toEqual(['a', 'b']);
  });

  it('resolves literals, expressions and templates; a missing value drops an optional field', async () => {
    const ctx = { steps: { inv: { invoices: [{ n: 'INV-1', due: 10 }, { n: 'INV-2', due: 0 }] } }, input: { chat: 7 } };
    const resolved = await resolveValue(
      {
        literal: { $exprx: 'not an expression' },
        unpaid: { $expr: 'steps.inv.invoices[due > 0].n' },
        all: { $expr: 'steps.inv.invoices.n' },
        text: { $template: 'Unpaid: {{$join(steps.inv.invoices[due > 0].n, ", ")}} to {{input.chat}}' },
        missing: { $expr: 'steps.inv.nothing' },
        list: [1, { $expr: 'input.chat + 1' }],
      },
      ctx,
    );
    expect(resolved).toEqual({ literal: { $exprx: 'not an expression' }, unpaid: 'INV-1', all: ['INV-1', 'INV-2'], text: 'Unpaid: INV-1 to 7', list: [1, 8] });
  });
});
