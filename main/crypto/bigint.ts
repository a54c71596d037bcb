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
  // A plain Uint8Array (not a Buffer), copied in one go: Uint8Array.from would copy byte by byte.
  return new Uint8Array(Buffer.from(hex.padStart(width * 2, '0'), 'hex'));
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

// ---------------------------------------------------------------------------------------------
// The Jacobi symbol. It is the membership test for every group element a peer sends (a quadratic
// residue modulo the 2048-bit safe prime), about six per ballot, and it dominated batch ballot
// verification (issue 12). Two exact implementations live here:
//
// - `jacobiEuclid`, the textbook algorithm on bigint: one bigint remainder per Euclidean step and
//   a shift per factor of two. Short enough to check by eye; it is the reference the tests compare
//   against and the fallback that finishes the job if the fast path ever gives up.
// - `jacobiLehmer`, behind `jacobi`: Lehmer's algorithm on 25-bit limbs held in doubles. Each
//   round runs the Euclidean algorithm on the top 52 bits of both numbers, in plain doubles, for
//   as many quotients as are certain to be the true ones (~14), then applies the 2×2 cofactor
//   matrix (entries ≤ 2^26) to the limbs once. ~86 rounds for 2048 bits where the reference
//   takes ~750 bigint remainders and as many runs of shifts: 7–8× faster (`jacobi_speedup` in
//   `npm run bench crypto`).
//
// The Jacobi bookkeeping follows the quotients, not the binary algorithm's factors of two, so only
// the residues mod 4 of the two numbers are needed, and they follow from the quotients. The state
// of a pair (x, y), x > y ≥ 0, gcd odd (so never both even), is: which of the two is the
// (odd) denominator, x mod 4, y mod 4, and the sign. A Euclidean step (x, y) → (y, x − q·y):
//  - y the denominator: the numerator is reduced modulo it, the symbol is unchanged;
//  - x the denominator, y odd: reciprocity, (y/x) = ±(x/y) with − when x ≡ y ≡ 3 (mod 4), then as
//    above; y becomes the denominator;
//  - x the denominator, y even: (y/x) = ±(y/(x − y)), with − when x ≡ 3 and y ≡ 2 (mod 4)
//    (from (y/x) = (−1/x)((x−y)/x), reciprocity, and (x/(x−y)) = (y/(x−y))); repeated q times,
//    x − j·y alternating mod 4 when y ≡ 2, so the sign flips ⌈q/2⌉ (x ≡ 3) or ⌊q/2⌋ (x ≡ 1)
//    times; the remainder, odd, is the new denominator.
// It ends when the numerator reaches 0: the symbol is 0 unless the denominator left is 1.
// ---------------------------------------------------------------------------------------------

/**
 * The Jacobi symbol (a/n) for odd n > 0. For a prime n it is the Legendre symbol: 1 for a
 * non-zero quadratic residue, −1 for a non-residue, 0 when n divides a. ~25 µs at 2048 bits,
 * some 80× less than Euler's criterion a^((n−1)/2) even on OpenSSL, which is why membership
 * checks use it.
 */
export function jacobi(a: bigint, n: bigint): -1 | 0 | 1 {
  return jacobiLehmer(a, n);
}

