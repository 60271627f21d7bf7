// The seed scenario end to end through the MCP client interface: a hub child process, the three apps
// on their mocks, and the planner's model served by the mock LLM (through the real openai SDK).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED_TASK, TEAM_CHAT_ID, followUps, startMockApps, type MockApps } from './support/apps.js';
import { startHub, tempDir, text, writeConfig, type HubHandle } from './support/hub.js';

interface RunAnswer {
  runId: string;
  conversationId?: string;
  status: string;
  summary: string;
  plan: { steps: Array<{ id: string; tool?: string }> };
  steps: Array<{ id: string; status: string }>;
  usage: { llmCalls: number; inputTokens: number };
  approval?: { steps: Array<{ step: string; tool: string }> };
}

describe('orchestrate', () => {
  let apps: MockApps;
  let hub: HubHandle | undefined;

  beforeAll(async () => {
    apps = await startMockApps();
  });
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });
  afterAll(async () => apps?.close());

  async function hubWith(extra: Record<string, unknown> = {}, capabilities = {}) {
    hub = await startHub('stdio', writeConfig(tempDir(), { ...apps.config, ...extra }), { capabilities });
    return hub;
  }

  it('runs the seed scenario: a ClickUp task per unpaid invoice and one Telegram summary', async () => {
    const before = apps.telegram.state.sentTo(TEAM_CHAT_ID).length;
    const { client } = await hubWith();
    const progress: string[] = [];
    const result = await client.callTool({ name: 'orchestrate', arguments: { task: SEED_TASK } }, undefined, { onprogress: (p) => progress.push(p.message ?? '') });
    const run = result.structuredContent as unknown as RunAnswer;
    expect(run.status).toBe('succeeded');
    expect(result.isError).toBeFalsy();

    const tasks = followUps(apps);
    expect(tasks.map((t) => /INV-\d{4}/.exec(t.name)![0]).sort()).toEqual(['INV-0002', 'INV-0003', 'INV-0004', 'INV-0006', 'INV-0008']);
    expect(tasks.find((t) => t.name.includes('INV-0003'))!.name).toContain('GBP 3,000.00');
    expect(tasks.find((t) => t.name.includes('INV-0002'))!.description).toContain('2,520.00');

    const sent = apps.telegram.state.sentTo(TEAM_CHAT_ID).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toContain('5 unpaid invoices, GBP 9,120.00 due in total');

    // Only the candidate tools went into the planning prompt, never the whole catalog (83 tools), and the
    // plan uses only tools it offered. Xero answers in text: a prompt step read the invoices out of it.
    const planning = apps.llm.requests.find((r) => r.tools.some((t) => t.name === 'submit_plan'))!;
    const prompt = [planning.system ?? '', ...planning.messages.map((m) => m.content)].join('\n');
    const offered = [...prompt.matchAll(/^(?:### |- )(\w+__[\w-]+)/gm)].map((m) => m[1]);
    expect(offered.length).toBeLessThan(30);
    expect(prompt).not.toContain('xero__list-payroll-employees');
    for (const step of run.plan.steps) if (step.tool) expect(offered).toContain(step.tool);
    expect(prompt).toMatch(/### xero__list-invoices[^#]*returns text/);
    expect(run.plan.steps.map((s) => s.id)).toContain('found');
    expect(progress.some((m) => m.includes('tasks'))).toBe(true);
    expect(text(result)).toContain('succeeded');
  });

  it('dry run plans and checks but creates nothing', async () => {
    const tasksBefore = followUps(apps).length;
    const sentBefore = apps.telegram.state.sent.length;
    const { client } = await hubWith();
    const result = await client.callTool({ name: 'orchestrate', arguments: { task: SEED_TASK, dryRun: true } });
    const run = result.structuredContent as unknown as RunAnswer;
    expect(run.status).toBe('planned');
    expect(run.plan.steps.map((s) => s.tool).filter(Boolean)).toContain('clickup__create_task');
    expect(followUps(apps)).toHaveLength(tasksBefore);
    expect(apps.telegram.state.sent).toHaveLength(sentBefore);
  });

  it('waits for approval of a destructive step when the client cannot be asked, and runs it on approve', async () => {
    const sentBefore = apps.telegram.state.sent.length;
    const { client } = await hubWith({ orchestrate: { trust: ['xero__list-*'], confirm: ['telegram__send_*'] } });
    const first = (await client.callTool({ name: 'orchestrate', arguments: { task: SEED_TASK } })).structuredContent as unknown as RunAnswer;
    expect(first.status).toBe('needs-approval');
    expect(first.approval!.steps.map((s) => s.tool)).toEqual(['telegram__send_message']);
    expect(apps.telegram.state.sent).toHaveLength(sentBefore);

    const second = (await client.callTool({ name: 'orchestrate', arguments: { runId: first.runId, approve: true } })).structuredContent as unknown as RunAnswer;
    expect(second.status).toBe('succeeded');
    expect(apps.telegram.state.sent).toHaveLength(sentBefore + 1);
  });

  it('asks a client that supports elicitation, and skips the step when declined', async () => {
    const sentBefore = apps.telegram.state.sent.length;
    const { client } = await hubWith({ orchestrate: { trust: ['xero__list-*'], confirm: ['telegram__send_*'] } }, { elicitation: {} });
    const { ElicitRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { approve: false } };
    });
    const run = (await client.callTool({ name: 'orchestrate', arguments: { task: SEED_TASK } })).structuredContent as unknown as RunAnswer;
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('telegram__send_message');
    expect(run.steps.find((s) => s.id === 'notify')!.status).toBe('skipped');
    expect(apps.telegram.state.sent).toHaveLength(sentBefore);
  });

  it('answers with a planning kit that says how to configure a model when there is none', async () => {
    const { client } = await hubWith({ llm: { provider: 'openai', apiKey: '', samplingFallback: false } });
    const result = await client.callTool({ name: 'orchestrate', arguments: { task: SEED_TASK } });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { status: string }).status).toBe('needs-plan');
    expect(text(result)).toMatch(/OPENAI_API_KEY|llm:/);
    expect(text(result)).toContain('run_plan');
  });

  it('plans a follow-up in the same conversation with the earlier run in the prompt', async () => {
    const { client } = await hubWith();
    const first = (await client.callTool({ name: 'orchestrate', arguments: { task: SEED_TASK } })).structuredContent as unknown as RunAnswer;
    expect(first.status).toBe('succeeded');
    expect(first.conversationId).toBeDefined();
    const before = apps.llm.requests.length;
    const followUp = 'Now do the same for the unpaid invoices again, and post the summary to our Telegram group';
    await client.callTool({ name: 'orchestrate', arguments: { task: followUp, conversationId: first.conversationId, dryRun: true } });
    const planning = apps.llm.requests.slice(before).find((r) => r.tools.some((t) => t.name === 'submit_plan'))!;
    const prompt = planning.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('Earlier in this conversation');
    expect(prompt).toContain(`Task: "${SEED_TASK}"`);
    expect(prompt).toContain(`run ${first.runId}`);
    expect(prompt).toMatch(/notify \(telegram__send_message\): succeeded; args/);

    // Without the conversation, the same request is planned from zero.
    const alone = apps.llm.requests.length;
    await client.callTool({ name: 'orchestrate', arguments: { task: followUp, dryRun: true } });
    const fresh = apps.llm.requests.slice(alone).find((r) => r.tools.some((t) => t.name === 'submit_plan'))!;
    expect(fresh.messages.map((m) => m.content).join('\n')).not.toContain('Earlier in this conversation');
  });
});
