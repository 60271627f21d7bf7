// Schema of the `workflows:` section: a map from workflow id to its definition. The same definition
// shape is what `schedule_workflow` creates at runtime (src/workflows adds the id and name rules).
// Cron and timezone are checked here so a bad schedule is refused when the file loads.
// Steps are checked for shape only: the plan format lives in src/planner, which config may not import;
// src/workflows validates them against the plan schema when it applies the config.
import { CronExpressionParser } from 'cron-parser';
import nodeCron from 'node-cron';
import { z } from 'zod';

/** Problems with a cron expression (5 fields, or 6 with seconds first), or [] when it is fine. */
export function cronProblems(expression: string): string[] {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return [`"${expression}" has ${fields.length} field(s); use 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)`];
  }
  const problems: string[] = [];
  // The scheduler (node-cron) and the next-run calculator (cron-parser) must both accept it.
  const detailed = nodeCron.validateDetailed(expression);
  if (!detailed.valid) problems.push(...detailed.errors.map((e) => `${e.field}: ${e.message}`));
  try {
    CronExpressionParser.parse(expression);
  } catch (err) {
    if (detailed.valid) problems.push(err instanceof Error ? err.message : String(err));
  }
  // Cron dialects disagree when both day fields are restricted (Vixie cron: either matches; node-cron:
  // both must), so the shown next runs could differ from the real ones. Refuse rather than surprise.
  const [dom, , dow] = fields.slice(-3);
  if (problems.length === 0 && dom !== '*' && dom !== '?' && dow !== '*' && dow !== '?') {
    problems.push('restricts both day-of-month and day-of-week, which cron dialects read differently; keep one of them "*"');
  }
  return problems;
}

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** A step in the plan format (src/planner/plan.ts), shape only. */
const LooseStepSchema = z.looseObject({ id: z.string() });

export const ScheduleSchema = z.string().superRefine((expression, ctx) => {
  for (const message of cronProblems(expression)) ctx.addIssue({ code: 'custom', message: `invalid cron: ${message}` });
});

export const TimezoneSchema = z.string().refine(isValidTimezone, { message: 'unknown timezone; use an IANA name such as "Europe/London" or "UTC"' });

export const CatchUpSchema = z
  .object({
    /** After downtime: `skip` the missed runs, or `run-once` if the latest missed run is within graceMs. */
    policy: z.enum(['skip', 'run-once']).default('skip'),
    graceMs: z.number().int().positive().default(3_600_000),
  })
  .strict();

/** Everything a definition has besides its id and name. */
export const workflowFields = {
  description: z.string().optional(),
  /** Cron: `m h dom mon dow`, or `s m h dom mon dow`. */
  schedule: ScheduleSchema,
  /** IANA timezone; default: the hub machine's. */
  timezone: TimezoneSchema.optional(),
  /** Natural-language task, planned once (and again only when a run fails or the catalog changed). */
  task: z.string().min(1).optional(),
  /** An explicit plan: steps in the plan format; no LLM is needed. */
  steps: z.array(LooseStepSchema).min(1).optional(),
  /** The run's `input` context, available to expressions as `input`. */
  input: z.record(z.string(), z.unknown()).optional(),
  enabled: z.boolean().default(true),
  /** When a run is due while the previous one still runs: skip it, queue one, or allow both. */
  overlap: z.enum(['skip', 'queue', 'allow']).default('skip'),
  catchUp: CatchUpSchema.prefault({}),
  /** Per attempt; the run is cancelled when it runs over. */
  timeoutMs: z.number().int().positive().default(600_000),
  /** Extra attempts after a failed one. */
  retries: z.number().int().min(0).max(10).default(0),
  retryDelayMs: z.number().int().min(0).default(30_000),
  /** Steps run after a failed / successful run; `input.workflow` and `input.run` describe the run. */
  onFailure: z.array(LooseStepSchema).min(1).optional(),
  onSuccess: z.array(LooseStepSchema).min(1).optional(),
  /**
   * Consent for destructive tools in the plan of a `task` (steps written in the file are the operator's
   * own consent). Without it, a planned destructive step keeps the workflow waiting for approval.
   * The file only: schedule_workflow's input has no such field (consent there comes from a person).
   */
  approveDestructive: z.boolean().default(false),
};

export function taskOrSteps(def: { task?: string; steps?: unknown[] }, ctx: z.RefinementCtx): void {
  if (!def.task === !def.steps) ctx.addIssue({ code: 'custom', message: 'needs either `task` (natural language) or `steps` (a plan), not both' });
}

const workflowId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'workflow ids use letters, digits, "-" and "_" (at most 64)');

export const WorkflowConfigSchema = z
  .object({ name: z.string().min(1).optional(), ...workflowFields })
  .strict()
  .superRefine(taskOrSteps);

export const WorkflowsConfigSchema = z.record(workflowId, WorkflowConfigSchema);

export type WorkflowConfig = z.output<typeof WorkflowConfigSchema>;
export type WorkflowsConfig = z.output<typeof WorkflowsConfigSchema>;
export { workflowId as WorkflowIdSchema };
