// The run memory: every run (request, plan, tools, outcome, summary) and user notes in a Chroma
// collection, embedded with the tool index's embedder (explicit vectors; Chroma's default embedding
// function, which downloads a model, is never used). It gives the planner similar past runs as
// examples, finds a plan to reuse for a repeated request, and answers "what did you do?".
// Every entry belongs to one principal (its key: token name and scope, or "local" for the machine's
// user); every read, reuse and forget sees only the caller's own entries. A call without a principal
// acts as the local user (the CLI); entries stored before principals existed belong to the local user.
// Memory is an extra: it never throws at its callers. When Chroma cannot start or be reached, it is
// off with a reason (hub_status, the log) and every method answers as an empty memory would.
import type { Principal } from '../access/principal.js';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ChromaClient, Collection, Metadata, Where } from 'chromadb';
import type { MemoryConfig } from '../config/memory.js';
import { childLogger } from '../log/logger.js';
import { registerConfiguredValue } from '../log/redact.js';
import type { Plan } from '../planner/plan.js';
import type { RunRecord } from '../planner/record.js';
import type { Embedder } from '../routing/embedder.js';
import { startEmbeddedChroma, type ChromaSecret, type EmbeddedChroma } from './chroma-server.js';
import { noteEntry, ownerOf, parseRun, parseSchemas, planTools, runEntry, runEntryId, schemaHash, type Entry, type EntryKind, type EntryMeta } from './entries.js';
import { HashingEmbedder } from './hash-embedder.js';
import { adaptPlan, type Substitution } from './reuse.js';
import { hasMask } from './scrub.js';
import { sameValues } from './values.js';

export { schemaHash } from './entries.js';
export { HashingEmbedder } from './hash-embedder.js';
export { scrub, scrubText } from './scrub.js';
export type { Substitution } from './reuse.js';

export interface MemoryLogger {
  info(msg: string, meta?: object): void;
  warn(msg: string, meta?: object): void;
  debug(msg: string, meta?: object): void;
}

export interface MemoryDeps {
  /** The hub's data directory; the embedded server keeps its files in `<dataDir>/chroma`. */
  dataDir: string;
  logger?: MemoryLogger;
  /** The tool index's embedder; when absent or unable to load, a model-free hashing embedder. */
  embedder?: Embedder;
  /** The current input schema of a catalog tool (undefined when the tool is gone): hashed into stored runs and checked before reuse. */
  toolSchema?: (name: string) => unknown;
}

export type MemoryState = 'starting' | 'ready' | 'off' | 'unavailable';

export interface MemoryStatus {
  state: MemoryState;
  reason?: string;
  /** Whether the hub runs its Chroma server itself. (The server's address is not status: see Memory.address.) */
  embedded: boolean;
  embedder?: string;
  collection?: string;
  /** Runs and notes stored (as of the last operation). */
  count: number;
  /** Milliseconds the embedded server took to answer its first heartbeat. */
  startMs?: number;
}

export interface SimilarRun {
  record: RunRecord;
  /** Cosine similarity of the two requests, 1 for the same words. */
  similarity: number;
}

export interface ReusablePlan extends SimilarRun {
  /** The remembered plan, as it ran. */
  plan: Plan;
  /** Always empty: a request that changes a value is not reused (kept for callers that show it). */
  substitutions: Substitution[];
}

export interface MemoryHit {
  /** Entry id ("run:<run id>" or "note:<uuid>"), accepted by forget(). */
  id: string;
  kind: EntryKind;
  /** Cosine similarity to the query; absent when listing without a query. */
  similarity?: number;
  /** The request of a run, or the note. */
  text: string;
  startedAt: string;
  status?: string;
  summary?: string;
  client?: string;
  tools?: string[];
  record?: RunRecord;
}

