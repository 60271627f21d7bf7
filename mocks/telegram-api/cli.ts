#!/usr/bin/env node
// Runs the Telegram Bot API mock alone: node dist/mocks/telegram-api/cli.js [--port N] [--token T]
// Prints its URL on stderr (stdout stays free) and stops on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startTelegramMock } from './server.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, host: { type: 'string' }, token: { type: 'string' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`telegram mock: --port must be an integer 0-65535, got ${values.port}\n`);
  process.exit(2);
}
const mock = await startTelegramMock({ port, host: values.host, token: values.token });
process.stderr.write(`Telegram Bot API mock listening on ${mock.url}\n`);
process.stderr.write(`  TELEGRAM_API_URL=${mock.url} TELEGRAM_BOT_TOKEN=${mock.token} TELEGRAM_DEFAULT_CHAT_ID=-1001234567890\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void mock.close().then(() => process.exit(0)));
