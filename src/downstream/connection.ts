// One downstream MCP server: connect, list what it offers, route calls to it, restart it when it dies,
// and relay its requests (sampling, elicitation, roots) to the upstream client that made the call.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  CreateMessageResultSchema,
  ElicitRequestSchema,
  ElicitResultSchema,
  ErrorCode,
  ListRootsRequestSchema,
  ListRootsResultSchema,
  LoggingMessageNotificationSchema,
  McpError,
  ProgressNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type ClientCapabilities,
  type GetPromptResult,
  type Implementation,
  type LoggingMessageNotification,
  type Progress,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/schema.js';
import type { CallContext, Caller } from '../access/principal.js';
import type { Logger } from '../log/logger.js';
import { CircuitBreaker, ConcurrencyLimit, type CircuitState } from './breaker.js';
import { DirectCalls, type DirectCall } from './direct-calls.js';
import { interceptTransport } from './intercept.js';
import { createTransport, type TransportKind } from './transport.js';
import { PackageNotFoundError } from './package-bin.js';

export type ServerState = 'disabled' | 'not-configured' | 'connecting' | 'ready' | 'restarting' | 'failed' | 'crash-loop' | 'stopped';

/** A fast-path call (startCall): the caller to relay the server's requests to, and where its outcome goes. */
export interface StartCallOptions {
  caller?: Caller;
  onprogress?: (progress: Record<string, unknown>) => void;
  /** Once, unless cancelled: the result (parsed as on the SDK path) or the error callTool would throw. */
  onsettled: (outcome: { result: CallToolResult } | { error: Error }) => void;
}

export interface RestartPolicy {
  /** Consecutive failed starts before the server is left in crash-loop. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A connection that stayed up this long resets the attempt count. */
  stableAfterMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 15_000, stableAfterMs: 30_000 };

export interface ConnectionOptions {
  baseDir: string;
  /** The hub's data directory, told to stdio servers (MCP_HUB_DATA_DIR) so they can keep out of it. */
  dataDir?: string;
  log: Logger;
  restart?: RestartPolicy;
  /** Restart after crashes and failed starts (the hub); off for one-shot checks (doctor). */
  autoRestart?: boolean;
  /** Answers relayed requests when no call is in flight (roots/list at startup, say). */
  fallbackCaller?: () => Caller | undefined;
}

export type ChangeKind = 'tools' | 'resources' | 'prompts' | 'state';

export interface Offerings {
  tools: Tool[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  prompts: Prompt[];
}

const EMPTY: Offerings = { tools: [], resources: [], resourceTemplates: [], prompts: [] };
const STDERR_TAIL = 20;

export declare interface DownstreamConnection {
  on(event: 'changed', listener: (kind: ChangeKind) => void): this;
  on(event: 'log', listener: (params: LoggingMessageNotification['params'], caller: Caller | undefined) => void): this;
  on(event: 'resource-updated', listener: (uri: string) => void): this;
  on(event: 'circuit', listener: (state: CircuitState) => void): this;
}

export class DownstreamConnection extends EventEmitter {
  state: ServerState = 'stopped';
  lastError?: string;
  restarts = 0;
  transport?: TransportKind;
  serverInfo?: Implementation;
  capabilities?: ServerCapabilities;
  instructions?: string;
  /** Time taken by the last successful connect + list, in ms. */
  connectMs?: number;
  offerings: Offerings = EMPTY;
  /** Fails calls fast after consecutive failures (crash, timeout), until a probe call succeeds. */
  readonly breaker: CircuitBreaker;
  /** Calls in flight at once (servers.<name>.maxConcurrent); more wait. */
  readonly limit: ConcurrencyLimit;

  private client?: Client;
  /** tools/call beneath the Client's Protocol on the same transport (the fast path); set with client. */
  private direct?: DirectCalls;
  /** The client being connected, so a timed-out or stopped connect can be torn down. */
  private opening?: Client;
  private attempts = 0;
  private readyAt = 0;
  private restartTimer?: NodeJS.Timeout;
  private stopping = false;
  private generation = 0;
  private readonly stderrTail: string[] = [];
  /** Callers with calls in flight here, with how many each (a run's parallel steps share one caller). */
  private readonly inFlight = new Map<Caller, number>();
  /** Our own progress tokens: the SDK drops a progress notification that arrives in the same read as its response. */
  private readonly progress = new Map<string, (p: Progress) => void>();
  private progressSeq = 0;
  private waiters: Array<() => void> = [];
  private readonly restart: RestartPolicy;

