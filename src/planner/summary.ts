// The run summary, built from the step records alone (no LLM call), so it is the same on every
// re-run and costs no tokens.
import type { RunRecord, StepRecord } from './record.js';

export function summarize(record: RunRecord): string {
  const steps = record.steps;
  const ok = steps.filter((s) => s.status === 'succeeded').length;
  const head = `${headline(record)}: ${ok} of ${steps.length} step${steps.length === 1 ? '' : 's'} succeeded${
    record.ms !== undefined ? ` in ${formatMs(record.ms)}` : ''
  }${record.replanned ? ' (replanned once after a failure)' : ''}.`;
  const lines = steps.map((s) => `- ${stepLine(s)}`);
  if (record.error && !steps.some((s) => s.error === record.error)) lines.push(`Error: ${record.error}`);
  return [head, ...lines].join('\n');
}

function headline(record: RunRecord): string {
  switch (record.status) {
    case 'succeeded':
      return 'Done';
    case 'needs-approval':
      return 'Waiting for approval';
    case 'planned':
      return 'Planned (not run)';
    case 'cancelled':
      return 'Cancelled';
    case 'failed':
      return 'Failed';
    default:
      return 'Running';
  }
}

function stepLine(s: StepRecord): string {
  const what = s.tool ?? 'LLM step';
  const count = s.iterations !== undefined ? ` x${s.iterations}` : '';
  const base = `${s.id} (${what}${count}): ${s.status}`;
  if (s.error) return `${base}: ${oneLine(s.error, 200)}`;
  if (s.status === 'succeeded') {
    const shape = describeShape(s.result);
    return shape ? `${base}, ${shape}` : base;
  }
  return base;
}

/** A few words on what a result holds: "3 items", "id 86c1...", or a short text. */
function describeShape(result: unknown): string {
  if (result === undefined || result === null) return '';
  if (Array.isArray(result)) return `${result.length} item${result.length === 1 ? '' : 's'}`;
  if (typeof result === 'string') return `"${oneLine(result, 80)}"`;
  if (typeof result === 'object') {
    const o = result as Record<string, unknown>;
    const list = Object.entries(o).find(([, v]) => Array.isArray(v));
    if (list) return `${list[0]}: ${(list[1] as unknown[]).length} item${(list[1] as unknown[]).length === 1 ? '' : 's'}`;
    const key = ['id', 'url', 'name', 'message_id', 'status'].find((k) => typeof o[k] === 'string' || typeof o[k] === 'number');
    if (key) return `${key} ${oneLine(String(o[key]), 60)}`;
  }
  return '';
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