export interface SearchOptions {
  kind?: EntryKind;
  /** ISO dates bounding when the run started (or the note was saved). */
  after?: string;
  before?: string;
  /** Whose entries (absent: the local user's). */
  principal?: Principal;
}

/** Whose entries an operation sees (absent: the local user's). */
export interface Owner {
  principal?: Principal;
}

export type ForgetTarget = { id: string } | { before: string };

export type ToolsCheck = (plan: Plan, schemaHashes: Record<string, string>) => boolean;

// Chroma Cloud answers at most 300 records a read and takes 300 a write.
const PAGE = 300;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const EMBEDDER_LOAD_TIMEOUT_MS = 60_000;
const RETRY_AFTER_MS = 15_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function clientArgs(url: string, config: MemoryConfig['chroma']) {
  const u = new URL(url);
  const ssl = u.protocol === 'https:';
  return { host: u.hostname, port: u.port ? Number(u.port) : ssl ? 443 : 80, ssl, headers: Object.keys(config.headers).length ? config.headers : undefined };
}

// The Chroma client is imported when memory connects (in the background), not when the hub starts.
type ChromaModule = typeof import('chromadb');
let chromaModule: Promise<ChromaModule> | undefined;
const loadChroma = (): Promise<ChromaModule> => (chromaModule ??= import('chromadb'));

function clientFor(chroma: ChromaModule, url: string, config: MemoryConfig['chroma'], place: { tenant?: string; database?: string } = config): ChromaClient {
  return new chroma.ChromaClient({ ...clientArgs(url, config), tenant: place.tenant, database: place.database });
}

const ownKey = (principal: Principal | undefined) => ownerOf(principal).principal;
const and = (...clauses: Where[]): Where => (clauses.length === 1 ? clauses[0] : { $and: clauses });

/** The collection for one embedder: vectors of different models (or sizes) never share one. */
export function collectionName(base: string, embedder: Pick<Embedder, 'id' | 'dimension'>): string {
  return `${base}-${createHash('sha256').update(`${embedder.id}:${embedder.dimension}`).digest('hex').slice(0, 10)}`;
}

export class Memory {
  private stateValue: MemoryState;
  private reason?: string;
  private collection?: Collection;
  private server?: EmbeddedChroma;
  private url?: string;
  private count = 0;
  private lastPrune = 0;
  private pruning?: Promise<number>;
  /** While unavailable, no call goes to Chroma before this time. */
  private retryAt = 0;
  /** Connecting, while state is 'starting'. */
  private opening?: Promise<void>;
  /** close() was called: a start still under way stops before it starts Chroma. */
  private closing = false;

  private constructor(
    private readonly config: MemoryConfig,
    private readonly deps: MemoryDeps,
    private readonly log: MemoryLogger,
    private embedder: Embedder,
  ) {
    this.stateValue = 'off';
  }

  /** Connects (starting the embedded server when no URL is configured); see begin(). Resolves when ready or unavailable. */
  static async start(config: MemoryConfig, deps: MemoryDeps): Promise<Memory> {
    const memory = Memory.begin(config, deps);
    await memory.started();
    return memory;
  }

  /**
   * Starts connecting in the background: the hub serves while Chroma and the embedding model come up, and
   * memory operations wait for them (`started`). Never throws: a failure leaves memory unavailable, with the reason.
   */
  static begin(config: MemoryConfig, deps: MemoryDeps): Memory {
    const log = deps.logger ?? childLogger('memory');
    const memory = new Memory(config, deps, log, new HashingEmbedder());
    if (!config.enabled) {
      memory.reason = 'memory.enabled is false';
      return memory;
    }
    memory.stateValue = 'starting';
    memory.opening = memory.open();
    return memory;
  }

