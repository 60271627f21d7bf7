// Streamable HTTP transport for the hub: /mcp with one session per client, /health for probes.
// Browsers are held to an Origin allow-list and loopback binds to loopback Host names
// (DNS-rebinding protection, as the MCP spec asks).
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { HttpConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { HubStatus } from '../status.js';
import type { Session } from './upstream.js';

export interface SessionHost {
  newSession(label: string): Session;
  status(): HubStatus;
}

export interface HttpHandle {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export async function serveHttp(host: SessionHost, config: Pick<HttpConfig, 'host' | 'port' | 'allowedOrigins'>, log: Logger): Promise<HttpHandle> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const loopback = LOOPBACK_HOSTS.has(config.host);

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      log.error('HTTP request failed', { error: (err as Error).message });
      if (!res.headersSent) rpcError(res, 500, -32603, 'Internal error');
      else res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    if (url.pathname === '/health' && req.method === 'GET') {
      const status = host.status();
      return json(res, 200, { status: 'ok', servers: status.totals, sessions: transports.size });
    }
    if (url.pathname !== '/mcp') return json(res, 404, { error: 'not found; the MCP endpoint is /mcp' });

    const origin = req.headers.origin;
    if (origin && !originAllowed(origin, config.allowedOrigins)) {
      log.warn('refused a request from a foreign Origin', { origin });
      return rpcError(res, 403, -32000, `Origin ${origin} is not allowed; add it to http.allowedOrigins`);
    }
    const hostName = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (loopback && !LOOPBACK_HOSTS.has(hostName)) {
      return rpcError(res, 403, -32000, `Host ${hostName} is not allowed for a hub bound to loopback`);
    }

    let body: unknown;
    if (req.method === 'POST') {
      const raw = await readBody(req, MAX_BODY_BYTES);
      if (raw === undefined) return rpcError(res, 413, -32600, `Request body exceeds ${MAX_BODY_BYTES} bytes`);
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return rpcError(res, 400, -32700, 'Parse error: the body is not valid JSON');
      }
    }

    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = transports.get(sessionId);
      if (!transport) return rpcError(res, 404, -32001, 'Session not found; initialize a new session');
      return transport.handleRequest(req, res, body);
    }
    if (req.method === 'POST' && isInitializeRequest(body)) {
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          transports.set(id, transport);
        },
      });
      transport.onclose = () => {
        if (transport.sessionId) transports.delete(transport.sessionId);
      };
      const session = host.newSession('http');
      await session.server.connect(transport);
      return transport.handleRequest(req, res, body);
    }
    return rpcError(res, 400, -32000, 'Bad request: send an initialize request first, or the Mcp-Session-Id header of an open session');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/mcp`,
    server,
    async close() {
      await Promise.all([...transports.values()].map((t) => t.close().catch(() => undefined)));
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

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function rpcError(res: http.ServerResponse, status: number, code: number, message: string): void {
  json(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}
