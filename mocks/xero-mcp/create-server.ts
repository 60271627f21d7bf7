// The mock as an MCP Server object, for the stdio entry (server.ts) or any other transport.
//
// The low-level Server is used (not McpServer) so tools/list can hand out the official JSON schemas
// byte for byte instead of schemas regenerated from zod.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { checkArguments, TOOL_DEFINITIONS } from './definitions.js';
import { failureResult, injectedFailure } from './failures.js';
import type { Store } from '../xero-api/store.js';
import { TOOLS, XeroFailure } from './tools.js';

// Errors that McpServer (which the official server uses) turns into isError results: "MCP error -32602: ...".
const protocolError = (message: string): CallToolResult => ({ content: [{ type: 'text', text: `MCP error -32602: ${message}` }], isError: true });

/** "list-aged-payables-by-contact" -> "Error listing aged payables by contact", as the official handlers word it. */
function officialPrefix(name: string): string {
  const [verb, ...rest] = name.split('-');
  const ing: Record<string, string> = { list: 'listing', create: 'creating', update: 'updating', get: 'retrieving', delete: 'deleting', approve: 'approving', revert: 'reverting', add: 'adding' };
  return `Error ${ing[verb] ?? `${verb}ing`} ${rest.join(' ')}`;
}

export function createXeroMockServer(store: Store, env: NodeJS.ProcessEnv = process.env): Server {
  // Every official tool is listed, so the catalog is the real one; those the mock does not implement fail
  // the way the official server fails (plain text), which the hub flags as an error.
  const served = TOOL_DEFINITIONS;
  const server = new Server({ name: 'Xero MCP Server', version: '1.0.0+mock' }, { capabilities: { tools: { listChanged: true } } });

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: served }));

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const name = request.params.name;
    const tool = TOOLS[name];
    if (!served.some((t) => t.name === name)) return protocolError(`Tool ${name} not found`);
    if (!tool) return failureResult(officialPrefix(name), `the offline mock does not implement ${name} (it implements ${Object.keys(TOOLS).join(', ')})`);
    const args = { ...(request.params.arguments ?? {}) };
    const problem = checkArguments(name, args);
    if (problem) return protocolError(`Input validation error: Invalid arguments for tool ${name}: ${problem}`);

    const injected = injectedFailure(name, env);
    if (injected) return failureResult(tool.errorPrefix, injected);
    try {
      return tool.run(args, { state: store.state, save: () => store.save() });
    } catch (err) {
      if (err instanceof XeroFailure) return failureResult(tool.errorPrefix, err.message);
      throw err;
    }
  });
  return server;
}
