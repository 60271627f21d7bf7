#!/usr/bin/env node
// mcp-clickup: an MCP server (stdio) over the ClickUp REST API v2. stdout is the protocol channel,
// so everything human-readable goes to stderr, and the token is never printed.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ClickUpApi } from './api.js';
import { ConfigError, loadConfig } from './config.js';
import { createClickUpServer } from './server.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`mcp-clickup: ${error.message}\n`);
  process.exit(1);
}

const server = createClickUpServer(new ClickUpApi(config));
await server.connect(new StdioServerTransport());
process.stderr.write(`mcp-clickup: ready (API ${config.baseUrl})\n`);

const shutdown = () => void server.close().finally(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
