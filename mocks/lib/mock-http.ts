// Shared plumbing for the mock SaaS APIs: a tiny router over node:http and switchable fault modes,
// so every mock fails the way its real API does (status, headers, error body) when a test asks it to.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Faults {
  /** The next N requests get 429 with Retry-After: retryAfterSec. */
  rateLimit?: { count: number; retryAfterSec: number };
  /** The next N requests get 500. */
  serverError?: { count: number };
  /** Every request waits this long before it is answered. */
  slowMs?: number;
  /** The next N requests get a 200 with a body that is not JSON. */
  malformed?: { count: number };
  /** Every request is refused as if the token had been revoked. */
  revokedToken?: boolean;
}

/**
 * How one API shapes its errors; each mock supplies its own, matching the real API. `req` (always given by the server) lets a mock
 * that serves several APIs (the LLM mock: OpenAI and Anthropic) answer in the shape of the one called.
 */
export interface ErrorShapes {
  rateLimited(retryAfterSec: number, req?: MockRequest): { status: number; body: unknown; headers?: Record<string, string> };
  serverError(req?: MockRequest): { status: number; body: unknown };
  unauthorized(req?: MockRequest): { status: number; body: unknown };
  notFound(method: string, path: string, req?: MockRequest): { status: number; body: unknown };
}

export interface MockRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON or urlencoded body, or, for multipart, the raw body as text. */
  body: any;
  rawBody: Buffer;
}

export interface MockResponse {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Writes the response itself (server-sent events, a connection left hanging); status, body and headers are then unused. */
  stream?: (res: http.ServerResponse) => Promise<void>;
}

export type Handler = (req: MockRequest) => MockResponse | Promise<MockResponse>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: http.IncomingHttpHeaders;
  at: number;
}

export class MockHttpServer {
  readonly faults: Faults = {};
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Array<{ method: string; pattern: RegExp; keys: string[]; handler: Handler }> = [];
  private server?: http.Server;
  url = '';

  constructor(
    private readonly shapes: ErrorShapes,
    /** Returns false when the request's credentials are not accepted. */
    private readonly authorize: (req: MockRequest) => boolean,
  ) {}

  /** Path patterns use :name segments, e.g. /list/:list_id/task. */
  route(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      '^' + path.replace(/\/:([A-Za-z_]+)/g, (_m, key: string) => (keys.push(key), '/([^/]+)')) + '/?$',
    );
    this.routes.push({ method: method.toUpperCase(), pattern, keys, handler });
    return this;
  }

  setFaults(faults: Faults): void {
    for (const key of Object.keys(this.faults) as Array<keyof Faults>) delete this.faults[key];
    Object.assign(this.faults, faults);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(err) }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address() as AddressInfo;
    this.url = `http://${host}:${address.port}`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://mock');
    const contentType = req.headers['content-type'] ?? '';
    let body: any = undefined;
    if (rawBody.length > 0) {
      if (contentType.includes('application/json')) {
        try {
          body = JSON.parse(rawBody.toString('utf8'));
        } catch {
          return send(res, { status: 400, body: { error: 'malformed JSON body' } });
        }
      } else if (contentType.includes('application/x-www-form-urlencoded')) {
        body = Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')));
      } else {
        body = rawBody.toString('latin1');
      }
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const mockReq: MockRequest = { method, path: url.pathname, params: {}, query: url.searchParams, headers: req.headers, body, rawBody };
    this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, headers: req.headers, at: Date.now() });

    const f = this.faults;
    if (f.slowMs) await new Promise((r) => setTimeout(r, f.slowMs));
    if (f.revokedToken || !this.authorize(mockReq)) return send(res, this.shapes.unauthorized(mockReq));
    if (f.rateLimit && f.rateLimit.count > 0) {
      f.rateLimit.count--;
      return send(res, this.shapes.rateLimited(f.rateLimit.retryAfterSec, mockReq));
    }
    if (f.serverError && f.serverError.count > 0) {
      f.serverError.count--;
      return send(res, this.shapes.serverError(mockReq));
    }
    if (f.malformed && f.malformed.count > 0) {
      f.malformed.count--;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok": tru');
      return;
    }

    for (const route of this.routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      route.keys.forEach((key, i) => (mockReq.params[key] = decodeURIComponent(match[i + 1])));
      const answer = await route.handler(mockReq);
      return answer.stream ? answer.stream(res) : send(res, answer);
    }
    send(res, this.shapes.notFound(method, url.pathname, mockReq));
  }
}

function send(res: http.ServerResponse, r: MockResponse): void {
  res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
  res.end(JSON.stringify(r.body));
}
