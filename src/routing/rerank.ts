// Optional reranking of tool-search hits by a model (issue 14): the pure part. The model is a function
// handed in by the server layer (which owns the LLM and the client's sampling), so routing imports no
// model code. Whatever the model answers, the result is the candidates' own order with the ones the
// model named moved to the front: nothing is added, nothing is lost, and a failure, a timeout or an
// answer that names no candidate leaves the order as it was.

export interface RerankCandidate {
  name: string;
  description?: string;
}

export interface RerankRequest {
  system: string;
  prompt: string;
  maxTokens: number;
  signal: AbortSignal;
}

/** Asks a model and resolves with its text answer. */
export type RerankModel = (request: RerankRequest) => Promise<string>;

export interface RerankOptions {
  timeoutMs: number;
  maxTokens: number;
}

export interface RerankOutcome<T> {
  hits: T[];
  /** True when the model's answer was used. */
  reranked: boolean;
  /** Why the original order was kept (model failed, timed out, or answered nothing usable); absent when there was nothing to order. */
  reason?: string;
}

/** Bounds on what the prompt holds and on how much of an answer is read. */
export const RERANK_LIMITS = { queryChars: 500, descriptionChars: 160, answerChars: 16_000, answerItems: 200 } as const;

const SYSTEM = [
  'You rank software tools for a request.',
  'Answer with only a JSON array of the tool names that fit the request, best first, e.g. ["app__tool_a", "app__tool_b"].',
  'Use the names exactly as listed (or their numbers). Leave out tools that do not fit. No prose.',
].join(' ');

/** The prompt: the request and each candidate's name and short description, numbered from 1. */
export function rerankPrompt(query: string, candidates: RerankCandidate[]): { system: string; prompt: string } {
  const lines = candidates.map((c, i) => `${i + 1}. ${c.name}${c.description ? ` - ${clip(c.description, RERANK_LIMITS.descriptionChars)}` : ''}`);
  return { system: SYSTEM, prompt: `Request: ${clip(query, RERANK_LIMITS.queryChars)}\n\nTools:\n${lines.join('\n')}\n\nThe JSON array of tool names, best first:` };
}

/**
 * Reads the model's order out of its answer: a JSON array of names or 1-based numbers, bare, in a code
 * fence, in prose, or under a key of an object (`{"tools": [...]}`). Names that are not candidates and
 * repeats are ignored. Returns the candidates' names in the new order (named ones first, the rest after
 * in their own order), or undefined when the answer names no candidate at all.
 */
export function parseRerank(answer: string, names: readonly string[]): string[] | undefined {
  const items = answerItems(answer.slice(0, RERANK_LIMITS.answerChars));
  if (!items) return undefined;
  const known = new Set(names);
  const picked: string[] = [];
  const seen = new Set<string>();
  for (const item of items.slice(0, RERANK_LIMITS.answerItems)) {
    let name: string | undefined;
    if (typeof item === 'string') name = item.trim();
    else if (typeof item === 'number' && Number.isInteger(item) && item >= 1 && item <= names.length) name = names[item - 1];
    else if (item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string') name = (item as { name: string }).name.trim();
    if (name === undefined || !known.has(name) || seen.has(name)) continue;
    seen.add(name);
    picked.push(name);
  }
  if (picked.length === 0) return undefined;
  return [...picked, ...names.filter((n) => !seen.has(n))];
}

/** Reorders `hits` by the model's answer; never throws, never waits past timeoutMs. */
export async function rerank<T extends RerankCandidate>(query: string, hits: T[], model: RerankModel, options: RerankOptions): Promise<RerankOutcome<T>> {
  // Nothing to order: not a failure, so no reason.
  if (hits.length < 2) return { hits, reranked: false };
  const { system, prompt } = rerankPrompt(query, hits);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new Error('timed out'));
      reject(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
  });
  try {
    const answer = await Promise.race([model({ system, prompt, maxTokens: options.maxTokens, signal: controller.signal }), timeout]);
    if (typeof answer !== 'string') return { hits, reranked: false, reason: 'the model gave no text' };
    const order = parseRerank(answer, hits.map((h) => h.name));
    if (!order) return { hits, reranked: false, reason: `the answer named no candidate: ${JSON.stringify(clip(answer, 120))}` };
    const byName = new Map(hits.map((h) => [h.name, h]));
    return { hits: order.map((n) => byName.get(n)!), reranked: true };
  } catch (err) {
    return { hits, reranked: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The list in an answer: the whole text as JSON, a fenced block, or the first [...] span; an object's first array value. */
function answerItems(text: string): unknown[] | undefined {
  const tries = [text.trim()];
  const fence = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  if (fence) tries.push(fence[1].trim());
  const open = text.indexOf('[');
  if (open >= 0) {
    const first = text.indexOf(']', open);
    const last = text.lastIndexOf(']');
    if (first > open) tries.push(text.slice(open, first + 1));
    if (last > first) tries.push(text.slice(open, last + 1));
  }
  for (const t of tries) {
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch {
      continue;
    }
    if (Array.isArray(value)) return value;
    if (value && typeof value === 'object') {
      const list = Object.values(value as Record<string, unknown>).find(Array.isArray);
      if (list) return list;
    }
  }
  return undefined;
}
