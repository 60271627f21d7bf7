// The Telegram MCP server as a client sees it: a real stdio child process (the built server) talking to
// the Bot API mock started here, with assertions on the mock's state for every write.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startTelegramMock, TEAM_CHAT_ID, FORMER_CHAT_ID, users, type TelegramMock } from '../mocks/telegram-api/index.js';

const SERVER = path.resolve('dist/custom-servers/telegram/src/index.js');

interface Child {
  client: Client;
  stderr: () => string;
}

async function startServer(env: Record<string, string>): Promise<Child> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER], env: { ...getDefaultEnvironment(), ...env }, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'telegram-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

async function call(child: Child, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await child.client.callTool({ name, arguments: args })) as CallToolResult;
}

const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
const data = (r: CallToolResult) => r.structuredContent as any;

/** Succeeds or shows the tool's error text in the failure message. */
function expectOk(r: CallToolResult): CallToolResult {
  expect(r.isError, text(r)).toBeFalsy();
  return r;
}

// A 2x1 PNG: the mock reads the size from the IHDR chunk, as Telegram would decode the image.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0eNT6AAAAEUlEQVR4nGP4z8DwHwyBFAMAQFcH+XUBq1wAAAAASUVORK5CYII=', 'base64');

describe('telegram MCP server', () => {
  let mock: TelegramMock;
  let faultyMock: TelegramMock;
  let tg: Child;
  /** No default chat, short timeout, one retry: for the failure paths. */
  let strict: Child;
  let uploads: string;

  beforeAll(async () => {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run npx tsc -p tsconfig.json first`);
    uploads = await mkdtemp(path.join(os.tmpdir(), 'tg-uploads-'));
    mock = await startTelegramMock();
    faultyMock = await startTelegramMock();
    tg = await startServer({
      TELEGRAM_BOT_TOKEN: mock.token,
      TELEGRAM_API_URL: mock.url,
      TELEGRAM_DEFAULT_CHAT_ID: String(TEAM_CHAT_ID),
      TELEGRAM_UPLOAD_DIRS: uploads,
    });
    strict = await startServer({ TELEGRAM_BOT_TOKEN: faultyMock.token, TELEGRAM_API_URL: faultyMock.url, TELEGRAM_TIMEOUT_MS: '300', TELEGRAM_MAX_RETRIES: '1' });
  });

  afterAll(async () => {
    await tg?.client.close();
    await strict?.client.close();
    await mock?.close();
    await faultyMock?.close();
    if (uploads) await rm(uploads, { recursive: true, force: true });
  });

  describe('tool list', () => {
    it('offers every tool with a schema, an output schema and honest annotations', async () => {
      const { tools } = await tg.client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t]));
      const reads = ['get_me', 'get_recent_messages', 'get_updates', 'get_chat', 'get_chat_administrators', 'get_chat_member_count'];
      const writes = ['send_message', 'edit_message_text', 'delete_message', 'forward_message', 'pin_message', 'unpin_message', 'send_document', 'send_photo'];
      expect([...byName.keys()].sort()).toEqual([...reads, ...writes].sort());
      for (const tool of tools) {
        expect(tool.description!.length, tool.name).toBeGreaterThan(60);
        expect(tool.outputSchema, tool.name).toBeDefined();
        expect(tool.annotations?.openWorldHint, tool.name).toBe(true);
      }
      for (const name of reads) expect(byName.get(name)!.annotations?.readOnlyHint, name).toBe(true);
      for (const name of writes) expect(byName.get(name)!.annotations?.readOnlyHint, name).toBe(false);
      // Deleting and overwriting lose content for everyone; sending, forwarding and pinning only add.
      const destructive = ['delete_message', 'edit_message_text'];
      for (const name of destructive) expect(byName.get(name)!.annotations?.destructiveHint, name).toBe(true);
      for (const name of writes.filter((n) => !destructive.includes(n))) expect(byName.get(name)!.annotations?.destructiveHint, name).toBe(false);
      // chat_id is optional wherever it applies, so the default chat can stand in.
      expect((byName.get('send_message')!.inputSchema as any).required).toEqual(['text']);
    });
  });

  describe('messages', () => {
    it('sends to the default chat when chat_id is omitted', async () => {
      const r = expectOk(await call(tg, 'send_message', { text: 'Invoice INV-0042 was approved by Alice.' }));
      const sent = mock.state.sentTo(TEAM_CHAT_ID).filter((m) => m.text === 'Invoice INV-0042 was approved by Alice.');
      expect(sent).toHaveLength(1);
      expect(data(r)).toMatchObject({ chat_id: TEAM_CHAT_ID, message_ids: [sent[0].message_id], parts: 1 });
      expect(text(r)).toContain('Acme Finance Team');
    });

    it('sends HTML as a silent reply in a private chat', async () => {
      const r = expectOk(await call(tg, 'send_message', { chat_id: users.alice.id, text: 'Aged receivables: <b>€18,400</b> &amp; falling', parse_mode: 'HTML', reply_to_message_id: 9, silent: true }));
      const [message] = mock.state.sentTo(users.alice.id);
      expect(message.text).toBe('Aged receivables: €18,400 & falling');
      expect(message.entities).toEqual([{ type: 'bold', offset: 18, length: 7 }]);
      expect(message.reply_to_message?.message_id).toBe(9);
      expect(mock.state.actions.find((a) => a.message_id === message.message_id && a.chat_id === users.alice.id)?.silent).toBe(true);
      expect(data(r).messages[0]).toMatchObject({ reply_to_message_id: 9, chat: 'Alice Martin' });
    });

    it('splits a 10,000-character text into 3 messages of at most 4096, in order, content intact', async () => {
      const paragraphs = Array.from({ length: 25 }, (_, i) => `Paragraph ${i + 1}: ` + 'ledger entry reconciled against the bank feed. '.repeat(8).trim());
      let long = paragraphs.join('\n\n');
      // Exactly 10,000 characters, ending in a non-space (Telegram trims trailing whitespace).
      long = long.padEnd(9_999, ' more').slice(0, 9_999) + '.';
      expect(long.length).toBe(10_000);
      const before = mock.state.sent.length;
      const r = expectOk(await call(tg, 'send_message', { text: long }));
      const sent = mock.state.sent.slice(before);
      expect(sent).toHaveLength(3);
      for (const m of sent) {
        expect(m.chat.id).toBe(TEAM_CHAT_ID);
        expect(m.text!.length).toBeLessThanOrEqual(4096);
      }
      // Cuts fall on paragraph boundaries, so rejoining with the separator gives back the text exactly.
      expect(sent.map((m) => m.text).join('\n\n')).toBe(long);
      expect(data(r)).toMatchObject({ parts: 3, message_ids: sent.map((m) => m.message_id) });
    });

    it('keeps HTML valid in every part when a long <pre> block spans a cut', async () => {
      const rows = Array.from({ length: 400 }, (_, i) => `INV-${String(i).padStart(4, '0')}  Globex  ${(i * 37.5).toFixed(2)} &amp; paid`);
      const html = `<b>Open invoices</b>\n\n<pre><code class="language-text">${rows.join('\n')}</code></pre>\n\nTotal: <i>400</i>`;
      expect(html.length).toBeGreaterThan(8192);
      const before = mock.state.sent.length;
      const r = expectOk(await call(tg, 'send_message', { text: html, parse_mode: 'HTML' }));
      const sent = mock.state.sent.slice(before);
      expect(sent.length).toBeGreaterThanOrEqual(3);
      expect(data(r).message_ids).toHaveLength(sent.length);
      // The mock parses HTML like Telegram: an unbalanced tag would have failed the whole call.
      for (const m of sent) expect(m.entities?.some((e) => e.type === 'pre')).toBe(true);
      const squash = (s: string) => s.replace(/\s+/g, '');
      expect(squash(sent.map((m) => m.text).join(''))).toBe(squash(`Open invoices${rows.join('').replace(/&amp;/g, '&')}Total: 400`));
    });

    it('edits, forwards, pins, unpins and deletes', async () => {
      const sent = data(expectOk(await call(tg, 'send_message', { text: 'Draft: payment run at 3pm' })));
      const id = sent.message_ids[0];

      const edited = expectOk(await call(tg, 'edit_message_text', { message_id: id, text: 'Payment run moved to 4pm' }));
      expect(mock.state.message(TEAM_CHAT_ID, id)?.text).toBe('Payment run moved to 4pm');
      expect(mock.state.message(TEAM_CHAT_ID, id)?.edit_date).toBeTypeOf('number');
      expect(data(edited).message.edited).toBeDefined();

      const fwd = expectOk(await call(tg, 'forward_message', { chat_id: users.alice.id, message_id: 102 }));
      const forwarded = mock.state.sentTo(users.alice.id).at(-1)!;
      expect(forwarded.text).toContain('Q3 invoices for Globex');
      expect(forwarded.forward_origin).toMatchObject({ type: 'user', sender_user: { id: users.bob.id } });
      expect(data(fwd).message.forwarded_from).toContain('Bob Chen');

      expectOk(await call(tg, 'pin_message', { message_id: id, silent: true }));
      expect(mock.state.chats.get(TEAM_CHAT_ID)!.pinned.at(-1)).toBe(id);
      expectOk(await call(tg, 'unpin_message', {}));
      expect(mock.state.chats.get(TEAM_CHAT_ID)!.pinned).not.toContain(id);

      const del = expectOk(await call(tg, 'delete_message', { message_id: id }));
      expect(data(del)).toEqual({ chat_id: TEAM_CHAT_ID, message_id: id, deleted: true });
      expect(mock.state.message(TEAM_CHAT_ID, id)).toBeUndefined();

      const again = await call(tg, 'delete_message', { message_id: id });
      expect(again.isError).toBe(true);
      expect(text(again)).toContain('Bad Request: message to delete not found');
      expect(text(again)).toContain('Hint: check message_id');
    });

    it('refuses markup Telegram cannot parse, with the reason and a hint', async () => {
      const before = mock.state.sent.length;
      const r = await call(tg, 'send_message', { text: 'Total: 1.200 EUR', parse_mode: 'MarkdownV2' });
      expect(r.isError).toBe(true);
      expect(text(r)).toContain("Character '.' is reserved");
      expect(text(r)).toContain('Hint:');
      expect(mock.state.sent.length).toBe(before);
    });
  });

  describe('files', () => {
    it('sends a document from a URL and from a local file (multipart upload)', async () => {
      const fromUrl = expectOk(await call(tg, 'send_document', { url: 'https://files.acme.example/reports/q3-close.pdf', caption: 'Q3 close pack' }));
      const byUrl = mock.state.sentTo(TEAM_CHAT_ID).at(-1)!;
      expect(byUrl.document).toMatchObject({ file_name: 'q3-close.pdf', mime_type: 'application/pdf' });
      expect(byUrl.caption).toBe('Q3 close pack');
      expect(data(fromUrl).message.document.file_name).toBe('q3-close.pdf');

      const csv = 'invoice,customer,amount\nINV-0042,Globex,1200.00\n';
      await writeFile(path.join(uploads, 'aged-receivables.csv'), csv);
      expectOk(await call(tg, 'send_document', { chat_id: users.alice.id, file_path: path.join(uploads, 'aged-receivables.csv'), caption: '<b>Aged</b> receivables', parse_mode: 'HTML' }));
      const uploaded = mock.state.sentTo(users.alice.id).at(-1)!;
      expect(uploaded.document?.file_name).toBe('aged-receivables.csv');
      expect(uploaded.caption_entities).toEqual([{ type: 'bold', offset: 0, length: 4 }]);
      expect(mock.state.files.get(uploaded.document!.file_id)?.bytes?.toString()).toBe(csv);
    });

    it('sends a photo from a local file and from a URL', async () => {
      await writeFile(path.join(uploads, 'chart.png'), PNG);
      const r = expectOk(await call(tg, 'send_photo', { file_path: path.join(uploads, 'chart.png'), caption: 'Cash position' }));
      const photo = mock.state.sentTo(TEAM_CHAT_ID).at(-1)!;
      expect(photo.photo?.at(-1)).toMatchObject({ width: 2, height: 1 });
      expect(data(r).message.photo).toMatchObject({ width: 2, height: 1 });

      expectOk(await call(tg, 'send_photo', { url: 'https://files.acme.example/charts/burn.png' }));
      expect(mock.state.sentTo(TEAM_CHAT_ID).at(-1)!.photo).toBeDefined();
    });

    it('will not upload files outside TELEGRAM_UPLOAD_DIRS, and wants exactly one source', async () => {
      const before = mock.state.sent.length;
      const outside = await call(tg, 'send_document', { file_path: path.resolve('package.json') });
      expect(outside.isError).toBe(true);
      expect(text(outside)).toContain('TELEGRAM_UPLOAD_DIRS');
      const both = await call(tg, 'send_photo', { url: 'https://files.acme.example/a.png', file_path: path.join(uploads, 'chart.png') });
      expect(both.isError).toBe(true);
      expect(text(both)).toContain('exactly one of url, file_path or file_id');
      expect(mock.state.sent.length).toBe(before);
    });
  });

  describe('reading', () => {
    it('reports the bot, the chat, its admins and member count', async () => {
      expect(data(expectOk(await call(tg, 'get_me')))).toMatchObject({ id: 7123456789, username: 'acme_finance_bot', can_join_groups: true });

      const chat = data(expectOk(await call(tg, 'get_chat')));
      expect(chat).toMatchObject({ id: TEAM_CHAT_ID, type: 'supergroup', title: 'Acme Finance Team', name: 'Acme Finance Team' });
      expect(chat.description).toContain('month-end close');

      const admins = data(expectOk(await call(tg, 'get_chat_administrators'))).administrators;
      expect(admins.map((a: any) => a.user_id).sort()).toEqual([users.alice.id, users.bob.id, 7123456789].sort());
      expect(admins.find((a: any) => a.user_id === users.alice.id)).toMatchObject({ status: 'creator', custom_title: 'CFO' });
      expect(admins.find((a: any) => a.is_bot).rights).toContain('can_pin_messages');

      expect(data(expectOk(await call(tg, 'get_chat_member_count', { chat_id: String(TEAM_CHAT_ID) })))).toEqual({ chat_id: String(TEAM_CHAT_ID), count: 5 });
    });

    it('lists recent messages and updates the bot has seen, including new ones', async () => {
      const recent = data(expectOk(await call(tg, 'get_recent_messages', { limit: 3 })));
      expect(recent.messages.map((m: any) => m.message_id)).toEqual([103, 104, 105]);
      expect(recent.messages[0]).toMatchObject({ chat_id: TEAM_CHAT_ID, from: 'Carol Diaz (@carol_d)' });
      expect(recent.messages[1].reply_to_message_id).toBe(102);

      const all = data(expectOk(await call(tg, 'get_recent_messages', { all_chats: true })));
      expect(all.chats.map((c: any) => c.chat_id).sort()).toEqual([TEAM_CHAT_ID, users.alice.id].sort());
      // What the bot sent itself never comes back as an update.
      expect(all.messages.every((m: any) => m.from_id !== 7123456789)).toBe(true);

      const updates = data(expectOk(await call(tg, 'get_updates', {})));
      expect(updates.updates).toHaveLength(7);
      expect(updates.updates.map((u: any) => u.update_id)).toEqual([...updates.updates.map((u: any) => u.update_id)].sort((a: number, b: number) => a - b));
      // The server confirmed what it read (offset on the next getUpdates), so Telegram's queue is empty...
      expect(mock.state.updates).toHaveLength(0);

      const injected = mock.state.injectMessage(TEAM_CHAT_ID, users.dan, 'Bank feed is in: INV-0039 matched.');
      const newer = data(expectOk(await call(tg, 'get_updates', { after_update_id: updates.last_update_id })));
      expect(newer.updates).toEqual([expect.objectContaining({ update_id: injected.update_id, type: 'message', message: expect.objectContaining({ text: 'Bank feed is in: INV-0039 matched.' }) })]);
      // ...and the server still answers from memory for the earlier ones.
      const again = data(expectOk(await call(tg, 'get_recent_messages', { limit: 2 })));
      expect(again.messages.map((m: any) => m.text)).toEqual(['/report@acme_finance_bot', 'Bank feed is in: INV-0039 matched.']);
    });
  });

  describe('errors', () => {
    it('explains a chat the bot cannot see, or was removed from', async () => {
      const missing = await call(tg, 'get_chat', { chat_id: -1009999999999 });
      expect(missing.isError).toBe(true);
      expect(text(missing)).toContain('Telegram error 400: Bad Request: chat not found');
      expect(text(missing)).toContain('add the bot to the group');
      expect(text(missing)).toContain(`TELEGRAM_DEFAULT_CHAT_ID is ${TEAM_CHAT_ID}`);

      const kicked = await call(tg, 'send_message', { chat_id: FORMER_CHAT_ID, text: 'hello?' });
      expect(kicked.isError).toBe(true);
      expect(text(kicked)).toContain('403');
      expect(text(kicked)).toContain('add it back');
    });

    it('asks for chat_id when none is given and no default is set', async () => {
      const r = await call(strict, 'send_message', { text: 'to whom?' });
      expect(r.isError).toBe(true);
      expect(text(r)).toContain('chat_id is required');
      expect(text(r)).toContain('TELEGRAM_DEFAULT_CHAT_ID');
      expect(faultyMock.server.requests).toHaveLength(0);
    });

    it('honours retry_after on 429 and then succeeds', async () => {
      mock.server.setFaults({ rateLimit: { count: 1, retryAfterSec: 1 } });
      const start = mock.server.requests.length;
      const r = expectOk(await call(tg, 'get_chat_member_count', {}));
      expect(data(r).count).toBe(5);
      const tries = mock.server.requests.slice(start);
      expect(tries.map((t) => t.path.split('/').pop())).toEqual(['getChatMemberCount', 'getChatMemberCount']);
      // The retry waited for the hint from the body (parameters.retry_after = 1 s), not a default backoff.
      expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(950);
    });

    it('reports a rejected token with a hint and without the token', async () => {
      mock.server.setFaults({ revokedToken: true });
      try {
        const r = await call(tg, 'get_me');
        expect(r.isError).toBe(true);
        expect(text(r)).toContain('401');
        expect(text(r)).toContain('Unauthorized');
        expect(text(r)).toContain('token rejected: check TELEGRAM_BOT_TOKEN');
        expect(text(r)).not.toContain(mock.token);
        expect(text(r)).not.toContain(mock.token.split(':')[1]);
      } finally {
        mock.server.setFaults({});
      }
    });

    it('retries a 500 once and succeeds; gives up with a hint when it persists', async () => {
      mock.server.setFaults({ serverError: { count: 1 } });
      expectOk(await call(tg, 'get_chat', {}));

      faultyMock.server.setFaults({ serverError: { count: 5 } });
      const start = faultyMock.server.requests.length;
      const r = await call(strict, 'get_me');
      faultyMock.server.setFaults({});
      expect(r.isError).toBe(true);
      expect(text(r)).toContain('Telegram error 500: Internal Server Error');
      expect(text(r)).toContain('try again later');
      expect(faultyMock.server.requests.length - start).toBe(2); // TELEGRAM_MAX_RETRIES=1
    });

    it('turns malformed JSON into a tool error', async () => {
      faultyMock.server.setFaults({ malformed: { count: 1 } });
      const r = await call(strict, 'get_me');
      expect(r.isError).toBe(true);
      expect(text(r)).toContain('malformed JSON');
      expectOk(await call(strict, 'get_me'));
    });

    it('times out after TELEGRAM_TIMEOUT_MS', async () => {
      faultyMock.server.setFaults({ slowMs: 3000 });
      try {
        const r = await call(strict, 'get_chat_member_count', { chat_id: TEAM_CHAT_ID });
        expect(r.isError).toBe(true);
        expect(text(r)).toContain('did not answer within 300 ms');
        expect(text(r)).toContain('TELEGRAM_TIMEOUT_MS');
      } finally {
        faultyMock.server.setFaults({});
      }
    });

    it('never writes the token to stderr', () => {
      expect(tg.stderr()).toContain('mcp-telegram: ready');
      expect(tg.stderr()).not.toContain(mock.token);
      expect(strict.stderr()).not.toContain(faultyMock.token);
    });
  });

  it('exits 1 with a clear message when TELEGRAM_BOT_TOKEN is missing', async () => {
    const child = spawn(process.execPath, [SERVER], { env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('TELEGRAM_BOT_TOKEN is not set');
  });
});
