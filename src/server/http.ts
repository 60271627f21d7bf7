// Streamable HTTP for the hub, on Hono: /mcp for MCP clients of both revisions, /api/v1 (the REST API,
// src/api) and /ui (the console's static files) for people, /health for probes (up or down, nothing else:
// it needs no token), /metrics for Prometheus (admin tokens only). /mcp and /api/v1 pass the same edge. In front of /mcp,
// as small middlewares in this order: Host and Origin checks (DNS-rebinding protection, as the MCP spec
// asks), bearer-token authentication, rate limits, body size, nesting depth and JSON parsing. Then the
// revision decides: a 2025-11-25 client (initialize, Mcp-Session-Id) gets a session of its own, within
// session limits (in all and per token); a 2026-07-28 request is served on its own by the SDK's handler,
// as the token's principal. Every refusal is a JSON-RPC error with a fitting HTTP status; nothing a client
// sends can throw past the app. Config edits re-authenticate: the token set is rebuilt, and sessions whose
// token is gone or whose rights changed are closed.
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { serve, type HttpBindings } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { WebStandardStreamableHTTPServerTransport, createMcpHandler, isInitializeRequest, isLegacyRequest, type AuthInfo } from '@modelcontextprotocol/server';
import type { HttpConfig, TokenConfig } from '../config/schema.js';
import type { LoadedConfig } from '../config/load.js';
import { localPrincipal, type Principal } from '../access/principal.js';
import { seesInternals } from '../access/policy.js';
import type { Logger } from '../log/logger.js';
import type { HubStatus } from '../status.js';
import { Authenticator, LOOPBACK_HOSTS, tokenPrincipal, unsafeBinding } from './auth.js';
import { RateLimiter } from './limits.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-limits.js';
import { installLastResort } from './last-resort.js';
import type { ListChange, Session } from './upstream.js';
import { apiRoutes, type ApiHost } from '../api/routes.js';
import { problem } from '../api/problem.js';

export interface SessionHost {
  newSession(principal: Principal, options?: { perRequest?: boolean }): Session;
  /** Changes that 2026-07-28 clients hear of on their subscriptions/listen streams. */
  onListChanged?(listener: (change: ListChange) => void): void;
  /** Config edits applied by the hub: the token set is rebuilt from each. */
  onReload?(listener: (next: LoadedConfig) => void): void;
  status(): HubStatus;
  /** Prometheus text exposition, when the host keeps metrics. */
  metrics?: { render(): Promise<{ contentType: string; body: string }>; refused(reason: string): void };
  /** What the REST API serves (the hub); without it there is no /api/v1. */
  api?: ApiHost;
}

/** The console's built files (vite build into dist/ui), next to this module's dist/src/server. */
export const CONSOLE_DIR = path.resolve(import.meta.dirname, '../../ui');

export interface HttpHandle {
  url: string;
  /** The console's address, when its files are built. */
  consoleUrl?: string;
  server: http.Server;
  /** Refuses new requests and connections (graceful shutdown); open calls go on. */
  stopAccepting(): void;
  close(): Promise<void>;
}

export type HttpSettings = Pick<HttpConfig, 'host' | 'port' | 'allowedOrigins'> & Partial<HttpConfig>;

interface OpenSession {
  transport: WebStandardStreamableHTTPServerTransport;
  session: Session;
  /** The token that opened it (undefined without auth). */
  tokenName?: string;
  /** Its principal's key (name and rights): every later request must authenticate to the same one. */
  key: string;
  lastSeen: number;
}

/** The local user, for requests without auth (loopback, or a gateway in front that authenticates). */
const LOCAL = localPrincipal('http');

const DEFAULTS = { maxBodyBytes: 4 * 1024 * 1024, maxSessions: 200, sessionIdleMs: 30 * 60_000, perSession: 1000, perToken: 5000 };

/** What a config edit can change without rebinding: tokens, body and session limits, /metrics. */
interface EdgeSettings {
  auth?: Authenticator;
  /** Open sessions allowed per token name. */
  quotas: Map<string, number>;
  maxBodyBytes: number;
  maxSessions: number;
  metrics: boolean;
  allowedOrigins: string[];
}

function edgeSettings(config: Partial<HttpConfig>, previous?: EdgeSettings): EdgeSettings {
  const maxSessions = config.maxSessions ?? DEFAULTS.maxSessions;
  // One token must not take every session: by default a quarter of them each.
  const quota = (t: TokenConfig) => t.maxSessions ?? Math.max(1, Math.floor(maxSessions / 4));
  const tokens = config.auth?.tokens ?? [];
  return {
    auth: config.auth ? new Authenticator(tokens) : undefined,
    quotas: new Map(tokens.map((t) => [t.name, quota(t)])),
    maxBodyBytes: config.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    maxSessions,
    metrics: config.metrics !== false,
    allowedOrigins: config.allowedOrigins ?? previous?.allowedOrigins ?? [],
  };
}

