// Builds the Telegram MCP server: one McpServer with every tool registered over one Bot API client.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { TelegramClient } from './client.js';
import type { TelegramConfig } from './config.js';
import { UpdateFeed } from './feed.js';
import { registerFileTools } from './tools/files.js';
import { registerMessageTools } from './tools/messages.js';
import { registerReadTools } from './tools/read.js';

export const SERVER_INFO = { name: 'telegram', version: '0.1.0' };

export function createTelegramServer(config: TelegramConfig): McpServer {
  const server = new McpServer(SERVER_INFO, {
    instructions:
      'Telegram through a bot account. ' +
      (config.defaultChatId ? `The default chat (used when chat_id is omitted) is ${config.defaultChatId}. ` : 'No default chat is set: pass chat_id. ') +
      'Use get_recent_messages to find chat ids and message ids.',
  });
  const ctx = { config, client: new TelegramClient(config) };
  registerMessageTools(server, ctx);
  registerFileTools(server, ctx);
  registerReadTools(server, ctx, new UpdateFeed(ctx.client));
  return server;
}
