// One downstream MCP server: connect, list what it offers, route calls to it, restart it when it dies,
// and relay its requests (sampling, elicitation, roots) to the upstream client that made the call.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  Client,
  ProtocolError,
  ProtocolErrorCode,
  type CallToolResult,
  type CompleteRequest,
  type CompleteResult,
  type GetPromptResult,
  type Implementation,
  type LoggingMessageNotification,
  type McpSubscription,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplateType as ResourceTemplate,
  type ServerCapabilities,
  type Tool,
  type Transport,
} from '@modelcontextprotocol/client';
import type { ServerConfig } from '../config/schema.js';
import type { CallContext, Caller } from '../access/caller.js';
import type { Logger } from '../log/logger.js';
import { CircuitBreaker, ConcurrencyLimit, type CircuitState } from './breaker.js';
import { DownstreamCalls } from './calls.js';
import { CallersInFlight, RELAYED_CAPABILITIES, relayServerRequests } from './server-requests.js';
import { createTransport, type TransportKind } from './transport.js';
import { TaskRegistry } from './tasks.js';
import { PackageNotFoundError } from './package-bin.js';

export type ServerState = 'disabled' | 'not-configured' | 'connecting' | 'ready' | 'restarting' | 'failed' | 'crash-loop' | 'stopped';

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
  /** Hub task ids handed to clients, shared by every server (./tasks.ts). */
  tasks?: TaskRegistry;
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

  /** The revision the server speaks (2026-07-28 or 2025-11-25), once connected. */
  protocolVersion?: string;
  /** Callers with calls in flight here: the server's own requests go to the one whose call caused them. */
  readonly callers = new CallersInFlight();
  readonly tasks: TaskRegistry;
  private readonly calls: DownstreamCalls;

  private client?: Client;
  /** 2026-07-28 servers send list changes and resource updates on a stream the client opens. */
  private subscription?: McpSubscription;
  private readonly subscribed = new Set<string>();
  /** The client being connected, so a timed-out or stopped connect can be torn down. */
  private opening?: Client;
  private attempts = 0;
  private readyAt = 0;
  private restartTimer?: NodeJS.Timeout;
  private stopping = false;
  private generation = 0;
  private readonly stderrTail: string[] = [];
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
    this.tasks = options.tasks ?? new TaskRegistry();
    this.calls = new DownstreamCalls(this);
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
    this.closeSubscription();
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
      const { client, kind } = await withTimeout(this.open(generation, abandon.signal), timeoutMs, `did not finish connecting within ${timeoutMs} ms`);
      if (generation !== this.generation || this.stopping) {
        await closeClient(client);
        return;
      }
      this.client = client;
      this.transport = kind;
      this.serverInfo = client.getServerVersion();
      this.capabilities = client.getServerCapabilities();
      this.instructions = client.getInstructions();
      this.protocolVersion = client.getNegotiatedProtocolVersion();
      this.offerings = await withTimeout(this.listAll(client), timeoutMs, `did not list its tools within ${timeoutMs} ms`);
      await this.listen();
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
      this.closeSubscription();
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

  private async open(generation: number, abandoned: AbortSignal): Promise<{ client: Client; kind: TransportKind }> {
    const kinds: TransportKind[] = this.config.transport === 'auto' ? ['http', 'sse'] : [this.config.transport];
    let firstError: unknown;
    for (const kind of kinds) {
      if (abandoned.aborted) break;
      const client = this.createClient(generation);
      this.opening = client;
      const transport = createTransport(this.name, this.config, kind, this.options.baseDir, this.options.dataDir);
      this.captureStderr(transport);
      transports.set(client, transport);
      try {
        await client.connect(transport);
        this.opening = undefined;
        return { client, kind };
      } catch (err) {
        await closeClient(client);
        firstError ??= err;
        if (kinds.length > 1) this.log.debug(`${kind} transport failed`, { error: (err as Error).message });
      }
    }
    throw firstError;
  }

  private createClient(generation: number): Client {
    // Either revision: the client asks for 2026-07-28 (server/discover) and falls back to 2025-11-25.
    const client = new Client(
      { name: 'mcp-orchestrator', version: '0.1.0' },
      { capabilities: RELAYED_CAPABILITIES, versionNegotiation: { mode: 'auto', probe: { timeoutMs: Math.min(5_000, this.config.startupTimeoutMs) } } },
    );
    client.onclose = () => this.onClosed(generation);
    client.onerror = (err) => this.log.debug('transport error', { error: err.message });
    relayServerRequests(client, this.callers, this.options.fallbackCaller);

    const refresh = (kind: 'tools' | 'resources' | 'prompts') => async () => {
      if (generation !== this.generation || !this.client) return;
      try {
        this.offerings = await this.listAll(this.client, kind);
        this.emit('changed', kind);
      } catch (err) {
        this.log.warn(`could not refresh ${kind} after list_changed`, { error: (err as Error).message });
      }
    };
    client.setNotificationHandler('notifications/tools/list_changed', refresh('tools'));
    client.setNotificationHandler('notifications/resources/list_changed', refresh('resources'));
    client.setNotificationHandler('notifications/prompts/list_changed', refresh('prompts'));
    client.setNotificationHandler('notifications/resources/updated', async (n) => {
      this.emit('resource-updated', n.params.uri);
    });
    client.setNotificationHandler('notifications/message', async (n) => {
      const bound = this.callers.bound();
      this.emit('log', n.params, bound === 'ambiguous' ? undefined : bound);
    });
    return client;
  }

  /**
   * A 2026-07-28 server sends list changes and resource updates only on a stream the client opens
   * (subscriptions/listen): one per server, asking for what it offers and the resources subscribed to.
   */
  private async listen(): Promise<void> {
    const client = this.client;
    if (!client || client.getProtocolEra() !== 'modern') return;
    const caps = client.getServerCapabilities() ?? {};
    const filter = {
      ...(caps.tools?.listChanged ? { toolsListChanged: true } : {}),
      ...(caps.prompts?.listChanged ? { promptsListChanged: true } : {}),
      ...(caps.resources?.listChanged ? { resourcesListChanged: true } : {}),
      ...(caps.resources?.subscribe && this.subscribed.size ? { resourceSubscriptions: [...this.subscribed] } : {}),
    };
    const previous = this.subscription;
    this.subscription = undefined;
    if (Object.keys(filter).length) {
      try {
        this.subscription = await client.listen(filter);
      } catch (err) {
        this.log.warn('could not subscribe to list changes (subscriptions/listen)', { error: (err as Error).message });
      }
    }
    previous?.close();
  }

  private closeSubscription(): void {
    this.subscription?.close();
    this.subscription = undefined;
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

  /** Lists everything (or one kind); the client follows pagination cursors. */
  private async listAll(client: Client, only?: 'tools' | 'resources' | 'prompts'): Promise<Offerings> {
    const caps = client.getServerCapabilities() ?? {};
    const next: Offerings = { ...this.offerings };
    const want = (k: string) => !only || only === k;
    const fresh = { cacheMode: 'bypass' as const };
    if (want('tools')) next.tools = caps.tools ? (await client.listTools(undefined, fresh)).tools : [];
    if (want('resources')) {
      next.resources = caps.resources ? (await client.listResources(undefined, fresh)).resources : [];
      next.resourceTemplates = caps.resources ? await client.listResourceTemplates(undefined, fresh).then((r) => r.resourceTemplates, () => []) : [];
    }
    if (want('prompts')) next.prompts = caps.prompts ? (await client.listPrompts(undefined, fresh)).prompts : [];
    return next;
  }

  private onClosed(generation: number): void {
    if (generation !== this.generation || this.stopping) return;
    if (this.state !== 'ready') return; // a failed connect reports itself
    this.client = undefined;
    this.closeSubscription();
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
  async ready(signal?: AbortSignal): Promise<Client> {
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
    throw new ProtocolError(ProtocolErrorCode.InternalError, this.unavailableMessage());
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

  callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext = {}): Promise<CallToolResult> {
    return this.calls.callTool(name, args, ctx);
  }

  readResource(uri: string, ctx: CallContext = {}): Promise<ReadResourceResult> {
    return this.calls.readResource(uri, ctx);
  }

  getPrompt(name: string, args: Record<string, string> | undefined, ctx: CallContext = {}): Promise<GetPromptResult> {
    return this.calls.getPrompt(name, args, ctx);
  }

  complete(params: CompleteRequest['params'], ctx: CallContext = {}): Promise<CompleteResult> {
    return this.calls.complete(params, ctx);
  }

  /** tasks/get, tasks/update or tasks/cancel of one of this server's tasks, by the server's own task id. */
  taskRequest(method: 'tasks/get' | 'tasks/update' | 'tasks/cancel', serverTaskId: string, hubTaskId: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.calls.taskRequest(method, serverTaskId, hubTaskId, params);
  }

  /** resources/subscribe for a 2025-11-25 server; the subscription stream's filter for a 2026-07-28 one. */
  async subscribeResource(uri: string, subscribe: boolean): Promise<unknown> {
    if (subscribe) this.subscribed.add(uri);
    else this.subscribed.delete(uri);
    if (this.client?.getProtocolEra() === 'modern') return this.listen();
    return this.calls.subscribeResource(uri, subscribe);
  }

  /**
   * The server's last meaningful stderr line, for error texts: Node's closing "Node.js v20.x" line,
   * blank lines, carets and stack frames say nothing about what went wrong, so the line before them is shown.
   */
  lastStderr(): string | undefined {
    const meaningful = this.stderrTail.filter((l) => l.trim() && !/^Node\.js v\d/.test(l.trim()) && !/^\s*at\s/.test(l) && !/^\s*\^+\s*$/.test(l));
    return meaningful.at(-1)?.trim().slice(0, 500);
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

}

/** How long a stdio server has to exit on EOF before SIGTERM; the SDK alone waits 2 s, longer than a shutdown should take. */
const STOP_GRACE_MS = 500;

/** Each client's transport: the client holds it only once connected, and a connect can fail or hang before. */
const transports = new WeakMap<Client, Transport>();

function stdioPid(client: Client | undefined): number | undefined {
  return ((client && transports.get(client)) as { pid?: number | null } | undefined)?.pid ?? undefined;
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
  await transports.get(client)?.close().catch(() => undefined);
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
