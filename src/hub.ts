// Composes the hub from a config: downstream pool -> catalog -> upstream sessions, plus the config
// watcher. Transports (stdio, HTTP) and the CLI sit on top of this.
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { watchConfig } from './config/watch.js';
import type { LoadedConfig } from './config/load.js';
import { Catalog, type CatalogTool } from './catalog/catalog.js';
import type { CallContext } from './downstream/connection.js';
import { DownstreamPool } from './downstream/pool.js';
import { childLogger, type Logger } from './log/logger.js';
import { ToolIndex } from './routing/index.js';
import { CORE_META_TOOLS, type MetaTool } from './server/meta-tools.js';
import { describeTool, searchTools } from './server/search-tools.js';
import type { HubServices } from './server/services.js';
import { Session } from './server/upstream.js';
import { poolStatus, type HubStatus } from './status.js';

export interface HubOptions {
  /** Watch the config file and apply valid edits. */
  watch?: boolean;
  /** Restart crashed servers (off for one-shot commands). */
  autoRestart?: boolean;
}

export class Hub implements HubServices {
  readonly log: Logger = childLogger('hub');
  readonly pool: DownstreamPool;
  readonly catalog: Catalog;
  readonly sessions = new Set<Session>();
  index: ToolIndex;
  private readonly meta: MetaTool[] = [...CORE_META_TOOLS, searchTools, describeTool];
  /** What the index holds per server, to update only servers whose tools changed. */
  private indexed = new Map<string, string>();
  private stopWatching?: () => void;

  private constructor(
    public loaded: LoadedConfig,
    options: HubOptions,
  ) {
    this.pool = new DownstreamPool({
      log: childLogger('downstream'),
      autoRestart: options.autoRestart ?? true,
      fallbackCaller: () => this.latestSession()?.caller,
    });
    this.catalog = new Catalog(this.pool);
    this.index = this.createIndex();
    this.catalog.on('changed', (kind) => {
      if (kind === 'tools') this.syncIndex();
      this.sessions.forEach((s) => s.notifyChanged(kind));
    });
    this.pool.on('log', (server, params, caller) => {
      const forwarded = { ...params, logger: params.logger ? `${server}/${params.logger}` : server } as Parameters<Session['sendLog']>[0];
      if (caller?.sendLog) caller.sendLog(forwarded);
      else this.sessions.forEach((s) => s.sendLog(forwarded));
    });
    this.pool.on('resource-updated', (server, uri) => this.sessions.forEach((s) => s.resourceUpdated(`hub://${server}/${uri}`)));
  }

  /** Starts every server concurrently; resolves when each is ready or has failed (each bounded by its timeoutMs). */
  static async start(loaded: LoadedConfig, options: HubOptions = {}): Promise<Hub> {
    const hub = new Hub(loaded, options);
    for (const [name, missing] of Object.entries(loaded.notConfigured)) {
      hub.log.warn(`server "${name}" not configured: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set; skipping it`);
    }
    await hub.pool.apply(loaded);
    if (options.watch) hub.stopWatching = watchConfig(loaded.file, (next) => void hub.reload(next), childLogger('config'));
    return hub;
  }

  async reload(next: LoadedConfig): Promise<void> {
    const previous = this.loaded;
    this.loaded = next;
    if (!isDeepStrictEqual(previous.config.routing, next.config.routing)) {
      void this.index.close();
      this.index = this.createIndex();
      this.indexed.clear();
      this.syncIndex();
    }
    if (!isDeepStrictEqual(previous.config.expose, next.config.expose)) this.sessions.forEach((s) => s.notifyChanged('tools'));
    await this.pool.apply(next);
  }

  private createIndex(): ToolIndex {
    const dataDir = path.resolve(this.loaded.baseDir, this.loaded.config.dataDir);
    return new ToolIndex(this.loaded.config.routing, { logger: childLogger('routing'), cacheDir: path.join(dataDir, 'models') });
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

  newSession(label: string): Session {
    const session = new Session(this, label, () => this.pool.connections.forEach((c) => c.notifyRootsChanged()));
    this.sessions.add(session);
    session.server.onclose = () => this.sessions.delete(session);
    return session;
  }

  private latestSession(): Session | undefined {
    let latest: Session | undefined;
    for (const s of this.sessions) if (!latest || s.lastActive >= latest.lastActive) latest = s;
    return latest;
  }

  status(): HubStatus {
    const expose = this.loaded.config.expose;
    return {
      ...poolStatus(this.pool, this.catalog),
      expose: { mode: expose.mode, maxTools: expose.maxTools, listing: this.listedTools().length === this.catalog.tools().length ? 'all' : 'search' },
      routing: this.index.status(),
    };
  }

  metaTools(): MetaTool[] {
    return this.meta;
  }

  isMetaTool(name: string): boolean {
    return this.meta.some((t) => t.name === name);
  }

  /** `all` lists every tool, `search` only the meta-tools, `auto` all while the catalog fits in maxTools. */
  listedTools(): CatalogTool[] {
    const { mode, maxTools } = this.loaded.config.expose;
    const tools = this.catalog.tools();
    return mode === 'all' || (mode === 'auto' && tools.length <= maxTools) ? tools : [];
  }

  callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext = {}): Promise<CallToolResult> {
    return this.catalog.callTool(name, args, ctx);
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
    await Promise.all([...this.sessions].map((s) => s.close()));
    await this.pool.stopAll();
    await this.index.close();
  }
}
