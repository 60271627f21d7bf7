// Errors of the REST API as RFC 9457 problem details (application/problem+json): a status, a short title,
// and a detail that names the field or thing and says what to do.
import type { Context } from 'hono';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Unavailable',
};

export function problem(status: number, detail: string, headers: Record<string, string> = {}): Response {
  const body = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json', ...headers } });
}

/** Thrown by a route to answer with a problem. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function onApiError(err: Error, _c: Context): Response {
  if (err instanceof ApiError) return problem(err.status, err.message);
  if (err instanceof RangeError) return problem(400, err.message);
  return problem(500, 'the hub failed to answer this request; its log says why');
}
