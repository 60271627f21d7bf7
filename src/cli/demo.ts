// `demo`: the mock apps (ClickUp API, Telegram Bot API, a Xero MCP server) and a hub wired to them,
// so a newcomer can try everything offline with no account. The mocks live in mocks/, outside src/,
// and are loaded only here.
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import { parseConfig, type LoadedConfig } from '../config/load.js';

export const PACKAGE_ROOT = path.resolve(import.meta.dirname, '../../..');

export interface DemoApps {
  loaded: LoadedConfig;
  describe: string[];
  /** State of the mock apps, for tests and --json output. */
  clickup: { state: unknown; url: string };
  telegram: { state: unknown; url: string };
  xeroStateFile: string;
  close(): Promise<void>;
}

export async function startDemoApps(): Promise<DemoApps> {
  const { startClickUpMock } = await import('../../mocks/clickup-api/index.js');
  const { startTelegramMock } = await import('../../mocks/telegram-api/index.js');
  const { TEAM_CHAT_ID } = await import('../../mocks/telegram-api/seed.js');
  const clickup = await startClickUpMock();
  const telegram = await startTelegramMock();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mcp-orchestrator-demo-'));
  const xeroStateFile = path.join(dataDir, 'xero-state.json');
  const node = process.execPath;
  const config = {
    servers: {
      xero: {
        description: 'Xero accounting (offline mock) - invoices, contacts, payments, reports',
        command: node,
        args: ['dist/mocks/xero-mcp/server.js'],
        env: { XERO_MOCK_STATE_FILE: xeroStateFile },
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
    dataDir,
  };
  const loaded = parseConfig(stringify(config), path.join(PACKAGE_ROOT, 'demo.config.yaml'));
  return {
    loaded,
    describe: [
      `Mock ClickUp API:    ${clickup.url}  (workspace "Acme Ltd")`,
      `Mock Telegram API:   ${telegram.url}  (group "Acme Finance Team", chat ${TEAM_CHAT_ID})`,
      `Mock Xero server:    dist/mocks/xero-mcp/server.js  (organisation "Acme Ltd", overdue invoices included)`,
    ],
    clickup: { state: clickup.state, url: clickup.url },
    telegram: { state: telegram.state, url: telegram.url },
    xeroStateFile,
    async close() {
      await Promise.all([clickup.close(), telegram.close()]);
    },
  };
}
