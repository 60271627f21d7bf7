#!/usr/bin/env node
// Entry point of the template custom server: reads its settings from the environment, builds the
// server and serves MCP over stdio. stdout is the protocol channel, so anything else goes to stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createApi } from './api.js';
import { createServer } from './tools.js';

async function main(): Promise<void> {
  const api = createApi({
    baseUrl: process.env.TEMPLATE_API_URL || 'https://jsonplaceholder.typicode.com',
    token: process.env.TEMPLATE_API_TOKEN || undefined,
    timeoutMs: Number(process.env.TEMPLATE_API_TIMEOUT_MS) || undefined,
  });
  await createServer(api).connect(new StdioServerTransport());
}

main().catch((err) => {
  process.stderr.write(`template: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
