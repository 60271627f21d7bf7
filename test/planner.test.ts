// The planner: retrieval of candidate tools (only those reach the prompt), the forced submit_plan call,
// the JSON fallback, one corrective retry with the validation errors, and planning through the Orchestrator.
// Retrieval is the real ToolIndex (lexical) over an in-process catalog; the model is scripted.
import { describe, expect, it } from 'vitest';
import { RoutingConfigSchema } from '../src/config/routing.js';
import { ToolIndex } from '../src/routing/index.js';
import { Planner, PlanningError, exampleFromRecord, planJsonSchema } from '../src/planner/planner.js';
import { Orchestrator } from '../src/planner/orchestrator.js';
import { retrievalQueries, splitClauses } from '../src/planner/clauses.js';
import { CREATE, DESTROY, FakeCatalog, READ_ONLY, ScriptedLlm, ok, planReply } from './support/planner-fakes.js';

const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required });

function demoCatalog() {
  return new FakeCatalog([
    { name: 'xero__list-invoices', description: 'List invoices in Xero, with amount due and status.', annotations: READ_ONLY, inputSchema: obj({ status: { type: 'string' } }) },
    { name: 'xero__list-contacts', description: 'List contacts (customers and suppliers) in Xero.', annotations: READ_ONLY },
    { name: 'xero__create-payment', description: 'Record a payment against an invoice in Xero.', annotations: CREATE },
    { name: 'xero__list-accounts', description: 'List the chart of accounts.', annotations: READ_ONLY },
    {
      name: 'clickup__create_task',
      description: 'Create a task in a ClickUp list.',
      annotations: CREATE,
      inputSchema: { ...obj({ list_id: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' } }, ['list_id', 'name']), additionalProperties: false },
      handler: (args) => ok({ id: 'T1', name: args.name }),
    },
    { name: 'clickup__get_lists', description: 'Get the lists of a ClickUp folder or space.', annotations: READ_ONLY },
    { name: 'clickup__delete_task', description: 'Delete a ClickUp task permanently.', annotations: DESTROY },
    { name: 'clickup__track_time', description: 'Start a time tracking entry on a task.', annotations: CREATE },
    {
      name: 'telegram__send_message',
      description: 'Send a text message to a Telegram chat or group.',
      annotations: CREATE,
      inputSchema: obj({ chat_id: { type: 'string' }, text: { type: 'string' } }, ['text']),
      handler: (args) => ok({ message_id: 5, text: args.text }),
    },
    { name: 'telegram__pin_message', description: 'Pin a message in a Telegram chat.', annotations: CREATE },
    { name: 'github__merge_pull_request', description: 'Merge a pull request in a GitHub repository.', annotations: DESTROY },
    { name: 'github__list_commits', description: 'List commits of a repository branch.', annotations: READ_ONLY },
    { name: 'calendar__create_event', description: 'Create a calendar event with attendees.', annotations: CREATE },
    { name: 'weather__forecast', description: 'Weather forecast for a city.', annotations: READ_ONLY },
    { name: 'spotify__play_track', description: 'Play a song on the active device.', annotations: CREATE },
    { name: 'drive__upload_file', description: 'Upload a file to cloud storage.', annotations: CREATE },
  ]);
}

async function indexFor(catalog: FakeCatalog): Promise<ToolIndex> {
  const index = new ToolIndex(RoutingConfigSchema.parse({ embeddings: { provider: 'none' } }));
  for (const [server, tools] of catalog.byServer()) index.setServer(server, tools);
  await index.ready();
  return index;
}

const TASK = 'Create a ClickUp task for following up on the unpaid invoices from Xero, and send a summary to our Telegram group.';

const GOOD_PLAN = {
  goal: 'Follow up unpaid invoices',
  steps: [
    { id: 'invoices', tool: 'xero__list-invoices', args: { status: 'AUTHORISED' } },
    { id: 'task', tool: 'clickup__create_task', args: { list_id: 'L1', name: { $template: 'Follow up {{$count(steps.invoices.invoices)}} invoices' } } },
    { id: 'notify', tool: 'telegram__send_message', args: { text: { $template: 'Created {{steps.task.name}}' } } },
  ],
};

describe('clauses', () => {
  it('splits the seed request into one query per step, plus the whole task', () => {
    expect(splitClauses(TASK)).toEqual([
      'Create a ClickUp task for following up on the unpaid invoices from Xero',
      'Create a ClickUp task',
      'following up on the unpaid invoices from Xero',
      'send a summary to our Telegram group',
    ]);
    expect(retrievalQueries('list invoices')).toEqual(['list invoices']);
    expect(splitClauses('Get the weather; then play a song and pin it')).toEqual(['Get the weather', 'play a song', 'pin it']);
  });
});

describe('planner', () => {
  it('puts only the retrieved candidates into the prompt and forces submit_plan', async () => {
    const catalog = demoCatalog();
    const llm = new ScriptedLlm([planReply(GOOD_PLAN)]);
    const planner = new Planner({ llm, index: await indexFor(catalog), tools: catalog }, { perQuery: 3, limit: 9 });
    const result = await planner.plan({ task: TASK, context: { chat: 'finance' } });

    expect(result.attempts).toBe(1);
    expect(result.plan.steps.map((s) => s.id)).toEqual(['invoices', 'task', 'notify']);
    expect(result.candidates.length).toBeLessThanOrEqual(9 + 4);
    expect(result.candidates).toEqual(expect.arrayContaining(['xero__list-invoices', 'clickup__create_task', 'telegram__send_message']));

    const req = llm.requests[0];
    expect(req.tools?.map((t) => t.name)).toEqual(['submit_plan']);
    expect(req.toolChoice).toEqual({ name: 'submit_plan' });
    expect(req.tools?.[0].inputSchema).toEqual(planJsonSchema());
    expect(req.purpose).toBe('plan');
    const prompt = req.messages[0].content;
    const all = catalog.tools().map((t) => t.name);
    for (const name of all) {
      const shown = prompt.includes(`### ${name}`) || prompt.includes(`\n- ${name}(`);
      expect(shown, name).toBe(result.candidates.includes(name));
    }
    // create_task requires list_id: a tool that lists lists is offered too, in one line.
    expect(result.candidates).toContain('clickup__get_lists');
    expect(prompt).toMatch(/Tools that look up ids[^\n]*\n(- .*\n)*- clickup__get_lists\(/);
    // Unrelated tools stay out.
    for (const name of ['spotify__play_track', 'weather__forecast', 'github__merge_pull_request']) expect(prompt).not.toContain(name);
    // Schemas and hints of the candidates are there.
    // Compact argument lines: required ones marked *.
    expect(prompt).toContain('- list_id*: string');
    expect(prompt).toContain('- description: string');
    expect(prompt).toContain('### xero__list-invoices (read-only)');
    expect(prompt).toContain('"chat": "finance"');
  });

  it('asks once more with the validation errors, then gives up with them', async () => {
    const catalog = demoCatalog();
    const bad = {
      steps: [
        { id: 'invoices', tool: 'xero__list_invoices', args: {} },
        { id: 'task', tool: 'clickup__create_task', args: { name: 'x', list: 'L1' } },
      ],
    };
    const llm = new ScriptedLlm([planReply(bad), planReply(GOOD_PLAN)]);
    const planner = new Planner({ llm, index: await indexFor(catalog), tools: catalog });
    const result = await planner.plan({ task: TASK });
    expect(result.attempts).toBe(2);
    expect(result.plan.steps).toHaveLength(3);
    expect(llm.requests).toHaveLength(2);
    const second = llm.requests[1].messages;
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(second[1].content).toBe(JSON.stringify(bad));
    const correction = second[2].content;
    expect(correction).toContain('step "invoices", `tool`: unknown tool "xero__list_invoices"');
    expect(correction).toContain('step "task", `args.list_id`: is required but missing');
    expect(correction).toContain('step "task", `args.list`: is not a field of this tool');
    expect(result.usage.llmCalls).toBe(2);

    const stubborn = new ScriptedLlm([planReply(bad), planReply(bad), planReply(GOOD_PLAN)]);
    const p2 = new Planner({ llm: stubborn, index: await indexFor(catalog), tools: catalog });
    const err = await p2.plan({ task: TASK }).catch((e) => e);
    expect(err).toBeInstanceOf(PlanningError);
    expect((err as PlanningError).issues.some((i) => i.field === 'tool')).toBe(true);
    expect(stubborn.requests).toHaveLength(2);
  });

  it('refuses a plan that uses a tool it was not offered, saying so; the tools of example plans are offered', async () => {
    const catalog = demoCatalog();
    // github__list_commits exists in the catalog but has nothing to do with the task: it is never offered.
    const sneaky = { steps: [...GOOD_PLAN.steps, { id: 'log', tool: 'github__list_commits', args: {} }] };
    const llm = new ScriptedLlm([planReply(sneaky), planReply(sneaky)]);
    const planner = new Planner({ llm, index: await indexFor(catalog), tools: catalog });
    const err = await planner.plan({ task: TASK }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanningError);
    expect((err as PlanningError).issues[0]).toMatchObject({ step: 'log', field: 'tool' });
    expect((err as PlanningError).message).toContain('"github__list_commits" was not offered for this task');
    expect(llm.requests[1].messages[2].content).toContain('was not offered');

    // When a similar past run used it, its tools are offered (a model adapting the example finds them).
    const withExample = new ScriptedLlm([planReply(sneaky)]);
    const again = new Planner({ llm: withExample, index: await indexFor(catalog), tools: catalog });
    const result = await again.plan({ task: TASK, examples: [{ task: 'same, with the commit log', plan: sneaky, outcome: 'succeeded' }] });
    expect(result.candidates).toContain('github__list_commits');
    expect(withExample.requests[0].messages[0].content).toContain('### github__list_commits');
  });

  it('stops before asking the model when a part of the task matches no tool', async () => {
    const catalog = demoCatalog();
    const summarised = { steps: [GOOD_PLAN.steps[0], { id: 'sum', prompt: 'Summarise', inputs: { i: { $expr: 'steps.invoices' } } }] };
    const llm = new ScriptedLlm([planReply(summarised)]);
    const planner = new Planner({ llm, index: await indexFor(catalog), tools: catalog });
    const err = await planner.plan({ task: 'List the unpaid invoices in Xero, then book zeppelin lessons' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanningError);
    expect((err as Error).message).toContain('no tool matches "book zeppelin lessons"');
    expect(llm.requests).toHaveLength(0);
    // A part a prompt step does needs no tool, nor does one that only says when.
    await expect(planner.plan({ task: 'Every Monday at 9am, list the unpaid invoices in Xero, then summarise them' })).resolves.toMatchObject({ attempts: 1 });
  });

  it('offers the whole chain of tools that find the ids a candidate needs', async () => {
    const catalog = new FakeCatalog([
      { name: 'clickup__create_task', description: 'Create a task in a ClickUp list.', annotations: CREATE, inputSchema: obj({ list_id: { type: 'string' }, name: { type: 'string' } }, ['list_id', 'name']) },
      // No id is required, but it needs one of them: optional ids count when nothing is required.
      { name: 'clickup__get_lists', description: 'Get the lists of a folder or space.', annotations: READ_ONLY, inputSchema: obj({ folder_id: { type: 'string' }, space_id: { type: 'string' } }) },
      { name: 'clickup__get_spaces', description: 'Get the spaces of a workspace.', annotations: READ_ONLY, inputSchema: obj({ team_id: { type: 'string' } }, ['team_id']) },
      { name: 'clickup__get_folders', description: 'Get the folders of a space.', annotations: READ_ONLY, inputSchema: obj({ space_id: { type: 'string' } }, ['space_id']) },
      { name: 'clickup__get_workspaces', description: 'List workspaces (the API calls them teams).', annotations: READ_ONLY, inputSchema: obj({}) },
      // A write that mentions teams is never a supplier.
      { name: 'clickup__rename_team', description: 'Rename one of the teams.', annotations: CREATE, inputSchema: obj({ team_id: { type: 'string' } }, ['team_id']) },
      { name: 'weather__forecast', description: 'Weather forecast for a city.', annotations: READ_ONLY },
    ]);
    const planner = new Planner({ llm: new ScriptedLlm([]), index: await indexFor(catalog), tools: catalog }, { perQuery: 1, limit: 1 });
    const offered = await planner.candidates('Create a ClickUp task to pay the rent');
    expect(offered.map((t) => [t.name, !!t.supplier])).toEqual([
      ['clickup__create_task', false],
      ['clickup__get_lists', true],
      ['clickup__get_folders', true],
      ['clickup__get_spaces', true],
      ['clickup__get_workspaces', true],
    ]);
  });

  it('falls back to a JSON text answer when the provider does not call tools', async () => {
    const catalog = demoCatalog();
    const llm = new ScriptedLlm([{ text: `Here is the plan:\n\`\`\`json\n${JSON.stringify(GOOD_PLAN)}\n\`\`\`` }]);
    const planner = new Planner({ llm, index: await indexFor(catalog), tools: catalog });
    const result = await planner.plan({ task: TASK });
    expect(result.plan.goal).toBe('Follow up unpaid invoices');
  });

  it('shows examples of similar runs, and the Orchestrator plans, runs and stores through memory', async () => {
    const catalog = demoCatalog();
    const llm = new ScriptedLlm([planReply(GOOD_PLAN)]);
    const stored: unknown[] = [];
    const example = { task: 'Chase unpaid invoices in ClickUp', plan: GOOD_PLAN, outcome: 'succeeded' };
    const memory = { similar: async (_task: string, k: number) => [example].slice(0, k), store: async (r: unknown) => void stored.push(r) };
    const o = new Orchestrator({ caller: catalog, tools: catalog, index: await indexFor(catalog), llm, memory, config: { trust: ['telegram__send_message'] }, logger: { info() {}, warn() {} } });
    const result = await o.run(TASK, { client: 'test' });
    expect(result.status).toBe('succeeded');
    expect(result.record).toMatchObject({ planSource: 'llm', planPrompt: 'plan.v2', client: 'test', task: TASK });
    expect(result.record.usage.llmCalls).toBe(1);
    expect(result.results.notify).toEqual({ message_id: 5, text: 'Created Follow up 0 invoices' });
    expect(llm.requests[0].messages[0].content).toContain('Example 1: "Chase unpaid invoices in ClickUp" (outcome: succeeded)');
    expect(stored).toHaveLength(1);
    expect(exampleFromRecord(result.record)).toMatchObject({ task: TASK, outcome: 'succeeded' });

    // Without a model, a task cannot be planned: a failed run that says why.
    const noLlm = new Orchestrator({ caller: catalog, tools: catalog, index: await indexFor(catalog), logger: { info() {}, warn() {} } });
    const failed = await noLlm.run(TASK);
    expect(failed.status).toBe('failed');
    expect(failed.record.error).toContain('Planning needs a language model');
  });
});