  private async open(): Promise<void> {
    try {
      await this.connect();
      if (this.stateValue !== 'starting') return; // closed meanwhile
      this.stateValue = 'ready';
      this.log.info('memory ready', { url: this.url, collection: this.collection!.name, embedder: this.embedder.id, count: this.count });
      void this.prune();
    } catch (e) {
      this.stateValue = 'unavailable';
      this.reason = message(e);
      if (!this.closing) this.log.warn(`memory unavailable, the hub runs without it: ${this.reason}`);
      await this.server?.stop().catch(() => undefined);
      this.server = undefined;
    }
  }

  /** Resolves once memory is ready, unavailable or off. */
  started(): Promise<void> {
    return this.opening ?? Promise.resolve();
  }

  private async connect(): Promise<void> {
    const chroma = this.config.chroma;
    for (const [key, value] of Object.entries(chroma.headers)) registerConfiguredValue(key, value);
    this.embedder = await this.chooseEmbedder();
    // Closed while the model was loading (the hub stopped soon after it started): do not start Chroma now.
    if (this.closing) throw new Error('closed while starting');
    if (chroma.url) {
      // Credentials go in headers; any in the URL are dropped (the client would not send them) so status never shows them.
      const u = new URL(chroma.url);
      u.username = '';
      u.password = '';
      this.url = u.toString().replace(/\/+$/, '');
    } else {
      this.server = await startEmbeddedChroma({ dir: path.join(this.deps.dataDir, 'chroma'), timeoutMs: chroma.startTimeoutMs, logger: this.log });
      this.url = this.server.url;
      this.server.onExit((reason) => {
        this.stateValue = 'unavailable';
        this.reason = reason;
        this.log.warn(`memory unavailable: ${reason}`);
      });
    }
    const secret = this.server?.secret;
    const chromadb = await loadChroma();
    const client = secret ? clientFor(chromadb, this.url, chroma, secret) : clientFor(chromadb, this.url, chroma);
    await this.timed(client.heartbeat(), 'heartbeat');
    if (secret) {
      await this.timed(this.ensurePlace(chromadb, secret), 'create tenant');
      await this.moveFromDefault(chromadb, client).catch((e) => this.log.warn(`memory: moving entries out of the default tenant failed: ${message(e)}`));
    }
    this.collection = await this.timed(
      client.getOrCreateCollection({
        name: collectionName(this.config.collection, this.embedder),
        // null: no embedding function at all (the default one would download a model); vectors are always given.
        embeddingFunction: null,
        configuration: { hnsw: { space: 'cosine' } },
        metadata: { embedder: this.embedder.id.slice(0, 200), dimension: this.embedder.dimension },
      }),
      'open collection',
    );
    this.count = await this.timed(this.collection.count(), 'count');
    if (this.count === 0) {
      await this.adoptEarlier(client, this.collection).catch((e) => this.log.warn(`memory: carrying earlier entries over failed: ${message(e)}`));
    }
    await this.claimUnowned(this.collection).catch((e) => this.log.warn(`memory: marking earlier entries as the local user's failed: ${message(e)}`));
  }

  /** The embedded server's secret tenant and database (see chroma-server.ts), created on first use. */
  private async ensurePlace(chromadb: ChromaModule, secret: ChromaSecret): Promise<void> {
    const admin = new chromadb.AdminClient(clientArgs(this.url!, this.config.chroma));
    const exists = async (what: Promise<unknown>) => what.then(() => true, () => false);
    if (!(await exists(admin.getTenant({ name: secret.tenant })))) await admin.createTenant({ name: secret.tenant });
    if (!(await exists(admin.getDatabase({ name: secret.database, tenant: secret.tenant })))) await admin.createDatabase({ name: secret.database, tenant: secret.tenant });
  }

