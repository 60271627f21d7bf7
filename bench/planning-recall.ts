// Planning-recall benchmark: for each task, does the set of tools the planner offers the model contain every
// tool the task needs ("offered ⊇ needed"), and how many tools and prompt tokens does it offer? The offered set
// is the real `Planner.candidates()` (src/planner/planner.ts, default options perQuery 5, limit 20) over the
// hub's own ToolIndex (lexical, as the demo runs it), on two sets:
//
// - our own tasks (bench/planning-tasks.json) over the demo catalog: Xero's official 51 tools
//   (test/fixtures/xero-official-tools), and the ClickUp and Telegram custom servers' tools as their
//   tools/list returns them (each server built in-process over an in-memory transport; no API is called).
//   The tasks were written from the tool definitions without running the planner. `needed` holds the
//   tools a correct plan must call, including those that supply ids a call requires when the task does
//   not give them (create_task needs list_id: get_workspaces > get_spaces > get_folders|get_lists).
//   Split dev/test: only dev misses are listed; test is reported in aggregate.
// - LiveMCPBench (../shared/benchmarks/tool-retrieval/livemcpbench): 94 multi-step tasks over 527 tools,
//   once with the task alone (`candidates(query)`) and once with the annotators' steps as extra queries
//   (`candidates(query, steps)`). Aggregates only: it is a held-out measurement.
//
// Prompt tokens: the offered tools rendered as the planner renders them (compact blocks, then the id
// suppliers one line each; src/planner/tool-render.ts), characters / 4 as the mock LLM counts.
//
//   npm run bench:planning -- [--tasks FILE] [--data DIR] [--own-only] [--model PATH_OR_ID] [--json FILE]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Tool } from '@modelcontextprotocol/client';
import type { ClickUpApi } from '../custom-servers/clickup/src/api.js';
import { createClickUpServer } from '../custom-servers/clickup/src/server.js';
import { createTelegramServer } from '../custom-servers/telegram/src/server.js';
import { estimateTokens } from '../mocks/llm/types.js';
import { PACKAGE_ROOT } from '../src/cli/package.js';
import type { Llm } from '../src/llm/types.js';
import { Planner, type PlannerOptions } from '../src/planner/planner.js';
import { renderSuppliers, renderTools } from '../src/planner/tool-render.js';
import type { ToolLookup } from '../src/planner/validator.js';
import type { ToolIndex } from '../src/routing/index.js';
import { buildIndex, embeddingsFor, findDataDir, readPool, readQueries, type EmbeddingsInput, type Pool } from './pool.js';
import { f3, table } from './table.js';

// ---------- types ----------

/** A needed tool: a name, or any one of several. */
export type Needed = string | string[];

export interface RecallTask {
  id: string;
  task: string;
  needed: Needed[];
  split?: 'dev' | 'test';
  kind?: string;
  /** Extra retrieval queries (LiveMCPBench's annotated steps), used by the "+steps" variant. */
  extra?: string[];
}

export type Offered = Array<{ name: string; tool: Tool; supplier?: boolean }>;
/** What the benchmark measures: Planner.candidates, or anything with its shape. */
export type CandidatesFn = (task: string, extra?: string[]) => Promise<Offered>;

export interface TaskResult {
  id: string;
  split?: string;
  kind?: string;
  task: string;
  needed: Needed[];
  missing: Needed[];
  /** Share of the needed elements offered (an any-of group counts once). */
  recall: number;
  /** Every needed tool offered. */
  full: boolean;
  offered: string[];
  suppliers: string[];
  promptChars: number;
  promptTokens: number;
}

export interface Aggregate {
  tasks: number;
  /** Share of tasks with every needed tool offered. */
  fullRecall: number;
  meanRecall: number;
  meanOffered: number;
  meanSuppliers: number;
  meanPromptTokens: number;
}

export interface CatalogServer {
  name: string;
  description?: string;
  tools: Tool[];
}

/** The planner's defaults (orchestrate.candidates in the config). */
export const DEFAULT_PLANNER_OPTIONS: PlannerOptions = { perQuery: 5, limit: 20 };

// ---------- measuring ----------

const offers = (names: Set<string>, need: Needed) => (Array.isArray(need) ? need.some((n) => names.has(n)) : names.has(need));

/** The offered tools as the planner's prompt shows them (compact mode): full blocks, then the suppliers a line each. */
export function renderOffered(offered: Offered): string {
  return [renderTools(offered.filter((t) => !t.supplier)), renderSuppliers(offered.filter((t) => t.supplier))].filter(Boolean).join('\n\n');
}

