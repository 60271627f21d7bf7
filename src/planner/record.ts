// The record of one run (orchestrate, a workflow run): what was asked, the plan, each step's
// arguments and (truncated) result, timing, tokens and outcome. Memory stores these; workflows keep them as history.
import { z } from 'zod';
import { PlanSchema } from './plan.js';
import { PrincipalRefSchema } from '../access/principal.js';

export const StepRecordSchema = z.object({
  id: z.string(),
  tool: z.string().optional(),
  status: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled', 'needs-approval']),
  /** Resolved arguments (secret-like values redacted); for forEach, one entry per iteration. */
  args: z.unknown().optional(),
  /** Truncated result. */
  result: z.unknown().optional(),
  error: z.string().optional(),
  startedAt: z.string().optional(),
  ms: z.number().optional(),
  iterations: z.number().optional(),
});

export const UsageSchema = z.object({
  llmCalls: z.number().default(0),
  inputTokens: z.number().default(0),
  outputTokens: z.number().default(0),
  costUsd: z.number().default(0),
});

export const RunRecordSchema = z.object({
  id: z.string(),
  task: z.string(),
  /** Who asked: "stdio", a token name, "workflow:<id>", "cli". */
  client: z.string().optional(),
  /** Who the run acted as (src/access/principal.ts): checked when it is resumed, reused or shown. */
  principal: PrincipalRefSchema.optional(),
  trigger: z.enum(['orchestrate', 'cli', 'schedule', 'manual', 'catch-up']).default('orchestrate'),
  status: z.enum(['planned', 'needs-approval', 'running', 'succeeded', 'failed', 'cancelled']),
  plan: PlanSchema.optional(),
  /** How the plan was obtained. */
  planSource: z.enum(['llm', 'memory', 'workflow', 'given']).optional(),
  steps: z.array(StepRecordSchema).default([]),
  summary: z.string().optional(),
  error: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  ms: z.number().optional(),
  usage: UsageSchema.prefault({}),
  replanned: z.boolean().optional(),
  /** Records of the first plan's steps that a replan replaced (failed or skipped), kept for the history. */
  replacedSteps: z.array(StepRecordSchema).optional(),
  /** Version of the planner prompt that made the plan (e.g. "plan.v2"), when planSource is llm. */
  planPrompt: z.string().optional(),
});

export type StepRecord = z.output<typeof StepRecordSchema>;
export type RunRecord = z.output<typeof RunRecordSchema>;
export type Usage = z.output<typeof UsageSchema>;