  /**
   * Memory from before the secret tenant lived in the embedded server's default tenant, open to any
   * local process: its collections are copied (vectors as they are) into the secret database, then
   * deleted from the default one.
   */
  private async moveFromDefault(chromadb: ChromaModule, target: ChromaClient): Promise<void> {
    const open = clientFor(chromadb, this.url!, this.config.chroma, { tenant: 'default_tenant', database: 'default_database' });
    const prefix = `${this.config.collection}-`;
    const old = (await this.timed(open.listCollections({ limit: 1000 }), 'list collections')).filter(
      (c) => c.name.startsWith(prefix) && /^[0-9a-f]{10}$/.test(c.name.slice(prefix.length)),
    );
    for (const source of old) {
      const into = await this.timed(
        target.getOrCreateCollection({ name: source.name, embeddingFunction: null, configuration: { hnsw: { space: 'cosine' } }, metadata: source.metadata ?? undefined }),
        'open collection',
      );
      let moved = 0;
      for (let offset = 0; ; offset += PAGE) {
        const page = await this.timed(source.get({ include: ['documents', 'metadatas', 'embeddings'], limit: PAGE, offset }), 'read old collection');
        if (page.ids.length) {
          await this.timed(
            into.upsert({ ids: page.ids, embeddings: page.embeddings as number[][], documents: page.documents.map((d) => d ?? ''), metadatas: page.metadatas as Metadata[] }),
            'copy entries',
          );
          moved += page.ids.length;
        }
        if (page.ids.length < PAGE) break;
      }
      await this.timed(open.deleteCollection({ name: source.name }), 'delete old collection');
      this.log.info(`memory: moved ${moved} entries of ${source.name} out of the default tenant`);
    }
  }

  /** Entries stored before entries had owners belong to the local user. */
  private async claimUnowned(collection: Collection): Promise<void> {
    const unowned = (await this.listMeta(collection, undefined)).filter((e) => typeof e.meta.principal !== 'string');
    for (let i = 0; i < unowned.length; i += PAGE) {
      const page = unowned.slice(i, i + PAGE);
      await this.timed(
        collection.update({ ids: page.map((e) => e.id), metadatas: page.map((e) => ({ ...e.meta, ...ownerOf(undefined) }) as Metadata) }),
        'mark entries',
      );
    }
    if (unowned.length) this.log.info(`memory: ${unowned.length} earlier entries now belong to the local user`);
  }
  /**
   * A new embedder starts with an empty collection; the entries of the same memory under an earlier
   * embedder (e.g. the hashing fallback, before the model could be downloaded) are embedded again
   * into it, so nothing is forgotten. The old collection stays for hubs that still use that embedder.
   */
  private async adoptEarlier(client: ChromaClient, target: Collection): Promise<void> {
    const prefix = `${this.config.collection}-`;
    const earlier = (await this.timed(client.listCollections({ limit: 1000 }), 'list collections')).filter(
      (c) => c.name.startsWith(prefix) && /^[0-9a-f]{10}$/.test(c.name.slice(prefix.length)) && c.name !== target.name,
    );
    let adopted = 0;
    for (const source of earlier) {
      for (let offset = 0; ; offset += PAGE) {
        const page = await this.timed(source.get({ include: ['documents', 'metadatas'], limit: PAGE, offset }), 'read earlier collection');
        if (page.ids.length) {
          const metas = page.metadatas as unknown as EntryMeta[];
          const texts = page.ids.map((_, i) => (metas[i]?.kind === 'run' ? (parseRun(page.documents[i])?.task ?? metas[i].text) : (page.documents[i] ?? metas[i]?.text ?? '')));
          const vectors = await this.embedder.embed(texts, 'document');
          await this.timed(
            target.upsert({ ids: page.ids, embeddings: vectors.map((v) => Array.from(v)), documents: page.documents.map((d) => d ?? ''), metadatas: page.metadatas as Metadata[] }),
            'copy entries',
          );
          adopted += page.ids.length;
        }
        if (page.ids.length < PAGE) break;
      }
    }
    if (adopted) {
      this.count = await this.timed(target.count(), 'count');
      this.log.info(`memory: embedded ${adopted} entries again with ${this.embedder.id}`, { from: earlier.map((c) => c.name) });
    }
  }

