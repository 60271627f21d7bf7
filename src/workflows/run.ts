// One run of a workflow: make sure the plan is current (a task is planned again only when a run failed
// or the catalog changed a tool it uses), run it with a timeout per attempt, retry, then notify.
// The result is the history record; it never throws.
import { localPrincipal, type PrincipalRef } from '../access/principal.js';
import type { Logger } from '../log/logger.js';
import { UsageSchema } from '../planner/record.js';
import { pendingApproval, planProblems, replanReason, toolsOf, union } from './plans.js';
import type { Clock, Plan, RunRecord, StoredWorkflow, Usage, WorkflowRun, WorkflowRunner } from './types.js';

export interface RunDeps {
  runner: WorkflowRunner;
  clock: Clock;
  log: Logger;
  /** The workflow as stored now (planning changes it; it may have been removed). */
  current(): StoredWorkflow | undefined;
  update(mutate: (workflow: StoredWorkflow) => void): Promise<void>;
  /** How long a runner gets to hand back its partial record after its signal aborts. */
  abortGraceMs: number;
}

type Outcome = Pick<WorkflowRun, 'status' | 'error'> & { record?: RunRecord };

export async function executeRun(deps: RunDeps, run: WorkflowRun, signal: AbortSignal): Promise<WorkflowRun> {
  const first = deps.current();
  if (!first) return finish(deps, run, { status: 'cancelled', error: 'the workflow was removed' });
  const { retries, retryDelayMs } = first.definition;
  let outcome: Outcome = { status: 'failed', error: 'no attempt was made' };
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) await sleep(retryDelayMs, signal);
    if (signal.aborted) {
      outcome = { status: 'cancelled', error: 'the hub stopped or the workflow was removed' };
      break;
    }
    run.attempts = attempt;
    outcome = await attemptOnce(deps, run, signal);
    if (outcome.status !== 'failed') break;
    // A failure may mean the plan no longer fits the apps: the next attempt (or run) plans the task again.
    if (deps.current()?.definition.task) await deps.update((w) => void (w.state.planStale = true));
  }
  run = await notify(deps, run, outcome, signal);
  return finish(deps, run, outcome);
}

async function attemptOnce(deps: RunDeps, run: WorkflowRun, signal: AbortSignal): Promise<Outcome> {
  const workflow = deps.current();
  if (!workflow) return { status: 'cancelled', error: 'the workflow was removed' };
  const { definition } = workflow;
  const reason = replanReason(workflow, deps.runner);
  if (reason) {
    deps.log.info(`workflow "${definition.id}": planning the task (${reason})`);
    try {
      const planned = await deps.runner.planTask(definition.task!, { signal, owner: ownerOf(workflow) });
      addUsage(run.usage, planned.usage);
      const problems = planProblems(planned.plan, deps.runner);
      if (problems.length) return { status: 'failed', error: `the new plan is invalid: ${problems.join('; ')}` };
      await deps.update((w) => {
        w.state.plan = planned.plan;
        w.state.planSource = 'llm';
        w.state.plannedAt = deps.clock.now().toISOString();
        w.state.planSignature = deps.runner.catalogSignature(toolsOf(planned.plan.steps));
        w.state.planStale = false;
        w.state.problem = undefined;
        w.state.stats.plannings++;
        if (w.source === 'config' && w.definition.approveDestructive) w.state.approved = union(w.state.approved, pendingApproval(w, deps.runner));
      });
      run.replanned = true;
      run.planSource = 'llm';
    } catch (err) {
      return { status: 'failed', error: `planning failed: ${message(err)}` };
    }
  }
  const current = deps.current();
  if (!current?.state.plan) return { status: 'failed', error: 'the workflow has no plan' };
  const pending = pendingApproval(current, deps.runner);
  if (pending.length) {
    return { status: 'needs-approval', error: `the plan uses destructive tools nobody approved: ${pending.join(', ')}; approve with resume_workflow {id, approveDestructive: true}` };
  }
  run.plan = current.state.plan;
  return runPlan(deps, current, current.state.plan, run, signal, current.definition.input ?? {}, run.id);
}

