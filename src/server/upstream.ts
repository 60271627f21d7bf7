// The hub as an MCP server: one Server per client session (2025-11-25) or per request (2026-07-28), all
// serving the same catalog. Requests are routed to the owning downstream server; progress, logging,
// cancellation and the downstream servers' own requests (sampling, elicitation, roots) cross in both
// directions: asked of a 2025 client as requests, of a 2026 client as input_required rounds
// (./input-required.ts).
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type CallToolResult,
  type ClientCapabilities,
  type LoggingMessageNotification,
  type ServerContext,
  type Tool,
} from '@modelcontextprotocol/server';
import type { CallContext, Caller } from '../access/caller.js';
import type { Principal } from '../access/principal.js';
import { toolError } from '../catalog/catalog.js';
import { createHash } from 'node:crypto';
import { parseHubUri, shortenName } from '../catalog/naming.js';
import { resultText } from '../observability/calls.js';
import { allowsMetaTool, allowsTool, metaToolRefusal, seesServer } from '../access/policy.js';
import { metaToolDefinition, runMetaTool } from './meta-tools.js';
import type { InputBroker } from './input-required.js';
import { TASKS_EXTENSION } from '../downstream/tasks.js';
import { z } from 'zod';
import type { HubServices } from './services.js';

export const HUB_VERSION = '0.1.0';

/** Which revision a session speaks: 2025-11-25 (initialize, a session) or 2026-07-28 (each request stands alone). */
export type Era = 'legacy' | 'modern';

/** A change a 2026-07-28 client hears of on its subscriptions/listen stream. */
export type ListChange = { kind: 'tools' | 'resources' | 'prompts' } | { uri: string };

/** How long a 2026 client may keep a list before asking again; list changes reach it sooner through subscriptions/listen. */
const LIST_TTL_MS = 10_000;

/** Protocol revisions are dates: this one and later are 2026-07-28's kind (no session, no initialize). */
const FIRST_MODERN_REVISION = '2026-07-28';

/** A tool definition's digest, once per object: catalog and meta-tool definitions are shared until they change. */
const toolDigests = new WeakMap<Tool, string>();
function toolDigest(tool: Tool): string {
  let digest = toolDigests.get(tool);
  if (digest === undefined) toolDigests.set(tool, (digest = createHash('sha256').update(JSON.stringify(tool)).digest('base64')));
  return digest;
}

type Request = { method: string; params?: Record<string, unknown> };

/**
 * What handle() reads of a request: the SDK's ServerContext, or, for a tools/call handed over by the stdio
 * transport (./direct-calls.ts, 2025-11-25 only), the same parts made from the Server's public API.
 */
type RequestContext = {
  mcpReq: Pick<ServerContext['mcpReq'], 'signal' | 'notify' | 'send' | 'log'> & {
    envelope?: unknown;
    _meta?: { progressToken?: string | number };
  };
};

/** A tools/call's params as the SDK's request schema has them (what direct calls take, ./direct-calls.ts). */
export type ToolCallParams = { name: string; arguments?: Record<string, unknown>; _meta?: { progressToken?: string | number } };

/** One connected upstream client (2025-11-25), or one request of a 2026-07-28 client. */
/** The hub tools a client with a tool cap gets first: with them it finds and calls every other tool. */
const SEARCH_FIRST = new Set(['hub_status', 'search_tools', 'describe_tool', 'call_tool']);

export class Session {
  lastActive = Date.now();
  readonly server: Server;
  /** Relays to this client outside any call (logging, roots at a downstream server's startup). */
  readonly caller: Caller;
  /** Short aliases of long names in this client's tools/list (expose.clients.*.maxNameLength), to the catalog name. */
  private aliases = new Map<string, string>();
  /** Digest of the last tools/list this client was given: list_changed goes out only when its list would differ. */
  private listed?: string;
  /** Digest of the list last announced with list_changed (one notice per new list, however many events led to it). */
  private announced?: string;
  /** The client's name and capabilities as its last request declared them (2026 requests carry their own). */
  private declared?: { name?: string; capabilities?: ClientCapabilities };

  constructor(
    private readonly hub: HubServices,
    /** Who this client is: a token's principal, or the local user (stdio, loopback HTTP without auth). */
    readonly principal: Principal,
    private readonly inputs: InputBroker,
    onRootsChanged: () => void,
  ) {
    // Lists are filtered per token: a token's list may be cached for that token only.
    const cacheScope = principal.local ? 'public' : 'private';
    const list = { ttlMs: LIST_TTL_MS, cacheScope } as const;
    this.server = new Server(
      { name: 'mcp-orchestrator', version: HUB_VERSION },
      {
        capabilities: {
          tools: { listChanged: true },
          resources: { listChanged: true, subscribe: true },
          prompts: { listChanged: true },
          completions: {},
          logging: {},
          // Tasks of 2026 servers are handed on to a client that takes them (src/downstream/tasks.ts).
          extensions: { [TASKS_EXTENSION]: {} },
        },
        instructions: hub.instructions(),
        cacheHints: { 'tools/list': list, 'prompts/list': list, 'resources/list': list, 'resources/templates/list': list, 'resources/read': { ttlMs: 0, cacheScope: 'private' } },
        requestState: { verify: inputs.verify },
      },
    );
    this.caller = this.callerFor();
    this.registerHandlers();
    this.server.setNotificationHandler('notifications/roots/list_changed', async () => onRootsChanged());
  }

