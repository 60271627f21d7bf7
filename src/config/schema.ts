// The shape of orchestrator.config.yaml. Types elsewhere are inferred from these schemas.
import { z } from 'zod';
import { LlmConfigSchema } from './llm.js';
import { MemoryConfigSchema } from './memory.js';
import { OrchestrateConfigSchema } from './orchestrate.js';
import { WorkflowsConfigSchema } from './workflows.js';
import { RerankSchema, RoutingConfigSchema } from './routing.js';

const stringMap = z.record(z.string(), z.string());

export const ToolFilterSchema = z
  .object({
    /** Glob patterns (`*`, `?`) over the server's own tool names; when given, only matching tools are kept. */
    include: z.array(z.string()).optional(),
    exclude: z.array(z.string()).optional(),
    overrides: z.record(z.string(), z.object({ description: z.string().optional() }).strict()).default({}),
  })
  .strict();

export const ServerSchema = z
  .object({
    // stdio (Claude Desktop's keys)
    command: z.string().min(1).optional(),
    /** An npm package whose bin is the server, run with this Node: found wherever npm installed it. */
    package: z.string().min(1).optional(),
    /** With `package`: which of its bins (default: its only or first one). */
    bin: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: stringMap.default({}),
    cwd: z.string().optional(),
    // remote
    url: z.url().optional(),
    headers: stringMap.default({}),
    transport: z.enum(['stdio', 'http', 'sse']).optional(),
    /** Cursor / VS Code spell the transport `type`; accepted so their configs paste as they are. */
    type: z.enum(['stdio', 'http', 'sse', 'streamable-http', 'streamableHttp']).optional(),
    // hub
    description: z.string().optional(),
    /**
     * What goes before its tool and prompt names (`<prefix>__<name>`) and in its resource URIs
     * (`hub://<prefix>/<uri>`): the server's name by default, another word, or false for the server's
     * own names and URIs (a name another server or a hub tool already has is then refused, naming both).
     */
    prefix: z
      .union([
        z.literal(false),
        z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'a prefix uses letters, digits, "-" and "_"')
          .refine((n) => !n.includes('__'), 'a prefix may not contain "__" (it separates prefix and name)'),
      ])
      .optional(),
    enabled: z.boolean().default(true),
    /** Cline's spelling of enabled: false. */
    disabled: z.boolean().optional(),
    /** Per call: a call that runs over is cancelled downstream. */
    timeoutMs: z.number().int().positive().default(60_000),
    /** Connecting and listing at (re)start; kept apart from timeoutMs because starting (npx, a cold API) is often slower than a call. */
    startupTimeoutMs: z.number().int().positive().default(30_000),
    tools: ToolFilterSchema.default({ overrides: {} }),
    /** Calls in flight at once; more wait for a slot (a slow server cannot soak up the hub). */
    maxConcurrent: z.number().int().positive().default(16),
    /** After `failures` consecutive failed calls (crash, timeout, unreachable) calls fail fast for `resetMs`, then one probe call decides. */
    circuitBreaker: z
      .object({ failures: z.number().int().positive().default(5), resetMs: z.number().int().positive().default(30_000) })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.command && !s.package && !s.url) ctx.addIssue({ code: 'custom', message: 'needs either `command` (stdio) or `url` (remote)' });
    if ([s.command, s.package, s.url].filter(Boolean).length > 1) ctx.addIssue({ code: 'custom', message: 'has more than one of `command`, `package` and `url`; keep one' });
    if (s.bin && !s.package) ctx.addIssue({ code: 'custom', path: ['bin'], message: 'goes with `package`' });
    const t = s.transport ?? s.type;
    if ((s.command || s.package) && t && t !== 'stdio') ctx.addIssue({ code: 'custom', path: ['transport'], message: `is "${t}" but the server has a \`command\`` });
    if (s.url && t === 'stdio') ctx.addIssue({ code: 'custom', path: ['transport'], message: 'is "stdio" but the server has a `url`' });
  })
  .transform((s) => {
    const declared = s.transport ?? s.type;
    const transport: 'stdio' | 'http' | 'sse' | 'auto' = s.command || s.package
      ? 'stdio'
      : declared === 'sse'
        ? 'sse'
        : declared
          ? 'http'
          : 'auto';
    const { type: _type, disabled, ...rest } = s;
    return { ...rest, transport, enabled: s.enabled && disabled !== true };
  });

export const ExposeSchema = z
  .object({
    mode: z.enum(['all', 'search', 'auto']).default('auto'),
    maxTools: z.number().int().positive().default(40),
    /** Globs over namespaced tool names (`xero__list-invoices`, `telegram__send_*`): listed beside the meta-tools whatever the mode. */
    pin: z.array(z.string().min(1)).default([]),
    /**
     * Limits of particular clients, keyed by a glob over the name the client gives in initialize
     * (`clientInfo.name`, e.g. `cursor*`); the first matching key applies. A session whose list would hold
     * more than `maxTools` tools (the hub's own included) gets the search mode: meta-tools and pins. Names
     * longer than `maxNameLength` are listed as a deterministic short alias that tools/call and call_tool
     * take. No client has built-in limits (docs/design-notes.md says why).
     */
    clients: z
      .record(
        z.string().min(1),
        z
          .object({
            maxTools: z.number().int().positive().optional(),
            // The alias keeps the name's start and adds `_` and an 8-character hash: 16 leaves 7 of the name.
            maxNameLength: z.number().int().min(16, 'maxNameLength must be at least 16 (an alias is the name cut short plus `_` and an 8-character hash)').optional(),
          })
          .strict(),
      )
      .default({}),
  })
  .strict();

