// One error type for every provider failure, classified so the chain knows what to do with it:
// retry the same provider (429, 5xx, network), move on to the next (also timeouts, auth, unknown
// model, a garbled answer), or give up (a request the API refuses as malformed, or the caller aborted).

export type FailureKind =
  | 'rate-limit'
  | 'server'
  | 'network'
  | 'timeout'
  | 'auth'
  | 'not-found'
  | 'bad-request'
  | 'invalid-response'
  | 'refused'
  | 'aborted';

const RETRYABLE: ReadonlySet<FailureKind> = new Set(['rate-limit', 'server', 'network']);
const FINAL: ReadonlySet<FailureKind> = new Set(['bad-request', 'aborted']);

export class LlmProviderError extends Error {
  /** Attempts made on this provider before giving up. */
  attempts = 1;

  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
    /** What the server asked us to wait (Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'LlmProviderError';
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }

  /** Whether the next provider of the chain may succeed where this one failed. */
  get fallbackable(): boolean {
    return !FINAL.has(this.kind);
  }
}

export function kindOfStatus(status: number): FailureKind {
  if (status === 429) return 'rate-limit';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 408) return 'timeout';
  // 529 is Anthropic's "overloaded".
  if (status >= 500) return 'server';
  return 'bad-request';
}

/** Retry-After in ms: OpenAI's `retry-after-ms`, else `retry-after` as seconds or an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The error classes both official SDKs generate (same Stainless layout). */
export interface SdkErrorClasses {
  APIError: abstract new (...args: never[]) => Error & { status?: number; headers?: Headers };
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
  APIUserAbortError: abstract new (...args: never[]) => Error;
}

/** Classifies what an SDK threw. */
export function fromSdkError(err: unknown, sdk: SdkErrorClasses): LlmProviderError {
  if (err instanceof LlmProviderError) return err;
  if (err instanceof sdk.APIUserAbortError) return new LlmProviderError('aborted', 'request aborted');
  if (err instanceof sdk.APIConnectionTimeoutError) return new LlmProviderError('timeout', err.message);
  if (err instanceof sdk.APIConnectionError) return new LlmProviderError('network', `${err.message}${causeOf(err)}`);
  if (err instanceof sdk.APIError && typeof err.status === 'number') {
    return new LlmProviderError(kindOfStatus(err.status), err.message, err.status, retryAfterMs(err.headers));
  }
  if (err instanceof Error && err.name === 'AbortError') return new LlmProviderError('aborted', 'request aborted');
  return new LlmProviderError('invalid-response', err instanceof Error ? err.message : String(err));
}

function causeOf(err: Error): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? ` (${cause.message})` : '';
}
