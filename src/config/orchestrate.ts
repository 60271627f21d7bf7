// Schema of the `orchestrate:` section (planning and running tasks). Every field has a default, so the
// section may be absent. Only the shape lives here: src/config imports nothing from src/planner.
import { z } from 'zod';

export const OrchestrateConfigSchema = z
  .object({
    /** Globs over namespaced tool names (`telegram__send_*`) that always need consent, whatever their annotations. */
    confirm: z.array(z.string()).default([]),
    /**
     * Globs over namespaced tool names that run without consent although they are not annotated read-only
     * (MCP's default for an unannotated tool is "may be destructive"), e.g. `xero__list-*`. `confirm` wins.
     */
    trust: z.array(z.string()).default([]),
    /**
     * Globs over namespaced tool names of tools that send data out of the hub (a message, an email, an
     * upload). Such a tool, unless annotated read-only or closed-world (openWorldHint: false), needs
     * consent in a plan even when annotated non-destructive, unless `trust` covers it: text in a tool
     * result must not be able to make a plan ship data out unasked.
     */
    egress: z.array(z.string()).default(['*__send*', '*__upload*', '*__forward*', '*__share*', '*__post_*', '*__email*', '*__publish*', '*__reply*']),
    /** Steps of one run running at once. */
    maxParallel: z.number().int().positive().default(4),
    /** Iterations of one forEach step running at once. */
    forEachConcurrency: z.number().int().positive().default(4),
    /** A forEach over more elements than this fails instead of fanning out. */
    maxIterations: z.number().int().positive().default(100),
    /** Per tool call (each forEach iteration, each retry); the downstream server's own timeoutMs still applies. */
    stepTimeoutMs: z.number().int().positive().default(120_000),
    /** Extra attempts for read-only or idempotent tools only. */
    retries: z.number().int().min(0).max(5).default(1),
    retryDelayMs: z.number().int().min(0).default(500),
    /** On a failed step, ask the planner once for new remaining steps (completed results kept). */
    replan: z.boolean().default(true),
    /** Tool retrieval for the planner: tools per query (one query per clause of the task) and in all. */
    candidates: z
      .object({
        perQuery: z.number().int().positive().default(5),
        limit: z.number().int().positive().default(20),
      })
      .strict()
      .prefault({}),
    /** Similar past runs shown to the planner as examples (when memory is on). */
    examples: z.number().int().min(0).default(3),
    /** Runs waiting for approval are kept this long (in the data directory, across restarts), then forgotten. */
    approvalTtlMs: z.number().int().positive().default(24 * 60 * 60 * 1000),
    /** Conversations (orchestrate, run_plan and plan_task with conversationId) are kept this many days after their last request. */
    conversations: z
      .object({ retentionDays: z.number().positive().default(30) })
      .strict()
      .prefault({}),
  })
  .strict();

export type OrchestrateConfig = z.output<typeof OrchestrateConfigSchema>;
export type OrchestrateConfigInput = z.input<typeof OrchestrateConfigSchema>;
