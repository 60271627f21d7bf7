// A stand-in for Xero's Accounting API (and the identity service in front of it), over HTTP, seeded with the
// "Acme Ltd" organisation. The official Xero MCP server runs against it unchanged: give its child process
// `mock.env` (credentials the mock accepts, the mock's URL, and the preload that routes Xero's hosts to it).
//
//   const mock = await startXeroApiMock();
//   servers: { xero: officialXeroServer(mock.env) }      // { command, args, env } for a hub config
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseFailure } from './failures.js';
import { GRANULAR_SCOPES, Identity } from './identity.js';
import type { XeroState } from './model.js';
import { XeroApiServer, type RecordedRequest } from './server.js';
import { Store } from './store.js';

export { BROAD_SCOPES, GRANULAR_SCOPES } from './identity.js';
export { FAIL_KINDS, TOOL_OPERATIONS, type FailKind } from './failures.js';
export type { RecordedRequest } from './server.js';
export type { XeroState } from './model.js';

/** The custom connection's credentials the mock accepts by default (Xero client ids are 32 upper-case hex digits). */
export const MOCK_CLIENT_ID = '5A1C0DE0F00D4A11B0C5ACE0000000A1';
export const MOCK_CLIENT_SECRET = 'xero-api-mock-secret-acme-ltd-0123456789abcdefghij';

/**
 * The compiled preload (dist/mocks/xero-api/preload.js): beside this module when it runs compiled, in
 * dist/ when it runs as TypeScript source (vitest imports the sources; a child node needs JavaScript).
 */
export const PRELOAD_PATH = import.meta.url.endsWith('.ts')
  ? fileURLToPath(new URL('../../dist/mocks/xero-api/preload.js', import.meta.url))
  : fileURLToPath(new URL('./preload.js', import.meta.url));

/** NODE_OPTIONS that load the preload; a file URL, so a path with spaces needs no quoting. */
export const preloadNodeOptions = (): string => `--import=${pathToFileURL(PRELOAD_PATH).href}`;

/** The env a child process needs to talk to the mock instead of Xero (and to nothing else). */
export interface XeroApiMockEnv {
  XERO_CLIENT_ID: string;
  XERO_CLIENT_SECRET: string;
  XERO_API_MOCK_URL: string;
  NODE_OPTIONS: string;
  [name: string]: string;
}

export interface XeroApiMockOptions {
  /** Load the state from this JSON file (seeded and written when absent) and write it after every change. */
  stateFile?: string;
  /** What fails: "*", official tool names, or API paths, comma-separated (see failures.ts). */
  fail?: string;
  /** How it fails: auth (default), offline, unauthorized, forbidden, not-found, rate-limit, api. */
  failKind?: string;
  /** Port to listen on (default: any free port), on 127.0.0.1 unless `host` says otherwise. */
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  /** The scopes the app holds (default GRANULAR_SCOPES, as an app created today: the official server's V1 request then gets invalid_scope and it retries with V2). */
  scopes?: string[];
  /** The app's name, Xero's ProviderName in every answer. */
  providerName?: string;
  /** Refuse more than 60 Accounting API calls a minute with 429, as Xero does. Off by default. */
  enforceRateLimits?: boolean;
}

export interface XeroApiMock {
  /** The mock's own address, e.g. http://127.0.0.1:41234 (plain HTTP). */
  url: string;
  /** Exactly the env the official server's child process needs (add nothing else for the mock's sake). */
  env: XeroApiMockEnv;
  /** The ledger: read it, or change it before a call; `store.save()` writes the state file. */
  store: Store;
  state: XeroState;
  /** The organisation's id, which is also the tenant id /connections reports. */
  tenantId: string;
  /** Every request the mock received, in order, with the status it answered. */
  requests: RecordedRequest[];
  /** Changes the injected failure for the requests that follow; no arguments: nothing fails. Throws on a setting that cannot work. */
  setFailure(fail?: string, failKind?: string): void;
  /** Forgets every issued access token (the next API call with one gets 401). */
  revokeTokens(): void;
  close(): Promise<void>;
}

export async function startXeroApiMock(options: XeroApiMockOptions = {}): Promise<XeroApiMock> {
  const failure = parseFailure(options.fail, options.failKind);
  const store = Store.open(options.stateFile);
  const identity = new Identity(
    { clientId: options.clientId ?? MOCK_CLIENT_ID, clientSecret: options.clientSecret ?? MOCK_CLIENT_SECRET, scopes: options.scopes ?? GRANULAR_SCOPES },
    () => store.state,
  );
  const server = new XeroApiServer({ store, identity, providerName: options.providerName ?? 'Acme Ltd MCP (custom connection)', failure, enforceRateLimits: options.enforceRateLimits });
  const url = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    url,
    env: {
      XERO_CLIENT_ID: identity.options.clientId,
      XERO_CLIENT_SECRET: identity.options.clientSecret,
      XERO_API_MOCK_URL: url,
      NODE_OPTIONS: preloadNodeOptions(),
    },
    store,
    get state() {
      return store.state;
    },
    get tenantId() {
      return identity.tenantId;
    },
    requests: server.requests,
    setFailure(fail?: string, failKind?: string) {
      server.failure = parseFailure(fail, failKind);
    },
    revokeTokens: () => identity.revokeAll(),
    close: () => server.close(),
  };
}

/** Where npm installed the official server's entry (node_modules/@xeroapi/xero-mcp-server/dist/index.js). */
export function officialXeroServerPath(): string {
  return createRequire(import.meta.url).resolve('@xeroapi/xero-mcp-server');
}

/** A hub `servers.xero` entry that runs the official Xero MCP server, as a stdio child, with `env`. */
export function officialXeroServer(env: Record<string, string>): { command: string; args: string[]; env: Record<string, string> } {
  return { command: process.execPath, args: [officialXeroServerPath()], env: { ...env } };
}
