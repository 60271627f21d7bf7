// The service the hub uses: plan a task, run a task or a plan, resume a run that waits for approval,
// look a run up. Composes planner + validator + executor + the store of runs waiting for approval;
// every dependency comes in as an interface (the hub passes its Catalog, ToolIndex, Llm and memory).
import { randomUUID } from 'node:crypto';
import type { Principal } from '../access/principal.js';
import type { Caller } from '../access/caller.js';
import { allowsTool } from '../access/policy.js';
import { OrchestrateConfigSchema, type OrchestrateConfig, type OrchestrateConfigInput } from '../config/orchestrate.js';
import { childLogger } from '../log/logger.js';
import type { Llm } from '../llm/types.js';
import { openDatabase, type Db } from '../storage/database.js';
import { isToolStep, type Plan, type PlanInput, type ToolStep } from './plan.js';
import { Conversations, type Turn } from './conversations.js';
import { WaitingRuns } from './waiting-runs.js';
import type { RunLog } from './run-log.js';
import { KIT_EXAMPLE, KIT_FORMAT, KIT_NEXT } from './prompts/kit.v1.js';
import type { RunRecord, Usage } from './record.js';
import { Executor, approvalKey, newStepRecord, type Approver, type RunState, type StepProgress, type ToolCaller } from './executor.js';
import { Planner, PlanningError, type PlanExample, type ToolSearch } from './planner.js';
import { PLAN_PROMPT_VERSION } from './prompts/plan.v2.js';
import { SafetyPolicy } from './safety.js';
import { summarize } from './summary.js';
import { formatIssues, parsePlan, validatePlan, type PlanIssue, type ToolLookup } from './validator.js';

/** Remembered runs; the memory module implements it. */
export interface PlanMemory {
  /** Similar runs of this principal only (its own runs, under the same scope). */
  similar(task: string, k: number, principal: Principal | undefined): Promise<PlanExample[]>;
  store(record: RunRecord): Promise<void>;
  /** The plan of a near-identical successful run of the same principal and scope, whose tools still exist unchanged, to run again with no planning call. */
  reusable?(task: string, principal: Principal | undefined): Promise<{ plan: PlanInput; runId: string; similarity: number } | undefined>;
}

export interface OrchestratorDeps {
  caller: ToolCaller;
  tools: ToolLookup;
  index: ToolSearch;
  llm?: Llm;
  memory?: PlanMemory;
  config?: OrchestrateConfigInput;
  logger?: { info(msg: string, meta?: object): void; warn(msg: string, meta?: object): void };
  /** Where runs waiting for approval and conversations are kept (the hub's database, opened on first use); in memory when absent. */
  db?: () => Db;
  /** The run history and live feed (the REST API's); runs are cancellable through it. */
  runLog?: RunLog;
}

export interface PlanContext {
  context?: unknown;
  caller?: Caller;
  signal?: AbortSignal;
  /** Examples to show the planner; default: memory.similar(task). */
  examples?: PlanExample[];
  /** A conversation the caller may use (Conversations.open): its earlier requests are shown to the planner, and this one is added. */
  conversationId?: string;
}

export interface RunOptions extends PlanContext {
  /** The run's id, when the caller needs it before the run ends (the REST API answers with it at once). */
  runId?: string;
  /** Plan (and validate) only; nothing runs. */
  dryRun?: boolean;
  onProgress?: (progress: StepProgress) => void;
  /** Consent for destructive steps (the hub: MCP elicitation). Without it the run stops at the first one. */
  approve?: Approver;
  /** Who asked: "stdio", a token name, "workflow:<id>", "cli". */
  client?: string;
  trigger?: RunRecord['trigger'];
  /** How a given plan was obtained (a workflow's stored steps: "workflow"). */
  planSource?: RunRecord['planSource'];
  /** Tools consented to in advance (a workflow's approved tools): their steps run without asking. */
  approvedTools?: string[];
}

