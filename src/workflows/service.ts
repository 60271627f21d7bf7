// Scheduled workflows: definitions from the config and created at runtime, their schedules, overlap
// and catch-up rules, runs and history. The hub gives it a runner (executor, planner, catalog facts);
// the meta-tools and the CLI call this API.
import { localPrincipal, makePrincipal, type Principal, type PrincipalRef } from '../access/principal.js';
import { allowsTool, mayActFor } from '../access/policy.js';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { WorkflowsConfig } from '../config/workflows.js';
import { childLogger, type Logger } from '../log/logger.js';
import { WorkflowError } from './errors.js';
import { describeSchedule, missedRuns, systemTimezone } from './cron.js';
import { givenPlan, pendingApproval, planProblems, toolsOf, toolsOfWorkflow } from './plans.js';
import { executeRun, ownerOf, zeroUsage } from './run.js';
import { NodeCronScheduler, type Scheduler } from './scheduler.js';
import { WorkflowStore } from './store.js';
import {
  WorkflowDefinitionSchema,
  WorkflowInputSchema,
  WorkflowStateSchema,
  systemClock,
  type Clock,
  type Plan,
  type StoredWorkflow,
  type Trigger,
  type Usage,
  type WorkflowDefinition,
  type WorkflowInput,
  type WorkflowRun,
  type WorkflowRunner,
} from './types.js';

export interface WorkflowServiceOptions {
  /** The hub's data directory; the store lives in <dataDir>/workflows. */
  dataDir: string;
  runner: WorkflowRunner;
  /** Default: node-cron. */
  scheduler?: Scheduler;
  /** Default: the system clock. Tests inject one to simulate downtime. */
  clock?: Clock;
  log?: Logger;
  /** Runs kept per workflow (default 50). */
  historyLimit?: number;
  /** For definitions without a timezone (default: the machine's). */
  defaultTimezone?: string;
  /** How long a runner gets to return after its run is cancelled or times out (default 2000 ms). */
  abortGraceMs?: number;
}

export type WorkflowStatus = 'scheduled' | 'paused' | 'disabled' | 'awaiting-approval' | 'invalid';

export interface WorkflowSummary {
  id: string;
  name: string;
  description?: string;
  /** `config` workflows are read-only through tools: they change in the file. */
  source: 'runtime' | 'config';
  schedule: string;
  timezone: string;
  /** The schedule in words, e.g. "At 09:00, only on Monday (Europe/London)". */
  scheduleText: string;
  state: WorkflowStatus;
  running: boolean;
  /** The next 3 run times (ISO), when scheduled. */
  nextRuns: string[];
  task?: string;
  /** Destructive tools waiting for approval (resume_workflow {id, approveDestructive: true}). */
  needsApproval: string[];
  lastRun?: StoredWorkflow['state']['lastRun'];
  stats: StoredWorkflow['state']['stats'];
  problem?: string;
}

export interface WorkflowDetails extends WorkflowSummary {
  definition: WorkflowDefinition;
  plan?: Plan;
  planSource?: 'given' | 'llm';
  plannedAt?: string;
  approved: string[];
  /** Newest first. */
  runs: WorkflowRun[];
}

export interface CreateResult {
  workflow: WorkflowDetails;
  plan: Plan;
  nextRuns: string[];
  scheduleText: string;
  /** Destructive tools the workflow calls. */
  destructive: string[];
  /** Of those, the ones not approved: the workflow waits (unscheduled) until they are. */
  needsApproval: string[];
  /** Tokens spent planning the task (zero for explicit steps). */
  planningUsage: Usage;
}

export interface WorkflowsStatus {
  workflows: number;
  scheduled: number;
  running: Array<{ workflowId: string; runId: string; startedAt: string }>;
  /** Config entries that could not be applied, by id. */
  problems: Record<string, string>;
}

