// Xero's failure answers, status and body as the real services send them.
import { randomUUID } from 'node:crypto';

export interface HttpAnswer {
  status: number;
  /** A JSON body (sent with Xero's escaped dates), or... */
  body?: unknown;
  /** ...a plain text one (Xero's 404 is a bare sentence). */
  text?: string;
  headers?: Record<string, string>;
}

/** api.xero.com's problem-details body for 401/403 (e.g. Detail "AuthenticationUnsuccessful", "TokenExpired: ..."). */
const problem = (status: 401 | 403, detail: string): HttpAnswer => ({
  status,
  body: { Type: null, Title: status === 401 ? 'Unauthorized' : 'Forbidden', Status: status, Detail: detail, Instance: randomUUID(), Extensions: {} },
});

/** No bearer token, an unknown one, or one that was revoked. */
export const unauthorized = (detail = 'AuthenticationUnsuccessful'): HttpAnswer => problem(401, detail);

/** A xero-tenant-id missing, or naming an organisation this connection cannot reach. */
export const forbidden = (): HttpAnswer => problem(403, 'AuthenticationUnsuccessful');

/** "TokenExpired: token expired at 04/09/2023 05:16:59", Xero's wording and US date format (UTC). */
export function tokenExpired(expiredAt: number): HttpAnswer {
  const d = new Date(expiredAt);
  const two = (n: number) => String(n).padStart(2, '0');
  const at = `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return problem(401, `TokenExpired: token expired at ${at}`);
}

/** The Accounting API's 404 for an unknown id or path: a sentence, not JSON. */
export const notFound = (): HttpAnswer => ({ status: 404, text: "The resource you're looking for cannot be found" });

/** 400 ValidationException: one element per refused record, each with its messages. */
export const validationException = (elements: Array<Record<string, unknown>>): HttpAnswer => ({
  status: 400,
  body: { ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred', Elements: elements },
});

/** 400 for a `where` or `order` the API cannot parse. */
export const queryParseException = (message: string): HttpAnswer => ({
  status: 400,
  body: { ErrorNumber: 16, Type: 'QueryParseException', Message: message },
});

/** 400 for a request body that is not the JSON the endpoint takes. */
export const postDataInvalid = (message: string): HttpAnswer => ({
  status: 400,
  body: { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: message },
});

/**
 * 429 as Xero sends it: Retry-After (seconds) and X-Rate-Limit-Problem naming the limit hit (minute, day,
 * appminute). Xero documents only the headers; the mock sends no body.
 */
export const rateLimited = (retryAfterSec: number, problemName: 'minute' | 'day' | 'appminute' = 'minute', remaining: { day: number; appMinute: number } = { day: 4999, appMinute: 9999 }): HttpAnswer => ({
  status: 429,
  text: '',
  headers: {
    'retry-after': String(retryAfterSec),
    'x-rate-limit-problem': problemName,
    'x-minlimit-remaining': '0',
    'x-daylimit-remaining': String(problemName === 'day' ? 0 : remaining.day),
    'x-appminlimit-remaining': String(problemName === 'appminute' ? 0 : remaining.appMinute),
  },
});

/** identity.xero.com's OAuth errors: {"error":"invalid_client"}, {"error":"invalid_scope"}, ... */
export const oauthError = (error: 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type' | 'invalid_request'): HttpAnswer => ({ status: 400, body: { error } });
