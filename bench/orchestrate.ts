// Orchestration benchmark: what planning costs on the demo apps (ClickUp and Telegram mock APIs, the
// Xero mock server), with the hub in-process, memory on, and the planner's model served by the mock
// LLM's scripted stand-in. Per task: LLM calls (planning and prompt steps), prompt tokens and wall
// time, for the seed scenario, a re-run of the same request (a remembered plan is reused: no planning
// call) and a similar request (memory adds the earlier plan as an example); against a baseline that
// sends the same planning prompt with every tool of the catalog instead of the retrieved candidates.
//
//   npm run bench:orchestrate -- [--rounds N] [--json FILE]
//
// Tokens are counted as the mock LLM counts them (and reports them back as usage.prompt_tokens, which
// the run records add up): characters of the request's `messages` and `tools` JSON, as sent on the
// wire by the openai SDK, divided by 4. Every request goes through the same provider to the same mock.
// The stand-in plans only with the tools the planner offered (the validator refuses any other), so these
// are prompts a real model could plan from.
//
// Planning recall: for the tasks of bench/planning-tasks.json (ours: seed paraphrases, cross-app and
// single-app tasks, split dev/test), whether the tools the live hub's planner offers include every tool
// the task needs (offered ⊇ needed), beside the prompt tokens of what it offers.
import { localPrincipal } from '../src/access/principal.js';
import { detachedCaller } from '../src/access/caller.js';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { SEED_TASK, PACKAGE_ROOT, startDemoApps } from '../src/cli/demo.js';
import { Hub } from '../src/hub.js';
import { Planner, exampleFromRecord, type PlanExample } from '../src/planner/index.js';
import { estimateTokens, startMockLlm, type LlmMockRequest } from '../mocks/llm/index.js';
import { scenarioResponder } from '../mocks/llm/scenario-planner.js';
import { aggregate, loadPlanningTasks, measurePlanningRecall, type Aggregate } from './planning-recall.js';
import path from 'node:path';

const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const rounds = Number(arg('rounds') ?? 3);
const jsonOut = arg('json');
if (!(rounds >= 1)) {
  console.error('usage: orchestrate [--rounds N] [--json FILE]');
  process.exit(2);
}

/** Worded differently from the seed request, same intent: memory should offer the seed run as an example, not reuse it. */
const SIMILAR_TASK = 'For every Xero invoice that is still unpaid, open a follow-up task in ClickUp, then post a short summary to the Telegram group.';
const TASKS = [
  { label: 'seed scenario', task: SEED_TASK },
  { label: 're-run, same request', task: SEED_TASK },
  { label: 'similar request', task: SIMILAR_TASK },
];
const TARGET = 0.2;

interface Row {
  label: string;
  status: string;
  planSource?: string;
  planningCalls: number;
  planningTokens: number;
  stepCalls: number;
  stepTokens: number;
  examples: number;
  candidates: number;
  catalog: number;
  baselineTokens: number;
  compactCatalogTokens: number;
  wallMs: number;
}

const isPlanning = (r: LlmMockRequest) => r.tools.some((t) => t.name === 'submit_plan');
/** The mock's own estimate (mocks/llm/openai-wire.ts), from the body as sent. */
const promptTokens = (r: LlmMockRequest) => estimateTokens(JSON.stringify(r.body.messages ?? []) + JSON.stringify(r.body.tools ?? []));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Recall {
  label: string;
  figures: Aggregate;
}

/** Planning recall of the live hub's planner over its own catalog (the same one the runs above plan from). */
async function planningRecall(hub: Hub): Promise<{ recall: Recall[]; misses: string[] }> {
  const tasks = loadPlanningTasks(path.join(PACKAGE_ROOT, 'bench/planning-tasks.json'), new Set(hub.catalog.tools().map((t) => t.name)));
  const planner = hub.orchestrator.planner!;
  const results = await measurePlanningRecall(tasks, (task, extra) => planner.candidates(task, extra));
  const groups: Array<[string, (r: (typeof results)[number]) => boolean]> = [
    ['all tasks', () => true],
    ...['dev', 'test'].map((split): [string, (r: (typeof results)[number]) => boolean] => [split, (r) => r.split === split]),
    ...['seed-paraphrase', 'cross-app', 'single-app'].map((kind): [string, (r: (typeof results)[number]) => boolean] => [kind, (r) => r.kind === kind]),
  ];
  return {
    recall: groups.map(([label, keep]) => ({ label, figures: aggregate(results.filter(keep)) })),
    misses: results.filter((r) => r.split === 'dev' && !r.full).map((r) => `${r.id}: ${r.missing.map((m) => (Array.isArray(m) ? m.join('|') : m)).join(', ')}`),
  };
}

let recallFigures: Awaited<ReturnType<typeof planningRecall>> | undefined;

