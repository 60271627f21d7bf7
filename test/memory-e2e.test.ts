// The run memory end to end: a hub child process that starts its own Chroma server (config
// `memory: {}`), the three apps on their mocks and the planner's model on the mock LLM. Plan reuse and
// examples are asserted on the mock LLM's request log; persistence across a hub restart, the memory
// meta-tools, the `memory search` CLI on the same data directory, a hub whose Chroma cannot be reached,
// and that no Chroma process outlives its hub.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_TASK, followUps, startMockApps, type MockApps } from './support/apps.js';
import { json, runCli } from './support/cli.js';
import { alive, chromaServers } from './support/processes.js';
import { eventually, startHub, tempDir, text, writeConfig, type HubHandle } from './support/hub.js';

/** The seed scenario without the Telegram summary: its plan has no model step, so a reused run makes no LLM call at all. */
const TASK = 'Create a ClickUp task for following up on the unpaid invoices from Xero.';

/** The client cannot be asked for consent, so a step that needs it waits for orchestrate {runId, approve}. */
const NO_ELICITATION = { capabilities: { sampling: {} } };

interface RunAnswer {
  runId: string;
  status: string;
  planSource: string;
  plan: { steps: Array<{ id: string; tool?: string; [key: string]: unknown }> };
  usage: { llmCalls: number };
}

interface MemoryStatus {
  state: string;
  reason?: string;
  url?: string;
  count: number;
}

interface Hit {
  id: string;
  kind: 'run' | 'note';
  text: string;
  status?: string;
  similarity?: number;
}

