// Rank fusion and explicit app mentions.
import { words, term } from './text.js';
import type { Scored } from './bm25.js';

/** Reciprocal rank fusion: each ranking adds weight / (k + rank), rank counted from 1. */
export function reciprocalRankFusion(rankings: Array<{ ranking: Scored[]; weight: number }>, k: number): Map<number, number> {
  const fused = new Map<number, number>();
  for (const { ranking, weight } of rankings) {
    if (weight === 0) continue;
    ranking.forEach(({ doc }, i) => fused.set(doc, (fused.get(doc) ?? 0) + weight / (k + i + 1)));
  }
  return fused;
}

/**
 * Score fusion: each side's scores scaled to [0, 1] over the list read (dense min-max, lexical by its
 * best score), then mixed, `lexicalShare` of the lexical side. Unlike rank fusion it keeps how far apart
 * tools are: a clear dense winner is not pulled level with a weak lexical one. A dense list whose best and
 * worst lie closer than `minDenseRange` is scaled as if they were that far apart: close cosines say the
 * model is unsure, so its best guess weighs less than a full 1.
 */
export function scoreFusion(lexical: Scored[], dense: Scored[], lexicalShare: number, minDenseRange = 0): Map<number, number> {
  const fused = new Map<number, number>();
  const top = dense[0]?.score ?? 0;
  const bottom = dense.at(-1)?.score ?? 0;
  const range = Math.max(top - bottom, minDenseRange);
  for (const { doc, score } of dense) fused.set(doc, (1 - lexicalShare) * (range > 0 ? (score - bottom) / range : 1));
  const best = lexical[0]?.score ?? 0;
  if (best > 0) for (const { doc, score } of lexical) fused.set(doc, (fused.get(doc) ?? 0) + (lexicalShare * score) / best);
  return fused;
}

// Words that name no app in particular ("mcp-server-chart" is the chart server).
const GENERIC = new Set(['mcp', 'server', 'servers', 'api', 'tool', 'tools', 'app', 'bot', 'service', 'official', 'the', 'js', 'py', 'node']);

/** Terms that identify a server by name, or [] when its name is all generic words. */
export function serverNameTerms(server: string): string[] {
  return [...new Set(words(server).filter((w) => !GENERIC.has(w)).map((w) => term(w) ?? w))];
}

/** Servers whose name the query mentions ("in Xero", "on Telegram"): every identifying word of the name appears. */
export function mentionedServers(query: string, servers: Map<string, string[]>): Set<string> {
  const q = new Set(words(query).map((w) => term(w) ?? w));
  const out = new Set<string>();
  for (const [server, nameTerms] of servers) {
    if (nameTerms.length && nameTerms.every((t) => q.has(t))) out.add(server);
  }
  return out;
}
