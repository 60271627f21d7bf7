// Composes the hub from a config: downstream pool -> catalog -> upstream sessions, plus the config
// watcher. Transports (stdio, HTTP) and the CLI sit on top of this.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { watchConfig } from './config/watch.js';
import type { LoadedConfig } from './config/load.js';
import { Catalog, toolError, type CatalogTool } from './catalog/catalog.js';
import { currentRights, globToRegExp, localPrincipal, type Principal, type PrincipalRef } from './access/principal.js';
import { detachedCaller, type CallContext, type Caller } from './access/caller.js';
import { allowsTool, mayActFor, outOfScope, principalOf, seesInternals, seesServer } from './access/policy.js';
import { AuditLog } from './audit/audit.js';
import { HubMetrics } from './observability/metrics.js';
import { CallTracker, resultText, type CallInfo, type FinishCall } from './observability/calls.js';
import { tokenPrincipal } from './server/auth.js';
import { DownstreamPool } from './downstream/pool.js';
import { childLogger, type Logger } from './log/logger.js';
import { DeferredEmbedder, ToolIndex, createEmbedder, type Embedder } from './routing/index.js';
import { Memory } from './memory/index.js';
import { MEMORY_TOOLS } from './server/memory-tools.js';
import { createLlm, type LlmService } from './llm/index.js';
import { Orchestrator, exampleFromRecord, formatIssues, type Approver, type PlanInput, type RunResult, type StepProgress } from './planner/index.js';
import { redactText, registerSecret } from './log/redact.js';
import { ORCHESTRATE_TOOLS } from './server/orchestrate-tools.js';
import { WORKFLOW_TOOLS } from './server/workflow-tools.js';
import { WorkflowService, claimScheduling } from './workflows/index.js';
import { CORE_META_TOOLS, type MetaTool } from './server/meta-tools.js';
import { InputBroker } from './server/input-required.js';
import { describeTool, searchTools } from './server/search-tools.js';
import type { AppInfo, HubServices, Reranker } from './server/services.js';
import type { ClientLimits } from './config/schema.js';
import { Session, type ListChange } from './server/upstream.js';
import { DATABASE_FILE, lazyDatabase } from './storage/database.js';
import { RunLog } from './planner/run-log.js';
import { UsageLog } from './observability/usage.js';
import { poolStatus, routingStatus, type HubStatus } from './status.js';

export interface HubOptions {
  /** Watch the config file and apply valid edits. */
  watch?: boolean;
  /** Restart crashed servers (off for one-shot commands). */
  autoRestart?: boolean;
  /** Run scheduled workflows (serve). */
  schedule?: boolean;
  /** Open the workflow store without scheduling (one-shot `workflows` commands read and run them). */
  workflows?: boolean;
  /** Start the vector memory (Chroma): serve, run, memory and demo do; listing tools does not. */
  memory?: boolean;
  /**
   * Load the embedding model only once the hub is ready, after its first client has had time to list its
   * tools (serve). Meanwhile search is lexical and memory waits. One-shot commands load it at once.
   */
  modelAfterReady?: boolean;
  /** Downstream servers already starting (serve starts them as soon as the config is read): the hub adopts them. */
  servers?: StartingServers;
}

/** A pool whose servers are starting (`pool.apply(loaded)` under way) before the hub is made. */
export interface StartingServers {
  pool: DownstreamPool;
  applied: Promise<void>;
}

/**
 * When the embedding model starts loading (serve): at least this long after readiness (a client sends
 * initialize and tools/list as soon as it starts the hub), and at a moment with no call in flight, checked
 * this often, but no later than MODEL_AT_LATEST_MS. Its load (~0.5 s of CPU, event-loop stalls up to
 * ~0.25 s) would otherwise delay those answers, or hold a running call's progress notifications until they
 * reach the client together with its result (and some clients drop progress that arrives with the result).
 */
const MODEL_AFTER_READY_MS = 500;
const MODEL_AT_LATEST_MS = 5_000;

