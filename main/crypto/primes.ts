// Probabilistic primality for validating custom group parameters. Pure bigint on purpose:
// validation must not lean on the OpenSSL backend (its DH code is a fast exponentiator, not a
// validator), and it runs once per election, so its cost does not matter.
import { randomBytes } from 'node:crypto';
import { bitLength, fromBytes } from './bigint';

const SMALL_PRIMES = (() => {
  const primes: bigint[] = [];
  for (let n = 2; primes.length < 300; n++) {
    if (primes.every((p) => BigInt(n) % p !== 0n)) primes.push(BigInt(n));
  }
  return primes;
})();

/** x^e mod m by square-and-multiply: slow but dependent on nothing but bigint. */
export function powModPlain(x: bigint, e: bigint, m: bigint): bigint {
  let result = 1n;
  let base = x % m;
  for (let exp = e; exp > 0n; exp >>= 1n) {
    if (exp & 1n) result = (result * base) % m;
    base = (base * base) % m;
  }
  return result % m;
}

/**
 * Miller–Rabin with `rounds` uniformly random bases, after trial division. With 64 rounds an
 * adversarially chosen composite passes with probability below 4^−64 = 2^−128.
 */
export function isProbablePrime(n: bigint, rounds = 64): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  const bytes = Math.ceil(bitLength(n) / 8) + 8; // 64 extra bits make the reduction's bias negligible
  for (let i = 0; i < rounds; i++) {
    const a = 2n + (fromBytes(randomBytes(bytes)) % (n - 3n)); // a ∈ [2, n−2]
    let x = powModPlain(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let witness = true;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) {
        witness = false;
        break;
      }
    }
    if (witness) return false;
  }
  return true;
}
