// Isolation of one downstream server: a concurrency limit (calls beyond it wait for a slot) and a
// circuit breaker (after N consecutive failures calls fail fast for a while, then one probe call
// decides whether the server is back). Small and synchronous on the hot path: a counter and a compare.

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  failures: number;
  resetMs: number;
}

export class CircuitBreaker {
  state: CircuitState = 'closed';
  private consecutive = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly server: string,
    private readonly options: BreakerOptions,
    private readonly onChange?: (state: CircuitState) => void,
  ) {}

  /**
   * Undefined when a call may go (and, half-open, it is the probe: settle it with success, failure or
   * release); otherwise the message to fail fast with.
   */
  admit(now = Date.now()): string | undefined {
    if (this.state === 'closed') return undefined;
    if (this.state === 'open') {
      const wait = this.openedAt + this.options.resetMs - now;
      if (wait > 0) return this.refusal(Math.ceil(wait / 1000));
      this.set('half-open');
    }
    if (this.probing) return this.refusal(0);
    this.probing = true;
    return undefined;
  }

  success(): void {
    this.consecutive = 0;
    this.probing = false;
    if (this.state !== 'closed') this.set('closed');
  }

  failure(now = Date.now()): void {
    this.probing = false;
    this.consecutive++;
    if (this.state === 'half-open' || (this.state === 'closed' && this.consecutive >= this.options.failures)) {
      this.openedAt = now;
      this.set('open');
    }
  }

  /** A call that ended without a verdict (cancelled by its client): a half-open breaker lets the next call probe. */
  release(): void {
    this.probing = false;
  }

  private set(state: CircuitState): void {
    this.state = state;
    this.onChange?.(state);
  }

  private refusal(seconds: number): string {
    const when = seconds > 0 ? `calls fail fast for another ${seconds} s, then one probe call checks it` : 'a probe call is checking whether it is back';
    return `server "${this.server}" is failing (${this.consecutive} consecutive failed calls), so the hub stopped calling it for now: ${when}. hub_status shows its last error.`;
  }
}

/** At most `max` calls at once; the rest wait in arrival order. */
export class ConcurrencyLimit {
  active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {}

  /** Takes a slot if one is free now. */
  tryAcquire(): boolean {
    if (this.active >= this.max) return false;
    this.active++;
    return true;
  }

  /** Waits for a slot; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason instanceof Error ? signal!.reason : new Error(String(signal!.reason ?? 'cancelled')));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter.
    if (next) next();
    else this.active--;
  }

  get queued(): number {
    return this.waiting.length;
  }
}
