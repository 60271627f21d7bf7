// The mock as an MCP Server object, for the stdio entry (server.ts) or any other transport.
//
// The low-level Server is used (not McpServer) so tools/list can hand out the official JSON schemas
// byte for byte instead of schemas regenerated from zod.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { checkArguments, TOOL_DEFINITIONS } from './definitions.js';
import { failureResult, injectedFailure } from './failures.js';
import type { Store } from './store.js';
import { TOOLS, XeroFailure } from './tools.js';

// Errors that McpServer (which the official server uses) turns into isError results: "MCP error -32602: ...".
const protocolError = (message: string): CallToolResult => ({ content: [{ type: 'text', text: `MCP error -32602: ${message}` }], isError: true });

export function createXeroMockServer(store: Store, env: NodeJS.ProcessEnv = process.env): Server {
  const served = TOOL_DEFINITIONS.filter((t) => TOOLS[t.name]);
  const server = new Server({ name: 'Xero MCP Server', version: '1.0.0+mock' }, { capabilities: { tools: { listChanged: true } } });

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: served }));

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const name = request.params.name;
    const tool = TOOLS[name];
    if (!tool || !served.some((t) => t.name === name)) return protocolError(`Tool ${name} not found`);
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