/** Runs each task through `candidates` (with its `extra` queries when `withExtra`) and scores the offered set against `needed`. */
export async function measurePlanningRecall(tasks: RecallTask[], candidates: CandidatesFn, options: { withExtra?: boolean } = {}): Promise<TaskResult[]> {
  const results: TaskResult[] = [];
  for (const t of tasks) {
    const offered = await candidates(t.task, options.withExtra ? (t.extra ?? []) : []);
    const names = new Set(offered.map((o) => o.name));
    const missing = t.needed.filter((n) => !offers(names, n));
    const rendered = renderOffered(offered);
    results.push({
      id: t.id,
      split: t.split,
      kind: t.kind,
      task: t.task,
      needed: t.needed,
      missing,
      recall: t.needed.length ? (t.needed.length - missing.length) / t.needed.length : 1,
      full: missing.length === 0,
      offered: offered.filter((o) => !o.supplier).map((o) => o.name),
      suppliers: offered.filter((o) => o.supplier).map((o) => o.name),
      promptChars: rendered.length,
      promptTokens: estimateTokens(rendered),
    });
  }
  return results;
}

export function aggregate(results: TaskResult[]): Aggregate {
  const n = results.length;
  const mean = (f: (r: TaskResult) => number) => (n ? results.reduce((s, r) => s + f(r), 0) / n : 0);
  return {
    tasks: n,
    fullRecall: mean((r) => (r.full ? 1 : 0)),
    meanRecall: mean((r) => r.recall),
    meanOffered: mean((r) => r.offered.length + r.suppliers.length),
    meanSuppliers: mean((r) => r.suppliers.length),
    meanPromptTokens: mean((r) => r.promptTokens),
  };
}

// ---------- catalogs ----------

/** Server descriptions as the demo configures them (src/cli/demo.ts); the hub indexes them with the tools. */
const DEMO_DESCRIPTIONS: Record<string, string> = {
  xero: 'Xero accounting (offline mock) - invoices, contacts, payments, reports',
  clickup: 'ClickUp work tracking (offline mock API) - workspaces, lists, tasks, comments, time',
  telegram: 'Telegram team chat (offline mock Bot API) - send, edit, pin and read messages',
};

/** A server's tools/list, over an in-memory transport: the definitions exactly as a client receives them. */
async function listTools(server: McpServer): Promise<Tool[]> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'planning-recall-bench', version: '0' });
  await server.connect(serverSide);
  await client.connect(clientSide);
  try {
    return (await client.listTools()).tools as unknown as Tool[];
  } finally {
    await client.close();
    await server.close();
  }
}

/**
 * The demo catalog: Xero's official tool definitions (the fixture the Xero mock is checked against), and the
 * ClickUp and Telegram servers' own tools/list. Listing calls no API, so the API client and bot config are stand-ins.
 */
export async function demoCatalog(): Promise<CatalogServer[]> {
  const xeroFile = path.join(PACKAGE_ROOT, 'test/fixtures/xero-official-tools/pool-xero.json');
  const xeroPool = JSON.parse(readFileSync(xeroFile, 'utf8')) as Pool;
  const xero = xeroPool.servers.find((s) => s.name === 'xero');
  if (!xero) throw new Error(`${xeroFile} holds no "xero" server`);
  const clickup = await listTools(createClickUpServer({} as ClickUpApi));
  const telegram = await listTools(
    createTelegramServer({ token: 'bench', apiUrl: 'http://127.0.0.1:9', defaultChatId: '-1001234567890', timeoutMs: 1000, maxRetries: 0, uploadDirs: [], deniedDirs: [] }),
  );
  const xeroTools = xero.tools.map((t) => ({ ...t, inputSchema: (t.inputSchema ?? { type: 'object' }) as Tool['inputSchema'] }) as Tool);
  return [
    { name: 'xero', description: DEMO_DESCRIPTIONS.xero, tools: xeroTools },
    { name: 'clickup', description: DEMO_DESCRIPTIONS.clickup, tools: clickup },
    { name: 'telegram', description: DEMO_DESCRIPTIONS.telegram, tools: telegram },
  ];
}

/** A public pool (pool.json) as catalog servers. */
export function poolCatalog(pool: Pool): CatalogServer[] {
  return pool.servers.map((s) => ({
    name: s.name,
    description: s.description,
    tools: s.tools.map((t) => ({ ...t, inputSchema: (t.inputSchema ?? { type: 'object' }) as Tool['inputSchema'] }) as Tool),
  }));
}

