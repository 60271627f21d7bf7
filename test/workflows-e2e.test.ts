// Scheduled workflows end to end: hub child processes with the three apps on their mocks and the
// planner's model on the mock LLM. A task workflow is planned once and its scheduled and manual runs
// make no planning call (the mock LLM's request log); config workflows run on their schedule and are
// read-only through the tools; runtime workflows and their history survive a restart and SIGKILL; the
// CLI reads and runs them; and the offline demo schedules and runs the Monday scenario.
import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACME, TEAM_CHAT_ID, followUps, startMockApps, type MockApps } from './support/apps.js';
import { json, runCli } from './support/cli.js';
import { CLI, ROOT, eventually, startHub, tempDir, text, writeConfig, type HubHandle } from './support/hub.js';
import { alive, chromaServers, type ProcessInfo } from './support/processes.js';
import { readStore } from './support/workflow-store.js';

/** Creates ClickUp tasks, no model step: a run of its plan makes no LLM call at all. */
const TASK = 'Create a ClickUp task for following up on the unpaid invoices from Xero.';
const MONDAY_TASK = 'Every Monday, check the unpaid invoices in Xero, create a ClickUp task for each, and post a summary to our Telegram group';
const HEARTBEAT = 'Config heartbeat';

interface Run {
  id: string;
  workflowId: string;
  status: string;
  trigger: 'schedule' | 'manual' | 'catch-up';
  startedAt: string;
  scheduledFor?: string;
  interrupted?: boolean;
  error?: string;
  usage: { llmCalls: number };
  steps: Array<{ id: string; tool?: string; status: string; result?: unknown; iterations?: number }>;
}

interface Details {
  id: string;
  source: 'runtime' | 'config';
  state: string;
  running: boolean;
  schedule: string;
  scheduleText: string;
  nextRuns: string[];
  needsApproval: string[];
  plan?: { steps: Array<{ id: string; tool?: string }> };
  planSource?: string;
  stats: { runs: number; plannings: number };
  runs: Run[];
}

/** The config workflow: explicit steps, every 2 seconds, posting to the team chat. */
const configWorkflows = {
  'config-heartbeat': { schedule: '*/2 * * * * *', steps: [{ id: 'post', tool: 'telegram__send_message', args: { text: HEARTBEAT } }] },
};

