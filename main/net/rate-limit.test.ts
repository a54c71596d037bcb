import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RateLimiter, TokenBucket } from './rate-limit';

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

  test('per connection, plus global buckets for everything and for POSTs', () => {
    let now = 0;
    const limiter = new RateLimiter(
      {
        perConnection: { burst: 2, perSecond: 1 },
        global: { burst: 6, perSecond: 1 },
        globalPost: { burst: 3, perSecond: 1 },
      },
      () => now,
    );
    const [a, b, c, d] = [{}, {}, {}, {}];
    assert.equal(limiter.check(a, false), 0);
    assert.equal(limiter.check(a, true), 0);
    assert.ok(limiter.check(a, false) > 0, 'a has spent its own burst');
    assert.equal(limiter.check(b, true), 0);
    assert.equal(limiter.check(b, true), 0);
    assert.ok(limiter.check(c, true) > 0, 'three POSTs server-wide');
    assert.equal(limiter.check(c, false), 0, 'GETs still pass');
    assert.ok(limiter.check(d, false) > 0, 'seven requests server-wide');
    now += 1000;
    assert.equal(limiter.check(d, true), 0);
  });
});