/** What the middlewares hand on: who the client is, and its parsed body. */
type Env = { Bindings: HttpBindings; Variables: { principal?: Principal; body?: unknown } };

export async function serveHttp(host: SessionHost, config: HttpSettings, log: Logger): Promise<HttpHandle> {
  const unsafe = unsafeBinding({ host: config.host, auth: config.auth, allowUnauthenticated: config.allowUnauthenticated ?? false });
  if (unsafe) throw new Error(unsafe);
  installLastResort();
  let settings = edgeSettings(config);
  const idleMs = config.sessionIdleMs ?? DEFAULTS.sessionIdleMs;
  const perSession = new RateLimiter(config.rateLimit?.perSession ?? DEFAULTS.perSession);
  const perClient = new RateLimiter(config.rateLimit?.perToken ?? DEFAULTS.perToken);
  const sessions = new Map<string, OpenSession>();
  /** Sessions being initialized, per token name: counted against the quota before they are in `sessions`. */
  const opening = new Map<string, number>();
  const loopback = LOOPBACK_HOSTS.has(config.host);
  let accepting = true;

  // The same refusal for /mcp (a JSON-RPC error) and /api (a problem document).
  const refuse = (c: Context, reason: string, status: number, code: number, message: string, headers: Record<string, string> = {}): Response => {
    host.metrics?.refused(reason);
    if (c.req.path.startsWith('/api/')) return problem(status, message, headers);
    return c.json({ jsonrpc: '2.0', error: { code, message }, id: null }, status as never, headers);
  };

  // 2026-07-28: each request is served on its own, by a session made for it as the token's principal.
  const modern = createMcpHandler((rc) => host.newSession(principalOf(rc.authInfo), { perRequest: true }).server, {
    legacy: 'reject',
    onerror: (err) => log.debug('MCP request failed', { error: err.message }),
  });
  host.onListChanged?.((change) => {
    if ('uri' in change) modern.notify.resourceUpdated(change.uri);
    else if (change.kind === 'tools') modern.notify.toolsChanged();
    else if (change.kind === 'prompts') modern.notify.promptsChanged();
    else modern.notify.resourcesChanged();
  });

  const app = new Hono<Env>();

  // Anyone may ask whether the hub is up; what it serves and to how many is not theirs to know.
  app.get('/health', (c) => c.json({ status: accepting ? 'ok' : 'down' }, accepting ? 200 : 503));

  const open: MiddlewareHandler<Env> = async (c, next) => {
    if (!accepting) return refuse(c, 'shutdown', 503, -32000, 'The hub is shutting down', { 'retry-after': '5', connection: 'close' });
    await next();
  };

  // DNS-rebinding protection: a foreign Origin, or a foreign Host on a loopback binding, is refused.
  const sameSite: MiddlewareHandler<Env> = async (c, next) => {
    const origin = c.req.header('origin');
    if (origin && !originAllowed(origin, settings.allowedOrigins)) {
      log.warn('refused a request from a foreign Origin', { origin });
      return refuse(c, 'origin', 403, -32000, `Origin ${origin} is not allowed; add it to http.allowedOrigins`);
    }
    const hostName = (c.req.header('host') ?? '').replace(/:\d+$/, '');
    if (loopback && !LOOPBACK_HOSTS.has(hostName)) return refuse(c, 'host', 403, -32000, `Host ${hostName} is not allowed for a hub bound to loopback`);
    await next();
  };

  const authenticate: MiddlewareHandler<Env> = async (c, next) => {
    const { auth } = settings;
    if (auth) {
      const principal = auth.authenticate(c.req.header('authorization'));
      if (!principal) {
        log.warn('refused a request without a valid bearer token', { path: c.req.path, address: c.env.incoming.socket.remoteAddress });
        return refuse(c, 'auth', 401, -32001, 'Unauthorized: send Authorization: Bearer <token> with a token from http.auth.tokens', {
          'www-authenticate': 'Bearer realm="mcp-orchestrator"',
        });
      }
      c.set('principal', principal);
    }
    await next();
  };

  const rateLimit: MiddlewareHandler<Env> = async (c, next) => {
    const principal = c.get('principal');
    const clientKey = principal ? `token:${principal.name}` : `addr:${c.env.incoming.socket.remoteAddress ?? '?'}`;
    const sessionId = c.req.header('mcp-session-id');
    const known = sessionId !== undefined && sessions.has(sessionId);
    const wait = Math.max(perClient.take(clientKey), known ? perSession.take(sessionId) : 0);
    if (wait > 0) {
      return refuse(c, 'rate', 429, -32000, `Too many requests: over the rate limit for this ${known ? 'session or ' : ''}${principal ? 'token' : 'client'}; retry after ${wait} s`, {
        'retry-after': String(wait),
      });
    }
    await next();
  };

  // Body size (a kept middleware, checked per request: an edit may change the limit), nesting depth, JSON.
  const readBody: MiddlewareHandler<Env> = async (c, next) => {
    if (c.req.method !== 'POST') return next();
    // A REST call without a body (pause, cancel) is fine; an MCP POST must carry a message.
    if (c.req.path.startsWith('/api/') && c.req.header('content-length') === '0') return next();
    const limit = settings.maxBodyBytes;
    const tooLarge = (cx: Context) => refuse(cx, 'size', 413, -32600, `Request body exceeds ${limit} bytes (http.maxBodyBytes)`, { connection: 'close' });
    if (Number(c.req.header('content-length') ?? 0) > limit) return tooLarge(c);
    return bodyLimit({ maxSize: limit, onError: tooLarge })(c, async () => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      if (nestsDeeperThan(raw)) {
        c.res = refuse(c, 'malformed', 400, -32600, `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
        return;
      }
      try {
        c.set('body', JSON.parse(Buffer.from(raw).toString('utf8')));
      } catch {
        c.res = refuse(c, 'malformed', 400, -32700, 'Parse error: the body is not valid JSON');
        return;
      }
      await next();
    });
  };

  app.get('/metrics', open, sameSite, authenticate, async (c) => {
    if (!host.metrics || !settings.metrics) return c.json({ error: 'not found; the MCP endpoint is /mcp' }, 404);
    // Metrics name every server and tool and count every token's calls: admin tokens only.
    const principal = c.get('principal');
    if (principal && !seesInternals(principal)) {
      return refuse(c, 'metrics', 403, -32001, `Forbidden: /metrics needs an admin token (http.auth.tokens[].admin); token "${principal.name}" is not one`);
    }
    const { contentType, body } = await host.metrics.render();
    return c.body(body, 200, { 'content-type': contentType });
  });

  app.all('/mcp', open, sameSite, authenticate, rateLimit, readBody, async (c) => {
    const principal = c.get('principal') ?? LOCAL;
    const body = c.get('body');
    const request = c.req.raw;
    if (!(await isLegacyRequest(request, body))) return modern.fetch(request, { parsedBody: body, authInfo: authInfoOf(principal) });
    return legacy(c, principal, body);
  });

  if (host.api) {
    app.use('/api/v1/*', open, sameSite, authenticate, rateLimit, readBody);
    app.route('/api/v1', apiRoutes(host.api, LOCAL));
  }
  // The console: static files; any other path under /ui is the app's own route (index.html). It holds no
  // data: everything comes from /api/v1 with the token the user pastes.
  const consoleBuilt = existsSync(path.join(CONSOLE_DIR, 'index.html'));
  if (consoleBuilt) {
    app.get('/ui', (c) => c.redirect('/ui/'));
    app.use('/ui/*', sameSite, serveStatic({ root: path.relative(process.cwd(), CONSOLE_DIR), rewriteRequestPath: (p) => p.replace(/^\/ui/, '') }));
    app.get('/ui/*', sameSite, serveStatic({ root: path.relative(process.cwd(), CONSOLE_DIR), path: 'index.html' }));
  }

  app.notFound((c) => c.json({ error: 'not found; the MCP endpoint is /mcp' }, 404));
  app.onError((err, c) => {
    log.error('HTTP request failed', { error: err.message });
    return c.json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }, 500);
  });

  /** 2025-11-25: a session per client, opened by initialize and named by Mcp-Session-Id after. */
  async function legacy(c: Context<Env>, principal: Principal, body: unknown): Promise<Response> {
    const sessionId = c.req.header('mcp-session-id');
    if (sessionId !== undefined) {
      // An unknown session and another token's session read alike: neither reveals that the id exists.
      // After a config edit the same token may stand for other rights: the key covers name and rights.
      const open = sessions.get(sessionId);
      if (!open || open.key !== principal.key) return refuse(c, 'session', 404, -32001, 'Session not found; initialize a new session');
      open.lastSeen = Date.now();
      return open.transport.handleRequest(c.req.raw, { parsedBody: body });
    }
    if (c.req.method !== 'POST' || !isInitializeRequest(body)) {
      return refuse(c, 'malformed', 400, -32000, 'Bad request: send an initialize request first, or the Mcp-Session-Id header of an open session');
    }
    const { maxSessions } = settings;
    const pendingAll = [...opening.values()].reduce((a, b) => a + b, 0);
    if (sessions.size + pendingAll >= maxSessions) {
      return refuse(c, 'sessions', 503, -32000, `Too many open sessions (http.maxSessions: ${maxSessions}); retry later or close unused sessions`, { 'retry-after': '5' });
    }
    const tokenName = principal === LOCAL ? undefined : principal.name;
    if (tokenName !== undefined) {
      const quota = settings.quotas.get(tokenName) ?? 1;
      const mine = [...sessions.values()].filter((s) => s.tokenName === tokenName).length + (opening.get(tokenName) ?? 0);
      if (mine >= quota) {
        return refuse(c, 'token-sessions', 503, -32000, `Too many open sessions for token "${tokenName}" (http.auth.tokens[].maxSessions: ${quota}); retry later or close unused sessions`, { 'retry-after': '5' });
      }
    }
    // Counted as opening until it is in `sessions` (or failed): concurrent initializes cannot pass the quota.
    const name = tokenName ?? '';
    opening.set(name, (opening.get(name) ?? 0) + 1);
    let counted = true;
    const opened = () => {
      if (!counted) return;
      counted = false;
      const left = (opening.get(name) ?? 1) - 1;
      if (left > 0) opening.set(name, left);
      else opening.delete(name);
    };
    const session = host.newSession(principal);
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, session, tokenName, key: principal.key, lastSeen: Date.now() });
        opened();
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) {
        sessions.delete(transport.sessionId);
        perSession.forget(transport.sessionId);
      }
    };
    try {
      await session.server.connect(transport);
      return await transport.handleRequest(c.req.raw, { parsedBody: body });
    } finally {
      opened();
    }
  }

  // A config edit re-authenticates: new requests meet the new token set at once, and open sessions
  // whose token is gone or whose rights changed are closed (their next request gets 401 or 404).
  host.onReload?.((next) => {
    const http = next.config.http;
    // Host and port stay as bound; an edit that would leave this binding open to anyone is refused.
    const unsafeNow = unsafeBinding({ host: config.host, auth: http.auth, allowUnauthenticated: http.allowUnauthenticated });
    if (unsafeNow) {
      log.error('config edit ignored for the HTTP endpoint; keeping its tokens', { reason: unsafeNow });
      return;
    }
    settings = edgeSettings(http, settings);
    const now = new Map((http.auth?.tokens ?? []).map((t) => [t.name, tokenPrincipal(t).key]));
    for (const [id, s] of sessions) {
      const key = s.tokenName === undefined ? (http.auth ? undefined : LOCAL.key) : now.get(s.tokenName);
      if (key === s.key) continue;
      log.info('closing a session: its token was removed or its rights changed', { session: id, client: s.tokenName ?? 'http' });
      sessions.delete(id);
      perSession.forget(id);
      void s.session.close().catch(() => undefined);
    }
  });

  // Idle sessions are closed; full rate buckets are forgotten.
  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const [id, s] of sessions) {
        if (now - Math.max(s.lastSeen, s.session.lastActive) < idleMs) continue;
        log.info('closing an idle session', { session: id, client: s.tokenName ?? 'http', idleMs });
        sessions.delete(id);
        void s.transport.close().catch(() => undefined);
      }
      perSession.sweep(now);
      perClient.sweep(now);
    },
    Math.min(Math.max(idleMs / 4, 50), 60_000),
  );
  sweeper.unref();

  const server = await new Promise<http.Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s as http.Server)) as http.Server;
    s.once('error', reject);
  });
  // A client that sends a broken request line or headers gets a 400 from Node; it must never reach 'error'.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/mcp`,
    ...(consoleBuilt ? { consoleUrl: `http://${shownHost}:${address.port}/ui/` } : {}),
    server,
    stopAccepting() {
      accepting = false;
      server.close();
      server.closeIdleConnections();
    },
    async close() {
      accepting = false;
      clearInterval(sweeper);
      await Promise.all([...sessions.values()].map((s) => s.transport.close().catch(() => undefined)));
      await modern.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The principal travels to the per-request session through the SDK's authInfo. */
function authInfoOf(principal: Principal): AuthInfo {
  return { token: '', clientId: principal.name, scopes: [], extra: { principal } };
}

function principalOf(authInfo: AuthInfo | undefined): Principal {
  const principal = authInfo?.extra?.principal as Principal | undefined;
  // Every request reaches the handler through /mcp, which sets it: one without is never served as anyone.
  if (!principal) throw new Error('a 2026-07-28 request reached the MCP handler without a principal');
  return principal;
}

function originAllowed(origin: string, allowed: string[]): boolean {
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    // Local tools (the MCP Inspector, a local web UI) are allowed by default.
    return LOOPBACK_HOSTS.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}
