// Similar past runs as a block of the planner's prompt: requests with the plans that worked, and the
// failures with what went wrong, best match first, within a character budget.
import type { SimilarRun } from './index.js';

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export function formatExamples(runs: SimilarRun[], maxChars = 6000): string {
  if (!runs.length) return '';
  const parts: string[] = ['Earlier runs of similar requests (follow a plan that worked where it fits; avoid what failed):'];
  let used = parts[0].length;
  runs.forEach(({ record, similarity }, i) => {
    const lines = [`${i + 1}. Request: ${JSON.stringify(record.task)} (similarity ${similarity.toFixed(2)}, ${record.status})`];
    if (record.plan) lines.push(`   Plan: ${JSON.stringify(record.plan)}`);
    if (record.status === 'failed') {
      const failedStep = record.steps.find((s) => s.status === 'failed');
      const error = record.error ?? failedStep?.error;
      if (error) lines.push(`   What went wrong${failedStep?.tool ? ` (step ${failedStep.id}, ${failedStep.tool})` : ''}: ${clip(error, 400)}`);
    } else if (record.summary) {
      lines.push(`   Outcome: ${clip(record.summary, 300)}`);
    }
    const block = lines.join('\n');
    if (used + block.length + 1 > maxChars) return;
    parts.push(block);
    used += block.length + 1;
  });
  return parts.length > 1 ? parts.join('\n') : '';
}
