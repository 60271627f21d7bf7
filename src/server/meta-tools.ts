// The hub's own tools, always present and unprefixed. Each is a zod input schema plus a handler;
// later capabilities add theirs to the same list.
import { z } from 'zod';
import type { CallToolResult, Tool, ToolAnnotations } from '@modelcontextprotocol/server';
import type { Principal } from '../access/principal.js';
import type { CallContext } from '../access/caller.js';
import type { Need } from '../access/policy.js';
import { toolError } from '../catalog/catalog.js';
import type { MemoryStatus } from '../memory/index.js';
import type { HubServices } from './services.js';

export interface MetaContext {
  hub: HubServices;
  call: CallContext;
}

export interface MetaTool {
  name: string;
  /** What the caller needs to use it (src/access/policy.ts); a tool that declares nothing is refused to everyone. */
  needs: Need;
  description: string;
  input: z.ZodObject;
  annotations?: ToolAnnotations;
  /** A description made for the caller when tools/list is answered (search_tools names the apps it can reach); default `description`. */
  describe?(ctx: ListContext): string;
  run(args: any, ctx: MetaContext): Promise<CallToolResult>;
}

export interface ListContext {
  hub: HubServices;
  principal: Principal;
}

export function defineMetaTool<S extends z.ZodObject>(tool: {
  name: string;
  needs: Need;
  description: string;
  input: S;
  annotations?: ToolAnnotations;
  describe?(ctx: ListContext): string;
  run(args: z.output<S>, ctx: MetaContext): Promise<CallToolResult>;
}): MetaTool {
  return tool;
}

/** A meta-tool as tools/list shows it; with `ctx`, its description made for that caller. */
export function metaToolDefinition(tool: MetaTool, ctx?: ListContext): Tool {
  const description = ctx && tool.describe ? tool.describe(ctx) : tool.description;
  // The same object while the description is the same: sessions compare their lists on every catalog change.
  const cached = definitions.get(tool);
  if (cached?.description === description) return cached;
  const { $schema: _drop, ...inputSchema } = z.toJSONSchema(tool.input, { io: 'input' }) as Record<string, unknown>;
  const definition: Tool = { name: tool.name, description, inputSchema: inputSchema as Tool['inputSchema'], annotations: tool.annotations };
  definitions.set(tool, definition);
  return definition;
}

const definitions = new WeakMap<MetaTool, Tool>();

/**
 * The catalog name behind a name the caller used: a session with expose.clients.*.maxNameLength lists
 * long names as short aliases, and call_tool / describe_tool take those too (the session resolves them).
 */
export function resolveToolName(call: CallContext, name: string): string {
  const session = call.caller?.session as { resolveToolName?(name: string): string } | undefined;
  return session?.resolveToolName?.(name) ?? name;
}

/** Runs a meta-tool: arguments are checked against its schema first, errors become tool errors. */
export async function runMetaTool(tool: MetaTool, args: unknown, ctx: MetaContext): Promise<CallToolResult> {
  const parsed = tool.input.safeParse(args ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? `\`${i.path.join('.')}\`` : 'arguments'}: ${i.message}`);
    return toolError(`Invalid arguments for ${tool.name}: ${problems.join('; ')}`);
  }
  try {
    return await tool.run(parsed.data, ctx);
  } catch (err) {
    return toolError(`${tool.name} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function jsonResult(data: Record<string, unknown>, text: string): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: data };
}

const hubStatus = defineMetaTool({
  name: 'hub_status',
  needs: 'any',
  description:
    'Shows the state of the MCP Orchestrator hub: every downstream server (state, transport, tool count, last error, restarts, variables still to set) and totals. Use it when a tool is missing or failing.',
  input: z.object({}),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(_args, { hub, call }) {
    const status = hub.status(call);
    const lines = status.servers.map(
      (s) => `${s.name}: ${s.state}${s.tools ? `, ${s.tools} tools` : ''}${s.error ? ` (${s.error})` : ''}`,
    );
    // Memory is optional: say when it is not working and why, since plans are then made without it.
    const m = status.memory as MemoryStatus | undefined;
    const memory = m && `memory: ${m.state}${m.state === 'ready' ? `, ${m.count} entries` : ''}${m.reason ? ` (${m.reason})` : ''}`;
    // Tool search says whether it ranks with embeddings, and why not when it cannot.
    const r = status.routing as { dense?: string; model?: string; reason?: string } | undefined;
    const routing = r && `tool search: ${r.dense === 'ready' ? `hybrid (${r.model})` : r.dense === 'off' ? 'lexical (embeddings off)' : r.dense === 'loading' ? 'lexical while the embedding model loads' : `lexical (embeddings unavailable${r.reason ? `: ${r.reason}` : ''})`}`;
    return jsonResult(status as unknown as Record<string, unknown>, [`${status.totals.tools} tools from ${status.totals.ready}/${status.totals.servers} servers`, ...lines, ...(routing ? [routing] : []), ...(memory ? [memory] : [])].join('\n'));
  },
});

const callTool = defineMetaTool({
  name: 'call_tool',
  needs: 'any',
  description:
    'Calls any tool of the hub\'s catalog by its namespaced name (<server>__<tool>, as search_tools or tools/list show it) with its arguments. Use it for tools not listed directly.',
  input: z.object({
    name: z.string().describe('Namespaced tool name, e.g. "xero__list-invoices"'),
    arguments: z.record(z.string(), z.unknown()).optional().describe("Arguments matching the tool's input schema"),
  }),
  async run(args, { hub, call }) {
    const name = resolveToolName(call, args.name);
    if (!hub.catalog.getTool(name) && hub.isMetaTool(name)) {
      return toolError(`${name} is one of the hub's own tools: call it directly, not through call_tool`);
    }
    return hub.callTool(name, args.arguments, call);
  },
});

export const CORE_META_TOOLS: MetaTool[] = [hubStatus, callTool];