  private async chooseEmbedder(): Promise<Embedder> {
    const given = this.deps.embedder;
    if (!given) return new HashingEmbedder();
    try {
      // A model still downloading after a minute is not waited for: memory starts with the fallback
      // and carries its entries over to the model's collection on a later start (adoptEarlier).
      await withTimeout(given.load(), EMBEDDER_LOAD_TIMEOUT_MS, `loading ${given.id}`);
      // Remote providers learn their dimension from a first answer.
      if (!given.dimension) await withTimeout(given.embed(['dimension probe'], 'query'), EMBEDDER_LOAD_TIMEOUT_MS, `probing ${given.id}`);
      if (!given.dimension) throw new Error('the embedder reports no dimension');
      return given;
    } catch (e) {
      const fallback = new HashingEmbedder();
      if (!this.closing) this.log.warn(`memory uses the model-free ${fallback.id} embedder: ${given.id} is unavailable (${message(e)})`);
      return fallback;
    }
  }

  private timed<T>(promise: Promise<T>, what: string): Promise<T> {
    return withTimeout(promise, this.config.chroma.timeoutMs, what);
  }

  /** Runs an operation when connected; a failure is logged and answered with the fallback. */
  private async op<T>(what: string, fallback: T, fn: (collection: Collection) => Promise<T>): Promise<T> {
    if (this.stateValue === 'starting') await this.opening;
    const collection = this.collection;
    if (!collection || this.stateValue === 'off') return fallback;
    // Our own server does not come back once it exited; a remote or shared one may.
    if (this.server?.owned && this.stateValue === 'unavailable') return fallback;
    // After a connection failure, calls answer at once for a while instead of each waiting for a timeout.
    if (this.stateValue === 'unavailable' && Date.now() < this.retryAt) return fallback;
    try {
      const out = await this.timed(fn(collection), what);
      if (this.stateValue === 'unavailable') {
        this.log.info('memory reachable again');
        this.stateValue = 'ready';
        this.reason = undefined;
      }
      return out;
    } catch (e) {
      const reason = `${what} failed: ${message(e)}`;
      // A connection failure makes memory unavailable until an operation succeeds again; anything else is this one call.
      if (/connect|fetch failed|ECONNREFUSED|no answer/i.test(message(e)) || (e as Error)?.name === 'ChromaConnectionError') {
        this.stateValue = 'unavailable';
        this.reason = reason;
        this.retryAt = Date.now() + RETRY_AFTER_MS;
      }
      this.log.warn(`memory: ${reason}`);
      return fallback;
    }
  }

  private async vector(text: string, kind: 'query' | 'document'): Promise<number[]> {
    const [v] = await this.embedder.embed([text], kind);
    return Array.from(v);
  }

  get state(): MemoryState {
    return this.stateValue;
  }

  /** The Chroma server's address: for the local user and admins only, never part of status(). */
  get address(): string | undefined {
    return this.url;
  }