/** What an agent needs to write a plan itself when no model can plan (plan_task, orchestrate without one). */
export interface PlanningKit {
  task: string;
  /** Why the hub did not plan. */
  reason: string;
  /** Each part of the task and the tools found for it. */
  parts: Array<{ part: string; tools: string[] }>;
  /** Parts no tool matched. */
  unmatched: string[];
  tools: Array<{ name: string; description?: string; inputSchema: unknown; outputSchema?: unknown; returns: 'structured' | 'text'; consent?: string; supplier?: true }>;
  format: string;
  example: string;
  similarRuns: PlanExample[];
  conversationId?: string;
  /** The conversation's earlier requests, as a planner would see them. */
  conversation?: string;
  next: string;
}

export type ResumeOptions = Pick<RunOptions, 'signal' | 'onProgress' | 'approve' | 'caller'>;

export interface DestructiveStep {
  step: string;
  tool: string;
  reason: string;
}

export interface RunResult {
  runId: string;
  status: RunRecord['status'];
  record: RunRecord;
  summary: string;
  /** Full results of the succeeded steps, by id. */
  results: Record<string, unknown>;
  /** Steps that need consent (status needs-approval: call resume(runId, true) to run them; planned: shown before running). */
  approval?: { steps: DestructiveStep[]; message: string };
  /** Why the plan was rejected, by step and field. */
  issues?: PlanIssue[];
}

export interface PlanResult {
  plan: Plan;
  /** `memory`: a remembered plan reused with no LLM call. */
  source: 'llm' | 'memory';
  /** With source memory: the run whose plan was reused. */
  reusedRun?: string;
  candidates: string[];
  destructive: DestructiveStep[];
  attempts: number;
  usage: Usage;
}

const RECENT_RUNS = 200;

export class Orchestrator {
  readonly config: OrchestrateConfig;
  readonly executor: Executor;
  readonly planner: Planner;
  readonly conversations: Conversations;
  private readonly waitingRuns: WaitingRuns;
  private readonly recent = new Map<string, RunState>();
  private readonly log: NonNullable<OrchestratorDeps['logger']>;

  constructor(private readonly deps: OrchestratorDeps) {
    this.config = OrchestrateConfigSchema.parse(deps.config ?? {});
    this.log = deps.logger ?? childLogger('orchestrator');
    const safety = new SafetyPolicy(this.config);
    this.executor = new Executor({ caller: deps.caller, tools: deps.tools, llm: deps.llm, safety }, this.config);
    this.planner = new Planner({ llm: deps.llm, index: deps.index, tools: deps.tools }, this.config.candidates);
    let inMemory: Db | undefined;
    const db = deps.db ?? (() => (inMemory ??= openDatabase(':memory:')));
    this.waitingRuns = new WaitingRuns(db, this.config.approvalTtlMs);
    this.conversations = new Conversations(db, this.config.conversations.retentionDays);
  }

  /** A checked plan for a task (plan_task). Throws PlanningError, or LlmUnavailableError when no model can serve. */
  async plan(task: string, ctx: PlanContext = {}): Promise<PlanResult> {
    const principal = ctx.caller?.principal;
    const reused = await this.reusable(task, principal);
    if (reused) return inScope(reused, ctx.caller);
    const planner = this.requirePlanner(ctx.caller);
    const examples = ctx.examples ?? (await this.examples(task, principal));
    const conversation = this.conversationText(ctx.conversationId, principal);
    const r = await planner.plan({ task, context: ctx.context, examples, conversation, signal: ctx.signal, caller: ctx.caller });
    return inScope({ plan: r.plan, source: 'llm', candidates: r.candidates, destructive: this.executor.destructiveSteps(r.plan), attempts: r.attempts, usage: r.usage }, ctx.caller);
  }

