// Composes the hub from a config: downstream pool -> catalog -> upstream sessions, plus the config
// watcher. Transports (stdio, HTTP) and the CLI sit on top of this.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { watchConfig } from './config/watch.js';
import type { LoadedConfig } from './config/load.js';
import { Catalog, type CatalogTool } from './catalog/catalog.js';
import type { CallContext } from './downstream/connection.js';
import { DownstreamPool } from './downstream/pool.js';
import { childLogger, type Logger } from './log/logger.js';
import { CORE_META_TOOLS, type MetaTool } from './server/meta-tools.js';
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
  private readonly meta: MetaTool[] = [...CORE_META_TOOLS];
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
    this.catalog.on('changed', (kind) => this.sessions.forEach((s) => s.notifyChanged(kind)));
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
    this.loaded = next;
    await this.pool.apply(next);
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
    return poolStatus(this.pool, this.catalog);
  }

  metaTools(): MetaTool[] {
    return this.meta;
  }

  isMetaTool(name: string): boolean {
    return this.meta.some((t) => t.name === name);
  }

  listedTools(): CatalogTool[] {
    return this.catalog.tools();
  }

  callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext = {}): Promise<CallToolResult> {
    return this.catalog.callTool(name, args, ctx);
  }

  instructions(): string {
    return [
      'MCP Orchestrator: one endpoint for many apps.',
      'Tools are named <server>__<tool> (e.g. xero__list-invoices); hub_status shows which servers are connected.',
    ].join(' ');
  }

  async stop(): Promise<void> {
    this.stopWatching?.();
    await Promise.all([...this.sessions].map((s) => s.close()));
    await this.pool.stopAll();
  }
}
