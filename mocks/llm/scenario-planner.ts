// A scripted stand-in for a real model, for the offline demo: it answers the planner (a forced
// `submit_plan` call) with a correct plan for the seed scenario, "Create a ClickUp task for following
// up on the unpaid invoices from Xero, and send a summary to our Telegram group", and its parts; and
// answers prompt steps (summaries) from the inputs given, and schedules in common words ("every Monday
// at 9") with cron, deterministically. It is not a model: every
// answer says "scripted-stand-in" as its model, and a task it does not know gets a plain refusal.
import type { AnswerReply, LlmMockRequest, Reply } from './types.js';

export const STAND_IN_MODEL = 'scripted-stand-in';

/** Invoices still owed by customers: approved (AUTHORISED) sales invoices with something due. */
export const UNPAID = 'steps.invoices.invoices[type = "ACCREC" and status = "AUTHORISED" and amountDue > 0][]';

const SUMMARY_PROMPT =
  'Write a short message for the team chat: how many invoices are unpaid and the total due, one line per invoice ' +
  '(number, customer, amount due, due date), and how many follow-up tasks were created.';

const answer = (a: AnswerReply): AnswerReply => ({ model: STAND_IN_MODEL, ...a });

export function scenarioResponder(request: LlmMockRequest): Reply {
  if (request.tools.some((t) => t.name === 'set_schedule')) return scheduleReply(request);
  const planning = request.tools.some((t) => t.name === 'submit_plan');
  return planning ? planReply(request) : stepReply(request);
}

// ---- schedules in words (schedule_workflow) ---------------------------------------------------

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Cron for the common phrasings ("every Monday at 9", "weekdays at 17:30", "every 10 seconds"); undefined otherwise. */
export function cronFor(words: string): string | undefined {
  const text = words.toLowerCase().trim();
  const every = /^every (\d+) (second|minute|hour)s?$/.exec(text);
  if (every) return { second: `*/${every[1]} * * * * *`, minute: `*/${every[1]} * * * *`, hour: `0 */${every[1]} * * *` }[every[2] as 'second' | 'minute' | 'hour'];
  const at = /^(?:every |on )?(day|daily|weekdays?|sunday|monday|tuesday|wednesday|thursday|friday|saturday)s?(?:,)? at (\d{1,2})(?::(\d{2}))?\s*(am|pm)?$/.exec(text);
  if (!at) return undefined;
  let hour = Number(at[2]);
  if (at[4] === 'pm' && hour < 12) hour += 12;
  if (at[4] === 'am' && hour === 12) hour = 0;
  const minute = Number(at[3] ?? 0);
  if (hour > 23 || minute > 59) return undefined;
  const day = at[1] === 'day' || at[1] === 'daily' ? '*' : at[1].startsWith('weekday') ? '1-5' : String(WEEKDAYS.indexOf(at[1]));
  return `${minute} ${hour} * * ${day}`;
}

function scheduleReply(request: LlmMockRequest): Reply {
  const words = request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const cron = cronFor(words);
  if (!cron) return answer({ text: `The scripted stand-in cannot read the schedule "${words}"; give it as cron, e.g. "0 9 * * 1".` });
  return answer({ toolCalls: [{ name: 'set_schedule', arguments: { cron } }] });
}

// ---- planning ---------------------------------------------------------------------------------

function planReply(request: LlmMockRequest): Reply {
  const first = request.messages.find((m) => m.role === 'user')?.content ?? '';
  const task = /^Task:\s*(.+)$/m.exec(first)?.[1] ?? first;
  const everything = [request.system ?? '', ...request.messages.map((m) => m.content)].join('\n');
  const plan = planFor(task, toolNames(everything));
  if (!plan) {
    return answer({
      text:
        `The scripted stand-in only knows the demo scenario (Xero invoices, a ClickUp task, a Telegram summary) and cannot plan "${task}". ` +
        'Give the demo a real model (demo --llm URL of an OpenAI-compatible API, or OPENAI_API_KEY), or configure one under llm: in orchestrator.config.yaml.',
    });
  }
  return answer({ toolCalls: [{ name: 'submit_plan', arguments: plan }] });
}

/** Namespaced tool names mentioned anywhere in the request (the planner lists candidates as "### name"). */
function toolNames(text: string): string[] {
  return [...new Set([...text.matchAll(/\b([A-Za-z0-9][A-Za-z0-9_-]*__[A-Za-z0-9_.-]+)/g)].map((m) => m[1]))];
}

/** The server prefix ("clickup__") of a candidate ending in one of these names. */
function prefixOf(names: string[], ...suffixes: string[]): string | undefined {
  const hit = names.find((n) => suffixes.some((s) => n.endsWith(`__${s}`)));
  return hit ? hit.slice(0, hit.lastIndexOf('__') + 2) : undefined;
}

