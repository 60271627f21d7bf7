// The three apps behind the hub: our ClickUp and Telegram servers on their mock APIs, and the official
// Xero server on the Xero API mock (and once more on a mock that refuses every token).
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startClickUpMock, ACME } from '../mocks/clickup-api/index.js';
import { startTelegramMock } from '../mocks/telegram-api/index.js';
import { TEAM_CHAT_ID } from '../mocks/telegram-api/seed.js';
import { officialXeroServer, startXeroApiMock } from '../mocks/xero-api/index.js';
import { CLI, ROOT, startHub, tempDir, text, writeConfig, type HubHandle } from './support/hub.js';

describe('the apps behind the hub', () => {
  let hub: HubHandle;
  let clickup: Awaited<ReturnType<typeof startClickUpMock>>;
  let telegram: Awaited<ReturnType<typeof startTelegramMock>>;
  let xero: Awaited<ReturnType<typeof startXeroApiMock>>;
  let xeroDown: Awaited<ReturnType<typeof startXeroApiMock>>;

  beforeAll(async () => {
    clickup = await startClickUpMock();
    telegram = await startTelegramMock();
    xero = await startXeroApiMock();
    xeroDown = await startXeroApiMock({ fail: '*', failKind: 'auth' });
    const node = process.execPath;
    const config = writeConfig(tempDir(), {
      servers: {
        clickup: { command: node, args: [path.join(ROOT, 'dist/custom-servers/clickup/src/index.js')], env: { CLICKUP_API_TOKEN: clickup.token, CLICKUP_API_URL: clickup.url } },
        telegram: {
          command: node,
          args: [path.join(ROOT, 'dist/custom-servers/telegram/src/index.js')],
          env: { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_URL: telegram.url, TELEGRAM_DEFAULT_CHAT_ID: String(TEAM_CHAT_ID) },
        },
        xero: officialXeroServer(xero.env),
        xero_down: officialXeroServer(xeroDown.env),
      },
      expose: { mode: 'all' },
      routing: { embeddings: { provider: 'none' } },
    });
    hub = await startHub('stdio', config);
  });

  afterAll(async () => {
    await hub?.close();
    await clickup?.close();
    await telegram?.close();
    await xero?.close();
    await xeroDown?.close();
  });

  it('lists the namespaced tools of all apps, with the official Xero server\'s 51', async () => {
    const names = (await hub.client.listTools()).tools.map((t) => t.name);
    const of = (server: string) => names.filter((n) => n.startsWith(`${server}__`));
    expect(of('xero')).toHaveLength(51);
    expect(of('xero_down')).toHaveLength(51);
    expect(of('clickup')).toContain('clickup__create_task');
    expect(of('telegram')).toContain('telegram__send_message');
    expect(of('xero')).toContain('xero__list-invoices');
  });

  it('routes a call to each app and changes the right mock', async () => {
    const invoices = await hub.client.callTool({ name: 'xero__list-invoices', arguments: { page: 1 } });
    expect(invoices.isError).toBeFalsy();
    expect(text(invoices)).toMatch(/^Found 10 invoices:/);
    expect(text(invoices)).toMatch(/Invoice: INV-\d{4}/);

    const created = await hub.client.callTool({ name: 'clickup__create_task', arguments: { list_id: ACME.lists.followUps, name: 'Chase INV-0002' } });
    expect(created.isError).toBeFalsy();
    expect(clickup.state.findTask('Chase INV-0002', ACME.lists.followUps)).toBeDefined();

    const sent = await hub.client.callTool({ name: 'telegram__send_message', arguments: { text: 'Hello from the hub' } });
    expect(sent.isError).toBeFalsy();
    expect(telegram.state.sentTo(TEAM_CHAT_ID).map((m) => m.text)).toContain('Hello from the hub');
  });

  it("flags Xero's plain-text failures as tool errors", async () => {
    const failed = await hub.client.callTool({ name: 'xero_down__list-invoices', arguments: { page: 1 } });
    expect(text(failed)).toBe('Error listing invoices: Failed to get Xero token with V1 scopes: {"error":"invalid_client"}');
    expect(failed.isError).toBe(true);
    const fine = await hub.client.callTool({ name: 'xero__list-contacts', arguments: {} });
    expect(fine.isError).toBeFalsy();
  });
});

describe('demo', () => {
  it('serves the three mock apps over HTTP with no account', async () => {
    const child = spawn(process.execPath, [CLI, 'demo', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          const m = /MCP endpoint:\s+(http:\/\/\S+\/mcp)/.exec(stderr);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`demo exited ${code}: ${stderr}`)));
      });
      expect(stderr).toMatch(/3\/3 servers/);
      // It says what it is: tools behind search (and how to list them all), and a stand-in model (and how to plug a real one).
      expect(stderr).toMatch(/more than expose\.maxTools \(40\)[\s\S]*search_tools[\s\S]*expose\.mode: all in the config \(or --expose all\)/);
      expect(stderr).toMatch(/scripted stand-in[^\n]*invoice scenario[^\n]*--llm URL/);
      const client = new Client({ name: 'demo-test', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const status = (await client.callTool({ name: 'hub_status', arguments: {} })).structuredContent as { servers: Array<{ name: string; state: string }> };
      expect(status.servers.map((s) => `${s.name}:${s.state}`).sort()).toEqual(['clickup:ready', 'telegram:ready', 'xero:ready']);
      const found = (await client.callTool({ name: 'search_tools', arguments: { query: 'list the unpaid invoices in Xero' } })).structuredContent as { tools: Array<{ name: string }> };
      expect(found.tools[0].name).toBe('xero__list-invoices');
      await client.close();
    } finally {
      child.kill('SIGTERM');
    }
  });
});
