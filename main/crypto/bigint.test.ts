import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bitLength, fromBytes, jacobi, mod, modInverse, toBytes, toHex } from './bigint';
import { powModPlain } from './primes';

describe('bigint helpers', () => {
  test('Jacobi symbol equals Euler’s criterion modulo odd primes', () => {
    const primes = [3n, 5n, 7n, 11n, 13n, 101n, 7919n, 2147483647n];
    fc.assert(
      fc.property(fc.constantFrom(...primes), fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), (p, a) => {
        const euler = powModPlain(mod(a, p), (p - 1n) / 2n, p);
        const expected = euler === 0n ? 0 : euler === 1n ? 1 : -1;
        assert.equal(jacobi(a, p), expected);
      }),
    );
  });

  test('Jacobi symbol of composites: multiplicative in the modulus', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), (a) => {
        // + 0 turns the product's −0 into 0 for the strict comparison
        assert.equal(jacobi(a, 15n), jacobi(a, 3n) * jacobi(a, 5n) + 0);
      }),
    );
    assert.throws(() => jacobi(3n, 8n), RangeError);
  });

  test('modular inverse', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 7918n }), (a) => {
        assert.equal((a * modInverse(a, 7919n)) % 7919n, 1n);
      }),
    );
    assert.throws(() => modInverse(6n, 9n), /not invertible/);
  });

  test('fixed-width bytes and hex round-trip and refuse what does not fit', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (x) => {
        assert.equal(fromBytes(toBytes(x, 32)), x);
        assert.equal(BigInt(`0x${toHex(x, 64)}`), x);
        assert.equal(toHex(x, 64).length, 64);
      }),
    );
    assert.throws(() => toBytes(256n, 1), RangeError);
    assert.throws(() => toHex(-1n, 4), RangeError);
    assert.equal(bitLength(0n), 0);
    assert.equal(bitLength(255n), 8);
  });
});
