import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NonceScanner } from './scanner';
import { NONCE_SPACE } from './sha256';
import { digestValue } from './target';
import { bytesUpTo, patternBytes, referenceHeaderDigest } from './test-helpers';

const nonces = fc.bigInt({ min: 0n, max: NONCE_SPACE - 1n });

/** Checks the scanner's verdict on one nonce against node:crypto, on both sides of its digest. */
function checkOne(prefix: Uint8Array, nonce: bigint): void {
  const value = digestValue(referenceHeaderDigest(prefix, nonce));
  const scan = (target: bigint) => new NonceScanner(prefix, target).scan(nonce, 1);
  // Equal first words: decided by the full comparison.
  assert.equal(scan(value)?.nonce, nonce, `length ${prefix.length}: digest itself as target`);
  assert.equal(scan(value - 1n), null, `length ${prefix.length}: one below the digest`);
  // First word strictly below the target's: decided by the kernel alone.
  assert.equal(scan(((value >> 224n) + 1n) << 224n)?.nonce, nonce, `length ${prefix.length}: next top word`);
  if (value >> 224n > 0n) assert.equal(scan(((value >> 224n) << 224n) - 1n), null);
}

/** The first nonce in [start, start + count) meeting `target`, by node:crypto. */
function bruteForce(prefix: Uint8Array, target: bigint, start: bigint, count: number) {
  for (let i = 0; i < count; i++) {
    const nonce = (start + BigInt(i)) % NONCE_SPACE;
    const hash = referenceHeaderDigest(prefix, nonce);
    if (digestValue(hash) <= target) return { nonce, hash, hashed: i + 1 };
  }
  return null;
}

describe('NonceScanner', () => {
  it('judges a nonce like node:crypto for every prefix length 0..200', () => {
    for (let length = 0; length <= 200; length++) {
      const prefix = patternBytes(length, 3);
      for (const nonce of [0n, 0xfffffffen, 0x8000000000000001n, NONCE_SPACE - 1n]) checkOne(prefix, nonce);
    }
  });

  it('judges random nonces like node:crypto', () => {
    fc.assert(
      fc.property(bytesUpTo(200), nonces, (prefix, nonce) => checkOne(prefix, nonce)),
      { numRuns: 300 },
    );
  });

  it('finds the first meeting nonce of a range, across segment boundaries', () => {
    // About one nonce in 32 meets this target.
    const target = 1n << 251n;
    // Ranges that cross a 2^32 boundary, the 2^64 wrap, and (for prefixes ending 57..59 bytes into
    // a block, where the nonce straddles two blocks) 2^8, 2^16 and 2^24 boundaries.
    const starts = [
      0n,
      0x1_0000_0000n - 150n,
      NONCE_SPACE - 150n,
      0x1_00n - 100n,
      0x1_00_00n - 100n,
      0x1_00_00_00n - 77n,
    ];
    for (const length of [0, 1, 28, 47, 48, 55, 56, 57, 58, 59, 60, 63, 64, 92, 121, 122, 123, 124, 200]) {
      const prefix = patternBytes(length, 5);
      const scanner = new NonceScanner(prefix, target);
      for (const start of starts) {
        let from = start;
        // Walk the range hit by hit, as the miner does.
        for (let left = 300; left > 0; ) {
          const expected = bruteForce(prefix, target, from, left);
          const actual = scanner.scan(from, left);
          assert.deepEqual(actual, expected, `length ${length} from ${from}`);
          if (!actual) break;
          from = (actual.nonce + 1n) % NONCE_SPACE;
          left -= actual.hashed;
        }
      }
    }
  });

  it('matches brute force on random prefixes and ranges', () => {
    fc.assert(
      fc.property(bytesUpTo(200), nonces, fc.integer({ min: 1, max: 200 }), (prefix, start, count) => {
        const target = 1n << 250n;
        assert.deepEqual(
          new NonceScanner(prefix, target).scan(start, count),
          bruteForce(prefix, target, start, count),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('meets everything with the largest target and nothing with a zero one', () => {
    const prefix = patternBytes(80);
    assert.equal(new NonceScanner(prefix, 1n << 256n).scan(7n, 10)?.nonce, 7n);
    assert.equal(new NonceScanner(prefix, 0n).scan(7n, 10_000), null);
    assert.throws(() => new NonceScanner(prefix, -1n), RangeError);
  });
});
