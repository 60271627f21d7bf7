// The merged, namespaced view of every downstream server's tools, resources and prompts,
// and the single place that routes a call by its catalog name to the owning connection.
import { EventEmitter } from 'node:events';
import { ProtocolError, ProtocolErrorCode, type CallToolResult, type CompleteRequest, type CompleteResult, type GetPromptResult, type Prompt, type ReadResourceResult, type Resource, type ResourceTemplateType as ResourceTemplate, type Tool } from '@modelcontextprotocol/client';
import type { CallContext } from '../access/caller.js';
import { allowsTool, principalOf } from '../access/policy.js';
import type { ChangeKind, DownstreamConnection } from '../downstream/connection.js';
import type { DownstreamPool } from '../downstream/pool.js';
import { serverPrefix, type ServerConfig } from '../config/schema.js';
import { globToRegExp, hubUri, parseHubUri, publicName, templateMatches } from './naming.js';
import { detectPlainTextError, plainTextErrorPatterns } from './plain-text-errors.js';
import { checkArguments } from './validate.js';

export interface CatalogTool {
  /** The namespaced name clients see. */
  name: string;
  server: string;
  originalName: string;
  /** The definition as served upstream: namespaced name, description override applied. */
  tool: Tool;
}

export interface CatalogPrompt {
  name: string;
  server: string;
  originalName: string;
  prompt: Prompt;
}

export declare interface Catalog {
  on(event: 'changed', listener: (kind: Exclude<ChangeKind, 'state'>) => void): this;
}

export class Catalog extends EventEmitter {
  private toolsByName = new Map<string, CatalogTool>();
  private promptsByName = new Map<string, CatalogPrompt>();
  private resourceList: Resource[] = [];
  private templateList: ResourceTemplate[] = [];
  private pending = new Set<'tools' | 'resources' | 'prompts'>();
  private flushScheduled = false;
  private conflictList: Array<{ kind: 'tools' | 'prompts'; server: string; name: string; message: string }> = [];
  /** Names the hub itself answers to (its meta-tools): an unprefixed server may not take them. */
  private readonly reserved: ReadonlySet<string>;

  constructor(
    readonly pool: DownstreamPool,
    options: { reserved?: Iterable<string> } = {},
  ) {
    super();
    this.reserved = new Set(options.reserved ?? []);
    pool.on('changed', (_server, kind) => {
      if (kind !== 'state') this.invalidate(kind);
    });
    this.rebuild('tools');
    this.rebuild('resources');
    this.rebuild('prompts');
  }