/** The catalog as the planner looks tools up: namespaced `<server>__<tool>` names, definitions with that name. */
export function catalogLookup(catalog: CatalogServer[]): ToolLookup & { names: Set<string>; all: Array<{ name: string; tool: Tool }> } {
  const all = catalog.flatMap((s) => s.tools.map((t) => ({ name: `${s.name}__${t.name}`, tool: { ...t, name: `${s.name}__${t.name}` } })));
  const byName = new Map(all.map((t) => [t.name, t]));
  return { getTool: (name) => byName.get(name), tools: () => all.map((t) => ({ name: t.name })), names: new Set(byName.keys()), all };
}

/** The hub's ToolIndex over the catalog (lexical unless embeddings are given) and a Planner over both. */
export async function plannerFor(
  catalog: CatalogServer[],
  options: { embeddings?: EmbeddingsInput; planner?: PlannerOptions } = {},
): Promise<{ planner: Planner; index: ToolIndex; lookup: ReturnType<typeof catalogLookup> }> {
  const pool: Pool = {
    servers: catalog.map((s) => ({
      name: s.name,
      description: s.description,
      tools: s.tools.map((t) => ({ name: t.name, title: t.title, description: t.description, inputSchema: t.inputSchema, annotations: t.annotations })),
    })),
  };
  const { index } = await buildIndex(pool, { embeddings: options.embeddings });
  const lookup = catalogLookup(catalog);
  const unused: Llm = {
    complete: () => Promise.reject(new Error('the planning-recall benchmark never asks the model')),
    availability: () => ({ ok: false, reason: 'benchmark stub' }),
    usage: () => {
      throw new Error('benchmark stub');
    },
  };
  return { planner: new Planner({ llm: unused, index, tools: lookup }, options.planner ?? DEFAULT_PLANNER_OPTIONS), index, lookup };
}

/** bench/planning-tasks.json (or another file of that format), checked against the catalog's tool names. */
export function loadPlanningTasks(file: string, known?: Set<string>): RecallTask[] {
  const { tasks } = JSON.parse(readFileSync(file, 'utf8')) as { tasks: RecallTask[] };
  if (!Array.isArray(tasks) || !tasks.length) throw new Error(`${file}: expected {"tasks": [...]}`);
  const ids = new Set<string>();
  for (const t of tasks) {
    if (!t.id || !t.task || !Array.isArray(t.needed) || !t.needed.length) throw new Error(`${file}: task ${JSON.stringify(t.id)} needs id, task and needed`);
    if (ids.has(t.id)) throw new Error(`${file}: duplicate task id ${t.id}`);
    ids.add(t.id);
    if (t.split !== 'dev' && t.split !== 'test') throw new Error(`${file}: task ${t.id} has split ${JSON.stringify(t.split)}, expected dev or test`);
    const unknown = known ? t.needed.flat().filter((n) => !known.has(n)) : [];
    if (unknown.length) throw new Error(`${file}: task ${t.id} needs tools the catalog lacks: ${unknown.join(', ')}`);
  }
  return tasks;
}

// ---------- output ----------

const f1 = (x: number) => x.toFixed(1);

const HEADERS = ['set', 'tasks', 'full recall', 'mean recall', 'offered', 'of which suppliers', 'prompt tokens'];
const row = (label: string, a: Aggregate) => [label, a.tasks, f3(a.fullRecall), f3(a.meanRecall), f1(a.meanOffered), f1(a.meanSuppliers), Math.round(a.meanPromptTokens)];
const needLabel = (n: Needed) => (Array.isArray(n) ? n.join(' | ') : n);

