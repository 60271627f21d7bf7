// Meta-tools for search-first use of a large catalog: search_tools finds candidates, describe_tool
// shows one tool's full schema, call_tool (a core meta-tool) runs it.
import { z } from 'zod';
import { toolError } from '../catalog/catalog.js';
import { allowsTool, principalOf } from '../access/policy.js';
import { rerank } from '../routing/rerank.js';
import { defineMetaTool, jsonResult, resolveToolName } from './meta-tools.js';
import type { AppInfo } from './services.js';

/** Bounds of the apps part of search_tools' description: per app, and in all. */
export const APPS_LIMITS = { summaryChars: 90, totalChars: 1200 } as const;

const SEARCH_DESCRIPTION = [
  "Finds the tools of the hub's connected apps (accounting, tasks, chat, ...) that fit a request, best first.",
  'Use it first whenever you need a capability you do not see in your tool list: describe the action in plain words',
  '("list unpaid invoices", "send a message to the team chat"), one action per search.',
  'Then call describe_tool for the exact arguments of the tool you pick, and call_tool to run it.',
].join(' ');

/** Text from a server, flattened to one line and cut at `max` characters on a word boundary. */
function clip(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** One app in a few words: the first sentence of its description, else the names of its tools. */
export function appSummary(app: AppInfo): string {
  const sentence = app.description?.replace(/\s+/g, ' ').trim().split(/(?<=[.!?])\s/)[0]?.replace(/[.!?]$/, '');
  if (sentence) return clip(sentence, APPS_LIMITS.summaryChars);
  return clip(`tools ${app.tools.join(', ')}`, APPS_LIMITS.summaryChars);
}

/** "Connected apps: xero (accounting), chat (tools echo, send)." bounded to APPS_LIMITS.totalChars. */
export function appsSentence(apps: AppInfo[]): string {
  if (apps.length === 0) return 'No app is connected yet; hub_status shows the servers and their state.';
  const head = 'Connected apps you can search: ';
  const parts: string[] = [];
  let used = head.length;
  for (const [i, app] of apps.entries()) {
    const part = `${app.name} (${appSummary(app)})`;
    const rest = apps.length - i - 1;
    const tail = rest > 0 ? `; and ${rest} more (hub_status lists them).` : '.';
    if (used + part.length + 2 + tail.length > APPS_LIMITS.totalChars && parts.length > 0) {
      return `${head}${parts.join('; ')}; and ${apps.length - i} more (hub_status lists them).`;
    }
    parts.push(part);
    used += part.length + 2;
  }
  return `${head}${parts.join('; ')}.`;
}

export const searchTools = defineMetaTool({
  name: 'search_tools',
  needs: 'any',
  description: SEARCH_DESCRIPTION,
  // Per caller at listing time: the apps its token reaches, so an agent knows what it can find.
  describe: ({ hub, principal }) => `${SEARCH_DESCRIPTION} ${appsSentence(hub.apps(principal))}`,
  input: z.object({
    query: z.string().min(1).describe('What you want to do, in plain words; naming the app ("in Xero") helps'),
    limit: z.number().int().min(1).max(50).optional().describe('How many tools to return (default 8)'),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ query, limit }, { hub, call }) {
    const principal = principalOf(call);
    const reranker = hub.reranker(call);
    const want = limit ?? reranker?.defaultLimit;
    // A scoped client (an HTTP token) only ever sees its own tools: search deeper, then keep those.
    // Reranking reads only these in-scope hits.
    let hits = principal?.allTools
      ? await hub.index.search(query, { limit: reranker ? Math.max(reranker.candidates, want ?? 0) : limit })
      : (await hub.index.search(query, { limit: 50 })).filter((h) => allowsTool(principal, h.name));
    let reranked: boolean | undefined;
    if (reranker) {
      const top = hits.slice(0, reranker.candidates);
      const outcome = await rerank(query, top, reranker.model, reranker);
      if (outcome.reason) reranker.fallback(outcome.reason);
      reranked = outcome.reranked;
      hits = [...outcome.hits, ...hits.slice(top.length)];
    }
    // No limit and no reranking: the index already applied routing.defaultLimit to an unscoped search.
    if (want !== undefined) hits = hits.slice(0, want);
    else if (!principal?.allTools) hits = hits.slice(0, 8);
    const lines = hits.map((h, i) => `${i + 1}. ${h.name} - ${h.description}`);
    const text = hits.length
      ? `${lines.join('\n')}\n\nNext: describe_tool {name} for the arguments, then call_tool {name, arguments}.`
      : 'No tool matches. Try other words, or hub_status to see which apps are connected.';
    return jsonResult({ tools: hits, ...(reranked !== undefined ? { reranked } : {}) }, text);
  },
});

export const describeTool = defineMetaTool({
  name: 'describe_tool',
  needs: 'any',
  description:
    'Shows one catalog tool in full: its description, input schema (the arguments call_tool needs), output schema and annotations (read-only, destructive). Use after search_tools, before call_tool.',
  input: z.object({ name: z.string().min(1).describe('Namespaced tool name from search_tools, e.g. "xero__list-invoices"') }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ name: asked }, { hub, call }) {
    const principal = principalOf(call);
    const name = resolveToolName(call, asked);
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
