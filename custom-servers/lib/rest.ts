// A small REST client for custom downstream servers: timeouts, retries with backoff on 5xx and 429
// (honouring Retry-After or an API's own retry hint), and errors that keep the API's message.
// Custom servers import nothing from the hub's src/, so this lives beside them.

export interface RestClientOptions {
  baseUrl: string;
  headers?: Record<string, string>;
  /** Per attempt. */
  timeoutMs?: number;
  /** Retries after the first attempt, for 429, 5xx and network errors. */
  maxRetries?: number;
  retryBaseMs?: number;
  /** Longest wait we accept before a retry; a longer Retry-After fails the call with the hint. */
  maxRetryDelayMs?: number;
  /** Extracts a retry delay (ms) from an error body, for APIs that send it there (Telegram: parameters.retry_after). */
  retryAfterFromBody?: (body: unknown) => number | undefined;
  /** Extracts the API's own error message from an error body. */
  messageFromBody?: (body: unknown) => string | undefined;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | Array<string | number> | undefined>;
  /** JSON body (object) or a ready FormData (multipart uploads). */
  body?: unknown;
  headers?: Record<string, string>;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function retryAfterHeaderMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export class RestClient {
  private readonly opts: Required<Omit<RestClientOptions, 'retryAfterFromBody' | 'messageFromBody' | 'headers'>> &
    RestClientOptions;

  constructor(options: RestClientOptions) {
    this.opts = { timeoutMs: 15_000, maxRetries: 3, retryBaseMs: 500, maxRetryDelayMs: 30_000, ...options };
  }

  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.opts.baseUrl.replace(/\/+$/, '') + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      // ClickUp and others take repeated keys with [] for arrays (statuses[]=a&statuses[]=b).
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(`${key}[]`, String(v));
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const isForm = typeof FormData !== 'undefined' && options.body instanceof FormData;
    const headers: Record<string, string> = { accept: 'application/json', ...this.opts.headers, ...options.headers };
    if (options.body !== undefined && !isForm) headers['content-type'] = 'application/json';
    const body = options.body === undefined ? undefined : isForm ? (options.body as FormData) : JSON.stringify(options.body);

    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.opts.timeoutMs) });
      } catch (err) {
        const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
        if (attempt < this.opts.maxRetries && !timedOut) {
          await sleep(this.backoff(attempt));
          continue;
        }
        const reason = timedOut ? `timed out after ${this.opts.timeoutMs} ms` : (err as Error).message;
        throw new ApiError(`${method} ${path}: ${reason}`, 0, undefined);
      }

      const text = await response.text();
      let parsed: unknown = undefined;
      let malformed = false;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch {
          malformed = true;
        }
      }

      if (response.ok && !malformed) return parsed as T;

      const retryAfterMs = retryAfterHeaderMs(response.headers.get('retry-after')) ?? this.opts.retryAfterFromBody?.(parsed);
      const retriable = response.status === 429 || response.status >= 500;
      if (retriable && attempt < this.opts.maxRetries) {
        const delay = retryAfterMs ?? this.backoff(attempt);
        if (delay <= this.opts.maxRetryDelayMs) {
          await sleep(delay);
          continue;
        }
      }
      if (response.ok && malformed) {
        throw new ApiError(`${method} ${path}: the API answered with malformed JSON`, response.status, text);
      }
      const apiMessage = this.opts.messageFromBody?.(parsed) ?? (malformed ? text.slice(0, 200) : response.statusText);
      throw new ApiError(`${method} ${path}: HTTP ${response.status}: ${apiMessage}`, response.status, parsed ?? text, retryAfterMs);
    }
  }

  private backoff(attempt: number): number {
    return this.opts.retryBaseMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
  }
}
