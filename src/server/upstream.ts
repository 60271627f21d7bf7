// The hub as an MCP server: one Server per client session, all serving the same catalog.
// Requests are routed to the owning downstream server; progress, logging, cancellation and the
// downstream servers' own requests (sampling, elicitation, roots) cross in both directions.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  RootsListChangedNotificationSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type LoggingMessageNotification,
  type RequestId,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallContext, Caller, Principal } from '../access/principal.js';
import { toolError } from '../catalog/catalog.js';
import { createHash } from 'node:crypto';
import { parseHubUri, shortenName } from '../catalog/naming.js';
import { resultText } from '../observability/calls.js';
import { allowsMetaTool, allowsTool, metaToolRefusal, seesServer } from '../access/policy.js';
import { metaToolDefinition, runMetaTool } from './meta-tools.js';
import { ToolCallRelay } from './relay.js';
import type { HubServices } from './services.js';

export const HUB_VERSION = '0.1.0';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The SDK Server with the tools/call fast path (./relay.ts) in front of each transport it connects to. */
class RelayedServer extends Server {
  relay?: ToolCallRelay;

  override async connect(transport: Transport): Promise<void> {
    this.relay?.attach(transport);
    await super.connect(transport);
  }
}

/** A tool definition's digest, once per object: catalog and meta-tool definitions are shared until they change. */
const toolDigests = new WeakMap<Tool, string>();
function toolDigest(tool: Tool): string {
  let digest = toolDigests.get(tool);
  if (digest === undefined) toolDigests.set(tool, (digest = createHash('sha256').update(JSON.stringify(tool)).digest('base64')));
  return digest;
}

