// Multi-exponentiation Π base_k^exponent_k mod p for many bases at once (Pippenger's bucket
// method), in bigint. Batch verification (ballot-batch.ts) reduces 1,000 ballots to one product of
// 6,000 powers with 128- to 385-bit exponents; computed one power at a time through OpenSSL that
// is ~1.4 ms a ballot, here ~190 multiplications (~1 ms) once the batch is large, because each
// base costs one multiplication per w-bit window of its exponent and every window's 2^w buckets
// are shared by all the bases. Variable time: for public exponents (batch weights) only.

/**
 * Π bases[k]^exponents[k] mod p. Exponents must be ≥ 0; bases are reduced mod p. The window width
 * is chosen for the sizes at hand (see `cost`), so a handful of bases costs no more than Straus.
 */
export function multiExp(p: bigint, bases: readonly bigint[], exponents: readonly bigint[]): bigint {
  if (bases.length !== exponents.length) throw new RangeError('as many exponents as bases');
  const digits = exponents.map((e) => {
    if (e < 0n) throw new RangeError('negative exponent');
    return e.toString(2);
  });
  const bits = digits.map((d) => (d === '0' ? 0 : d.length));
  const maxBits = Math.max(0, ...bits);
  if (maxBits === 0) return 1n;
  const w = bestWindow(bits, maxBits);
  const reduced = bases.map((b) => ((b % p) + p) % p);
  const windows = Math.ceil(maxBits / w);
  const buckets: (bigint | undefined)[] = new Array(1 << w);
  let result = 1n;
  for (let win = windows - 1; win >= 0; win--) {
    if (result !== 1n) for (let k = 0; k < w; k++) result = (result * result) % p;
    buckets.fill(undefined);
    // Bit string positions of this window, counted from the least significant bit.
    const low = win * w;
    for (let k = 0; k < reduced.length; k++) {
      const len = bits[k]!;
      if (len <= low) continue;
      const d = digits[k]!;
      const digit = Number.parseInt(d.slice(Math.max(0, len - low - w), len - low), 2);
      if (digit === 0) continue;
      const bucket = buckets[digit];
      buckets[digit] = bucket === undefined ? reduced[k]! : (bucket * reduced[k]!) % p;
    }
    // Π_d bucket_d^d as a product of running products: Σ_d d·B_d = Σ_d Σ_{e ≥ d} B_e.
    let running = 1n;
    let sum = 1n;
    for (let d = buckets.length - 1; d >= 1; d--) {
      const bucket = buckets[d];
      if (bucket !== undefined) running = running === 1n ? bucket : (running * bucket) % p;
      if (running !== 1n) sum = sum === 1n ? running : (sum * running) % p;
    }
    if (sum !== 1n) result = (result * sum) % p;
  }
  return result;
}

/** The window width with the fewest multiplications for exponents of these bit lengths. */
function bestWindow(bits: readonly number[], maxBits: number): number {
  let best = 1;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let w = 1; w <= 16; w++) {
    const c = cost(bits, maxBits, w);
    if (c < bestCost) [best, bestCost] = [w, c];
  }
  return best;
}

/**
 * Multiplications for window width w: one per base per window its exponent reaches, two per
 * bucket per window for the running products, one squaring per bit.
 */
function cost(bits: readonly number[], maxBits: number, w: number): number {
  let terms = 0;
  for (const b of bits) terms += Math.ceil(b / w);
  return terms + Math.ceil(maxBits / w) * 2 * 2 ** w + maxBits;
}
