// Shared by the benchmarks: the public tool-retrieval data (../shared/benchmarks/tool-retrieval) and a
// ToolIndex built from a pool the way the hub builds it (one setServer per server, namespaced names).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RoutingConfigSchema, type RoutingConfigInput } from '../src/config/routing.js';
import { ToolIndex, type IndexedTool } from '../src/routing/index.js';

export interface PoolTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}
export interface Pool {
  servers: Array<{ name: string; description?: string; tools: PoolTool[] }>;
}
export interface Query {
  id: string;
  query: string;
  /** Needed tools; an array element means "any one of these". */
  tools: Array<string | string[]>;
  kind: 'single' | 'multi';
  steps?: string[];
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The tool-retrieval data folder: the one given, else ../shared/benchmarks/tool-retrieval beside the checkout; undefined when absent. */
export function findDataDir(given?: string): string | undefined {
  if (given) return existsSync(given) ? given : undefined;
  // From dist/bench (compiled) or bench/ (sources), and from the working directory.
  return [
    path.resolve(here, '../../../shared/benchmarks/tool-retrieval'),
    path.resolve(here, '../../shared/benchmarks/tool-retrieval'),
    path.resolve('../shared/benchmarks/tool-retrieval'),
    '/work/shared/benchmarks/tool-retrieval',
  ].find((p) => existsSync(p));
}

export const readPool = (dataDir: string, rel: string): Pool => JSON.parse(readFileSync(path.join(dataDir, rel), 'utf8'));

export const readQueries = (dataDir: string, rel: string): Query[] =>
  readFileSync(path.join(dataDir, rel), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

export function toIndexed(server: string, t: PoolTool): IndexedTool {
  return { name: `${server}__${t.name}`, server, originalName: t.name, title: t.title, description: t.description, inputSchema: t.inputSchema, annotations: t.annotations };
}

export type EmbeddingsInput = NonNullable<RoutingConfigInput['embeddings']>;

/** `--model PATH_OR_ID` as an embeddings setting: a local folder or a Hub id through transformers.js; none without one. */
export function embeddingsFor(model: string | undefined, dtype: 'q8' | 'fp32' = 'q8'): EmbeddingsInput {
  if (!model) return { provider: 'none' };
  return existsSync(model) ? { provider: 'transformers', localPath: model, dtype } : { provider: 'transformers', model, dtype };
}

export function routingConfig(embeddings: EmbeddingsInput, overrides: RoutingConfigInput = {}): ReturnType<typeof RoutingConfigSchema.parse> {
  return RoutingConfigSchema.parse({ ...overrides, embeddings: { ...embeddings, ...(overrides.embeddings ?? {}) } });
}

/** A ToolIndex over the pool; index warnings (a model that cannot load) go to stderr. `vectorCacheDir`: see ToolIndexDeps. */
export async function buildIndex(
  pool: Pool,
  options: { embeddings?: EmbeddingsInput; overrides?: RoutingConfigInput; vectorCacheDir?: string } = {},
): Promise<{ index: ToolIndex; buildMs: number; embedMs: number }> {
  const warnings: string[] = [];
  const index = new ToolIndex(routingConfig(options.embeddings ?? { provider: 'none' }, options.overrides), {
    cacheDir: path.resolve('.orchestrator/models'),
    // Tool vectors shared by the indexes of one run (a tool embedded once is not embedded again); none: every index embeds.
    vectorCacheDir: options.vectorCacheDir,
    logger: { info() {}, debug() {}, warn: (m, meta) => warnings.push(`${m} ${JSON.stringify(meta ?? {})}`) },
  });
  const t0 = performance.now();
  for (const s of pool.servers) index.setServer(s.name, s.tools.map((t) => toIndexed(s.name, t)), s.description);
  const buildMs = performance.now() - t0;
  const t1 = performance.now();
  await index.ready();
  const embedMs = performance.now() - t1;
  for (const w of warnings) console.error(`  (index) ${w}`);
  return { index, buildMs, embedMs };
}

// ---------- our own query sets, gold checks, merged pools ----------

/** A labelled request of our own: the public format plus the split it belongs to. */
export interface SplitQuery extends Query {
  split: 'dev' | 'test';
}

/** Tool ids of a pool, as the hub names them (`<server>__<tool>`). */
export const toolIds = (pool: Pool): Set<string> => new Set(pool.servers.flatMap((s) => s.tools.map((t) => `${s.name}__${t.name}`)));

/** Gold ids of the queries that the pool does not hold (query id, tool id). */
export function unknownGold(pool: Pool, queries: Query[]): Array<[string, string]> {
  const ids = toolIds(pool);
  return queries.flatMap((q) => q.tools.flat().filter((g) => !ids.has(g)).map((g): [string, string] => [q.id, g]));
}

/** Throws (naming every offender) when a query's gold id is not a tool of the pool, or a query is malformed. */
export function assertGold(pool: Pool, queries: Query[], label: string): void {
  const bad = unknownGold(pool, queries);
  const malformed = queries.filter((q) => !q.id || !q.query?.trim() || !Array.isArray(q.tools) || !q.tools.length);
  if (bad.length || malformed.length) {
    throw new Error(
      `${label}: ${bad.length} unknown gold tool id(s)${bad.length ? ': ' + bad.map(([q, g]) => `${q} -> ${g}`).join(', ') : ''}` +
        (malformed.length ? `; malformed: ${malformed.map((q) => q.id ?? '?').join(', ')}` : ''),
    );
  }
}

const benchDir = [here, path.resolve(here, '../../bench')].find((d) => existsSync(path.join(d, 'services-queries.jsonl'))) ?? here;

/** bench/services-queries.jsonl: our own requests for the services pool (found from bench/ or dist/bench/). */
export function readServiceQueries(file = path.join(benchDir, 'services-queries.jsonl')): SplitQuery[] {
  const qs = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as SplitQuery);
  const badSplit = qs.filter((q) => q.split !== 'dev' && q.split !== 'test');
  if (badSplit.length) throw new Error(`${file}: split must be dev or test (${badSplit.map((q) => q.id).join(', ')})`);
  const dup = qs.map((q) => q.id).filter((id, i, all) => all.indexOf(id) !== i);
  if (dup.length) throw new Error(`${file}: duplicate ids ${dup.join(', ')}`);
  return qs;
}

/** Several pools as one catalog (the hub serving all their servers); a server name in two pools is an error. */
export function mergePools(...pools: Pool[]): Pool {
  const merged: Pool = { servers: pools.flatMap((p) => p.servers) };
  const names = merged.servers.map((s) => s.name);
  const clash = names.filter((n, i) => names.indexOf(n) !== i);
  if (clash.length) throw new Error(`mergePools: server name(s) in more than one pool: ${[...new Set(clash)].join(', ')}`);
  return merged;
}

// ---------- plain BM25 reference ----------

/** NLTK's English stop-word list (179 words, as published; apostrophe forms split like any other text). */
const ENGLISH_STOP_WORDS = new Set(
  plainWords(
    `i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves he him his
himself she she's her hers herself it it's its itself they them their theirs themselves what which who whom
this that that'll these those am is are was were be been being have has had having do does did doing a an the
and but if or because as until while of at by for with about against between into through during before after
above below to from up down in out on off over under again further then once here there when where why how all
any both each few more most other some such no nor not only own same so than too very s t can will just don
don't should should've now d ll m o re ve y ain aren aren't couldn couldn't didn didn't doesn doesn't hadn
hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn
shouldn't wasn wasn't weren weren't won won't wouldn wouldn't`,
  ),
);

/** Words of a text: camelCase, snake_case and kebab-case split, lower-cased, letters/digits runs (any script). */
export function plainWords(text: string): string[] {
  return (
    text
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/**
 * The textbook reference the README's figures use, self-contained (nothing from src/routing): one document per tool,
 * its name split into words + its description; BM25 with k1 1.2, b 0.75 and Lucene's idf log(1 + (N - df + 0.5) / (df + 0.5));
 * the whole request is one query, each distinct word once; NLTK's English stop words dropped on both sides; no stemming,
 * field weights or related words. Ties keep pool order. (Without the stop words it scores MetaTool R@5 0.476 and
 * LiveMCPBench task R@10 0.347 instead of 0.566 and 0.404, against the data README's ≈0.59 and ≈0.42.)
 */
export class PlainBm25 {
  private readonly ids: string[] = [];
  private readonly tfs: Array<Map<string, number>> = [];
  private readonly lens: number[] = [];
  private readonly df = new Map<string, number>();
  private avgLen = 0;

  constructor(pool: Pool, private readonly k1 = 1.2, private readonly b = 0.75) {
    for (const s of pool.servers)
      for (const t of s.tools) {
        const words = plainWords(`${t.name} ${t.description ?? ''}`).filter((w) => !ENGLISH_STOP_WORDS.has(w));
        const tf = new Map<string, number>();
        for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
        for (const w of tf.keys()) this.df.set(w, (this.df.get(w) ?? 0) + 1);
        this.ids.push(`${s.name}__${t.name}`);
        this.tfs.push(tf);
        this.lens.push(words.length);
      }
    this.avgLen = this.lens.reduce((a, b) => a + b, 0) / Math.max(1, this.lens.length);
  }

  /** Tool ids by descending score (only tools sharing a word with the request), at most `limit`. */
  search(query: string, limit = 10): string[] {
    const n = this.ids.length;
    const terms = [...new Set(plainWords(query))].filter((w) => !ENGLISH_STOP_WORDS.has(w) && this.df.has(w));
    const scored: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) {
      const tf = this.tfs[i];
      let score = 0;
      for (const w of terms) {
        const f = tf.get(w);
        if (!f) continue;
        const df = this.df.get(w)!;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += (idf * f * (this.k1 + 1)) / (f + this.k1 * (1 - this.b + (this.b * this.lens[i]) / this.avgLen));
      }
      if (score > 0) scored.push([score, i]);
    }
    scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    return scored.slice(0, limit).map(([, i]) => this.ids[i]);
  }
}
