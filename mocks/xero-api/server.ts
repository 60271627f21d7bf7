// The mock's HTTP server: one plain-HTTP listener standing in for both https://identity.xero.com and
// https://api.xero.com. It tells them apart by the Host header the preload keeps (any other Host, e.g. a test
// calling 127.0.0.1 directly, reaches both; their paths do not overlap). Order of checks on the Accounting
// API, as Xero's: bearer token (401), xero-tenant-id (403), rate limit (429), then the resource.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { handleAccounting } from './accounting.js';
import { forbidden, notFound, oauthError, postDataInvalid, rateLimited, unauthorized, validationException, type HttpAnswer } from './errors.js';
import { failureFor, type FailKind, type Failure, type FailTarget } from './failures.js';
import type { Identity } from './identity.js';
import type { Store } from './store.js';
import { toXeroJson } from './wire.js';

/** The header by which the mock asks its preload to fail a request as a network error (failKind offline). */
export const NETWORK_HEADER = 'x-xero-api-mock-network';

export interface RecordedRequest {
  method: string;
  /** The Host the client meant (identity.xero.com, api.xero.com), as the preload passes it on. */
  host: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
  at: number;
}

export interface XeroApiServerOptions {
  store: Store;
  identity: Identity;
  /** The app's name, in every envelope's ProviderName. */
  providerName: string;
  failure?: Failure;
  /** Refuse the 61st Accounting API call in a minute with 429, as Xero's per-organisation limit does. Off by default. */
  enforceRateLimits?: boolean;
}

/** Xero's per-organisation limits, which every answer reports in X-MinLimit-Remaining / X-DayLimit-Remaining. */
const MINUTE_LIMIT = 60;
const DAY_LIMIT = 5000;
const APP_MINUTE_LIMIT = 10_000;

export class XeroApiServer {
  readonly requests: RecordedRequest[] = [];
  failure: Failure | undefined;
  url = '';
  private server?: http.Server;
  private readonly minuteCalls: number[] = [];
  private dayCalls = 0;

  constructor(private readonly options: XeroApiServerOptions) {
    this.failure = options.failure;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`xero-api mock: ${err instanceof Error ? err.stack : String(err)}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
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
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://mock');
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedRequest = { method, host, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: undefined, status: 0, at: Date.now() };
    this.requests.push(record);

    let body: unknown;
    let badBody = false;
    if (raw) {
      const type = req.headers['content-type'] ?? '';
      if (type.includes('application/x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(raw));
      else {
        try {
          body = JSON.parse(raw);
        } catch {
          badBody = true;
          body = raw;
        }
      }
    }
    record.body = body;

    const answer = this.answer(method, host, url, req.headers, body, badBody);
    record.status = answer.status;
    this.send(res, answer);
  }

  private answer(method: string, host: string, url: URL, headers: http.IncomingHttpHeaders, body: unknown, badBody: boolean): HttpAnswer {
    const { identity, store } = this.options;
    const path = url.pathname;
    const forIdentity = host !== 'api.xero.com';
    const forApi = host !== 'identity.xero.com';
    // Offline, nothing answers: every request fails before it reaches a service.
    if (this.failure?.kind === 'offline') return this.injected({ service: 'accounting', method, path })!;

    if (forIdentity && path === '/connect/token') {
      if (method !== 'POST') return notFound();
      const injected = this.injected({ service: 'token', method, path });
      if (injected) return injected;
      return identity.token(headers.authorization, body && typeof body === 'object' ? (body as Record<string, string>) : undefined);
    }
    if (forApi && path.toLowerCase() === '/connections') {
      const refused = identity.checkBearer(headers.authorization);
      if (refused) return refused;
      const injected = this.injected({ service: 'connections', method, path });
      if (injected) return injected;
      return method === 'GET' ? identity.connections() : notFound();
    }
    const api = /^\/api\.xro\/2\.0(\/.*)?$/i.exec(path);
    if (forApi && api) {
      const apiPath = api[1] ?? '/';
      const refused = identity.checkBearer(headers.authorization);
      if (refused) return refused;
      if (headers['xero-tenant-id'] !== identity.tenantId) return forbidden();
      const limited = this.countCall();
      if (limited) return limited;
      const injected = this.injected({ service: 'accounting', method, path: apiPath });
      if (injected) return this.withLimits(injected);
      if (badBody) return this.withLimits(postDataInvalid('Invalid Json data'));
      const answer = handleAccounting(
        { method, path: apiPath, query: url.searchParams, headers, body },
        { state: store.state, save: () => store.save(), providerName: this.options.providerName },
      );
      return this.withLimits(answer);
    }
    return notFound();
  }

  /** The injected failure's answer for this request, if it fails. */
  private injected(target: FailTarget): HttpAnswer | undefined {
    const kind: FailKind | undefined = failureFor(this.failure, target);
    if (!kind) return undefined;
    const why = `injected by the xero-api mock (fail "${this.failure!.fail}", failKind ${kind})`;
    switch (kind) {
      case 'auth':
        return oauthError('invalid_client');
      case 'offline':
        return { status: 503, headers: { [NETWORK_HEADER]: 'offline' }, body: { mock: `network unreachable, ${why}: the preload turns this answer into getaddrinfo ENOTFOUND` } };
      case 'unauthorized':
        return unauthorized();
      case 'forbidden':
        return forbidden();
      case 'not-found':
        return notFound();
      case 'rate-limit':
        return rateLimited(60, 'minute', { day: DAY_LIMIT - this.dayCalls, appMinute: APP_MINUTE_LIMIT - this.minuteCalls.length });
      case 'api':
        return validationException([{ ValidationErrors: [{ Message: `A validation error ${why}` }] }]);
    }
  }

  /** Counts an Accounting API call against the minute and day limits; the 429 when enforcing and over. */
  private countCall(): HttpAnswer | undefined {
    const now = Date.now();
    while (this.minuteCalls.length && this.minuteCalls[0] <= now - 60_000) this.minuteCalls.shift();
    if (this.options.enforceRateLimits && this.minuteCalls.length >= MINUTE_LIMIT) {
      return rateLimited(Math.max(1, Math.ceil((this.minuteCalls[0] + 60_000 - now) / 1000)), 'minute', { day: DAY_LIMIT - this.dayCalls, appMinute: APP_MINUTE_LIMIT - this.minuteCalls.length });
    }
    this.minuteCalls.push(now);
    this.dayCalls++;
    return undefined;
  }

  private withLimits(answer: HttpAnswer): HttpAnswer {
    return {
      ...answer,
      headers: {
        'x-minlimit-remaining': String(Math.max(0, MINUTE_LIMIT - this.minuteCalls.length)),
        'x-daylimit-remaining': String(Math.max(0, DAY_LIMIT - this.dayCalls)),
        'x-appminlimit-remaining': String(Math.max(0, APP_MINUTE_LIMIT - this.minuteCalls.length)),
        ...answer.headers,
      },
    };
  }

  private send(res: http.ServerResponse, answer: HttpAnswer): void {
    const headers: Record<string, string> = { 'xero-correlation-id': randomUUID(), ...answer.headers };
    if (answer.text !== undefined) {
      res.writeHead(answer.status, answer.text ? { 'content-type': 'text/plain; charset=utf-8', ...headers } : headers);
      res.end(answer.text);
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(toXeroJson(answer.body));
  }
}