/** The pid of the Chroma server a hub started on this data directory (from its lock file). */
function chromaPid(dataDir: string): number {
  const lock = path.join(dataDir, 'chroma', 'hub-server.json');
  expect(existsSync(lock), 'the hub wrote no Chroma lock file').toBe(true);
  return (JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid;
}

describe('memory through the hub', () => {
  let apps: MockApps;
  let configFile: string;
  let hub: HubHandle | undefined;
  const dataDirs: string[] = [];

  beforeAll(async () => {
    apps = await startMockApps();
    configFile = writeConfig(tempDir(), { ...apps.config, memory: {} });
    dataDirs.push(apps.dataDir);
  });

  afterAll(async () => {
    await hub?.close();
    await apps?.close();
    // Every Chroma these hubs started is gone once they are.
    for (const dir of dataDirs) await eventually(() => chromaServers({ dir }).length === 0, 15_000, `no Chroma process left on ${dir}`);
  });

  const planningRequests = () => apps.llm.requests.filter((r) => r.tools.some((t) => t.name === 'submit_plan'));
  const promptOf = (r: (typeof apps.llm.requests)[number]) => [r.system ?? '', ...r.messages.map((m) => m.content)].join('\n');

  async function call<T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}): Promise<{ data: T; text: string; isError: boolean }> {
    const result = (await hub!.client.callTool({ name, arguments: args })) as CallToolResult;
    return { data: result.structuredContent as T, text: text(result), isError: result.isError === true };
  }

  /** Memory's status once it has started (the hub serves before Chroma is up). */
  async function memoryStatus(): Promise<MemoryStatus> {
    return eventually(async () => {
      const memory = (await call<{ memory: MemoryStatus }>('hub_status')).data.memory;
      return memory.state !== 'starting' && memory;
    }, 30_000, 'memory to start');
  }

  async function orchestrate(task: string): Promise<RunAnswer> {
    let { data, isError, text: said } = await call<RunAnswer>('orchestrate', { task });
    // A step that sends data out (the Telegram summary) waits for consent; the test gives it.
    if (data?.status === 'needs-approval') ({ data, isError, text: said } = await call<RunAnswer>('orchestrate', { runId: data.runId, approve: true }));
    expect(isError, said).toBe(false);
    expect(data.status, said).toBe('succeeded');
    return data;
  }

  let firstPlan: RunAnswer['plan'];
  let hubChroma: number;

  it('starts its own Chroma, plans a request once and runs the repeat from memory with no planning call', async () => {
    hub = await startHub('stdio', configFile, NO_ELICITATION);
    const status = await memoryStatus();
    expect(status, status.reason).toMatchObject({ state: 'ready', count: 0 });
    hubChroma = chromaPid(apps.dataDir);
    expect(chromaServers({ dir: apps.dataDir })).toHaveLength(1);

    const before = planningRequests().length;
    const first = await orchestrate(TASK);
    expect(first.planSource).toBe('llm');
    expect(planningRequests().length - before).toBe(1);
    firstPlan = first.plan;
    expect(firstPlan.steps.map((s) => s.tool)).toContain('clickup__create_task');
    const tasksAfterFirst = followUps(apps).length;

    const requestsBefore = planningRequests().length;
    const repeat = await orchestrate(TASK);
    expect(planningRequests().length).toBe(requestsBefore);
    expect(repeat.planSource).toBe('memory');
    // The one model call left is the plan's own step that reads the invoices out of Xero's text.
    expect(repeat.usage.llmCalls).toBe(1);
    expect(repeat.plan).toEqual(firstPlan);
    // It really ran again: a second set of follow-up tasks.
    expect(followUps(apps).length).toBe(2 * tasksAfterFirst);
    expect((await memoryStatus()).count).toBe(2);
  });

  it('plans a similar request with the earlier run as an example in the prompt', async () => {
    const before = planningRequests().length;
    const run = await orchestrate(SEED_TASK);
    expect(run.planSource).toBe('llm');
    const planning = planningRequests().slice(before);
    expect(planning).toHaveLength(1);
    const prompt = promptOf(planning[0]);
    const example = new RegExp(`^Example \\d+: "${TASK.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" \\(outcome: succeeded\\)\\n(.+)$`, 'm').exec(prompt);
    expect(example, 'the earlier request is in the planning prompt as an example').not.toBeNull();
    // The example is that run's plan (the prompt may leave out the steps' descriptions, which cost tokens and teach nothing).
    const bare = (plan: { steps: Array<Record<string, unknown>> }) => plan.steps.map(({ description: _d, ...step }) => step);
    expect(bare(JSON.parse(example![1]))).toEqual(bare(firstPlan));
  });

  it('saves, finds and forgets notes and runs through the memory meta-tools', async () => {
    const saved = await call<{ id: string }>('memory_save', { text: 'Invoices above GBP 2,000 are chased by Dana in finance, not by sales.' });
    expect(saved.isError, saved.text).toBe(false);
    expect(saved.data.id).toMatch(/^note:/);

    const notes = await call<{ entries: Hit[] }>('memory_search', { query: 'who chases large invoices', kind: 'note' });
    expect(notes.data.entries.map((e) => e.id)).toEqual([saved.data.id]);
    expect(notes.data.entries[0].text).toContain('Dana');

    const runs = await call<{ entries: Hit[] }>('memory_search', { query: TASK, kind: 'run', limit: 10 });
    expect(runs.data.entries.filter((e) => e.text === TASK)).toHaveLength(2);
    expect(runs.data.entries.find((e) => e.text === SEED_TASK)?.status).toBe('succeeded');
    expect(runs.data.entries[0]).toMatchObject({ text: TASK, kind: 'run' });
    expect(runs.text).toContain(TASK);

    // Time bounds: nothing is from tomorrow.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await call<{ entries: Hit[] }>('memory_search', { query: '', after: tomorrow })).data.entries).toEqual([]);
    // The empty query lists the newest first: the note.
    expect((await call<{ entries: Hit[] }>('memory_search', { query: '', limit: 1 })).data.entries[0].id).toBe(saved.data.id);

    const forgot = await call<{ removed: number }>('memory_forget', { id: saved.data.id });
    expect(forgot.data.removed).toBe(1);
    expect((await call<{ entries: Hit[] }>('memory_search', { query: 'who chases large invoices', kind: 'note' })).data.entries).toEqual([]);
    expect((await call('memory_forget', { id: saved.data.id })).data).toEqual({ removed: 0 });
    const both = await call('memory_forget', { id: saved.data.id, before: '2020-01-01' });
    expect(both.isError).toBe(true);
    expect(both.text).toMatch(/exactly one of `id` or `before`/);
  });

  it('answers `memory search --json` from the CLI on the same data directory, sharing the running Chroma', async () => {
    const result = await runCli(['memory', 'search', 'follow up unpaid invoices in ClickUp', '--json', '--config', configFile]);
    expect(result.code, result.stderr).toBe(0);
    const hits = json<Hit[]>(result);
    expect(hits.filter((h) => h.kind === 'run' && h.text === TASK)).toHaveLength(2);
    expect(hits.every((h) => typeof h.similarity === 'number')).toBe(true);
    // The CLI used the hub's server and left it running.
    expect(alive(hubChroma)).toBe(true);
    expect((await memoryStatus()).state).toBe('ready');
  });

  it('keeps its memory across a hub restart: the repeat after the restart makes no planning call', async () => {
    await hub!.close();
    hub = undefined;
    await eventually(() => !alive(hubChroma), 15_000, 'the Chroma server to stop with its hub');
    expect(chromaServers({ dir: apps.dataDir })).toEqual([]);

    hub = await startHub('stdio', configFile, NO_ELICITATION);
    const status = await memoryStatus();
    expect(status, status.reason).toMatchObject({ state: 'ready', count: 3 });
    expect(chromaPid(apps.dataDir)).not.toBe(hubChroma);

    const before = planningRequests().length;
    const run = await orchestrate(TASK);
    expect(planningRequests().length).toBe(before);
    expect(run).toMatchObject({ planSource: 'memory', usage: { llmCalls: 1 } });
    expect(run.plan).toEqual(firstPlan);
    await hub.close();
    hub = undefined;
  });

  it('orchestrates without memory when Chroma cannot be reached, and says why in hub_status', async () => {
    const dataDir = tempDir('hub-data-');
    dataDirs.push(dataDir);
    hub = await startHub('stdio', writeConfig(tempDir(), { ...apps.config, dataDir, memory: { chroma: { url: 'http://127.0.0.1:1', timeoutMs: 2000 } } }), NO_ELICITATION);
    const status = await call<{ memory: MemoryStatus }>('hub_status');
    expect(status.data.memory.state).toBe('unavailable');
    expect(status.data.memory.reason).toBeTruthy();
    expect(status.text).toMatch(/memory: unavailable \(.+\)/);
    // An unreachable server is never replaced by one of our own.
    expect(existsSync(path.join(dataDir, 'chroma'))).toBe(false);

    const before = planningRequests().length;
    const run = await orchestrate(TASK);
    expect(run.planSource).toBe('llm');
    expect(planningRequests().length).toBe(before + 1);

    const search = await call('memory_search', { query: TASK });
    expect(search.isError).toBe(true);
    expect(search.text).toMatch(/Memory is unavailable: .+/);
    const save = await call('memory_save', { text: 'a note' });
    expect(save.isError).toBe(true);
    expect(save.text).toMatch(/not available/);
  });
});