  /** A remembered plan that still validates against today's catalog, or nothing (then the model plans). */
  private async reusable(task: string, principal: Principal | undefined): Promise<PlanResult | undefined> {
    try {
      const found = await this.deps.memory?.reusable?.(task, principal);
      if (!found) return undefined;
      const parsed = parsePlan(found.plan);
      if (!parsed.plan || validatePlan(parsed.plan, this.deps.tools).length) return undefined;
      this.log.info('reusing a remembered plan', { run: found.runId, similarity: found.similarity });
      return { plan: parsed.plan, source: 'memory', reusedRun: found.runId, candidates: [], destructive: this.executor.destructiveSteps(parsed.plan), attempts: 0, usage: zeroUsage() };
    } catch (err) {
      this.log.warn('memory reuse failed; planning afresh', { error: String(err) });
      return undefined;
    }
  }

  /** The kit for writing a plan for `task` without a model: candidate tools per part, the format, similar runs, the conversation so far. */
  async kit(task: string, reason: string, ctx: PlanContext = {}): Promise<PlanningKit> {
    const principal = ctx.caller?.principal;
    const examples = await this.examples(task, principal);
    const found = await this.planner.kit(task, principal, examples);
    return {
      task,
      reason,
      parts: found.parts,
      unmatched: found.unmatched,
      tools: found.tools.map(({ name, tool, supplier }) => {
        const consent = this.executor.approvalReason({ id: 'x', tool: name, args: {} });
        return {
          name,
          description: tool.description,
          inputSchema: tool.inputSchema,
          ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
          returns: tool.outputSchema ? ('structured' as const) : ('text' as const),
          ...(consent ? { consent } : {}),
          ...(supplier ? { supplier: true as const } : {}),
        };
      }),
      format: KIT_FORMAT,
      example: KIT_EXAMPLE,
      similarRuns: examples,
      ...(ctx.conversationId ? { conversationId: ctx.conversationId, conversation: this.conversationText(ctx.conversationId, principal) } : {}),
      next: KIT_NEXT,
    };
  }

  /** A plan_task answer in the conversation: the plan it showed. */
  notePlanned(conversationId: string, task: string, plan: Plan): void {
    this.conversations.record(conversationId, 'plan_task', { id: randomUUID(), task, status: 'planned', plan, steps: plan.steps.map(newStepRecord), startedAt: new Date().toISOString(), trigger: 'orchestrate', usage: zeroUsage() });
  }

  /** Plans (for a task) or checks (for a plan) and runs it. Planning and validation failures come back as failed runs. */
  async run(taskOrPlan: string | PlanInput, options: RunOptions = {}): Promise<RunResult> {
    const result = await this.start(taskOrPlan, options);
    if (options.conversationId) this.noteTurn(options.conversationId, typeof taskOrPlan === 'string' ? 'orchestrate' : 'run_plan', result.record, options.context);
    return result;
  }

  private noteTurn(conversationId: string, via: Turn['via'], record: RunRecord, context: unknown): void {
    try {
      this.conversations.record(conversationId, via, record, context);
    } catch (err) {
      this.log.warn('could not add the run to its conversation', { run: record.id, error: String(err) });
    }
  }

  private conversationText(id: string | undefined, principal: Principal | undefined): string | undefined {
    if (!id) return undefined;
    return this.conversations.render(this.conversations.turns(id, principal) ?? []) || undefined;
  }

  private async start(taskOrPlan: string | PlanInput, given: RunOptions): Promise<RunResult> {
    this.sweep();
    const runId = given.runId ?? randomUUID();
    const running = this.deps.runLog?.running(runId, given.signal);
    const options = { ...given, runId, signal: running?.signal ?? given.signal };
    try {
      return await this.startRun(taskOrPlan, options);
    } finally {
      running?.done();
    }
  }

