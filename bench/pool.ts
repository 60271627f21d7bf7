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

/** A ToolIndex over the pool; index warnings (a model that cannot load) go to stderr. */
export async function buildIndex(
  pool: Pool,
  options: { embeddings?: EmbeddingsInput; overrides?: RoutingConfigInput } = {},
): Promise<{ index: ToolIndex; buildMs: number; embedMs: number }> {
  const warnings: string[] = [];
  const index = new ToolIndex(routingConfig(options.embeddings ?? { provider: 'none' }, options.overrides), {
    cacheDir: path.resolve('.orchestrator/models'),
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
