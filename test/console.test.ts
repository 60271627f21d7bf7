// The web console (/ui) in a real browser: playwright-core drives Debian's chromium (/usr/bin/chromium)
// against a real hub child process serving HTTP with a bearer token, the three apps on their mocks and the
// mock LLM as the model. Telegram sends need consent, so the seed task waits for approval on the page.
// Screenshots of every page go to test-artifacts/console/ (not committed).
// Without /usr/bin/chromium the tests fail and say how to install it; CONSOLE_TESTS=skip skips them.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED_TASK, TEAM_CHAT_ID, startMockApps, type MockApps } from './support/apps.js';
import { ROOT, eventually, tempDir, writeConfig } from './support/hub.js';
import { connectAs, startHttpHub, type HttpHub } from './support/tokens.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const ARTIFACTS = path.join(ROOT, 'test-artifacts/console');
const TOKEN = 'tok-console-ops-0123456789abcdef';
const SKIP = process.env.CONSOLE_TESTS === 'skip';
/** Steps of a run move on a loaded 2-core machine in seconds, not milliseconds. */
const WAIT = { timeout: 60_000 };

interface ApiWorkflow {
  id: string;
  name: string;
  source: string;
  state: string;
}

describe.skipIf(SKIP)('web console in a browser', () => {
  let apps: MockApps;
  let hub: HttpHub;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const shot = (name: string, on: Page = page) => on.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const api = async <T>(route: string, token = TOKEN): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${hub.base}/api/v1${route}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as T };
  };
  const open = (on: Page, hash = '') => on.goto(`${hub.base}/ui/${hash}`);
  const newPage = async (on: BrowserContext) => {
    const p = await on.newPage();
    p.on('pageerror', (err) => pageErrors.push(`${err.name}: ${err.message}`));
    return p;
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `The console tests drive Debian's chromium at ${CHROMIUM}, which is not installed. Install it with ` +
          '`sudo apt-get update && sudo apt-get install -y chromium` (never `npx playwright install`), or set CONSOLE_TESTS=skip to skip these tests.',
      );
    }
    if (!existsSync(path.join(ROOT, 'dist/ui/index.html'))) throw new Error('dist/ui/index.html is missing: run `npm run build` (it builds the console with Vite).');
    mkdirSync(ARTIFACTS, { recursive: true });
    apps = await startMockApps();
    const config = {
      ...apps.config,
      // The seed task's Telegram step needs consent: the run waits for approval, given on the page.
      orchestrate: { trust: ['xero__list-*'], confirm: ['telegram__send_*'] },
      http: { auth: { tokens: [{ name: 'ops', token: TOKEN, tools: ['*'], orchestrate: true, workflows: true, admin: true }] } },
      workflows: { weekly: { schedule: '0 9 * * 1', steps: [{ id: 'invoices', tool: 'xero__list-invoices', args: { page: 1 } }] } },
    };
    hub = await startHttpHub(writeConfig(tempDir(), config));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await newPage(context);
  }, 120_000);

  // A failed test leaves a picture of the page it failed on.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await shot(`FAILED-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await hub?.stop();
    await apps?.close();
  });

  it('shows the login page with an error for a wrong token, pasted or saved', async () => {
    const guest = await newPage(await browser.newContext());
    await open(guest);
    await guest.getByLabel('Token').fill('not-the-token');
    await guest.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => guest.getByRole('alert').textContent(), WAIT).toMatch(/not accepted \(401\)/);
    await expect(guest.getByRole('navigation', { name: 'Console' }).count()).resolves.toBe(0);
    await shot('login-wrong-token', guest);

    // A wrong token already in localStorage: the first API answer (401) sends the console to the login page.
    await guest.evaluate(() => localStorage.setItem('mcp-orchestrator.token', 'stale-token'));
    await guest.goto('about:blank');
    await open(guest, '#/runs');
    await guest.getByLabel('Token').waitFor(WAIT);
    await expect.poll(() => guest.getByRole('alert').textContent(), WAIT).toMatch(/saved token was not accepted/);
    expect(await guest.evaluate(() => localStorage.getItem('mcp-orchestrator.token'))).toBeNull();
    await guest.context().close();
  }, 120_000);

  it("opens with the right token and lists the demo's servers", async () => {
    await open(page);
    await page.getByLabel('Token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    const servers = page.getByRole('table', { name: 'Servers' });
    for (const name of ['xero', 'clickup', 'telegram']) {
      await servers.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) }).waitFor(WAIT);
    }
    // The servers are up: each row reaches "ready" with its tools counted (the page refreshes itself).
    for (const name of ['xero', 'clickup', 'telegram']) {
      const row = servers.locator(`tr[data-server="${name}"]`);
      await row.locator('.status', { hasText: /^ready$/ }).waitFor(WAIT);
      expect(Number(await row.locator('td.num').first().textContent())).toBeGreaterThan(0);
    }
    expect(await servers.locator('tbody tr').count()).toBe(3);
    expect(await page.locator('.who strong').textContent()).toBe('ops');
    await shot('servers');
  }, 120_000);

  let runId = '';

  it('runs the seed task from the Runs page, shows its steps as they finish, and approves the Telegram step', async () => {
    expect(apps.telegram.state.sentTo(TEAM_CHAT_ID)).toHaveLength(0);
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('textbox', { name: 'Task', exact: true }).fill(SEED_TASK);
    await shot('runs');

    // Record what the page shows after every DOM change: the run's status and each step row's status.
    await page.evaluate(() => {
      const w = window as unknown as { __seen: Array<{ run: string; steps: string[] }> };
      w.__seen = [];
      const record = () => {
        const run = document.querySelector('[data-testid="run-status"]')?.textContent ?? '';
        const steps = [...document.querySelectorAll('tr[data-step]')].map((r) => r.querySelector('.status')?.textContent ?? '');
        const last = w.__seen[w.__seen.length - 1];
        if (run && (!last || last.run !== run || last.steps.join() !== steps.join())) w.__seen.push({ run, steps });
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/#\/runs\/[^/]+$/, WAIT);
    runId = decodeURIComponent(new URL(page.url()).hash.split('/').pop()!);

    const steps = page.getByRole('table', { name: 'Steps' });
    const succeeded = steps.locator('tbody tr').filter({ has: page.locator('.status', { hasText: /^succeeded$/ }) });
    await succeeded.nth(1).waitFor(WAIT);
    const status = page.getByTestId('run-status');
    await status.getByText('needs-approval', { exact: true }).waitFor(WAIT);
    expect(await succeeded.count()).toBeGreaterThanOrEqual(2);
    await page.getByRole('heading', { name: 'Waiting for approval' }).waitFor(WAIT);
    expect(await page.locator('.approval').textContent()).toContain('telegram__send_message');
    expect(apps.telegram.state.sentTo(TEAM_CHAT_ID)).toHaveLength(0);

    // Live: the page showed the run before it settled, and its steps finishing one after another,
    // not only the final record.
    const seen = await page.evaluate(() => (window as unknown as { __seen: Array<{ run: string; steps: string[] }> }).__seen);
    writeFileSync(path.join(ARTIFACTS, 'run-states-seen.json'), JSON.stringify(seen, null, 1));
    const whileRunning = seen.filter((s) => s.run === 'running').map((s) => s.steps.filter((x) => x === 'succeeded').length);
    expect(new Set(whileRunning).size, JSON.stringify(seen)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...whileRunning), JSON.stringify(seen)).toBeGreaterThanOrEqual(1);
    await shot('run-needs-approval');

    // The Approvals page lists the waiting run.
    await page.getByRole('link', { name: 'Approvals', exact: true }).click();
    const waiting = page.getByRole('listitem', { name: `Run ${runId}` });
    await waiting.waitFor(WAIT);
    await waiting.getByText('telegram__send_message').first().waitFor(WAIT);
    await shot('approvals');

    // Approve on the run's page and watch it finish.
    await waiting.getByRole('link').first().click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await status.getByText('succeeded', { exact: true }).waitFor(WAIT);
    await steps.locator('tr[data-step]').filter({ hasText: 'telegram__send_message' }).locator('.status', { hasText: /^succeeded$/ }).waitFor(WAIT);
    await shot('run-succeeded');
    expect(apps.telegram.state.sentTo(TEAM_CHAT_ID)).toHaveLength(1);
    const record = await api<{ status: string }>(`/runs/${encodeURIComponent(runId)}`);
    expect(record.body.status).toBe('succeeded');

    // The list shows it too.
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('table', { name: 'Runs' }).getByRole('row').filter({ hasText: SEED_TASK }).locator('.status', { hasText: /^succeeded$/ }).first().waitFor(WAIT);
  }, 240_000);

  it('pauses a workflow from the Workflows page', async () => {
    // A workflow made at runtime (config workflows are read-only through the hub's tools).
    const mcp = await connectAs(hub.url, TOKEN);
    const made = await mcp.client.callTool({
      name: 'schedule_workflow',
      arguments: { name: 'monday-invoices', schedule: '0 9 * * 1', steps: [{ id: 'invoices', tool: 'xero__list-invoices', args: { page: 1 } }] },
    });
    await mcp.close();
    expect(made.isError, JSON.stringify(made.content)).toBeFalsy();
    const id = (made.structuredContent as { id: string }).id;

    await page.getByRole('link', { name: 'Workflows', exact: true }).click();
    const table = page.getByRole('table', { name: 'Workflows' });
    await table.locator('tr[data-workflow="weekly"]').waitFor(WAIT);
    const row = table.locator(`tr[data-workflow="${id}"]`);
    await row.getByTestId('workflow-state').getByText('scheduled', { exact: true }).waitFor(WAIT);
    await shot('workflows');
    await row.getByRole('button', { name: /^Pause / }).click();
    await row.getByTestId('workflow-state').getByText('paused', { exact: true }).waitFor(WAIT);
    await row.getByRole('button', { name: /^Resume / }).waitFor(WAIT);
    const listed = await api<{ workflows: ApiWorkflow[] }>('/workflows');
    expect(listed.body.workflows.find((w) => w.id === id)?.state).toBe('paused');
    expect(listed.body.workflows.find((w) => w.id === 'weekly')?.state).toBe('scheduled');
    await shot('workflows-paused');

    await row.getByRole('link').first().click();
    await page.getByRole('heading', { name: /^Workflow / }).waitFor(WAIT);
    await shot('workflow');
  }, 120_000);

  it('shows the catalog, memory, conversations, usage and audit pages', async () => {
    await page.getByRole('link', { name: 'Catalog', exact: true }).click();
    await page.getByLabel('Server').selectOption('xero');
    await page.getByRole('table', { name: 'Tools' }).getByText('xero__list-invoices', { exact: true }).waitFor(WAIT);
    await page.getByLabel('Find tools for').fill('unpaid invoices');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.getByRole('table', { name: 'Search results' });
    await results.getByText('xero__list-invoices', { exact: true }).waitFor(WAIT);
    await shot('catalog');

    await page.getByRole('link', { name: 'Conversations', exact: true }).click();
    await page.getByRole('table', { name: 'Conversations' }).getByRole('link').first().waitFor(WAIT);
    await shot('conversations');
    await page.getByRole('table', { name: 'Conversations' }).getByRole('link').first().click();
    await page.getByRole('heading', { name: /^Conversation/ }).waitFor(WAIT);
    await page.locator('.cards .card').first().waitFor(WAIT);
    await shot('conversation');

    await page.getByRole('link', { name: 'Memory', exact: true }).click();
    await page.getByRole('heading', { name: 'Memory', level: 1 }).waitFor(WAIT);
    // This hub runs without memory (memory.enabled: false): the page says so, from the API's answer.
    await expect.poll(() => page.getByRole('alert').textContent(), WAIT).toMatch(/memory is off/);
    await shot('memory');

    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await expect.poll(() => page.locator('figure.chart svg[role="img"]').count(), WAIT).toBe(4);
    // The run's tool calls are counted: the calls chart's total is not zero.
    const totals = page.getByRole('definition').first();
    await expect.poll(async () => Number(await totals.textContent()), WAIT).toBeGreaterThan(0);
    await shot('usage');

    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    const audit = page.getByRole('table', { name: 'Audit entries' });
    await audit.getByText('telegram__send_message').first().waitFor(WAIT);
    await page.getByLabel('Tool').fill('telegram__send_message');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(async () => (await audit.locator('tbody tr').allTextContents()).every((t) => t.includes('telegram__send_message')), WAIT).toBe(true);
    await shot('audit');
  }, 120_000);

  it('logs out back to the login page, with no JavaScript errors on the way', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Token').waitFor(WAIT);
    expect(await page.evaluate(() => localStorage.getItem('mcp-orchestrator.token'))).toBeNull();
    await shot('logged-out');
    expect(pageErrors).toEqual([]);
    // And the API agrees about tokens: a wrong one is refused, the right one is "ops".
    expect((await api('/me', 'wrong')).status).toBe(401);
    await eventually(async () => (await api<{ name: string }>('/me')).body?.name === 'ops', 5_000, '/api/v1/me as ops');
  }, 60_000);
});