// ---------- CLI ----------

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const ownOnly = argv.includes('--own-only');
  const jsonOut = arg('json');
  const tasksFile = path.resolve(arg('tasks') ?? path.join(PACKAGE_ROOT, 'bench/planning-tasks.json'));
  const embeddings = embeddingsFor(arg('model'), (arg('dtype') ?? 'q8') as 'q8' | 'fp32');
  const dataDir = ownOnly ? undefined : findDataDir(arg('data'));
  if (!ownOnly && (!dataDir || !existsSync(path.join(dataDir, 'livemcpbench/queries.jsonl')))) {
    console.error(
      `planning-recall: the LiveMCPBench data was not found (${arg('data') ?? '../shared/benchmarks/tool-retrieval beside the checkout'}` +
        ` should hold livemcpbench/pool.json and queries.jsonl). Pass --data DIR (the tool-retrieval folder), or --own-only to measure our own tasks alone.`,
    );
    process.exit(2);
  }
  const json: Record<string, unknown> = { date: new Date().toISOString(), planner: DEFAULT_PLANNER_OPTIONS, embeddings };

  // Our own tasks over the demo catalog
  const catalog = await demoCatalog();
  const own = await plannerFor(catalog, { embeddings });
  const tasks = loadPlanningTasks(tasksFile, own.lookup.names);
  const wholeCatalog = estimateTokens(renderTools(own.lookup.all));
  console.log('# Planning recall: offered ⊇ needed');
  console.log(
    `planner: Planner.candidates, perQuery ${DEFAULT_PLANNER_OPTIONS.perQuery}, limit ${DEFAULT_PLANNER_OPTIONS.limit}; ` +
      `index: ToolIndex, ${embeddings.provider === 'none' ? 'lexical (embeddings off)' : `embeddings ${JSON.stringify(embeddings)}`}; tokens = characters / 4 of the rendered tools`,
  );
  console.log('');
  const counts = catalog.map((s) => `${s.name} ${s.tools.length}`).join(', ');
  console.log(`## Own tasks (${path.relative(process.cwd(), tasksFile) || tasksFile}) over the demo catalog (${own.lookup.all.length} tools: ${counts}; all of them rendered: ${wholeCatalog} tokens)`);
  const results = await measurePlanningRecall(tasks, (t, extra) => own.planner.candidates(t, extra));
  const kinds = [...new Set(tasks.map((t) => t.kind ?? 'other'))];
  const splits: Record<string, unknown> = {};
  for (const split of ['dev', 'test'] as const) {
    const inSplit = results.filter((r) => r.split === split);
    const rows = [row('all', aggregate(inSplit))];
    const byKind: Record<string, Aggregate> = {};
    for (const kind of kinds) {
      const a = aggregate(inSplit.filter((r) => (r.kind ?? 'other') === kind));
      byKind[kind] = a;
      rows.push(row(kind, a));
    }
    console.log(`### ${split}`);
    table(HEADERS, rows);
    splits[split] = { all: aggregate(inSplit), byKind };
  }
  const devMisses = results.filter((r) => r.split === 'dev' && !r.full);
  console.log(`### dev tasks missing a needed tool (${devMisses.length})`);
  if (!devMisses.length) console.log('none');
  for (const r of devMisses) {
    console.log(`- ${r.id} (${r.kind}): "${r.task}"`);
    console.log(`  missing: ${r.missing.map(needLabel).join(', ')}`);
    console.log(`  offered: ${r.offered.join(', ')}${r.suppliers.length ? `; suppliers: ${r.suppliers.join(', ')}` : ''}`);
  }
  console.log('');
  json.own = {
    tasksFile,
    catalog: { tools: own.lookup.all.length, servers: Object.fromEntries(catalog.map((s) => [s.name, s.tools.length])), wholeCatalogTokens: wholeCatalog },
    ...splits,
    // Per-task detail for dev only: test is reported in aggregate, so it is not tuned to.
    devTasks: results.filter((r) => r.split === 'dev'),
  };
  await own.index.close();

  // LiveMCPBench
  if (dataDir) {
    const pool = readPool(dataDir, 'livemcpbench/pool.json');
    const queries = readQueries(dataDir, 'livemcpbench/queries.jsonl');
    const lm = await plannerFor(poolCatalog(pool), { embeddings });
    const lmTasks: RecallTask[] = queries.map((q) => ({ id: q.id, task: q.query, needed: q.tools, extra: q.steps }));
    const unknown = lmTasks.flatMap((t) => t.needed.flat()).filter((n) => !lm.lookup.names.has(n));
    const withSteps = lmTasks.filter((t) => t.extra?.length).length;
    const lmWhole = estimateTokens(renderTools(lm.lookup.all));
    console.log(
      `## LiveMCPBench (${pool.servers.length} servers, ${lm.lookup.all.length} tools, ${lmTasks.length} tasks, ${withSteps} with annotated steps; all tools rendered: ${lmWhole} tokens)` +
        (unknown.length ? ` [${unknown.length} needed tool names are not in the pool]` : ''),
    );
    const candidates: CandidatesFn = (t, extra) => lm.planner.candidates(t, extra);
    const taskOnly = aggregate(await measurePlanningRecall(lmTasks, candidates));
    const taskSteps = aggregate(await measurePlanningRecall(lmTasks, candidates, { withExtra: true }));
    table(HEADERS, [row('candidates(query)', taskOnly), row('candidates(query, steps)', taskSteps)]);
    json.livemcpbench = { tools: lm.lookup.all.length, tasks: lmTasks.length, wholeCatalogTokens: lmWhole, query: taskOnly, querySteps: taskSteps };
    await lm.index.close();
  }

  if (jsonOut) {
    writeFileSync(jsonOut, JSON.stringify(json, null, 2));
    console.log(`figures written to ${jsonOut}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
