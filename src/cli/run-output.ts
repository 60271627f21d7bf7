// How the CLI shows a run: the plan, each step as it finishes, and the summary.
import type { RunResult, StepProgress } from '../planner/index.js';
import type { Plan } from '../planner/plan.js';

export function describePlan(plan: Plan): string {
  return plan.steps
    .map((s, i) => {
      const what = 'tool' in s ? `${s.tool}${s.forEach ? ` (for each of ${s.forEach})` : ''}` : `model: ${s.prompt.split('\n')[0].slice(0, 70)}`;
      const after = s.dependsOn?.length ? ` after ${s.dependsOn.join(', ')}` : '';
      return `  ${i + 1}. ${s.id}: ${what}${after}`;
    })
    .join('\n');
}

export function progressLine(p: StepProgress): string {
  return `  [${p.completed}/${p.total}] ${p.message}`;
}

export function describeRun(result: RunResult): string {
  const { record } = result;
  const lines = [`Run ${result.runId}: ${result.status} (plan from ${record.planSource ?? 'n/a'}, ${record.usage.llmCalls} LLM calls, ${record.usage.inputTokens} prompt tokens)`];
  if (record.plan) lines.push('Plan:', describePlan(record.plan));
  lines.push('Steps:', ...record.steps.map((s) => `  ${s.id}: ${s.status}${s.iterations ? ` x${s.iterations}` : ''}${s.ms !== undefined ? ` in ${s.ms} ms` : ''}${s.error ? ` - ${s.error}` : ''}`));
  lines.push('', result.summary);
  if (result.issues?.length) lines.push('', 'Problems:', ...result.issues.map((i) => `  ${i.step ? `${i.step}: ` : ''}${i.message}`));
  if (result.approval) lines.push('', result.approval.message);
  return lines.join('\n');
}
