// orchestrate when things go wrong, end to end through the MCP client interface (a hub child process,
// the three apps on their mocks, the planner's model on the mock LLM): a step failing at run time
// (one replan, never two), a failing LLM provider (fallback to the next), no key at all (the client's
// own model through MCP sampling), invalid plans (rejected, the errors sent back once), cancellation.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, reply, type LlmMockRequest, type MockLlm, type Reply } from '../mocks/llm/index.js';
import { STAND_IN_MODEL, scenarioResponder } from '../mocks/llm/scenario-planner.js';
import { ACME, SEED_TASK, TEAM_CHAT_ID, followUps, startMockApps, type MockApps } from './support/apps.js';
import { eventually, fixture, readEvents, startHub, tempDir, text, writeConfig, type HubHandle, type StartOptions } from './support/hub.js';

interface RunAnswer {
  runId: string;
  status: string;
  summary: string;
  plan?: { steps: Array<{ id: string; tool?: string }> };
  steps: Array<{ id: string; status: string; error?: string }>;
  usage: { llmCalls: number; inputTokens: number };
  issues?: Array<{ step?: string; field?: string; message: string }>;
}

type PlanArgs = { goal?: string; steps: Array<Record<string, any>> };

const isPlanning = (r: LlmMockRequest) => r.tools.some((t) => t.name === 'submit_plan');
const isReplan = (r: LlmMockRequest) => isPlanning(r) && /a step failed/i.test(r.system ?? '');
/** Everything the model was shown in one request. */
const promptOf = (r: LlmMockRequest) => [r.system ?? '', ...r.messages.map((m) => m.content)].join('\n');

/** The stand-in's plan for this request, changed by `edit`. */
function editedPlan(request: LlmMockRequest, edit: (plan: PlanArgs) => PlanArgs): Reply {
  const answer = scenarioResponder(request);
  if (typeof answer !== 'object' || !('toolCalls' in answer) || !answer.toolCalls?.length) throw new Error(`the stand-in did not plan: ${JSON.stringify(answer)}`);
  return { model: STAND_IN_MODEL, toolCalls: [{ name: 'submit_plan', arguments: edit(structuredClone(answer.toolCalls[0].arguments) as PlanArgs) }] };
}

/** A ClickUp list id that does not exist: create_task answers 404 "List not found". */
const MISSING_LIST = '901299999999';

function withMissingList(plan: PlanArgs): PlanArgs {
  const tasks = plan.steps.find((s) => s.id === 'tasks')!;
  tasks.args.list_id = MISSING_LIST;
  return plan;
}

/** What a replan answers: the stand-in's steps for the work not done yet (its steps' ids that did not succeed). */
const REMAINING = ['tasks', 'summary', 'notify'];
const remainingOnly = (plan: PlanArgs): PlanArgs => ({ ...plan, steps: plan.steps.filter((s) => REMAINING.includes(s.id)) });