describe('workflows through the hub', () => {
  let apps: MockApps;
  let configFile: string;
  let hub: HubHandle | undefined;

  beforeAll(async () => {
    apps = await startMockApps();
    // Creating ClickUp tasks needs consent here, so that a planned workflow has a destructive step to approve.
    configFile = writeConfig(tempDir(), { ...apps.config, orchestrate: { trust: ['xero__list-*'], confirm: ['clickup__create_task'] }, workflows: configWorkflows });
  });
  afterAll(async () => {
    await hub?.close();
    await apps?.close();
  });

  const planningRequests = () => apps.llm.requests.filter((r) => r.tools.some((t) => t.name === 'submit_plan')).length;
  const heartbeats = () => apps.telegram.state.sentTo(TEAM_CHAT_ID).filter((m) => m.text === HEARTBEAT);

  async function call<T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}, h: HubHandle = hub!) {
    const result = (await h.client.callTool({ name, arguments: args })) as CallToolResult;
    return { data: result.structuredContent as T, text: text(result), isError: result.isError === true };
  }
  const details = async (id: string, runs = 50) => (await call<Details>('get_workflow', { id, runs })).data;
  const list = async () => (await call<{ workflows: Details[] }>('list_workflows')).data.workflows;

  it('runs an explicit-steps workflow from the config on its schedule against the mock apps, with no model', async () => {
    hub = await startHub('stdio', configFile);
    const runs = await eventually(
      async () => {
        const done = (await details('config-heartbeat')).runs.filter((r) => r.trigger === 'schedule' && r.status === 'succeeded');
        return done.length >= 2 && done;
      },
      20_000,
      'two scheduled runs of the config workflow',
    );
    for (const run of runs) {
      // Each run is for a due occurrence (an even second) and started at or after it.
      expect(Date.parse(run.scheduledFor!) % 2000).toBe(0);
      expect(Date.parse(run.startedAt)).toBeGreaterThanOrEqual(Date.parse(run.scheduledFor!));
      expect(run.steps).toEqual([expect.objectContaining({ id: 'post', tool: 'telegram__send_message', status: 'succeeded' })]);
    }
    expect(new Set(runs.map((r) => r.scheduledFor)).size).toBe(runs.length);
    expect(heartbeats().length).toBeGreaterThanOrEqual(2);
    const w = await details('config-heartbeat');
    expect(w).toMatchObject({ source: 'config', state: 'scheduled', planSource: 'given', schedule: '*/2 * * * * *' });
    expect(w.nextRuns).toHaveLength(3);
    expect(apps.llm.requests).toHaveLength(0);
  });

  it('keeps config workflows read-only through the tools', async () => {
    for (const tool of ['pause_workflow', 'remove_workflow']) {
      const refused = await call(tool, { id: 'config-heartbeat' });
      expect(refused.isError, tool).toBe(true);
      expect(refused.text).toMatch(/defined in the config file and is read-only here.*workflows:/);
    }
    expect((await details('config-heartbeat')).state).toBe('scheduled');
    const unknown = await call('get_workflow', { id: 'nope' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/no workflow "nope".*config-heartbeat/);
  });

  let planned: Details['plan'];

  it('plans a task workflow once; its scheduled runs and run_workflow make no planning call', async () => {
    const before = planningRequests();
    const created = await call<{ id: string; cron: string; plan: Details['plan']; needsApproval: string[]; nextRuns: string[] }>('schedule_workflow', {
      name: 'Invoice follow-ups',
      schedule: '*/2 * * * * *',
      task: TASK,
    });
    expect(created.isError, created.text).toBe(false);
    expect(planningRequests()).toBe(before + 1);
    const { id } = created.data;
    expect(id).toBe('invoice-follow-ups');
    expect(created.data.cron).toBe('*/2 * * * * *');
    planned = created.data.plan;
    expect(planned!.steps.map((s) => s.tool)).toContain('clickup__create_task');
    // The client did not approve the destructive step when asked: the workflow waits, unscheduled.
    expect(created.data.needsApproval).toEqual(['clickup__create_task']);
    expect(created.text).toContain('resume_workflow');
    expect((await details(id)).state).toBe('awaiting-approval');
    expect((await call('run_workflow', { id })).text).toMatch(/waits for approval of destructive tools \(clickup__create_task\)/);

    const resumed = await call<{ workflow: Details }>('resume_workflow', { id, approveDestructive: true });
    expect(resumed.data.workflow.state).toBe('scheduled');
    const requestsAfterPlanning = planningRequests();

    await eventually(async () => (await details(id)).runs.filter((r) => r.trigger === 'schedule' && r.status === 'succeeded').length >= 2, 30_000, 'two scheduled runs');
    const paused = await call<{ workflow: Details }>('pause_workflow', { id });
    expect(paused.data.workflow).toMatchObject({ state: 'paused', nextRuns: [] });
    await eventually(async () => !(await details(id)).running, 15_000, 'the scheduled run in progress to finish');

    const tasksBefore = followUps(apps).length;
    const manual = await call<{ run: Run }>('run_workflow', { id });
    expect(manual.isError, manual.text).toBe(false);
    // One model call per run: the plan's step that reads the invoices out of Xero's text. No planning.
    expect(manual.data.run).toMatchObject({ status: 'succeeded', trigger: 'manual', usage: { llmCalls: 1 } });
    expect(followUps(apps).length).toBe(tasksBefore + 5);

    // Not one more planning request since the plan was made: scheduled and manual runs reuse it.
    expect(planningRequests()).toBe(requestsAfterPlanning);
    const w = await details(id);
    expect(w.stats.plannings).toBe(1);
    expect(w.plan).toEqual(planned);
    expect(w.runs.every((r) => r.status === 'succeeded' && r.usage.llmCalls === 1)).toBe(true);

    const listed = (await list()).map((x) => [x.id, x.state]);
    expect(listed).toEqual(expect.arrayContaining([['invoice-follow-ups', 'paused'], ['config-heartbeat', 'scheduled']]));
    expect((await call<{ workflow: Details }>('resume_workflow', { id })).data.workflow.state).toBe('scheduled');
    expect((await call<{ workflow: Details }>('pause_workflow', { id })).data.workflow.state).toBe('paused');
  });

  it('keeps runtime workflows and their history across a restart; the CLI lists, shows and runs them', { timeout: 90_000 }, async () => {
    const id = 'invoice-follow-ups';
    await eventually(async () => !(await details(id)).running, 15_000, 'no run in progress');
    const before = await details(id);
    await hub!.close();
    hub = undefined;

    const listed = await runCli(['workflows', 'list', '--json', '--config', configFile]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(json<Details[]>(listed).map((w) => [w.id, w.source, w.state])).toEqual(
      expect.arrayContaining([
        [id, 'runtime', 'paused'],
        ['config-heartbeat', 'config', 'scheduled'],
      ]),
    );
    const shown = await runCli(['workflows', 'show', id, '--json', '--config', configFile]);
    expect(shown.code, shown.stderr).toBe(0);
    const shownDetails = json<Details>(shown);
    expect(shownDetails.plan).toEqual(planned);
    expect(shownDetails.runs.map((r) => r.id)).toEqual(before.runs.slice(0, 10).map((r) => r.id));
    const human = await runCli(['workflows', 'show', id, '--config', configFile]);
    expect(human.stdout).toContain(`${id}: Invoice follow-ups (runtime, paused)`);

    const requests = planningRequests();
    const tasksBefore = followUps(apps).length;
    const ran = await runCli(['workflows', 'run', id, '--json', '--config', configFile]);
    expect(ran.code, ran.stderr).toBe(0);
    const cliRun = json<Run>(ran);
    expect(cliRun).toMatchObject({ workflowId: id, status: 'succeeded', trigger: 'manual' });
    expect(followUps(apps).length).toBe(tasksBefore + 5);
    expect(planningRequests()).toBe(requests);

    hub = await startHub('stdio', configFile);
    const after = await details(id);
    expect(after).toMatchObject({ source: 'runtime', state: 'paused', plan: planned, stats: { plannings: 1, runs: before.stats.runs + 1 } });
    expect(after.runs.map((r) => r.id)).toEqual([cliRun.id, ...before.runs.map((r) => r.id)]);
    // Still scheduled after the restart once resumed.
    await call('resume_workflow', { id });
    await eventually(async () => (await details(id)).runs.some((r) => r.trigger === 'schedule' && Date.parse(r.startedAt) > Date.parse(cliRun.startedAt)), 20_000, 'a scheduled run after the restart');
    expect(planningRequests()).toBe(requests);

    const removed = await call('remove_workflow', { id });
    expect(removed.isError, removed.text).toBe(false);
    expect((await list()).map((w) => w.id)).toEqual(['config-heartbeat']);
    expect((await call('get_workflow', { id })).isError).toBe(true);
    await hub.close();
    hub = undefined;
  });

  describe('SIGKILL of the hub', () => {
    let killed: { child: ChildProcess; client: Client } | undefined;
    afterEach(async () => {
      apps.telegram.server.setFaults({});
      if (killed && killed.child.exitCode === null && killed.child.signalCode === null) killed.child.kill('SIGKILL');
      killed = undefined;
    });

    /** An HTTP hub child (its process is ours to kill). */
    async function httpHub(file: string): Promise<HubHandle> {
      const h = await startHub('http', file);
      killed = { child: h.child!, client: h.client };
      return h;
    }

    async function kill(h: HubHandle): Promise<void> {
      const exited = new Promise((r) => h.child!.once('exit', r));
      h.child!.kill('SIGKILL');
      await exited;
      await h.client.close().catch(() => undefined);
    }

    it('during a run leaves the store valid, and the next start marks the run interrupted', async () => {
      const h = await httpHub(configFile);
      const created = await call<{ id: string }>(
        'schedule_workflow',
        { id: 'slow-notice', name: 'Slow notice', schedule: '0 9 * * 1', steps: [{ id: 'notify', tool: 'telegram__send_message', args: { text: 'Slow notice' } }] },
        h,
      );
      expect(created.isError, created.text).toBe(false);
      // Sending a message is approved by a person (resume_workflow), not by a flag in schedule_workflow's input.
      const approved = await call<{ workflow: Details }>('resume_workflow', { id: 'slow-notice', approveDestructive: true }, h);
      expect(approved.data.workflow.needsApproval, approved.text).toEqual([]);
      // The Telegram API stops answering: the run is inside its step when the hub dies.
      apps.telegram.server.setFaults({ slowMs: 120_000 });
      const running = call('run_workflow', { id: 'slow-notice' }, h).catch(() => undefined);
      await eventually(() => apps.telegram.server.requests.some((r) => /sendMessage$/i.test(r.path) && (r.body as { text?: string })?.text === 'Slow notice'), 15_000, 'the run to reach Telegram');
      await kill(h);
      await running;
      apps.telegram.server.setFaults({});

      const { definitions, runs, stray } = readStore(apps.dataDir);
      expect(stray).toEqual([]);
      expect(definitions.map((d) => d.workflow.definition.id).sort()).toEqual(['config-heartbeat', 'slow-notice']);
      expect(runs.get('slow-notice')?.[0].status).toBe('running');

      hub = await startHub('stdio', configFile);
      const w = await details('slow-notice');
      expect(w.runs[0]).toMatchObject({ status: 'failed', interrupted: true, trigger: 'manual' });
      expect(w.runs[0].error).toMatch(/interrupted/);
      const again = await call<{ run: Run }>('run_workflow', { id: 'slow-notice' });
      expect(again.data.run.status, again.text).toBe('succeeded');
      expect((await details('slow-notice')).runs.map((r) => r.status)).toEqual(['succeeded', 'failed']);
      await call('remove_workflow', { id: 'slow-notice' });
      await hub.close();
      hub = undefined;
    });

    it('during store writes leaves every file valid, with no acknowledged change lost', { timeout: 120_000 }, async () => {
      const dataDir = tempDir('hub-data-');
      const file = writeConfig(tempDir(), { ...apps.config, dataDir, workflows: configWorkflows });
      const created = new Set<string>();
      const removing = new Set<string>();
      const removed = new Set<string>();
      let n = 0;
      for (let round = 0; round < 3; round++) {
        const h = await httpHub(file);
        let stop = false;
        let failure: unknown;
        let firstCreated!: () => void;
        const writing = new Promise<void>((r) => (firstCreated = r));
        // Creates, runs and removes workflows through the tools as fast as the hub answers, until killed.
        const churn = (async () => {
          while (!stop) {
            const id = `churn-${++n}`;
            const made = await call('schedule_workflow', { id, name: `Churn ${n}`, schedule: '0 9 * * 1', steps: [{ id: 'list', tool: 'xero__list-invoices', args: { page: 1 } }] }, h);
            if (made.isError) throw new Error(made.text);
            created.add(id);
            firstCreated();
            const ran = await call('run_workflow', { id }, h);
            if (ran.isError) throw new Error(ran.text);
            // (The previous id may be one whose creation the last kill cut off.)
            if (n % 3 === 0 && created.has(`churn-${n - 1}`)) {
              // Asked but not yet acknowledged, a removal may or may not have happened when the kill comes.
              removing.add(`churn-${n - 1}`);
              const gone = await call('remove_workflow', { id: `churn-${n - 1}` }, h);
              if (gone.isError) throw new Error(gone.text);
              removed.add(`churn-${n - 1}`);
            }
          }
        })().catch((err: unknown) => {
          // Calls cut off by the kill fail; one that fails before it is a real failure.
          if (!stop) failure = err;
          firstCreated();
        });
        // A random moment while the churn writes (most of its time goes to writing and flushing files).
        await writing;
        await new Promise((r) => setTimeout(r, Math.random() * 1500));
        stop = true;
        await kill(h);
        await churn;
        expect(failure).toBeUndefined();

        const { definitions, stray } = readStore(dataDir);
        expect(stray).toEqual([]);
        const ids = new Set(definitions.map((d) => d.workflow.definition.id));
        expect(definitions.every((d) => d.file === `${d.workflow.definition.id}.json`)).toBe(true);
        for (const id of created) if (!removing.has(id)) expect(ids, `acknowledged ${id} lost`).toContain(id);
        for (const id of removed) expect(ids, `removed ${id} came back`).not.toContain(id);
        for (const id of ids) expect(id === 'config-heartbeat' || /^churn-\d+$/.test(id), `unexpected ${id}`).toBe(true);
      }
      expect(created.size).toBeGreaterThan(2);

      // The next hub loads exactly what is on disk.
      hub = await startHub('stdio', file);
      const onDisk = readStore(dataDir).definitions.map((d) => d.workflow.definition.id).sort();
      expect((await list()).map((w) => w.id).sort()).toEqual(onDisk);
      await hub.close();
      hub = undefined;
    });
  });

  it('schedules the Monday scenario in the offline demo and runs it with run_workflow', { timeout: 60_000 }, async () => {
    const demo = spawn(process.execPath, [CLI, 'demo', '--port', '0'], { cwd: ROOT, env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((r) => demo.once('exit', r));
    let chroma: ProcessInfo[] = [];
    let stderr = '';
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        demo.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (/MCP endpoint:\s+\S+/.test(stderr) && /Model:/.test(stderr)) resolve(stderr);
        });
        demo.once('exit', (code) => reject(new Error(`demo exited with ${code}:\n${stderr}`)));
      });
      // The demo keeps memory in its own Chroma, a child of the demo process, which must go with it.
      chroma = chromaServers({ parent: demo.pid! });
      expect(chroma).toHaveLength(1);
      const endpoint = /MCP endpoint:\s+(http:\/\/\S+\/mcp)/.exec(banner)![1];
      const clickupUrl = /Mock ClickUp API:\s+(http:\/\/\S+)/.exec(banner)![1];

      const client = new Client({ name: 'demo-test', version: '1.0.0' }, { capabilities: { elicitation: {} } });
      const asked: string[] = [];
      client.setRequestHandler(ElicitRequestSchema, async (request) => {
        asked.push(request.params.message);
        return { action: 'accept', content: { approve: true } };
      });
      await client.connect(new StreamableHTTPClientTransport(new URL(endpoint)));
      try {
        const demoCall = async <T>(name: string, args: Record<string, unknown>) => {
          const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
          expect(result.isError, text(result)).toBeFalsy();
          return result.structuredContent as T;
        };
        const created = await demoCall<{ id: string; cron: string; scheduleText: string; nextRuns: string[]; needsApproval: string[] }>('schedule_workflow', {
          name: 'Monday invoices',
          schedule: 'every Monday at 9',
          task: MONDAY_TASK,
        });
        expect(created.cron).toBe('0 9 * * 1');
        expect(created.scheduleText).toMatch(/09:00.*Monday/);
        expect(created.nextRuns).toHaveLength(3);
        // Nothing waits for consent: the workflow is scheduled (any destructive step was approved when the client was asked).
        expect(created.needsApproval).toEqual([]);
        expect(asked.every((m) => /Approve them now\?/.test(m))).toBe(true);

        const { run } = await demoCall<{ run: Run }>('run_workflow', { id: created.id });
        expect(run).toMatchObject({ status: 'succeeded', trigger: 'manual' });
        expect(run.steps.find((s) => s.id === 'tasks')).toMatchObject({ status: 'succeeded', iterations: 5 });
        // The message the Telegram mock accepted, as the step got it back.
        const notify = run.steps.find((s) => s.tool === 'telegram__send_message')!;
        expect(notify.status).toBe('succeeded');
        expect(JSON.stringify(notify.result)).toContain('5 unpaid invoices');

        // The tasks are in the ClickUp mock, read through its own API.
        const res = await fetch(`${clickupUrl}/list/${ACME.lists.followUps}/task`, { headers: { Authorization: (await import('../mocks/clickup-api/index.js')).DEFAULT_CLICKUP_TOKEN } });
        expect(res.status).toBe(200);
        const names = ((await res.json()) as { tasks: Array<{ name: string }> }).tasks.map((t) => t.name).filter((name) => name.startsWith('Follow up invoice'));
        expect(names.map((name) => /INV-\d{4}/.exec(name)![0]).sort()).toEqual(['INV-0002', 'INV-0003', 'INV-0004', 'INV-0006', 'INV-0008']);

        const listed = await demoCall<{ workflows: Details[] }>('list_workflows', {});
        // Beside the demo's own (from its config).
        expect(listed.workflows).toEqual(expect.arrayContaining([expect.objectContaining({ id: created.id, state: 'scheduled', schedule: '0 9 * * 1' }), expect.objectContaining({ id: 'monday-invoices' })]));
      } finally {
        await client.close();
      }
    } finally {
      demo.kill('SIGTERM');
      await exited;
    }
    for (const p of chroma) await eventually(() => !alive(p.pid), 15_000, 'the demo\'s Chroma to stop with it');
  });
});