/** One bearer token: who it is (audit, runs) and what it may reach. */
export const TokenSchema = z
  .object({
    name: z.string().min(1).regex(/^[^\s]+$/, 'token names have no spaces (they appear in audit lines and run records)'),
    /** The token itself (give it as ${ENV_VAR}), or its SHA-256 in hex so the config holds no secret. */
    token: z.string().min(16, 'tokens need at least 16 characters').optional(),
    tokenSha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 in hex (64 characters)').optional(),
    /** Glob patterns (`*`, `?`) over namespaced tool names (`xero__list-*`, `clickup__*`, `*`); `server__*` also grants that server's resources and prompts. */
    tools: z.array(z.string().min(1)).default([]),
    /** May use orchestrate, plan_task and the memory tools (plans still only use tools in `tools`). */
    orchestrate: z.boolean().default(false),
    /** May use the workflow tools (a workflow it creates or runs must only use tools in `tools`). */
    workflows: z.boolean().default(false),
    /** Sees and manages every token's workflows and waiting runs, the hub's internals in hub_status, and /metrics. */
    admin: z.boolean().default(false),
    /** Open sessions at once for this token (more: 503); default http.maxSessions / 4, at least 1. */
    maxSessions: z.number().int().positive().optional(),
  })
  .strict()
  .refine((t) => (t.token === undefined) !== (t.tokenSha256 === undefined), 'give exactly one of `token` or `tokenSha256`');

export const HttpSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(3333),
    /** Origins allowed to call /mcp from a browser; requests without Origin (non-browser clients) pass. */
    allowedOrigins: z.array(z.string()).default([]),
    auth: z
      .object({ tokens: z.array(TokenSchema).min(1, 'list at least one token, or remove `auth`') })
      .strict()
      .refine((a) => new Set(a.tokens.map((t) => t.name)).size === a.tokens.length, 'token names must be unique')
      .optional(),
    /** Serving on a non-loopback host without `auth` is refused unless this is true. */
    allowUnauthenticated: z.boolean().default(false),
    /** Largest request body accepted, in bytes (larger: 413 with a JSON-RPC error). */
    maxBodyBytes: z.number().int().positive().default(4 * 1024 * 1024),
    /** Open sessions at once; an initialize beyond it gets 503. */
    maxSessions: z.number().int().positive().default(200),
    /** A session unused this long is closed. */
    sessionIdleMs: z.number().int().positive().default(30 * 60_000),
    /**
     * Requests per second (sustained, with a burst of 2x) per session and per token (per client address
     * without auth); over it: 429 with Retry-After. Generous by default (the proxy benchmark makes ~700
     * calls/s on one session); lower them for an endpoint that others can reach.
     */
    rateLimit: z
      .object({ perSession: z.number().positive().default(1000), perToken: z.number().positive().default(5000) })
      .strict()
      .prefault({}),
    /** Serve Prometheus metrics at /metrics (behind the same bearer tokens when `auth` is set). */
    metrics: z.boolean().default(true),
  })
  .strict();

export const AuditSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** JSON lines, relative to dataDir unless absolute. */
    file: z.string().default('audit.jsonl'),
    /** Rotated (audit.jsonl -> audit.jsonl.1 ...) when it would grow past this. */
    maxBytes: z.number().int().positive().default(10 * 1024 * 1024),
    maxFiles: z.number().int().min(1).default(5),
  })
  .strict();

const serverName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'server names use letters, digits, "-" and "_" (they prefix tool names)')
  .refine((n) => !n.includes('__'), 'server names may not contain "__" (it separates server and tool)');

export const ConfigSchema = z
  .object({
    servers: z.record(serverName, ServerSchema).default({}),
    expose: ExposeSchema.prefault({}),
    // `rerank` is a setting of tool search applied by the server layer, not by the index (src/routing/rerank.ts).
    routing: RoutingConfigSchema.extend({ rerank: RerankSchema.prefault({}) }).prefault({}),
    llm: LlmConfigSchema.prefault({}),
    orchestrate: OrchestrateConfigSchema.prefault({}),
    memory: MemoryConfigSchema.prefault({}),
    workflows: WorkflowsConfigSchema.default({}),
    http: HttpSchema.prefault({}),
    audit: AuditSchema.prefault({}),
    /** On SIGINT/SIGTERM, how long in-flight calls may take to finish before the hub exits anyway. */
    shutdownGraceMs: z.number().int().min(0).default(10_000),
    dataDir: z.string().default('./.orchestrator'),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Two servers under one prefix would merge their names: the second would shadow the first.
    const owner = new Map<string, string>();
    for (const [name, entry] of Object.entries(c.servers)) {
      const prefix = serverPrefix(name, entry);
      if (prefix === undefined) continue;
      const other = owner.get(prefix);
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['servers', name, 'prefix'],
          message: `gives prefix "${prefix}", which server "${other}" already has; set servers.${name}.prefix to another word`,
        });
      } else owner.set(prefix, name);
    }
  });

/** The prefix of a server's names and URIs: its `prefix`, else its name; undefined with `prefix: false`. */
export function serverPrefix(name: string, entry: { prefix?: string | false }): string | undefined {
  return entry.prefix === false ? undefined : (entry.prefix ?? name);
}

export type ServerConfig = z.output<typeof ServerSchema>;
export type Config = z.output<typeof ConfigSchema>;
export type HttpConfig = z.output<typeof HttpSchema>;
export type TokenConfig = z.output<typeof TokenSchema>;
export type AuditConfig = z.output<typeof AuditSchema>;
export type ExposeConfig = z.output<typeof ExposeSchema>;
export type ClientLimits = ExposeConfig['clients'][string];
