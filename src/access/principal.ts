// Who is acting. Every call, run, workflow and remembered plan carries a Principal: an HTTP token's
// name, scope and rights, or the machine's local user (stdio, the CLI, the config file), who may do
// everything. A Principal is rebuilt from its stored form (PrincipalRef) wherever a run outlives the
// request that started it (workflows, runs waiting for approval, remembered plans).
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The stored form of a principal: plain data, kept with workflows, run records and memory entries. */
export const PrincipalRefSchema = z.object({
  /** Token name; "stdio", "cli", "http" (loopback without auth) or "config" for the local user. */
  name: z.string(),
  /** The local user (no token): every right. */
  local: z.boolean(),
  /** Globs over namespaced tool names. */
  tools: z.array(z.string()),
  orchestrate: z.boolean(),
  workflows: z.boolean(),
  /** Sees and changes every principal's workflows and runs. */
  admin: z.boolean(),
});
export type PrincipalRef = z.output<typeof PrincipalRefSchema>;

export interface Principal extends PrincipalRef {
  allowsTool(name: string): boolean;
  /** Resources, prompts, logs and status of a server: only with every name under its prefix (`<prefix>__*`) in scope. */
  allowsServer(prefix: string): boolean;
  /** Every tool (`*`). */
  allTools: boolean;
  /** Name and scope in one string: runs and plans are shared only between equal keys. */
  key: string;
  ref(): PrincipalRef;
}

/** Shell-style glob over names: `*` any run of characters, `?` one. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

export function makePrincipal(ref: PrincipalRef): Principal {
  const tools = ref.local ? ['*'] : [...ref.tools];
  const patterns = tools.map(globToRegExp);
  // Whole servers granted (`server__*` or `*`), for what has no tool name: resources, prompts, logs, status.
  const servers = tools.filter((g) => g === '*' || g.endsWith('__*')).map((g) => (g === '*' ? /^.*$/ : globToRegExp(g.slice(0, -3))));
  const stored: PrincipalRef = {
    name: ref.name,
    local: ref.local,
    tools,
    orchestrate: ref.local || ref.orchestrate,
    workflows: ref.local || ref.workflows,
    admin: ref.local || ref.admin,
  };
  const key = ref.local
    ? 'local'
    : `token:${ref.name}:${createHash('sha256')
        .update(JSON.stringify([[...tools].sort(), stored.orchestrate, stored.workflows, stored.admin]))
        .digest('hex')
        .slice(0, 16)}`;
  return {
    ...stored,
    allTools: tools.includes('*'),
    allowsTool: (name) => patterns.some((re) => re.test(name)),
    allowsServer: (server) => servers.some((re) => re.test(server)),
    key,
    ref: () => ({ ...stored, tools: [...stored.tools] }),
  };
}

/** The machine's user: stdio, the CLI, workflows written in the config file. */
export function localPrincipal(name: 'stdio' | 'cli' | 'http' | 'config' | string): Principal {
  return makePrincipal({ name, local: true, tools: ['*'], orchestrate: true, workflows: true, admin: true });
}

/**
 * The rights a stored principal still has now: its own, narrowed by its token's current entry
 * (`current`, from today's config). A token that no longer exists has no rights: undefined.
 */
export function currentRights(stored: PrincipalRef, current: ((name: string) => PrincipalRef | undefined) | undefined): Principal | undefined {
  if (stored.local) return makePrincipal(stored);
  const now = current?.(stored.name);
  if (!now) return undefined;
  const storedP = makePrincipal(stored);
  const nowP = makePrincipal(now);
  return {
    ...storedP,
    orchestrate: storedP.orchestrate && nowP.orchestrate,
    workflows: storedP.workflows && nowP.workflows,
    admin: storedP.admin && nowP.admin,
    allTools: storedP.allTools && nowP.allTools,
    allowsTool: (name) => storedP.allowsTool(name) && nowP.allowsTool(name),
    allowsServer: (server) => storedP.allowsServer(server) && nowP.allowsServer(server),
  };
}