async function round(): Promise<Row[]> {
  const llm = await startMockLlm({ responder: scenarioResponder });
  const apps = await startDemoApps({ llmUrl: llm.url });
  const hub = await Hub.start(apps.loaded, { autoRestart: false, memory: true });
  try {
    recallFigures ??= await planningRecall(hub);
    const memory = hub.memory.status();
    if (memory.state !== 'ready') throw new Error(`memory is ${memory.state}: ${memory.reason ?? ''}`);
    const catalog = hub.catalog.tools();
    // The baseline: the same planner and prompt, offered every tool of the catalog.
    const everything = catalog.map((t) => ({ name: t.name, server: t.server, description: t.tool.description ?? '', score: 1 }));
    const wholeCatalog = (schemas: 'full' | 'compact') =>
      new Planner({ llm: hub.llm, index: { searchMany: async () => everything }, tools: hub.catalog }, { perQuery: catalog.length, limit: catalog.length, schemas });
    // Every tool's whole JSON Schema (the baseline), and every tool in the planner's own compact form (routing's share alone).
    const baseline = wholeCatalog('full');
    const sameRendering = wholeCatalog('compact');

    const rows: Row[] = [];
    for (const { label, task } of TASKS) {
      // What the orchestrator will show as examples (memory before this run), for the baseline's prompt too.
      const examples: PlanExample[] = (await hub.memory.similar(task, hub.orchestrator.config.examples)).flatMap(({ record }) => exampleFromRecord(record) ?? []);
      const candidates = (await hub.orchestrator.planner!.candidates(task)).length;

      llm.requests.length = 0;
      const t0 = performance.now();
      const result = await hub.orchestrator.run(task, { caller: detachedCaller(localPrincipal('bench')), approve: async () => true });
      const wallMs = performance.now() - t0;
      if (result.status !== 'succeeded') throw new Error(`"${label}" ended ${result.status}: ${result.record.error ?? result.summary}`);
      const planning = llm.requests.filter(isPlanning);
      const steps = llm.requests.filter((r) => !isPlanning(r));
      // Cross-check: the run record's tokens are the mock's usage answers.
      const counted = sum(llm.requests.map(promptTokens));
      if (counted !== result.record.usage.inputTokens) throw new Error(`token counts differ: ${counted} counted, ${result.record.usage.inputTokens} in the run record`);

      const promptOf = async (planner: Planner) => {
        llm.requests.length = 0;
        const r = await planner.plan({ task, examples });
        if (r.attempts !== 1 || llm.requests.length !== 1) throw new Error(`a baseline took ${r.attempts} attempts`);
        return promptTokens(llm.requests[0]);
      };

      rows.push({
        label,
        status: result.status,
        planSource: result.record.planSource,
        planningCalls: planning.length,
        planningTokens: sum(planning.map(promptTokens)),
        stepCalls: steps.length,
        stepTokens: sum(steps.map(promptTokens)),
        examples: examples.length,
        candidates,
        catalog: catalog.length,
        baselineTokens: await promptOf(baseline),
        compactCatalogTokens: await promptOf(sameRendering),
        wallMs,
      });
    }
    return rows;
  } finally {
    await hub.stop();
    await apps.close();
    await llm.close();
  }
}

process.chdir(PACKAGE_ROOT);
const all: Row[][] = [];
for (let i = 0; i < rounds; i++) {
  all.push(await round());
  process.stderr.write(`round ${i + 1} of ${rounds} done\n`);
}

const rows = TASKS.map((_, t) => ({ ...all[0][t], wallMs: median(all.map((r) => r[t].wallMs)), wallAll: all.map((r) => Math.round(r[t].wallMs)) }));
// Token counts do not change between rounds; say so if they ever do.
for (const r of all.slice(1)) {
  r.forEach((row, t) => {
    if (row.planningTokens !== rows[t].planningTokens || row.planningCalls !== rows[t].planningCalls) console.warn(`round differs for "${row.label}": ${row.planningTokens} tokens`);
  });
}

const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
console.log(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; ${rounds} round(s), wall time = median`);
console.log(`Catalog: ${rows[0].catalog} tools (xero, clickup, telegram)\n`);
console.log('| task | plan from | planning calls | candidates | examples | planning prompt tokens | baseline: every schema | share | whole catalog, compact | share | step calls | step prompt tokens | wall ms |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.label} | ${r.planSource} | ${r.planningCalls} | ${r.planningCalls ? r.candidates : '-'} | ${r.planningCalls ? r.examples : '-'} | ${r.planningTokens} | ${r.baselineTokens} | ${pct(r.planningTokens, r.baselineTokens)} | ${r.compactCatalogTokens} | ${pct(r.planningTokens, r.compactCatalogTokens)} | ${r.stepCalls} | ${r.stepTokens} | ${Math.round(r.wallMs)} |`,
  );
}
const planned = rows.filter((r) => r.planningCalls > 0);
const worst = Math.max(...planned.map((r) => r.planningTokens / r.baselineTokens));
const reuse = rows[1];
const recall = recallFigures!;
console.log('\nPlanning recall (bench/planning-tasks.json; offered ⊇ needed, the live planner over this catalog):\n');
console.log('| tasks | n | full recall | mean recall | tools offered | of which id suppliers | prompt tokens of the offered tools |');
console.log('|---|---|---|---|---|---|---|');
for (const { label, figures: f } of recall.recall) {
  console.log(`| ${label} | ${f.tasks} | ${f.fullRecall.toFixed(3)} | ${f.meanRecall.toFixed(3)} | ${f.meanOffered.toFixed(1)} | ${f.meanSuppliers.toFixed(1)} | ${Math.round(f.meanPromptTokens)} |`);
}
if (recall.misses.length) console.log(`\nDev tasks missing a needed tool: ${recall.misses.join('; ')}`);
console.log(`\nTarget: planning prompt <= ${TARGET * 100}% of the baseline: ${worst <= TARGET ? 'PASS' : 'FAIL'} (worst ${(100 * worst).toFixed(1)}%)`);
console.log(`Target: a re-run costs 0 planning calls (plan reused from memory): ${reuse.planningCalls === 0 && reuse.planSource === 'memory' ? 'PASS' : 'FAIL'}`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rounds, rows, planningRecall: recall }, null, 2));
