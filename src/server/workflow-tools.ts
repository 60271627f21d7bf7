// Meta-tools for scheduled workflows. Creation shows the stored cron, its meaning in words and the
// next runs for the user to check, and asks consent for destructive steps then, not at 3 a.m.
import { z } from 'zod';
import { ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { WorkflowInputSchema, scheduleToCron, type WorkflowSummary } from '../workflows/index.js';
import type { CallContext } from '../access/principal.js';
import { toolError } from '../catalog/catalog.js';
import { defineMetaTool, jsonResult } from './meta-tools.js';

/**
 * Workflows run unattended with the hub's own access, so a scoped client (an HTTP token) may only
 * create or run one whose every tool is in its scope. Undefined when allowed.
 */
function outsideScope(call: CallContext, steps: ReadonlyArray<object> | undefined): string | undefined {
  const principal = call.caller?.principal;
  if (!principal || !steps) return undefined;
  const tools = [...new Set(steps.flatMap((s) => ('tool' in s && typeof s.tool === 'string' && !principal.allowsTool(s.tool) ? [s.tool] : [])))];
  return tools.length ? `The workflow uses tools outside the scope of token "${principal.name}": ${tools.join(', ')}.` : undefined;
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
    '(planned once now; the stored plan is shown and re-used on every run) or explicit steps in the plan format.',
    'Returns the id, the stored cron in words, the next 3 run times and the plan. Destructive steps need approval now: you are asked,',
    'or the workflow waits until resume_workflow {id, approveDestructive: true}.',
  ].join(' '),
  input: ScheduleWorkflowInputSchema,
  annotations: { destructiveHint: false, openWorldHint: true },
  async run(args, { hub, call }) {
    const { cron, timezone } = await scheduleToCron(args.schedule, hub.llm, { caller: call.caller, signal: call.signal });
    const input = { ...args, schedule: cron, timezone: args.timezone ?? timezone };
    const given = outsideScope(call, (args as { steps?: object[] }).steps);
    if (given) return toolError(given);
    let created = await hub.workflows.create(input);
    const planned = outsideScope(call, created.plan.steps);
    if (planned) {
      await hub.workflows.remove(created.workflow.id);
      return toolError(`${planned} It was not scheduled.`);
    }
    if (created.needsApproval.length && (await askConsent(call, created.workflow.name, created.needsApproval))) {
      await hub.workflows.resume(created.workflow.id, { approveDestructive: true });
      created = { ...created, needsApproval: [], workflow: hub.workflows.get(created.workflow.id) };
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
  description: 'Lists the scheduled workflows (from the config and created by clients): schedule in words, state, next runs, last run.',
  input: z.object({}),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(_args, { hub }) {
    const workflows = hub.workflows.list();
    return jsonResult({ workflows }, workflows.length ? workflows.map(line).join('\n') : 'No workflows. schedule_workflow creates one.');
  },
});

export const getWorkflow = defineMetaTool({
  name: 'get_workflow',
  needs: 'workflows',
  description: 'Shows one workflow in full: definition, stored plan, schedule, next runs and its recent runs with their steps.',
  input: id.extend({ runs: z.number().int().min(0).max(50).optional().describe('How many recent runs (default 10)') }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ id: workflowId, runs }, { hub }) {
    const details = hub.workflows.get(workflowId, { runs: runs ?? 10 });
    const recent = details.runs.map((r) => `  ${r.startedAt} ${r.trigger} ${r.status}${r.error ? `: ${r.error}` : ''}`);
    return jsonResult(details as unknown as Record<string, unknown>, [line(details), ...(recent.length ? ['Recent runs:', ...recent] : ['No runs yet.'])].join('\n'));
  },
});

export const runWorkflow = defineMetaTool({
  name: 'run_workflow',
  needs: 'workflows',
  description: 'Runs a workflow now (outside its schedule) and returns the run record.',
  input: id,
  annotations: { destructiveHint: true, openWorldHint: true },
  async run({ id: workflowId }, { hub, call }) {
    const outside = outsideScope(call, hub.workflows.get(workflowId).plan?.steps);
    if (outside) return toolError(outside);
    const run = await hub.workflows.runNow(workflowId, { wait: true });
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
  async run({ id: workflowId }, { hub }) {
    const w = await hub.workflows.pause(workflowId);
    return jsonResult({ workflow: w } as Record<string, unknown>, line(w));
  },
});

export const resumeWorkflow = defineMetaTool({
  name: 'resume_workflow',
  needs: 'workflows',
  description: 'Resumes a paused workflow; with approveDestructive: true also approves the destructive tools it waits for.',
  input: id.extend({ approveDestructive: z.boolean().optional() }),
  annotations: { idempotentHint: true, openWorldHint: false },
  async run({ id: workflowId, approveDestructive }, { hub }) {
    const w = await hub.workflows.resume(workflowId, { approveDestructive });
    return jsonResult({ workflow: w } as Record<string, unknown>, line(w));
  },
});

export const removeWorkflow = defineMetaTool({
  name: 'remove_workflow',
  needs: 'workflows',
  description: 'Removes a runtime workflow and its schedule (its run history goes too). Config workflows change in the file.',
  input: id,
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ id: workflowId }, { hub }) {
    await hub.workflows.remove(workflowId);
    return jsonResult({ removed: workflowId }, `Removed ${workflowId}.`);
  },
});

export const WORKFLOW_TOOLS = [scheduleWorkflow, listWorkflows, getWorkflow, runWorkflow, pauseWorkflow, resumeWorkflow, removeWorkflow];
