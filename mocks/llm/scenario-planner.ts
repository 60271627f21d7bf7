// A scripted stand-in for a real model, for the offline demo: it answers the planner (a forced
// `submit_plan` call) with a correct plan for the seed scenario, "Create a ClickUp task for following
// up on the unpaid invoices from Xero, and send a summary to our Telegram group", and its parts; and
// answers prompt steps: summaries from the inputs given, and extraction steps (an outputSchema) by
// reading "Label: value" lines out of text answers, as the official Xero server gives them; and
// schedules in common words ("every Monday at 9") with cron, deterministically. It plans only with the
// tools the planner offered it, as a model must: when one it needs is missing it says which and stops.
// It is not a model: every answer says "scripted-stand-in" as its model, and a task it does not know
// gets a plain refusal.
import type { AnswerReply, LlmMockRequest, Reply } from './types.js';

export const STAND_IN_MODEL = 'scripted-stand-in';

/** Invoices still owed by customers: approved (AUTHORISED) sales invoices with something due, from the extraction step. */
export const UNPAID = 'steps.found.invoices[type = "ACCREC" and status = "AUTHORISED" and amountDue > 0][]';

/** What the plan reads out of list-invoices' text: one object per invoice. */
export const INVOICE_FIELDS = {
  type: 'object',
  properties: {
    invoices: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          invoiceNumber: { type: 'string' },
          type: { type: 'string', description: 'ACCREC (sales) or ACCPAY (bill)' },
          status: { type: 'string' },
          contact: { type: 'string', description: 'the contact name' },
          amountDue: { type: 'number' },
          currencyCode: { type: 'string' },
          dueDate: { type: 'string', format: 'date' },
        },
        required: ['invoiceNumber', 'type', 'status'],
      },
    },
  },
  required: ['invoices'],
};

const EXTRACT_PROMPT = 'List every invoice in these Xero results with its number, type, status, contact name, amount due (0 when none is shown), currency and due date.';

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
  const offered = offeredTools(request.messages.map((m) => m.content).join('\n'));
  const plan = planFor(task, offered);
  if (!plan) {
    return answer({
      text:
        `The scripted stand-in only knows the demo scenario (Xero invoices, a ClickUp task, a Telegram summary) and cannot plan "${task}". ` +
        'Give the demo a real model (demo --llm URL of an OpenAI-compatible API, or OPENAI_API_KEY), or configure one under llm: in orchestrator.config.yaml.',
    });
  }
  if ('missing' in plan) {
    return answer({ text: `The scripted stand-in needs ${plan.missing.join(', ')} for this task, and the planner did not offer ${plan.missing.length === 1 ? 'it' : 'them'}; it plans only with offered tools.` });
  }
  return answer({ toolCalls: [{ name: 'submit_plan', arguments: plan }] });
}

