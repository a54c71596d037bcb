import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACTIVE_MS, FairBucket, RateLimiter, TokenBucket } from './rate-limit';

describe('rate limits', () => {
  test('a token bucket grants its burst, then refills at its rate', () => {
    const bucket = new TokenBucket({ burst: 3, perSecond: 2 }, 0);
    assert.deepEqual(
      [0, 0, 0].map((t) => bucket.take(t)),
      [0, 0, 0],
    );
    assert.equal(bucket.take(0), 500, 'one token in 500 ms');
    assert.equal(bucket.take(250), 250);
    assert.equal(bucket.take(500), 0);
    assert.equal(bucket.take(10_000), 0);
    assert.equal(bucket.take(10_000), 0);
    assert.equal(bucket.take(10_000), 0, 'refilled to the burst, no more');
    assert.ok(bucket.take(10_000) > 0);
  });

  test('a token bucket can be told to keep some tokens', () => {
    const bucket = new TokenBucket({ burst: 4, perSecond: 1 }, 0);
    assert.equal(bucket.take(0, 2), 0);
    assert.equal(bucket.take(0, 2), 0);
    assert.equal(bucket.take(0, 2), 1000, 'two left: taking one would leave fewer than two');
    assert.equal(bucket.take(0), 0);
    assert.equal(bucket.take(0), 0);
    assert.equal(bucket.take(0), 1000);
  });

  test('per connection, plus global buckets for everything and for POSTs', () => {
    let now = 0;
    // Reserves: a quarter of each global burst (2 of 8, 1 of 4).
    const limiter = new RateLimiter(
      {
        perConnection: { burst: 2, perSecond: 1 },
        global: { burst: 8, perSecond: 1 },
        globalPost: { burst: 4, perSecond: 1 },
      },
      () => now,
    );
    const [a, b, c, d, e] = [{}, {}, {}, {}, {}];
    assert.equal(limiter.check(a, false), 0);
    assert.equal(limiter.check(a, true), 0);
    assert.ok(limiter.check(a, false) > 0, 'a has spent its own burst');
    assert.equal(limiter.check(b, true), 0);
    assert.equal(limiter.check(b, true), 0);
    assert.equal(limiter.check(c, true), 0);
    assert.ok(limiter.check(d, true) > 0, 'four POSTs server-wide');
    assert.equal(limiter.check(e, false), 0, 'GETs still pass');
    assert.ok(limiter.check(c, false) > 0, 'the global reserve is kept from c, past its share');
    now += 3 * 1000;
    assert.equal(limiter.check(d, true), 0);
  });

  test('past its share a client gets only what is above the reserve; within it, any token', () => {
    let now = 0;
    const bucket = new FairBucket({ burst: 8, perSecond: 4 }, now);
    const [heavy, light] = [{}, {}];
    let taken = 0;
    while (bucket.take(heavy, now) === 0) taken++;
    assert.equal(taken, 6, 'the heavy client stops at the reserve (2 of 8)');
    assert.equal(bucket.take(light, now), 0, 'a light client takes from the reserve');
    assert.equal(bucket.active(now), 2);
    now += ACTIVE_MS;
    assert.equal(bucket.active(now), 0, 'quiet clients are forgotten');
  });

  test('60 clients asking without pause, and one asking twice a second: the one is always served, and the global rate still holds', () => {
    let now = 0;
    const limits = { perConnection: { burst: 60, perSecond: 20 }, global: { burst: 300, perSecond: 150 } };
    const limiter = new RateLimiter({ ...limits, globalPost: { burst: 200, perSecond: 50 } }, () => now);
    const heavy = Array.from({ length: 60 }, () => ({}));
    const light = {};
    let lightServed = 0;
    let served = 0;
    // 20 s in 10-ms steps: each heavy client asks every 60 ms, under its own limit (20 a second).
    for (let step = 0; step < 2000; step++) {
      now = step * 10;
      for (const [i, h] of heavy.entries())
        if ((step + i) % 6 === 0 && limiter.check(h, false) === 0) served++;
      if (step % 50 === 0 && limiter.check(light, false) === 0) {
        lightServed++;
        served++;
      }
    }
    assert.equal(lightServed, 40, 'every one of the light client’s 40 requests');
    assert.ok(served <= limits.global.burst + limits.global.perSecond * 20, `${served} served in 20 s`);
  });
});
