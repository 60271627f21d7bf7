// Regenerates tools.json from the official server's own tools/list: every tool, so the mock's catalog is
// the real one (the tools it does not implement answer with the official failure format).
// Run after upgrading @xeroapi/xero-mcp-server: node dist/mocks/xero-mcp/refresh-tools.js
// (it needs no Xero account: the official server lists its tools offline with dummy credentials).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { TOOLS } from './tools.js';

const target = fileURLToPath(new URL('../../../mocks/xero-mcp/tools.json', import.meta.url));
const transport = new StdioClientTransport({
  command: process.execPath,
  args: ['node_modules/@xeroapi/xero-mcp-server/dist/index.js'],
  env: { ...(process.env as Record<string, string>), XERO_CLIENT_ID: 'dummy', XERO_CLIENT_SECRET: 'dummy' },
  stderr: 'inherit',
});
const client = new Client({ name: 'xero-mock-refresh', version: '1.0.0' });
await client.connect(transport);
const { tools } = await client.listTools();
await client.close();
const served = tools;
const missing = Object.keys(TOOLS).filter((name) => !served.some((t) => t.name === name));
if (missing.length) throw new Error(`the official server no longer has: ${missing.join(', ')}`);
fs.writeFileSync(target, JSON.stringify(served, null, 2) + '\n');
process.stderr.write(`wrote ${served.length} official tool definitions to ${target}\n`);
