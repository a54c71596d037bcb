// Token buckets for the peer API. Keys are connections (socket objects) or, where tor says which
// circuit a connection came over, that circuit: never remote addresses. Behind Tor every connection
// arrives from 127.0.0.1, so an address-based limit or ban would shut out every peer at once. A
// per-connection bucket slows one flooding connection; global buckets bound what many connections
// do together: one for every request, a tighter one for POSTs (they cost proof verification and
// disk writes). A connection is cheap to open, hence the global ones.
//
// The global buckets are shared fairly (max-min): each client active in the last ACTIVE_MS has a
// share of the global rate (rate / active clients). Requests within a client's share may take the
// global bucket's last tokens; requests beyond it only what is above a reserve. So 60 connections
// each just under the per-connection limit can still take everything the others leave, but no
// longer the tokens a light client (an honest peer syncing) needs: before, the first to ask after
// each refill got them, and an honest peer was refused on half of its requests.

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

/** A client that asked nothing for this long no longer counts in the fair shares. */
export const ACTIVE_MS = 2000;
/** The part of a global burst kept for requests within their client's share. */
export const RESERVE_FRACTION = 0.25;
/** A share holds at least this many tokens, so that a client's small bursts stay within it. */
const MIN_SHARE_BURST = 3;

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

  /**
   * Takes one token if at least `keep` remain after it: 0 if granted, else the milliseconds until
   * it would be.
   */
  take(now: number, keep = 0): number {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.perSecond);
    this.updatedAt = now;
    if (this.tokens >= 1 + keep) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 + keep - this.tokens) / this.limit.perSecond) * 1000);
  }
}

interface Share {
  tokens: number;
  updatedAt: number;
}

/**
 * A global bucket shared max-min fairly between the clients asking of it. Each active client's
 * share refills at `perSecond / active` (its burst: `burst / active`, at least MIN_SHARE_BURST);
 * a request within its share may take any token, one beyond it only tokens above the reserve.
 * Shares add up to the bucket's rate, so the reserve is refilled as fast as shares can drain it.
 */
export class FairBucket {
  private readonly pool: TokenBucket;
  private readonly reserve: number;
  /** Active clients, least recently seen first (a Map keeps insertion order; seen = re-inserted). */
  private readonly shares = new Map<unknown, Share>();

  constructor(
    private readonly limit: BucketLimit,
    now: number,
  ) {
    this.pool = new TokenBucket(limit, now);
    this.reserve = limit.burst * RESERVE_FRACTION;
  }

  /** Active clients now (after forgetting the idle ones). */
  active(now: number): number {
    this.forgetIdle(now);
    return this.shares.size;
  }

  take(client: unknown, now: number): number {
    this.forgetIdle(now);
    const previous = this.shares.get(client);
    this.shares.delete(client);
    // A new client starts with one token: enough for its first request, not a burst to be had by
    // reconnecting.
    const share = previous ?? { tokens: 1, updatedAt: now };
    this.shares.set(client, share);
    const active = this.shares.size;
    const burst = Math.max(MIN_SHARE_BURST, this.limit.burst / active);
    const elapsed = Math.max(0, now - share.updatedAt) / 1000;
    share.tokens = Math.min(burst, share.tokens + (elapsed * this.limit.perSecond) / active);
    share.updatedAt = now;
    const withinShare = share.tokens >= 1;
    const wait = this.pool.take(now, withinShare ? 0 : this.reserve);
    if (wait === 0 && withinShare) share.tokens -= 1;
    return wait;
  }

  private forgetIdle(now: number): void {
    for (const [client, share] of this.shares) {
      if (now - share.updatedAt < ACTIVE_MS) break;
      this.shares.delete(client);
    }
  }
}

export class RateLimiter {
  /** Weak: a closed connection's bucket goes with its socket. */
  private readonly perConnection = new WeakMap<object, TokenBucket>();
  private readonly global: FairBucket;
  private readonly globalPost: FairBucket;

  constructor(
    readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.global = new FairBucket(limits.global, now());
    this.globalPost = new FairBucket(limits.globalPost, now());
  }

  /**
   * Charges one request on `connection`, from `client` (the connection itself, or the Tor circuit
   * it came over): 0 if allowed, else the milliseconds to wait. Buckets are charged in order
   * (connection, global, POST) and the first refusal stops: a flooding connection spends its own
   * tokens, not everyone's. (A request refused by a later bucket has still spent the earlier ones'
   * token: it was sent, after all.)
   */
  check(connection: object, isPost: boolean, client: unknown = connection): number {
    const now = this.now();
    let bucket = this.perConnection.get(connection);
    if (!bucket) {
      bucket = new TokenBucket(this.limits.perConnection, now);
      this.perConnection.set(connection, bucket);
    }
    const wait = bucket.take(now) || this.global.take(client, now);
    if (wait > 0 || !isPost) return wait;
    return this.globalPost.take(client, now);
  }
}
