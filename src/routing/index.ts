// The tool index: BM25F over fielded tool documents (always there), dense vectors when a model is
// loaded (in the background; lexical answers until then; kept on disk by text), each server's own vector
// added to its tools' dense scores, the two rankings fused by score (or rank), an optional boost for apps
// the request names and an optional server-first stage. Updated one server at a time.
import type { RoutingConfig } from '../config/routing.js';
import { Bm25Index, type Scored } from './bm25.js';
import { embeddingText, fieldTerms, serverContextText, type IndexedTool } from './document.js';
import { createEmbedder, type Embedder } from './embedder.js';
import { mentionedServers, reciprocalRankFusion, scoreFusion, serverNameTerms } from './fusion.js';
import { terms } from './text.js';
import { VectorCache } from './vector-cache.js';
import { dot, VectorStore } from './vectors.js';

export type { IndexedTool } from './document.js';
export { createEmbedder, DEFAULT_MODELS, DeferredEmbedder, OpenAIEmbedder, TransformersEmbedder } from './embedder.js';
export type { Embedder, EmbedderDeps } from './embedder.js';

export interface SearchHit {
  /** Namespaced catalog name. */
  name: string;
  server: string;
  /** The description's opening, at most ~240 characters (describe_tool has the whole). */
  description: string;
  /** Higher is better; comparable within one answer only (RRF in hybrid mode, BM25 or cosine otherwise). */
  score: number;
}

export type SearchMode = 'lexical' | 'dense' | 'hybrid';

export interface RoutingLogger {
  info(msg: string, meta?: object): void;
  warn(msg: string, meta?: object): void;
  debug(msg: string, meta?: object): void;
}

export interface ToolIndexDeps {
  logger?: RoutingLogger;
  /** Model download cache (the hub passes `<dataDir>/models`). */
  cacheDir?: string;
  /** An embedder to use instead of the configured one (tests, or sharing one model with the memory). */
  embedder?: Embedder;
  /** Where tool vectors are kept between runs (the hub passes `<dataDir>/embeddings`); memory only when absent. */
  vectorCacheDir?: string;
}

export interface IndexStatus {
  tools: number;
  servers: number;
  dense: 'ready' | 'loading' | 'unavailable' | 'off';
  model?: string;
  reason?: string;
  /** Tools that have a vector (dense ranking covers only these). */
  embedded?: number;
}

interface Doc {
  tool: IndexedTool;
  text: string;
  short: string;
}

/** A text to embed, whether its tool or server is still there, and where its vector goes. */
interface PendingText {
  text: string;
  live: () => boolean;
  set: (v: Float32Array) => void;
}

const silent: RoutingLogger = { info() {}, warn() {}, debug() {} };

