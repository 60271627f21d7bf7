// The three apps and the mock LLM, started in the test process, and a hub config wired to them, for
// end-to-end tests that run the hub as a child process: the official Xero MCP server on the Xero API
// mock, our ClickUp and Telegram servers on their API mocks.
import path from 'node:path';
import { ACME, startClickUpMock } from '../../mocks/clickup-api/index.js';
import { startTelegramMock } from '../../mocks/telegram-api/index.js';
import { officialXeroServer, startXeroApiMock } from '../../mocks/xero-api/index.js';
import { TEAM_CHAT_ID } from '../../mocks/telegram-api/seed.js';
import { startMockLlm, type MockLlm } from '../../mocks/llm/index.js';
import { STAND_IN_MODEL, scenarioResponder } from '../../mocks/llm/scenario-planner.js';
import { ROOT, tempDir } from './hub.js';

export { ACME, TEAM_CHAT_ID };
export const SEED_TASK = 'Create a ClickUp task for following up on the unpaid invoices from Xero, and send a summary to our Telegram group.';

export interface MockApps {
  clickup: Awaited<ReturnType<typeof startClickUpMock>>;
  xero: Awaited<ReturnType<typeof startXeroApiMock>>;
  telegram: Awaited<ReturnType<typeof startTelegramMock>>;
  llm: MockLlm;
  dataDir: string;
  /** servers + llm + orchestrate + dataDir; spread extra keys over it. */
  config: Record<string, any>;
  close(): Promise<void>;
}

export async function startMockApps(options: { scenario?: boolean } = {}): Promise<MockApps> {
  const dataDir = tempDir('hub-data-');
  const [clickup, telegram, llm, xero] = await Promise.all([
    startClickUpMock(),
    startTelegramMock(),
    startMockLlm(options.scenario === false ? {} : { responder: scenarioResponder }),
    startXeroApiMock({ stateFile: path.join(dataDir, 'xero.json') }),
  ]);
  const node = process.execPath;
  const config = {
    servers: {
      xero: officialXeroServer(xero.env),
      clickup: { command: node, args: [path.join(ROOT, 'dist/custom-servers/clickup/src/index.js')], env: { CLICKUP_API_TOKEN: clickup.token, CLICKUP_API_URL: clickup.url } },
      telegram: {
        command: node,
        args: [path.join(ROOT, 'dist/custom-servers/telegram/src/index.js')],
        env: { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_URL: telegram.url, TELEGRAM_DEFAULT_CHAT_ID: String(TEAM_CHAT_ID) },
      },
    },
    routing: { embeddings: { provider: 'none' } },
    llm: { provider: 'openai', baseURL: llm.url, apiKey: 'mock-key', model: STAND_IN_MODEL, samplingFallback: false },
    // The seed task asks to post the summary: the operator trusts that send (egress needs consent otherwise).
    orchestrate: { trust: ['xero__list-*', 'telegram__send_message'] },
    memory: { enabled: false },
    dataDir,
  };
  return {
    clickup,
    xero,
    telegram,
    llm,
    dataDir,
    config,
    close: async () => void (await Promise.all([clickup.close(), telegram.close(), llm.close(), xero.close()])),
  };
}

/** Follow-up tasks the run created in ClickUp (the seed data has one task there already). */
export function followUps(apps: MockApps) {
  return apps.clickup.state.tasksInList(ACME.lists.followUps).filter((t) => t.name.startsWith('Follow up invoice'));
}
