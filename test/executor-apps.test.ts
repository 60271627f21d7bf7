// The seed scenario's plan run by the Orchestrator through the real Catalog: real downstream servers
// as child processes (the official Xero server on the Xero API mock, our ClickUp and Telegram servers on
// their mock APIs) over stdio. No model: the plan is given, as a workflow's stored steps would be, and
// reads Xero's text answer with JSONata's $match. Needs `npm run build`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from '../src/config/load.js';
import { DownstreamPool } from '../src/downstream/pool.js';
import { Catalog } from '../src/catalog/catalog.js';
import { childLogger } from '../src/log/logger.js';
import { Orchestrator } from '../src/planner/orchestrator.js';
import type { StepProgress } from '../src/planner/executor.js';
import { ACME, TEAM_CHAT_ID, startMockApps, type MockApps } from './support/apps.js';
import { ROOT } from './support/hub.js';

/** Invoice numbers in the official server's text answer. */
const NUMBERS = '$match(steps.invoices, /Invoice: (INV-\\d+)/).groups[0]';

describe('the seed scenario through the real catalog', () => {
  let apps: MockApps;
  let pool: DownstreamPool;
  let catalog: Catalog;

  beforeAll(async () => {
    apps = await startMockApps();
    pool = new DownstreamPool({ log: childLogger('test'), autoRestart: false });
    await pool.apply(parseConfig(stringify({ servers: apps.config.servers }), path.join(ROOT, 'test.config.yaml')));
    catalog = new Catalog(pool);
  });

  afterAll(async () => {
    await pool?.stopAll();
    await apps?.close();
  });

  it('stops at the unannotated Xero tool (MCP default: may be destructive), then runs all three apps on approval', async () => {
    const orchestrator = new Orchestrator({ caller: catalog, tools: catalog, index: { searchMany: async () => [] }, logger: { info() {}, warn() {} } });
    const plan = {
      goal: 'Follow up unpaid invoices and tell the team',
      steps: [
        { id: 'invoices', tool: 'xero__list-invoices', args: { page: 1 } },
        {
          id: 'task',
          tool: 'clickup__create_task',
          args: {
            list_id: ACME.lists.followUps,
            name: { $template: `Follow up {{$count(${NUMBERS})}} invoices` },
            description: { $template: `{{$join(${NUMBERS}, ", ")}}` },
          },
        },
        { id: 'notify', tool: 'telegram__send_message', args: { text: { $template: 'New ClickUp task: {{steps.task.name}}' } } },
      ],
    };
    const progress: StepProgress[] = [];
    const first = await orchestrator.run(plan, { onProgress: (p) => progress.push(p) });
    expect(first.status).toBe('needs-approval');
    // The Telegram send asks too: it sends data out of the hub (orchestrate.egress), and nothing trusts it here.
    expect(first.approval?.steps.map((s) => s.tool)).toEqual(['xero__list-invoices', 'telegram__send_message']);

    const done = await orchestrator.resume(first.runId, true, { onProgress: (p) => progress.push(p) });
    expect(done.record.steps.map((s) => [s.id, s.status, s.error])).toEqual([
      ['invoices', 'succeeded', undefined],
      ['task', 'succeeded', undefined],
      ['notify', 'succeeded', undefined],
    ]);
    expect(done.status).toBe('succeeded');
    const numbers = [...(done.results.invoices as string).matchAll(/Invoice: (INV-\d+)/g)].map((m) => m[1]);
    expect(numbers).toHaveLength(7); // the 10 newest of 12: seven sales invoices, three bills (not INV- numbers)
    const name = `Follow up ${numbers.length} invoices`;
    const task = apps.clickup.state.findTask(name, ACME.lists.followUps);
    expect(task?.description).toBe(numbers.join(', '));
    const sent = apps.telegram.state.sentTo(TEAM_CHAT_ID).map((m) => m.text);
    expect(sent).toContain(`New ClickUp task: ${name}`);
    expect(progress.at(-1)).toMatchObject({ step: 'notify', status: 'succeeded', completed: 3, total: 3 });
    expect(done.summary).toMatch(/^Done: 3 of 3 steps succeeded/);
  });
});