  /**
   * A Caller; bound to a request when `request` is given, so relayed requests and log lines travel with it
   * (on its own stream over HTTP, in the order the server sent them).
   */
  private callerFor(request?: { send(request: Request, inputKey?: string): Promise<unknown>; ctx: RequestContext; logLevel?: string }): Caller {
    const server = this.server;
    return {
      principal: this.principal,
      session: this,
      capabilities: () => this.declared?.capabilities ?? server.getClientCapabilities(),
      sendRequest: (r, _schema, options) => (request ? request.send(r, options?.inputKey) : server.request(r as never)) as Promise<never>,
      // The SDK applies the client's level: logging/setLevel (2025-11-25) or the request's own (2026-07-28).
      sendLog: (params) => (request ? void request.ctx.mcpReq.log(params.level, params.data, params.logger).catch(() => undefined) : this.sendLog(params)),
      logLevel: () => request?.logLevel,
    };
  }

  private clientName(): string | undefined {
    return this.declared?.name ?? this.server.getClientVersion()?.name;
  }

  /**
   * Runs a request's work with its call context: for a 2025 client directly (its questions are requests
   * on the same stream), for a 2026 client through the input broker (its questions are input_required
   * rounds, and the work outlives the request that started it). Progress goes out in order and is
   * flushed before the answer: on HTTP the response closes the stream, dropping later notifications.
   */
  private async handle<T>(ctx: RequestContext, work: (call: CallContext) => Promise<T>): Promise<T> {
    this.lastActive = Date.now();
    const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
    const modern = envelope?.[CLIENT_CAPABILITIES_META_KEY] !== undefined;
    if (modern) {
      this.declared = {
        name: (envelope?.[CLIENT_INFO_META_KEY] as { name?: string } | undefined)?.name,
        capabilities: envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities,
      };
    }
    const progressToken = ctx.mcpReq._meta?.progressToken;
    let pending = Promise.resolve();
    const onprogress =
      progressToken === undefined
        ? undefined
        : (p: Record<string, unknown>) => {
            pending = pending.then(() => ctx.mcpReq.notify({ method: 'notifications/progress', params: { ...p, progressToken } } as never)).catch(() => undefined);
          };
    if (!modern) {
      // A 2025 client filters log lines itself (logging/setLevel): servers are asked for all of them.
      const caller = this.callerFor({ send: (request) => ctx.mcpReq.send(request as never), ctx, logLevel: 'debug' });
      const result = await work({ signal: ctx.mcpReq.signal, caller, onprogress });
      await pending;
      return result;
    }
    const logLevel = envelope?.[LOG_LEVEL_META_KEY] as string | undefined;
    // Only the SDK's own dispatch carries an envelope (direct calls are 2025-11-25 requests): ctx is its ServerContext.
    const result = await this.inputs.run(ctx as ServerContext, this.principal.key, (ask, signal) => work({ signal, caller: this.callerFor({ send: ask, ctx, logLevel }), onprogress }));
    await pending;
    return result as T;
  }