/** One connected upstream client. */
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

  constructor(
    private readonly hub: HubServices,
    /** Who this client is: a token's principal, or the local user (stdio, loopback HTTP without auth). */
    readonly principal: Principal,
    onRootsChanged: () => void,
  ) {
    const server = new RelayedServer(
      { name: 'mcp-orchestrator', version: HUB_VERSION },
      {
        capabilities: {
          tools: { listChanged: true },
          resources: { listChanged: true, subscribe: true },
          prompts: { listChanged: true },
          logging: {},
        },
        instructions: hub.instructions(),
      },
    );
    // Opting in to the fast path for tools/call: the relay sees the transport's messages first.
    server.relay = new ToolCallRelay({
      hub,
      principal,
      callerFor: (id: RequestId) => this.callerFor((request, schema) => server.request(request, schema as never, { relatedRequestId: id })),
      touch: () => (this.lastActive = Date.now()),
      resolve: (name: string) => this.resolveToolName(name),
    });
    this.server = server;
    this.caller = this.callerFor();
    this.registerHandlers();
    this.server.setNotificationHandler(RootsListChangedNotificationSchema, async () => onRootsChanged());
  }

  /** A Caller, bound to a request when `send` is that request's sendRequest, so relayed requests travel on its stream (HTTP). */
  private callerFor(send?: (request: ServerRequest, schema: unknown) => Promise<unknown>): Caller {
    const server = this.server;
    return {
      principal: this.principal,
      session: this,
      capabilities: () => server.getClientCapabilities(),
      sendRequest: (request, schema) => (send ? send(request as ServerRequest, schema) : server.request(request as ServerRequest, schema as never)) as Promise<never>,
      sendLog: (params) => this.sendLog(params),
    };
  }

  /**
   * The call context for one request. Progress goes out in order, and `flush` lets the handler wait
   * for it before answering: on HTTP the response closes the stream, dropping later notifications.
   */
  private context(extra: Extra): CallContext & { flush(): Promise<void> } {
    this.lastActive = Date.now();
    const progressToken = extra._meta?.progressToken;
    let pending = Promise.resolve();
    return {
      signal: extra.signal,
      caller: this.callerFor((request, schema) => extra.sendRequest(request, schema as never)),
      onprogress:
        progressToken === undefined
          ? undefined
          : (p) => {
              pending = pending.then(() => extra.sendNotification({ method: 'notifications/progress', params: { ...p, progressToken } })).catch(() => undefined);
            },
      flush: () => pending,
    };
  }

  private registerHandlers(): void {
    const { server, hub } = this;
    const principal = this.principal;
    server.setRequestHandler(ListToolsRequestSchema, async () => {
      this.lastActive = Date.now();
      const exposure = this.exposure();
      this.aliases = exposure.aliases;
      this.listed = exposure.digest;
      this.announced = undefined;
      return { tools: exposure.tools };
    });
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const { arguments: args } = request.params;
      const name = this.resolveToolName(request.params.name);
      const ctx = this.context(extra);
      const meta = hub.metaTools().find((t) => t.name === name);
      // Catalog tools are checked, audited and counted in hub.callTool (every path to a tool goes there).
      if (!meta) {
        const result = await hub.callTool(name, args, ctx);
        await ctx.flush();
        return result;
      }
      const finish = hub.track({ kind: 'meta', tool: name, known: true, client: principal.name, args });
      if (!allowsMetaTool(principal, meta)) {
        finish('refused', 'outside the token scope');
        return toolError(metaToolRefusal(principal, meta));
      }
      try {
        const result = await runMetaTool(meta, args, { hub, call: ctx });
        finish(extra.signal.aborted ? 'cancelled' : result.isError ? 'error' : 'ok', result.isError ? resultText(result) : undefined);
        await ctx.flush();
        return result;
      } catch (err) {
        finish('error', String(err));
        throw err;
      }
    });
    // Resources and prompts have no tool name: a scoped client sees those of the servers it has whole (`server__*`).
    // A resource URI carries its server's prefix (hub://<prefix>/...); one without is an unprefixed server's.
    const serverOf = (uri: string) => parseHubUri(uri)?.server;
    const checkResource = (uri: string) => {
      if (!seesServer(principal, serverOf(uri))) throw new McpError(ErrorCode.InvalidParams, `resource "${uri}" is not available to token "${principal.name}"`);
    };
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: hub.catalog.resources().filter((r) => seesServer(principal, serverOf(r.uri))) }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
      resourceTemplates: hub.catalog.resourceTemplates().filter((t) => seesServer(principal, serverOf(t.uriTemplate))),
    }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => (checkResource(request.params.uri), hub.catalog.readResource(request.params.uri, this.context(extra))));
    server.setRequestHandler(SubscribeRequestSchema, async (request) => (checkResource(request.params.uri), await hub.catalog.subscribeResource(request.params.uri, true), {}));
    server.setRequestHandler(UnsubscribeRequestSchema, async (request) => (checkResource(request.params.uri), await hub.catalog.subscribeResource(request.params.uri, false), {}));
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({
      prompts: hub.catalog.prompts().filter((p) => seesServer(principal, hub.catalog.prefixOf(p.server))).map((p) => p.prompt),
    }));
    server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
      const entry = hub.catalog.prompts().find((p) => p.name === request.params.name);
      if (!entry || !seesServer(principal, hub.catalog.prefixOf(entry.server))) throw new McpError(ErrorCode.InvalidParams, `unknown prompt "${request.params.name}"; prompts/list shows the available ones`);
      return hub.catalog.getPrompt(request.params.name, request.params.arguments, this.context(extra));
    });
  }

  /**
   * What this client's tools/list holds: the meta-tools and catalog tools its principal may use, as
   * expose says, narrowed by its client's limits (expose.clients, matched on clientInfo.name): over
   * maxTools it gets the search mode (meta-tools and pins, the hub's own first), and names over
   * maxNameLength are listed as deterministic short aliases (catalog/naming.ts, the catalog's own
   * shortening) that resolveToolName maps back.
   */
  private exposure(): { tools: Tool[]; aliases: Map<string, string>; digest: string } {
    const { hub, principal } = this;
    const limits = hub.clientLimits(this.server.getClientVersion()?.name);
    const meta = hub.metaTools().filter((t) => allowsMetaTool(principal, t)).map((t) => metaToolDefinition(t, { hub, principal }));
    let catalog = hub.listedTools().filter((t) => allowsTool(principal, t.name));
    if (limits.maxTools !== undefined && meta.length + catalog.length > limits.maxTools) {
      catalog = hub.pinnedTools().filter((t) => allowsTool(principal, t.name)).slice(0, Math.max(0, limits.maxTools - meta.length));
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
    const max = hub.clientLimits(this.server.getClientVersion()?.name).maxNameLength;
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
    if (!this.server.getClientCapabilities()) return;
    const digest = this.exposure().digest;
    if (digest === this.listed || digest === this.announced) return;
    this.announced = digest;
    this.notifyChanged('tools');
  }

  /** list_changed to this client; ignored before it has initialized. */
  notifyChanged(kind: 'tools' | 'resources' | 'prompts'): void {
    if (!this.server.getClientCapabilities()) return;
    const send = kind === 'tools' ? this.server.sendToolListChanged() : kind === 'resources' ? this.server.sendResourceListChanged() : this.server.sendPromptListChanged();
    void send.catch(() => undefined);
  }

  sendLog(params: LoggingMessageNotification['params']): void {
    if (!this.server.getClientCapabilities()) return;
    void this.server.sendLoggingMessage(params).catch(() => undefined);
  }

  resourceUpdated(uri: string): void {
    if (!this.server.getClientCapabilities()) return;
    void this.server.sendResourceUpdated({ uri }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.server.close().catch(() => undefined);
  }
}
