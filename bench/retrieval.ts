// Tool-retrieval benchmark: runs the hub's real ToolIndex over public tool pools and labelled requests
// (../shared/benchmarks/tool-retrieval) and prints recall, MRR, task completeness, latency, build time
// and token saving, for lexical, dense and fused ranking. Nothing here is tuned on these queries.
//
//   npm run bench:retrieval -- [--data DIR] [--model PATH_OR_ID] [--dtype q8|fp32] [--sample N] [--all] [--json FILE]
//                              [--only metatool,livemcp,services,scale,tokens,big]
//
// Sections: metatool (single- and two-tool), livemcp (LiveMCPBench tasks and steps), services (our own requests,
// bench/services-queries.jsonl, over the five app servers' 250 tools), scale (the same requests and LiveMCPBench's
// tasks over both pools merged, 777 tools), tokens (token saving), big (a 5,000-tool synthesised catalog: latency).
// Every recall section also ranks with a plain BM25 reference (PlainBm25 in pool.ts, not src/routing).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { RoutingConfigInput } from '../src/config/routing.js';
import type { ToolIndex, SearchMode } from '../src/routing/index.js';
import {
  assertGold,
  buildIndex as buildPoolIndex,
  embeddingsFor,
  findDataDir,
  mergePools,
  PlainBm25,
  readPool as readPoolFile,
  readQueries as readQueriesFile,
  readServiceQueries,
  unknownGold,
  type Pool,
  type Query,
  type SplitQuery,
} from './pool.js';
import { f3, table } from './table.js';

