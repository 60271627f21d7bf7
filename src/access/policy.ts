// The one access policy. Every path asks here: tool calls (direct, call_tool, plan steps, workflow
// runs), meta-tools (each declares what it needs; an undeclared one is refused), what a principal may
// see of status, logs and hints, and who may change a workflow or approve a run.
import type { CallContext } from './caller.js';
import type { Principal } from './principal.js';

/** What a meta-tool needs beyond a valid principal. */
export type Need = 'any' | 'orchestrate' | 'workflows' | 'memory' | 'admin';

export const NEEDS_TEXT: Record<Need, string> = {
  any: '',
  orchestrate: 'orchestrate: true',
  workflows: 'workflows: true',
  memory: 'orchestrate: true',
  admin: 'admin: true',
};

export function principalOf(ctx: CallContext | undefined): Principal | undefined {
  return ctx?.caller?.principal;
}

export function allowsNeed(principal: Principal | undefined, need: Need | undefined): boolean {
  if (!principal || need === undefined) return false;
  switch (need) {
    case 'any':
      return true;
    case 'orchestrate':
    case 'memory':
      return principal.orchestrate;
    case 'workflows':
      return principal.workflows;
    case 'admin':
      return principal.admin;
    default:
      return false;
  }
}

/** Whether a meta-tool declaring `need` is open to this principal. */
export function allowsMetaTool(principal: Principal | undefined, tool: { name: string; needs?: Need }): boolean {
  return allowsNeed(principal, tool.needs);
}

export function metaToolRefusal(principal: Principal | undefined, tool: { name: string; needs?: Need }): string {
  if (!principal) return `${tool.name} was refused: the call carries no principal.`;
  if (tool.needs === undefined) return `${tool.name} was refused: it declares no access need.`;
  return `${tool.name} is not available to token "${principal.name}": it needs ${NEEDS_TEXT[tool.needs]} in http.auth.tokens.`;
}

export function allowsTool(principal: Principal | undefined, name: string): boolean {
  return principal !== undefined && principal.allowsTool(name);
}

/** The refusal text for a tool outside a scope; the same whether the tool exists or not, so it reveals nothing. */
export function outOfScope(principal: Principal | undefined, name: string): string {
  if (!principal) return `Tool "${name}" was refused: the call carries no principal.`;
  return `Tool "${name}" is not available to token "${principal.name}" (outside its scope); ask the hub's operator to extend http.auth.tokens[].tools.`;
}

/**
 * Whether a principal may see what a server says outside a call (log messages, status, stderr, resources,
 * prompts): it needs every name under the server's prefix (`<prefix>__*`), or `*` for a server without one.
 */
export function seesServer(principal: Principal | undefined, prefix: string | undefined): boolean {
  return principal !== undefined && (prefix === undefined ? principal.allTools : principal.allowsServer(prefix));
}

/** Whether `principal` may see or change something owned by `owner` (a workflow, a run). */
export function mayActFor(principal: Principal | undefined, owner: { name: string; local: boolean } | undefined): boolean {
  if (!principal) return false;
  if (principal.admin) return true;
  if (!owner) return false;
  return !owner.local && !principal.local && owner.name === principal.name;
}

/** Whether a principal sees the hub's internals (addresses, endpoints, stderr, every server): admins and the local user. */
export function seesInternals(principal: Principal | undefined): boolean {
  return principal?.admin === true;
}
