// Token buckets for the peer API. Keys are connections (socket objects), never remote addresses:
// behind Tor every connection arrives from 127.0.0.1, so an address-based limit or ban would shut
// out every peer at once. A per-connection bucket slows one flooding connection; global buckets
// bound what many connections do together: one for every request, a tighter one for POSTs (they
// cost proof verification and disk writes). A connection is cheap to open, hence the global ones.

export interface BucketLimit {
  /** Tokens available at once (the burst). */
  readonly burst: number;
  /** Tokens added per second. */
  readonly perSecond: number;
}

export interface RateLimits {
  /** Every request on one connection. */
  readonly perConnection: BucketLimit;
  /** Every request across all connections. */
  readonly global: BucketLimit;
  /** POST requests across all connections. */
  readonly globalPost: BucketLimit;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  perConnection: { burst: 60, perSecond: 20 },
  global: { burst: 300, perSecond: 150 },
  globalPost: { burst: 200, perSecond: 50 },
};

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: BucketLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = now;
  }

  /** Takes one token: 0 if granted, else the milliseconds until one is available. */
  take(now: number): number {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.perSecond);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.limit.perSecond) * 1000);
  }
}

export class RateLimiter {
  /** Weak: a closed connection's bucket goes with its socket. */
  private readonly perConnection = new WeakMap<object, TokenBucket>();
  private readonly global: TokenBucket;
  private readonly globalPost: TokenBucket;

  constructor(
    readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.global = new TokenBucket(limits.global, now());
    this.globalPost = new TokenBucket(limits.globalPost, now());
  }

  /**
   * Charges one request on `connection`: 0 if allowed, else the milliseconds to wait. Buckets are
   * charged in order (connection, global, POST) and the first refusal stops: a flooding connection
   * spends its own tokens, not everyone's. (A request refused by a later bucket has still spent the
   * earlier ones' token: it was sent, after all.)
   */
  check(connection: object, isPost: boolean): number {
    const now = this.now();
    let bucket = this.perConnection.get(connection);
    if (!bucket) {
      bucket = new TokenBucket(this.limits.perConnection, now);
      this.perConnection.set(connection, bucket);
    }
    const wait = bucket.take(now) || this.global.take(now);
    if (wait > 0 || !isPost) return wait;
    return this.globalPost.take(now);
  }
}