/** Runs a plan under the definition's timeout; a runner that ignores its signal is given up on after abortGraceMs. */
/** `runId`: the id the run record takes (the workflow run's own, so its history links to it); notifications get their own. */
async function runPlan(deps: RunDeps, workflow: StoredWorkflow, plan: Plan, run: WorkflowRun, signal: AbortSignal, input: Record<string, unknown>, runId?: string): Promise<Outcome> {
  const { id, timeoutMs } = workflow.definition;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const combined = AbortSignal.any([signal, timeout.signal]);
  const aborted = new Promise<'aborted'>((resolve) => {
    const onAbort = () => setTimeout(() => resolve('aborted'), deps.abortGraceMs).unref();
    if (combined.aborted) onAbort();
    else combined.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const result = await Promise.race([
      deps.runner.runPlan(plan, { runId, trigger: run.trigger, workflowId: id, signal: combined, input, client: `workflow:${id}`, approvedTools: workflow.state.approved, owner: ownerOf(workflow) }),
      aborted,
    ]);
    const record = result === 'aborted' ? undefined : result;
    if (record) addUsage(run.usage, record.usage);
    if (timeout.signal.aborted) return { status: 'failed', error: `timed out after ${timeoutMs} ms`, record };
    if (signal.aborted) return { status: 'cancelled', error: 'the hub stopped or the workflow was removed', record };
    if (!record) return { status: 'failed', error: 'the run did not finish' };
    if (record.status === 'succeeded' || record.status === 'failed' || record.status === 'cancelled' || record.status === 'needs-approval') {
      return { status: record.status, error: record.error, record };
    }
    return { status: 'failed', error: `the executor ended the run as "${record.status}"`, record };
  } catch (err) {
    return { status: 'failed', error: timeout.signal.aborted ? `timed out after ${timeoutMs} ms` : message(err) };
  } finally {
    clearTimeout(timer);
  }
}

async function notify(deps: RunDeps, run: WorkflowRun, outcome: Outcome, signal: AbortSignal): Promise<WorkflowRun> {
  const workflow = deps.current();
  const kind: 'onSuccess' | 'onFailure' | undefined = outcome.status === 'succeeded' ? 'onSuccess' : outcome.status === 'cancelled' ? undefined : 'onFailure';
  const steps = kind && workflow?.definition[kind];
  if (!workflow || !kind || !steps || signal.aborted) return run;
  const { definition } = workflow;
  const input = {
    ...definition.input,
    workflow: { id: definition.id, name: definition.name, description: definition.description },
    run: {
      id: run.id,
      status: outcome.status,
      error: outcome.error,
      trigger: run.trigger,
      scheduledFor: run.scheduledFor,
      startedAt: run.startedAt,
      attempts: run.attempts,
      steps: (outcome.record?.steps ?? []).map((s) => ({ id: s.id, tool: s.tool, status: s.status, error: s.error })),
    },
  };
  const result = await runPlan(deps, workflow, { goal: `${kind} of ${definition.name}`, steps }, run, signal, input);
  const entry = { kind, status: result.status === 'succeeded' ? ('succeeded' as const) : ('failed' as const), error: result.error, runId: result.record?.id };
  if (entry.status === 'failed') deps.log.warn(`workflow "${definition.id}": ${kind} failed: ${result.error}`);
  return { ...run, notifications: [...run.notifications, entry] };
}

function finish(deps: RunDeps, run: WorkflowRun, outcome: Outcome): WorkflowRun {
  const endedAt = deps.clock.now();
  const record = outcome.record;
  return {
    ...run,
    status: outcome.status,
    error: outcome.status === 'succeeded' ? undefined : outcome.error,
    steps: record?.steps ?? run.steps,
    summary: record?.summary ?? run.summary,
    endedAt: endedAt.toISOString(),
    ms: Math.max(0, endedAt.getTime() - Date.parse(run.startedAt)),
  };
}

export function zeroUsage(): Usage {
  return UsageSchema.parse({});
}

function addUsage(into: Usage, usage: Partial<Usage> | undefined): void {
  if (!usage) return;
  into.llmCalls += usage.llmCalls ?? 0;
  into.inputTokens += usage.inputTokens ?? 0;
  into.outputTokens += usage.outputTokens ?? 0;
  into.costUsd += usage.costUsd ?? 0;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The principal a workflow acts as: its owner; a config workflow (or one stored before owners) is the local user's. */
export function ownerOf(workflow: StoredWorkflow): PrincipalRef {
  return workflow.owner ?? CONFIG_OWNER;
}

const CONFIG_OWNER: PrincipalRef = localPrincipal('config').ref();