  constructor(
    readonly name: string,
    readonly config: ServerConfig,
    private readonly options: ConnectionOptions,
  ) {
    super();
    this.restart = options.restart ?? DEFAULT_RESTART;
    if (!config.enabled) this.state = 'disabled';
    this.breaker = new CircuitBreaker(name, config.circuitBreaker ?? { failures: 5, resetMs: 30_000 }, (state) => {
      this.log.warn(`circuit ${state}`, { failures: config.circuitBreaker?.failures });
      this.emit('circuit', state);
    });
    this.limit = new ConcurrencyLimit(config.maxConcurrent ?? 16);
  }

  get log(): Logger {
    return this.options.log;
  }

  /** Connects once; resolves when ready or failed, never rejects. Failures schedule a retry when autoRestart is on. */
  async start(): Promise<void> {
    if (this.state === 'disabled') return;
    this.stopping = false;
    await this.connect('connecting');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const clients = [this.client, this.opening];
    this.client = this.opening = undefined;
    this.direct = undefined;
    if (this.state !== 'disabled') this.setState('stopped');
    await Promise.all(clients.map(closeClient));
  }

  /** Ends this server's process at once (a forced hub exit must not leave it running). */
  kill(): void {
    for (const pid of [this.client, this.opening].map(stdioPid)) {
      if (pid) killQuietly(pid, 'SIGKILL');
    }
  }

  /** Signals every server process still on its way out (a hub stopping must not leave one behind). */
  static killClosing(signal: NodeJS.Signals): void {
    for (const pid of closing) killQuietly(pid, signal);
  }

  private setState(state: ServerState, error?: string): void {
    this.state = state;
    if (error !== undefined) this.lastError = error;
    if (state === 'ready' || state === 'failed' || state === 'crash-loop' || state === 'stopped') {
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((w) => w());
    }
    this.emit('changed', 'state');
  }

  private async connect(state: 'connecting' | 'restarting'): Promise<void> {
    const generation = ++this.generation;
    this.setState(state);
    const started = performance.now();
    const timeoutMs = this.config.startupTimeoutMs;
    const abandon = new AbortController();
    try {
      const { client, kind, direct } = await withTimeout(this.open(generation, abandon.signal), timeoutMs, `did not finish connecting within ${timeoutMs} ms`);
      if (generation !== this.generation || this.stopping) {
        await closeClient(client);
        return;
      }
      this.client = client;
      this.direct = direct;
      this.transport = kind;
      this.serverInfo = client.getServerVersion();
      this.capabilities = client.getServerCapabilities();
      this.instructions = client.getInstructions();
      this.offerings = await withTimeout(this.listAll(client), timeoutMs, `did not list its tools within ${timeoutMs} ms`);
      if (generation !== this.generation || this.stopping) return;
      this.connectMs = Math.round(performance.now() - started);
      this.readyAt = Date.now();
      this.lastError = undefined;
      this.setState('ready');
      this.emit('changed', 'tools');
      this.emit('changed', 'resources');
      this.emit('changed', 'prompts');
      this.log.info('server ready', { transport: kind, tools: this.offerings.tools.length, ms: this.connectMs });
    } catch (err) {
      abandon.abort();
      if (generation !== this.generation || this.stopping) return;
      const message = this.describeFailure(err);
      const clients = [this.client, this.opening];
      this.client = this.opening = undefined;
      this.direct = undefined;
      await Promise.all(clients.map(closeClient));
      const missing = this.missingCommand(err);
      if (missing) {
        // Retrying cannot help until the config changes (a changed entry restarts the server).
        this.log.error('server cannot start', { error: missing });
        this.setState('failed', missing);
        return;
      }
      this.log.warn('server failed to start', { error: message });
      this.scheduleRestart(message);
    }
  }

