import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  bitLength,
  fromBytes,
  type JacobiTrace,
  jacobi,
  jacobiEuclid,
  jacobiLehmer,
  mod,
  modInverse,
  toBytes,
  toHex,
} from './bigint';
import { RFC3526_MODP_2048 } from './group';
import { powModPlain } from './primes';

/** Reproducible random-looking numbers: SHA-256 of a seed and a counter. */
function stream(seed: string) {
  let counter = 0;
  const word = (): bigint => BigInt(`0x${createHash('sha256').update(`${seed}/${counter++}`).digest('hex')}`);
  const bits = (count: number): bigint => {
    let x = 0n;
    for (let have = 0; have < count; have += 256) x = (x << 256n) | word();
    return BigInt.asUintN(count, x);
  };
  const below = (limit: number): number => Number(bits(32) % BigInt(limit));
  /** `count` bits made of runs of zeros and ones, 1 to 200 bits long: long carries and borrows. */
  const runs = (count: number): bigint => {
    let x = 0n;
    let bit = below(2);
    for (let have = 0; have < count; bit ^= 1) {
      const length = Math.min(count - have, 1 + (below(4) === 0 ? below(200) : below(30)));
      x = (x << BigInt(length)) | (bit ? (1n << BigInt(length)) - 1n : 0n);
      have += length;
    }
    return x;
  };
  return { bits, below, runs };
}

const P = RFC3526_MODP_2048.p;

/** Numbers that stress the limb code against modulus n: sizes, signs, runs, powers of two. */
function hardValues(n: bigint, seed: string, sizeStep: number, powerStep: number): bigint[] {
  const rng = stream(seed);
  const bitsN = bitLength(n);
  const values = [0n, 1n, 2n, 3n, n - 1n, n, n + 1n, 2n * n, 7n * n, -n, -1n, -2n, n - 2n, (n - 1n) / 2n];
  for (let size = 1; size <= bitsN + 70; size += sizeStep) {
    const exact = rng.bits(size) | (1n << BigInt(size - 1)); // exactly `size` bits
    // one of each kind per size, or one per size in turn when every size is taken
    if (sizeStep > 1 || size % 3 === 0) values.push(exact);
    if (sizeStep > 1 || size % 3 === 1) values.push(-exact);
    if (sizeStep > 1 || size % 3 === 2) values.push(rng.runs(size));
  }
  for (let k = 0; k <= bitsN + 8; k += 1 + rng.below(powerStep)) {
    const power = 1n << BigInt(k);
    values.push(power, power - 1n, power + 1n, n - power, n - power + 1n, n - power - 1n, n + power);
    values.push((power - 1n) << BigInt(rng.below(100)));
  }
  return values;
}

function assertAgrees(a: bigint, n: bigint): void {
  const expected = jacobiEuclid(a, n);
  const trace: JacobiTrace = { rounds: 0, longSteps: 0, fellBack: false };
  const got = jacobiLehmer(a, n, Number.POSITIVE_INFINITY, trace);
  if (got !== expected) assert.fail(`jacobi(${a}, ${n}) = ${got}, the reference says ${expected}`);
  if (trace.fellBack) assert.fail(`jacobi(${a}, ${n}) fell back on the reference`);
  assert.equal(jacobi(a, n), got);
}