/**
 * Who asks. A workflow is seen and changed only by its owner or an admin (src/access/policy.ts); to anyone
 * else it reads exactly as an unknown id. Absent: the local user (the CLI), who sees every workflow.
 */
export interface AsPrincipal {
  as?: Principal;
}

interface ActiveRun {
  run: WorkflowRun;
  controller: AbortController;
  done: Promise<WorkflowRun>;
}

export declare interface WorkflowService {
  on(event: 'run-started', listener: (run: WorkflowRun) => void): this;
  on(event: 'run-finished', listener: (run: WorkflowRun) => void): this;
  on(event: 'skipped', listener: (e: { workflowId: string; scheduledFor: Date; reason: 'overlap' | 'queued' }) => void): this;
  on(event: 'missed', listener: (e: { workflowId: string; count: number; latest: Date; caughtUp: boolean }) => void): this;
}

export class WorkflowService extends EventEmitter {
  readonly store: WorkflowStore;
  private readonly runner: WorkflowRunner;
  private readonly scheduler: Scheduler;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly defaultTimezone: string;
  private readonly abortGraceMs: number;
  private readonly active = new Map<string, Set<ActiveRun>>();
  /** Occurrences waiting for the running one (overlap: queue), by workflow. */
  private readonly queued = new Map<string, Date>();
  private readonly configProblems = new Map<string, string>();
  /** What each scheduled workflow is scheduled with: "<cron>|<timezone>". */
  private readonly scheduledAs = new Map<string, string>();
  private started = false;
  /** False for one-shot commands (the CLI): the store is open and runs can start, but nothing is scheduled. */
  private scheduling = false;

  constructor(options: WorkflowServiceOptions) {
    super();
    this.log = options.log ?? childLogger('workflows');
    this.runner = options.runner;
    this.scheduler = options.scheduler ?? new NodeCronScheduler(this.log);
    this.clock = options.clock ?? systemClock;
    this.defaultTimezone = options.defaultTimezone ?? systemTimezone();
    this.abortGraceMs = options.abortGraceMs ?? 2000;
    this.store = new WorkflowStore(path.join(options.dataDir, 'workflows'), { historyLimit: options.historyLimit, log: this.log });
  }

  /**
   * Loads the store, marks runs a killed hub left "running" as interrupted, applies the config, catches up and schedules.
   * With schedule: false (one-shot CLI commands) it only loads the store and applies the config: no catch-up, no
   * timers, and runs marked "running" are left to the next hub start (a hub may be running them right now).
   */
  async start(config: WorkflowsConfig = {}, options: { schedule?: boolean } = {}): Promise<void> {
    await this.store.open();
    this.scheduling = options.schedule ?? true;
    if (this.scheduling) await this.recoverInterrupted();
    this.started = true;
    await this.applyConfig(config, { catchUp: false });
    if (!this.scheduling) return;
    for (const workflow of this.store.list()) await this.catchUp(workflow);
    for (const workflow of this.store.list()) this.reschedule(workflow.definition.id);
  }

  /** Unschedules everything, cancels running runs and waits for their records to be written. */
  async stop(): Promise<void> {
    this.started = false;
    this.scheduling = false;
    this.scheduledAs.clear();
    await this.scheduler.stop();
    const runs = [...this.active.values()].flatMap((set) => [...set]);
    runs.forEach((r) => r.controller.abort());
    await Promise.all(runs.map((r) => r.done));
    await this.store.flush();
  }