export class Hub implements HubServices {
  readonly log: Logger = childLogger('hub');
  readonly pool: DownstreamPool;
  readonly catalog: Catalog;
  readonly sessions = new Set<Session>();
  /** Requests of 2026-07-28 clients waiting for their answers (input_required rounds). */
  private readonly inputs = new InputBroker();
  private readonly listChangeListeners: Array<(change: ListChange) => void> = [];
  index: ToolIndex;
  llm: LlmService;
  orchestrator: Orchestrator;
  readonly workflows: WorkflowService;
  /** Set by start(): off for one-shot commands that do not need it. */
  memory!: Memory;
  /** One model for tool search and memory. */
  private embedder?: Embedder;
  /** The startup model while it waits to load (modelAfterReady), and what lets it load. */
  private deferredModel?: DeferredEmbedder;
  private modelTimer?: NodeJS.Timeout;
  /** The client's own model alone (routing.rerank by sampling); made on first use. */
  private samplingOnly?: LlmService;
  private readonly meta: MetaTool[] = [...CORE_META_TOOLS, searchTools, describeTool, ...ORCHESTRATE_TOOLS, ...WORKFLOW_TOOLS, ...MEMORY_TOOLS];
  /** What the index holds per server, to update only servers whose tools changed. */
  private indexed = new Map<string, string>();
  private stopWatching?: () => void;
  private readonly reloadListeners: Array<(next: LoadedConfig) => void> = [];
  private releaseScheduling?: () => void;
  readonly metrics: HubMetrics;
  /** Audit, metrics and the in-flight count of every call (both tools/call paths, meta-tools, runs). */
  readonly calls: CallTracker;
  audit?: AuditLog;
  /** Conversations and runs waiting for approval (hub.db in the data directory), opened on first use. */
  private readonly db: ReturnType<typeof lazyDatabase>;
  /** Every run as it changes (REST API, console), and the cancel switch of those in progress. */
  readonly runLog: RunLog;
  /** Calls, errors, time and model cost per hour and client (REST API). */
  readonly usage: UsageLog;

  private constructor(
    public loaded: LoadedConfig,
    options: HubOptions,
  ) {
    this.pool =
      options.servers?.pool ??
      new DownstreamPool({
        log: childLogger('downstream'),
        autoRestart: options.autoRestart ?? true,
        fallbackCaller: () => this.localCaller(),
      });
    this.catalog = new Catalog(this.pool, { reserved: this.meta.map((m) => m.name) });
    this.metrics = new HubMetrics({
      circuits: () => [...this.pool.connections.values()].map((c) => ({ server: c.name, state: c.breaker.state, active: c.limit.active, queued: c.limit.queued })),
      llmUsage: () => this.llm.usage(),
      sessions: () => [...this.sessions].filter((s) => s.principal.name !== 'stdio').length,
    });
    this.db = lazyDatabase(path.join(this.dataDir(), DATABASE_FILE));
    this.runLog = new RunLog(this.db.get);
    this.usage = new UsageLog(this.db.get);
    this.calls = new CallTracker(this.metrics, () => this.audit, this.usage);
    this.audit = this.createAudit();
    this.index = this.createIndex(options.modelAfterReady);
    this.llm = this.createLlm();
    this.orchestrator = this.createOrchestrator();
    this.workflows = new WorkflowService({
      dataDir: this.dataDir(),
      log: childLogger('workflows'),
      // Through the hub's current orchestrator, which a config edit may replace.
      runner: {
        runPlan: (plan, o) => {
          // Every run acts as the workflow's owner, with the rights its token has now (none if it was removed).
          const principal = this.principalNow(o.owner);
          const finish = this.calls.start({ kind: 'meta', tool: `workflow:${o.workflowId}`, known: false, client: o.owner.name, args: { trigger: o.trigger } });
          if (!principal) {
            finish('refused', `the owner "${o.owner.name}" no longer exists`);
            return Promise.reject(new Error(`the workflow's owner, token "${o.owner.name}", is no longer configured; its workflows do not run`));
          }
          return this.orchestrator
            .run(plan, { runId: o.runId, planSource: 'workflow', trigger: o.trigger, context: o.input, client: o.client, caller: detachedCaller(principal), approvedTools: o.approvedTools, signal: o.signal })
            .then(
              (r) => {
                finish(r.record.status === 'succeeded' ? 'ok' : o.signal.aborted ? 'cancelled' : 'error', r.record.status === 'succeeded' ? undefined : r.record.status);
                this.metrics.workflowRun(o.workflowId, r.record.status);
                return r.record;
              },
              (err) => {
                finish('error', String(err));
                this.metrics.workflowRun(o.workflowId, 'failed');
                throw err;
              },
            );
        },
        planTask: (task, o) => {
          const principal = this.principalNow(o.owner);
          if (!principal) return Promise.reject(new Error(`the workflow's owner, token "${o.owner.name}", is no longer configured`));
          return this.orchestrator.plan(task, { signal: o.signal, caller: detachedCaller(principal) }).then((r) => ({ plan: r.plan, usage: r.usage }));
        },
        catalogSignature: (names) => JSON.stringify(names.map((n) => this.catalog.getTool(n)?.tool.inputSchema ?? null)),
        destructiveTools: (names) => this.orchestrator.needsConsent(names).map((x) => x.tool),
        validatePlan: (plan) => {
          const issues = this.orchestrator.validate(plan);
          return issues.length ? [formatIssues(issues)] : [];
        },
      },
    });
    this.catalog.on('changed', (kind) => {
      if (kind === 'tools') this.syncIndex();
      // Tools: each session says so only when its own list (scope, client limits, apps in search_tools) changed.
      this.sessions.forEach((s) => (kind === 'tools' ? s.exposureChanged() : s.notifyChanged(kind)));
      this.listChangeListeners.forEach((l) => l({ kind }));
    });
    // A server's log lines and resource updates outside a call reach only the sessions that see that server whole.
    this.pool.on('log', (server, params, caller) => {
      const forwarded = { ...params, logger: params.logger ? `${server}/${params.logger}` : server } as Parameters<Session['sendLog']>[0];
      if (caller) caller.sendLog?.(forwarded);
      else this.sessions.forEach((s) => seesServer(s.principal, this.catalog.prefixOf(server)) && s.sendLog(forwarded));
    });
    this.pool.on('resource-updated', (server, uri) => {
      this.sessions.forEach((s) => seesServer(s.principal, this.catalog.prefixOf(server)) && s.resourceUpdated(this.catalog.publicUri(server, uri)));
      this.listChangeListeners.forEach((l) => l({ uri: this.catalog.publicUri(server, uri) }));
    });
  }