  private async open(generation: number, abandoned: AbortSignal): Promise<{ client: Client; kind: TransportKind; direct: DirectCalls }> {
    const kinds: TransportKind[] = this.config.transport === 'auto' ? ['http', 'sse'] : [this.config.transport];
    let firstError: unknown;
    for (const kind of kinds) {
      if (abandoned.aborted) break;
      const client = this.createClient(generation);
      this.opening = client;
      const transport = createTransport(this.name, this.config, kind, this.options.baseDir, this.options.dataDir);
      this.captureStderr(transport);
      const direct = new DirectCalls(transport, this.config.timeoutMs);
      interceptTransport(transport, direct);
      try {
        await client.connect(transport);
        this.opening = undefined;
        return { client, kind, direct };
      } catch (err) {
        await closeClient(client);
        firstError ??= err;
        if (kinds.length > 1) this.log.debug(`${kind} transport failed`, { error: (err as Error).message });
      }
    }
    throw firstError;
  }

  private createClient(generation: number): Client {
    const client = new Client(
      { name: 'mcp-orchestrator', version: '0.1.0' },
      { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
    );
    client.onclose = () => this.onClosed(generation);
    client.onerror = (err) => this.log.debug('transport error', { error: err.message });

    // A server's own request goes only to the client whose call caused it, or is refused: never to
    // another client, which could read (and answer) a question meant for someone else.
    const relay = (method: string, capability: keyof ClientCapabilities, resultSchema: unknown) => async (request: { params?: Record<string, unknown> }) => {
      const bound = this.boundCaller();
      const caller = bound === undefined && method === 'roots/list' ? this.options.fallbackCaller?.() : bound;
      if (caller === 'ambiguous') {
        if (method === 'roots/list') return { roots: [] };
        throw new McpError(ErrorCode.InvalidRequest, `${method}: calls of several clients are in flight on this server, so the request cannot be tied to the call that caused it; refused`);
      }
      if (!caller) {
        if (method === 'roots/list') return { roots: [] };
        throw new McpError(ErrorCode.InvalidRequest, `${method}: no call of a client is in flight on this server to relay this request to; refused`);
      }
      if (!caller.capabilities()?.[capability]) {
        if (method === 'roots/list') return { roots: [] };
        throw new McpError(ErrorCode.InvalidRequest, `${method}: the connected client does not support ${capability}`);
      }
      return caller.sendRequest({ method, params: request.params }, resultSchema);
    };
    client.setRequestHandler(CreateMessageRequestSchema, relay('sampling/createMessage', 'sampling', CreateMessageResultSchema) as never);
    client.setRequestHandler(ElicitRequestSchema, relay('elicitation/create', 'elicitation', ElicitResultSchema) as never);
    client.setRequestHandler(ListRootsRequestSchema, relay('roots/list', 'roots', ListRootsResultSchema) as never);

    const refresh = (kind: 'tools' | 'resources' | 'prompts') => async () => {
      if (generation !== this.generation || !this.client) return;
      try {
        this.offerings = await this.listAll(this.client, kind);
        this.emit('changed', kind);
      } catch (err) {
        this.log.warn(`could not refresh ${kind} after list_changed`, { error: (err as Error).message });
      }
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, refresh('tools'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, refresh('resources'));
    client.setNotificationHandler(PromptListChangedNotificationSchema, refresh('prompts'));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, async (n) => {
      this.emit('resource-updated', n.params.uri);
    });
    client.setNotificationHandler(ProgressNotificationSchema, async (n) => {
      const { progressToken, ...progress } = n.params;
      this.progress.get(String(progressToken))?.(progress as Progress);
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => {
      const bound = this.boundCaller();
      this.emit('log', n.params, bound === 'ambiguous' ? undefined : bound);
    });
    return client;
  }

  private captureStderr(transport: Transport): void {
    const stderr = (transport as { stderr?: NodeJS.ReadableStream | null }).stderr;
    if (!stderr) return;
    let partial = '';
    stderr.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        this.stderrTail.push(line);
        if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
        this.log.debug('stderr', { line });
      }
    });
  }

