// Failure injection at the HTTP level, so the client (the official Xero MCP server) meets a failing Xero and
// reports it in its own words. `fail` names what fails: "*", official tool names ("list-invoices"), or API
// paths ("Invoices", "PUT Invoices", "Reports/ProfitAndLoss", "connections", "connect/token"), comma-separated.
// `failKind` says how (default auth):
//   auth          identity.xero.com refuses the client credentials: 400 {"error":"invalid_client"}
//   offline       no network: the preload turns the request into `getaddrinfo ENOTFOUND <host>`
//   unauthorized  401 with Xero's problem body (a revoked token)
//   forbidden     403 with Xero's problem body (the organisation disconnected)
//   not-found     404 "The resource you're looking for cannot be found"
//   rate-limit    429 with Retry-After and X-Rate-Limit-Problem: minute
//   api           400 ValidationException
// auth and offline hit the token request, which the official server makes before every tool call, so they
// cannot single out one tool: with them `fail` must be "*" (or "connect/token" for auth).

export const FAIL_KINDS = ['auth', 'offline', 'unauthorized', 'forbidden', 'not-found', 'rate-limit', 'api'] as const;
export type FailKind = (typeof FAIL_KINDS)[number];

/** The API operations each official tool makes (besides the token and connections requests every call makes). */
export const TOOL_OPERATIONS: Record<string, string[]> = {
  'list-invoices': ['GET Invoices'],
  'create-invoice': ['PUT Invoices'],
  'update-invoice': ['GET Invoices', 'POST Invoices'],
  'list-contacts': ['GET Contacts'],
  'create-contact': ['PUT Contacts'],
  'update-contact': ['POST Contacts'],
  'list-payments': ['GET Payments'],
  'create-payment': ['POST Payments'],
  'list-organisation-details': ['GET Organisation'],
  'list-accounts': ['GET Accounts'],
  'list-tax-rates': ['GET TaxRates'],
  'list-items': ['GET Items'],
  'list-credit-notes': ['GET CreditNotes'],
  'list-quotes': ['GET Quotes'],
  'list-aged-receivables-by-contact': ['GET Reports/AgedReceivablesByContact'],
  'list-profit-and-loss': ['GET Reports/ProfitAndLoss'],
  'list-report-balance-sheet': ['GET Reports/BalanceSheet'],
  'list-trial-balance': ['GET Reports/TrialBalance'],
};

interface Selector {
  method?: string;
  /** Lower-cased path prefix: "invoices", "reports/profitandloss", "connections", "connect/token"; "*" for any API path. */
  path: string;
}

export interface Failure {
  kind: FailKind;
  selectors: Selector[];
  /** What was asked for, for messages. */
  fail: string;
}

/** Which service a request is for: the token endpoint, /connections, or the Accounting API (path below /api.xro/2.0). */
export interface FailTarget {
  service: 'token' | 'connections' | 'accounting';
  method: string;
  path: string;
}

function selector(item: string): Selector[] {
  if (item === '*') return [{ path: '*' }];
  if (TOOL_OPERATIONS[item]) return TOOL_OPERATIONS[item].map((op) => selector(op)[0]);
  const m = /^(GET|PUT|POST|DELETE)\s+(.+)$/i.exec(item);
  const path = (m ? m[2] : item).replace(/^\/+/, '').replace(/^api\.xro\/2\.0\//i, '').toLowerCase();
  if (!path || /\s/.test(path)) throw new Error(`xero-api mock: cannot read the fail selector "${item}" (use *, a tool name such as list-invoices, or a path such as "GET Invoices")`);
  return [{ ...(m ? { method: m[1].toUpperCase() } : {}), path }];
}

/** Reads `fail` / `failKind`; undefined when nothing fails. Throws, naming the problem, on a setting that cannot work. */
export function parseFailure(fail: string | undefined, failKind: string | undefined): Failure | undefined {
  const items = (fail ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) return undefined;
  const kind = (failKind?.trim() || 'auth') as FailKind;
  if (!FAIL_KINDS.includes(kind)) throw new Error(`xero-api mock: unknown failKind "${failKind}" (one of ${FAIL_KINDS.join(', ')})`);
  const tokenWide = kind === 'auth' ? ['*', 'connect/token'] : kind === 'offline' ? ['*'] : undefined;
  const narrow = tokenWide && items.find((i) => !tokenWide.includes(i));
  if (narrow) {
    throw new Error(
      `xero-api mock: failKind "${kind}" acts on the token request (POST identity.xero.com/connect/token), which the official server makes before every tool call, so it cannot single out "${narrow}"; use fail "*"`,
    );
  }
  return { kind, fail: items.join(','), selectors: items.flatMap(selector) };
}

/** The failure a request meets, if any. */
export function failureFor(failure: Failure | undefined, target: FailTarget): FailKind | undefined {
  if (!failure) return undefined;
  if (failure.kind === 'offline') return 'offline';
  if (failure.kind === 'auth') return target.service === 'token' ? 'auth' : undefined;
  const path = target.service === 'token' ? 'connect/token' : target.service === 'connections' ? 'connections' : target.path.replace(/^\/+/, '').toLowerCase();
  const hit = failure.selectors.some(
    (s) =>
      (!s.method || s.method === target.method) &&
      (s.path === '*' ? target.service === 'accounting' : path === s.path || path.startsWith(`${s.path}/`)),
  );
  return hit ? failure.kind : undefined;
}