  /** Starts every server concurrently; resolves when each is ready or has failed (each bounded by its timeoutMs). */
  static async start(loaded: LoadedConfig, options: HubOptions = {}): Promise<Hub> {
    const hub = new Hub(loaded, options);
    for (const [name, missing] of Object.entries(loaded.notConfigured)) {
      hub.log.warn(`server "${name}" not configured: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set; skipping it`);
    }
    const memoryConfig = options.memory ? loaded.config.memory : { ...loaded.config.memory, enabled: false };
    const memoryDeps = { dataDir: hub.dataDir(), logger: childLogger('memory'), embedder: hub.embedder, toolSchema: (name: string) => hub.catalog.getTool(name)?.tool.inputSchema };
    // Readiness waits for the servers (bounded by their startupTimeoutMs), not for Chroma or the embedding model:
    // memory comes up in the background and its operations wait for it.
    hub.memory = Memory.begin(memoryConfig, memoryDeps);
    await (options.servers?.applied ?? hub.pool.apply(loaded));
    // Servers that came up before the hub existed raised no change it heard: index what the catalog holds.
    if (options.servers) hub.syncIndex();
    // Ready: the model (for search and memory) loads from here, after the first requests are answered.
    const deferred = hub.deferredModel;
    if (deferred) {
      const latest = Date.now() + MODEL_AT_LATEST_MS;
      hub.modelTimer = setInterval(() => {
        if (hub.calls.inFlight > 0 && Date.now() < latest) return;
        clearInterval(hub.modelTimer);
        deferred.start();
      }, MODEL_AFTER_READY_MS).unref();
    }
    if (options.schedule) hub.releaseScheduling = claimScheduling(hub.dataDir());
    if (options.schedule || options.workflows) await hub.workflows.start(loaded.config.workflows, { schedule: options.schedule === true });
    if (options.watch) hub.stopWatching = watchConfig(loaded.file, (next) => void hub.reload(next), childLogger('config'));
    return hub;
  }

  /** Called after every applied config edit (the HTTP edge rebuilds its tokens from it). */
  onReload(listener: (next: LoadedConfig) => void): void {
    this.reloadListeners.push(listener);
  }

