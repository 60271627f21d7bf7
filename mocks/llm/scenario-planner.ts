// A scripted stand-in for a real model, for the offline demo: it answers the planner (a forced
// `submit_plan` call) with a correct plan for the seed scenario, "Create a ClickUp task for following
// up on the unpaid invoices from Xero, and send a summary to our Telegram group", and its parts; and
// answers prompt steps (summaries) from the inputs given, deterministically. It is not a model: every
// answer says "scripted-stand-in" as its model, and a task it does not know gets a plain refusal.
import type { AnswerReply, LlmMockRequest, Reply } from './types.js';

export const STAND_IN_MODEL = 'scripted-stand-in';

/** Invoices still owed by customers: approved (AUTHORISED) sales invoices with something due. */
export const UNPAID = 'steps.invoices.invoices[type = "ACCREC" and status = "AUTHORISED" and amountDue > 0][]';

const SUMMARY_PROMPT =
  'Write a short message for the team chat: how many invoices are unpaid and the total due, one line per invoice ' +
  '(number, customer, amount due, due date), and the link to the follow-up task when there is one.';

const answer = (a: AnswerReply): AnswerReply => ({ model: STAND_IN_MODEL, ...a });

export function scenarioResponder(request: LlmMockRequest): Reply {
  const planning = request.tools.some((t) => t.name === 'submit_plan');
  return planning ? planReply(request) : stepReply(request);
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
        'Configure a real model under llm: in orchestrator.config.yaml.',
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
        id: 'task',
        tool: `${clickup}create_task`,
        args: {
          list_id: { $expr: '$append(steps.lists.lists[$contains($lowercase(name), "follow")], steps.lists.lists)[0].id' },
          name: { $template: `Follow up on {{$count(${UNPAID})}} unpaid invoices` },
          description: { $expr: `$join(${UNPAID}.(invoiceNumber & " " & contact.name & ": " & currencyCode & " " & $string(amountDue) & " due " & dueDate), "\\n")` },
          priority: 'high',
        },
        description: 'Create the follow-up task in ClickUp',
      },
    );
  }
  if (telegram) {
    steps.push(
      { id: 'summary', prompt: SUMMARY_PROMPT, inputs: { invoices: { $expr: UNPAID }, ...(clickup ? { task: { $expr: 'steps.task' } } : {}) } },
      { id: 'notify', tool: `${telegram}send_message`, args: { text: { $expr: 'steps.summary' } }, description: 'Post the summary to the Telegram group' },
    );
  } else if (!clickup) {
    steps.push({ id: 'summary', prompt: SUMMARY_PROMPT, inputs: { invoices: { $expr: UNPAID } } });
  }
  const parts = [clickup && 'create a ClickUp follow-up task', telegram && 'post a summary to Telegram'].filter(Boolean);
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
  const task = collect<{ name: string; url: string }>(inputs, (v) => typeof v.url === 'string' && typeof v.name === 'string')[0];
  const wantsJson = request.json || /Answer with one JSON value/.test(text);

  const total = invoices.reduce((sum, i) => sum + i.amountDue, 0);
  const currency = invoices[0]?.currencyCode ?? '';
  if (wantsJson) {
    return answer({ text: JSON.stringify({ count: invoices.length, totalDue: round(total), currency, invoices: invoices.map((i) => i.invoiceNumber), task: task?.url ?? null }) });
  }
  if (invoices.length === 0 && !task) {
    const keys = inputs && typeof inputs === 'object' ? Object.keys(inputs) : [];
    return answer({ text: `Nothing to report (scripted stand-in; inputs: ${keys.join(', ') || 'none'}).` });
  }
  const lines = [
    invoices.length === 0 ? 'No unpaid invoices.' : `${invoices.length} unpaid invoice${invoices.length === 1 ? '' : 's'}, ${money(currency, total)} due in total:`,
    ...invoices.map((i) => `- ${[i.invoiceNumber, i.contact?.name].filter(Boolean).join(' ')}: ${money(i.currencyCode ?? currency, i.amountDue)}${i.dueDate ? ` due ${i.dueDate}` : ''}`),
    ...(task ? [`Follow-up task: ${task.name} ${task.url}`] : []),
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