// ---------- arguments ----------
const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const dataDir = findDataDir(arg('data'));
if (!dataDir) {
  console.error('benchmark data not found; pass --data DIR (the tool-retrieval folder)');
  process.exit(2);
}
const modelArg = arg('model');
const dtype = (arg('dtype') ?? 'q8') as 'q8' | 'fp32';
const sampleSize = argv.includes('--all') ? Infinity : Number(arg('sample') ?? 3000);
const jsonOut = arg('json');
const SECTIONS = ['metatool', 'livemcp', 'services', 'scale', 'tokens', 'big'] as const;
type Section = (typeof SECTIONS)[number];
const onlyArg = arg('only');
const only = new Set<Section>(onlyArg ? (onlyArg.split(',').map((x) => x.trim()).filter(Boolean) as Section[]) : SECTIONS);
const unknownSections = [...only].filter((x) => !SECTIONS.includes(x));
if (unknownSections.length) {
  console.error(`--only: unknown section(s) ${unknownSections.join(', ')}; known: ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const runs = (x: Section) => only.has(x);

// ---------- data ----------
const readPool = (rel: string): Pool => readPoolFile(dataDir, rel);
const readQueries = (rel: string): Query[] => readQueriesFile(dataDir, rel);

/** Deterministic sample (fixed-seed shuffle), so runs compare. */
function sample<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

// ---------- index ----------
// One vector cache for the run (a temporary folder, removed at the end): a pool's tools are embedded once, the
// first time a section indexes them; later indexes of the same tools (variants, the merged pool) read them back.
// Their "embedding ms" then is mostly cache reading, and says so. The big catalog does not use it (build time is
// what it measures).
const vectorCacheDir = modelArg ? mkdtempSync(path.join(os.tmpdir(), 'bench-vectors-')) : undefined;
const embeddedTexts = new Set<string>();
const buildIndex = (pool: Pool, overrides: RoutingConfigInput = {}, options: { vectorCache?: boolean } = {}) =>
  buildPoolIndex(pool, { embeddings: embeddingsFor(modelArg, dtype), overrides, vectorCacheDir: options.vectorCache === false ? undefined : vectorCacheDir });
/** "embedding N ms", saying how many of the pool's tools were embedded earlier in this run (read from the vector cache). */
function embedNote(pool: Pool, embedMs: number): string {
  const ids = pool.servers.flatMap((s) => s.tools.map((t) => `${s.name}__${t.name}`));
  const seen = ids.filter((id) => embeddedTexts.has(id)).length;
  ids.forEach((id) => embeddedTexts.add(id));
  return `embedding ${ms(embedMs)} ms${seen ? ` (${seen} of ${ids.length} tools already embedded earlier in this run: read from the vector cache)` : ''}`;
}

// ---------- metrics ----------
interface Metrics {
  n: number;
  r1: number;
  r5: number;
  r10: number;
  mrr: number;
  /** Share of queries with every needed tool in the top 10. */
  complete10: number;
  p50: number;
  p99: number;
}

const matches = (gold: string | string[], name: string) => (Array.isArray(gold) ? gold.includes(name) : gold === name);

function recallAt(gold: Query['tools'], names: string[], k: number): number {
  const top = names.slice(0, k);
  return gold.filter((g) => top.some((n) => matches(g, n))).length / gold.length;
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

/** Names of the top 10 for a request. */
type Ranker = (query: string) => Promise<string[]> | string[];
const hubRanker = (index: ToolIndex, mode: SearchMode): Ranker => async (q) => (await index.search(q, { limit: 10, mode })).map((h) => h.name);
const bm25Ranker = (bm: PlainBm25): Ranker => (q) => bm.search(q, 10);
/** The rankings measured on an index: the hub's modes, then the plain BM25 reference. */
const rankers = (index: ToolIndex, bm: PlainBm25, modes: SearchMode[]): Array<[string, Ranker]> => [
  ...modes.map((m): [string, Ranker] => [m, hubRanker(index, m)]),
  [BM25_LABEL, bm25Ranker(bm)],
];
const BM25_LABEL = 'plain BM25 (ref)';

async function evaluate(index: ToolIndex | Ranker, queries: Query[], mode: SearchMode = 'hybrid'): Promise<Metrics> {
  const rank: Ranker = typeof index === 'function' ? index : hubRanker(index, mode);
  let r1 = 0, r5 = 0, r10 = 0, mrr = 0, complete = 0;
  const times: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    const names = await rank(q.query);
    times.push(performance.now() - t0);
    r1 += recallAt(q.tools, names, 1);
    r5 += recallAt(q.tools, names, 5);
    const at10 = recallAt(q.tools, names, 10);
    r10 += at10;
    if (at10 === 1) complete++;
    const first = names.findIndex((n) => q.tools.some((g) => matches(g, n)));
    mrr += first >= 0 ? 1 / (first + 1) : 0;
  }
  const n = queries.length;
  const d = n || 1;
  return { n, r1: r1 / d, r5: r5 / d, r10: r10 / d, mrr: mrr / d, complete10: complete / d, p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** Per-step queries (the annotators' steps, standing in for a planner), merged by searchMany. */
async function evaluateSteps(index: ToolIndex, queries: Query[], mode: SearchMode, limit: number) {
  let recall = 0, complete = 0, candidates = 0;
  const times: number[] = [];
  const withSteps = queries.filter((q) => q.steps?.length);
  for (const q of withSteps) {
    const t0 = performance.now();
    const hits = await index.searchMany(q.steps!, { limit, mode });
    times.push(performance.now() - t0);
    const names = hits.map((h) => h.name);
    const r = recallAt(q.tools, names, names.length);
    recall += r;
    if (r === 1) complete++;
    candidates += names.length;
  }
  const n = withSteps.length;
  return { n, recall: recall / n, complete: complete / n, candidates: candidates / n, p50: percentile(times, 50), p99: percentile(times, 99) };
}

// ---------- output ----------
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));

const results: Record<string, unknown> = {};

// ---------- our own requests on the services pool ----------
const SPLITS = ['dev', 'test', 'all'] as const;
type Split = (typeof SPLITS)[number];
const ofSplit = (qs: SplitQuery[], split: Split) => (split === 'all' ? qs : qs.filter((q) => q.split === split));

interface ServiceFigures {
  single: Metrics;
  multi: Metrics;
}
/** Per ranking and split: single-tool R@1/5/10, MRR; multi-tool recall@10, complete@10. */
type ServiceResults = Record<string, Record<Split, ServiceFigures>>;

async function evaluateServices(ranks: Array<[string, Ranker]>, queries: SplitQuery[]): Promise<ServiceResults> {
  const out: ServiceResults = {};
  for (const [label, rank] of ranks) {
    out[label] = {} as Record<Split, ServiceFigures>;
    for (const split of SPLITS) {
      const qs = ofSplit(queries, split);
      out[label][split] = { single: await evaluate(rank, qs.filter((q) => q.kind === 'single')), multi: await evaluate(rank, qs.filter((q) => q.kind === 'multi')) };
    }
  }
  return out;
}

const pts = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;

/** One row per ranking and split; with a baseline, each figure is followed by its difference in points. */
function printServices(res: ServiceResults, base?: ServiceResults): void {
  const rows: Array<Array<string | number>> = [];
  const cell = (v: number, b: number | undefined) => (b === undefined ? f3(v) : `${f3(v)} (${pts(v - b)})`);
  for (const [label, bySplit] of Object.entries(res))
    for (const split of SPLITS) {
      const { single: s, multi: m } = bySplit[split];
      const b = base?.[label]?.[split];
      rows.push([
        label,
        split,
        s.n,
        cell(s.r1, b?.single.r1),
        cell(s.r5, b?.single.r5),
        cell(s.r10, b?.single.r10),
        cell(s.mrr, b?.single.mrr),
        m.n,
        cell(m.r10, b?.multi.r10),
        cell(m.complete10, b?.multi.complete10),
        ms(s.p50),
      ]);
    }
  table(['ranking', 'split', 'single n', 'R@1', 'R@5', 'R@10', 'MRR', 'multi n', 'recall@10', 'complete@10', 'p50 ms'], rows);
}

/** Single-tool R@1/R@5 per app (all splits), to see where misses sit. */
function printPerApp(perApp: Record<string, Record<string, Metrics>>): void {
  const apps = Object.keys(Object.values(perApp)[0] ?? {});
  table(
    ['ranking', ...apps.map((a) => `${a} (${Object.values(perApp)[0][a].n}) R@1 / R@5`)],
    Object.entries(perApp).map(([label, byApp]) => [label, ...apps.map((a) => `${f3(byApp[a].r1)} / ${f3(byApp[a].r5)}`)]),
  );
}

const appOf = (q: Query) => String([q.tools[0]].flat()[0]).split('__')[0];

async function main(): Promise<void> {
  const probe = await buildIndex({ servers: [{ name: 'probe', tools: [{ name: 'probe', description: 'probe' }] }] });
  const denseOk = probe.index.status().dense === 'ready';
  const denseReason = probe.index.status().reason;
  await probe.index.close();
  const modes: SearchMode[] = denseOk ? ['lexical', 'dense', 'hybrid'] : ['lexical'];

  console.log(`# Tool retrieval benchmark`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} x${os.cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
  console.log(`data: ${dataDir}`);
  console.log(
    denseOk
      ? `model: ${modelArg} (${dtype})`
      : modelArg
        ? `model: ${modelArg} could not be loaded (${denseReason}); lexical only`
        : 'model: none given; lexical only (dense and fused ranking need a model: --model PATH to a local transformers.js model folder, e.g. Xenova/bge-small-en-v1.5)',
  );
  console.log(`sections: ${[...only].join(', ')}`);
  console.log('');

  const lmPool = readPool('livemcpbench/pool.json');
  const lmQueries = readQueries('livemcpbench/queries.jsonl');
  const svcPool = readPool('services/pool.json');
  const svcQueries = readServiceQueries();
  assertGold(svcPool, svcQueries, 'bench/services-queries.jsonl');
  const lmUnknown = unknownGold(lmPool, lmQueries);
  if (lmUnknown.length) console.error(`  (data) LiveMCPBench: ${lmUnknown.length} gold tool id(s) not in its pool (counted as misses)`);

  // MetaTool single-tool
  if (runs('metatool')) {
    const mtPool = readPool('metatool/pool.json');
    const mtQueries = sample(readQueries('metatool/queries.jsonl'), sampleSize);
    const mt = await buildIndex(mtPool);
    console.log(`## MetaTool single-tool (${mtPool.servers[0].tools.length} tools, ${mtQueries.length} queries${Number.isFinite(sampleSize) ? ', fixed-seed sample' : ''})`);
    console.log(`index build ${ms(mt.buildMs)} ms${denseOk ? `, ${embedNote(mtPool, mt.embedMs)}` : ''}`);
    const mtRows = [];
    for (const [label, rank] of rankers(mt.index, new PlainBm25(mtPool), modes)) {
      const m = await evaluate(rank, mtQueries);
      results[`metatool.${label === BM25_LABEL ? 'plainBm25' : label}`] = m;
      mtRows.push([label, f3(m.r1), f3(m.r5), f3(m.r10), f3(m.mrr), ms(m.p50), ms(m.p99)]);
    }
    table(['ranking', 'R@1', 'R@5', 'R@10', 'MRR', 'p50 ms', 'p99 ms'], mtRows);
    await mt.index.close();

    // MetaTool two-tool
    const mtmPool = readPool('metatool/multi-pool.json');
    const mtmQueries = readQueries('metatool/multi-queries.jsonl');
    const mtm = await buildIndex(mtmPool);
    console.log(`## MetaTool two-tool (${mtmPool.servers[0].tools.length} tools, ${mtmQueries.length} queries)`);
    const mtmRows = [];
    for (const mode of modes) {
      const m = await evaluate(mtm.index, mtmQueries, mode);
      results[`metatool-multi.${mode}`] = m;
      mtmRows.push([mode, f3(m.r1), f3(m.r5), f3(m.r10), f3(m.mrr), f3(m.complete10), ms(m.p50)]);
    }
    table(['ranking', 'R@1', 'R@5', 'R@10', 'MRR', 'all in top 10', 'p50 ms'], mtmRows);
    await mtm.index.close();
  }

  // LiveMCPBench
  const lmTools = lmPool.servers.reduce((n, s) => n + s.tools.length, 0);
  /** LiveMCPBench whole-task figures on its own 527 tools, per ranking label (for the scale section's differences). */
  const lmBase: Record<string, Metrics> = {};
  if (runs('livemcp')) {
    const variants: Array<[string, RoutingConfigInput]> = [
      ['', {}],
      [' +server-first', { serverFirst: { enabled: true, minTools: 0, servers: 8 } }],
      [' -related words', { lexical: { expand: false } }],
    ];
    console.log(`## LiveMCPBench (${lmPool.servers.length} servers, ${lmTools} tools, ${lmQueries.length} multi-step tasks)`);
    const wholeRows = [];
    const stepRows = [];
    for (const [label, overrides] of variants) {
      const lm = await buildIndex(lmPool, overrides);
      if (!label) console.log(`index build ${ms(lm.buildMs)} ms${denseOk ? `, ${embedNote(lmPool, lm.embedMs)}` : ''}`);
      for (const mode of modes) {
        const m = await evaluate(lm.index, lmQueries, mode);
        results[`livemcpbench.task.${mode}${label}`] = m;
        if (!label) lmBase[mode] = m;
        wholeRows.push([mode + label, f3(m.r1), f3(m.r5), f3(m.r10), f3(m.mrr), f3(m.complete10), ms(m.p50), ms(m.p99)]);
        for (const limit of [10]) {
          const s = await evaluateSteps(lm.index, lmQueries, mode, limit);
          results[`livemcpbench.steps.${mode}${label}.limit${limit}`] = s;
          stepRows.push([mode + label, limit, f3(s.recall), f3(s.complete), s.candidates.toFixed(1), ms(s.p50), ms(s.p99)]);
        }
      }
      await lm.index.close();
    }
    const m = await evaluate(bm25Ranker(new PlainBm25(lmPool)), lmQueries);
    results['livemcpbench.task.plainBm25'] = lmBase[BM25_LABEL] = m;
    wholeRows.push([BM25_LABEL, f3(m.r1), f3(m.r5), f3(m.r10), f3(m.mrr), f3(m.complete10), ms(m.p50), ms(m.p99)]);
    console.log('whole task as one query (recall per task = share of its tools found):');
    table(['ranking', 'R@1', 'R@5', 'R@10', 'MRR', 'complete@10', 'p50 ms', 'p99 ms'], wholeRows);
    console.log('one query per annotated step, merged by searchMany (round-robin over steps):');
    table(['ranking', 'limit', 'recall', 'complete', 'candidates', 'p50 ms', 'p99 ms'], stepRows);
  }

  // Our own requests on the five app servers (250 tools)
  const svcTools = svcPool.servers.reduce((n, s) => n + s.tools.length, 0);
  const countOf = (kind: Query['kind'], split: Split) => ofSplit(svcQueries, split).filter((q) => q.kind === kind).length;
  const svcSetLine = `${countOf('single', 'all')} single-tool (dev ${countOf('single', 'dev')}, test ${countOf('single', 'test')}) and ${countOf('multi', 'all')} multi-tool (dev ${countOf('multi', 'dev')}, test ${countOf('multi', 'test')}) requests of our own (bench/services-queries.jsonl)`;
  let svcBase: ServiceResults | undefined;
  const svcBaseline = async (): Promise<ServiceResults> => {
    if (svcBase) return svcBase;
    const svc = await buildIndex(svcPool);
    embedNote(svcPool, svc.embedMs);
    svcBase = await evaluateServices(rankers(svc.index, new PlainBm25(svcPool), modes), svcQueries);
    await svc.index.close();
    return svcBase;
  };
  if (runs('services')) {
    const svc = await buildIndex(svcPool);
    console.log(`## Services (${svcPool.servers.length} app servers, ${svcTools} tools): ${svcSetLine}`);
    console.log(`index build ${ms(svc.buildMs)} ms${denseOk ? `, ${embedNote(svcPool, svc.embedMs)}` : ''}`);
    const ranks = rankers(svc.index, new PlainBm25(svcPool), modes);
    svcBase = await evaluateServices(ranks, svcQueries);
    results.services = svcBase;
    printServices(svcBase);
    if (denseOk) console.log('p50 ms: the index caches query embeddings, so only the first pass over a request (dense, dev and test) includes embedding it; later rows are ranking cost.\n');
    const singles = svcQueries.filter((q) => q.kind === 'single');
    const apps = [...new Set(singles.map(appOf))];
    const perApp: Record<string, Record<string, Metrics>> = {};
    for (const [label, rank] of ranks) {
      perApp[label] = {};
      for (const app of apps) perApp[label][app] = await evaluate(rank, singles.filter((q) => appOf(q) === app));
    }
    results['services.perApp'] = perApp;
    console.log('single-tool requests per app (dev + test):');
    printPerApp(perApp);
    await svc.index.close();
  }

  // Scale: both pools as one catalog (LiveMCPBench's 70 servers + the 5 app servers)
  if (runs('scale')) {
    const merged = mergePools(lmPool, svcPool);
    const mergedTools = merged.servers.reduce((n, s) => n + s.tools.length, 0);
    assertGold(merged, svcQueries, 'bench/services-queries.jsonl on the merged pool');
    const base = await svcBaseline();
    const big = await buildIndex(merged);
    const bm = new PlainBm25(merged);
    console.log(`## Scale: ${merged.servers.length} servers, ${mergedTools} tools (LiveMCPBench ${lmTools} + services ${svcTools})`);
    console.log(`index build ${ms(big.buildMs)} ms${denseOk ? `, ${embedNote(merged, big.embedMs)}` : ''}`);
    const ranks = rankers(big.index, bm, modes);
    const scaled = await evaluateServices(ranks, svcQueries);
    results['scale.services'] = scaled;
    console.log(`our services requests on ${mergedTools} tools; in brackets the difference to the ${svcTools}-tool figure, in points:`);
    printServices(scaled, base);
    // LiveMCPBench tasks on the merged catalog, against their figure on LiveMCPBench's own pool
    if (!Object.keys(lmBase).length) {
      const lm = await buildIndex(lmPool);
      embedNote(lmPool, lm.embedMs);
      for (const [label, rank] of rankers(lm.index, new PlainBm25(lmPool), modes)) lmBase[label] = await evaluate(rank, lmQueries);
      await lm.index.close();
    }
    const lmRows = [];
    for (const [label, rank] of ranks) {
      const m = await evaluate(rank, lmQueries);
      const b = lmBase[label];
      results[`scale.livemcpbench.task.${label === BM25_LABEL ? 'plainBm25' : label}`] = m;
      lmRows.push([label, f3(m.r1), f3(m.r5), f3(m.r10), f3(m.mrr), f3(m.complete10), pts(m.r5 - b.r5), pts(m.r10 - b.r10), pts(m.complete10 - b.complete10), ms(m.p50)]);
    }
    console.log(`LiveMCPBench's ${lmQueries.length} tasks (whole task as one query) on ${mergedTools} tools; differences in points to its own ${lmTools}-tool pool:`);
    table(['ranking', 'R@1', 'R@5', 'R@10', 'MRR', 'complete@10', 'ΔR@5', 'ΔR@10', 'Δcomplete@10', 'p50 ms'], lmRows);
    await big.index.close();
  }

  // Token saving on the five real app servers
  if (runs('tokens')) {
    const svc = await buildIndex(svcPool);
    const listing = JSON.stringify({
      tools: svcPool.servers.flatMap((s) => s.tools.map((t) => ({ name: `${s.name}__${t.name}`, description: t.description, inputSchema: t.inputSchema, ...(t.annotations ? { annotations: t.annotations } : {}) }))),
    });
    // Our own requests (not from any benchmark), just to have realistic answers to measure.
    const ownQueries = ['create an invoice for a customer in Xero', 'send a message to a Telegram group', 'list open tasks in ClickUp', 'open a pull request on GitHub', 'post in a Slack channel'];
    let answerChars = 0;
    for (const q of ownQueries) {
      const hits = await svc.index.search(q);
      const text = hits.map((h) => `${h.name} (${h.score}): ${h.description}`).join('\n');
      answerChars += JSON.stringify({ tools: hits }).length + text.length;
    }
    answerChars /= ownQueries.length;
    const tok = (chars: number) => Math.round(chars / 4);
    console.log(`## Token saving (services pool: ${svcTools} tools of ${svcPool.servers.length} real app servers; default limit 8)`);
    table(
      ['answer', 'chars', '~tokens (chars/4)', 'share'],
      [
        ['tools/list of every tool (name, description, inputSchema)', listing.length, tok(listing.length), '100%'],
        ['search_tools answer (structuredContent + text list)', Math.round(answerChars), tok(answerChars), `${((100 * answerChars) / listing.length).toFixed(1)}%`],
      ],
    );
    results.tokens = { listingChars: listing.length, answerChars, share: answerChars / listing.length };
    await svc.index.close();
  }

  // 5,000-tool catalog, synthesised by replicating the LiveMCPBench and services pools under renamed servers.
  if (runs('big')) {
    const bigPool: Pool = { servers: [] };
    for (let copy = 0; bigPool.servers.reduce((n, s) => n + s.tools.length, 0) < 5000; copy++) {
      // Each copy's descriptions differ, so every tool is a text of its own to embed (vectors are cached by text).
      for (const s of [...lmPool.servers, ...svcPool.servers])
        bigPool.servers.push(copy ? { ...s, name: `${s.name}-copy${copy}`, tools: s.tools.map((t) => ({ ...t, description: `${t.description ?? ''} (copy ${copy})` })) } : s);
    }
    const bigTools = bigPool.servers.reduce((n, s) => n + s.tools.length, 0);
    const lexBig = await buildIndex(bigPool, { embeddings: { provider: 'none' } }, { vectorCache: false });
    const bigRows: Array<Array<string | number>> = [];
    const latencyQueries = [...lmQueries.map((q) => q.query), ...lmQueries.flatMap((q) => q.steps ?? [])];
    const timeQueries = async (index: ToolIndex, mode: SearchMode) => {
      const times: number[] = [];
      for (const q of latencyQueries) {
        const t0 = performance.now();
        await index.search(q, { mode });
        times.push(performance.now() - t0);
      }
      return times;
    };
    const lexTimes = await timeQueries(lexBig.index, 'lexical');
    bigRows.push(['lexical', ms(lexBig.buildMs), '-', ms(percentile(lexTimes, 50)), ms(percentile(lexTimes, 99))]);
    await lexBig.index.close();
    let warm: { cold: number; warm: number } | undefined;
    if (denseOk) {
      // Cold: every tool embedded, into a vector cache of its own; warm: a new index (and model load) on that cache.
      const bigCache = mkdtempSync(path.join(os.tmpdir(), 'bench-big-vectors-'));
      const t0 = performance.now();
      const big = await buildPoolIndex(bigPool, { embeddings: embeddingsFor(modelArg, dtype), vectorCacheDir: bigCache });
      const cold = performance.now() - t0;
      for (const mode of ['dense', 'hybrid'] as const) {
        const times = await timeQueries(big.index, mode);
        bigRows.push([mode, ms(big.buildMs), ms(big.embedMs), ms(percentile(times, 50)), ms(percentile(times, 99))]);
      }
      await big.index.close();
      const t1 = performance.now();
      const again = await buildPoolIndex(bigPool, { embeddings: embeddingsFor(modelArg, dtype), vectorCacheDir: bigCache });
      warm = { cold, warm: performance.now() - t1 };
      if (again.index.status().embedded !== bigTools) throw new Error(`warm start: ${again.index.status().embedded} of ${bigTools} tools have vectors`);
      await again.index.close();
      rmSync(bigCache, { recursive: true, force: true });
    }
    console.log(`## Big catalog: ${bigTools} tools (${bigPool.servers.length} servers: the LiveMCPBench and services pools replicated under renamed servers), ${latencyQueries.length} queries (tasks and steps)`);
    table(['ranking', 'build ms', 'embed ms', 'p50 ms', 'p99 ms'], bigRows);
    results.big = { tools: bigTools, rows: bigRows, start: warm };
    if (warm) console.log(`start of the ${bigTools}-tool catalog with the model (index, model load, vectors): cold ${ms(warm.cold / 1000)} s (every tool embedded), warm ${ms(warm.warm / 1000)} s (vectors read from the disk cache)`);
    if (denseOk) console.log('dense latency includes embedding each query with the model; hybrid ran next on the same index, so its queries were already embedded (cached) and its figure is ranking cost only.');
  }

  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
  if (vectorCacheDir) rmSync(vectorCacheDir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