  async reload(next: LoadedConfig): Promise<void> {
    const previous = this.loaded;
    this.loaded = next;
    for (const listener of this.reloadListeners) listener(next);
    // routing.rerank is read per search: changing it needs no new index.
    if (!isDeepStrictEqual({ ...previous.config.routing, rerank: undefined }, { ...next.config.routing, rerank: undefined })) {
      void this.index.close();
      this.index = this.createIndex();
      this.indexed.clear();
      this.syncIndex();
    }
    if (!isDeepStrictEqual(previous.config.llm, next.config.llm)) this.llm = this.createLlm();
    if (!isDeepStrictEqual(previous.config.audit, next.config.audit)) {
      this.audit?.flush();
      this.audit = this.createAudit();
    }
    if (!isDeepStrictEqual(previous.config.llm, next.config.llm) || !isDeepStrictEqual(previous.config.orchestrate, next.config.orchestrate)) {
      this.orchestrator = this.createOrchestrator();
    }
    if (!isDeepStrictEqual(previous.config.workflows, next.config.workflows)) await this.workflows.applyConfig(next.config.workflows);
    // expose (pins, modes, client limits) or server descriptions may have changed what a session lists:
    // now, and again once the servers the edit starts or stops have settled.
    this.sessions.forEach((s) => s.exposureChanged());
    await this.pool.apply(next);
    this.sessions.forEach((s) => s.exposureChanged());
  }

  dataDir(): string {
    return path.resolve(this.loaded.baseDir, this.loaded.config.dataDir);
  }

  private createAudit(): AuditLog | undefined {
    const { audit } = this.loaded.config;
    if (!audit?.enabled) return undefined;
    return new AuditLog({ file: path.resolve(this.dataDir(), audit.file), maxBytes: audit.maxBytes, maxFiles: audit.maxFiles });
  }

  /** Starts tracking a call (audit line, metrics, in-flight count); the server's tools/call paths and meta-tools use it. */
  track(info: CallInfo): FinishCall {
    return this.calls.start(info);
  }

  /** Outside any call only roots/list is answered, and only with the local user's own roots (stdio). */
  localCaller(): Caller | undefined {
    return [...this.sessions].find((s) => s.principal.local)?.caller;
  }

  private createIndex(deferModel = false): ToolIndex {
    const cacheDir = path.join(this.dataDir(), 'models');
    const embedder = createEmbedder(this.loaded.config.routing.embeddings, { cacheDir });
    // Only at startup: a config edit's new model loads at once (the hub is serving already).
    if (deferModel && embedder) this.deferredModel = new DeferredEmbedder(embedder);
    this.embedder = deferModel && embedder ? this.deferredModel : embedder;
    return new ToolIndex(this.loaded.config.routing, {
      logger: childLogger('routing'),
      cacheDir,
      embedder: this.embedder,
      vectorCacheDir: path.join(this.dataDir(), 'embeddings'),
    });
  }

  private createLlm(): LlmService {
    const { llm } = this.loaded.config;
    for (const entry of [llm, ...(llm.fallback ?? [])]) registerSecret(entry.apiKey);
    return createLlm(llm, { log: childLogger('llm'), onUsage: (client, usage, cost) => this.usage.llm(client, usage, cost) });
  }

  private createOrchestrator(): Orchestrator {
    return new Orchestrator({
      caller: { callTool: (name, args, ctx) => this.callTool(name, args, ctx) },
      tools: this.catalog,
      // The index is replaced when routing settings change; always search the current one.
      index: { searchMany: (queries, options) => this.index.searchMany(queries, options) },
      llm: this.llm,
      memory: {
        similar: async (task, k, principal) => (await this.memory.similar(task, k, { principal })).flatMap(({ record }) => exampleFromRecord(record) ?? []),
        store: async (record) => void (await this.memory.store(record)),
        reusable: async (task, principal) => {
          const found = await this.memory.findReusable(task, { principal });
          return found && { plan: found.plan, runId: found.record.id, similarity: found.similarity };
        },
      },
      config: this.loaded.config.orchestrate,
      logger: childLogger('planner'),
      db: this.db.get,
      runLog: this.runLog,
    });
  }

