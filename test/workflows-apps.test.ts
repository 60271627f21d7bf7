// Workflows end to end: node-cron with a seconds field, a real hub (child process) in front of the
// mock apps, and a small plan runner calling tools through it. The Monday scenario runs on schedule
// and on demand; a failing workflow notifies the Telegram group.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowService, type WorkflowRun } from '../src/workflows/index.js';
import { mondayInvoicesWorkflow } from './fixtures/monday-workflow.js';
import { hubRunner } from './fixtures/workflow-runner.js';
import { ACME, TEAM_CHAT_ID, startMockApps, type MockApps } from './support/apps.js';
import { startHub, writeConfig, type HubHandle } from './support/hub.js';

describe('workflows against the mock apps', () => {
  let hub: HubHandle;
  let apps: MockApps;
  let service: WorkflowService;

  beforeAll(async () => {
    apps = await startMockApps();
    const config = writeConfig(apps.dataDir, { ...apps.config, expose: { mode: 'all' } });
    hub = await startHub('stdio', config);
    const { tools } = await hub.client.listTools();
    service = new WorkflowService({ dataDir: apps.dataDir, runner: hubRunner(hub.client, tools) });
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    await hub?.close();
    await apps?.close();
  });

  const unpaidTaskNames = (run: WorkflowRun) => (run.steps.find((s) => s.id === 'followups')?.args as Array<{ name: string }>).map((a) => a.name);

  it('runs the Monday scenario on its (seconds) schedule, then on demand', async () => {
    const created = await service.create(mondayInvoicesWorkflow(ACME.lists.followUps, { schedule: '*/2 * * * * *', timezone: 'UTC' }));
    expect(created.scheduleText).toBe('Every 2 seconds (UTC)');
    expect(created.needsApproval).toEqual([]);
    const [run] = (await once(service, 'run-finished')) as [WorkflowRun];
    await service.pause(created.workflow.id);
    expect(run).toMatchObject({ workflowId: created.workflow.id, trigger: 'schedule', status: 'succeeded' });
    // It ran for an occurrence of its schedule, not before it.
    expect(new Date(run.scheduledFor!).getUTCSeconds() % 2).toBe(0);
    expect(Date.parse(run.startedAt)).toBeGreaterThanOrEqual(Date.parse(run.scheduledFor!));

    const names = unpaidTaskNames(run);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^Follow up INV-\d{4} \(.+\): \d+(\.\d+)? GBP due$/);
    expect(names).toContain('Follow up INV-0003 (Marine Systems): 3000 GBP due'); // 4800 invoiced, 1800 paid
    for (const name of names) expect(apps.clickup.state.findTask(name, ACME.lists.followUps)).toBeDefined();
    const summary = apps.telegram.state.sentTo(TEAM_CHAT_ID).map((m) => m.text).find((t) => t?.startsWith('Unpaid invoices: '));
    // The five unpaid sales invoices of the seed data, read out of Xero's text: 540 + 3000 + 960 + 2100 + 2520.
    expect(names.map((n) => /INV-\d{4}/.exec(n)![0]).sort()).toEqual(['INV-0002', 'INV-0003', 'INV-0004', 'INV-0006', 'INV-0008']);
    expect(summary).toBe('Unpaid invoices: 5, 9120 due. Follow-up tasks are in ClickUp.');

    const manual = await service.runNow(created.workflow.id);
    expect(manual).toMatchObject({ trigger: 'manual', status: 'succeeded' });
    const history = service.get(created.workflow.id).runs;
    expect(history.map((r) => r.trigger)).toEqual(['manual', 'schedule']);
    expect(history[1].steps.map((s) => [s.id, s.status])).toEqual([
      ['invoices', 'succeeded'],
      ['followups', 'succeeded'],
      ['summary', 'succeeded'],
    ]);
  });

  it('a failing run calls onFailure, which posts to the Telegram group', async () => {
    const created = await service.create(
      mondayInvoicesWorkflow('999999999', { name: 'Broken follow-ups', schedule: '0 9 * * 1' }),
    );
    const run = await service.runNow(created.workflow.id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/^step followups: clickup__create_task failed/);
    expect(run.notifications).toEqual([expect.objectContaining({ kind: 'onFailure', status: 'succeeded' })]);
    const alert = apps.telegram.state.sentTo(TEAM_CHAT_ID).map((m) => m.text).find((t) => t?.startsWith('Workflow "Broken follow-ups" failed: '));
    expect(alert).toContain('step followups: clickup__create_task failed');
  });
});