  /** Lists everything (or one kind), following pagination cursors. */
  private async listAll(client: Client, only?: 'tools' | 'resources' | 'prompts'): Promise<Offerings> {
    const caps = client.getServerCapabilities() ?? {};
    const next: Offerings = { ...this.offerings };
    const pages = async <T>(fetch: (cursor?: string) => Promise<{ nextCursor?: string } & T>, pick: (page: T) => unknown[]) => {
      const all: unknown[] = [];
      let cursor: string | undefined;
      do {
        const page = await fetch(cursor);
        all.push(...pick(page));
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    };
    const want = (k: string) => !only || only === k;
    if (want('tools')) next.tools = caps.tools ? ((await pages((c) => client.listTools({ cursor: c }), (p) => p.tools)) as Tool[]) : [];
    if (want('resources')) {
      next.resources = caps.resources ? ((await pages((c) => client.listResources({ cursor: c }), (p) => p.resources)) as Resource[]) : [];
      next.resourceTemplates = caps.resources
        ? ((await pages((c) => client.listResourceTemplates({ cursor: c }), (p) => p.resourceTemplates).catch(() => [])) as ResourceTemplate[])
        : [];
    }
    if (want('prompts')) next.prompts = caps.prompts ? ((await pages((c) => client.listPrompts({ cursor: c }), (p) => p.prompts)) as Prompt[]) : [];
    return next;
  }

  private onClosed(generation: number): void {
    if (generation !== this.generation || this.stopping) return;
    if (this.state !== 'ready') return; // a failed connect reports itself
    this.client = undefined;
    this.direct = undefined;
    const detail = this.lastStderr();
    const message = `the server closed its connection${detail ? ` (last stderr: ${detail})` : ''}`;
    this.log.warn('server exited', { error: message });
    this.offerings = EMPTY;
    this.emit('changed', 'tools');
    this.emit('changed', 'resources');
    this.emit('changed', 'prompts');
    if (Date.now() - this.readyAt >= this.restart.stableAfterMs) this.attempts = 0;
    this.scheduleRestart(message);
  }

  private scheduleRestart(message: string): void {
    if (!this.options.autoRestart) {
      this.setState('failed', message);
      return;
    }
    if (this.attempts >= this.restart.maxAttempts) {
      this.log.error('server is in crash-loop; not restarting until its config changes', { attempts: this.attempts, error: message });
      this.setState('crash-loop', message);
      return;
    }
    const delay = Math.min(this.restart.maxDelayMs, this.restart.baseDelayMs * 2 ** this.attempts);
    this.attempts++;
    this.setState('restarting', message);
    this.restartTimer = setTimeout(() => {
      this.restarts++;
      void this.connect('restarting');
    }, delay);
  }

  private describeFailure(err: unknown): string {
    const base = err instanceof Error ? err.message : String(err);
    const detail = this.lastStderr();
    return detail && !base.includes(detail) ? `${base} (last stderr: ${detail})` : base;
  }

  /** Waits for a connecting or restarting server, up to the call's own timeout. */
  private async ready(signal?: AbortSignal): Promise<Client> {
    if (this.state === 'connecting' || this.state === 'restarting') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(this.config.timeoutMs, this.config.startupTimeoutMs));
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        this.waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    if (this.state === 'ready' && this.client) return this.client;
    throw new McpError(ErrorCode.InternalError, this.unavailableMessage());
  }

  unavailableMessage(): string {
    const why = this.lastError ? `: ${this.lastError}` : '';
    switch (this.state) {
      case 'disabled':
        return `server "${this.name}" is disabled in the config`;
      case 'crash-loop':
        return `server "${this.name}" keeps crashing and was stopped${why}. Fix it and edit its config entry to restart it (see \`mcp-orchestrator doctor\`).`;
      case 'restarting':
      case 'connecting':
        return `server "${this.name}" is still starting${why}`;
      default:
        return `server "${this.name}" is not available (${this.state})${why}`;
    }
  }

  /** One request to the server, under its circuit breaker and concurrency limit. */
  private async withCall<T>(ctx: CallContext, what: string, run: (client: Client) => Promise<T>): Promise<T> {
    const refused = this.breaker.admit();
    if (refused) throw new McpError(ErrorCode.InternalError, refused);
    let verdict: 'ok' | 'failed' | undefined;
    let slot = false;
    try {
      await this.limit.acquire(ctx.signal);
      slot = true;
      const client = await this.ready(ctx.signal);
      const caller = ctx.caller;
      if (caller) this.inFlight.set(caller, (this.inFlight.get(caller) ?? 0) + 1);
      try {
        const result = await run(client);
        verdict = 'ok';
        return result;
      } catch (err) {
        if (!ctx.signal?.aborted && isServerFailure(err)) verdict = 'failed';
        throw this.explainCallError(err, what);
      } finally {
        if (caller) this.leave(caller);
      }
    } finally {
      if (slot) this.limit.release();
      // A server that is down (not ready) or a cancelled call gives no verdict on the server's health.
      if (verdict === 'ok') this.breaker.success();
      else if (verdict === 'failed') this.breaker.failure();
      else this.breaker.release();
    }
  }