/** The textbook algorithm on bigint: the reference for `jacobi` and its fallback. */
export function jacobiEuclid(a: bigint, n: bigint): -1 | 0 | 1 {
  checkJacobiModulus(n);
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

/** What one `jacobiLehmer` call did, for the tests. */
export interface JacobiTrace {
  /** Rounds: a cofactor matrix applied to the limbs, or one long step. */
  rounds: number;
  /** Euclidean steps taken by a bigint division, when the top bits fixed no quotient. */
  longSteps: number;
  /**
   * `jacobiEuclid` finished the job: the round budget ran out (it finished from the state
   * reached), or a round's result came out of range, which the reasoning says cannot happen (it
   * started again).
   */
  fellBack: boolean;
}

function checkJacobiModulus(n: bigint): void {
  if (n <= 0n || (n & 1n) === 0n) throw new RangeError('Jacobi symbol needs an odd positive modulus');
}

const LIMB_BITS = 25;
const LIMB = 2 ** LIMB_BITS;
const INV_LIMB = 2 ** -LIMB_BITS;
/**
 * Bound on the cofactors. The two entries of a row have opposite signs (or one is 0), so a row
 * times two limbs < 2^25 stays below 2^51 in magnitude, and a double holds it, plus the carry,
 * exactly. (The certainty test already keeps them below about 2^26: a cofactor times the
 * remainder it goes with is at most x0 < 2^52, and that remainder must exceed it. Checked anyway.)
 */
const MAX_COFACTOR = 2 ** 26;
/** Below this modulus the whole computation runs on doubles. */
const SMALL_MODULUS = 2n ** 50n;
const POW2 = Float64Array.from({ length: 64 }, (_, i) => 2 ** i);

/**
 * The Euclidean step's effect on the Jacobi state (see above), tabulated. Index: state·4 + q mod 4,
 * state = d·16 + (x mod 4)·4 + (y mod 4), d = 1 when y is the denominator. Entry: the state of
 * (y, x − q·y), plus 32 when the sign flips.
 */
const JACOBI_STEP = (() => {
  const table = new Uint8Array(128);
  for (let state = 0; state < 32; state++) {
    const d = state >> 4;
    const x4 = (state >> 2) & 3;
    const y4 = state & 3;
    for (let q4 = 0; q4 < 4; q4++) {
      let flip = 0;
      let denominatorIsRemainder = 0;
      if (d === 0 && (y4 & 1) === 1) {
        flip = x4 === 3 && y4 === 3 ? 1 : 0;
      } else if (d === 0) {
        // y even: ⌈q/2⌉ flips when x ≡ 3, ⌊q/2⌋ when x ≡ 1, none when y ≡ 0 (mod 4)
        if (y4 === 2) flip = (x4 === 3 ? (q4 + 1) >> 1 : q4 >> 1) & 1;
        denominatorIsRemainder = 1;
      }
      const r4 = (x4 - q4 * y4) & 3;
      table[state * 4 + q4] = (flip << 5) | (denominatorIsRemainder << 4) | (y4 << 2) | r4;
    }
  }
  return table;
})();

// Scratch limbs (little-endian, 25 bits each), reused: nothing here yields or calls out.
let limbsA = new Float64Array(96);
let limbsB = new Float64Array(96);
let cachedModulus = -1n;
let cachedModulusLimbs = new Float64Array(0);
const DIGIT_32 = (() => {
  const table = new Uint8Array(128);
  for (let i = 0; i < 32; i++) table['0123456789abcdefghijklmnopqrstuv'.charCodeAt(i)] = i;
  return table;
})();

/** Limbs of `x` ≥ 0 from its base-32 digits, five to a limb; returns the count without high zeros. */
function toLimbs(x: bigint, out: Float64Array): number {
  const digits = x.toString(32);
  let count = 0;
  let end = digits.length;
  for (; end >= 5; end -= 5) {
    out[count++] =
      (DIGIT_32[digits.charCodeAt(end - 5)]! << 20) |
      (DIGIT_32[digits.charCodeAt(end - 4)]! << 15) |
      (DIGIT_32[digits.charCodeAt(end - 3)]! << 10) |
      (DIGIT_32[digits.charCodeAt(end - 2)]! << 5) |
      DIGIT_32[digits.charCodeAt(end - 1)]!;
  }
  if (end > 0) {
    let limb = 0;
    for (let i = 0; i < end; i++) limb = (limb << 5) | DIGIT_32[digits.charCodeAt(i)]!;
    out[count++] = limb;
  }
  while (count > 0 && out[count - 1] === 0) count--;
  return count;
}

function fromLimbs(limbs: Float64Array, length: number): bigint {
  let x = 0n;
  let j = length - 1;
  if ((length & 1) === 1) x = BigInt(limbs[j--]!);
  for (; j > 0; j -= 2) x = (x << 50n) | BigInt(limbs[j]! * LIMB + limbs[j - 1]!);
  return x;
}

/** x < y, both of `length` limbs or fewer. */
function below(x: Float64Array, y: Float64Array, length: number): boolean {
  for (let j = length - 1; j >= 0; j--) if (x[j] !== y[j]) return x[j]! < y[j]!;
  return false;
}

/** Loads n's limbs into limbsA (cached: it is the same prime call after call); returns their count. */
function loadModulus(n: bigint): number {
  if (n !== cachedModulus) {
    const count = Math.ceil(n.toString(32).length / 5);
    const limbs = new Float64Array(count);
    toLimbs(n, limbs);
    if (limbsA.length < count + 1) {
      limbsA = new Float64Array(count + 1);
      limbsB = new Float64Array(count + 1);
    }
    cachedModulusLimbs = limbs;
    cachedModulus = n;
  }
  limbsA.set(cachedModulusLimbs);
  return cachedModulusLimbs.length;
}

/** The Euclidean algorithm with the Jacobi state on doubles, both below 2^50. */
function jacobiDoubles(x: number, y: number, state: number, sign: number): -1 | 0 | 1 {
  while (y > 0) {
    // x < 2^50: the quotient rounded by the division is never above the true one (it would take
    // x/y within x·2^−53 < 1/y below an integer), so its floor is exact, and so is x − q·y.
    const q = Math.floor(x / y);
    const r = x - q * y;
    const step = JACOBI_STEP[state * 4 + (q % 4)]!;
    sign ^= step >> 5;
    state = step & 31;
    x = y;
    y = r;
  }
  return x !== 1 ? 0 : sign === 1 ? -1 : 1;
}

/**
 * `jacobi` by Lehmer's algorithm (see the comment above `jacobi`). Exported for the tests, which
 * give it a small `maxRounds` to check the state it hands to `jacobiEuclid` at every point, and a
 * `trace` to see which paths ran. Without them it never falls back: every round takes at least one
 * exact Euclidean step, and there are at most ~1.44 per bit of n.
 */
export function jacobiLehmer(
  a: bigint,
  n: bigint,
  maxRounds = Number.POSITIVE_INFINITY,
  trace?: JacobiTrace,
): -1 | 0 | 1 {
  checkJacobiModulus(n);
  const b = a >= 0n && a < n ? a : mod(a, n);
  if (n < SMALL_MODULUS) {
    const [x, y] = [Number(n), Number(b)];
    return jacobiDoubles(x, y, ((x % 4) << 2) | (y % 4), 0);
  }
  let la = loadModulus(n);
  let A = limbsA;
  let B = limbsB;
  let lb = toLimbs(b, B);
  B.fill(0, lb, la);
  const budget = Math.min(maxRounds, 2 * LIMB_BITS * la + 16);
  // Invariant: (a/n) = (−1)^sign · (num/den), den = d === 0 ? A : B (odd), num the other, A > B ≥ 0.
  let d = 0;
  let sign = 0;
  let rounds = 0;
  for (;;) {
    if (lb === 0) return la !== 1 || A[0] !== 1 ? 0 : sign === 1 ? -1 : 1;
    const state = (d << 4) | ((A[0]! & 3) << 2) | (B[0]! & 3);
    if (la <= 2) {
      const x = la === 2 ? A[0]! + A[1]! * LIMB : A[0]!;
      const y = lb === 2 ? B[0]! + B[1]! * LIMB : B[0]!;
      return jacobiDoubles(x, y, state, sign);
    }
    if (rounds >= budget) {
      if (trace) trace.fellBack = true;
      const [x, y] = [fromLimbs(A, la), fromLimbs(B, lb)];
      const rest = d === 0 ? jacobiEuclid(y, x) : jacobiEuclid(x, y);
      return sign === 1 && rest !== 0 ? (-rest as -1 | 1) : rest;
    }
    rounds++;
    if (trace) trace.rounds++;

    // x, y: the top 52 bits of A (51 if its top limb is 1) and the same bits of B, i.e. ⌊A/2^h⌋
    // and ⌊B/2^h⌋ (exact: the limbs are normalized, so the lower limbs cannot carry into them).
    const t = la - 1;
    const topBits = 32 - Math.clz32(A[t]!);
    const extra = topBits > 1 ? 2 : 1;
    const s1 = POW2[50 + extra - topBits]!;
    const s2 = POW2[25 + extra - topBits]!;
    const s3 = POW2[topBits - extra]!;
    let x = A[t]! * s1 + A[t - 1]! * s2 + Math.floor(A[t - 2]! / s3);
    let y = B[t]! * s1 + B[t - 1]! * s2 + Math.floor(B[t - 2]! / s3);
    // Rows of the cofactor matrix: x = m00·x0 + m01·y0, y = m10·x0 + m11·y0. The true values
    // (A, B scaled by 2^−h, transformed alike) exceed x, y by m00·α + m01·β (resp. m10, m11) for
    // some α, β in [0, 1): within [x − nx, x + px] and [y − ny, y + py], where p and n are the
    // positive and negative entries of the row (Euclid's rows alternate (+, −) and (−, +)). A
    // quotient is taken only when both ends of those ranges give the same one, so it is the true
    // quotient of the big numbers, and the tracked state stays exact.
    let m00 = 1;
    let m01 = 0;
    let m10 = 0;
    let m11 = 1;
    let st = state;
    let steps = 0;
    for (;;) {
      const py = Math.max(m10, m11);
      const ny = -Math.min(m10, m11);
      const yLow = y - ny;
      if (!(yLow > 0)) break;
      const q = Math.floor(x / y);
      const px = Math.max(m00, m01);
      const nx = -Math.min(m00, m01);
      // (q + 1)·yLow ≤ x + y < 2^53 is exact; q·(y + py) may round, but only above 2^53 > x.
      // (Written as negations, so that a NaN, which cannot arise, would end the loop.)
      if (!(x - nx >= q * (y + py) && x + px < (q + 1) * yLow)) break;
      const n10 = m00 - q * m10;
      const n11 = m01 - q * m11;
      if (!(Math.abs(n10) <= MAX_COFACTOR && Math.abs(n11) <= MAX_COFACTOR)) break;
      const r = x - q * y;
      x = y;
      y = r;
      m00 = m10;
      m01 = m11;
      m10 = n10;
      m11 = n11;
      // q ≤ max(|n10|, |n11|) ≤ 2^26 (the entries of a row have opposite signs): an int32
      const step = JACOBI_STEP[(st << 2) | (q & 3)]!;
      sign ^= step >> 5;
      st = step & 31;
      steps++;
    }

    if (steps === 0) {
      // The top bits fix not even one quotient (B is much shorter than A, or A/B lies within
      // the error of an integer): one Euclidean step by bigint division.
      if (trace) trace.longSteps++;
      const bigA = fromLimbs(A, la);
      const bigB = fromLimbs(B, lb);
      const q = bigA / bigB;
      const step = JACOBI_STEP[(state << 2) | Number(q & 3n)]!;
      sign ^= step >> 5;
      d = (step >> 4) & 1;
      [A, B] = [B, A];
      la = lb;
      lb = toLimbs(bigA - q * bigB, B);
      B.fill(0, lb, la);
      continue;
    }
    d = st >> 4;

    // (A, B) ← (m00·A + m01·B, m10·A + m11·B): both exact remainders of the Euclidean
    // algorithm, so non-negative and below the old A; the final carries are 0.
    let carryA = 0;
    let carryB = 0;
    for (let j = 0; j < la; j++) {
      const aj = A[j]!;
      const bj = B[j]!;
      const ta = m00 * aj + m01 * bj + carryA;
      const tb = m10 * aj + m11 * bj + carryB;
      carryA = Math.floor(ta * INV_LIMB);
      carryB = Math.floor(tb * INV_LIMB);
      A[j] = ta - carryA * LIMB;
      B[j] = tb - carryB * LIMB;
    }
    while (la > 0 && A[la - 1] === 0) la--;
    lb = la;
    while (lb > 0 && B[lb - 1] === 0) lb--;
    // Cannot happen (the new A and B are consecutive remainders, A > B ≥ 0); if the reasoning
    // above were wrong, this costs time instead of a wrong answer.
    if (carryA !== 0 || carryB !== 0 || !below(B, A, la)) {
      if (trace) trace.fellBack = true;
      return jacobiEuclid(a, n);
    }
  }
}
