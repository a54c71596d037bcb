import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bitLength } from './bigint';
import { fixedRandomness, systemRandomness } from './random';
import { group } from './testing';

describe('randomness', () => {
  test('scalars land in [1, q) and use the full width; tiny moduli exercise the rejection loop', () => {
    const samples = Array.from({ length: 200 }, () => systemRandomness.scalar(group.q));
    assert.ok(samples.every((s) => s > 0n && s < group.q));
    assert.ok(samples.some((s) => bitLength(s) === bitLength(group.q)));
    assert.equal(new Set(samples).size, samples.length);
    // q = 5 needs 3 bits: values 0, 5, 6, 7 are rejected; all of 1..4 must appear, nothing else.
    const small = new Set(Array.from({ length: 400 }, () => systemRandomness.scalar(5n)));
    assert.deepEqual([...small].sort(), [1n, 2n, 3n, 4n]);
  });

  test('challenges are 256-bit', () => {
    const c = Array.from({ length: 64 }, () => systemRandomness.challenge());
    assert.ok(c.every((x) => x >= 0n && x < 1n << 256n));
    assert.ok(c.some((x) => bitLength(x) > 250));
  });

  test('fixed randomness replays its values in order and refuses misfits', () => {
    const rng = fixedRandomness([3n, 7n]);
    assert.equal(rng.scalar(10n), 3n);
    assert.equal(rng.challenge(), 7n);
    assert.throws(() => rng.scalar(10n), /exhausted/);
    assert.throws(() => fixedRandomness([0n]).scalar(10n), RangeError);
    assert.throws(() => fixedRandomness([10n]).scalar(10n), RangeError);
  });
});