  /** Coalesces the bursts of changes a reconnect produces into one rebuild and one notification per kind. */
  private invalidate(kind: 'tools' | 'resources' | 'prompts'): void {
    this.pending.add(kind);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      const kinds = [...this.pending];
      this.pending.clear();
      for (const k of kinds) {
        this.rebuild(k);
        this.emit('changed', k);
      }
    });
  }

  private rebuild(kind: 'tools' | 'resources' | 'prompts'): void {
    const servers = [...this.pool.connections.values()].filter((c) => c.state === 'ready');
    if (kind === 'resources') {
      this.resourceList = servers.flatMap((c) => c.offerings.resources.map((r) => ({ ...r, uri: this.publicUri(c.name, r.uri) })));
      this.templateList = servers.flatMap((c) => c.offerings.resourceTemplates.map((t) => ({ ...t, uriTemplate: this.publicUri(c.name, t.uriTemplate) })));
      return;
    }
    const conflicts = this.conflictList.filter((c) => c.kind !== kind);
    const next = new Map<string, { name: string; server: string; originalName: string }>();
    // Servers in config order, each one's names sorted: the same config always gives the same names.
    for (const c of servers) {
      const prefix = this.prefixOf(c.name);
      const own = kind === 'tools' ? filterTools(c.offerings.tools, c.config.tools) : c.offerings.prompts;
      for (const original of own.map((o) => o.name).sort((a, b) => a.localeCompare(b))) {
        let name = publicName(prefix, original);
        const taken = next.get(name);
        if (prefix === undefined && (taken || this.reserved.has(name))) {
          // Unprefixed names are the server's own: a clash is the config's to settle, not ours to rename.
          const other = taken ? `server "${taken.server}"` : 'the hub itself';
          conflicts.push({ kind, server: c.name, name, message: `${kind === 'tools' ? 'tool' : 'prompt'} "${name}" of server "${c.name}" clashes with ${other}, which has one of that name; it is left out. Give servers.${c.name}.prefix a word (or remove prefix: false)` });
          continue;
        }
        // Sanitising can map two names to one ("a.b", "a_b"); the later one gets a hash.
        if (taken) name = publicName(prefix, original, true);
        next.set(name, { name, server: c.name, originalName: original });
      }
    }
    for (const conflict of conflicts.filter((x) => x.kind === kind && !this.conflictList.some((y) => y.message === x.message))) this.pool.get(conflict.server)?.log.error(conflict.message);
    this.conflictList = conflicts;
    if (kind === 'tools') {
      const tools = new Map<string, CatalogTool>();
      for (const { name, server, originalName } of next.values()) {
        const c = this.pool.get(server)!;
        const tool = c.offerings.tools.find((t) => t.name === originalName)!;
        const description = c.config.tools.overrides[originalName]?.description ?? tool.description;
        tools.set(name, { name, server, originalName, tool: { ...tool, name, description } });
      }
      this.toolsByName = tools;
    } else {
      const prompts = new Map<string, CatalogPrompt>();
      for (const { name, server, originalName } of next.values()) {
        const prompt = this.pool.get(server)!.offerings.prompts.find((p) => p.name === originalName)!;
        prompts.set(name, { name, server, originalName, prompt: { ...prompt, name } });
      }
      this.promptsByName = prompts;
    }
  }

  /** The prefix of a server's names and URIs (servers.<name>.prefix, default its name); undefined for `prefix: false`. */
  prefixOf(server: string): string | undefined {
    const config = this.pool.get(server)?.config;
    return config ? serverPrefix(server, config) : server;
  }

  /** A server's resource URI as clients see it: hub://<prefix>/<uri>, or its own URI without a prefix. */
  publicUri(server: string, uri: string): string {
    const prefix = this.prefixOf(server);
    return prefix === undefined ? uri : hubUri(prefix, uri);
  }

  /** Names left out because an unprefixed server clashed with another server or the hub (doctor and hub_status show them). */
  conflicts(): ReadonlyArray<{ server: string; message: string }> {
    return this.conflictList;
  }

  tools(): CatalogTool[] {
    return [...this.toolsByName.values()];
  }

  getTool(name: string): CatalogTool | undefined {
    return this.toolsByName.get(name);
  }

  prompts(): CatalogPrompt[] {
    return [...this.promptsByName.values()];
  }

  resources(): Resource[] {
    return this.resourceList;
  }

  resourceTemplates(): ResourceTemplate[] {
    return this.templateList;
  }

  /** Validates and routes a tool call. Unknown tools and bad arguments come back as tool errors that say what to fix. */
  async callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext = {}): Promise<CallToolResult> {
    const entry = this.toolsByName.get(name);
    // Hints name only tools the caller may use: a scoped token learns nothing of the rest.
    if (!entry) return toolError(unknownToolMessage(name, this.tools().filter((t) => allowsTool(principalOf(ctx), t.name))));
    const checked = prepareArguments(entry, args);
    if ('error' in checked) return checked.error;
    const connection = this.pool.get(entry.server);
    if (!connection) return toolError(`server "${entry.server}" is no longer configured`);
    try {
      return finishToolResult(connection, await connection.callTool(entry.originalName, checked.args, ctx));
    } catch (err) {
      // A server needing what the client did not declare: a protocol error the client must see as one (2026-07-28).
      if (err instanceof ProtocolError && err.code === ProtocolErrorCode.MissingRequiredClientCapability) throw err;
      return toolError(err instanceof Error ? err.message : String(err));
    }
  }

  async readResource(uri: string, ctx: CallContext = {}): Promise<ReadResourceResult> {
    const { connection, original } = this.resolveResource(uri);
    const result = await connection.readResource(original, ctx);
    return { ...result, contents: result.contents.map((c) => ({ ...c, uri: this.publicUri(connection.name, c.uri) })) };
  }

  async subscribeResource(uri: string, subscribe: boolean): Promise<void> {
    const { connection, original } = this.resolveResource(uri);
    await connection.subscribeResource(original, subscribe);
  }

  /**
   * The server behind a resource URI: hub://<prefix>/<uri> names it; any other URI belongs to the unprefixed
   * server that lists it, or has a template it fits, or is the only unprefixed one.
   */
  private resolveResource(uri: string) {
    const parsed = parseHubUri(uri);
    const ready = [...this.pool.connections.values()].filter((c) => c.state === 'ready');
    if (parsed) {
      const connection = ready.find((c) => this.prefixOf(c.name) === parsed.server);
      if (connection) return { connection, original: parsed.uri };
    } else {
      const unprefixed = ready.filter((c) => this.prefixOf(c.name) === undefined);
      const connection =
        unprefixed.find((c) => c.offerings.resources.some((r) => r.uri === uri)) ??
        unprefixed.find((c) => c.offerings.resourceTemplates.some((t) => templateMatches(t.uriTemplate, uri))) ??
        (unprefixed.length === 1 ? unprefixed[0] : undefined);
      if (connection) return { connection, original: uri };
    }
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown resource "${uri}": hub resources look like hub://<server>/<uri>; resources/list shows them`);
  }

  /** completion/complete, routed to the server of the prompt or resource it completes an argument of. */
  async complete(params: CompleteRequest['params'], ctx: CallContext = {}): Promise<CompleteResult> {
    const ref = params.ref;
    if (ref.type === 'ref/prompt') {
      const entry = this.promptsByName.get(ref.name);
      const connection = entry && this.pool.get(entry.server);
      if (!entry || !connection) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown prompt "${ref.name}"; prompts/list shows the available ones`);
      return connection.complete({ ...params, ref: { ...ref, name: entry.originalName } }, ctx);
    }
    const { connection, original } = this.resolveResource(ref.uri);
    return connection.complete({ ...params, ref: { ...ref, uri: original } }, ctx);
  }

  async getPrompt(name: string, args: Record<string, string> | undefined, ctx: CallContext = {}): Promise<GetPromptResult> {
    const entry = this.promptsByName.get(name);
    const connection = entry && this.pool.get(entry.server);
    if (!entry || !connection) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown prompt "${name}"; prompts/list shows the available ones`);
    return connection.getPrompt(entry.originalName, args, ctx);
  }
}

