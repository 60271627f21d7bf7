// Meta-tools over the hub's memory of runs and notes ("what did you do last Monday?"). Each caller
// sees, saves and forgets only its own entries (its principal's key: token name and scope).
import { z } from 'zod';
import { principalOf } from '../access/policy.js';
import type { MemoryHit } from '../memory/index.js';
import { toolError } from '../catalog/catalog.js';
import { defineMetaTool, jsonResult } from './meta-tools.js';

function line(h: MemoryHit): string {
  const score = h.similarity !== undefined ? ` (${h.similarity.toFixed(2)})` : '';
  return `${h.startedAt} ${h.kind}${h.status ? ` ${h.status}` : ''}${score}: ${h.text}${h.summary ? ` -> ${h.summary.split('\n')[0]}` : ''} [${h.id}]`;
}

export const memorySearch = defineMetaTool({
  name: 'memory_search',
  needs: 'memory',
  description:
    "Searches the hub's memory of past runs (requests, plans, outcomes) and saved notes, most similar first; with an empty query, the most recent. Use after/before (ISO dates) for questions like \"what did you do last Monday?\".",
  input: z.object({
    query: z.string().describe('What to look for; empty lists the most recent entries'),
    limit: z.number().int().min(1).max(50).optional(),
    after: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().describe('Only entries from this time on'),
    before: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().describe('Only entries before this time'),
    kind: z.enum(['run', 'note']).optional(),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ query, limit, after, before, kind }, { hub, call }) {
    const principal = principalOf(call);
    if (!principal) return toolError('memory_search was refused: the call carries no principal.');
    const status = hub.memory.status();
    if (status.state !== 'ready') return toolError(`Memory is ${status.state}${status.reason ? `: ${status.reason}` : ''}.`);
    const hits = await hub.memory.search(query, limit ?? 10, { after, before, kind, principal });
    const entries = hits.map(({ record: _record, ...rest }) => rest);
    return jsonResult({ entries }, entries.length ? hits.map(line).join('\n') : 'Nothing remembered matches.');
  },
});

export const memoryForget = defineMetaTool({
  name: 'memory_forget',
  needs: 'memory',
  description: 'Forgets remembered entries: one by id (from memory_search), or everything before a date.',
  input: z
    .object({ id: z.string().min(1).optional(), before: z.iso.datetime({ offset: true }).or(z.iso.date()).optional() })
    .refine((a) => (a.id === undefined) !== (a.before === undefined), 'give exactly one of `id` or `before`'),
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ id, before }, { hub, call }) {
    const principal = principalOf(call);
    if (!principal) return toolError('memory_forget was refused: the call carries no principal.');
    const removed = await hub.memory.forget(id !== undefined ? { id } : { before: before! }, { principal });
    return jsonResult({ removed }, `Forgot ${removed} entr${removed === 1 ? 'y' : 'ies'}.`);
  },
});

export const memorySave = defineMetaTool({
  name: 'memory_save',
  needs: 'memory',
  description: 'Saves a note to the hub\'s memory (a fact, a preference, a decision) so later plans and memory_search can find it.',
  input: z.object({ text: z.string().min(1).max(4000) }),
  annotations: { openWorldHint: false },
  async run({ text }, { hub, call }) {
    const principal = principalOf(call);
    if (!principal) return toolError('memory_save was refused: the call carries no principal.');
    const id = await hub.memory.saveNote(text, { principal });
    return id ? jsonResult({ id }, `Saved as ${id}.`) : toolError(`Memory is not available: ${hub.memory.status().reason ?? hub.memory.status().state}`);
  },
});

export const MEMORY_TOOLS = [memorySearch, memoryForget, memorySave];