describe('orchestrate when things go wrong', () => {
  let apps: MockApps;
  let hub: HubHandle | undefined;
  const extraLlms: MockLlm[] = [];

  beforeAll(async () => {
    apps = await startMockApps();
  });
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
    // Each test scripts the model its own way; start the next one from the stand-in with an empty log.
    apps.llm.reset();
    apps.llm.setResponder(scenarioResponder);
    await Promise.all(extraLlms.splice(0).map((m) => m.close()));
  });
  afterAll(async () => apps?.close());

  async function hubWith(extra: Record<string, unknown> = {}, options: StartOptions = {}) {
    hub = await startHub('stdio', writeConfig(tempDir(), { ...apps.config, ...extra }), { capabilities: {}, ...options });
    return hub;
  }

  async function orchestrate(arguments_: Record<string, unknown>) {
    const result = await hub!.client.callTool({ name: 'orchestrate', arguments: arguments_ });
    return { result, run: result.structuredContent as unknown as RunAnswer };
  }

  const planningRequests = () => apps.llm.requests.filter(isPlanning);

  describe('a step that fails at run time', () => {
    it('replans once with the error and then succeeds', async () => {
      const tasksBefore = followUps(apps).length;
      const sentBefore = apps.telegram.state.sentTo(TEAM_CHAT_ID).length;
      apps.llm.setResponder((r) => (!isPlanning(r) ? scenarioResponder(r) : isReplan(r) ? editedPlan(r, remainingOnly) : editedPlan(r, withMissingList)));
      await hubWith();

      const { result, run } = await orchestrate({ task: SEED_TASK });
      expect(run.status, text(result)).toBe('succeeded');

      const planning = planningRequests();
      expect(planning.map(isReplan)).toEqual([false, true]);
      // The replan request carried what failed and why, and kept the completed steps' results.
      const replan = promptOf(planning[1]);
      expect(replan).toContain('step "tasks" (clickup__create_task)');
      expect(replan).toContain('List not found');
      // Every completed step's result is there, the small ones after a large one too: the list ids a fix needs.
      expect(replan).toMatch(/<results>[\s\S]*steps\.lists:[\s\S]*<\/results>/);
      expect(replan).toContain(ACME.lists.followUps);

      // The finished run: the completed steps kept, the new ones ran.
      expect(run.steps.map((s) => [s.id, s.status])).toEqual([
        ['invoices', 'succeeded'],
        ['found', 'succeeded'],
        ['workspaces', 'succeeded'],
        ['spaces', 'succeeded'],
        ['lists', 'succeeded'],
        ['tasks', 'succeeded'],
        ['summary', 'succeeded'],
        ['notify', 'succeeded'],
      ]);
      expect(run.usage.llmCalls).toBe(4); // plan, reading the invoices out of Xero's text, replan, the summary
      expect(followUps(apps).length - tasksBefore).toBe(5);
      expect(apps.telegram.state.sentTo(TEAM_CHAT_ID).length - sentBefore).toBe(1);
    });

    it('does not replan a second time when the new steps fail too', async () => {
      const tasksBefore = followUps(apps).length;
      const sentBefore = apps.telegram.state.sent.length;
      apps.llm.setResponder((r) => (!isPlanning(r) ? scenarioResponder(r) : editedPlan(r, (p) => withMissingList(isReplan(r) ? remainingOnly(p) : p))));
      await hubWith();

      const { result, run } = await orchestrate({ task: SEED_TASK });
      expect(run.status).toBe('failed');
      expect(result.isError).toBe(true);
      expect(planningRequests().map(isReplan)).toEqual([false, true]);
      expect(run.steps.find((s) => s.id === 'tasks')).toMatchObject({ status: 'failed', error: expect.stringContaining('List not found') });
      expect(run.steps.find((s) => s.id === 'notify')!.status).toBe('skipped');
      expect(text(result)).toContain('List not found');
      // No prompt step ran after the failure (only the one before it, reading the invoices), and nothing was created or sent.
      expect(apps.llm.requests.filter((r) => !isPlanning(r)).map((r) => r.messages[0].content.split('\n')[0])).toEqual([expect.stringMatching(/^List every invoice/)]);
      expect(followUps(apps)).toHaveLength(tasksBefore);
      expect(apps.telegram.state.sent).toHaveLength(sentBefore);
    });
  });

  describe('a failing LLM provider', () => {
    it.each([
      { fault: 'a 500', answer: reply.serverError(500), attempts: 2 },
      { fault: 'a refused key (401)', answer: reply.auth(), attempts: 1 },
    ])('falls back to the next provider on $fault', async ({ answer, attempts }) => {
      const claude = await startMockLlm({ responder: scenarioResponder });
      extraLlms.push(claude);
      apps.llm.setResponder(() => answer);
      await hubWith({
        llm: {
          provider: 'openai',
          baseURL: apps.llm.url,
          apiKey: 'mock-key',
          model: STAND_IN_MODEL,
          samplingFallback: false,
          // One retry of a 5xx, quickly: the test is about the chain, not the backoff.
          maxRetries: 1,
          retryBaseMs: 1,
          fallback: [{ provider: 'anthropic', baseURL: claude.origin, apiKey: 'mock-key', model: STAND_IN_MODEL }],
        },
      });

      const { result, run } = await orchestrate({ task: SEED_TASK });
      expect(run.status, text(result)).toBe('succeeded');
      // The first provider was asked for the plan (and retried only when the fault is retryable) ...
      expect(apps.llm.requests.filter(isPlanning)).toHaveLength(attempts);
      expect(apps.llm.requests.every((r) => r.api === 'openai')).toBe(true);
      // ... and the second one, over the Anthropic API, made it.
      const served = claude.requests.filter(isPlanning);
      expect(served).toHaveLength(1);
      expect(served[0].api).toBe('anthropic');
      expect(promptOf(served[0])).toContain(SEED_TASK);

      const status = (await hub!.client.callTool({ name: 'hub_status', arguments: {} })).structuredContent as {
        llm: { chain: Array<{ name: string }>; usage: { byModel: Array<{ provider: string; calls: number; failures: number }> } };
      };
      expect(status.llm.chain.map((c) => c.name)).toEqual(['openai', 'anthropic']);
      const row = (provider: string) => status.llm.usage.byModel.find((r) => r.provider === provider);
      // Three calls in the run (the plan, reading the invoices, the summary): each failed on openai and was served by anthropic.
      expect(row('openai')).toMatchObject({ calls: 0, failures: 3 });
      expect(row('anthropic')).toMatchObject({ calls: 3, failures: 0 });
    });
  });

  it("plans with the client's own model through sampling when no key is set", async () => {
    const sampled: string[] = [];
    // The client plays the model: the stand-in answers what the hub asks through sampling/createMessage.
    const sample = (prompt: string): string => {
      sampled.push(prompt);
      const asked = { api: 'openai', model: 'client', stream: false, messages: [{ role: 'user', content: prompt }], json: false, body: {}, headers: {} };
      const planning = /^Task:/m.test(prompt);
      const answer = scenarioResponder({ ...asked, tools: planning ? [{ name: 'submit_plan', description: '', inputSchema: {} }] : [] });
      if (typeof answer !== 'object' || 'fault' in answer) throw new Error('unexpected stand-in answer');
      // Without sampling.tools the hub describes submit_plan in the prompt and reads the call back from JSON.
      return planning ? JSON.stringify({ tool: 'submit_plan', arguments: answer.toolCalls![0].arguments }) : answer.text!;
    };
    const sentBefore = apps.telegram.state.sentTo(TEAM_CHAT_ID).length;
    await hubWith({ llm: {} }, { capabilities: { sampling: {} }, sample, env: { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' } });

    const { result, run } = await orchestrate({ task: SEED_TASK });
    expect(run.status, text(result)).toBe('succeeded');
    expect(apps.llm.requests).toHaveLength(0);
    expect(sampled).toHaveLength(3); // the plan, reading the invoices out of Xero's text, the summary
    expect(sampled[0]).toContain(`Task: ${SEED_TASK}`);
    expect(sampled[0]).toContain('xero__list-invoices');
    const sent = apps.telegram.state.sentTo(TEAM_CHAT_ID).slice(sentBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toContain('5 unpaid invoices');

    const status = (await hub!.client.callTool({ name: 'hub_status', arguments: {} })).structuredContent as {
      llm: { chain: Array<{ provider: string; available: boolean }>; usage: { byModel: Array<{ provider: string; model: string; calls: number }> } };
    };
    expect(status.llm.chain).toEqual([expect.objectContaining({ provider: 'sampling', available: true })]);
    expect(status.llm.usage.byModel).toEqual([expect.objectContaining({ provider: 'sampling', model: 'test-model', calls: 3 })]);
  });

  it('rejects an invalid plan with issues naming the step and field, after sending the errors back once', async () => {
    const invalid = {
      goal: 'an invalid plan',
      steps: [
        { id: 'invoices', tool: 'xero__list-invoices', args: { page: 'first' } },
        { id: 'tasks', tool: 'clickup__create_tasks', args: { name: 'Follow up' } },
        { id: 'notify', tool: 'telegram__send_message', args: { text: { $expr: 'steps.summary' } } },
        { id: 'summary', prompt: 'Summarise the invoices', inputs: { invoices: { $expr: 'steps.invoices' } } },
      ],
    };
    apps.llm.script(reply.toolCall('submit_plan', invalid), reply.toolCall('submit_plan', invalid));
    const tasksBefore = followUps(apps).length;
    const sentBefore = apps.telegram.state.sent.length;
    await hubWith();

    const { result, run } = await orchestrate({ task: SEED_TASK });
    expect(result.isError).toBe(true);
    expect(run.status).toBe('failed');
    expect(run.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ step: 'invoices', field: 'args.page', message: expect.stringContaining('xero__list-invoices') }),
        expect.objectContaining({ step: 'tasks', field: 'tool', message: expect.stringMatching(/unknown tool "clickup__create_tasks".*did you mean .*clickup__create_task\b/) }),
        expect.objectContaining({ step: 'notify', field: 'args.text', message: expect.stringContaining('"summary", which comes later') }),
      ]),
    );
    expect(text(result)).toContain('step tasks: unknown tool "clickup__create_tasks"');

    // Asked twice, no more: the second request carried the first answer's errors.
    const planning = planningRequests();
    expect(planning).toHaveLength(2);
    const correction = planning[1].messages.at(-1)!;
    expect(correction.role).toBe('user');
    expect(correction.content).toContain('That plan is invalid');
    expect(correction.content).toContain('step "tasks", `tool`: unknown tool "clickup__create_tasks"');
    expect(correction.content).toContain('step "notify", `args.text`');
    expect(correction.content).toContain('step "invoices", `args.page`');
    expect(followUps(apps)).toHaveLength(tasksBefore);
    expect(apps.telegram.state.sent).toHaveLength(sentBefore);
  });

  it('cancels a run when the client aborts: the hanging call is cancelled downstream, later steps never run, the record says cancelled', async () => {
    const events = path.join(tempDir('fixture-events-'), 'events.jsonl');
    apps.llm.script(
      reply.toolCall('submit_plan', {
        goal: 'wait, then tell the team',
        steps: [
          { id: 'wait', tool: 'fx__hang', args: {} },
          { id: 'notify', tool: 'telegram__send_message', args: { text: { $template: 'done waiting: {{steps.wait}}' } } },
        ],
      }),
    );
    const sentBefore = apps.telegram.state.sent.length;
    await hubWith({
      servers: { ...apps.config.servers, fx: fixture('fx', { env: { FIXTURE_EVENTS_FILE: events } }) },
      orchestrate: { trust: ['xero__list-*', 'fx__hang'] },
      // The run record is read back from the hub's memory of runs.
      memory: { enabled: true },
    });

    const controller = new AbortController();
    const call = hub!.client.callTool({ name: 'orchestrate', arguments: { task: 'Wait for the hang tool, then tell the team on Telegram' } }, undefined, { signal: controller.signal });
    const outcome = call.then(
      () => 'answered',
      (err: Error) => err.name === 'AbortError' || /abort/i.test(String(err)) ? 'aborted' : `failed: ${err}`,
    );
    await eventually(() => readEvents(events).some((e) => e.event === 'started'), 20_000, 'the hang tool to start');
    controller.abort();
    expect(await outcome).toBe('aborted');

    // The downstream server saw the cancellation of the call it was running.
    const started = readEvents(events).find((e) => e.event === 'started')!;
    await eventually(() => readEvents(events).some((e) => e.event === 'cancelled' && e.requestId === started.requestId), 15_000, 'the downstream cancellation');

    type Entry = { kind: string; status?: string; text: string };
    const entry = await eventually(async () => {
      const found = await hub!.client.callTool({ name: 'memory_search', arguments: { query: '', kind: 'run' } });
      return ((found.structuredContent as { entries?: Entry[] } | undefined)?.entries ?? []).find((e) => e.text.includes('hang tool'));
    }, 20_000, 'the run in memory');
    expect(entry.status).toBe('cancelled');
    // The later step never ran: nothing reached Telegram (the tool that was cancelled answered by now).
    expect(apps.telegram.state.sent).toHaveLength(sentBefore);
  });
});
