#!/usr/bin/env node
// Starts the ClickUp mock on its own: node dist/mocks/clickup-api/cli.js [--port N] [--token pk_...]
import { parseArgs } from 'node:util';
import { startClickUpMock } from './index.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, token: { type: 'string' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`clickup mock: --port must be an integer 0-65535, got ${values.port}\n`);
  process.exit(2);
}
const mock = await startClickUpMock({ port, token: values.token });
process.stderr.write(`ClickUp mock listening at ${mock.url}\nCLICKUP_API_URL=${mock.url} CLICKUP_API_TOKEN=${mock.token}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void mock.close().then(() => process.exit(0)));