export function planFor(task: string, names: string[]): { goal: string; steps: Array<Record<string, unknown>> } | undefined {
  const xero = /invoice/i.test(task) ? prefixOf(names, 'list-invoices') : undefined;
  const clickup = /clickup|\btask\b/i.test(task) ? prefixOf(names, 'create_task') : undefined;
  const telegram = /telegram|chat|group/i.test(task) ? prefixOf(names, 'send_message') : undefined;
  if (!xero) return undefined;

  const steps: Array<Record<string, unknown>> = [
    // Xero pages invoices 10 at a time; the demo organisation has 12.
    { id: 'invoices', tool: `${xero}list-invoices`, forEach: '[1, 2]', args: { page: { $expr: 'item' } }, description: 'List the invoices in Xero' },
  ];
  if (clickup) {
    steps.push(
      { id: 'workspaces', tool: `${clickup}get_workspaces`, args: {}, description: 'Find the ClickUp workspace' },
      { id: 'spaces', tool: `${clickup}get_spaces`, args: { team_id: { $expr: 'steps.workspaces.workspaces[0].id' } } },
      {
        id: 'lists',
        tool: `${clickup}get_lists`,
        // The finance space when there is one, else the first.
        args: { space_id: { $expr: '$append(steps.spaces.spaces[$contains($lowercase(name), "financ")], steps.spaces.spaces)[0].id' } },
      },
      {
        // One follow-up task per unpaid invoice, named by its number and amount.
        id: 'tasks',
        tool: `${clickup}create_task`,
        forEach: UNPAID,
        args: {
          list_id: { $expr: '$append(steps.lists.lists[$contains($lowercase(name), "follow")], steps.lists.lists)[0].id' },
          name: { $template: 'Follow up invoice {{item.invoiceNumber}} ({{item.contact.name}}): {{item.currencyCode}} {{$formatNumber(item.amountDue, "#,##0.00")}} due' },
          description: { $template: 'Invoice {{item.invoiceNumber}} to {{item.contact.name}} is unpaid: {{item.currencyCode}} {{$formatNumber(item.amountDue, "#,##0.00")}} was due on {{item.dueDate}}. Chase payment.' },
          priority: 'high',
        },
        description: 'Create a follow-up task in ClickUp for each unpaid invoice',
      },
    );
  }
  if (telegram) {
    steps.push(
      { id: 'summary', prompt: SUMMARY_PROMPT, inputs: { invoices: { $expr: UNPAID }, ...(clickup ? { tasks: { $expr: 'steps.tasks' } } : {}) } },
      { id: 'notify', tool: `${telegram}send_message`, args: { text: { $expr: 'steps.summary' } }, description: 'Post the summary to the Telegram group' },
    );
  } else if (!clickup) {
    steps.push({ id: 'summary', prompt: SUMMARY_PROMPT, inputs: { invoices: { $expr: UNPAID } } });
  }
  const parts = [clickup && 'create a ClickUp follow-up task for each', telegram && 'post a summary to Telegram'].filter(Boolean);
  return { goal: `Find the unpaid Xero invoices${parts.length ? ` and ${parts.join(' and ')}` : ' and summarise them'}`, steps };
}

// ---- prompt steps -----------------------------------------------------------------------------

interface InvoiceLike {
  invoiceNumber: string;
  amountDue: number;
  currencyCode?: string;
  dueDate?: string;
  contact?: { name?: string };
}

function stepReply(request: LlmMockRequest): Reply {
  const text = request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const inputs = parseInputs(text);
  const invoices = collect<InvoiceLike>(inputs, (v) => typeof v.invoiceNumber === 'string' && typeof v.amountDue === 'number');
  const tasks = collect<{ name: string; url: string }>(inputs, (v) => typeof v.url === 'string' && typeof v.name === 'string');
  const wantsJson = request.json || /Answer with one JSON value/.test(text);

  const total = invoices.reduce((sum, i) => sum + i.amountDue, 0);
  const currency = invoices[0]?.currencyCode ?? '';
  if (wantsJson) {
    return answer({ text: JSON.stringify({ count: invoices.length, totalDue: round(total), currency, invoices: invoices.map((i) => i.invoiceNumber), tasks: tasks.map((t) => t.url) }) });
  }
  if (invoices.length === 0 && tasks.length === 0) {
    const keys = inputs && typeof inputs === 'object' ? Object.keys(inputs) : [];
    return answer({ text: `Nothing to report (scripted stand-in; inputs: ${keys.join(', ') || 'none'}).` });
  }
  const lines = [
    invoices.length === 0 ? 'No unpaid invoices.' : `${invoices.length} unpaid invoice${invoices.length === 1 ? '' : 's'}, ${money(currency, total)} due in total:`,
    ...invoices.map((i) => `- ${[i.invoiceNumber, i.contact?.name].filter(Boolean).join(' ')}: ${money(i.currencyCode ?? currency, i.amountDue)}${i.dueDate ? ` due ${i.dueDate}` : ''}`),
    ...(tasks.length ? [`Follow-up task${tasks.length === 1 ? '' : 's'} in ClickUp: ${tasks.length === 1 ? `${tasks[0].name} ${tasks[0].url}` : `${tasks.length} created`}`] : []),
  ];
  return answer({ text: lines.join('\n') });
}

/** The JSON between <inputs> and </inputs> (the executor's framing), else the first JSON in the text. */
function parseInputs(text: string): unknown {
  const framed = /<inputs>\s*([\s\S]*?)\s*<\/inputs>/.exec(text)?.[1];
  for (const candidate of [framed, text]) {
    if (!candidate) continue;
    try {
      return JSON.parse(candidate);
    } catch {
      const start = candidate.search(/[[{]/);
      if (start >= 0) {
        try {
          return JSON.parse(candidate.slice(start));
        } catch {
          // not JSON
        }
      }
    }
  }
  return undefined;
}

/** Every object in the value (depth first, in order) that matches. */
function collect<T>(value: unknown, match: (v: Record<string, unknown>) => boolean): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (match(o)) {
      const key = JSON.stringify(o);
      if (!seen.has(key)) out.push(o as T), seen.add(key);
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(value);
  return out;
}

const round = (n: number) => Math.round(n * 100) / 100;

function money(currency: string, amount: number): string {
  return `${currency ? `${currency} ` : ''}${amount.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
