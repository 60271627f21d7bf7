// The shape of orchestrator.config.yaml. Types elsewhere are inferred from these schemas.
import { z } from 'zod';
import { LlmConfigSchema } from './llm.js';
import { MemoryConfigSchema } from './memory.js';
import { OrchestrateConfigSchema } from './orchestrate.js';
import { WorkflowsConfigSchema } from './workflows.js';
import { RoutingConfigSchema } from './routing.js';

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
    enabled: z.boolean().default(true),
    /** Cline's spelling of enabled: false. */
    disabled: z.boolean().optional(),
    /** Per call: a call that runs over is cancelled downstream. */
    timeoutMs: z.number().int().positive().default(60_000),
    /** Connecting and listing at (re)start; kept apart from timeoutMs because starting (npx, a cold API) is often slower than a call. */
    startupTimeoutMs: z.number().int().positive().default(30_000),
    tools: ToolFilterSchema.default({ overrides: {} }),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.command && !s.url) ctx.addIssue({ code: 'custom', message: 'needs either `command` (stdio) or `url` (remote)' });
    if (s.command && s.url) ctx.addIssue({ code: 'custom', message: 'has both `command` and `url`; keep one' });
    const t = s.transport ?? s.type;
    if (s.command && t && t !== 'stdio') ctx.addIssue({ code: 'custom', path: ['transport'], message: `is "${t}" but the server has a \`command\`` });
    if (s.url && t === 'stdio') ctx.addIssue({ code: 'custom', path: ['transport'], message: 'is "stdio" but the server has a `url`' });
  })
  .transform((s) => {
    const declared = s.transport ?? s.type;
    const transport: 'stdio' | 'http' | 'sse' | 'auto' = s.command
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
  })
  .strict();

export const HttpSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(3333),
    /** Origins allowed to call /mcp from a browser; requests without Origin (non-browser clients) pass. */
    allowedOrigins: z.array(z.string()).default([]),
    auth: z.unknown().optional(),
  })
  .strict();

const serverName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'server names use letters, digits, "-" and "_" (they prefix tool names)')
  .refine((n) => !n.includes('__'), 'server names may not contain "__" (it separates server and tool)');

export const ConfigSchema = z
  .object({
    servers: z.record(serverName, ServerSchema).default({}),
    expose: ExposeSchema.default({ mode: 'auto', maxTools: 40 }),
    routing: RoutingConfigSchema.prefault({}),
    llm: LlmConfigSchema.prefault({}),
    orchestrate: OrchestrateConfigSchema.prefault({}),
    memory: MemoryConfigSchema.prefault({}),
    workflows: WorkflowsConfigSchema.default({}),
    http: HttpSchema.default({ host: '127.0.0.1', port: 3333, allowedOrigins: [] }),
    dataDir: z.string().default('./.orchestrator'),
  })
  .strict();

export type ServerConfig = z.output<typeof ServerSchema>;
export type Config = z.output<typeof ConfigSchema>;
export type HttpConfig = z.output<typeof HttpSchema>;
export type ExposeConfig = z.output<typeof ExposeSchema>;