  /**
   * Creates a runtime workflow owned by `owner` (default: the local user): every run acts as it. Every tool
   * it may call (steps, planned steps, onSuccess, onFailure) must be in the owner's scope, or nothing is
   * stored. Destructive tools wait for approval (resume with approveDestructive).
   */
  async create(input: WorkflowInput, options: { owner?: PrincipalRef } = {}): Promise<CreateResult> {
    this.assertStarted();
    const parsed = WorkflowInputSchema.safeParse(input);
    if (!parsed.success) throw new WorkflowError(`invalid workflow: ${formatIssues(parsed.error.issues)}`);
    const { id: wantedId, ...rest } = parsed.data;
    if (wantedId && (this.store.has(wantedId) || this.configProblems.has(wantedId))) throw new WorkflowError(`a workflow with id "${wantedId}" exists; choose another id`);
    const definition: WorkflowDefinition = { ...rest, approveDestructive: false, id: wantedId ?? this.newId(rest.name), timezone: rest.timezone ?? this.defaultTimezone };
    const planningUsage = zeroUsage();
    const owner = options.owner ?? localPrincipal('config').ref();
    assertInScope(owner, toolsOfWorkflow(definition, givenPlan(definition)));
    const { plan, source } = await this.planDefinition(definition, planningUsage, owner);
    assertInScope(owner, toolsOf(plan.steps));
    const destructive = this.runner.destructiveTools(toolsOfWorkflow(definition, plan));
    const now = this.clock.now().toISOString();
    const workflow: StoredWorkflow = {
      version: 1,
      source: 'runtime',
      definition,
      owner,
      createdAt: now,
      updatedAt: now,
      state: WorkflowStateSchema.parse({
        anchor: now,
        plan,
        planSource: source,
        plannedAt: now,
        planSignature: this.runner.catalogSignature(toolsOf(plan.steps)),
        approved: [],
        stats: { plannings: source === 'llm' ? 1 : 0 },
      }),
    };
    await this.store.put(workflow);
    this.reschedule(definition.id);
    this.log.info(`workflow "${definition.id}" created: ${describeSchedule(definition.schedule, definition.timezone)}`);
    const details = this.get(definition.id);
    return {
      workflow: details,
      plan,
      nextRuns: this.scheduler.nextRuns(definition.schedule, definition.timezone, 3, this.clock.now()).map((d) => d.toISOString()),
      scheduleText: details.scheduleText,
      destructive,
      needsApproval: details.needsApproval,
      planningUsage,
    };
  }

