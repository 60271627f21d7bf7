// Routes a Node process's Xero traffic to the xero-api mock, and refuses every other outbound request, so a
// real client (the official Xero MCP server: xero-node -> axios -> follow-redirects -> https.request) runs
// unchanged and offline. Loaded before the program with
//   NODE_OPTIONS=--import=<file URL of dist/mocks/xero-api/preload.js>   and   XERO_API_MOCK_URL=http://127.0.0.1:<port>
// It does nothing unless XERO_API_MOCK_URL is set.
//
// It wraps, never replaces, Node's own functions:
// - https.request / https.get to identity.xero.com or api.xero.com become plain-HTTP requests to the mock with
//   the same method, path and headers, and the original host in the Host header (the mock routes by it);
// - any other https host, any non-loopback http host and any non-loopback fetch() are refused with an
//   ERR_XERO_MOCK_REFUSED error (emitted like a network error), so nothing leaks to the internet;
// - when the mock answers with the x-xero-api-mock-network: offline header (failKind offline), the request
//   fails the way it does without a network: `getaddrinfo ENOTFOUND <host>`.
// module.syncBuiltinESMExports() then makes ESM named imports (import { request } from 'node:https') see the wrappers.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';

const XERO_HOSTS = new Set(['identity.xero.com', 'api.xero.com']);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const NETWORK_HEADER = 'x-xero-api-mock-network'; // server.ts NETWORK_HEADER

type Callback = (res: http.IncomingMessage) => void;
interface Target {
  scheme: 'http:' | 'https:';
  host: string;
  path: string;
  method: string;
  headers: Record<string, unknown>;
  options: Record<string, any>;
  callback?: Callback;
}

/** The pieces of a request from any of Node's call forms: (url[, options][, cb]) or (options[, cb]). */
function targetOf(scheme: Target['scheme'], args: unknown[]): Target {
  const [a, b, c] = args;
  let url: URL | undefined;
  let options: Record<string, any> = {};
  let callback: Callback | undefined;
  if (typeof a === 'string' || a instanceof URL) {
    url = new URL(String(a));
    if (typeof b === 'function') callback = b as Callback;
    else {
      options = (b as Record<string, any>) ?? {};
      callback = c as Callback | undefined;
    }
  } else {
    options = (a as Record<string, any>) ?? {};
    callback = b as Callback | undefined;
  }
  const host = String(options.hostname ?? options.host ?? url?.hostname ?? 'localhost').toLowerCase().replace(/:\d+$/, '');
  return {
    scheme,
    host,
    path: options.path ?? (url ? url.pathname + url.search : '/'),
    method: String(options.method ?? 'GET').toUpperCase(),
    headers: { ...(options.headers ?? {}) },
    options,
    callback,
  };
}

function install(mock: URL): void {
  // A proxy from the environment would send axios to the proxy instead of to Xero (and so past the mock).
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) delete process.env[name];

  const realHttpRequest = http.request;
  const realHttpGet = http.get;
  const realFetch = globalThis.fetch;

  const refusal = (what: string) =>
    Object.assign(
      new Error(`xero-api mock preload: refused ${what}: this process may only reach identity.xero.com and api.xero.com, which go to the mock at ${mock.origin}`),
      { code: 'ERR_XERO_MOCK_REFUSED' },
    );

  /** A real ClientRequest whose connection fails at once with `error`, as a network error would; it opens no socket. */
  function failing(t: Target, error: Error): http.ClientRequest {
    // No `agent`: Node then takes the socket from createConnection instead of connecting.
    const req = realHttpRequest({
      host: '127.0.0.1',
      path: t.path,
      method: t.method,
      createConnection: () => {
        const socket = new net.Socket();
        process.nextTick(() => socket.destroy(error));
        return socket;
      },
    });
    if (t.callback) req.once('response', t.callback);
    return req;
  }

  /** The request, sent to the mock over plain HTTP with the original host in the Host header. */
  function toMock(t: Target): http.ClientRequest {
    const headers = Object.fromEntries(Object.entries(t.headers).filter(([k]) => k.toLowerCase() !== 'host'));
    const req = realHttpRequest({
      protocol: 'http:',
      hostname: mock.hostname.replace(/^\[|\]$/g, ''),
      port: mock.port,
      path: t.path,
      method: t.method,
      headers: { ...headers, host: t.host } as http.OutgoingHttpHeaders,
      ...(t.options.auth ? { auth: t.options.auth } : {}),
      ...(t.options.timeout !== undefined ? { timeout: t.options.timeout } : {}),
      ...(t.options.signal ? { signal: t.options.signal } : {}),
    });
    // failKind offline: fail as Node does when DNS cannot resolve the host, and hide the mock's answer.
    const emit = req.emit;
    req.emit = function (this: http.ClientRequest, event: string | symbol, ...rest: any[]): boolean {
      if (event === 'response' && rest[0]?.headers?.[NETWORK_HEADER] === 'offline') {
        rest[0].resume();
        req.emit = emit;
        const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${t.host}`), { errno: -3008, code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: t.host });
        req.destroy(error);
        return true;
      }
      return emit.call(this, event, ...rest);
    } as typeof req.emit;
    if (t.callback) req.once('response', t.callback);
    return req;
  }

  const wrappedHttpsRequest = function (...args: unknown[]): http.ClientRequest {
    const t = targetOf('https:', args);
    return XERO_HOSTS.has(t.host) ? toMock(t) : failing(t, refusal(`https://${t.host}${t.path}`));
  };
  const wrappedHttpRequest = function (...args: unknown[]): http.ClientRequest {
    const t = targetOf('http:', args);
    return LOOPBACK.has(t.host) ? (realHttpRequest as (...a: unknown[]) => http.ClientRequest)(...args) : failing(t, refusal(`http://${t.host}${t.path}`));
  };
  // https.get / http.get call the module's internal request, not the property: wrap them too.
  const get = (request: (...a: unknown[]) => http.ClientRequest) =>
    function (...args: unknown[]): http.ClientRequest {
      const req = request(...args);
      req.end();
      return req;
    };

  Object.assign(https, { request: wrappedHttpsRequest, get: get(wrappedHttpsRequest) });
  Object.assign(http, {
    request: wrappedHttpRequest,
    get: function (...args: unknown[]) {
      const t = targetOf('http:', args);
      return LOOPBACK.has(t.host) ? (realHttpGet as (...a: unknown[]) => http.ClientRequest)(...args) : get(wrappedHttpRequest)(...args);
    },
  });

  // fetch (undici) opens its own sockets, outside http/https: loopback only. The official server does not use it.
  if (realFetch) {
    globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
      if (LOOPBACK.has(url.hostname)) return realFetch(input, init);
      throw new TypeError('fetch failed', { cause: refusal(`fetch(${url.origin}${url.pathname})`) });
    };
  }

  syncBuiltinESMExports();
}

const target = process.env.XERO_API_MOCK_URL;
if (target) {
  let mock: URL;
  try {
    mock = new URL(target);
  } catch {
    throw new Error(`xero-api mock preload: XERO_API_MOCK_URL is not a URL: ${target}`);
  }
  install(mock);
}