/** First paragraph, cut at a word boundary near `max` characters. */
export function shortDescription(description: string | undefined, max = 240): string {
  const first = (description ?? '').trim().split(/\n\s*\n/)[0].replace(/\s+/g, ' ');
  if (first.length <= max) return first;
  const cut = first.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max * 0.6))}…`;
}

export class ToolIndex {
  private readonly docs = new Map<number, Doc>();
  private readonly byServer = new Map<string, { docs: number[]; context: string }>();
  /** Each server's own vector (its name and description): the app a tool belongs to is part of its meaning. */
  private readonly serverVectors = new Map<string, Float32Array>();
  private readonly serverTerms = new Map<string, string[]>();
  private readonly bm25: Bm25Index;
  /** Servers as documents of their own, for the server-first stage. */
  private readonly serverBm25: Bm25Index;
  private readonly serverIds = new Map<string, number>();
  private readonly vectors = new VectorStore();
  /** Vectors by embedder and embedded text, so a restart or a reconnecting server costs no model time. */
  private readonly vectorCache: VectorCache;
  private readonly queryCache = new Map<string, Float32Array>();
  private nextDoc = 0;
  private nextServer = 0;
  private readonly logger: RoutingLogger;
  private readonly embedder?: Embedder;
  private dense: IndexStatus['dense'];
  private reason?: string;
  private loadPromise?: Promise<void>;
  private embedding?: Promise<void>;
  private closed = false;

  constructor(
    private readonly options: RoutingConfig,
    deps: ToolIndexDeps = {},
  ) {
    this.logger = deps.logger ?? silent;
    this.bm25 = new Bm25Index(options.lexical);
    this.serverBm25 = new Bm25Index(options.lexical);
    this.embedder = deps.embedder ?? createEmbedder(options.embeddings, { cacheDir: deps.cacheDir });
    this.vectorCache = new VectorCache(deps.vectorCacheDir, this.logger);
    this.dense = this.embedder ? 'loading' : 'off';
  }

  setServer(server: string, tools: IndexedTool[], serverDescription?: string): void {
    this.removeServer(server);
    const ids: number[] = [];
    for (const tool of tools) {
      const id = this.nextDoc++;
      this.bm25.add(id, fieldTerms(tool, this.options.lexical.expand));
      this.docs.set(id, { tool, text: embeddingText(tool), short: shortDescription(tool.description) });
      ids.push(id);
    }
    this.byServer.set(server, { docs: ids, context: serverContextText(server, serverDescription) });
    this.serverTerms.set(server, serverNameTerms(server));
    const sid = this.nextServer++;
    this.serverIds.set(server, sid);
    this.serverBm25.add(sid, {
      name: terms(server),
      server: [],
      description: terms(serverDescription ?? ''),
      params: terms(tools.map((t) => `${t.originalName} ${t.title ?? ''}`).join(' ')),
      related: [],
    });
    this.startDense();
  }

  removeServer(server: string): void {
    const entry = this.byServer.get(server);
    if (!entry) return;
    for (const id of entry.docs) {
      this.bm25.remove(id);
      this.vectors.delete(id);
      this.docs.delete(id);
    }
    this.byServer.delete(server);
    this.serverVectors.delete(server);
    this.serverTerms.delete(server);
    const sid = this.serverIds.get(server);
    if (sid !== undefined) this.serverBm25.remove(sid);
    this.serverIds.delete(server);
  }

  status(): IndexStatus {
    const s: IndexStatus = { tools: this.docs.size, servers: this.byServer.size, dense: this.dense };
    if (this.embedder) {
      s.model = this.embedder.id;
      s.embedded = this.vectors.size;
    }
    if (this.reason) s.reason = this.reason;
    return s;
  }

  /** Resolves once dense ranking has settled: model loaded and every tool embedded, or known unavailable, or off. */
  async ready(): Promise<void> {
    if (!this.embedder) return;
    this.startDense();
    await this.loadPromise;
    while (this.embedding) await this.embedding;
  }

  async search(query: string, options: { limit?: number; mode?: SearchMode } = {}): Promise<SearchHit[]> {
    const limit = this.clampLimit(options.limit);
    const fused = await this.rank(query, options.mode ?? 'hybrid');
    return fused.slice(0, limit).map((s) => this.hit(s));
  }

  /**
   * One query per step of a task, merged fairly: each query's best, then each query's second best, and
   * so on (duplicates skipped), until `limit` tools. `perQuery` is how deep each query's list is read.
   */
  async searchMany(queries: string[], options: { perQuery?: number; limit?: number; mode?: SearchMode } = {}): Promise<SearchHit[]> {
    const qs = queries.map((q) => q.trim()).filter(Boolean);
    if (!qs.length) return [];
    // With only a limit, read as deep as needed to fill it; the round-robin keeps it fair across steps.
    const perQuery = Math.max(1, options.perQuery ?? options.limit ?? 3);
    const limit = Math.min(this.options.maxLimit, Math.max(1, options.limit ?? qs.length * perQuery));
    const lists = await Promise.all(qs.map((q) => this.rank(q, options.mode ?? 'hybrid')));
    const chosen = new Map<number, number>();
    for (let r = 0; r < perQuery && chosen.size < limit; r++) {
      for (const list of lists) {
        const s = list[r];
        if (!s) continue;
        if (chosen.has(s.doc)) chosen.set(s.doc, Math.max(chosen.get(s.doc)!, s.score));
        else if (chosen.size < limit) chosen.set(s.doc, s.score);
      }
    }
    return [...chosen].map(([doc, score]) => this.hit({ doc, score }));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.loadPromise?.catch(() => undefined);
    await this.embedding?.catch(() => undefined);
    await this.embedder?.close();
  }

  private clampLimit(limit: number | undefined): number {
    return Math.min(this.options.maxLimit, Math.max(1, Math.floor(limit ?? this.options.defaultLimit)));
  }

  private hit({ doc, score }: Scored): SearchHit {
    const d = this.docs.get(doc)!;
    return { name: d.tool.name, server: d.tool.server, description: d.short, score: Number(score.toPrecision(4)) };
  }

  /** The whole fused ranking (to `fusion.depth`), best first. */
  private async rank(query: string, mode: SearchMode): Promise<Scored[]> {
    const { fusion, serverFirst } = this.options;
    const allowedServers =
      serverFirst.enabled && this.docs.size >= serverFirst.minTools ? await this.pickServers(query, mode) : undefined;
    const allowed = allowedServers ? (doc: number) => allowedServers.has(this.docs.get(doc)!.tool.server) : undefined;

    // Dense when asked and possible; lexical whenever dense is not there to answer alone.
    const denseList = mode !== 'lexical' && this.denseUsable() ? await this.denseRank(query, fusion.depth, allowed) : [];
    const dense = denseList.length ? denseList : undefined;
    const lexical = dense && mode === 'dense' ? [] : this.bm25.search(terms(query), fusion.depth, allowed);

    let scores: Map<number, number>;
    if (dense && mode === 'dense') scores = new Map(dense.map((s) => [s.doc, s.score]));
    else if (dense && fusion.method === 'rrf')
      scores = reciprocalRankFusion(
        [
          { ranking: lexical, weight: fusion.lexicalWeight },
          { ranking: dense, weight: fusion.denseWeight },
        ],
        fusion.k,
      );
    else if (dense) scores = scoreFusion(lexical, dense, fusion.lexicalWeight / (fusion.lexicalWeight + fusion.denseWeight || 1), fusion.minDenseRange);
    else scores = new Map(lexical.map((s) => [s.doc, s.score]));

    if (fusion.serverBoost > 0) {
      const named = mentionedServers(query, this.serverTerms);
      if (named.size) {
        for (const [doc, score] of scores) {
          if (named.has(this.docs.get(doc)!.tool.server)) scores.set(doc, score * (1 + fusion.serverBoost));
        }
      }
    }
    const out: Scored[] = [...scores].map(([doc, score]) => ({ doc, score }));
    out.sort((a, b) => b.score - a.score || a.doc - b.doc);
    return out;
  }

  /** Server-first stage: servers ranked by their own document and by their best tools, fused; the top few kept. */
  private async pickServers(query: string, mode: SearchMode): Promise<Set<string>> {
    const { fusion, serverFirst } = this.options;
    const byId = new Map([...this.serverIds].map(([name, id]) => [id, name]));
    const serverDocRanking = this.serverBm25.search(terms(query), serverFirst.servers * 4);
    const toolRankings: Scored[][] = [];
    if (mode !== 'dense' || !this.denseUsable()) toolRankings.push(this.bm25.search(terms(query), fusion.depth));
    if (mode !== 'lexical' && this.denseUsable()) toolRankings.push(await this.denseRank(query, fusion.depth));
    const rankings = [{ ranking: serverDocRanking, weight: 1 }];
    for (const ranking of toolRankings) {
      // A server's place in a tool ranking is the place of its best tool.
      const best = new Map<number, number>();
      for (const { doc, score } of ranking) {
        const sid = this.serverIds.get(this.docs.get(doc)!.tool.server)!;
        if (!best.has(sid)) best.set(sid, score);
      }
      rankings.push({ ranking: [...best].map(([doc, score]) => ({ doc, score })), weight: 1 });
    }
    const fused = [...reciprocalRankFusion(rankings, fusion.k)].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    return new Set(fused.slice(0, serverFirst.servers).map(([sid]) => byId.get(sid)!));
  }

  private denseUsable(): boolean {
    return (this.dense === 'ready' || this.dense === 'loading') && !!this.embedder?.dimension && this.vectors.size > 0;
  }

  private async denseRank(query: string, depth: number, allowed?: (doc: number) => boolean): Promise<Scored[]> {
    let v = this.queryCache.get(query);
    if (!v) {
      try {
        [v] = await this.embedder!.embed([query], 'query');
      } catch (err) {
        this.logger.debug('query embedding failed; ranking lexically', { error: String(err) });
        return [];
      }
      if (this.queryCache.size >= 512) this.queryCache.delete(this.queryCache.keys().next().value!);
      this.queryCache.set(query, v);
    }
    const context = this.options.fusion.serverContext;
    if (!context || !this.serverVectors.size) return this.vectors.search(v, depth, allowed);
    const bonus = new Float64Array(this.nextServer);
    for (const [server, sv] of this.serverVectors) bonus[this.serverIds.get(server)!] = context * dot(v, sv);
    return this.vectors.search(v, depth, allowed, bonus);
  }

  /** Starts the model load once (in the background) and embeds whatever tools lack vectors. */
  private startDense(): void {
    if (!this.embedder || this.dense === 'unavailable' || this.closed) return;
    if (!this.loadPromise) {
      const started = Date.now();
      this.loadPromise = this.embedder.load().then(
        () => {
          this.vectorCache.open(this.embedder!.id, this.embedder!.dimension);
          this.logger.info('tool search: embedding model loaded', { model: this.embedder!.id, ms: Date.now() - started, cached: this.vectorCache.size });
        },
        (err) => this.giveUpDense(err),
      );
    }
    if (!this.embedding) {
      this.embedding = this.loadPromise
        .then(() => this.embedMissing())
        .catch((err) => this.giveUpDense(err))
        .finally(() => {
          this.embedding = undefined;
          // Servers may have arrived while the last batch ran.
          if (this.dense !== 'unavailable' && !this.closed && this.missing().length) this.startDense();
        });
    }
  }

  private giveUpDense(err: unknown): void {
    // Closed (the hub stopping, or a config edit replacing the index): nobody searches here any more.
    if (this.dense === 'unavailable' || this.closed) return;
    this.dense = 'unavailable';
    this.reason = err instanceof Error ? err.message : String(err);
    this.vectors.clear();
    // Said once: from here on every search is lexical.
    this.logger.warn('tool search: embeddings unavailable, ranking lexically (BM25 only)', {
      model: this.embedder?.id,
      reason: this.reason,
    });
  }

  /** Texts still without a vector: tools first, then servers' own texts. */
  private missing(): PendingText[] {
    const out: PendingText[] = [];
    for (const [id, d] of this.docs) {
      if (!this.vectors.has(id)) out.push({ text: d.text, live: () => this.docs.get(id) === d, set: (v) => this.vectors.set(id, v, this.serverIds.get(d.tool.server)) });
    }
    if (this.options.fusion.serverContext > 0) {
      for (const [server, entry] of this.byServer) {
        if (!this.serverVectors.has(server)) out.push({ text: entry.context, live: () => this.byServer.get(server) === entry, set: (v) => this.serverVectors.set(server, v) });
      }
    }
    return out;
  }

  private async embedMissing(): Promise<void> {
    if (this.dense === 'unavailable') return;
    const batch = Math.max(8, this.options.embeddings.batchSize);
    for (;;) {
      if (this.closed) return;
      const items = this.missing();
      if (!items.length) break;
      const todo: typeof items = [];
      for (const item of items) {
        const cached = this.vectorCache.get(item.text);
        if (cached) item.set(cached);
        else if (todo.length < batch) todo.push(item);
      }
      if (!todo.length) continue;
      const vecs = await this.embedder!.embed(todo.map((t) => t.text), 'document');
      this.vectorCache.put(todo.map((t, i) => [t.text, vecs[i]]));
      // A server may have been replaced while the batch ran; only live entries get vectors.
      todo.forEach((t, i) => t.live() && t.set(vecs[i]));
    }
    if (this.dense === 'loading') {
      this.dense = 'ready';
      this.logger.debug('tool search: all tools embedded', { tools: this.vectors.size });
    }
  }
}
