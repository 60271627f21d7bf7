// Workflow service with an injected clock, the manual scheduler and a fake runner: definitions and
// their validation, overlap, failures and notifications, history, pause/resume, approval, restart,
// catch-up after downtime, planning once, config-defined workflows.
import { once } from 'node:events';
import { statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../src/planner/plan.js';
import type { RunRecord } from '../src/planner/record.js';
import winston from 'winston';
import type { Llm, LlmRequest } from '../src/llm/types.js';
import { ManualScheduler, WorkflowError, WorkflowService, scheduleToCron, showSchedule, type RunPlanOptions, type WorkflowRun, type WorkflowRunner } from '../src/workflows/index.js';
import { tempDir } from './support/hub.js';
import { makePrincipal } from '../src/access/principal.js';
import { WorkflowsConfigSchema } from '../src/config/workflows.js';

class FakeClock {
  constructor(public at: Date) {}
  now = () => new Date(this.at);
  set(iso: string) {
    this.at = new Date(iso);
  }
}

type Behaviour = (plan: Plan, opts: RunPlanOptions) => Promise<Partial<RunRecord>>;

class FakeRunner implements WorkflowRunner {
  planCalls = 0;
  calls: Array<{ plan: Plan; opts: RunPlanOptions }> = [];
  /** Tool schema versions: bumping one changes the catalog signature. */
  versions: Record<string, number> = {};
  destructive = new Set(['clickup__delete_task']);
  behaviour: Behaviour = async () => ({ status: 'succeeded' });
  plans: Plan[] = [];

  async planTask(task: string) {
    this.planCalls++;
    const plan = this.plans.shift() ?? { goal: task, steps: [{ id: 'invoices', tool: 'xero__list-invoices', args: { page: 1 } }] };
    return { plan, usage: { llmCalls: 1, inputTokens: 120, outputTokens: 40 } };
  }

  async runPlan(plan: Plan, opts: RunPlanOptions): Promise<RunRecord> {
    this.calls.push({ plan, opts });
    const r = await this.behaviour(plan, opts);
    return { id: `r${this.calls.length}`, task: '', trigger: opts.trigger, steps: plan.steps.map((s) => ({ id: s.id, status: r.status === 'succeeded' ? 'succeeded' : 'failed' })), startedAt: new Date().toISOString(), usage: { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 }, status: 'succeeded', ...r } as RunRecord;
  }

  catalogSignature(names: string[]) {
    return names.map((n) => `${n}@${this.versions[n] ?? 1}`).join(',');
  }

  destructiveTools(names: string[]) {
    return names.filter((n) => this.destructive.has(n));
  }

  /** Main-plan runs only (notifications are recognisable by their goal). */
  mainRuns() {
    return this.calls.filter((c) => !/^on(Success|Failure) of /.test(c.plan.goal ?? ''));
  }
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const steps = [
  { id: 'invoices', tool: 'xero__list-invoices', args: { page: 1 } },
  { id: 'notify', tool: 'telegram__send_message', args: { text: { $template: 'Found {{$count(steps.invoices.invoices)}} invoices' } } },
];

let services: WorkflowService[] = [];
const quiet = winston.createLogger({ silent: true });

function setup(options: { dir?: string; clock?: FakeClock; runner?: FakeRunner; historyLimit?: number } = {}) {
  const dir = options.dir ?? tempDir('workflows-');
  const clock = options.clock ?? new FakeClock(new Date('2025-03-20T12:00:00Z'));
  const runner = options.runner ?? new FakeRunner();
  const scheduler = new ManualScheduler();
  const service = new WorkflowService({ dataDir: dir, runner, scheduler, clock, log: quiet, historyLimit: options.historyLimit, defaultTimezone: 'UTC', abortGraceMs: 50 });
  services.push(service);
  return { dir, clock, runner, scheduler, service };
}

function finished(service: WorkflowService): Promise<WorkflowRun> {
  return once(service, 'run-finished').then(([run]) => run as WorkflowRun);
}

afterEach(async () => {
  await Promise.all(services.map((s) => s.stop().catch(() => undefined)));
  services = [];
});

describe('workflow definitions', () => {
  it('refuses invalid schedules, timezones and definitions with a reason', async () => {
    const { service } = setup();
    await service.start();
    const bad = async (input: Record<string, unknown>) => {
      const err = await service.create({ name: 'x', schedule: '0 9 * * 1', steps, ...input } as never).catch((e) => e);
      expect(err).toBeInstanceOf(WorkflowError);
      return (err as Error).message;
    };
    expect(await bad({ schedule: '61 * * * *' })).toMatch(/invalid cron/);
    expect(await bad({ schedule: 'every monday' })).toMatch(/invalid cron: .*field/);
    expect(await bad({ schedule: '0 9 1 * 1' })).toMatch(/both day-of-month and day-of-week/);
    expect(await bad({ timezone: 'Mars/Olympus' })).toMatch(/unknown timezone/);
    expect(await bad({ task: 'check invoices' })).toMatch(/either `task`.*or `steps`/);
    expect(await bad({ steps: [{ id: 'a', tool: 'x__y' }, { id: 'a', tool: 'x__z' }] })).toMatch(/step id "a" is used twice/);
    expect(service.list()).toEqual([]);
  });

  it('stores the plan and shows the schedule in words with the next 3 runs in its timezone', async () => {
    const { service, scheduler } = setup();
    await service.start();
    const created = await service.create({ name: 'Monday invoices', schedule: '0 9 * * 1', timezone: 'Europe/London', steps });
    expect(created.workflow.id).toBe('monday-invoices');
    expect(created.scheduleText).toBe('At 09:00, only on Monday (Europe/London)');
    // Summer time starts on 30 March 2025: 09:00 London is 08:00 UTC from then on.
    expect(created.nextRuns).toEqual(['2025-03-24T09:00:00.000Z', '2025-03-31T08:00:00.000Z', '2025-04-07T08:00:00.000Z']);
    expect(created.plan.steps).toEqual(steps);
    expect(created.needsApproval).toEqual([]);
    expect(created.planningUsage.llmCalls).toBe(0);
    expect(scheduler.entries.get('monday-invoices')).toMatchObject({ cron: '0 9 * * 1', timezone: 'Europe/London' });
    const again = await service.create({ name: 'Monday invoices', schedule: '*/5 * * * * *', steps });
    expect(again.workflow.id).toBe('monday-invoices-2');
    expect(again.scheduleText).toBe('Every 5 seconds (UTC)');
  });
});

describe('running workflows', () => {
  it('runs on schedule with the stored plan and records the run', async () => {
    const { service, scheduler, runner } = setup();
    await service.start();
    const { workflow } = await service.create({ name: 'w', schedule: '0 9 * * 1', steps, input: { team: 'finance' } });
    const done = finished(service);
    expect(scheduler.fire(workflow.id, new Date('2025-03-24T09:00:00Z'))).toBe(true);
    const run = await done;
    expect(run).toMatchObject({ workflowId: 'w', trigger: 'schedule', status: 'succeeded', scheduledFor: '2025-03-24T09:00:00.000Z', attempts: 1, client: 'workflow:w' });
    expect(runner.calls).toHaveLength(1);
    expect(runner.calls[0].plan.steps).toEqual(steps);
    expect(runner.calls[0].opts).toMatchObject({ trigger: 'schedule', workflowId: 'w', input: { team: 'finance' }, client: 'workflow:w' });
    const details = service.get('w');
    expect(details.runs.map((r) => r.id)).toEqual([run.id]);
    expect(details.runs[0].steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded']);
    expect(details.lastRun).toMatchObject({ id: run.id, status: 'succeeded', trigger: 'schedule' });
    expect(details.stats).toMatchObject({ runs: 1, succeeded: 1, failed: 0 });
  });

  it('skips an occurrence while the previous run still runs, and refuses a manual run then', async () => {
    const { service, scheduler, runner } = setup();
    await service.start();
    await service.create({ name: 'slow', schedule: '* * * * * *', steps });
    const release = deferred();
    const started = deferred();
    runner.behaviour = async () => {
      started.resolve();
      await release.promise;
      return { status: 'succeeded' };
    };
    const done = finished(service);
    scheduler.fire('slow', new Date('2025-03-20T12:00:01Z'));
    await started.promise;
    const skipped = once(service, 'skipped');
    scheduler.fire('slow', new Date('2025-03-20T12:00:02Z'));
    expect((await skipped)[0]).toMatchObject({ workflowId: 'slow', reason: 'overlap' });
    await expect(service.runNow('slow')).rejects.toThrow(/already running/);
    expect(service.get('slow').running).toBe(true);
    release.resolve();
    await done;
    expect(runner.calls).toHaveLength(1);
    expect(service.get('slow').stats.skippedOverlap).toBe(1);
    expect(service.get('slow').runs).toHaveLength(1);
  });

  it('queues one occurrence behind a running one with overlap: queue', async () => {
    const { service, scheduler, runner } = setup();
    await service.start();
    await service.create({ name: 'q', schedule: '* * * * * *', steps, overlap: 'queue' });
    const release = deferred();
    runner.behaviour = async () => (runner.calls.length === 1 ? (await release.promise, { status: 'succeeded' }) : { status: 'succeeded' });
    const first = finished(service);
    scheduler.fire('q', new Date('2025-03-20T12:00:01Z'));
    const queued = once(service, 'skipped');
    scheduler.fire('q', new Date('2025-03-20T12:00:02Z'));
    expect((await queued)[0]).toMatchObject({ reason: 'queued' });
    release.resolve();
    await first;
    const second = await finished(service);
    expect(second.scheduledFor).toBe('2025-03-20T12:00:02.000Z');
    expect(runner.calls).toHaveLength(2);
  });

  it('retries a failed run, then calls onFailure with the error', async () => {
    const { service, runner } = setup();
    await service.start();
    const onFailure = [{ id: 'alert', tool: 'telegram__send_message', args: { text: { $template: '{{input.workflow.name}} failed: {{input.run.error}}' } } }];
    await service.create({ name: 'flaky', schedule: '0 9 * * *', steps, retries: 2, retryDelayMs: 0, onFailure, onSuccess: [{ id: 'ok', tool: 'telegram__send_message', args: { text: 'ok' } }] });
    runner.behaviour = async (plan) => (plan.goal?.startsWith('onFailure') ? { status: 'succeeded' } : { status: 'failed', error: 'step invoices: Xero refused the token' });
    const run = await service.runNow('flaky');
    expect(run).toMatchObject({ status: 'failed', trigger: 'manual', attempts: 3, error: 'step invoices: Xero refused the token' });
    expect(runner.mainRuns()).toHaveLength(3);
    const notification = runner.calls.at(-1)!;
    expect(notification.plan.steps).toEqual(onFailure);
    expect(notification.opts.input).toMatchObject({ workflow: { id: 'flaky', name: 'flaky' }, run: { id: run.id, status: 'failed', error: 'step invoices: Xero refused the token', attempts: 3 } });
    expect(run.notifications).toEqual([expect.objectContaining({ kind: 'onFailure', status: 'succeeded' })]);
    expect(service.get('flaky').stats).toMatchObject({ runs: 1, failed: 1 });
  });

  it('calls onSuccess after a successful run, and records a failing notification without failing the run', async () => {
    const { service, runner } = setup();
    await service.start();
    await service.create({ name: 'n', schedule: '0 9 * * *', steps, onSuccess: [{ id: 'ok', tool: 'telegram__send_message', args: { text: 'done' } }] });
    runner.behaviour = async (plan) => (plan.goal?.startsWith('onSuccess') ? { status: 'failed', error: 'telegram is down' } : { status: 'succeeded' });
    const run = await service.runNow('n');
    expect(run.status).toBe('succeeded');
    expect(run.notifications).toEqual([expect.objectContaining({ kind: 'onSuccess', status: 'failed', error: 'telegram is down' })]);
  });

  it('cancels a run that runs over its timeout and counts it as failed', async () => {
    const { service, runner } = setup();
    await service.start();
    await service.create({ name: 't', schedule: '0 9 * * *', steps, timeoutMs: 50 });
    runner.behaviour = (_plan, opts) => new Promise((resolve) => opts.signal.addEventListener('abort', () => resolve({ status: 'cancelled', error: 'cancelled' })));
    const run = await service.runNow('t');
    expect(run).toMatchObject({ status: 'failed', error: 'timed out after 50 ms' });
    expect(runner.calls[0].opts.signal.aborted).toBe(true);
  });

  it('keeps a bounded history, newest first', async () => {
    const { service } = setup({ historyLimit: 3 });
    await service.start();
    await service.create({ name: 'h', schedule: '0 9 * * *', steps });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await service.runNow('h')).id);
    expect(service.get('h', { runs: 10 }).runs.map((r) => r.id)).toEqual(ids.slice(-3).reverse());
    expect(service.get('h').stats.runs).toBe(5);
  });

  it('pauses and resumes: a paused workflow is unscheduled but can still be run by hand', async () => {
    const { service, scheduler, clock } = setup();
    await service.start();
    await service.create({ name: 'p', schedule: '0 9 * * *', steps });
    expect((await service.pause('p')).state).toBe('paused');
    expect(scheduler.scheduled()).not.toContain('p');
    expect(scheduler.fire('p', new Date())).toBe(false);
    expect(service.get('p').nextRuns).toEqual([]);
    expect((await service.runNow('p')).trigger).toBe('manual');
    clock.set('2025-03-25T12:00:00Z');
    const resumed = await service.resume('p');
    expect(resumed.state).toBe('scheduled');
    expect(resumed.nextRuns[0]).toBe('2025-03-26T09:00:00.000Z');
    expect(scheduler.scheduled()).toContain('p');
    await service.remove('p');
    expect(scheduler.scheduled()).not.toContain('p');
    expect(() => service.get('p')).toThrow(/no workflow "p"/);
  });

  it('asks for approval of destructive steps at creation, and runs only once approved', async () => {
    const { service, scheduler, runner } = setup();
    await service.start();
    const destructiveSteps = [...steps, { id: 'cleanup', tool: 'clickup__delete_task', args: { task_id: 'abc' } }];
    const created = await service.create({ name: 'd', schedule: '0 3 * * *', steps: destructiveSteps });
    expect(created.destructive).toEqual(['clickup__delete_task']);
    expect(created.needsApproval).toEqual(['clickup__delete_task']);
    expect(created.workflow.state).toBe('awaiting-approval');
    expect(scheduler.scheduled()).not.toContain('d');
    await expect(service.runNow('d')).rejects.toThrow(/waits for approval.*clickup__delete_task/);
    expect((await service.resume('d')).state).toBe('awaiting-approval');
    expect((await service.resume('d', { approveDestructive: true })).state).toBe('scheduled');
    expect(scheduler.scheduled()).toContain('d');
    await service.runNow('d');
    expect(runner.calls[0].opts.approvedTools).toEqual(['clickup__delete_task']);
    // A flag in the definition a client sends is no consent: the input has no approveDestructive (the config file does).
    const flagged = await service.create({ name: 'd2', schedule: '0 3 * * *', steps: destructiveSteps, approveDestructive: true } as never).catch((e) => e);
    expect(flagged).toBeInstanceOf(WorkflowError);
    expect(flagged.message).toMatch(/approveDestructive/);
    expect(service.list().map((w) => w.id)).toEqual(['d']);
  });

  it('keeps a workflow to its owner: tools in its scope at creation, runs as it, seen and changed only by it or an admin', async () => {
    const { service, runner, dir } = setup();
    await service.start(WorkflowsConfigSchema.parse({ cfg: { schedule: '0 9 * * *', steps } }));
    const alice = makePrincipal({ name: 'alice', local: false, tools: ['xero__*'], orchestrate: false, workflows: true, admin: false });
    const bob = makePrincipal({ ...alice.ref(), name: 'bob' });
    const admin = makePrincipal({ ...alice.ref(), name: 'root', admin: true });
    const mine = [{ id: 'invoices', tool: 'xero__list-invoices', args: { page: 1 } }];
    const notify = [{ id: 'tell', tool: 'telegram__send_message', args: { text: 'x' } }];
    for (const extra of [{ steps }, { steps: mine, onSuccess: notify }, { steps: mine, onFailure: notify }]) {
      await expect(service.create({ name: 'out', schedule: '0 9 * * *', ...extra }, { owner: alice.ref() })).rejects.toThrow(/outside the scope of token "alice": telegram__send_message; nothing was stored/);
    }
    runner.plans.push({ goal: 'g', steps: notify });
    await expect(service.create({ name: 'planned out', schedule: '0 9 * * *', task: 'tell the team' }, { owner: alice.ref() })).rejects.toThrow(/outside the scope.*telegram__send_message/);
    expect(service.list().map((w) => w.id)).toEqual(['cfg']);

    await service.create({ id: 'a', name: 'a', schedule: '0 9 * * *', steps: mine }, { owner: alice.ref() });
    await service.runNow('a', { as: alice });
    expect(runner.calls.at(-1)!.opts.owner).toEqual(alice.ref());
    expect(service.list({ as: alice }).map((w) => w.id)).toEqual(['a']);
    expect(service.list({ as: bob })).toEqual([]);
    expect(service.list({ as: admin }).map((w) => w.id).sort()).toEqual(['a', 'cfg']);
    const unknown = (fn: () => unknown) => Promise.resolve().then(fn).then(() => 'allowed', (e: Error) => e.message);
    const asUnknown = `no workflow "a" (list_workflows shows them)`;
    expect(await unknown(() => service.get('a', { as: bob }))).toBe(asUnknown);
    expect(await unknown(() => service.get('cfg', { as: bob }))).toBe(asUnknown.replace('"a"', '"cfg"'));
    for (const act of [() => service.runNow('a', { as: bob }), () => service.pause('a', { as: bob }), () => service.resume('a', { as: bob, approveDestructive: true }), () => service.remove('a', { as: bob })]) {
      expect(await unknown(act)).toBe(asUnknown);
    }
    expect((await service.pause('a', { as: admin })).state).toBe('paused');
    await service.remove('a', { as: alice });
    expect(service.list().map((w) => w.id)).toEqual(['cfg']);

    // Folders 0700, files 0600: plans and results stay the machine user's.
    await service.create({ id: 'b', name: 'b', schedule: '0 9 * * *', steps: mine }, { owner: alice.ref() });
    await service.runNow('b');
    await service.store.flush();
    const root = path.join(dir, 'workflows');
    for (const folder of [root, path.join(root, 'definitions'), path.join(root, 'runs')]) expect(statSync(folder).mode & 0o777, folder).toBe(0o700);
    for (const file of ['definitions/b.json', 'runs/b.json']) expect(statSync(path.join(root, file)).mode & 0o777, file).toBe(0o600);
  });
});

describe('restarts and downtime', () => {
  it('keeps runtime workflows and their history across a restart', async () => {
    const first = setup();
    await first.service.start();
    await first.service.create({ name: 'keep me', schedule: '0 9 * * 1', timezone: 'Europe/London', steps });
    await first.service.pause((await first.service.create({ name: 'paused one', schedule: '0 9 * * *', steps })).workflow.id);
    const run = await first.service.runNow('keep-me');
    await first.service.stop();

    const second = setup({ dir: first.dir, clock: first.clock });
    await second.service.start();
    expect(second.service.list().map((w) => [w.id, w.state])).toEqual([
      ['keep-me', 'scheduled'],
      ['paused-one', 'paused'],
    ]);
    expect(second.service.get('keep-me').runs.map((r) => [r.id, r.status])).toEqual([[run.id, 'succeeded']]);
    expect(second.service.get('keep-me').plan?.steps).toEqual(steps);
    expect(second.scheduler.scheduled()).toEqual(['keep-me']);
  });

  it('catch-up run-once: runs the latest missed occurrence once when it is within the grace window', async () => {
    const clock = new FakeClock(new Date('2025-03-20T12:10:00Z'));
    const first = setup({ clock });
    await first.service.start();
    await first.service.create({ name: 'hourly', schedule: '0 * * * *', steps, catchUp: { policy: 'run-once', graceMs: 2 * 3600_000 } });
    await first.service.create({ name: 'hourly skip', schedule: '0 * * * *', steps });
    await first.service.stop();

    clock.set('2025-03-20T17:30:00Z'); // down for 5 h 20 min: 13:00 .. 17:00 missed
    const second = setup({ dir: first.dir, clock });
    const missed: unknown[] = [];
    second.service.on('missed', (e) => missed.push(e));
    const done = finished(second.service);
    await second.service.start();
    const run = await done;
    expect(run).toMatchObject({ workflowId: 'hourly', trigger: 'catch-up', scheduledFor: '2025-03-20T17:00:00.000Z', status: 'succeeded' });
    expect(missed).toEqual(
      expect.arrayContaining([
        { workflowId: 'hourly', count: 5, latest: new Date('2025-03-20T17:00:00Z'), caughtUp: true },
        { workflowId: 'hourly-skip', count: 5, latest: new Date('2025-03-20T17:00:00Z'), caughtUp: false },
      ]),
    );
    expect(second.runner.calls).toHaveLength(1);
    expect(second.service.get('hourly').stats.missed).toBe(5);
    expect(second.service.get('hourly-skip').runs).toEqual([]);
    await second.service.stop();

    // Restarted again at once: nothing was missed since, so nothing runs.
    const third = setup({ dir: first.dir, clock });
    third.service.on('missed', (e) => missed.push(e));
    await third.service.start();
    expect(missed).toHaveLength(2);
    expect(third.service.get('hourly').runs).toHaveLength(1);
  });

  it('catch-up never repeats an occurrence that already ran on schedule, after a restart', async () => {
    const clock = new FakeClock(new Date('2025-03-20T12:10:00Z'));
    const first = setup({ clock });
    await first.service.start();
    const { workflow } = await first.service.create({ name: 'hourly once', schedule: '0 * * * *', steps, catchUp: { policy: 'run-once', graceMs: 2 * 3600_000 } });
    clock.set('2025-03-20T13:00:00Z');
    const ran = finished(first.service);
    expect(first.scheduler.fire(workflow.id, new Date('2025-03-20T13:00:00Z'))).toBe(true);
    expect(await ran).toMatchObject({ trigger: 'schedule', scheduledFor: '2025-03-20T13:00:00.000Z', status: 'succeeded' });
    await first.service.stop();

    clock.set('2025-03-20T13:30:00Z'); // restarted before the next occurrence: nothing was missed
    const second = setup({ dir: first.dir, clock });
    const missed: unknown[] = [];
    second.service.on('missed', (e) => missed.push(e));
    await second.service.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(missed).toEqual([]);
    expect(second.runner.calls).toHaveLength(0);
    expect(second.service.get(workflow.id).runs).toHaveLength(1);
  });

  it('catch-up run-once: does not run an occurrence older than the grace window', async () => {
    const clock = new FakeClock(new Date('2025-03-20T08:00:00Z'));
    const first = setup({ clock });
    await first.service.start();
    await first.service.create({ name: 'daily', schedule: '0 9 * * *', steps, catchUp: { policy: 'run-once', graceMs: 3600_000 } });
    await first.service.stop();
    clock.set('2025-03-23T20:00:00Z');
    const second = setup({ dir: first.dir, clock });
    const missed = once(second.service, 'missed');
    await second.service.start();
    expect((await missed)[0]).toEqual({ workflowId: 'daily', count: 4, latest: new Date('2025-03-23T09:00:00Z'), caughtUp: false });
    expect(second.runner.calls).toHaveLength(0);
  });

  it('does not count the time a workflow was paused as downtime', async () => {
    const clock = new FakeClock(new Date('2025-03-20T08:00:00Z'));
    const { service, runner, dir } = setup({ clock });
    await service.start();
    await service.create({ name: 'p', schedule: '0 * * * *', steps, catchUp: { policy: 'run-once', graceMs: 86400_000 } });
    await service.pause('p');
    await service.stop();
    clock.set('2025-03-21T08:30:00Z');
    const second = setup({ dir, clock, runner });
    await second.service.start();
    await second.service.resume('p');
    await second.service.stop();
    const third = setup({ dir, clock, runner });
    await third.service.start();
    expect(runner.calls).toHaveLength(0);
    expect(third.service.get('p').stats.missed).toBe(0);
  });

  it('marks a run left "running" by a killed hub as interrupted', async () => {
    const first = setup();
    await first.service.start();
    await first.service.create({ name: 'k', schedule: '0 9 * * *', steps });
    first.runner.behaviour = () => new Promise(() => undefined); // hangs, as if the hub were killed mid-run
    const running = await first.service.runNow('k', { wait: false });
    expect(running.status).toBe('running');
    await first.service.store.flush();

    const second = setup({ dir: first.dir });
    await second.service.start();
    expect(second.service.get('k').runs[0]).toMatchObject({ id: running.id, status: 'failed', interrupted: true, error: /interrupted/ });
    expect(second.service.get('k').lastRun).toMatchObject({ id: running.id, status: 'failed' });
  });
});

describe('workflows from a natural-language task', () => {
  it('plans once at creation; later runs make no planning calls', async () => {
    const { service, runner, dir, clock } = setup();
    await service.start();
    const created = await service.create({ name: 'unpaid', schedule: '0 9 * * 1', task: 'List unpaid invoices in Xero' });
    expect(runner.planCalls).toBe(1);
    expect(created.plan.steps[0]).toMatchObject({ tool: 'xero__list-invoices' });
    expect(created.planningUsage).toMatchObject({ llmCalls: 1, inputTokens: 120, outputTokens: 40 });
    expect(created.workflow.planSource).toBe('llm');
    for (let i = 0; i < 3; i++) expect((await service.runNow('unpaid')).replanned).toBeFalsy();
    expect(runner.planCalls).toBe(1);
    await service.stop();
    const again = setup({ dir, clock, runner });
    await again.service.start();
    await again.service.runNow('unpaid');
    expect(runner.planCalls).toBe(1);
    expect(runner.mainRuns().every((c) => c.plan.steps[0].id === 'invoices')).toBe(true);
  });

  it('plans again when the catalog changed a tool the plan uses, and after a failed run', async () => {
    const { service, runner } = setup();
    await service.start();
    await service.create({ name: 'unpaid', schedule: '0 9 * * 1', task: 'List unpaid invoices in Xero' });
    runner.versions['telegram__send_message'] = 2; // not used by the plan: no replanning
    expect((await service.runNow('unpaid')).replanned).toBeFalsy();
    runner.versions['xero__list-invoices'] = 2;
    const afterChange = await service.runNow('unpaid');
    expect(afterChange).toMatchObject({ replanned: true, planSource: 'llm', status: 'succeeded' });
    expect(afterChange.usage.llmCalls).toBe(1);
    expect(runner.planCalls).toBe(2);

    runner.behaviour = async () => ({ status: 'failed', error: 'tool gone' });
    await service.runNow('unpaid');
    expect(runner.planCalls).toBe(2);
    runner.behaviour = async () => ({ status: 'succeeded' });
    expect((await service.runNow('unpaid')).replanned).toBe(true);
    expect(runner.planCalls).toBe(3);
    expect((await service.runNow('unpaid')).replanned).toBeFalsy();
    expect(service.get('unpaid').stats.plannings).toBe(3);
  });

  it('stops and asks for approval when a new plan brings a destructive tool', async () => {
    const { service, runner, scheduler } = setup();
    await service.start();
    await service.create({ name: 'tidy', schedule: '0 9 * * 1', task: 'Tidy ClickUp', onFailure: [{ id: 'alert', tool: 'telegram__send_message', args: { text: 'tidy needs you' } }] });
    runner.plans.push({ steps: [{ id: 'del', tool: 'clickup__delete_task', args: { task_id: 'x' } }] });
    runner.versions['xero__list-invoices'] = 2;
    const run = await service.runNow('tidy');
    expect(run).toMatchObject({ status: 'needs-approval', error: /clickup__delete_task/ });
    expect(runner.mainRuns()).toHaveLength(0);
    expect(run.notifications).toEqual([expect.objectContaining({ kind: 'onFailure', status: 'succeeded' })]);
    expect(service.get('tidy').state).toBe('awaiting-approval');
    expect(scheduler.scheduled()).not.toContain('tidy');
    await service.resume('tidy', { approveDestructive: true });
    expect((await service.runNow('tidy')).status).toBe('succeeded');
    expect(runner.planCalls).toBe(2);
  });
});

describe('workflows from the config', () => {
  it('applies, reloads and removes config workflows, which are read-only through the API', async () => {
    const { service, scheduler, runner } = setup();
    await service.start({
      weekly: { name: 'Weekly report', schedule: '0 9 * * 1', timezone: 'Europe/London', steps, enabled: true, overlap: 'skip', catchUp: { policy: 'skip', graceMs: 1 }, timeoutMs: 1000, retries: 0, retryDelayMs: 0, approveDestructive: false },
      planned: { schedule: '0 8 * * *', task: 'Summarise yesterday', enabled: true, overlap: 'skip', catchUp: { policy: 'skip', graceMs: 1 }, timeoutMs: 1000, retries: 0, retryDelayMs: 0, approveDestructive: false },
      broken: { schedule: '0 8 * * *', steps: [{ id: 'x' }], enabled: true, overlap: 'skip', catchUp: { policy: 'skip', graceMs: 1 }, timeoutMs: 1000, retries: 0, retryDelayMs: 0, approveDestructive: false },
    });
    expect(service.list().map((w) => [w.id, w.source, w.state])).toEqual([
      ['planned', 'config', 'scheduled'],
      ['weekly', 'config', 'scheduled'],
    ]);
    expect(service.status().problems.broken).toMatch(/steps/);
    expect(runner.planCalls).toBe(1);
    await expect(service.pause('weekly')).rejects.toThrow(/config file and is read-only/);
    await expect(service.remove('weekly')).rejects.toThrow(/read-only/);
    expect((await service.runNow('weekly')).status).toBe('succeeded');
    await expect(service.create({ id: 'weekly', name: 'clash', schedule: '0 9 * * *', steps })).rejects.toThrow(/exists/);

    const base = { enabled: true, overlap: 'skip', catchUp: { policy: 'skip', graceMs: 1 }, timeoutMs: 1000, retries: 0, retryDelayMs: 0, approveDestructive: false } as const;
    await service.applyConfig({ weekly: { ...base, name: 'Weekly report', schedule: '0 10 * * 1', timezone: 'Europe/London', steps }, planned: { ...base, schedule: '0 8 * * *', task: 'Summarise yesterday' } });
    expect(scheduler.entries.get('weekly')?.cron).toBe('0 10 * * 1');
    expect(service.get('weekly').runs).toHaveLength(1);
    expect(runner.planCalls).toBe(1);
    await service.applyConfig({ weekly: { ...base, name: 'Weekly report', schedule: '0 10 * * 1', timezone: 'Europe/London', steps, enabled: false } });
    expect(service.list().map((w) => [w.id, w.state])).toEqual([['weekly', 'disabled']]);
    expect(scheduler.scheduled()).toEqual([]);
  });
});

describe('schedules in words', () => {
  const llm = (answer: Record<string, unknown>) => {
    const requests: LlmRequest[] = [];
    const fake: Llm = {
      availability: () => ({ ok: true }),
      usage: () => ({ byModel: [], totals: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 } }),
      complete: async (request) => {
        requests.push(request);
        return { text: '', toolCalls: [{ name: 'set_schedule', arguments: answer }], usage: { inputTokens: 90, outputTokens: 12 }, provider: 'fake', model: 'm', costUsd: 0 };
      },
    };
    return { fake, requests };
  };

  it('passes cron through without asking the LLM', async () => {
    const { fake, requests } = llm({ cron: '1 2 3 4 5' });
    expect(await scheduleToCron('*/10 * * * * *', fake)).toEqual({ cron: '*/10 * * * * *', fromWords: false });
    await expect(scheduleToCron('0 9 * * MONDAY', fake)).rejects.toThrow(/invalid cron "0 9 \* \* MONDAY"/);
    expect(requests).toHaveLength(0);
  });

  it('turns words into cron through the LLM, and shows it back', async () => {
    const { fake, requests } = llm({ cron: '0 9 * * 1', timezone: 'Europe/London' });
    const result = await scheduleToCron('every Monday at 9 London time', fake);
    expect(result).toMatchObject({ cron: '0 9 * * 1', timezone: 'Europe/London', fromWords: true, usage: { llmCalls: 1, inputTokens: 90 } });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ purpose: 'schedule', toolChoice: { name: 'set_schedule' } });
    expect(showSchedule(result.cron, result.timezone!)).toBe('0 9 * * 1 = At 09:00, only on Monday (Europe/London)');
  });

  it('refuses what the LLM got wrong, and words without an LLM', async () => {
    await expect(scheduleToCron('on the first Monday', llm({ cron: '0 9 1-7 * 1' }).fake)).rejects.toThrow(/could not turn .* both day-of-month and day-of-week/);
    await expect(scheduleToCron('every Monday', undefined)).rejects.toThrow(/no LLM is available/);
  });
});
