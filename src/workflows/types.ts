// The shapes workflows keep: a definition (from the config or created at runtime), its state (stored
// plan, approval, schedule anchor, counters), the record of each run, and the runner the hub injects.
import { z } from 'zod';
import { PrincipalRefSchema, type PrincipalRef } from '../access/principal.js';
import { TimezoneSchema, WorkflowIdSchema, taskOrSteps, workflowFields } from '../config/workflows.js';
import { PlanSchema, StepSchema, type Plan } from '../planner/plan.js';
import { RunRecordSchema, type RunRecord, type Usage } from '../planner/record.js';

const strictSteps = z.array(StepSchema).min(1);

// Consent for destructive tools comes from a person (asked at creation, or resume_workflow by the owner),
// never from a flag in a client's input: only the config file, the operator's own, has approveDestructive.
const { approveDestructive: _configOnly, ...runtimeFields } = workflowFields;

/** What `schedule_workflow` accepts: the config fields (but approveDestructive) with strict plan steps, plus a name and an optional id. */
export const WorkflowInputSchema = z
  .object({
    id: WorkflowIdSchema.optional(),
    name: z.string().min(1),
    ...runtimeFields,
    steps: strictSteps.optional(),
    onFailure: strictSteps.optional(),
    onSuccess: strictSteps.optional(),
  })
  .strict()
  .superRefine(taskOrSteps);

/** A definition as kept: id, name and timezone resolved. */
export const WorkflowDefinitionSchema = z
  .object({
    id: WorkflowIdSchema,
    name: z.string().min(1),
    ...workflowFields,
    timezone: TimezoneSchema,
    steps: strictSteps.optional(),
    onFailure: strictSteps.optional(),
    onSuccess: strictSteps.optional(),
  })
  .strict()
  .superRefine(taskOrSteps);

export const RunStatusSchema = z.enum(['running', 'succeeded', 'failed', 'cancelled', 'needs-approval']);
export const TriggerSchema = z.enum(['schedule', 'manual', 'catch-up']);

export const LastRunSchema = z.object({
  id: z.string(),
  status: RunStatusSchema,
  trigger: TriggerSchema,
  startedAt: z.string(),
  endedAt: z.string().optional(),
});

export const WorkflowStateSchema = z.object({
  paused: z.boolean().default(false),
  /** The plan runs use: the given steps, or the task's plan from the planner. */
  plan: PlanSchema.optional(),
  planSource: z.enum(['given', 'llm']).optional(),
  plannedAt: z.string().optional(),
  /** runner.catalogSignature of the plan's tools when it was planned: a change means replan. */
  planSignature: z.string().optional(),
  /** A run failed: plan the task again before the next attempt. */
  planStale: z.boolean().optional(),
  /** Destructive tools the user consented to (at creation, or with resume + approveDestructive). */
  approved: z.array(z.string()).default([]),
  approvedAt: z.string().optional(),
  /** The last occurrence handled (run or skipped), or when scheduling (re)started: catch-up counts missed runs after it. */
  anchor: z.string(),
  lastRun: LastRunSchema.optional(),
  stats: z
    .object({
      runs: z.number().default(0),
      succeeded: z.number().default(0),
      failed: z.number().default(0),
      skippedOverlap: z.number().default(0),
      missed: z.number().default(0),
      plannings: z.number().default(0),
    })
    .prefault({}),
  /** Why the workflow cannot run now (planning failed, invalid steps in the config, ...). */
  problem: z.string().optional(),
});

export const StoredWorkflowSchema = z.object({
  version: z.literal(1),
  source: z.enum(['runtime', 'config']),
  definition: WorkflowDefinitionSchema,
  /** Who created it: every run acts as this principal (a config workflow: the local user, "config"). */
  owner: PrincipalRefSchema.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  state: WorkflowStateSchema,
});

export const NotificationRecordSchema = z.object({
  kind: z.enum(['onSuccess', 'onFailure']),
  status: z.enum(['succeeded', 'failed']),
  error: z.string().optional(),
  runId: z.string().optional(),
});

/** One run in a workflow's history: the executor's record plus the workflow's own fields. */
export const WorkflowRunSchema = RunRecordSchema.extend({
  workflowId: z.string(),
  trigger: TriggerSchema,
  status: RunStatusSchema,
  /** The occurrence this run is for (schedule and catch-up triggers). */
  scheduledFor: z.string().optional(),
  attempts: z.number().default(0),
  notifications: z.array(NotificationRecordSchema).default([]),
  /** The hub stopped (or was killed) while this run was going; noticed at the next start. */
  interrupted: z.boolean().optional(),
});

export type WorkflowInput = z.input<typeof WorkflowInputSchema>;
export type WorkflowDefinition = z.output<typeof WorkflowDefinitionSchema>;
export type WorkflowState = z.output<typeof WorkflowStateSchema>;
export type StoredWorkflow = z.output<typeof StoredWorkflowSchema>;
export type WorkflowRun = z.output<typeof WorkflowRunSchema>;
export type Trigger = z.output<typeof TriggerSchema>;

export interface RunPlanOptions {
  /** The run record's id (the workflow run's); absent: a new one. */
  runId?: string;
  trigger: Trigger;
  workflowId: string;
  /** Aborted on timeout and when the hub stops. */
  signal: AbortSignal;
  /** The run's `input` context for expressions (the definition's input; for notifications, {workflow, run}). */
  input?: Record<string, unknown>;
  /** Who asked, for the run record: "workflow:<id>". */
  client: string;
  /** Destructive tools the user approved for this workflow: the executor runs them without asking. */
  approvedTools: string[];
  /** Who the run acts as: the workflow's owner. */
  owner: PrincipalRef;
}

/** What the hub gives the workflows: the executor, the planner and catalog facts. */
export interface WorkflowRunner {
  /** Runs a plan; resolves with its record (status failed rather than a throw when a step fails). */
  runPlan(plan: Plan, opts: RunPlanOptions): Promise<RunRecord>;
  planTask(task: string, opts: { signal?: AbortSignal; owner: PrincipalRef }): Promise<{ plan: Plan; usage?: Partial<Usage> }>;
  /** Changes when any of these tools disappears or changes its schema. */
  catalogSignature(toolNames: string[]): string;
  /** Those of these tools that need consent (destructive, or unknown to the catalog). */
  destructiveTools(toolNames: string[]): string[];
  /** Problems with a plan beyond its shape (unknown tools, bad references); [] when it can run. */
  validatePlan?(plan: Plan): string[];
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type { Plan, RunRecord, Usage };
