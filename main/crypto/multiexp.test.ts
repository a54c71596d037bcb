import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { multiExp } from './multiexp';
import { powModPlain } from './primes';
import { group } from './testing';

const { p } = group;

/** Π base^exponent, one power at a time. */
const naive = (m: bigint, bases: readonly bigint[], exponents: readonly bigint[]) =>
  bases.reduce((acc, base, k) => (acc * powModPlain(((base % m) + m) % m, exponents[k]!, m)) % m, 1n);

describe('multi-exponentiation (Bos–Coster)', () => {
  test('equals the product of the powers, for any bases and exponents of mixed sizes', () => {
    const term = fc.tuple(
      fc.bigInt({ min: -(p * 2n), max: p * 2n }),
      fc.oneof(
        fc.bigInt({ min: 0n, max: (1n << 130n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 400n) - 1n }),
      ),
    );
    fc.assert(
      fc.property(fc.array(term, { minLength: 0, maxLength: 40 }), (terms) => {
        const bases = terms.map(([b]) => b);
        const exponents = terms.map(([, e]) => e);
        assert.equal(multiExp(p, bases, exponents), naive(p, bases, exponents));
      }),
      { numRuns: 12 },
    );
  });

  test('a small modulus exhaustively-ish: zeros, ones, repeated bases, p − 1', () => {
    const m = 1019n;
    const bases = [0n, 1n, m - 1n, 2n, 2n, 3n, 1000n, m + 5n];
    for (let e = 0n; e < 600n; e += 37n) {
      const exponents = bases.map((_, k) => (e * BigInt(k + 1)) % 700n);
      assert.equal(multiExp(m, bases, exponents), naive(m, bases, exponents));
    }
    assert.equal(multiExp(m, [], []), 1n);
    assert.equal(multiExp(m, [5n], [0n]), 1n);
  });

  test('exponents spread far apart take the quotient step: one huge among small ones, powers of two, equal ones', () => {
    const bases = Array.from({ length: 12 }, (_, k) => group.powG(BigInt(k + 2)));
    const cases = [
      bases.map((_, k) => (k === 0 ? (1n << 2000n) + 7n : BigInt(k))),
      bases.map((_, k) => 1n << BigInt(k * 37)),
      bases.map(() => (1n << 300n) - 1n),
      bases.map((_, k) => (k % 2 === 0 ? 0n : 3n ** 200n)),
      [1n << 385n, ...bases.slice(1).map(() => 1n)],
    ];
    for (const exponents of cases) assert.equal(multiExp(p, bases, exponents), naive(p, bases, exponents));
  });

  test('many bases: the result stays exact', () => {
    const bases = Array.from({ length: 600 }, (_, k) => group.powG(BigInt(k + 2)));
    const exponents = bases.map((_, k) => (BigInt(k) << 120n) + 12345n * BigInt(k));
    assert.equal(multiExp(p, bases, exponents), naive(p, bases, exponents));
  });

  test('refuses a negative exponent and mismatched lengths', () => {
    assert.throws(() => multiExp(p, [2n], [-1n]), RangeError);
    assert.throws(() => multiExp(p, [2n, 3n], [1n]), RangeError);
  });
});
