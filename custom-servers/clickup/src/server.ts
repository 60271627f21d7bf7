// Builds the ClickUp MCP server: every tool group registered over one API client.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ClickUpApi } from './api.js';
import { registerCommentTools } from './tools/comments.js';
import { registerFieldTools } from './tools/fields.js';
import { registerHierarchyTools } from './tools/hierarchy.js';
import { registerTagTools } from './tools/tags.js';
import { registerTaskTools } from './tools/tasks.js';
import { registerTimeTools } from './tools/time.js';

export const SERVER_INFO = { name: 'mcp-clickup', version: '0.1.0' };

export function createClickUpServer(api: ClickUpApi): McpServer {
  const server = new McpServer(SERVER_INFO, {
    instructions:
      'ClickUp tools. Ids flow top-down: get_workspaces (team_id, user ids) > get_spaces (space_id, statuses) > ' +
      'get_folders / get_lists (list_id) > search_tasks (task_id). Dates are ISO 8601 in and out.',
  });
  registerHierarchyTools(server, api);
  registerTaskTools(server, api);
  registerCommentTools(server, api);
  registerTagTools(server, api);
  registerFieldTools(server, api);
  registerTimeTools(server, api);
  return server;
}