  /** What may be shown to any caller with memory rights: no address (a reason's URLs are cut out too). */
  status(): MemoryStatus {
    return {
      state: this.stateValue,
      ...(this.reason ? { reason: this.reason.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s,;)]+/gi, '<chroma>') } : {}),
      embedded: !this.config.chroma.url,
      embedder: this.collection ? this.embedder.id : undefined,
      collection: this.collection?.name,
      count: this.count,
      ...(this.server?.owned ? { startMs: this.server.startMs } : {}),
    };
  }

  private async upsert(collection: Collection, entry: Entry): Promise<void> {
    await collection.upsert({
      ids: [entry.id],
      embeddings: [await this.vector(entry.embedText, 'document')],
      documents: [entry.document],
      metadatas: [entry.metadata as Metadata],
    });
    this.count = await collection.count();
  }

  /**
   * Remembers a run (again under the same id when it is stored twice, e.g. planned then finished).
   * Secrets are masked first. `toolSchemas` (tool name -> input schema) overrides deps.toolSchema.
   */
  async store(record: RunRecord, options: { toolSchemas?: Record<string, unknown> } = {}): Promise<boolean> {
    const stored = await this.op('store', false, async (collection) => {
      const hashes: Record<string, string> = {};
      for (const tool of planTools(record.plan)) {
        const schema = options.toolSchemas?.[tool] ?? this.deps.toolSchema?.(tool);
        if (schema !== undefined) hashes[tool] = schemaHash(schema);
      }
      await this.upsert(collection, runEntry(record, hashes));
      return true;
    });
    // Pruning reads every run's metadata, so it waits for some slack past maxRuns instead of running on every store.
    const slack = Math.ceil(this.config.retention.maxRuns * 0.05);
    if (stored && (this.count > this.config.retention.maxRuns + slack || Date.now() - this.lastPrune > PRUNE_EVERY_MS)) void this.prune();
    return stored;
  }

  /** Saves a note the user wants remembered, as the principal's; returns its id. */
  async saveNote(text: string, owner: Owner = {}): Promise<string | undefined> {
    if (!text.trim()) return undefined;
    return this.op('save note', undefined as string | undefined, async (collection) => {
      const entry = noteEntry(text, new Date(), owner.principal);
      await this.upsert(collection, entry);
      return entry.id;
    });
  }

  private async query(text: string, limit: number, where: Where | undefined): Promise<Array<{ id: string; meta: EntryMeta; document: string | null; similarity: number }>> {
    const collection = this.collection!;
    const res = await collection.query({
      queryEmbeddings: [await this.vector(text, 'query')],
      nResults: Math.max(1, Math.min(limit, PAGE)),
      where,
      include: ['documents', 'metadatas', 'distances'],
    });
    return res.ids[0].map((id, i) => ({
      id,
      meta: res.metadatas[0][i] as unknown as EntryMeta,
      document: res.documents[0][i],
      // Cosine space: distance = 1 - cosine.
      similarity: 1 - (res.distances[0][i] ?? 1),
    }));
  }

  /** The principal's k past runs whose requests are most like this one (by default succeeded and failed ones: the planner learns from both). */
  async similar(task: string, k: number = this.config.examples, options: { status?: RunRecord['status'] | Array<RunRecord['status']>; principal?: Principal } = {}): Promise<SimilarRun[]> {
    if (k <= 0) return [];
    const statuses = options.status === undefined ? ['succeeded', 'failed'] : Array.isArray(options.status) ? options.status : [options.status];
    return this.op('similar', [] as SimilarRun[], async () => {
      const hits = await this.query(task, k, and({ principal: ownKey(options.principal) }, { kind: 'run' }, { status: { $in: statuses } }));
      return hits.flatMap((h) => {
        const record = parseRun(h.document);
        return record ? [{ record, similarity: h.similarity }] : [];
      });
    });
  }

  /**
   * A successful plan the same principal (same name and scope) ran for the same request, whose tools
   * still exist with the schemas they had; undefined when there is none or when unsure. The same
   * request: the same values (names, amounts, dates, ids, addresses, quoted text: values.ts), the same
   * words apart from filler, case, punctuation and inflection (reuse.ts), and a similarity at or above
   * the threshold. A request that changes a value is planned afresh, with the old run as an example.
   * The tool check defaults to comparing deps.toolSchema's current schemas with the hashes stored with the run.
   */
  async findReusable(task: string, options: { threshold?: number; toolsExist?: ToolsCheck; principal?: Principal } = {}): Promise<ReusablePlan | undefined> {
    if (!this.config.reuse.enabled) return undefined;
    const threshold = options.threshold ?? this.config.reuse.threshold;
    const check = options.toolsExist ?? this.defaultToolsCheck();
    return this.op('find reusable', undefined as ReusablePlan | undefined, async () => {
      const key = ownKey(options.principal);
      const hits = await this.query(task, 5, and({ principal: key }, { kind: 'run' }, { status: 'succeeded' }));
      for (const hit of hits) {
        const record = parseRun(hit.document);
        const why = (reason: string) => this.log.debug(`not reusing run ${hit.meta.runId}: ${reason}`, { similarity: hit.similarity });
        if (!record?.plan) {
          why('no plan stored');
          continue;
        }
        // The filter already holds; the record's own principal must agree (a run stored without one is the local user's).
        if (hit.meta.principal !== key || ownerOf(record.principal).principal !== key) {
          why('another principal ran it');
          continue;
        }
        const values = sameValues(record.task, task);
        if (!values.same) {
          why(`the request changes a value (${[...values.onlyA, '->', ...values.onlyB].join(' ')})`);
          continue;
        }
        const adapted = adaptPlan(record.plan, record.task, task);
        if (!adapted.ok) {
          why(adapted.reason);
          continue;
        }
        if (adapted.substitutions.length) {
          why(`the request changes ${adapted.substitutions.map((s) => `"${s.from}" to "${s.to}"`).join(', ')}`);
          continue;
        }
        const similarity = hit.similarity;
        if (similarity < threshold) {
          why(`similarity ${similarity.toFixed(3)} is below ${threshold}`);
          continue;
        }
        if (hasMask(record.plan)) {
          why('the plan holds a masked secret');
          continue;
        }
        if (!check(record.plan, parseSchemas(hit.meta))) {
          why('a tool is gone or its schema changed');
          continue;
        }
        return { record, similarity, plan: record.plan, substitutions: [] };
      }
      return undefined;
    });
  }

  private defaultToolsCheck(): ToolsCheck {
    const current = this.deps.toolSchema;
    return (plan, hashes) =>
      !!current && planTools(plan).every((tool) => {
        const schema = current(tool);
        return schema !== undefined && hashes[tool] !== undefined && schemaHash(schema) === hashes[tool];
      });
  }

  private timeWhere(options: SearchOptions): Where {
    const clauses: Where[] = [{ principal: ownKey(options.principal) }];
    if (options.kind) clauses.push({ kind: options.kind });
    const after = options.after ? Date.parse(options.after) : NaN;
    const before = options.before ? Date.parse(options.before) : NaN;
    if (Number.isFinite(after)) clauses.push({ ts: { $gte: after } });
    if (Number.isFinite(before)) clauses.push({ ts: { $lt: before } });
    return and(...clauses);
  }

  private hit(id: string, meta: EntryMeta, document: string | null, similarity?: number): MemoryHit {
    const record = meta.kind === 'run' ? parseRun(document) : undefined;
    return {
      id,
      kind: meta.kind,
      ...(similarity !== undefined ? { similarity: Math.round(similarity * 1000) / 1000 } : {}),
      text: meta.kind === 'note' ? (document ?? meta.text) : (record?.task ?? meta.text),
      startedAt: meta.startedAt,
      ...(meta.status ? { status: meta.status } : {}),
      ...(meta.summary ? { summary: meta.summary } : {}),
      ...(meta.client ? { client: meta.client } : {}),
      ...(meta.tools ? { tools: meta.tools.split(',') } : {}),
      ...(record ? { record } : {}),
    };
  }

  /** The principal's runs and notes by meaning; with an empty query, the most recent ones (within the time bounds). */
  async search(query: string, limit = 10, options: SearchOptions = {}): Promise<MemoryHit[]> {
    const n = Math.max(1, Math.min(limit, PAGE));
    const where = this.timeWhere(options);
    return this.op('search', [] as MemoryHit[], async (collection) => {
      if (query.trim()) return (await this.query(query, n, where)).map((h) => this.hit(h.id, h.meta, h.document, h.similarity));
      const all = await this.listMeta(collection, where);
      const newest = all.sort((a, b) => b.meta.ts - a.meta.ts).slice(0, n);
      if (!newest.length) return [];
      const docs = await collection.get({ ids: newest.map((e) => e.id), include: ['documents', 'metadatas'] });
      const byId = new Map(docs.ids.map((id, i) => [id, { meta: docs.metadatas[i] as unknown as EntryMeta, document: docs.documents[i] }]));
      return newest.flatMap((e) => {
        const d = byId.get(e.id);
        return d ? [this.hit(e.id, d.meta, d.document)] : [];
      });
    });
  }

  /** Ids and metadata of every entry matching `where`, read a page at a time. */
  private async listMeta(collection: Collection, where: Where | undefined): Promise<Array<{ id: string; meta: EntryMeta }>> {
    const out: Array<{ id: string; meta: EntryMeta }> = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await collection.get({ where, include: ['metadatas'], limit: PAGE, offset });
      page.ids.forEach((id, i) => out.push({ id, meta: page.metadatas[i] as unknown as EntryMeta }));
      if (page.ids.length < PAGE) return out;
    }
  }

  private async deleteIds(collection: Collection, ids: string[]): Promise<number> {
    for (let i = 0; i < ids.length; i += PAGE) await collection.delete({ ids: ids.slice(i, i + PAGE) });
    if (ids.length) this.count = await collection.count();
    return ids.length;
  }

  /** Forgets one of the principal's runs or notes (by entry id or run id), or all of its entries from before a date. Returns how many went. */
  async forget(target: ForgetTarget, owner: Owner = {}): Promise<number> {
    const mine: Where = { principal: ownKey(owner.principal) };
    return this.op('forget', 0, async (collection) => {
      if ('id' in target) {
        const candidates = [...new Set([target.id, runEntryId(target.id), `note:${target.id}`])];
        const found = await collection.get({ ids: candidates, where: mine, include: [] });
        return this.deleteIds(collection, found.ids);
      }
      const before = Date.parse(target.before);
      if (!Number.isFinite(before)) throw new Error(`"${target.before}" is not a date`);
      const old = await this.listMeta(collection, and(mine, { ts: { $lt: before } }));
      return this.deleteIds(collection, old.map((e) => e.id));
    });
  }

  /**
   * Applies retention to runs (notes are kept until forgotten): older than maxAgeDays go, then the
   * oldest beyond maxRuns. Runs at start, hourly with stores, and when a store takes the count 5% past
   * maxRuns. Returns how many went.
   */
  prune(): Promise<number> {
    this.pruning ??= this.op('prune', 0, async (collection) => {
      this.lastPrune = Date.now();
      const { maxRuns, maxAgeDays } = this.config.retention;
      const cutoff = Date.now() - maxAgeDays * 24 * 60 * 60 * 1000;
      const runs = (await this.listMeta(collection, { kind: 'run' })).sort((a, b) => a.meta.ts - b.meta.ts);
      const expired = runs.filter((r) => r.meta.ts < cutoff);
      const kept = runs.length - expired.length;
      const excess = runs.slice(expired.length, expired.length + Math.max(0, kept - maxRuns));
      const removed = await this.deleteIds(collection, [...expired, ...excess].map((r) => r.id));
      if (removed) this.log.info(`memory pruned ${removed} run(s)`, { maxRuns, maxAgeDays });
      return removed;
    }).finally(() => {
      this.pruning = undefined;
    });
    return this.pruning;
  }

  /** Stops the embedded server (a shared or remote one keeps running). */
  async close(): Promise<void> {
    this.closing = true;
    await this.opening;
    await this.pruning?.catch(() => undefined);
    this.collection = undefined;
    this.stateValue = 'off';
    this.reason = 'closed';
    const server = this.server;
    this.server = undefined;
    await server?.stop().catch((e) => this.log.warn(`stopping Chroma: ${message(e)}`));
  }
}
