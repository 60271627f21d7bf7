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
} from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallContext, Caller } from '../downstream/connection.js';
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

/** One connected upstream client. */
export class Session {
  lastActive = Date.now();
  readonly server: Server;
  /** Relays to this client outside any call (logging, roots at a downstream server's startup). */
  readonly caller: Caller;

  constructor(
    private readonly hub: HubServices,
    readonly label: string,
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
      callerFor: (id: RequestId) => this.callerFor((request, schema) => server.request(request, schema as never, { relatedRequestId: id })),
      touch: () => (this.lastActive = Date.now()),
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
      label: this.label,
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
    server.setRequestHandler(ListToolsRequestSchema, async () => {
      this.lastActive = Date.now();
      return { tools: [...hub.metaTools().map(metaToolDefinition), ...hub.listedTools().map((t) => t.tool)] };
    });
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const { name, arguments: args } = request.params;
      const ctx = this.context(extra);
      const meta = hub.metaTools().find((t) => t.name === name);
      const result = meta ? await runMetaTool(meta, args, { hub, call: ctx }) : await hub.callTool(name, args, ctx);
      await ctx.flush();
      return result;
    });
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: hub.catalog.resources() }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: hub.catalog.resourceTemplates() }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => hub.catalog.readResource(request.params.uri, this.context(extra)));
    server.setRequestHandler(SubscribeRequestSchema, async (request) => (await hub.catalog.subscribeResource(request.params.uri, true), {}));
    server.setRequestHandler(UnsubscribeRequestSchema, async (request) => (await hub.catalog.subscribeResource(request.params.uri, false), {}));
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: hub.catalog.prompts().map((p) => p.prompt) }));
    server.setRequestHandler(GetPromptRequestSchema, async (request, extra) =>
      hub.catalog.getPrompt(request.params.name, request.params.arguments, this.context(extra)),
    );
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

export function mcpError(message: string): McpError {
  return new McpError(ErrorCode.InvalidRequest, message);
}
