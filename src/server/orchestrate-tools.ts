// Meta-tools for cross-app tasks: plan_task shows the plan a request would run; orchestrate plans,
// asks consent for destructive steps (MCP elicitation when the client can answer it, else an approve
// path through orchestrate {runId, approve}), runs the plan and reports each step.
import { z } from 'zod';
import { ElicitResultSchema } from '@modelcontextprotocol/core';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { CallContext } from '../access/caller.js';
import type { ApprovalRequest, Approver, RunResult } from '../planner/index.js';
import { toolError } from '../catalog/catalog.js';
import { mayActFor, principalOf } from '../access/policy.js';
import { defineMetaTool, jsonResult } from './meta-tools.js';

/** Asks the calling client through MCP elicitation, when it supports it. */
export function elicitationApprover(call: CallContext): Approver | undefined {
  const caller = call.caller;
  if (!caller?.capabilities()?.elicitation) return undefined;
  return async (request: ApprovalRequest) => {
    const answer = await caller.sendRequest<{ action: string; content?: { approve?: boolean } }>(
      {
        method: 'elicitation/create',
        params: {
          message: approvalMessage(request),
          requestedSchema: { type: 'object', properties: { approve: { type: 'boolean', title: 'Run this step', description: request.reason } }, required: ['approve'] },
        },
      },
      ElicitResultSchema,
    );
    return answer.action === 'accept' && answer.content?.approve === true;
  };
}

function approvalMessage(r: ApprovalRequest): string {
  const times = r.iterations && r.iterations > 1 ? ` (${r.iterations} times)` : '';
  return `Step "${r.step}" wants to run ${r.tool}${times}: ${r.reason}.\nArguments: ${JSON.stringify(r.args).slice(0, 1500)}\nApprove?`;
}

/** The answer of orchestrate: the run's plan, steps and summary, and what to do next when it waits. */
export function runResult(result: RunResult): CallToolResult {
  const { record } = result;
  const lines = [result.summary];
  if (result.approval) lines.push('', result.approval.message, ...result.approval.steps.map((s) => `- ${s.step}: ${s.tool} (${s.reason})`), '', `To run them: orchestrate {"runId": "${result.runId}", "approve": true}`);
  if (result.issues?.length) lines.push('', 'The plan was rejected:', ...result.issues.map((i) => `- ${i.step ? `step ${i.step}: ` : ''}${i.message}`));
  const data = {
    runId: result.runId,
    status: result.status,
    summary: result.summary,
    plan: record.plan,
    planSource: record.planSource,
    steps: record.steps,
    usage: record.usage,
    ...(result.approval ? { approval: result.approval } : {}),
    ...(result.issues ? { issues: result.issues } : {}),
  };
  return { ...jsonResult(data, lines.join('\n')), isError: result.status === 'failed' };
}

export const orchestrate = defineMetaTool({
  name: 'orchestrate',
  needs: 'orchestrate',
  description: [
    'Carries out a task that spans several apps ("create a ClickUp task for each unpaid Xero invoice and post a summary to Telegram"):',
    'the hub finds the tools, plans explicit steps, checks the plan, runs it and reports each step.',
    'Steps that change or delete data need consent: you are asked, or the answer has status "needs-approval" and a runId;',
    'call orchestrate {runId, approve: true} to go on. Use dryRun to see the plan without running anything.',
  ].join(' '),
  input: z
    .object({
      task: z.string().min(1).optional().describe('What to do, in plain words'),
      dryRun: z.boolean().optional().describe('Plan and check only; run nothing'),
      context: z.record(z.string(), z.unknown()).optional().describe('Facts the plan may use (ids, names, dates), available to steps as `input`'),
      runId: z.string().optional().describe('A run waiting for approval'),
      approve: z.boolean().optional().describe('With runId: true runs the waiting steps, false cancels them'),
    })
    .refine((a) => a.task !== undefined || (a.runId !== undefined && a.approve !== undefined), 'give `task`, or `runId` with `approve`'),
  annotations: { destructiveHint: true, openWorldHint: true },
  async run(args, { hub, call }) {
    const progress = (p: { completed: number; total: number; message: string }) => call.onprogress?.({ progress: p.completed, total: p.total, message: p.message });
    const common = { signal: call.signal, caller: call.caller, onProgress: progress, approve: elicitationApprover(call) };
    if (args.runId !== undefined && args.approve !== undefined) {
      const waiting = hub.orchestrator.get(args.runId);
      // A token may only approve its own runs (any other reads as unknown).
      if (!waiting || !mayActFor(principalOf(call), waiting.principal)) return toolError(`No run "${args.runId}" is waiting for approval (it may have expired or the hub restarted). Start it again with orchestrate {task}.`);
      return runResult(await hub.orchestrator.resume(args.runId, args.approve, common));
    }
    const unavailable = hub.llmUnavailable(call);
    if (unavailable) return toolError(unavailable);
    return runResult(await hub.orchestrator.run(args.task!, { ...common, dryRun: args.dryRun, context: args.context }));
  },
});

export const planTask = defineMetaTool({
  name: 'plan_task',
  needs: 'orchestrate',
  description:
    'Plans a multi-app task without running it: returns the checked plan (steps, tools, arguments, how results flow between steps) and which steps would need consent. orchestrate runs a task.',
  input: z.object({ task: z.string().min(1).describe('What to do, in plain words') }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ task }, { hub, call }) {
    const unavailable = hub.llmUnavailable(call);
    if (unavailable) return toolError(unavailable);
    const planned = await hub.orchestrator.plan(task, { signal: call.signal, caller: call.caller });
    const text = [
      `Plan for: ${task}`,
      ...planned.plan.steps.map((s) => `- ${s.id}: ${'tool' in s ? `${s.tool}${s.forEach ? ` for each of ${s.forEach}` : ''}` : `model: ${s.prompt.slice(0, 80)}`}`),
      planned.destructive.length ? `Needs consent: ${planned.destructive.map((d) => `${d.step} (${d.tool})`).join(', ')}` : 'No step needs consent.',
    ].join('\n');
    return jsonResult({ plan: planned.plan, destructive: planned.destructive, candidates: planned.candidates, usage: planned.usage }, text);
  },
});