  private explainCallError(err: unknown, what: string): Error {
    if (err instanceof McpError && err.code === ErrorCode.ConnectionClosed) {
      const detail = this.lastStderr();
      return new McpError(ErrorCode.InternalError, `server "${this.name}" exited during ${what}${detail ? ` (last stderr: ${detail})` : ''}; it is being restarted, retry the call`);
    }
    if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
      return new McpError(ErrorCode.RequestTimeout, `server "${this.name}" did not answer ${what} within ${this.config.timeoutMs} ms; the call was cancelled (raise servers.${this.name}.timeoutMs if it is just slow)`);
    }
    return err as Error;
  }

  callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext = {}): Promise<CallToolResult> {
    return this.withCall(ctx, `the call to ${name}`, async (client) => {
      // The timeout is ours, not the SDK's, so that it restarts on each progress report we relay.
      // One controller, linked to the caller's signal by hand: AbortSignal.any costs far more per call
      // (weak references and GC work; it was the hub's largest overhead in `npm run bench:proxy`).
      const abort = new AbortController();
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          abort.abort(`timed out after ${this.config.timeoutMs} ms`);
        }, this.config.timeoutMs);
      };
      const onCallerAbort = () => abort.abort(ctx.signal?.reason);
      if (ctx.signal?.aborted) onCallerAbort();
      else ctx.signal?.addEventListener('abort', onCallerAbort, { once: true });
      arm();
      let token: string | undefined;
      if (ctx.onprogress) {
        token = `${this.name}-${++this.progressSeq}`;
        const relay = ctx.onprogress;
        this.progress.set(token, (p) => {
          arm();
          relay(p);
        });
      }
      try {
        // request() rather than callTool(): the hub passes results through; the upstream client validates them.
        return (await client.request(
          { method: 'tools/call', params: { name, arguments: args ?? {}, ...(token ? { _meta: { progressToken: token } } : {}) } },
          CallToolResultSchema,
          { signal: abort.signal, timeout: 2 ** 31 - 1 },
        )) as CallToolResult;
      } catch (err) {
        if (timedOut && !ctx.signal?.aborted) throw new McpError(ErrorCode.RequestTimeout, 'Request timed out');
        throw err;
      } finally {
        clearTimeout(timer);
        ctx.signal?.removeEventListener('abort', onCallerAbort);
        if (token) this.progress.delete(token);
      }
    });
  }

  /**
   * The fast path's tools/call (src/server/relay.ts): sent straight on the transport, beneath the Client's
   * Protocol, with callTool's timeout, cancellation, progress, in-flight caller and error texts. Undefined
   * unless the server is ready: the caller then takes callTool, which also waits for a (re)starting server.
   */
  startCall(name: string, args: Record<string, unknown> | undefined, options: StartCallOptions): DirectCall | undefined {
    const direct = this.direct;
    if (this.state !== 'ready' || !direct) return undefined;
    // A breaker not closed (fail fast or probe) or no free slot (wait): callTool handles both.
    if (this.breaker.state !== 'closed' || !this.limit.tryAcquire()) return undefined;
    // Registered for the call's duration, so the server's sampling/elicitation requests reach this caller.
    const caller = options.caller;
    if (caller) this.inFlight.set(caller, (this.inFlight.get(caller) ?? 0) + 1);
    let done = false;
    const finish = () => {
      done = true;
      this.limit.release();
      if (caller) this.leave(caller);
    };
    const call = direct.call(name, args, {
      onprogress: options.onprogress,
      onsettled: (outcome) => {
        finish();
        if ('error' in outcome) {
          if (isServerFailure(outcome.error)) this.breaker.failure();
          else this.breaker.success();
          return options.onsettled({ error: this.explainCallError(outcome.error, `the call to ${name}`) });
        }
        this.breaker.success();
        // As client.request(..., CallToolResultSchema) does on the SDK path.
        const parsed = CallToolResultSchema.safeParse(outcome.result);
        options.onsettled(parsed.success ? { result: parsed.data } : { error: parsed.error });
      },
    });
    return {
      cancel: (reason) => {
        if (!done) finish();
        call.cancel(reason);
      },
    };
  }

  readResource(uri: string, ctx: CallContext = {}): Promise<ReadResourceResult> {
    return this.withCall(ctx, `reading ${uri}`, (client) => client.readResource({ uri }, this.requestOptions(ctx)));
  }

  getPrompt(name: string, args: Record<string, string> | undefined, ctx: CallContext = {}): Promise<GetPromptResult> {
    return this.withCall(ctx, `the prompt ${name}`, (client) => client.getPrompt({ name, arguments: args }, this.requestOptions(ctx)));
  }

  subscribeResource(uri: string, subscribe: boolean): Promise<unknown> {
    return this.withCall({}, `subscribing to ${uri}`, (client) => (subscribe ? client.subscribeResource({ uri }) : client.unsubscribeResource({ uri })));
  }

  /**
   * The server's last meaningful stderr line, for error texts: Node's closing "Node.js v20.x" line,
   * blank lines, carets and stack frames say nothing about what went wrong, so the line before them is shown.
   */
  private lastStderr(): string | undefined {
    const meaningful = this.stderrTail.filter((l) => l.trim() && !/^Node\.js v\d/.test(l.trim()) && !/^\s*at\s/.test(l) && !/^\s*\^+\s*$/.test(l));
    return meaningful.at(-1)?.trim().slice(0, 500);
  }

  private leave(caller: Caller): void {
    const left = (this.inFlight.get(caller) ?? 1) - 1;
    if (left > 0) this.inFlight.set(caller, left);
    else this.inFlight.delete(caller);
  }

  /**
   * The caller that a message the server sends now belongs to: the one client session (or detached run)
   * with calls in flight here. Undefined with none; 'ambiguous' with calls of several, since neither
   * stdio nor the SDK tells which call a server's request relates to.
   */
  private boundCaller(): Caller | undefined | 'ambiguous' {
    let found: Caller | undefined;
    for (const caller of this.inFlight.keys()) {
      if (found && (found.session ?? found) !== (caller.session ?? caller)) return 'ambiguous';
      found = caller;
    }
    return found;
  }

  /** What to fix when a stdio server's command (or its cwd) does not exist; undefined for other failures. */
  private missingCommand(err: unknown): string | undefined {
    if (err instanceof PackageNotFoundError) return err.message;
    if (!this.config.command || !((err as NodeJS.ErrnoException)?.code === 'ENOENT' || /spawn \S+ ENOENT/.test(String(err)))) return undefined;
    const cwd = this.config.cwd && path.resolve(this.options.baseDir, this.config.cwd);
    if (cwd && !existsSync(cwd)) return `servers.${this.name}.cwd "${this.config.cwd}" does not exist; fix it in the config`;
    return `command "${this.config.command}" was not found (spawn ENOENT): install it, or fix servers.${this.name}.command (an absolute path works); not retrying until its config changes`;
  }

  /** Tells the server that the roots of the upstream client changed. */
  notifyRootsChanged(): void {
    if (this.state === 'ready') void this.client?.sendRootsListChanged().catch(() => undefined);
  }

  private requestOptions(ctx: CallContext) {
    return { signal: ctx.signal, timeout: this.config.timeoutMs };
  }
}

/** Errors that say the server is unwell (it died or did not answer), as opposed to a JSON-RPC error it chose to send. */
function isServerFailure(err: unknown): boolean {
  return err instanceof McpError && (err.code === ErrorCode.ConnectionClosed || err.code === ErrorCode.RequestTimeout);
}

/** How long a stdio server has to exit on EOF before SIGTERM; the SDK alone waits 2 s, longer than a shutdown should take. */
const STOP_GRACE_MS = 500;

function stdioPid(client: Client | undefined): number | undefined {
  return (client?.transport as { pid?: number | null } | undefined)?.pid ?? undefined;
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Processes of closed clients that may not have exited yet. */
const closing = new Set<number>();

async function closeClient(client: Client | undefined): Promise<void> {
  if (!client) return;
  const pid = stdioPid(client);
  if (pid) closing.add(pid);
  const timer = pid ? setTimeout(() => killQuietly(pid, 'SIGTERM'), STOP_GRACE_MS) : undefined;
  await client.close().catch(() => undefined);
  clearTimeout(timer);
  if (pid) closing.delete(pid);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
