#!/usr/bin/env node
// Starts the Xero API mock on its own, until stopped, and prints the env a client process needs (stdout, one
// NAME=value a line; the rest goes to stderr):
//   node dist/mocks/xero-api/cli.js [--port N] [--state-file FILE] [--fail WHAT] [--fail-kind KIND]
//   npm run mock:xero-api -- --port 8082
// Put those lines in a hub config's servers.xero.env, with command: node and
// args: [node_modules/@xeroapi/xero-mcp-server/dist/index.js] (the official server).
// --fail / --fail-kind default to XERO_API_MOCK_FAIL / XERO_API_MOCK_FAIL_KIND.
import { parseArgs } from 'node:util';
import { officialXeroServerPath, startXeroApiMock } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'state-file': { type: 'string' },
    fail: { type: 'string', default: process.env.XERO_API_MOCK_FAIL },
    'fail-kind': { type: 'string', default: process.env.XERO_API_MOCK_FAIL_KIND },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`xero-api mock: --port must be an integer 0-65535, got ${values.port}\n`);
  process.exit(2);
}
let mock;
try {
  mock = await startXeroApiMock({ port, stateFile: values['state-file'], fail: values.fail, failKind: values['fail-kind'] });
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
process.stderr.write(
  `Xero API mock (identity.xero.com + api.xero.com, organisation "${mock.state.organisation.name}") listening at ${mock.url}\n` +
    `Run the official server with this env: node ${officialXeroServerPath()}\n`,
);
for (const [name, value] of Object.entries(mock.env)) process.stdout.write(`${name}=${value}\n`);
const running = mock;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void running.close().then(() => process.exit(0)));
