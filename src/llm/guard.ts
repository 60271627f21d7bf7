// Around one provider: its rate limit and concurrency limit, a timeout per attempt, and retries with
// backoff on 429/5xx/network errors that honour Retry-After. The SDKs' own retries are off, so this
// is the only retry policy and the one the tests check.
import type { Logger } from '../log/logger.js';
import { LlmProviderError } from './errors.js';
import { Semaphore, TokenBucket, type Clock } from './limiter.js';
import type { Provider, ProviderAnswer } from './provider.js';
import type { LlmCallContext, LlmRequest } from './types.js';

export class GuardedProvider {
  private readonly slots: Semaphore;
  private readonly bucket?: TokenBucket;

  constructor(
    readonly provider: Provider,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly random: () => number = Math.random,
  ) {
    const { rateLimit } = provider.entry;
    this.slots = new Semaphore(rateLimit.maxConcurrent);
    if (rateLimit.requestsPerMinute) this.bucket = new TokenBucket(rateLimit.requestsPerMinute, rateLimit.burst, clock);
  }

  get entry() {
    return this.provider.entry;
  }

  async complete(request: LlmRequest, ctx: LlmCallContext): Promise<ProviderAnswer> {
    const { entry } = this.provider;
    for (let attempt = 1; ; attempt++) {
      let error: LlmProviderError;
      let release: (() => void) | undefined;
      try {
        release = await this.slots.acquire(request.signal);
        await this.bucket?.take(request.signal);
        return await this.attempt(request, ctx);
      } catch (err) {
        error = request.signal?.aborted ? new LlmProviderError('aborted', 'request aborted') : asProviderError(err);
      } finally {
        release?.();
      }
      error.attempts = attempt;
      if (!error.retryable || attempt > entry.maxRetries) throw error;
      const delay = error.retryAfterMs ?? this.backoff(attempt);
      if (delay > entry.retryMaxDelayMs) {
        // Waiting that long would stall the caller; the next provider of the chain may answer now.
        throw new LlmProviderError(error.kind, `${error.message} (asked to wait ${Math.ceil(delay / 1000)} s, more than retryMaxDelayMs)`, error.status, error.retryAfterMs);
      }
      this.log.warn('LLM call failed, retrying', { provider: entry.name, model: entry.model, kind: error.kind, status: error.status, attempt, delayMs: delay });
      try {
        await this.clock.sleep(delay, request.signal);
      } catch {
        throw Object.assign(new LlmProviderError('aborted', 'request aborted'), { attempts: attempt });
      }
    }
  }

  private backoff(attempt: number): number {
    const { retryBaseMs, retryMaxDelayMs } = this.provider.entry;
    return Math.min(retryMaxDelayMs, Math.round(retryBaseMs * 2 ** (attempt - 1) * (0.75 + 0.5 * this.random())));
  }

  /** One attempt, abandoned after timeoutMs whether or not the provider honours its signal. */
  private async attempt(request: LlmRequest, ctx: LlmCallContext): Promise<ProviderAnswer> {
    const { timeoutMs } = this.provider.entry;
    const controller = new AbortController();
    const abort = () => controller.abort();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    request.signal?.addEventListener('abort', abort, { once: true });
    let onAbort!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new LlmProviderError('aborted', 'request aborted'));
      controller.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const work = this.provider.complete(request, ctx, controller.signal);
      // The loser of the race may still reject later; that is not an unhandled error.
      work.catch(() => undefined);
      return await Promise.race([work, aborted]);
    } catch (err) {
      if (timedOut) throw new LlmProviderError('timeout', `no answer within ${timeoutMs} ms`);
      throw err;
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', abort);
      controller.signal.removeEventListener('abort', onAbort);
    }
  }
}

function asProviderError(err: unknown): LlmProviderError {
  if (err instanceof LlmProviderError) return err;
  return new LlmProviderError('invalid-response', err instanceof Error ? err.message : String(err));
}