export function filterTools(tools: Tool[], filter: ServerConfig['tools']): Tool[] {
  const include = filter.include?.map(globToRegExp);
  const exclude = filter.exclude?.map(globToRegExp) ?? [];
  return tools.filter((t) => (!include || include.some((re) => re.test(t.name))) && !exclude.some((re) => re.test(t.name)));
}

/**
 * The arguments to send (typed text such as "1" converted when the schema wants a number), or the tool
 * error for arguments that do not match the tool's input schema.
 */
function prepareArguments(entry: CatalogTool, args: Record<string, unknown> | undefined): { args: Record<string, unknown> | undefined } | { error: CallToolResult } {
  const given = args ?? {};
  const checked = checkArguments(entry.tool.inputSchema, given);
  if (!checked.problem) return { args: checked.args === given ? args : checked.args };
  return { error: toolError(`Invalid arguments for ${entry.name}: ${checked.problem}. Fix the arguments to match the tool's input schema (describe_tool shows it).`) };
}

/** What every downstream answer goes through before the client sees it. */
function finishToolResult(connection: DownstreamConnection, result: CallToolResult): CallToolResult {
  // Servers that report failures as plain text get them flagged, so a failure never flows on as data.
  return detectPlainTextError(result, plainTextErrorPatterns(connection.serverInfo?.name)) ? { ...result, isError: true } : result;
}

export function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

function unknownToolMessage(name: string, tools: CatalogTool[]): string {
  const needle = name.toLowerCase().split('__').at(-1) ?? name;
  const close = tools.filter((t) => t.name.toLowerCase().includes(needle)).slice(0, 5).map((t) => t.name);
  return `Unknown tool "${name}".${close.length ? ` Did you mean ${close.join(', ')}?` : ''} Tool names are <server>__<tool>; search_tools finds them.`;
}