  list(options: AsPrincipal = {}): WorkflowSummary[] {
    return this.visible(options.as)
      .map((w) => this.summary(w))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  get(id: string, options: { runs?: number } & AsPrincipal = {}): WorkflowDetails {
    const workflow = this.require(id, options.as);
    const { state, definition } = workflow;
    return {
      ...this.summary(workflow),
      definition,
      plan: state.plan,
      planSource: state.planSource,
      plannedAt: state.plannedAt,
      approved: state.approved,
      runs: this.store.runs(id).slice(0, options.runs ?? 10),
    };
  }

  /** Runs now (trigger "manual"), paused or not; resolves with the finished run, or the running one with wait: false. */
  async runNow(id: string, options: { wait?: boolean } & AsPrincipal = {}): Promise<WorkflowRun> {
    this.assertStarted();
    const workflow = this.require(id, options.as);
    const pending = pendingApproval(workflow, this.runner);
    if (pending.length) throw new WorkflowError(`"${id}" waits for approval of destructive tools (${pending.join(', ')}): resume_workflow {id, approveDestructive: true}`);
    const running = this.runningOf(id)[0];
    if (running && workflow.definition.overlap !== 'allow') {
      throw new WorkflowError(`"${id}" is already running (run ${running.run.id}, started ${running.run.startedAt}); its overlap policy is "${workflow.definition.overlap}"`);
    }
    const started = await this.startRun(id, 'manual');
    return options.wait === false ? started.run : started.done;
  }

  async pause(id: string, options: AsPrincipal = {}): Promise<WorkflowSummary> {
    this.assertWritable(id, options.as);
    await this.update(id, (w) => void (w.state.paused = true));
    this.reschedule(id);
    return this.summary(this.require(id));
  }

  /** Resumes a paused workflow; with approveDestructive (a person's consent), also approves the destructive tools it waits for. */
  async resume(id: string, options: { approveDestructive?: boolean } & AsPrincipal = {}): Promise<WorkflowSummary> {
    const workflow = this.assertWritable(id, options.as);
    const pending = pendingApproval(workflow, this.runner);
    const now = this.clock.now().toISOString();
    await this.update(id, (w) => {
      // Missed occurrences while paused are not "missed": catch-up counts from now.
      if (w.state.paused || pending.length) w.state.anchor = now;
      w.state.paused = false;
      if (options.approveDestructive && pending.length) {
        w.state.approved = [...new Set([...w.state.approved, ...pending])];
        w.state.approvedAt = now;
      }
    });
    this.reschedule(id);
    return this.summary(this.require(id));
  }

  async remove(id: string, options: AsPrincipal = {}): Promise<void> {
    this.assertWritable(id, options.as);
    await this.drop(id);
  }

  /** Applies the `workflows:` section (at start and on config reload). Config workflows are replaced, added and removed to match it. */
  async applyConfig(config: WorkflowsConfig, options: { catchUp?: boolean } = {}): Promise<void> {
    this.configProblems.clear();
    for (const [id, entry] of Object.entries(config)) {
      try {
        await this.applyConfigEntry(id, entry);
      } catch (err) {
        const problem = err instanceof Error ? err.message : String(err);
        this.configProblems.set(id, problem);
        this.log.error(`workflow "${id}" in the config is not applied: ${problem}`);
      }
    }
    for (const workflow of this.store.list()) {
      if (workflow.source === 'config' && !(workflow.definition.id in config)) await this.drop(workflow.definition.id);
    }
    if (options.catchUp) for (const workflow of this.store.list()) await this.catchUp(workflow);
  }

  status(): WorkflowsStatus {
    return {
      workflows: this.store.list().length,
      scheduled: this.scheduler.scheduled().length,
      running: [...this.active.entries()].flatMap(([workflowId, set]) => [...set].map((r) => ({ workflowId, runId: r.run.id, startedAt: r.run.startedAt }))),
      problems: Object.fromEntries(this.configProblems),
    };
  }

  // --- definitions -------------------------------------------------------------------------------

  private async applyConfigEntry(id: string, entry: WorkflowsConfig[string]): Promise<void> {
    const parsed = WorkflowDefinitionSchema.safeParse({ ...entry, id, name: entry.name ?? id, timezone: entry.timezone ?? this.defaultTimezone });
    if (!parsed.success) throw new Error(formatIssues(parsed.error.issues));
    const definition = parsed.data;
    const existing = this.store.get(id);
    if (existing?.source === 'runtime') throw new Error(`a workflow created at runtime already has the id "${id}"; rename one of them`);
    if (existing && isDeepStrictEqual(existing.definition, definition)) return;

    const now = this.clock.now().toISOString();
    const planChanged = !existing || existing.definition.task !== definition.task || !isDeepStrictEqual(existing.definition.steps, definition.steps);
    const state = existing ? { ...existing.state } : WorkflowStateSchema.parse({ anchor: now });
    if (existing && !existing.definition.enabled && definition.enabled) state.anchor = now;
    if (existing && (existing.definition.schedule !== definition.schedule || existing.definition.timezone !== definition.timezone)) state.anchor = now;
    const workflow: StoredWorkflow = { version: 1, source: 'config', definition, createdAt: existing?.createdAt ?? now, updatedAt: now, state };
    if (planChanged) {
      state.approved = [];
      state.plan = undefined;
      state.problem = undefined;
      try {
        const { plan, source } = await this.planDefinition(definition, zeroUsage(), localPrincipal('config').ref());
        Object.assign(state, { plan, planSource: source, plannedAt: now, planSignature: this.runner.catalogSignature(toolsOf(plan.steps)), planStale: false });
        if (source === 'llm') state.stats = { ...state.stats, plannings: state.stats.plannings + 1 };
      } catch (err) {
        if (err instanceof WorkflowError && definition.steps) throw err;
        // A task that cannot be planned now (no LLM yet) is kept: each run tries to plan it again.
        state.problem = err instanceof Error ? err.message : String(err);
        state.planStale = true;
      }
    }
    // Steps written in the file are the operator's own consent; a task's plan needs approveDestructive.
    state.approved = definition.steps || definition.approveDestructive ? this.runner.destructiveTools(toolsOfWorkflow(definition, state.plan)) : state.approved;
    await this.store.put(workflow);
    this.reschedule(id);
  }

  private async planDefinition(definition: WorkflowDefinition, usage: Usage, owner: PrincipalRef): Promise<{ plan: Plan; source: 'given' | 'llm' }> {
    let plan = givenPlan(definition);
    let source: 'given' | 'llm' = 'given';
    if (!plan) {
      try {
        const planned = await this.runner.planTask(definition.task!, { owner });
        plan = planned.plan;
        source = 'llm';
        Object.assign(usage, { ...usage, ...planned.usage });
      } catch (err) {
        throw new Error(`planning the task failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const problems = planProblems(plan, this.runner);
    if (problems.length) throw new WorkflowError(`the ${source === 'llm' ? 'planned' : 'given'} plan is invalid: ${problems.join('; ')}`);
    return { plan, source };
  }

  private newId(name: string): string {
    const base = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'workflow';
    let id = base;
    for (let n = 2; this.store.has(id) || this.configProblems.has(id); n++) id = `${base}-${n}`;
    return id;
  }

  // --- scheduling --------------------------------------------------------------------------------

  private stateOf(workflow: StoredWorkflow): WorkflowStatus {
    if (!workflow.definition.enabled) return 'disabled';
    if (workflow.state.paused) return 'paused';
    if (pendingApproval(workflow, this.runner).length) return 'awaiting-approval';
    return 'scheduled';
  }

  /** Schedules the workflow when it should be, unschedules it otherwise. */
  private reschedule(id: string): void {
    const workflow = this.store.get(id);
    if (!this.scheduling || !workflow || this.stateOf(workflow) !== 'scheduled') {
      this.scheduledAs.delete(id);
      this.scheduler.unschedule(id);
      return;
    }
    const { schedule, timezone } = workflow.definition;
    // Unchanged schedules are left alone: re-creating a timer right at an occurrence could drop it.
    if (this.scheduledAs.get(id) === `${schedule}|${timezone}`) return;
    this.scheduledAs.set(id, `${schedule}|${timezone}`);
    this.scheduler.schedule(id, schedule, timezone, (scheduledFor) => void this.onFire(id, scheduledFor));
  }

  private async onFire(id: string, scheduledFor: Date): Promise<void> {
    const workflow = this.store.get(id);
    if (!this.started || !workflow || this.stateOf(workflow) !== 'scheduled') return;
    await this.update(id, (w) => void (w.state.anchor = scheduledFor.toISOString()));
    if (this.runningOf(id).length && workflow.definition.overlap !== 'allow') {
      const reason = workflow.definition.overlap === 'queue' && !this.queued.has(id) ? 'queued' : 'overlap';
      if (reason === 'queued') this.queued.set(id, scheduledFor);
      else await this.update(id, (w) => void w.state.stats.skippedOverlap++);
      this.log.info(`workflow "${id}": run due at ${scheduledFor.toISOString()} ${reason === 'queued' ? 'queued behind' : 'skipped: still running'} the previous one`);
      this.emit('skipped', { workflowId: id, scheduledFor, reason });
      return;
    }
    await this.startRun(id, 'schedule', scheduledFor);
  }

  /** Runs missed while the hub was down: counted, and with `run-once` the latest is run if it is within the grace window. */
  private async catchUp(workflow: StoredWorkflow): Promise<void> {
    const { id, schedule, timezone, catchUp } = workflow.definition;
    if (this.stateOf(workflow) !== 'scheduled') return;
    const now = this.clock.now();
    const missed = missedRuns(schedule, timezone, new Date(workflow.state.anchor), now);
    if (!missed.count || !missed.latest) return;
    const latest = missed.latest;
    const caughtUp = catchUp.policy === 'run-once' && now.getTime() - latest.getTime() <= catchUp.graceMs;
    await this.update(id, (w) => {
      w.state.stats.missed += missed.count;
      w.state.anchor = now.toISOString();
    });
    this.log.warn(`workflow "${id}": ${missed.count}${missed.capped ? '+' : ''} run(s) missed while the hub was down (latest due ${latest.toISOString()}); ${caughtUp ? 'running it now' : `not run (catch-up: ${catchUp.policy}${catchUp.policy === 'run-once' ? ', outside the grace window' : ''})`}`);
    this.emit('missed', { workflowId: id, count: missed.count, latest, caughtUp });
    if (caughtUp) await this.startRun(id, 'catch-up', latest);
  }

  // --- runs --------------------------------------------------------------------------------------

  private runningOf(id: string): ActiveRun[] {
    return [...(this.active.get(id) ?? [])];
  }

  /** Records the run as running, then executes it in the background. */
  private async startRun(id: string, trigger: Trigger, scheduledFor?: Date): Promise<ActiveRun> {
    const workflow = this.require(id);
    const run: WorkflowRun = {
      id: randomUUID(),
      workflowId: id,
      task: workflow.definition.task ?? workflow.definition.name,
      client: `workflow:${id}`,
      trigger,
      status: 'running',
      planSource: 'workflow',
      plan: workflow.state.plan,
      steps: [],
      startedAt: this.clock.now().toISOString(),
      scheduledFor: scheduledFor?.toISOString(),
      usage: zeroUsage(),
      attempts: 0,
      notifications: [],
    };
    const controller = new AbortController();
    const entry = { run, controller } as ActiveRun;
    const set = this.active.get(id) ?? new Set<ActiveRun>();
    set.add(entry);
    this.active.set(id, set);
    await this.store.putRun(run);
    await this.update(id, (w) => void (w.state.lastRun = lastRunOf(run)));
    this.emit('run-started', run);
    entry.done = this.execute(run, controller.signal).finally(() => {
      set.delete(entry);
      if (!set.size) this.active.delete(id);
      const next = this.queued.get(id);
      if (next && this.started && this.store.has(id)) {
        this.queued.delete(id);
        void this.startRun(id, 'schedule', next);
      }
    });
    return entry;
  }

  private async execute(started: WorkflowRun, signal: AbortSignal): Promise<WorkflowRun> {
    const id = started.workflowId;
    let run = started;
    try {
      run = await executeRun(
        {
          runner: this.runner,
          clock: this.clock,
          log: this.log,
          abortGraceMs: this.abortGraceMs,
          current: () => this.store.get(id),
          update: (mutate) => this.update(id, mutate),
        },
        { ...started, usage: { ...started.usage } },
        signal,
      );
    } catch (err) {
      // executeRun does not throw; this keeps a bug from leaving a run "running" forever.
      run = { ...started, status: 'failed', error: `internal error: ${err instanceof Error ? err.message : String(err)}`, endedAt: this.clock.now().toISOString() };
    }
    if (this.store.has(id)) {
      await this.store.putRun(run);
      await this.update(id, (w) => {
        w.state.lastRun = lastRunOf(run);
        w.state.stats.runs++;
        if (run.status === 'succeeded') w.state.stats.succeeded++;
        else if (run.status !== 'cancelled') w.state.stats.failed++;
      });
      // A new plan may need approval now: stop scheduling until someone approves.
      this.reschedule(id);
    }
    this.log.info(`workflow "${id}": run ${run.id} (${run.trigger}) ${run.status}${run.error ? `: ${run.error}` : ''}`);
    this.emit('run-finished', run);
    return run;
  }

  private async recoverInterrupted(): Promise<void> {
    for (const workflow of this.store.list()) {
      const id = workflow.definition.id;
      for (const run of this.store.runs(id).filter((r) => r.status === 'running')) {
        const failed: WorkflowRun = { ...run, status: 'failed', interrupted: true, error: 'interrupted: the hub stopped during this run' };
        await this.store.putRun(failed);
        if (workflow.state.lastRun?.id === run.id) await this.update(id, (w) => void (w.state.lastRun = lastRunOf(failed)));
      }
    }
  }

  // --- helpers -----------------------------------------------------------------------------------

  private summary(workflow: StoredWorkflow): WorkflowSummary {
    const { definition, state } = workflow;
    const status = this.stateOf(workflow);
    return {
      id: definition.id,
      name: definition.name,
      description: definition.description,
      source: workflow.source,
      schedule: definition.schedule,
      timezone: definition.timezone,
      scheduleText: describeSchedule(definition.schedule, definition.timezone),
      state: status,
      running: this.runningOf(definition.id).length > 0,
      nextRuns: status === 'scheduled' ? this.scheduler.nextRuns(definition.schedule, definition.timezone, 3, this.clock.now()).map((d) => d.toISOString()) : [],
      task: definition.task,
      needsApproval: pendingApproval(workflow, this.runner),
      lastRun: state.lastRun,
      stats: state.stats,
      problem: state.problem,
    };
  }

  private async update(id: string, mutate: (workflow: StoredWorkflow) => void): Promise<void> {
    const workflow = this.store.get(id);
    if (!workflow) return;
    mutate(workflow);
    workflow.updatedAt = this.clock.now().toISOString();
    await this.store.put(workflow);
  }

  private async drop(id: string): Promise<void> {
    this.scheduledAs.delete(id);
    this.scheduler.unschedule(id);
    this.queued.delete(id);
    this.runningOf(id).forEach((r) => r.controller.abort());
    await this.store.remove(id);
  }

  /** The workflows `as` may see: its own, or all for an admin and the local user. */
  private visible(as: Principal | undefined): StoredWorkflow[] {
    return this.store.list().filter((w) => as === undefined || mayActFor(as, ownerOf(w)));
  }

  /** A workflow `as` may see; one it may not reads exactly as an unknown id. */
  private require(id: string, as?: Principal): StoredWorkflow {
    const visible = this.visible(as);
    const workflow = visible.find((w) => w.definition.id === id);
    if (!workflow) {
      const known = visible.map((w) => w.definition.id);
      throw new WorkflowError(`no workflow "${id}"${known.length ? `; known: ${known.join(', ')}` : ''} (list_workflows shows them)`);
    }
    return workflow;
  }

  private assertWritable(id: string, as?: Principal): StoredWorkflow {
    const workflow = this.require(id, as);
    if (workflow.source === 'config') {
      throw new WorkflowError(`"${id}" is defined in the config file and is read-only here: change it under \`workflows:\` (enabled: false pauses it); a config reload applies it`);
    }
    return workflow;
  }

  private assertStarted(): void {
    if (!this.started) throw new WorkflowError('workflows are not started');
  }
}

/** Refuses a workflow that would call tools outside its owner's scope (the local user's is everything). */
function assertInScope(owner: PrincipalRef, tools: string[]): void {
  const principal = makePrincipal(owner);
  const outside = tools.filter((t) => !allowsTool(principal, t));
  if (outside.length) throw new WorkflowError(`the workflow uses tools outside the scope of token "${owner.name}": ${outside.join(', ')}; nothing was stored`);
}

function lastRunOf(run: WorkflowRun): NonNullable<StoredWorkflow['state']['lastRun']> {
  return { id: run.id, status: run.status, trigger: run.trigger, startedAt: run.startedAt, endedAt: run.endedAt };
}

function formatIssues(issues: Array<{ path: PropertyKey[]; message: string }>): string {
  return issues.map((i) => `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`).join('; ');
}
