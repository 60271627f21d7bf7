// Plan reuse benchmark (issue 14 part 5): is a remembered plan ever reused for a request that differs
// in what it acts on, and how often is it reused for a true repeat?
//
//   npm run bench:reuse -- [--model PATH] [--dtype q8|fp32] [--split dev|test|all] [--show-failures] [--json FILE]
//
// bench/reuse-cases.json holds hand-written base requests, each with a plan made by hand from the mock
// apps' tools, and later requests: true repeats (expected reuse) and near misses (a changed entity,
// amount, date, negation, quantity, app or constraint: expected no reuse). Every base is stored as a
// successful run in a real memory (Memory.start, which starts the embedded Chroma server from the
// chromadb package in a temporary data directory); then each later request goes through
// Orchestrator.plan with that memory, which is where `orchestrate` and `plan_task` ask memory for a
// plan to reuse (Memory.findReusable, then validation against the catalog). No model is configured
// for planning, so a request that is not reused ends in "no model": nothing else can pass for reuse.
//
// Without --model, memory embeds with its model-free hashing embedder; with --model PATH (a local
// transformers.js model folder) it embeds with that model, as the hub does when the tool index has one.
// Failures are listed for the dev split only (--show-failures); the test split is held out.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MemoryConfigSchema } from '../src/config/memory.js';
import { RoutingConfigSchema } from '../src/config/routing.js';
import { Memory, type MemoryLogger } from '../src/memory/index.js';
import { Orchestrator, type PlanMemory } from '../src/planner/orchestrator.js';
import { exampleFromRecord } from '../src/planner/planner.js';
import type { Plan } from '../src/planner/plan.js';
import { RunRecordSchema } from '../src/planner/record.js';
import { createEmbedder, type Embedder } from '../src/routing/index.js';
import { f3, table } from './table.js';

interface Base {
  id: string;
  request: string;
  apps: string[];
  plan: Plan;
}
interface Case {
  id: string;
  base: string;
  request: string;
  reuse: boolean;
  category: string;
  split: 'dev' | 'test';
}
interface Outcome extends Case {
  reused: boolean;
  /** The run whose plan was reused, when one was. */
  reusedRun?: string;
  /** The run the request was reused from is not its base's: a wrong reuse even for a repeat. */
  wrongRun: boolean;
  /** Why the base's run was not reused (memory's debug reason), when it was not. */
  reason?: string;
  ms: number;
  /** Rank of the base's run among memory.similar's answers (the planner's examples), 0 when absent. */
  exampleRank: number;
}

const argv = process.argv.slice(2);
const arg = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const modelArg = arg('model');
const dtype = (arg('dtype') ?? 'q8') as 'q8' | 'fp32';
const splitArg = (arg('split') ?? 'all') as 'dev' | 'test' | 'all';
const showFailures = argv.includes('--show-failures');
const jsonOut = arg('json');

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/reuse.js; the cases stay in bench/.
const casesFile = [path.join(here, 'reuse-cases.json'), path.join(here, '..', '..', 'bench', 'reuse-cases.json')].find((f) => {
  try {
    readFileSync(f);
    return true;
  } catch {
    return false;
  }
})!;
const data = JSON.parse(readFileSync(casesFile, 'utf8')) as { bases: Base[]; items: Case[] };
const items = data.items.filter((c) => splitArg === 'all' || c.split === splitArg);
const baseRun = (base: string) => `bench-${base}`;

// Every tool a base plan calls, with an open input schema: the check here is memory's decision, not argument validation.
const schemas: Record<string, unknown> = {};
for (const b of data.bases) for (const s of b.plan.steps) if ('tool' in s) schemas[s.tool] = { type: 'object', properties: {}, additionalProperties: true };
const tools = {
  getTool: (name: string) => (schemas[name] ? { name, tool: { name, inputSchema: schemas[name] as { type: 'object' } } } : undefined),
  tools: () => Object.keys(schemas).map((name) => ({ name })),
};

/** Memory's debug lines say why a run was not reused; the last one per run is kept. */
const reasons = new Map<string, string>();
const logger: MemoryLogger = {
  info() {},
  warn(msg) {
    console.error(`memory: ${msg}`);
  },
  debug(msg) {
    const m = /^not reusing run (\S+): (.*)$/.exec(msg);
    if (m) reasons.set(m[1], m[2]);
  },
};

