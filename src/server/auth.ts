// Bearer-token authentication for the HTTP endpoint and the scope each token grants. Tokens are
// compared by SHA-256 digest in constant time, so a config may hold the digest instead of the secret.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpConfig, TokenConfig } from '../config/schema.js';
import { makePrincipal, type Principal } from '../access/principal.js';
import { registerSecret } from '../log/redact.js';

export const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The principal an HTTP token stands for. */
export function tokenPrincipal(token: TokenConfig): Principal {
  return makePrincipal({ name: token.name, local: false, tools: token.tools, orchestrate: token.orchestrate, workflows: token.workflows, admin: token.admin });
}

export class Authenticator {
  private readonly entries: Array<{ digest: Buffer; principal: Principal }>;

  constructor(tokens: TokenConfig[]) {
    this.entries = tokens.map((t) => {
      registerSecret(t.token);
      return { digest: t.token !== undefined ? sha256(t.token) : Buffer.from(t.tokenSha256!, 'hex'), principal: tokenPrincipal(t) };
    });
  }

  /** The principal of the token in an Authorization header, or undefined when it is missing or unknown. */
  authenticate(header: string | undefined): Principal | undefined {
    const match = header && /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return undefined;
    const digest = sha256(match[1]);
    let found: Principal | undefined;
    // Every entry is compared, so the time taken says nothing about which one matched.
    for (const e of this.entries) if (timingSafeEqual(e.digest, digest)) found = e.principal;
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