/** The tools the planner offered: its blocks ("### name") and its id-supplier lines ("- name(args)"), not names in examples. */
export function offeredTools(text: string): string[] {
  const names = [...text.matchAll(/^(?:### |- )([A-Za-z0-9][A-Za-z0-9_-]*__[A-Za-z0-9_.-]+)(?: |\(|$)/gm)].map((m) => m[1]);
  return [...new Set(names)];
}

/** The offered tool ending in `__<suffix>`, by app: the server prefix is whatever the hub named the app. */
function offeredEnding(names: string[], suffix: string): string | undefined {
  return names.find((n) => n.endsWith(`__${suffix}`));
}

type ScriptedPlan = { goal: string; steps: Array<Record<string, unknown>> };

export function planFor(task: string, names: string[]): ScriptedPlan | { missing: string[] } | undefined {
  if (!/invoice|bill/i.test(task)) return undefined;
  const wantsTask = /clickup|\btask\b|to-?do/i.test(task);
  const wantsChat = /telegram|chat|group/i.test(task);
  const missing: string[] = [];
  const tool = (suffix: string): string => offeredEnding(names, suffix) ?? (missing.push(`a "${suffix}" tool`), suffix);

  const steps: Array<Record<string, unknown>> = [
    // Xero pages invoices 10 at a time; the demo organisation has 12.
    { id: 'invoices', tool: tool('list-invoices'), forEach: '[1, 2]', args: { page: { $expr: 'item' } }, description: 'List the invoices in Xero' },
    // The official server answers in text: the fields a plan needs are read out of it.
    { id: 'found', prompt: EXTRACT_PROMPT, inputs: { pages: { $expr: 'steps.invoices' } }, outputSchema: INVOICE_FIELDS, description: 'Read the invoices out of the text' },
  ];
  if (wantsTask) {
    steps.push(
      { id: 'workspaces', tool: tool('get_workspaces'), args: {}, description: 'Find the ClickUp workspace' },
      { id: 'spaces', tool: tool('get_spaces'), args: { team_id: { $expr: 'steps.workspaces.workspaces[0].id' } } },
      {
        id: 'lists',
        tool: tool('get_lists'),
        // The finance space when there is one, else the first.
        args: { space_id: { $expr: '$append(steps.spaces.spaces[$contains($lowercase(name), "financ")], steps.spaces.spaces)[0].id' } },
      },
      {
        // One follow-up task per unpaid invoice, named by its number and amount.
        id: 'tasks',
        tool: tool('create_task'),
        forEach: UNPAID,
        args: {
          list_id: { $expr: '$append(steps.lists.lists[$contains($lowercase(name), "follow")], steps.lists.lists)[0].id' },
          name: { $template: 'Follow up invoice {{item.invoiceNumber}} ({{item.contact}}): {{item.currencyCode}} {{$formatNumber(item.amountDue, "#,##0.00")}} due' },
          description: { $template: 'Invoice {{item.invoiceNumber}} to {{item.contact}} is unpaid: {{item.currencyCode}} {{$formatNumber(item.amountDue, "#,##0.00")}} was due on {{item.dueDate}}. Chase payment.' },
          priority: 'high',
        },
        description: 'Create a follow-up task in ClickUp for each unpaid invoice',
      },
    );
  }
  if (wantsChat) {
    steps.push(
      { id: 'summary', prompt: SUMMARY_PROMPT, inputs: { invoices: { $expr: UNPAID }, ...(wantsTask ? { tasks: { $expr: 'steps.tasks' } } : {}) } },
      { id: 'notify', tool: tool('send_message'), args: { text: { $expr: 'steps.summary' } }, description: 'Post the summary to the Telegram group' },
    );
  } else if (!wantsTask) {
    steps.push({ id: 'summary', prompt: SUMMARY_PROMPT, inputs: { invoices: { $expr: UNPAID } } });
  }
  if (missing.length) return { missing };
  const parts = [wantsTask && 'create a ClickUp follow-up task for each', wantsChat && 'post a summary to Telegram'].filter(Boolean);
  return { goal: `Find the unpaid Xero invoices${parts.length ? ` and ${parts.join(' and ')}` : ' and summarise them'}`, steps };
}

// ---- prompt steps -----------------------------------------------------------------------------

interface InvoiceLike {
  invoiceNumber: string;
  amountDue: number;
  currencyCode?: string;
  dueDate?: string;
  contact?: string | { name?: string };
}

const contactName = (i: InvoiceLike) => (typeof i.contact === 'string' ? i.contact : i.contact?.name);

function stepReply(request: LlmMockRequest): Reply {
  // The step's own message (a retry adds the model's answer and a correction after it).
  const text = request.messages.find((m) => m.role === 'user')?.content ?? '';
  const inputs = parseInputs(text);
  const schema = /The JSON must fit this JSON Schema:\n(.+)$/m.exec(text)?.[1];
  if (schema) return answer({ text: JSON.stringify(extract(JSON.parse(schema) as FieldSchema, inputs)) });
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
    ...invoices.map((i) => `- ${[i.invoiceNumber, contactName(i)].filter(Boolean).join(' ')}: ${money(i.currencyCode ?? currency, i.amountDue)}${i.dueDate ? ` due ${i.dueDate}` : ''}`),
    ...(tasks.length ? [`Follow-up task${tasks.length === 1 ? '' : 's'} in ClickUp: ${tasks.length === 1 ? `${tasks[0].name} ${tasks[0].url}` : `${tasks.length} created`}`] : []),
  ];
  return answer({ text: lines.join('\n') });
}

// ---- extraction: "Label: value" lines of text answers into the fields a schema asks for -------

interface FieldSchema {
  type?: string;
  format?: string;
  properties?: Record<string, FieldSchema>;
  items?: FieldSchema;
  required?: string[];
}

/**
 * The schema's first array of objects, filled from the records in the inputs' text: each block of
 * "Label: value" lines (blocks are apart by a blank line) is one record. A field takes the value of the
 * label with its words ("Amount Due" -> amountDue), else of a label whose words begin its own ("Invoice"
 * -> invoiceNumber, "Currency" -> currencyCode). Records missing a required field are left out.
 */
function extract(schema: FieldSchema, inputs: unknown): Record<string, unknown> {
  const [key, list] = Object.entries(schema.properties ?? {}).find(([, v]) => v.type === 'array' && v.items?.type === 'object') ?? [];
  if (!key || !list?.items) return {};
  const item = list.items;
  const blocks = strings(inputs).flatMap((t) => t.split(/\n\s*\n/)).map(labelled).filter((b) => b.size >= 2);
  const records = blocks
    .map((labels) => fill(item, labels))
    .filter((r) => (item.required ?? []).every((k) => r[k] !== undefined));
  return { [key]: records };
}

function labelled(block: string): Map<string, string> {
  const labels = new Map<string, string>();
  for (const line of block.split('\n')) {
    const m = /^([A-Z][A-Za-z ]{0,40}):\s*(.*)$/.exec(line.trim());
    if (m) labels.set(words(m[1]).join(' '), m[2].trim());
  }
  return labels;
}

const words = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[\s_]+/).filter(Boolean);

function fill(item: FieldSchema, labels: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(item.properties ?? {})) {
    const own = words(field);
    const exact = labels.get(own.join(' '));
    const prefix = [...labels].find(([label]) => own.join(' ').startsWith(`${label} `))?.[1];
    const raw = exact ?? prefix;
    if (raw === undefined) continue;
    const value = raw.replace(/\s*\([0-9a-f-]{36}\)$/i, ''); // "Acme Ltd (<contact id>)" -> the name
    if (spec.type === 'number') {
      const n = Number(value.replace(/,/g, ''));
      if (Number.isFinite(n)) out[field] = n;
    } else if (spec.format === 'date' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
      out[field] = value.slice(0, 10);
    } else if (spec.format === 'date') {
      const t = Date.parse(value.replace(/\s*\(.*\)$/, ''));
      // Date#toString is local time: the day is read in local time too.
      const d = new Date(t);
      if (!Number.isNaN(t)) out[field] = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    } else out[field] = value;
  }
  return out;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  return value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];
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