  private async startRun(taskOrPlan: string | PlanInput, options: RunOptions): Promise<RunResult> {
    const given = typeof taskOrPlan !== 'string';
    const record: RunRecord = {
      id: options.runId ?? randomUUID(),
      task: given ? (taskOrPlan.goal ?? 'a given plan') : taskOrPlan,
      client: options.client ?? options.caller?.principal.name,
      principal: options.caller?.principal.ref(),
      trigger: options.trigger ?? 'orchestrate',
      status: 'running',
      steps: [],
      startedAt: new Date().toISOString(),
      usage: { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    };
    const state: RunState = {
      record,
      plan: { steps: [] },
      results: new Map(),
      input: options.context,
      approved: new Set(),
      declined: new Set(),
      approvedTools: new Set(options.approvedTools ?? []),
      replanUsed: false,
      activeMs: 0,
      conversationId: options.conversationId,
    };
    const t0 = performance.now();
    // Followers (the API's run stream) see the run from its start, planning included.
    this.deps.runLog?.update(record);

    let plan: Plan;
    if (given) {
      const parsed = parsePlan(taskOrPlan);
      const issues = parsed.plan ? [...validatePlan(parsed.plan, this.deps.tools), ...this.promptStepIssues(parsed.plan, options.caller)] : parsed.issues;
      if (!parsed.plan || issues.length) return this.rejected(state, `The plan is invalid:\n${formatIssues(issues)}`, issues, t0);
      const outside = outsideScope(parsed.plan, options.caller);
      if (outside) return this.rejected(state, outside, undefined, t0);
      plan = parsed.plan;
      record.planSource = options.planSource ?? 'given';
    } else {
      try {
        const r = await this.plan(taskOrPlan, options);
        addUsage(record.usage, r.usage);
        plan = r.plan;
        record.planSource = r.source;
        if (r.source === 'llm') record.planPrompt = PLAN_PROMPT_VERSION;
      } catch (err) {
        if (err instanceof PlanningError) addUsage(record.usage, err.usage);
        if (options.signal?.aborted) return this.rejected(state, 'the run was cancelled while planning', undefined, t0, 'cancelled');
        return this.rejected(state, `Planning failed: ${err instanceof Error ? err.message : String(err)}`, err instanceof PlanningError ? err.issues : undefined, t0);
      }
    }
    state.plan = plan;
    record.plan = plan;
    record.steps = plan.steps.map(newStepRecord);

    if (options.dryRun) {
      record.status = 'planned';
      record.ms = Math.round(performance.now() - t0);
      record.summary = summarize(record);
      this.remember(state);
      const steps = this.executor.destructiveSteps(plan);
      return this.result(state, steps.length ? { steps, message: `Running this plan will ask for consent before: ${describe(steps)}.` } : undefined);
    }
    state.activeMs = performance.now() - t0;
    return this.execute(state, options);
  }

  /**
   * Continues a run that stopped for approval: approve runs the steps the approval request showed, decline
   * skips them (and what depends on them). The run is claimed first, so one approval runs it once, also
   * after a restart; a step the request did not show (a replan changed it) asks again.
   */
  async resume(runId: string, approve: boolean, options: ResumeOptions = {}): Promise<RunResult> {
    this.sweep();
    const claimed = this.waitingRuns.claim(runId);
    if (!claimed) throw new Error(this.notWaiting(runId));
    const { state, shown } = claimed;
    for (const step of state.plan.steps) {
      const rec = state.record.steps.find((s) => s.id === step.id)!;
      if (!isToolStep(step) || !(rec.status === 'pending' || rec.status === 'needs-approval') || !shown.has(approvalKey(step))) continue;
      (approve ? state.approved : state.declined).add(approvalKey(step));
      if (rec.status === 'needs-approval') rec.status = 'pending';
    }
    const running = this.deps.runLog?.running(runId, options.signal);
    try {
      const result = await this.execute(state, { ...options, signal: running?.signal ?? options.signal, context: state.input });
      if (state.conversationId) this.noteTurn(state.conversationId, state.record.planSource === 'given' ? 'run_plan' : 'orchestrate', result.record, state.input);
      return result;
    } finally {
      running?.done();
      // Waiting again (a step the approval did not cover) saved it anew as waiting; otherwise it is done.
      this.waitingRuns.finish(runId);
    }
  }

  private notWaiting(runId: string): string {
    const found = this.waitingRuns.lookup(runId);
    if (found.status === 'resuming') return `run ${runId} was approved already; the approval ran it (if the hub stopped while it ran, check its steps before starting the task again)`;
    if (found.status === 'expired' || (found.status === 'unknown' && this.recent.get(runId)?.record.status === 'needs-approval')) return `run ${runId} waited for approval longer than orchestrate.approvalTtlMs and expired; start the task again`;
    const known = this.recent.get(runId);
    return known ? `run ${runId} is not waiting for approval (it is ${known.record.status})` : `no run ${runId} is waiting for approval (unknown or expired)`;
  }

  /** Prompt steps need a model: a plan given to a hub without one (for this caller) is refused before anything runs. */
  private promptStepIssues(plan: Plan, caller: Caller | undefined): PlanIssue[] {
    const available = this.deps.llm?.availability({ caller });
    if (available?.ok) return [];
    const why = available ? available.reason : 'no `llm:` is configured';
    return plan.steps.filter((s) => !isToolStep(s)).map((s) => ({ step: s.id, field: 'prompt', message: `prompt steps need a language model, and this hub has none for you (${why}); do the text work yourself and pass the result as context or a literal` }));
  }

  /** Problems of a plan against the current catalog; [] when it can run. */
  validate(plan: PlanInput): PlanIssue[] {
    const parsed = parsePlan(plan);
    return parsed.plan ? validatePlan(parsed.plan, this.deps.tools) : parsed.issues;
  }

  /** Those of these tools that need consent (destructive, unannotated, matching confirm, or unknown), with why. */
  needsConsent(toolNames: string[]): Array<{ tool: string; reason: string }> {
    return toolNames.flatMap((tool) => {
      const reason = this.deps.tools.getTool(tool) ? this.executor.approvalReason({ id: 'x', tool, args: {} }) : 'unknown tool';
      return reason ? [{ tool, reason }] : [];
    });
  }

  /** A run of this process, or one waiting for approval (also from before a restart). */
  get(runId: string): RunRecord | undefined {
    const recent = this.recent.get(runId)?.record;
    if (recent) return recent;
    const stored = this.waitingRuns.lookup(runId);
    return 'record' in stored ? stored.record : undefined;
  }

  /** Ids of the runs waiting for approval. */
  waiting(): string[] {
    this.sweep();
    return this.waitingRuns.ids();
  }

  private async execute(state: RunState, options: RunOptions): Promise<RunResult> {
    this.remember(state);
    const planner = this.planner;
    const replan =
      this.deps.llm && this.config.replan
        ? async (s: RunState, failures: Array<{ id: string; tool?: string; error: string }>) => {
            this.log.info('replanning after a failed step', { run: s.record.id, failures: failures.map((f) => f.id) });
            try {
              const r = await planner.replan({
                task: s.record.task,
                context: s.input,
                plan: s.plan,
                completed: Object.fromEntries(s.results),
                failures,
                signal: options.signal,
                caller: options.caller,
              });
              addUsage(s.record.usage, r.usage);
              return r.plan;
            } catch (err) {
              if (err instanceof PlanningError) addUsage(s.record.usage, err.usage);
              throw err;
            }
          }
        : undefined;
    const runLog = this.deps.runLog;
    const onProgress = (p: StepProgress) => {
      runLog?.update(state.record);
      options.onProgress?.(p);
    };
    await this.executor.execute(state, { signal: options.signal, onProgress, approve: options.approve, caller: options.caller, replan });
    const { record } = state;
    runLog?.update(record);
    if (record.status === 'needs-approval') {
      const steps = this.executor
        .destructiveSteps(state.plan, state)
        .filter((d) => ['pending', 'needs-approval'].includes(record.steps.find((s) => s.id === d.step)!.status));
      const shown = steps.map((d) => approvalKey(state.plan.steps.find((s) => s.id === d.step) as ToolStep));
      this.waitingRuns.save(state, shown);
      return this.result(state, { steps, message: `${record.error ?? 'Waiting for approval.'} Approving runs: ${describe(steps)}.` });
    }
    await this.store(record);
    return this.result(state);
  }

  private rejected(state: RunState, error: string, issues: PlanIssue[] | undefined, t0: number, status: 'failed' | 'cancelled' = 'failed'): RunResult {
    const { record } = state;
    record.status = status;
    record.error = error;
    record.endedAt = new Date().toISOString();
    record.ms = Math.round(performance.now() - t0);
    record.summary = summarize(record);
    this.remember(state);
    return { ...this.result(state), issues };
  }

  private result(state: RunState, approval?: RunResult['approval']): RunResult {
    const { record } = state;
    return { runId: record.id, status: record.status, record, summary: record.summary ?? summarize(record), results: Object.fromEntries(state.results), approval };
  }

  private requirePlanner(caller: Caller | undefined): Planner {
    if (!this.deps.llm) throw new PlanningError('Planning needs a language model: configure `llm:` (or give a plan instead of a task).', [], zeroUsage());
    const available = this.deps.llm.availability({ caller });
    if (!available.ok) throw new PlanningError(`Planning needs a language model: ${available.reason}`, [], zeroUsage());
    return this.planner;
  }

  private async examples(task: string, principal: Principal | undefined): Promise<PlanExample[]> {
    if (!this.deps.memory || this.config.examples === 0) return [];
    try {
      return await this.deps.memory.similar(task, this.config.examples, principal);
    } catch (err) {
      this.log.warn('memory lookup failed; planning without examples', { error: String(err) });
      return [];
    }
  }

  private async store(record: RunRecord): Promise<void> {
    if (!this.deps.memory) return;
    try {
      await this.deps.memory.store(record);
    } catch (err) {
      this.log.warn('could not store the run in memory', { run: record.id, error: String(err) });
    }
  }

  private remember(state: RunState): void {
    this.deps.runLog?.update(state.record);
    this.recent.delete(state.record.id);
    this.recent.set(state.record.id, state);
    // Runs waiting for approval are kept in the database; this is only the latest runs' full state.
    while (this.recent.size > RECENT_RUNS) this.recent.delete(this.recent.keys().next().value!);
  }

  /** Forgets runs that waited for approval longer than approvalTtlMs. */
  private sweep(): void {
    this.waitingRuns.sweep();
  }
}

function describe(steps: DestructiveStep[]): string {
  return steps.map((s) => `${s.step} (${s.tool}: ${s.reason})`).join(', ');
}

/**
 * A client limited to some tools (an HTTP token's scope) gets only plans within them: checked before
 * anything runs, so a plan never half-runs and then stops at a refused step (which the hub would also refuse).
 */
function outsideScope(plan: Plan, caller: Caller | undefined): string | undefined {
  const principal = caller?.principal;
  if (!principal) return undefined;
  const tools = [...new Set(plan.steps.filter(isToolStep).map((s) => s.tool).filter((t) => !allowsTool(principal, t)))];
  return tools.length ? `the plan needs tools outside the scope of token "${principal.name}": ${tools.join(', ')}; nothing was run` : undefined;
}

function inScope(result: PlanResult, caller: Caller | undefined): PlanResult {
  const outside = outsideScope(result.plan, caller);
  if (outside) throw new Error(outside);
  // Candidates are tool names: a scoped client sees only its own.
  const principal = caller?.principal;
  return principal ? { ...result, candidates: result.candidates.filter((c) => allowsTool(principal, c)) } : result;
}

function zeroUsage(): Usage {
  return { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

function addUsage(into: Usage, add: Usage): void {
  into.llmCalls += add.llmCalls;
  into.inputTokens += add.inputTokens;
  into.outputTokens += add.outputTokens;
  into.costUsd += add.costUsd;
}
