import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FixedBaseTable } from './fixed-base';
import { bigintBackend, createPowBackend } from './modexp';
import { powModPlain } from './primes';
import { group } from './testing';

const { p, q } = group;
const openssl = createPowBackend(p, 'auto');
const plain = bigintBackend(p);
const anyExponent = fc.bigInt({ min: 0n, max: (1n << 2100n) - 1n });
const anyBase = fc.bigInt({ min: -(p * 2n), max: p * 2n });

describe('modexp backends', () => {
  test('OpenSSL is selected on Node (it passes the self-test here)', () => {
    assert.equal(openssl.name, 'openssl');
    assert.equal(createPowBackend(p, 'bigint').name, 'bigint');
  });

  test('both backends agree with square-and-multiply on any base and exponent', () => {
    fc.assert(
      fc.property(anyBase, anyExponent, (x, e) => {
        const expected = powModPlain(((x % p) + p) % p, e, p);
        assert.equal(openssl.pow(x, e), expected);
        assert.equal(plain.pow(x, e), expected);
      }),
      { numRuns: 15 },
    );
  });

  test('edge cases OpenSSL refuses are answered correctly through the fallback', () => {
    for (const [x, e] of [
      [0n, 5n],
      [1n, q],
      [p - 1n, 3n],
      [p - 1n, 4n],
      [5n, 0n],
      [5n, q],
      [5n, p + 7n],
      [p + 5n, 3n],
    ] as const) {
      assert.equal(openssl.pow(x, e), powModPlain(x % p, e, p), `${x}^${e}`);
      assert.equal(plain.pow(x, e), powModPlain(x % p, e, p), `${x}^${e}`);
    }
  });

  test('simultaneous multi-exponentiation equals the product of the powers', () => {
    fc.assert(
      fc.property(anyBase, anyExponent, anyBase, anyExponent, (x, e, y, f) => {
        const expected = (openssl.pow(x, e) * openssl.pow(y, f)) % p;
        assert.equal(
          plain.powProduct([
            [x, e],
            [y, f],
          ]),
          expected,
        );
        assert.equal(
          openssl.powProduct([
            [x, e],
            [y, f],
          ]),
          expected,
        );
      }),
      { numRuns: 8 },
    );
  });

  test('fixed-base table: powers of a small modulus exhaustively, and its exponent bound', () => {
    const table = new FixedBaseTable(3n, 1019n, 2);
    for (let e = 0n; e < 1n << 16n; e += 97n) assert.equal(table.pow(e), powModPlain(3n, e, 1019n));
    assert.throws(() => table.pow(1n << 16n), RangeError);
    assert.throws(() => table.pow(-1n), RangeError);
  });
});