function embedderFor(model: string | undefined): Embedder | undefined {
  if (!model) return undefined;
  return createEmbedder(RoutingConfigSchema.parse({ embeddings: { provider: 'transformers', localPath: path.resolve(model), dtype } }).embeddings);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-reuse-'));
  const memory = await Memory.start(MemoryConfigSchema.parse({ collection: 'bench_reuse' }), {
    dataDir,
    logger,
    embedder: embedderFor(modelArg),
    toolSchema: (name) => schemas[name],
  });
  try {
    const status = memory.status();
    if (status.state !== 'ready') throw new Error(`memory is ${status.state}: ${status.reason}`);

    for (const b of data.bases) {
      const record = RunRecordSchema.parse({
        id: baseRun(b.id),
        task: b.request,
        status: 'succeeded',
        plan: b.plan,
        planSource: 'llm',
        client: 'bench',
        startedAt: new Date().toISOString(),
        usage: { llmCalls: 1 },
      });
      if (!(await memory.store(record))) throw new Error(`could not store ${b.id}`);
    }

    // The orchestrator asks memory for a reusable plan exactly as the hub wires it (src/hub.ts).
    const planMemory: PlanMemory = {
      similar: async (task, k, principal) => (await memory.similar(task, k, { principal })).flatMap(({ record }) => exampleFromRecord(record) ?? []),
      store: async (record) => void (await memory.store(record)),
      reusable: async (task, principal) => {
        const found = await memory.findReusable(task, { principal });
        return found && { plan: found.plan, runId: found.record.id, similarity: found.similarity };
      },
    };
    const orchestrator = new Orchestrator({ caller: { callTool: async () => ({ content: [] }) }, tools, index: { searchMany: async () => [] }, memory: planMemory, logger: { info() {}, warn() {} } });

    // One warm-up (first embedding, first query) outside the timings.
    await orchestrator.plan('warm up the memory').catch(() => undefined);

    const outcomes: Outcome[] = [];
    for (const c of items) {
      reasons.delete(baseRun(c.base));
      const t0 = performance.now();
      const planned = await orchestrator.plan(c.request).catch(() => undefined);
      const ms = performance.now() - t0;
      const reused = planned?.source === 'memory';
      const examples = await memory.similar(c.request, 3);
      const rank = examples.findIndex((e) => e.record.id === baseRun(c.base)) + 1;
      outcomes.push({
        ...c,
        reused,
        reusedRun: planned?.reusedRun,
        wrongRun: reused && planned?.reusedRun !== baseRun(c.base),
        reason: reused ? undefined : (reasons.get(baseRun(c.base)) ?? 'not among the nearest runs'),
        ms,
        exampleRank: rank,
      });
    }

    report(outcomes, status.embedder ?? 'unknown');
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ embedder: status.embedder, model: modelArg ?? null, outcomes }, null, 1));
  } finally {
    await memory.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Tally {
  reused: number;
  correct: number;
  repeats: number;
  repeatsReused: number;
  misses: number;
  missesReused: number;
}

function tally(os: Outcome[]): Tally {
  const good = (o: Outcome) => o.reused && o.reuse && !o.wrongRun;
  return {
    reused: os.filter((o) => o.reused).length,
    correct: os.filter(good).length,
    repeats: os.filter((o) => o.reuse).length,
    repeatsReused: os.filter(good).length,
    misses: os.filter((o) => !o.reuse).length,
    missesReused: os.filter((o) => !o.reuse && o.reused).length,
  };
}

const ratio = (a: number, b: number) => (b ? f3(a / b) : 'n/a');

function report(outcomes: Outcome[], embedder: string): void {
  console.log(`# Plan reuse (bench/reuse-cases.json: ${data.bases.length} remembered runs, ${outcomes.length} later requests, split ${splitArg})`);
  console.log(`embedder: ${embedder}${modelArg ? '' : ' (no --model given: the model-free hashing embedder memory falls back to)'}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} x${os.cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);

  const splits = splitArg === 'all' ? (['dev', 'test', 'all'] as const) : ([splitArg] as const);
  const rows = splits.map((s) => {
    const t = tally(outcomes.filter((o) => s === 'all' || o.split === s));
    return [s, t.repeats, t.misses, t.reused, ratio(t.correct, t.reused), ratio(t.repeatsReused, t.repeats), `${t.missesReused}/${t.misses}`];
  });
  table(['split', 'true repeats', 'near misses', 'reused', 'precision', 'reuse rate on repeats (recall)', 'near misses reused'], rows);

  const cats = [...new Set(outcomes.map((o) => `${o.reuse ? 'repeat' : 'near miss'}: ${o.category}`))].sort();
  table(
    ['category', 'dev', 'test', 'reused (dev)', 'reused (test)'],
    cats.map((cat) => {
      const of = (s: string) => outcomes.filter((o) => `${o.reuse ? 'repeat' : 'near miss'}: ${o.category}` === cat && o.split === s);
      const r = (s: string) => `${of(s).filter((o) => o.reused).length}/${of(s).length}`;
      return [cat, of('dev').length, of('test').length, r('dev'), r('test')];
    }),
  );

  const at = (k: number) => outcomes.filter((o) => o.exampleRank > 0 && o.exampleRank <= k).length;
  console.log(
    `Similar-run lookup (the planner's examples, memory.similar(request, 3)): the request's base run first for ${at(1)}/${outcomes.length} requests (${ratio(at(1), outcomes.length)}), ` +
      `within the 3 for ${at(3)}/${outcomes.length} (${ratio(at(3), outcomes.length)}).`,
  );
  const ms = outcomes.map((o) => o.ms);
  console.log(`Reuse lookup latency (Orchestrator.plan up to the reuse decision; embedding the request included): median ${pct(ms, 50).toFixed(1)} ms, p95 ${pct(ms, 95).toFixed(1)} ms.\n`);

  if (showFailures) {
    const failures = outcomes.filter((o) => o.split === 'dev' && (o.reused !== o.reuse || o.wrongRun));
    console.log(`Dev failures (${failures.length}; the test split is held out):`);
    for (const o of failures) console.log(`- ${o.id} [${o.category}] expected ${o.reuse ? 'reuse' : 'no reuse'}${o.reused ? `, reused ${o.reusedRun}` : `: ${o.reason}`}\n  "${o.request}"`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
