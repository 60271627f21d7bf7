#!/usr/bin/env node
// A stand-in for the official Xero MCP server (@xeroapi/xero-mcp-server) when no Xero organisation is
// reachable: the same tool names, descriptions and input schemas, the same text answers and the same
// plain-text failures, over a seeded in-memory ledger ("Acme Ltd"). See README.md.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createXeroMockServer } from './create-server.js';
import { Store } from '../xero-api/store.js';

async function main(): Promise<void> {
  const store = Store.open(process.env.XERO_MOCK_STATE_FILE || undefined);
  const server = createXeroMockServer(store);
  await server.connect(new StdioServerTransport());
  // stdout is the protocol channel; say hello on stderr.
  process.stderr.write(`xero-mcp mock: ${store.state.organisation.name}, ${store.state.invoices.length} invoices\n`);
}

main().catch((error) => {
  process.stderr.write(`xero-mcp mock: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
