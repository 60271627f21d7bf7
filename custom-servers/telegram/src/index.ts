#!/usr/bin/env node
// mcp-telegram: the Telegram Bot API as an MCP server on stdio. stdout carries the protocol, so
// everything else goes to stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, loadConfig } from './config.js';
import { createTelegramServer } from './server.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`mcp-telegram: ${err.message}\n`);
  process.exit(1);
}

const server = createTelegramServer(config);
await server.connect(new StdioServerTransport());
process.stderr.write(`mcp-telegram: ready (Bot API ${config.apiUrl}${config.defaultChatId ? `, default chat ${config.defaultChatId}` : ''})\n`);

const shutdown = () => void server.close().finally(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
process.stdin.on('close', shutdown);
