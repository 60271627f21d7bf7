// Schedules in words ("every Monday at 9", "weekdays at 17:30 London time") become cron through the
// LLM; a cron expression passes through untouched. Whatever comes back is validated, and the caller
// shows the stored cron, its meaning in words and the next runs, for the user to check.
import { cronProblems, isValidTimezone } from '../config/workflows.js';
import type { Llm, LlmCallContext } from '../llm/types.js';
import type { Usage } from '../planner/record.js';
import { describeSchedule } from './cron.js';
import { WorkflowError } from './errors.js';

export interface CronFromWords {
  cron: string;
  /** The timezone the words named ("London time"), if any. */
  timezone?: string;
  /** True when the LLM translated the schedule. */
  fromWords: boolean;
  usage?: Partial<Usage>;
}

/** Looks like an attempt at cron (5 or 6 fields, starting with a number or *): say what is wrong rather than guess. */
const CRONISH = /^[\d*?][^\s]*(\s+\S+){4,5}$/;

const SYSTEM = [
  'You turn a schedule described in words into a cron expression for node-cron.',
  'Use 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first only when the words ask for seconds.',
  'Never restrict both day-of-month and day-of-week: keep one of them "*".',
  'If the words name a place or timezone, give its IANA name as timezone; otherwise leave timezone out.',
  'Answer by calling set_schedule.',
].join(' ');

export async function scheduleToCron(schedule: string, llm: Llm | undefined, ctx: LlmCallContext & { signal?: AbortSignal } = {}): Promise<CronFromWords> {
  const text = schedule.trim();
  const problems = cronProblems(text);
  if (!problems.length) return { cron: text, fromWords: false };
  if (CRONISH.test(text)) throw new WorkflowError(`invalid cron "${text}": ${problems.join('; ')}`);
  const available = llm?.availability(ctx);
  if (!llm || !available?.ok) {
    throw new WorkflowError(`"${text}" is not a cron expression, and no LLM is available to read it${available && !available.ok ? ` (${available.reason})` : ''}; give cron, e.g. "0 9 * * 1" for every Monday at 09:00`);
  }
  const response = await llm.complete(
    {
      system: SYSTEM,
      messages: [{ role: 'user', content: text }],
      tools: [
        {
          name: 'set_schedule',
          description: 'The schedule as cron',
          inputSchema: { type: 'object', properties: { cron: { type: 'string' }, timezone: { type: 'string' } }, required: ['cron'] },
        },
      ],
      toolChoice: { name: 'set_schedule' },
      temperature: 0,
      maxTokens: 200,
      purpose: 'schedule',
      signal: ctx.signal,
    },
    ctx,
  );
  const args = response.toolCalls.find((c) => c.name === 'set_schedule')?.arguments ?? {};
  const cron = typeof args.cron === 'string' ? args.cron.trim() : '';
  const timezone = typeof args.timezone === 'string' && isValidTimezone(args.timezone) ? args.timezone : undefined;
  const usage = { llmCalls: 1, inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens, costUsd: response.costUsd };
  const wrong = cron ? cronProblems(cron) : ['no cron expression came back'];
  if (wrong.length) throw new WorkflowError(`could not turn "${text}" into cron (the model answered "${cron}": ${wrong.join('; ')}); give cron directly`);
  return { cron, timezone, fromWords: true, usage };
}

/** "0 9 * * 1 = At 09:00, only on Monday (Europe/London)": how a translated schedule is shown back. */
export function showSchedule(cron: string, timezone: string): string {
  return `${cron} = ${describeSchedule(cron, timezone)}`;
}
