// `demo`: the mock apps (the ClickUp, Telegram Bot and Xero Accounting APIs) and a hub wired to them:
// our ClickUp and Telegram servers and the official Xero MCP server, each on its app's mock API, so a
// newcomer can try everything offline with no account. The mocks live in mocks/, outside src/,
// and are loaded only here.
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import { parseConfig, type LoadedConfig } from '../config/load.js';
import { PACKAGE_ROOT } from './package.js';

export { PACKAGE_ROOT };

export const SEED_TASK = 'Create a ClickUp task for following up on the unpaid invoices from Xero, and send a summary to our Telegram group.';

export interface DemoOptions {
  /** An OpenAI-compatible endpoint for a real model (Ollama, vLLM, ...); OPENAI_API_KEY / ANTHROPIC_API_KEY also switch to a real model. */
  llmUrl?: string;
  /** A persistent data directory (memory, workflows); default: a fresh temporary one. */
  dataDir?: string;
}

export interface DemoApps {
  loaded: LoadedConfig;
  describe: string[];
  /** State of the mock apps, for tests and --json output. */
  clickup: { state: unknown; url: string };
  telegram: { state: unknown; url: string };
  xeroStateFile: string;
  /** Which model plans: the scripted stand-in, or a real one. */
  model: string;
  /** What the run changed in the mock apps: tasks in ClickUp's Follow-ups list, messages the bot sent. */
  snapshot(): { clickup: { followUps: Array<{ id: string; name: string; description: string; priority: number | null }> }; telegram: { sent: Array<{ chat: number; text?: string }> } };
  close(): Promise<void>;
}

export async function startDemoApps(options: DemoOptions = {}): Promise<DemoApps> {
  const { startClickUpMock, ACME } = await import('../../mocks/clickup-api/index.js');
  const { startTelegramMock } = await import('../../mocks/telegram-api/index.js');
  const { TEAM_CHAT_ID } = await import('../../mocks/telegram-api/seed.js');
  const { startXeroApiMock, officialXeroServer } = await import('../../mocks/xero-api/index.js');
  const clickup = await startClickUpMock();
  const telegram = await startTelegramMock();
  // A fresh temporary folder unless one is given; it is removed on close, and on exit if close never ran.
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'mcp-orchestrator-demo-'));
  const removeTemporary = () => {
    if (temporary) rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  };
  if (temporary) process.once('exit', removeTemporary);
  const { llm, model, llmMock } = await demoModel(options);
  const xeroStateFile = path.join(dataDir, 'xero-state.json');
  const xero = await startXeroApiMock({ stateFile: xeroStateFile });
  const node = process.execPath;
  const config = {
    servers: {
      xero: {
        description: 'Xero accounting (the official Xero MCP server on an offline mock of the Xero API) - invoices, contacts, payments, reports',
        ...officialXeroServer(xero.env),
      },
      clickup: {
        description: 'ClickUp work tracking (offline mock API) - workspaces, lists, tasks, comments, time',
        command: node,
        args: ['dist/custom-servers/clickup/src/index.js'],
        env: { CLICKUP_API_TOKEN: clickup.token, CLICKUP_API_URL: clickup.url },
      },
      telegram: {
        description: 'Telegram team chat (offline mock Bot API) - send, edit, pin and read messages',
        command: node,
        args: ['dist/custom-servers/telegram/src/index.js'],
        env: { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_URL: telegram.url, TELEGRAM_DEFAULT_CHAT_ID: String(TEAM_CHAT_ID) },
      },
    },
    routing: { embeddings: { provider: 'none' } },
    llm,
    // The official Xero server does not annotate its tools; its list-* tools only read.
    orchestrate: { trust: ['xero__list-*'] },
    // Shown in the console and list_workflows: the scenario every Monday (its Telegram step waits for consent).
    workflows: { 'monday-invoices': { name: 'Monday invoice follow-up', schedule: '0 9 * * 1', task: SEED_TASK } },
    dataDir,
  };
  const loaded = parseConfig(stringify(config), path.join(PACKAGE_ROOT, 'demo.config.yaml'));
  return {
    loaded,
    describe: [
      `Mock ClickUp API:    ${clickup.url}  (workspace "Acme Ltd")`,
      `Mock Telegram API:   ${telegram.url}  (group "Acme Finance Team", chat ${TEAM_CHAT_ID})`,
      `Mock Xero API:       ${xero.url}  (the official @xeroapi/xero-mcp-server runs against it; organisation "Acme Ltd", overdue invoices included)`,
      llmMock ? `Model:               ${model} (a scripted stand-in for a real LLM, at ${llmMock.url}: it plans the invoice scenario and schedules, nothing else; for any other task set OPENAI_API_KEY or pass --llm URL of an OpenAI-compatible model)` : `Model:               ${model}`,
    ],
    model,
    snapshot: () => ({
      clickup: {
        followUps: clickup.state.tasksInList(ACME.lists.followUps).map((t) => ({ id: t.id, name: t.name, description: t.description, priority: t.priority })),
      },
      telegram: { sent: telegram.state.sent.map((m) => ({ chat: m.chat.id, text: m.text })) },
    }),
    clickup: { state: clickup.state, url: clickup.url },
    telegram: { state: telegram.state, url: telegram.url },
    xeroStateFile,
    async close() {
      await Promise.all([clickup.close(), telegram.close(), xero.close(), llmMock?.close()]);
      removeTemporary();
    },
  };
}

/** A real model when a key or --llm says so; otherwise the scripted stand-in on the mock LLM server. */
async function demoModel(options: DemoOptions) {
  if (options.llmUrl) return { llm: { provider: 'openai', baseURL: options.llmUrl, apiKey: process.env.OPENAI_API_KEY ?? 'local-model-needs-no-key' }, model: `OpenAI-compatible model at ${options.llmUrl}` };
  if (process.env.OPENAI_API_KEY) return { llm: { provider: 'openai' }, model: 'OpenAI (OPENAI_API_KEY)' };
  if (process.env.ANTHROPIC_API_KEY) return { llm: { provider: 'anthropic' }, model: 'Anthropic (ANTHROPIC_API_KEY)' };
  const { startMockLlm } = await import('../../mocks/llm/index.js');
  const { scenarioResponder, STAND_IN_MODEL } = await import('../../mocks/llm/scenario-planner.js');
  const llmMock = await startMockLlm({ responder: scenarioResponder });
  return { llm: { provider: 'openai', baseURL: llmMock.url, apiKey: 'mock-key', model: STAND_IN_MODEL, samplingFallback: false }, model: STAND_IN_MODEL, llmMock };
}
