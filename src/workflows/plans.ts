// Plan facts a workflow needs: the tools it uses, which of them need consent, whether the stored plan
// of a task is still current (the catalog changed what it uses, or a run failed).
import { isToolStep, type Step } from '../planner/plan.js';
import type { Plan, StoredWorkflow, WorkflowDefinition, WorkflowRunner } from './types.js';

export function toolsOf(steps: Step[] | undefined): string[] {
  return [...new Set((steps ?? []).filter(isToolStep).map((s) => s.tool))];
}

/** The plan of a definition with explicit steps. */
export function givenPlan(definition: WorkflowDefinition): Plan | undefined {
  return definition.steps ? { goal: definition.description ?? definition.name, steps: definition.steps } : undefined;
}

/** Every tool a run may call: the plan's and the notifications'. */
export function toolsOfWorkflow(definition: WorkflowDefinition, plan: Plan | undefined): string[] {
  return [...new Set([...toolsOf(plan?.steps), ...toolsOf(definition.onFailure), ...toolsOf(definition.onSuccess)])];
}

/** Destructive tools the workflow would call that nobody has approved yet. */
export function pendingApproval(workflow: StoredWorkflow, runner: WorkflowRunner): string[] {
  const approved = new Set(workflow.state.approved);
  return runner.destructiveTools(toolsOfWorkflow(workflow.definition, workflow.state.plan)).filter((t) => !approved.has(t));
}

/** Why the task's plan must be made again before the next run, or undefined when it is current. */
export function replanReason(workflow: StoredWorkflow, runner: WorkflowRunner): string | undefined {
  const { definition, state } = workflow;
  if (!definition.task) return undefined;
  if (!state.plan) return 'no plan yet';
  if (state.planStale) return 'the last run failed';
  if (runner.catalogSignature(toolsOf(state.plan.steps)) !== state.planSignature) return 'the catalog changed a tool the plan uses';
  return undefined;
}

/** Problems with a plan: duplicate step ids here, the rest from the planner's validator when the hub gives one. */
export function planProblems(plan: Plan, runner: WorkflowRunner): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const step of plan.steps) {
    if (seen.has(step.id)) problems.push(`step id "${step.id}" is used twice`);
    seen.add(step.id);
  }
  return [...problems, ...(runner.validatePlan?.(plan) ?? [])];
}

export function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
