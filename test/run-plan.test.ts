// The calling agent plans, the hub checks and runs (issue 16), over real processes: a hub with no model
// and a client without sampling; the three apps on their mocks (the official Xero server on the Xero API
// mock). The "agent" is scripted: it reads plan_task's kit, reads the invoices itself through the hub, and
// writes the plan with the tool names and arguments the kit gave it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACME, SEED_TASK, TEAM_CHAT_ID, followUps, startMockApps, type MockApps } from './support/apps.js';
import { startHub, tempDir, text, writeConfig, type HubHandle } from './support/hub.js';
import { json, runCli } from './support/cli.js';

type Client = HubHandle['client'];

interface Kit {
  status: string;
  reason: string;
  conversationId: string;
  parts: Array<{ part: string; tools: string[] }>;
  tools: Array<{ name: string; inputSchema: { properties?: Record<string, { type?: string }>; required?: string[] }; returns: string; supplier?: boolean }>;
  format: string;
  conversation?: string;
  next: string;
}

interface RunAnswer {
  runId: string;
  status: string;
  conversationId?: string;
  steps: Array<{ id: string; status: string }>;
  approval?: { steps: Array<{ step: string; tool: string }> };
  issues?: Array<{ step?: string; field?: string; message: string }>;
}

const NO_MODEL = { llm: { provider: 'openai', apiKey: '', samplingFallback: false } };

/** What an agent's model would read out of list-invoices' text: one object per invoice part. */
function readInvoices(parts: Array<{ type: string; text?: string }>) {
  return parts
    .map((p) => p.text ?? '')
    .filter((t) => t.startsWith('Invoice ID:'))
    .map((t) => {
      const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(t)?.[1];
      return {
        invoiceNumber: field('Invoice')!,
        type: field('Type'),
        status: field('Status'),
        contact: field('Contact')?.replace(/ \([^)]*\)$/, ''),
        dueDate: field('Due Date'),
        currencyCode: field('Currency'),
        amountDue: Number(field('Amount Due') ?? 0),
      };
    });
}

/** The kit's tool whose name ends in `__<suffix>`: the agent takes names from the kit, so a kit without it fails here. */
function kitTool(kit: Kit, suffix: string): string {
  const found = kit.tools.find((t) => t.name.endsWith(`__${suffix}`));
  expect(found, `the kit offers no "${suffix}" tool: ${kit.tools.map((t) => t.name).join(', ')}`).toBeDefined();
  return found!.name;
}

async function call<T>(client: Client, name: string, args: Record<string, unknown>): Promise<{ data: T; text: string; isError: boolean }> {
  const result = await client.callTool({ name, arguments: args });
  return { data: result.structuredContent as T, text: text(result), isError: result.isError === true };
}

/** The agent's plan for the seed task, from the kit and the invoices it read. */
async function agentPlan(client: Client, kit: Kit) {
  const listInvoices = kitTool(kit, 'list-invoices');
  const invoices = [];
  for (const page of [1, 2]) {
    const read = await client.callTool({ name: 'call_tool', arguments: { name: listInvoices, arguments: { page } } });
    invoices.push(...readInvoices(read.content as Array<{ type: string; text?: string }>));
  }
  const unpaid = invoices.filter((i) => i.type === 'ACCREC' && i.status === 'AUTHORISED' && i.amountDue > 0);
  const createTask = kit.tools.find((t) => t.name.endsWith('__create_task'))!;
  expect(createTask.inputSchema.required).toContain('list_id');
  return {
    context: { invoices: unpaid },
    plan: {
      goal: 'Follow up the unpaid Xero invoices in ClickUp and tell the team',
      steps: [
        { id: 'workspaces', tool: kitTool(kit, 'get_workspaces'), args: {} },
        { id: 'spaces', tool: kitTool(kit, 'get_spaces'), args: { team_id: { $expr: 'steps.workspaces.workspaces[0].id' } } },
        { id: 'lists', tool: kitTool(kit, 'get_lists'), args: { space_id: { $expr: '$append(steps.spaces.spaces[$contains($lowercase(name), "financ")], steps.spaces.spaces)[0].id' } } },
        {
          id: 'tasks',
          tool: createTask.name,
          forEach: 'input.invoices',
          args: {
            list_id: { $expr: '$append(steps.lists.lists[$contains($lowercase(name), "follow")], steps.lists.lists)[0].id' },
            name: { $template: 'Follow up invoice {{item.invoiceNumber}} ({{item.contact}}): {{item.currencyCode}} {{$formatNumber(item.amountDue, "#,##0.00")}} due' },
            description: { $template: 'Invoice {{item.invoiceNumber}} to {{item.contact}} is unpaid: {{item.currencyCode}} {{$formatNumber(item.amountDue, "#,##0.00")}} was due on {{item.dueDate}}.' },
          },
        },
        {
          id: 'notify',
          tool: kitTool(kit, 'send_message'),
          dependsOn: ['tasks'],
          args: { text: { $template: '{{$count(input.invoices)}} unpaid invoices, GBP {{$formatNumber($sum(input.invoices.amountDue), "#,##0.00")}} due in total; {{$count(steps.tasks)}} follow-up tasks in ClickUp.' } },
        },
      ],
    },
  };
}

