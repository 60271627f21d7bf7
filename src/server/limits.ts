// Request rate limits for the HTTP endpoint: token buckets (a sustained rate with a burst of twice
// that), keyed per session and per token; over the limit a request gets 429 with Retry-After.

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst = perSecond * 2,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token: 0 when allowed, else the seconds to wait before one is available. */
  take(now = Date.now()): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }

  /** Full again: nothing to remember about this key. */
  idle(now = Date.now()): boolean {
    return this.tokens + ((now - this.last) / 1000) * this.perSecond >= this.burst;
  }
}

/** Buckets by key, created on first use; full ones are dropped by sweep(), so the map stays bounded by recent clients. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly perSecond: number) {}

  take(key: string, now = Date.now()): number {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.perSecond, this.perSecond * 2, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }

  sweep(now = Date.now()): void {
    for (const [key, bucket] of this.buckets) if (bucket.idle(now)) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}
