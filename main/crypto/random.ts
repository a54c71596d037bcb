// Where proofs and keys get their randomness. Production uses the operating system's CSPRNG;
// known-answer tests replay a fixed list, in the drawing order docs/CRYPTO.md specifies.
import { randomBytes } from 'node:crypto';
import { bitLength, fromBytes } from './bigint';

export interface Randomness {
  /** A uniform scalar in [1, q): nonces and secret keys. */
  scalar(q: bigint): bigint;
  /** A uniform 256-bit challenge in [0, 2^256): the simulated branch of a disjunctive proof. */
  challenge(): bigint;
}

/**
 * Rejection sampling: draw bitLength(q) random bits, retry until the value lands in [1, q). No
 * modular reduction, hence no bias. (Zero is excluded as well: it would give the identity, which
 * every receiver refuses; the distance from uniform on [0, q) is 1/q.)
 */
export const systemRandomness: Randomness = {
  scalar(q) {
    const bits = bitLength(q);
    const bytes = Math.ceil(bits / 8);
    const excess = BigInt(bytes * 8 - bits);
    for (;;) {
      const candidate = fromBytes(randomBytes(bytes)) >> excess;
      if (candidate > 0n && candidate < q) return candidate;
    }
  },
  challenge() {
    return fromBytes(randomBytes(32));
  },
};

/** Replays `values` in order, for known-answer tests; throws when they run out or misfit. */
export function fixedRandomness(values: readonly bigint[]): Randomness {
  let next = 0;
  const take = (limit: bigint, floor: bigint): bigint => {
    const value = values[next++];
    if (value === undefined) throw new Error('fixed randomness exhausted');
    if (value < floor || value >= limit) throw new RangeError('fixed random value out of range');
    return value;
  };
  return { scalar: (q) => take(q, 1n), challenge: () => take(1n << 256n, 0n) };
}

/**
 * A fresh uniform 128-bit weight for small-exponent batch verification. Always from the system
 * CSPRNG: a weight the prover could predict would let errors in two equations cancel.
 */
export function batchWeight(): bigint {
  return fromBytes(randomBytes(16));
}

/** `count` such weights from one draw of the CSPRNG (a batch of 1,000 ballots needs 5,000). */
export function batchWeights(count: number): bigint[] {
  const bytes = randomBytes(16 * count);
  return Array.from({ length: count }, (_, k) => fromBytes(bytes.subarray(16 * k, 16 * k + 16)));
}
