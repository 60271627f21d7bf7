// Tool-retrieval benchmark: runs the hub's real ToolIndex over public tool pools and labelled requests
// (../shared/benchmarks/tool-retrieval) and prints recall, MRR, task completeness, latency, build time
// and token saving, for lexical, dense and fused ranking. Nothing here is tuned on these queries.
//
//   npm run bench:retrieval -- [--data DIR] [--model PATH_OR_ID] [--dtype q8|fp32] [--sample N] [--all] [--json FILE]
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { RoutingConfigInput } from '../src/config/routing.js';
import type { ToolIndex, SearchMode } from '../src/routing/index.js';
import { buildIndex as buildPoolIndex, embeddingsFor, findDataDir, readPool as readPoolFile, readQueries as readQueriesFile, type Pool, type Query } from './pool.js';
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
const buildIndex = (pool: Pool, overrides: RoutingConfigInput = {}) => buildPoolIndex(pool, { embeddings: embeddingsFor(modelArg, dtype), overrides });

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

async function evaluate(index: ToolIndex, queries: Query[], mode: SearchMode): Promise<Metrics> {
  let r1 = 0, r5 = 0, r10 = 0, mrr = 0, complete = 0;
  const times: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    const hits = await index.search(q.query, { limit: 10, mode });
    times.push(performance.now() - t0);
    const names = hits.map((h) => h.name);
    r1 += recallAt(q.tools, names, 1);
    r5 += recallAt(q.tools, names, 5);
    const at10 = recallAt(q.tools, names, 10);
    r10 += at10;
    if (at10 === 1) complete++;
    const first = names.findIndex((n) => q.tools.some((g) => matches(g, n)));
    mrr += first >= 0 ? 1 / (first + 1) : 0;
  }
  const n = queries.length;
  return { n, r1: r1 / n, r5: r5 / n, r10: r10 / n, mrr: mrr / n, complete10: complete / n, p50: percentile(times, 50), p99: percentile(times, 99) };
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
  console.log('');

  // MetaTool single-tool
  const mtPool = readPool('metatool/pool.json');
  const mtQueries = sample(readQueries('metatool/queries.jsonl'), sampleSize);
  const mt = await buildIndex(mtPool);
  console.log(`## MetaTool single-tool (${mtPool.servers[0].tools.length} tools, ${mtQueries.length} queries${Number.isFinite(sampleSize) ? ', fixed-seed sample' : ''})`);
  console.log(`index build ${ms(mt.buildMs)} ms${denseOk ? `, embedding ${ms(mt.embedMs)} ms` : ''}`);
  const mtRows = [];
  for (const mode of modes) {
    const m = await evaluate(mt.index, mtQueries, mode);
    results[`metatool.${mode}`] = m;
    mtRows.push([mode, f3(m.r1), f3(m.r5), f3(m.r10), f3(m.mrr), ms(m.p50), ms(m.p99)]);
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

  // LiveMCPBench
  const lmPool = readPool('livemcpbench/pool.json');
  const lmQueries = readQueries('livemcpbench/queries.jsonl');
  const lmTools = lmPool.servers.reduce((n, s) => n + s.tools.length, 0);
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
    if (!label) console.log(`index build ${ms(lm.buildMs)} ms${denseOk ? `, embedding ${ms(lm.embedMs)} ms` : ''}`);
    for (const mode of modes) {
      const m = await evaluate(lm.index, lmQueries, mode);
      results[`livemcpbench.task.${mode}${label}`] = m;
      wholeRows.push([mode + label, f3(m.r1), f3(m.r5), f3(m.r10), f3(m.mrr), f3(m.complete10), ms(m.p50), ms(m.p99)]);
      for (const limit of [10]) {
        const s = await evaluateSteps(lm.index, lmQueries, mode, limit);
        results[`livemcpbench.steps.${mode}${label}.limit${limit}`] = s;
        stepRows.push([mode + label, limit, f3(s.recall), f3(s.complete), s.candidates.toFixed(1), ms(s.p50), ms(s.p99)]);
      }
    }
    await lm.index.close();
  }
  console.log('whole task as one query (recall per task = share of its tools found):');
  table(['ranking', 'R@1', 'R@5', 'R@10', 'MRR', 'complete@10', 'p50 ms', 'p99 ms'], wholeRows);
  console.log('one query per annotated step, merged by searchMany (round-robin over steps):');
  table(['ranking', 'limit', 'recall', 'complete', 'candidates', 'p50 ms', 'p99 ms'], stepRows);

  // Token saving on the five real app servers
  const svcPool = readPool('services/pool.json');
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
  const svcTools = svcPool.servers.reduce((n, s) => n + s.tools.length, 0);
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

  // 5,000-tool catalog, synthesised by replicating the LiveMCPBench and services pools under renamed servers.
  const bigPool: Pool = { servers: [] };
  for (let copy = 0; bigPool.servers.reduce((n, s) => n + s.tools.length, 0) < 5000; copy++) {
    for (const s of [...lmPool.servers, ...svcPool.servers]) bigPool.servers.push({ ...s, name: copy ? `${s.name}-copy${copy}` : s.name });
  }
  const bigTools = bigPool.servers.reduce((n, s) => n + s.tools.length, 0);
  const lexBig = await buildIndex(bigPool, { embeddings: { provider: 'none' } });
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
  if (denseOk) {
    const big = await buildIndex(bigPool);
    for (const mode of ['dense', 'hybrid'] as const) {
      const times = await timeQueries(big.index, mode);
      bigRows.push([mode, ms(big.buildMs), ms(big.embedMs), ms(percentile(times, 50)), ms(percentile(times, 99))]);
    }
    await big.index.close();
  }
  console.log(`## Scale: ${bigTools} tools (${bigPool.servers.length} servers: the LiveMCPBench and services pools replicated under renamed servers), ${latencyQueries.length} queries (tasks and steps)`);
  table(['ranking', 'build ms', 'embed ms', 'p50 ms', 'p99 ms'], bigRows);
  results.scale = { tools: bigTools, rows: bigRows };
  if (denseOk) console.log('dense latency includes embedding each query with the model; hybrid ran next on the same index, so its queries were already embedded (cached) and its figure is ranking cost only.');

  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
