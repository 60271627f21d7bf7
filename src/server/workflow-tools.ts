// Meta-tools for scheduled workflows. Creation shows the stored cron, its meaning in words and the
// next runs for the user to check, and asks consent for destructive steps then, not at 3 a.m.
// A workflow belongs to the principal that created it: every run acts as it (its current rights), and
// only it or an admin sees or changes the workflow (src/workflows/service.ts, src/access/policy.ts).
import { z } from 'zod';
import { ElicitResultSchema } from '@modelcontextprotocol/core';
import { WorkflowInputSchema, scheduleToCron, type WorkflowSummary } from '../workflows/index.js';
import type { Principal } from '../access/principal.js';
import type { CallContext } from '../access/caller.js';
import { defineMetaTool, jsonResult } from './meta-tools.js';

/** Who calls; the workflow tools need one (their `needs` already refuses a call without). */
function who(call: CallContext): Principal {
  const principal = call.caller?.principal;
  if (!principal) throw new Error('the call carries no principal');
  return principal;
}

const id = z.object({ id: z.string().min(1).describe('Workflow id, from list_workflows') });

// The stored definition holds cron only; here a schedule may also be words, turned into cron (and
// checked) in run() before the definition is, so the input schema must not reject them first.
const ScheduleWorkflowInputSchema = WorkflowInputSchema.safeExtend({
  schedule: z.string().min(1).describe('Cron ("0 9 * * 1"; 6 fields with seconds first) or words ("every Monday at 9")'),
});

function line(w: WorkflowSummary): string {
  const next = w.nextRuns[0] ? `, next ${w.nextRuns[0]}` : '';
  const waiting = w.needsApproval.length ? `, waiting for approval of ${w.needsApproval.join(', ')}` : '';
  return `${w.id} (${w.source}): ${w.name}: ${w.scheduleText}, ${w.state}${next}${waiting}`;
}

async function askConsent(call: CallContext, name: string, tools: string[]): Promise<boolean> {
  const caller = call.caller;
  if (!tools.length || !caller?.capabilities()?.elicitation) return false;
  const answer = await caller.sendRequest<{ action: string; content?: { approve?: boolean } }>(
    {
      method: 'elicitation/create',
      params: {
        message: `Workflow "${name}" will run these tools on its schedule, unattended: ${tools.join(', ')}. Approve them now?`,
        requestedSchema: { type: 'object', properties: { approve: { type: 'boolean', title: 'Approve' } }, required: ['approve'] },
      },
    },
    ElicitResultSchema,
  );
  return answer.action === 'accept' && answer.content?.approve === true;
}

export const scheduleWorkflow = defineMetaTool({
  name: 'schedule_workflow',
  needs: 'workflows',
  description: [
    'Creates a recurring workflow: a schedule (cron such as "0 9 * * 1", or words such as "every Monday at 9") and either a task in plain words',
    '(planned once now; the stored plan is shown and re-used on every run) or explicit steps in the plan format: to schedule exactly a plan you ran with run_plan, pass its steps as `steps` and its context as `input`.',
    'Returns the id, the stored cron in words, the next 3 run times and the plan. Destructive steps need approval now: you are asked,',
    'or the workflow waits until resume_workflow {id, approveDestructive: true}. Every tool it uses (steps, onSuccess, onFailure) must be in your scope; its runs act as you.',
  ].join(' '),
  input: ScheduleWorkflowInputSchema,
  annotations: { destructiveHint: false, openWorldHint: true },
  async run(args, { hub, call }) {
    const { cron, timezone } = await scheduleToCron(args.schedule, hub.llm, { caller: call.caller, signal: call.signal });
    const input = { ...args, schedule: cron, timezone: args.timezone ?? timezone };
    const as = who(call);
    let created = await hub.workflows.create(input, { owner: as.ref() });
    if (created.needsApproval.length && (await askConsent(call, created.workflow.name, created.needsApproval))) {
      await hub.workflows.resume(created.workflow.id, { approveDestructive: true, as });
      created = { ...created, needsApproval: [], workflow: hub.workflows.get(created.workflow.id, { as }) };
    }
    const text = [
      `Scheduled ${created.workflow.id}: ${created.scheduleText} (cron "${cron}")`,
      `Next runs: ${created.nextRuns.join(', ')}`,
      `Plan: ${created.plan.steps.map((s) => ('tool' in s ? s.tool : `model step ${s.id}`)).join(' -> ')}`,
      created.needsApproval.length ? `Waiting for approval of ${created.needsApproval.join(', ')}: resume_workflow {"id": "${created.workflow.id}", "approveDestructive": true}` : 'Active.',
    ].join('\n');
    return jsonResult(
      { id: created.workflow.id, cron, scheduleText: created.scheduleText, nextRuns: created.nextRuns, plan: created.plan, destructive: created.destructive, needsApproval: created.needsApproval, planningUsage: created.planningUsage },
      text,
    );
  },
});

