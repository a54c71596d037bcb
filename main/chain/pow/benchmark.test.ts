import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureThreadHashrate } from './benchmark';

describe('measureThreadHashrate', () => {
  it('counts the hashes of each slice over the time measured', async () => {
    // A clock that advances 10 ms per reading: start, then one reading per slice of 2^15 nonces.
    let t = 0;
    const rate = await measureThreadHashrate({ ms: 50, now: () => (t += 10) });
    // Slices end at 10, 20, 30, 40, 50 ms after the start: 5 slices in 50 ms.
    assert.equal(rate, Math.round((5 * 2 ** 15 * 1000) / 50));
  });

  it('measures a plausible rate on this machine, without blocking the event loop for long', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    const rate = await measureThreadHashrate({ ms: 200 });
    const took = performance.now() - started;
    clearInterval(timer);
    // Even a slow, shared machine hashes well over 10,000 a second with the unrolled kernel.
    assert.ok(rate > 1e4 && rate < 1e9, `rate ${rate}`);
    assert.ok(took >= 200 && took < 5000, `took ${took} ms`);
    // Timers ran during the measurement: it yields between slices.
    assert.ok(ticks >= 3, `only ${ticks} timer ticks in ${took} ms`);
  });
});