describe('run_plan: the calling agent plans, the hub checks and runs', () => {
  let apps: MockApps;
  let hub: HubHandle | undefined;

  beforeAll(async () => {
    apps = await startMockApps();
  });
  afterEach(async () => {
    await hub?.close().catch(() => undefined);
    hub = undefined;
  });
  afterAll(async () => apps?.close());

  function config(extra: Record<string, unknown> = {}, dataDir = tempDir('hub-data-')) {
    return writeConfig(tempDir(), { ...apps.config, ...NO_MODEL, dataDir, ...extra });
  }

  it('with no model and no sampling: plan_task gives a kit, the agent writes the plan, run_plan runs the seed task', async () => {
    const configFile = config();
    hub = await startHub('stdio', configFile, { capabilities: {} });
    const { client } = hub;
    const sentBefore = apps.telegram.state.sentTo(TEAM_CHAT_ID).length;
    const tasksBefore = followUps(apps).length;

    const kitAnswer = await call<Kit>(client, 'plan_task', { task: SEED_TASK });
    expect(kitAnswer.isError).toBe(false);
    const kit = kitAnswer.data;
    expect(kit.status).toBe('needs-plan');
    expect(kit.reason).toMatch(/OPENAI_API_KEY|llm/);
    expect(kit.parts.length).toBeGreaterThan(1);
    expect(kit.parts.some((p) => p.tools.some((t) => t.endsWith('__create_task')))).toBe(true);
    expect(kit.tools.find((t) => t.name.endsWith('__list-invoices'))!.returns).toBe('text');
    expect(kit.format).toContain('$template');
    expect(kitAnswer.text).toContain('run_plan');
    expect(kit.conversationId).toMatch(/[0-9a-f-]{36}/);

    const { plan, context } = await agentPlan(client, kit);
    expect(context.invoices).toHaveLength(5);
    const ran = await call<RunAnswer>(client, 'run_plan', { plan, context, conversationId: kit.conversationId });
    expect(ran.isError, ran.text).toBe(false);
    expect(ran.data.status).toBe('succeeded');
    expect(ran.data.conversationId).toBe(kit.conversationId);

    const tasks = followUps(apps).slice(tasksBefore);
    expect(tasks.map((t) => /INV-\d{4}/.exec(t.name)![0]).sort()).toEqual(['INV-0002', 'INV-0003', 'INV-0004', 'INV-0006', 'INV-0008']);
    expect(tasks.find((t) => t.name.includes('INV-0003'))!.name).toContain('GBP 3,000.00');
    const sent = apps.telegram.state.sentTo(TEAM_CHAT_ID).slice(sentBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toContain('5 unpaid invoices, GBP 9,120.00 due in total; 5 follow-up tasks');

    // A follow-up in the same conversation: the kit shows the earlier run (its plan and what it sent).
    const next = await call<Kit>(client, 'plan_task', { task: 'Post that summary to our Telegram group again', conversationId: kit.conversationId });
    expect(next.data.conversation).toContain('Earlier in this conversation');
    expect(next.data.conversation).toContain('5 unpaid invoices, GBP 9,120.00 due in total');
    expect(next.text).toContain('Earlier in this conversation');

    // orchestrate without a model answers with the same kind of kit, not an error.
    const orchestrated = await call<Kit>(client, 'orchestrate', { task: SEED_TASK });
    expect(orchestrated.isError).toBe(false);
    expect(orchestrated.data.status).toBe('needs-plan');

    // The conversation is kept in the data directory: the CLI lists, shows and removes it (the hub still runs).
    const listed = json<Array<{ id: string; turns: number; title: string }>>(await runCli(['conversations', 'list', '--json', '--config', configFile]));
    expect(listed.find((c) => c.id === kit.conversationId)).toMatchObject({ turns: 1, title: plan.goal });
    const shown = await runCli(['conversations', 'show', kit.conversationId, '--config', configFile]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('tasks (clickup__create_task): succeeded');
    expect((await runCli(['conversations', 'remove', kit.conversationId, '--config', configFile])).code).toBe(0);
    const gone = await runCli(['conversations', 'show', kit.conversationId, '--config', configFile]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`no conversation "${kit.conversationId}"`);
    expect((await call(client, 'get_conversation', { id: kit.conversationId })).isError).toBe(true);
  });

  it('reports every problem of a plan at once, by step and field, and runs nothing', async () => {
    hub = await startHub('stdio', config(), { capabilities: {} });
    const sentBefore = apps.telegram.state.sent.length;
    const tasksBefore = apps.clickup.state.tasksInList(ACME.lists.followUps).length;
    const bad = await call<RunAnswer>(hub.client, 'run_plan', {
      plan: {
        steps: [
          { id: 'lookup', tool: 'xero__list-overdue-invoices', args: {} },
          { id: 'create', tool: 'clickup__create_task', args: { list_id: 'L1', name: 42 } },
          { id: 'tell', tool: 'telegram__send_message', args: { text: { $expr: 'steps.summary.text' } } },
        ],
      },
    });
    expect(bad.isError).toBe(true);
    expect(bad.data.status).toBe('failed');
    const issues = bad.data.issues!;
    expect(issues.find((i) => i.step === 'lookup')).toMatchObject({ field: 'tool' });
    expect(issues.find((i) => i.step === 'lookup')!.message).toMatch(/unknown tool "xero__list-overdue-invoices"/);
    expect(issues.find((i) => i.step === 'create')).toMatchObject({ field: 'args.name' });
    expect(issues.find((i) => i.step === 'tell')!.message).toMatch(/unknown step "summary"/);
    for (const id of ['lookup', 'create', 'tell']) expect(bad.text).toContain(`step ${id}`);
    expect(apps.telegram.state.sent).toHaveLength(sentBefore);
    expect(apps.clickup.state.tasksInList(ACME.lists.followUps).length).toBe(tasksBefore);

    // A prompt step needs a model this hub does not have: refused before anything runs.
    const prompt = await call<RunAnswer>(hub.client, 'run_plan', { plan: { steps: [{ id: 'sum', prompt: 'Summarise' }] } });
    expect(prompt.data.issues?.[0]).toMatchObject({ step: 'sum', field: 'prompt' });
  });

  it('a destructive step waits for consent; a hub killed (SIGKILL) while it waits runs it exactly once on approval after a restart', async () => {
    const dataDir = tempDir('hub-data-');
    const file = config({ orchestrate: { trust: ['xero__list-*'], confirm: ['telegram__send_*'] } }, dataDir);
    hub = await startHub('http', file, { capabilities: {} });
    const sentBefore = apps.telegram.state.sentTo(TEAM_CHAT_ID).length;
    const tasksBefore = followUps(apps).length;
    const kit = (await call<Kit>(hub.client, 'plan_task', { task: SEED_TASK })).data;
    const { plan, context } = await agentPlan(hub.client, kit);
    const waiting = (await call<RunAnswer>(hub.client, 'run_plan', { plan, context })).data;
    expect(waiting.status).toBe('needs-approval');
    expect(waiting.approval!.steps).toEqual([expect.objectContaining({ step: 'notify', tool: 'telegram__send_message' })]);
    expect(followUps(apps).length - tasksBefore).toBe(5);
    expect(apps.telegram.state.sentTo(TEAM_CHAT_ID).length).toBe(sentBefore);

    const child = hub.child!;
    const killed = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await killed;
    await hub.client.close().catch(() => undefined);
    hub = await startHub('http', file, { capabilities: {} });

    const approved = await call<RunAnswer>(hub.client, 'orchestrate', { runId: waiting.runId, approve: true });
    expect(approved.isError, approved.text).toBe(false);
    expect(approved.data.status).toBe('succeeded');
    expect(approved.data.steps.find((s) => s.id === 'tasks')!.status).toBe('succeeded');
    expect(apps.telegram.state.sentTo(TEAM_CHAT_ID).length).toBe(sentBefore + 1);
    // The completed steps were not run again, and a second approval runs nothing.
    expect(followUps(apps).length - tasksBefore).toBe(5);
    const again = await call<RunAnswer>(hub.client, 'orchestrate', { runId: waiting.runId, approve: true });
    expect(again.isError).toBe(true);
    expect(again.text).toMatch(/not waiting for approval \(it is succeeded\)/);
    expect(apps.telegram.state.sentTo(TEAM_CHAT_ID).length).toBe(sentBefore + 1);
  });
});
