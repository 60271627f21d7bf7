// Streamable HTTP transport for the hub: /mcp with one session per client, /health for probes (up or
// down, nothing else: it needs no token), /metrics for Prometheus (admin tokens only). In front of the
// MCP transport, in this order: Host and Origin checks (DNS-rebinding protection, as the MCP spec asks),
// bearer-token authentication, rate limits, body size and nesting depth, JSON parsing, session limits
// (in all and per token). Every refusal is a JSON-RPC error with a fitting HTTP status; nothing a client
// sends can throw past handle(). Config edits re-authenticate: the token set is rebuilt, and sessions
// whose token is gone or whose rights changed are closed.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
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
import type { Session } from './upstream.js';

export interface SessionHost {
  newSession(principal: Principal): Session;
  /** Config edits applied by the hub: the token set is rebuilt from each. */
  onReload?(listener: (next: LoadedConfig) => void): void;
  status(): HubStatus;
  /** Prometheus text exposition, when the host keeps metrics. */
  metrics?: { render(): Promise<{ contentType: string; body: string }>; refused(reason: string): void };
}

export interface HttpHandle {
  url: string;
  server: http.Server;
  /** Refuses new requests and connections (graceful shutdown); open calls go on. */
  stopAccepting(): void;
  close(): Promise<void>;
}

export type HttpSettings = Pick<HttpConfig, 'host' | 'port' | 'allowedOrigins'> & Partial<HttpConfig>;

interface OpenSession {
  transport: StreamableHTTPServerTransport;
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

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      log.error('HTTP request failed', { error: (err as Error).message });
      if (!res.headersSent) rpcError(res, 500, -32603, 'Internal error');
      else res.end();
    });
  });
  // A client that sends a broken request line or headers gets a 400 from Node; it must never reach 'error'.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  function refuse(res: http.ServerResponse, reason: string, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
    host.metrics?.refused(reason);
    rpcError(res, status, code, message, headers);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    // Anyone may ask whether the hub is up; what it serves and to how many is not theirs to know.
    if (url.pathname === '/health' && req.method === 'GET') return json(res, accepting ? 200 : 503, { status: accepting ? 'ok' : 'down' });
    if (!accepting) return refuse(res, 'shutdown', 503, -32000, 'The hub is shutting down', { 'retry-after': '5', connection: 'close' });
    const { auth, maxBodyBytes, maxSessions } = settings;
    const isMetrics = url.pathname === '/metrics' && req.method === 'GET' && host.metrics && settings.metrics;
    if (url.pathname !== '/mcp' && !isMetrics) return json(res, 404, { error: 'not found; the MCP endpoint is /mcp' });

    const origin = req.headers.origin;
    if (origin && !originAllowed(origin, settings.allowedOrigins)) {
      log.warn('refused a request from a foreign Origin', { origin });
      return refuse(res, 'origin', 403, -32000, `Origin ${origin} is not allowed; add it to http.allowedOrigins`);
    }
    const hostName = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (loopback && !LOOPBACK_HOSTS.has(hostName)) {
      return refuse(res, 'host', 403, -32000, `Host ${hostName} is not allowed for a hub bound to loopback`);
    }

    let scope: Principal | undefined;
    if (auth) {
      scope = auth.authenticate(req.headers.authorization);
      if (!scope) {
        log.warn('refused a request without a valid bearer token', { path: url.pathname, address: req.socket.remoteAddress });
        return refuse(res, 'auth', 401, -32001, 'Unauthorized: send Authorization: Bearer <token> with a token from http.auth.tokens', {
          'www-authenticate': 'Bearer realm="mcp-orchestrator"',
        });
      }
    }
    if (isMetrics) {
      // Metrics name every server and tool and count every token's calls: admin tokens only.
      if (scope && !seesInternals(scope)) return refuse(res, 'metrics', 403, -32001, `Forbidden: /metrics needs an admin token (http.auth.tokens[].admin); token "${scope.name}" is not one`);
      const { contentType, body } = await host.metrics!.render();
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
      return;
    }

    const clientKey = scope ? `token:${scope.name}` : `addr:${req.socket.remoteAddress ?? '?'}`;
    const sessionId = req.headers['mcp-session-id'];
    const open = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    const wait = Math.max(perClient.take(clientKey), open ? perSession.take(open.transport.sessionId!) : 0);
    if (wait > 0) {
      return refuse(res, 'rate', 429, -32000, `Too many requests: over the rate limit for this ${open ? 'session or ' : ''}${scope ? 'token' : 'client'}; retry after ${wait} s`, {
        'retry-after': String(wait),
      });
    }

    let body: unknown;
    if (req.method === 'POST') {
      const declared = Number(req.headers['content-length'] ?? 0);
      const raw = declared > maxBodyBytes ? undefined : await readBody(req, maxBodyBytes);
      if (raw === undefined) return refuse(res, 'size', 413, -32600, `Request body exceeds ${maxBodyBytes} bytes (http.maxBodyBytes)`, { connection: 'close' });
      if (nestsDeeperThan(raw)) return refuse(res, 'malformed', 400, -32600, `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return refuse(res, 'malformed', 400, -32700, 'Parse error: the body is not valid JSON');
      }
    }

    if (typeof sessionId === 'string') {
      // An unknown session and another token's session read alike: neither reveals that the id exists.
      // After a config edit the same token may stand for other rights: the key covers name and rights.
      if (!open || open.key !== (scope ?? LOCAL).key) return refuse(res, 'session', 404, -32001, 'Session not found; initialize a new session');
      open.lastSeen = Date.now();
      return open.transport.handleRequest(req, res, body);
    }
    if (req.method === 'POST' && isInitializeRequest(body)) {
      const pendingAll = [...opening.values()].reduce((a, b) => a + b, 0);
      if (sessions.size + pendingAll >= maxSessions) {
        return refuse(res, 'sessions', 503, -32000, `Too many open sessions (http.maxSessions: ${maxSessions}); retry later or close unused sessions`, { 'retry-after': '5' });
      }
      if (scope) {
        const quota = settings.quotas.get(scope.name) ?? 1;
        const mine = [...sessions.values()].filter((s) => s.tokenName === scope!.name).length + (opening.get(scope.name) ?? 0);
        if (mine >= quota) {
          return refuse(res, 'token-sessions', 503, -32000, `Too many open sessions for token "${scope.name}" (http.auth.tokens[].maxSessions: ${quota}); retry later or close unused sessions`, { 'retry-after': '5' });
        }
      }
      // Counted as opening until it is in `sessions` (or failed): concurrent initializes cannot pass the quota.
      const name = scope?.name ?? '';
      opening.set(name, (opening.get(name) ?? 0) + 1);
      let counted = true;
      const opened = () => {
        if (!counted) return;
        counted = false;
        const left = (opening.get(name) ?? 1) - 1;
        if (left > 0) opening.set(name, left);
        else opening.delete(name);
      };
      // Without auth (loopback, or a gateway in front that authenticates) the client is the local user.
      const principal = scope ?? LOCAL;
      const session = host.newSession(principal);
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, { transport, session, tokenName: scope?.name, key: principal.key, lastSeen: Date.now() });
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
        return await transport.handleRequest(req, res, body);
      } finally {
        opened();
      }
    }
    return refuse(res, 'malformed', 400, -32000, 'Bad request: send an initialize request first, or the Mcp-Session-Id header of an open session');
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/mcp`,
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
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
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

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function rpcError(res: http.ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  json(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);
}
