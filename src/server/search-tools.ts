// Meta-tools for search-first use of a large catalog: search_tools finds candidates, describe_tool
// shows one tool's full schema, call_tool (a core meta-tool) runs it.
import { z } from 'zod';
import { toolError } from '../catalog/catalog.js';
import { allowsTool, principalOf } from '../access/policy.js';
import { defineMetaTool, jsonResult } from './meta-tools.js';

export const searchTools = defineMetaTool({
  name: 'search_tools',
  needs: 'any',
  description: [
    "Finds the tools of the hub's connected apps (accounting, tasks, chat, ...) that fit a request, best first.",
    'Use it first whenever you need a capability you do not see in your tool list: describe the action in plain words',
    '("list unpaid invoices", "send a message to the team chat"), one action per search.',
    'Then call describe_tool for the exact arguments of the tool you pick, and call_tool to run it.',
  ].join(' '),
  input: z.object({
    query: z.string().min(1).describe('What you want to do, in plain words; naming the app ("in Xero") helps'),
    limit: z.number().int().min(1).max(50).optional().describe('How many tools to return (default 8)'),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ query, limit }, { hub, call }) {
    const principal = principalOf(call);
    // A scoped client (an HTTP token) only ever sees its own tools: search deeper, then keep those.
    const hits = principal?.allTools
      ? await hub.index.search(query, { limit })
      : (await hub.index.search(query, { limit: 50 })).filter((h) => allowsTool(principal, h.name)).slice(0, limit ?? 8);
    const lines = hits.map((h, i) => `${i + 1}. ${h.name} - ${h.description}`);
    const text = hits.length
      ? `${lines.join('\n')}\n\nNext: describe_tool {name} for the arguments, then call_tool {name, arguments}.`
      : 'No tool matches. Try other words, or hub_status to see which apps are connected.';
    return jsonResult({ tools: hits }, text);
  },
});

export const describeTool = defineMetaTool({
  name: 'describe_tool',
  needs: 'any',
  description:
    'Shows one catalog tool in full: its description, input schema (the arguments call_tool needs), output schema and annotations (read-only, destructive). Use after search_tools, before call_tool.',
  input: z.object({ name: z.string().min(1).describe('Namespaced tool name from search_tools, e.g. "xero__list-invoices"') }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ name }, { hub, call }) {
    const principal = principalOf(call);
    // Out of scope reads exactly as unknown: it must not reveal that the tool exists.
    const entry = allowsTool(principal, name) ? hub.catalog.getTool(name) : undefined;
    if (!entry) {
      const hits = (await hub.index.search(name.replace(/__/g, ' '), { limit: 20 })).filter((h) => allowsTool(principal, h.name)).slice(0, 3);
      return toolError(`Unknown tool "${name}".${hits.length ? ` Closest: ${hits.map((h) => h.name).join(', ')}.` : ''} Use search_tools to find tool names.`);
    }
    const { tool } = entry;
    const data = {
      name: tool.name,
      server: entry.server,
      description: tool.description ?? '',
      inputSchema: tool.inputSchema,
      ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
      ...(tool.annotations ? { annotations: tool.annotations } : {}),
    };
    return jsonResult(data, JSON.stringify(data, null, 2));
  },
});
