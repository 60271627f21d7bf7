#!/usr/bin/env node
// The smallest proxy the official SDK allows: a stdio Server that forwards tools/list and tools/call
// to one downstream stdio server through a Client. The proxy benchmark measures it as the floor that
// any MCP hub built on the SDK pays for two pipe hops.
//
//   node dist/bench/passthrough-server.js <command> [args...]   (the downstream server's command line)
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: passthrough-server <command> [args...]\n');
  process.exit(2);
}

const downstream = new Client({ name: 'passthrough', version: '1.0.0' });
await downstream.connect(new StdioClientTransport({ command, args, env: process.env as Record<string, string>, stderr: 'inherit' }));

const server = new Server({ name: 'passthrough', version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, (request) => downstream.listTools(request.params));
server.setRequestHandler(CallToolRequestSchema, (request) => downstream.callTool(request.params));
await server.connect(new StdioServerTransport());
// The client closing stdin ends the proxy and its downstream server with it.
process.stdin.once('end', () => void downstream.close().finally(() => process.exit(0)));