  /**
   * Approves or declines a run waiting for consent (orchestrate {runId, approve} and the REST API): only the
   * principal that started it, or an admin; the run goes on as the principal that started it, with that
   * token's rights today (an admin approving another's run lends it none). A refusal comes back as text.
   */
  async approveRun(runId: string, approve: boolean, call: CallContext, options: { onProgress?: (p: StepProgress) => void; approve?: Approver } = {}): Promise<RunResult | { refused: string }> {
    const waiting = this.orchestrator.get(runId);
    const caller = principalOf(call);
    if (!waiting || !mayActFor(caller, waiting.principal)) return { refused: `No run "${runId}" is waiting for approval (it may have expired). Start it again with orchestrate {task} or run_plan {plan}.` };
    const owner = waiting.principal && this.principalNow(waiting.principal);
    if (waiting.principal && !owner) return { refused: `Run "${runId}" acted as token "${waiting.principal.name}", which is no longer configured; it cannot go on.` };
    const actAs = owner && caller && owner.key !== caller.key ? detachedCaller(owner) : call.caller;
    try {
      return await this.orchestrator.resume(runId, approve, { signal: call.signal, caller: actAs, onProgress: options.onProgress, approve: actAs === call.caller ? options.approve : undefined });
    } catch (err) {
      return { refused: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * Starts a run in the background for `principal` (the REST API): a task planned by the hub's model, or a given
   * plan. Resolves with its id once it has started; its steps are followed through runLog. Throws
   * ConversationError for a conversation the principal may not use, and an Error when a task needs a model there is none of.
   */
  startRun(input: { task?: string; plan?: PlanInput; context?: Record<string, unknown>; dryRun?: boolean; conversationId?: string }, principal: Principal): { runId: string; conversationId: string } {
    const caller = detachedCaller(principal);
    const conversationId = this.orchestrator.conversations.open(input.conversationId, principal);
    if (input.task !== undefined && !input.plan) {
      const unavailable = this.llmUnavailable({ caller });
      if (unavailable) throw new Error(`the hub has no model to plan with (${unavailable}); submit a plan instead (plan_task over MCP gives the tools and the format)`);
    }
    const runId = randomUUID();
    const finish = this.calls.start({ kind: 'meta', tool: input.plan ? 'run_plan' : 'orchestrate', known: true, client: principal.name, args: { runId, via: 'api' } });
    void this.orchestrator
      .run(input.plan ?? input.task!, { runId, caller, client: principal.name, context: input.context, dryRun: input.dryRun, conversationId })
      .then(
        (r) => finish(r.status === 'failed' ? 'error' : 'ok', r.status === 'failed' ? r.record.error : undefined),
        (err) => {
          finish('error', String(err));
          this.log.error('a run started through the API failed', { run: runId, error: String(err) });
        },
      );
    return { runId, conversationId };
  }

  /** What the REST API serves (src/api): the hub itself. */
  get api(): this {
    return this;
  }

  llmUnavailable(call: CallContext): string | undefined {
    const availability = this.llm.availability({ caller: call.caller });
    return availability.ok ? undefined : availability.reason;
  }

  /** The rights a stored principal (a workflow's owner, a waiting run's) has under today's config; undefined when its token is gone. */
  principalNow(ref: PrincipalRef): Principal | undefined {
    const tokens = this.loaded.config.http.auth?.tokens ?? [];
    return currentRights(ref, (name) => {
      const token = tokens.find((t) => t.name === name);
      return token && tokenPrincipal(token).ref();
    });
  }

  /** Re-indexes the servers whose tools changed since the last sync, and drops the ones that left. */
  private syncIndex(): void {
    const byServer = new Map<string, CatalogTool[]>();
    for (const t of this.catalog.tools()) byServer.set(t.server, [...(byServer.get(t.server) ?? []), t]);
    for (const server of this.indexed.keys()) {
      if (!byServer.has(server)) {
        this.index.removeServer(server);
        this.indexed.delete(server);
      }
    }
    for (const [server, tools] of byServer) {
      const signature = JSON.stringify(tools.map((t) => t.tool));
      if (this.indexed.get(server) === signature) continue;
      this.indexed.set(server, signature);
      const description = this.pool.get(server)?.config.description ?? this.pool.get(server)?.instructions;
      this.index.setServer(
        server,
        tools.map((t) => ({ name: t.name, server, originalName: t.originalName, title: t.tool.title, description: t.tool.description, inputSchema: t.tool.inputSchema, annotations: t.tool.annotations })),
        description,
      );
    }
  }

  /**
   * A client session acting as `principal` (an HTTP token's, or the local user's). A 2026-07-28 request
   * over HTTP gets one of its own (`perRequest`), which is not kept: such a client hears of changes on its
   * subscriptions/listen stream (onListChanged), not through a session.
   */
  newSession(principal: Principal, options: { perRequest?: boolean } = {}): Session {
    const session = new Session(this, principal, this.inputs, () => this.pool.connections.forEach((c) => c.notifyRootsChanged()));
    if (options.perRequest) return session;
    this.sessions.add(session);
    session.server.onclose = () => this.sessions.delete(session);
    return session;
  }

  /** Ends the work of 2026-07-28 requests waiting for their client's answers (at shutdown). */
  dropWaitingRequests(): void {
    this.inputs.close();
  }

  /** Changes that clients without a session (2026-07-28 over HTTP) hear of on their subscriptions/listen streams. */
  onListChanged(listener: (change: ListChange) => void): void {
    this.listChangeListeners.push(listener);
  }

  /**
   * hub_status, as the caller may see it. The local user and admin tokens see everything (secrets in
   * errors redacted, as in the log). Other tokens see only the servers they have tools of, their state
   * and in-scope tool counts: no errors or stderr, no addresses, endpoints, models, workflows or usage.
   */
  status(call?: CallContext): HubStatus {
    // No call context: the hub's own use (the banner, doctor, /health), which runs as the local user.
    const principal = call ? principalOf(call) : localPrincipal('hub');
    const expose = this.loaded.config.expose;
    const pool = poolStatus(this.pool, this.catalog);
    const servers = pool.servers.map((s) => (s.error ? { ...s, error: redactText(s.error) } : s));
    if (!seesInternals(principal)) {
      const visible = this.catalog.tools().filter((t) => allowsTool(principal, t.name));
      const mine = servers.filter((s) => seesServer(principal, this.catalog.prefixOf(s.name)) || visible.some((t) => t.server === s.name));
      const memory = this.memory?.status();
      return {
        servers: mine.map((s) => ({ name: s.name, state: s.state, protocol: s.protocol, tools: visible.filter((t) => t.server === s.name).length, restarts: s.restarts })),
        totals: { servers: mine.length, ready: mine.filter((s) => s.state === 'ready').length, tools: visible.length, resources: 0, prompts: 0 },
        ...(memory ? { memory: { state: memory.state } } : {}),
      };
    }
    const memory = this.memory && { ...this.memory.status(), ...(this.memory.address ? { url: this.memory.address } : {}) };
    return {
      ...pool,
      servers,
      expose: { mode: expose.mode, maxTools: expose.maxTools, listing: this.listedTools().length === this.catalog.tools().length ? 'all' : 'search' },
      // With where the embedding model comes from and, when none loaded, what to do.
      routing: routingStatus(this.index.status(), this.embedder),
      // Sampling is available or not depending on who asks.
      llm: { chain: this.llm.chain({ caller: call?.caller }), usage: this.llm.usage() },
      workflows: this.workflows.status(),
      memory,
    };
  }

  metaTools(): MetaTool[] {
    return this.meta;
  }

  isMetaTool(name: string): boolean {
    return this.meta.some((t) => t.name === name);
  }

  /**
   * `all` lists every tool, `search` only the meta-tools, `auto` all while the catalog fits in maxTools;
   * the tools `expose.pin` names are listed in every mode.
   */
  listedTools(): CatalogTool[] {
    const { mode, maxTools } = this.loaded.config.expose;
    const tools = this.catalog.tools();
    if (mode === 'all' || (mode === 'auto' && tools.length <= maxTools)) return tools;
    return this.pinnedTools();
  }

  pinnedTools(): CatalogTool[] {
    const pinned = this.loaded.config.expose.pin.map(globToRegExp);
    return pinned.length ? this.catalog.tools().filter((t) => pinned.some((re) => re.test(t.name))) : [];
  }

  /** expose.clients: the first key (in the config's order) whose glob matches the client's name, case-insensitively. */
  clientLimits(clientName: string | undefined): ClientLimits {
    if (clientName === undefined) return {};
    for (const [glob, limits] of Object.entries(this.loaded.config.expose.clients)) {
      if (new RegExp(globToRegExp(glob).source, 'i').test(clientName)) return limits;
    }
    return {};
  }

  /** The servers this principal has tools of (asked of the access policy per tool), with what they say they are. */
  apps(principal: Principal): AppInfo[] {
    const byServer = new Map<string, string[]>();
    for (const t of this.catalog.tools()) {
      if (allowsTool(principal, t.name)) byServer.set(t.server, [...(byServer.get(t.server) ?? []), t.originalName]);
    }
    return [...byServer.keys()].sort().map((name) => {
      const connection = this.pool.get(name);
      const description = connection?.config.description ?? connection?.instructions;
      return { name, ...(description ? { description } : {}), tools: byServer.get(name)!.sort() };
    });
  }

  /**
   * routing.rerank for one search. `llm`: the configured chain without the client (the hub's model);
   * `sampling`: the client's model, when it offers sampling; `auto`: the first of those that can serve.
   * None that can: undefined, and the search answers in its own order.
   */
  reranker(call: CallContext): Reranker | undefined {
    const config = this.loaded.config.routing.rerank;
    if (!config.enabled) return undefined;
    const caller = call.caller;
    const viaLlm = config.by !== 'sampling' && this.llm.availability({}).ok;
    const viaSampling = config.by !== 'llm' && !!caller?.capabilities()?.sampling;
    const by = viaLlm ? 'llm' : viaSampling ? 'sampling' : undefined;
    if (!by) {
      this.log.debug('search_tools not reranked: no model for this caller', { by: config.by, client: caller?.principal.name });
      return undefined;
    }
    this.samplingOnly ??= createLlm({ provider: 'sampling' }, { log: childLogger('llm') });
    const llm = by === 'llm' ? this.llm : this.samplingOnly;
    const ctx = by === 'llm' ? {} : { caller };
    return {
      by,
      candidates: config.candidates,
      timeoutMs: config.timeoutMs,
      maxTokens: config.maxTokens,
      defaultLimit: this.loaded.config.routing.defaultLimit,
      model: async ({ system, prompt, maxTokens, signal }) =>
        (await llm.complete({ system, messages: [{ role: 'user', content: prompt }], maxTokens, temperature: 0, signal, purpose: 'rerank' }, ctx)).text,
      fallback: (reason) => this.log.warn('search_tools kept its own order: reranking failed', { by, reason: redactText(reason) }),
    };
  }

  /**
   * The one call pipeline: every catalog tool call (tools/call, call_tool, plan steps, workflow runs, the
   * CLI) comes here: scope check, audit and metrics, then the catalog's argument check, the downstream call
   * and result handling.
   */
  async callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext = {}): Promise<CallToolResult> {
    const entry = this.catalog.getTool(name);
    const principal = principalOf(ctx);
    const finish = this.calls.start({ kind: 'tool', tool: name, server: entry?.server, known: entry !== undefined, client: principal?.name ?? 'unknown', args });
    if (!allowsTool(principal, name)) {
      finish('refused', principal ? 'outside the token scope' : 'no principal');
      return toolError(outOfScope(principal, name));
    }
    try {
      const result = await this.catalog.callTool(name, args, ctx);
      finish(ctx.signal?.aborted ? 'cancelled' : result.isError ? 'error' : 'ok', result.isError ? resultText(result) : undefined);
      return result;
    } catch (err) {
      finish('error', err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  instructions(): string {
    return [
      'MCP Orchestrator: one endpoint for many apps.',
      'Tools are named <server>__<tool> (e.g. xero__list-invoices); hub_status shows which servers are connected.',
      this.listedTools().length < this.catalog.tools().length
        ? 'Not every tool is listed: use search_tools to find the right one, describe_tool for its arguments, call_tool to run it.'
        : 'search_tools finds a tool by what it does.',
    ].join(' ');
  }

  async stop(): Promise<void> {
    this.stopWatching?.();
    await this.workflows.stop();
    this.releaseScheduling?.();
    this.inputs.close();
    await Promise.all([...this.sessions].map((s) => s.close()));
    await this.pool.stopAll();
    // A model still waiting to load never will: the index and memory stop waiting for it.
    clearInterval(this.modelTimer);
    this.deferredModel?.cancel();
    await Promise.all([this.index.close(), this.memory?.close()]);
    this.usage.close();
    this.db.close();
    this.audit?.flush();
  }
}