/** [n, a], coprime, with n/a = [q0; q1, q2, …]: the Euclidean algorithm's quotients are the qs. */
function fromQuotients(quotients: readonly bigint[]): [bigint, bigint] {
  let [x, y] = [1n, 0n];
  for (let i = quotients.length - 1; i >= 0; i--) [x, y] = [quotients[i]! * x + y, x];
  return [x, y];
}

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

  test('Jacobi symbol: every a < n for every odd n < 200, against the reference', () => {
    for (let n = 1n; n < 200n; n += 2n) {
      for (let a = 0n; a < n; a++) assertAgrees(a, n);
      assert.equal(jacobi(0n, n), n === 1n ? 1 : 0);
    }
  });

  test('Jacobi symbol modulo the group prime: squares are members, their negatives are not', () => {
    // p ≡ 3 (mod 4) and ≡ 7 (mod 8): −1 is a non-residue, 2 a residue; facts, not the reference.
    const rng = stream('squares');
    assert.equal(jacobi(2n, P), 1);
    assert.equal(jacobi(-1n, P), -1);
    for (let i = 0; i < 200; i++) {
      const x = rng.bits(2048) % P;
      if (x === 0n) continue;
      const square = (x * x) % P;
      assert.equal(jacobi(square, P), 1);
      assert.equal(jacobi(P - square, P), -1);
    }
    for (let i = 0; i < 3; i++) {
      const x = rng.bits(2040);
      const euler = powModPlain(x, (P - 1n) / 2n, P);
      assert.equal(jacobi(x, P), euler === 1n ? 1 : -1);
    }
  });

  test('Jacobi symbol agrees with the reference on 2048- and 4096-bit moduli', () => {
    const rng = stream('moduli');
    const moduli = [
      P,
      rng.bits(2048) | (1n << 2047n) | 1n,
      rng.runs(2048) | (1n << 2047n) | 1n,
      rng.bits(4096) | (1n << 4095n) | 1n,
      (1n << 4095n) + 1n,
      (1n << 2048n) - 1n,
    ];
    for (const [i, n] of moduli.entries()) {
      // every size of a for the group prime, every 7th (29th) for the other 2048 (4096)-bit ones
      const big = n > 1n << 3000n;
      for (const a of hardValues(n, `hard/${i}`, n === P ? 1 : big ? 29 : 7, big ? 120 : 40))
        assertAgrees(a, n);
      for (let j = 0; j < 50; j++) assertAgrees(rng.bits(bitLength(n) + 8), n);
    }
  });

  test('Jacobi symbol of random 2048-bit values takes the fast path: ~86 rounds, no bigint division', () => {
    const rng = stream('fast path');
    const trace: JacobiTrace = { rounds: 0, longSteps: 0, fellBack: false };
    const count = 300;
    for (let i = 0; i < count; i++) {
      const a = rng.bits(2048) % P;
      assert.equal(jacobiLehmer(a, P, Number.POSITIVE_INFINITY, trace), jacobiEuclid(a, P));
    }
    assert.ok(trace.rounds / count < 95, `${trace.rounds / count} rounds per symbol`);
    assert.ok(trace.longSteps <= 3, `${trace.longSteps} quotients taken on bigint`);
    assert.equal(trace.fellBack, false);
  });

  test('Jacobi symbol agrees with the reference on moduli of every size up to 600 bits', () => {
    const rng = stream('sizes');
    for (let bits = 2; bits <= 600; bits++) {
      const n = rng.bits(bits) | (1n << BigInt(bits - 1)) | 1n;
      for (let j = 0; j < 6; j++)
        assertAgrees(j < 3 ? rng.bits(bits + 10) : rng.runs(1 + rng.below(bits)), n);
      assertAgrees(-rng.bits(bits), n);
      assertAgrees(n - (1n << BigInt(rng.below(bits))), n);
    }
  });

  test('Jacobi symbol is 0 when a shares a factor with a composite n', () => {
    const rng = stream('composite');
    for (let i = 0; i < 200; i++) {
      const f = rng.bits(1 + rng.below(1200)) | 1n;
      const m = rng.bits(1 + rng.below(1200)) | 1n;
      if (f === 1n) continue;
      const n = f * m;
      const a = f * rng.bits(1 + rng.below(1300));
      assert.equal(jacobi(a, n), 0);
      assert.equal(jacobiEuclid(a, n), 0);
      assertAgrees(a + 1n, n);
    }
    // a perfect square modulus: (a/m²) = (a/m)² is 1 for a coprime to m, 0 otherwise
    const m = rng.bits(1024) | 1n;
    assert.equal(jacobi(rng.bits(1500) * m + 1n, m * m), 1);
  });

  test('Jacobi symbol with large partial quotients: certain quotients only, long ones on bigint', () => {
    // Continued fractions mixing 1s with quotients near the limits of the doubles (2^20 … 2^60)
    // and far beyond them: quotients that the top 52 bits cannot fix, or only just.
    const rng = stream('quotients');
    const trace: JacobiTrace = { rounds: 0, longSteps: 0, fellBack: false };
    let checked = 0;
    while (checked < 400) {
      const quotients: bigint[] = [];
      for (let length = 0; length < 2200; ) {
        const kind = rng.below(10);
        const q =
          kind < 6
            ? BigInt(1 + rng.below(3))
            : kind < 9
              ? rng.bits(20 + rng.below(41)) + 1n
              : rng.bits(61 + rng.below(300)) + 1n;
        quotients.push(q);
        length += bitLength(q) + 1;
      }
      const [n, a] = fromQuotients(quotients);
      if ((n & 1n) === 0n) continue;
      const expected = jacobiEuclid(a, n);
      assert.equal(jacobiLehmer(a, n, Number.POSITIVE_INFINITY, trace), expected);
      const g = rng.bits(30) | 1n; // and with a common factor
      assert.equal(jacobi(a * g, n * g), g === 1n ? expected : 0);
      checked++;
    }
    assert.ok(trace.longSteps > 100, `only ${trace.longSteps} long steps taken`);
    assert.equal(trace.fellBack, false);
  });

  test('Jacobi symbol: a round budget that runs out hands the exact state to the reference', () => {
    const rng = stream('fallback');
    const [cfN, cfA] = fromQuotients([
      1n,
      1n << 80n,
      2n,
      5n,
      1n << 30n,
      3n,
      1n << 200n,
      1n,
      7n,
      1n << 26n,
      1n,
      1n,
    ]);
    const inputs: [bigint, bigint][] = [
      [rng.bits(2048) % P, P],
      [rng.bits(1000), P],
      [3n, P],
      [P - 1n, P],
      [-(rng.bits(300) + 1n), rng.bits(512) | (1n << 511n) | 1n],
      [rng.runs(800), rng.runs(800) | 1n],
      [cfA, cfN],
    ];
    for (const [a, n] of inputs) {
      if ((n & 1n) === 0n) continue;
      const full: JacobiTrace = { rounds: 0, longSteps: 0, fellBack: false };
      const expected = jacobiLehmer(a, n, Number.POSITIVE_INFINITY, full);
      assert.equal(expected, jacobiEuclid(a, n));
      assert.equal(full.fellBack, false);
      for (let budget = 0; budget <= full.rounds + 1; budget++) {
        const trace: JacobiTrace = { rounds: 0, longSteps: 0, fellBack: false };
        assert.equal(jacobiLehmer(a, n, budget, trace), expected, `budget ${budget} for (${a}/${n})`);
        assert.equal(trace.fellBack, budget < full.rounds, `budget ${budget} of ${full.rounds}`);
        assert.equal(trace.rounds, Math.min(budget, full.rounds));
      }
    }
  });

  test('Jacobi symbol refuses an even or non-positive modulus', () => {
    for (const f of [jacobi, jacobiEuclid, jacobiLehmer]) {
      for (const n of [0n, -1n, -3n, 2n, 8n, P + 1n]) assert.throws(() => f(3n, n), RangeError);
    }
  });
});
