// Bearer-token authentication for the HTTP endpoint and the scope each token grants. Tokens are
// compared by SHA-256 digest in constant time, so a config may hold the digest instead of the secret.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpConfig, TokenConfig } from '../config/schema.js';
import type { AccessScope } from '../downstream/connection.js';
import { globToRegExp } from '../catalog/naming.js';
import { registerSecret } from '../log/redact.js';

export const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function scopeOf(token: TokenConfig): AccessScope {
  const patterns = token.tools.map(globToRegExp);
  // Whole servers granted (`server__*` or `*`), for resources and prompts, which have no tool name.
  const servers = token.tools.filter((g) => g === '*' || g.endsWith('__*')).map((g) => (g === '*' ? /^.*$/ : globToRegExp(g.slice(0, -3))));
  return {
    name: token.name,
    allowsTool: (name) => patterns.some((re) => re.test(name)),
    allowsServer: (server) => servers.some((re) => re.test(server)),
    orchestrate: token.orchestrate,
    workflows: token.workflows,
    allTools: token.tools.includes('*'),
  };
}

export class Authenticator {
  private readonly entries: Array<{ digest: Buffer; scope: AccessScope }>;

  constructor(tokens: TokenConfig[]) {
    this.entries = tokens.map((t) => {
      registerSecret(t.token);
      return { digest: t.token !== undefined ? sha256(t.token) : Buffer.from(t.tokenSha256!, 'hex'), scope: scopeOf(t) };
    });
  }

  /** The scope of the token in an Authorization header, or undefined when it is missing or unknown. */
  authenticate(header: string | undefined): AccessScope | undefined {
    const match = header && /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return undefined;
    const digest = sha256(match[1]);
    let found: AccessScope | undefined;
    // Every entry is compared, so the time taken says nothing about which one matched.
    for (const e of this.entries) if (timingSafeEqual(e.digest, digest)) found = e.scope;
    return found;
  }
}

/** Why the hub must not serve this config, or undefined when it may. */
export function unsafeBinding(config: Pick<HttpConfig, 'host' | 'auth' | 'allowUnauthenticated'>): string | undefined {
  if (config.auth || config.allowUnauthenticated || LOOPBACK_HOSTS.has(config.host)) return undefined;
  return (
    `refusing to serve HTTP on ${config.host} without authentication: anyone who can reach that address could call every tool of every app. ` +
    'Add http.auth.tokens (see README, "Security"), bind to 127.0.0.1, or set http.allowUnauthenticated: true if a gateway in front authenticates.'
  );
}

/** The refusal text for a tool outside a scope; the same whether the tool exists or not, so it reveals nothing. */
export function outOfScope(scope: AccessScope, name: string): string {
  return `Tool "${name}" is not available to token "${scope.name}" (outside its scope); ask the hub's operator to extend http.auth.tokens[].tools.`;
}

/** Meta-tools a scope may use: search, describe, call and status always (their results are scoped); the rest by flag. */
export function allowsMetaTool(scope: AccessScope | undefined, name: string): boolean {
  if (!scope) return true;
  if (name === 'orchestrate' || name === 'plan_task') return scope.orchestrate;
  if (name.startsWith('memory_')) return scope.orchestrate && scope.allTools;
  if (name.endsWith('_workflow') || name.endsWith('_workflows')) return scope.workflows;
  return true;
}