  private registerHandlers(): void {
    const { server, hub } = this;
    const principal = this.principal;
    server.setRequestHandler('tools/list', async () => {
      this.lastActive = Date.now();
      const exposure = this.exposure();
      this.aliases = exposure.aliases;
      this.listed = exposure.digest;
      this.announced = undefined;
      return { tools: exposure.tools };
    });
    server.setRequestHandler('tools/call', (request, ctx) => this.handle(ctx, (call) => this.callTool(request.params, call)));
    // Resources and prompts have no tool name: a scoped client sees those of the servers it has whole (`<prefix>__*`).
    // A resource URI carries its server's prefix (hub://<prefix>/...); one without is an unprefixed server's.
    const serverOf = (uri: string) => parseHubUri(uri)?.server;
    const checkResource = (uri: string) => {
      if (!seesServer(principal, serverOf(uri))) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `resource "${uri}" is not available to token "${principal.name}"`, { uri });
    };
    server.setRequestHandler('resources/list', async () => ({ resources: hub.catalog.resources().filter((r) => seesServer(principal, serverOf(r.uri))) }));
    server.setRequestHandler('resources/templates/list', async () => ({
      resourceTemplates: hub.catalog.resourceTemplates().filter((t) => seesServer(principal, serverOf(t.uriTemplate))),
    }));
    server.setRequestHandler('resources/read', (request, ctx) => this.handle(ctx, async (call) => (checkResource(request.params.uri), hub.catalog.readResource(request.params.uri, call))));
    server.setRequestHandler('resources/subscribe', async (request) => (checkResource(request.params.uri), await hub.catalog.subscribeResource(request.params.uri, true), {}));
    server.setRequestHandler('resources/unsubscribe', async (request) => (checkResource(request.params.uri), await hub.catalog.subscribeResource(request.params.uri, false), {}));
    server.setRequestHandler('prompts/list', async () => ({
      prompts: hub.catalog.prompts().filter((p) => seesServer(principal, hub.catalog.prefixOf(p.server))).map((p) => p.prompt),
    }));
    const prompt = (name: string) => {
      const entry = hub.catalog.prompts().find((p) => p.name === name);
      if (!entry || !seesServer(principal, hub.catalog.prefixOf(entry.server))) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown prompt "${name}"; prompts/list shows the available ones`);
      return entry;
    };
    server.setRequestHandler('prompts/get', (request, ctx) => this.handle(ctx, async (call) => hub.catalog.getPrompt(prompt(request.params.name).name, request.params.arguments, call)));
    // A task the hub handed on: its id names the server; only the principal that started it may follow it.
    const TaskParams = z.object({ taskId: z.string() }).passthrough();
    for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel'] as const) {
      server.setRequestHandler(method, { params: TaskParams }, async (params, ctx) => {
        this.lastActive = Date.now();
        const pool = hub.catalog.pool;
        const { server: name, taskId } = pool.tasks.resolve(params.taskId, principal.key);
        const connection = pool.get(name);
        if (!connection) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown task "${params.taskId}": its server "${name}" is no longer configured`);
        const extra = method === 'tasks/update' ? { inputResponses: ctx.mcpReq.inputResponses ?? params.inputResponses ?? {} } : {};
        return connection.taskRequest(method, taskId, params.taskId, extra);
      });
    }
    server.setRequestHandler('completion/complete', (request, ctx) =>
      this.handle(ctx, async (call) => {
        const ref = request.params.ref;
        if (ref.type === 'ref/prompt') prompt(ref.name);
        else checkResource(ref.uri);
        return hub.catalog.complete(request.params, call);
      }),
    );
  }

  /** tools/call, however it arrived (the SDK's dispatch or a direct call): a meta-tool here, a catalog tool through hub.callTool. */
  private async callTool(params: ToolCallParams, call: CallContext): Promise<CallToolResult> {
    const { hub, principal } = this;
    const { arguments: args } = params;
    const name = this.resolveToolName(params.name);
    const meta = hub.metaTools().find((t) => t.name === name);
    // Catalog tools are checked, audited and counted in hub.callTool: the one pipeline every path to a tool takes.
    if (!meta) return hub.callTool(name, args, call);
    const finish = hub.track({ kind: 'meta', tool: name, known: true, client: principal.name, args });
    if (!allowsMetaTool(principal, meta)) {
      finish('refused', 'outside the token scope');
      return toolError(metaToolRefusal(principal, meta));
    }
    try {
      const result = await runMetaTool(meta, args, { hub, call });
      finish(call.signal?.aborted ? 'cancelled' : result.isError ? 'error' : 'ok', result.isError ? resultText(result) : undefined);
      return result;
    } catch (err) {
      finish('error', String(err));
      throw err;
    }
  }

  /**
   * Whether a tools/call may be handed over directly (./direct-calls.ts): this session speaks 2025-11-25
   * (initialized), and the name is a catalog tool's (meta-tools stay with the SDK's dispatch).
   */
  takesDirectCall(name: string): boolean {
    const version = this.server.getNegotiatedProtocolVersion();
    if (version === undefined || version >= FIRST_MODERN_REVISION || this.server.getClientCapabilities() === undefined) return false;
    const resolved = this.resolveToolName(name);
    return !this.hub.isMetaTool(resolved) && this.hub.catalog.getTool(resolved) !== undefined;
  }

  /**
   * A tools/call of a 2025-11-25 client handed over by its transport: the same handle() and callTool() as the
   * SDK's dispatch, with the request's notifications, requests and log lines sent through the Server's
   * public API, related to the request as the SDK's own context relates them.
   */
  directToolCall(id: string | number, params: ToolCallParams, signal: AbortSignal): Promise<CallToolResult> {
    const { server } = this;
    const related = { relatedRequestId: id };
    const ctx: RequestContext = {
      mcpReq: {
        ...(params._meta ? { _meta: params._meta } : {}),
        signal,
        notify: (notification) => server.notification(notification as never, related),
        send: ((request: Request) => server.request(request as never, related)) as never,
        // Logging/setLevel's threshold, as the SDK's request context applies it (a stdio session has no session id).
        log: (level, data, logger) => server.sendLoggingMessage({ level, data, ...(logger !== undefined ? { logger } : {}) }),
      },
    };
    return this.handle(ctx, (call) => this.callTool(params, call));
  }

  /**
   * What this client's tools/list holds: the meta-tools and catalog tools its principal may use, as
   * expose says, narrowed by its client's limits (expose.clients, matched on clientInfo.name): over
   * maxTools it gets the search mode (search, describe and call first, then pins, then the other meta-tools that fit), and names over
   * maxNameLength are listed as deterministic short aliases (catalog/naming.ts, the catalog's own
   * shortening) that resolveToolName maps back.
   */
  private exposure(): { tools: Tool[]; aliases: Map<string, string>; digest: string } {
    const { hub, principal } = this;
    const limits = hub.clientLimits(this.clientName());
    let meta = hub.metaTools().filter((t) => allowsMetaTool(principal, t)).map((t) => metaToolDefinition(t, { hub, principal }));
    let catalog = hub.listedTools().filter((t) => allowsTool(principal, t.name));
    if (limits.maxTools !== undefined && meta.length + catalog.length > limits.maxTools) {
      // The tools that reach every other come first, then the pins, then the rest of the hub's own while they fit
      // (those left out stay callable by name).
      const core = meta.filter((t) => SEARCH_FIRST.has(t.name));
      catalog = hub.pinnedTools().filter((t) => allowsTool(principal, t.name)).slice(0, Math.max(0, limits.maxTools - core.length));
      meta = [...core, ...meta.filter((t) => !SEARCH_FIRST.has(t.name)).slice(0, Math.max(0, limits.maxTools - core.length - catalog.length))];
    }
    let tools = [...meta, ...catalog.map((t) => t.tool)];
    const aliases = new Map<string, string>();
    const max = limits.maxNameLength;
    if (max !== undefined) {
      const names = new Set(tools.map((t) => t.name));
      tools = tools.flatMap((t) => {
        if (t.name.length <= max) return [t];
        const alias = shortenName(t.name, max);
        // A clash (two names, one alias) is as unlikely as a clash of 8 hex digits; the tool then stays reachable through call_tool.
        if (names.has(alias) || aliases.has(alias)) return [];
        aliases.set(alias, t.name);
        return [{ ...t, name: alias }];
      });
    }
    const digest = createHash('sha256').update(tools.map(toolDigest).join('')).digest('hex');
    return { tools, aliases, digest };
  }

  /** The catalog (or meta-tool) name behind a name this client used: its own alias, or the name itself. */
  resolveToolName(name: string): string {
    const known = this.aliases.get(name);
    if (known !== undefined) return known;
    const { hub } = this;
    if (hub.catalog.getTool(name) || hub.isMetaTool(name)) return name;
    const max = hub.clientLimits(this.clientName()).maxNameLength;
    if (max === undefined || name.length > max) return name;
    // Aliases are deterministic: one from an earlier list (or session) still resolves after the catalog changed.
    this.aliases = this.exposure().aliases;
    return this.aliases.get(name) ?? name;
  }

  /**
   * Tells the client its tool list changed, when it did for this client: catalog changes, servers coming
   * and going, and config reloads all come here, and each session compares what it would list now (its
   * scope, its client's limits, search_tools' app list) with what it was last given.
   */
  exposureChanged(): void {
    if (!this.connected()) return;
    const digest = this.exposure().digest;
    if (digest === this.listed || digest === this.announced) return;
    this.announced = digest;
    this.notifyChanged('tools');
  }

  /** Whether the client has said who it is (initialize, or a 2026 request): nothing goes out before. */
  private connected(): boolean {
    return this.declared !== undefined || this.server.getClientCapabilities() !== undefined;
  }

  /** list_changed to this client; ignored before it has initialized. */
  notifyChanged(kind: 'tools' | 'resources' | 'prompts'): void {
    if (!this.connected()) return;
    const send = kind === 'tools' ? this.server.sendToolListChanged() : kind === 'resources' ? this.server.sendResourceListChanged() : this.server.sendPromptListChanged();
    void send.catch(() => undefined);
  }

  sendLog(params: LoggingMessageNotification['params']): void {
    if (!this.connected()) return;
    void this.server.sendLoggingMessage(params as never).catch(() => undefined);
  }

  resourceUpdated(uri: string): void {
    if (!this.connected()) return;
    void this.server.sendResourceUpdated({ uri }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.server.close().catch(() => undefined);
  }
}
