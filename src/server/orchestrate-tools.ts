// Meta-tools for cross-app tasks: plan_task shows the plan a request would run; orchestrate plans,
// asks consent for destructive steps (MCP elicitation when the client can answer it, else an approve
// path through orchestrate {runId, approve}), runs the plan and reports each step; run_plan runs a plan
// the calling agent wrote. Without a model, plan_task and orchestrate answer with a planning kit.
// Each takes a conversationId (one is made when absent), so a follow-up sees the earlier requests.
import { z } from 'zod';
import { ElicitResultSchema } from '@modelcontextprotocol/core';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { CallContext } from '../access/caller.js';
import type { ApprovalRequest, Approver, PlanInput, PlanningKit, RunResult } from '../planner/index.js';
import { ConversationError } from '../planner/index.js';
import { toolError } from '../catalog/catalog.js';
import { principalOf } from '../access/policy.js';
import type { HubServices } from './services.js';
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
export function runResult(result: RunResult, conversationId?: string): CallToolResult {
  const { record } = result;
  const lines = [result.summary];
  if (result.approval) lines.push('', result.approval.message, ...result.approval.steps.map((s) => `- ${s.step}: ${s.tool} (${s.reason})`), '', `To run them: orchestrate {"runId": "${result.runId}", "approve": true}`);
  if (result.issues?.length) lines.push('', 'The plan was rejected:', ...result.issues.map((i) => `- ${i.step ? `step ${i.step}: ` : ''}${i.message}`));
  const data = {
    runId: result.runId,
    ...(conversationId ? { conversationId } : {}),
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

/** The caller's conversation (a new one when `id` is absent), or the error to answer with. */
function conversation(hub: HubServices, call: CallContext, id: string | undefined): { id: string } | { error: CallToolResult } {
  try {
    return { id: hub.orchestrator.conversations.open(id, principalOf(call)) };
  } catch (err) {
    if (err instanceof ConversationError) return { error: toolError(err.message) };
    throw err;
  }
}

/** A planning kit as a tool answer: all of it as structured content, and a text an agent can read and act on. */
function kitResult(kit: PlanningKit): CallToolResult {
  const tools = kit.tools.map((t) =>
    [
      `### ${t.name}${t.consent ? ` (needs consent: ${t.consent})` : ''}${t.supplier ? ' (looks up ids the tools above need)' : ''}`,
      (t.description ?? '').replace(/\s+/g, ' ').slice(0, 500),
      `input schema: ${JSON.stringify(t.inputSchema)}`,
      `returns: ${t.outputSchema ? `structured, output schema ${JSON.stringify(t.outputSchema)}` : 'text'}`,
    ].join('\n'),
  );
  const lines = [
    `The hub has no language model to plan with (${kit.reason}). Write the plan yourself with the tools below and run it with run_plan.`,
    '',
    'Parts of the task and the tools found for each:',
    ...kit.parts.map((p) => `- "${p.part}": ${p.tools.join(', ') || 'no tool found'}`),
    ...(kit.unmatched.length ? ['', `No tool matched: ${kit.unmatched.map((u) => `"${u}"`).join(', ')}. search_tools may find one with other words.`] : []),
    '',
    ...tools.flatMap((t) => [t, '']),
    kit.format,
    '',
    kit.example,
    ...(kit.similarRuns.length ? ['', 'Plans of similar earlier runs:', ...kit.similarRuns.map((e) => `- "${e.task}" (${e.outcome}): ${JSON.stringify(e.plan)}`)] : []),
    ...(kit.conversation ? ['', kit.conversation] : []),
    '',
    kit.next,
  ];
  return jsonResult({ status: 'needs-plan', ...kit }, lines.join('\n'));
}

/** Approves or declines a waiting run (Hub.approveRun decides who may and as whom it goes on). */
async function approveRun(hub: HubServices, call: CallContext, runId: string, approve: boolean, progress: Progress): Promise<CallToolResult> {
  const result = await hub.approveRun(runId, approve, call, { onProgress: progress, approve: elicitationApprover(call) });
  return 'refused' in result ? toolError(result.refused) : runResult(result);
}

type Progress = (p: { completed: number; total: number; message: string }) => void;

function progressOf(call: CallContext): Progress {
  return (p) => call.onprogress?.({ progress: p.completed, total: p.total, message: p.message });
}

/** Runs a task (the hub plans) or a given plan for the caller, in its conversation, asking consent through the client where it can. */
async function runFor(hub: HubServices, call: CallContext, taskOrPlan: string | PlanInput, args: { dryRun?: boolean; context?: Record<string, unknown> }, conversationId: string): Promise<CallToolResult> {
  const result = await hub.orchestrator.run(taskOrPlan, {
    signal: call.signal,
    caller: call.caller,
    onProgress: progressOf(call),
    approve: elicitationApprover(call),
    dryRun: args.dryRun,
    context: args.context,
    conversationId,
  });
  return runResult(result, conversationId);
}

const conversationIdField = z.string().min(1).max(100).optional().describe('Continue a conversation: earlier requests in it (tasks, plans, results) are taken into account. Leave out to start one; the answer gives its id.');

export const orchestrate = defineMetaTool({
  name: 'orchestrate',
  needs: 'orchestrate',
  description: [
    'Carries out a task that spans several apps ("create a ClickUp task for each unpaid Xero invoice and post a summary to Telegram"):',
    'the hub finds the tools, plans explicit steps with its own model, checks the plan, runs it and reports each step.',
    'When the hub has no model it answers with a planning kit instead (status "needs-plan": the tools for each part of the task, the plan format, similar runs): then write the plan yourself and call run_plan.',
    'Steps that change or delete data need consent: you are asked, or the answer has status "needs-approval" and a runId;',
    'a person approves with orchestrate {runId, approve: true}. Use dryRun to see the plan without running anything.',
  ].join(' '),
  input: z
    .object({
      task: z.string().min(1).optional().describe('What to do, in plain words'),
      dryRun: z.boolean().optional().describe('Plan and check only; run nothing'),
      context: z.record(z.string(), z.unknown()).optional().describe('Facts the plan may use (ids, names, dates), available to steps as `input`'),
      conversationId: conversationIdField,
      runId: z.string().optional().describe('A run waiting for approval'),
      approve: z.boolean().optional().describe('With runId: true runs the waiting steps, false cancels them'),
    })
    .refine((a) => a.task !== undefined || (a.runId !== undefined && a.approve !== undefined), 'give `task`, or `runId` with `approve`'),
  annotations: { destructiveHint: true, openWorldHint: true },
  async run(args, { hub, call }) {
    if (args.runId !== undefined && args.approve !== undefined) return approveRun(hub, call, args.runId, args.approve, progressOf(call));
    const conv = conversation(hub, call, args.conversationId);
    if ('error' in conv) return conv.error;
    const unavailable = hub.llmUnavailable(call);
    if (unavailable) return kitResult(await hub.orchestrator.kit(args.task!, unavailable, { caller: call.caller, conversationId: conv.id }));
    return runFor(hub, call, args.task!, args, conv.id);
  },
});

export const runPlan = defineMetaTool({
  name: 'run_plan',
  needs: 'orchestrate',
  description: [
    'Runs a plan you wrote: {"goal"?, "steps": [{"id", "tool", "args", "dependsOn"?, "forEach"?}, ...]}, argument values literal or',
    '{"$expr": "steps.<id>.<field>"} / {"$template": "text {{input.x}}"} over earlier results and `context` (as `input`).',
    'The whole plan is checked first (tools exist and are yours to use, arguments fit each input schema, references resolve, no cycles) and every problem',
    'is reported at once by step and field: fix and call again. Then it runs like orchestrate: consent for destructive steps, parallel steps, a run record.',
    'Use it when you can plan yourself or the hub has no model (plan_task gives the tools and the format); use orchestrate to let the hub plan.',
  ].join(' '),
  input: z.object({
    plan: z.record(z.string(), z.unknown()).describe('The plan: {"goal"?, "steps": [...]}'),
    dryRun: z.boolean().optional().describe('Check only; run nothing'),
    context: z.record(z.string(), z.unknown()).optional().describe('Values the plan reads as `input` (data you read yourself, ids, names)'),
    conversationId: conversationIdField,
  }),
  annotations: { destructiveHint: true, openWorldHint: true },
  async run(args, { hub, call }) {
    const conv = conversation(hub, call, args.conversationId);
    if ('error' in conv) return conv.error;
    return runFor(hub, call, args.plan as PlanInput, args, conv.id);
  },
});

export const planTask = defineMetaTool({
  name: 'plan_task',
  needs: 'orchestrate',
  description:
    'Plans a multi-app task without running it: returns the checked plan (steps, tools, arguments, how results flow between steps) and which steps would need consent. With no model in the hub it returns a planning kit (the tools for each part of the task with their schemas, the plan format, similar earlier runs) for you to write the plan and call run_plan. orchestrate runs a task.',
  input: z.object({ task: z.string().min(1).describe('What to do, in plain words'), conversationId: conversationIdField }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ task, conversationId }, { hub, call }) {
    const conv = conversation(hub, call, conversationId);
    if ('error' in conv) return conv.error;
    const unavailable = hub.llmUnavailable(call);
    if (unavailable) return kitResult(await hub.orchestrator.kit(task, unavailable, { caller: call.caller, conversationId: conv.id }));
    const planned = await hub.orchestrator.plan(task, { signal: call.signal, caller: call.caller, conversationId: conv.id });
    hub.orchestrator.notePlanned(conv.id, task, planned.plan);
    const text = [
      `Plan for: ${task}`,
      ...planned.plan.steps.map((s) => `- ${s.id}: ${'tool' in s ? `${s.tool}${s.forEach ? ` for each of ${s.forEach}` : ''}` : `model: ${s.prompt.slice(0, 80)}`}`),
      planned.destructive.length ? `Needs consent: ${planned.destructive.map((d) => `${d.step} (${d.tool})`).join(', ')}` : 'No step needs consent.',
      `Run it with run_plan {"plan": <this plan>, "conversationId": "${conv.id}"}, or orchestrate the task.`,
    ].join('\n');
    return jsonResult({ plan: planned.plan, destructive: planned.destructive, candidates: planned.candidates, usage: planned.usage, conversationId: conv.id }, text);
  },
});

export const listConversations = defineMetaTool({
  name: 'list_conversations',
  needs: 'orchestrate',
  description: 'Lists your conversations (orchestrate, run_plan and plan_task requests that share a conversationId), most recent first.',
  input: z.object({ limit: z.number().int().min(1).max(200).optional() }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ limit }, { hub, call }) {
    const list = hub.orchestrator.conversations.list(principalOf(call), limit);
    const text = list.length ? list.map((c) => `${c.id}: "${c.title}", ${c.turns} request${c.turns === 1 ? '' : 's'}, last ${c.updated}`).join('\n') : 'No conversations.';
    return jsonResult({ conversations: list }, text);
  },
});

export const getConversation = defineMetaTool({
  name: 'get_conversation',
  needs: 'orchestrate',
  description: 'Shows one of your conversations: each request with its task, plan, step results and outcome.',
  input: z.object({ id: z.string().min(1) }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ id }, { hub, call }) {
    const turns = hub.orchestrator.conversations.turns(id, principalOf(call));
    if (!turns) return toolError(`No conversation "${id}" (list_conversations shows yours).`);
    return jsonResult({ id, turns }, hub.orchestrator.conversations.render(turns) || 'No requests yet.');
  },
});

export const removeConversation = defineMetaTool({
  name: 'remove_conversation',
  needs: 'orchestrate',
  description: 'Forgets one of your conversations (its runs stay in the run history and memory).',
  input: z.object({ id: z.string().min(1) }),
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ id }, { hub, call }) {
    if (!hub.orchestrator.conversations.remove(id, principalOf(call))) return toolError(`No conversation "${id}" (list_conversations shows yours).`);
    return jsonResult({ removed: id }, `Removed conversation ${id}.`);
  },
});

export const ORCHESTRATE_TOOLS = [orchestrate, runPlan, planTask, listConversations, getConversation, removeConversation];