export const listWorkflows = defineMetaTool({
  name: 'list_workflows',
  needs: 'workflows',
  description: 'Lists the scheduled workflows you own (an admin: all, the config\'s too): schedule in words, state, next runs, last run.',
  input: z.object({}),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(_args, { hub, call }) {
    const workflows = hub.workflows.list({ as: who(call) });
    return jsonResult({ workflows }, workflows.length ? workflows.map(line).join('\n') : 'No workflows. schedule_workflow creates one.');
  },
});

export const getWorkflow = defineMetaTool({
  name: 'get_workflow',
  needs: 'workflows',
  description: 'Shows one workflow in full: definition, stored plan, schedule, next runs and its recent runs with their steps.',
  input: id.extend({ runs: z.number().int().min(0).max(50).optional().describe('How many recent runs (default 10)') }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ id: workflowId, runs }, { hub, call }) {
    const details = hub.workflows.get(workflowId, { runs: runs ?? 10, as: who(call) });
    const recent = details.runs.map((r) => `  ${r.startedAt} ${r.trigger} ${r.status}${r.error ? `: ${r.error}` : ''}`);
    return jsonResult(details as unknown as Record<string, unknown>, [line(details), ...(recent.length ? ['Recent runs:', ...recent] : ['No runs yet.'])].join('\n'));
  },
});

export const runWorkflow = defineMetaTool({
  name: 'run_workflow',
  needs: 'workflows',
  description: "Runs a workflow now (outside its schedule) and returns the run record. It acts as the workflow's owner, within the owner's current scope.",
  input: id,
  annotations: { destructiveHint: true, openWorldHint: true },
  async run({ id: workflowId }, { hub, call }) {
    // Each call of the run is checked against the owner's scope as it happens (the hub's runner).
    const run = await hub.workflows.runNow(workflowId, { wait: true, as: who(call) });
    const result = jsonResult({ run } as Record<string, unknown>, `Run of ${workflowId}: ${run.status}${run.summary ? `\n${run.summary}` : ''}${run.error ? `\n${run.error}` : ''}`);
    return { ...result, isError: run.status === 'failed' };
  },
});

export const pauseWorkflow = defineMetaTool({
  name: 'pause_workflow',
  needs: 'workflows',
  description: 'Pauses a runtime workflow: it stays stored but does not run until resume_workflow. Config workflows change in the file.',
  input: id,
  annotations: { idempotentHint: true, openWorldHint: false },
  async run({ id: workflowId }, { hub, call }) {
    const w = await hub.workflows.pause(workflowId, { as: who(call) });
    return jsonResult({ workflow: w } as Record<string, unknown>, line(w));
  },
});

export const resumeWorkflow = defineMetaTool({
  name: 'resume_workflow',
  needs: 'workflows',
  description: 'Resumes a paused workflow; with approveDestructive: true (your consent, as its owner or an admin) also approves the destructive tools it waits for.',
  input: id.extend({ approveDestructive: z.boolean().optional() }),
  annotations: { idempotentHint: true, openWorldHint: false },
  async run({ id: workflowId, approveDestructive }, { hub, call }) {
    const w = await hub.workflows.resume(workflowId, { approveDestructive, as: who(call) });
    return jsonResult({ workflow: w } as Record<string, unknown>, line(w));
  },
});

export const removeWorkflow = defineMetaTool({
  name: 'remove_workflow',
  needs: 'workflows',
  description: 'Removes a runtime workflow and its schedule (its run history goes too). Config workflows change in the file.',
  input: id,
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ id: workflowId }, { hub, call }) {
    await hub.workflows.remove(workflowId, { as: who(call) });
    return jsonResult({ removed: workflowId }, `Removed ${workflowId}.`);
  },
});

export const WORKFLOW_TOOLS = [scheduleWorkflow, listWorkflows, getWorkflow, runWorkflow, pauseWorkflow, resumeWorkflow, removeWorkflow];
