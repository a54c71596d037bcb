// Modular exponentiation backends. 2048-bit exponentiation dominates every election operation:
// measured here, native bigint square-and-multiply takes ~16 ms and OpenSSL (reached through a
// reused Diffie–Hellman object: setPrivateKey(e), computeSecret(x) gives x^e mod p) ~2 ms.
// Both backends must agree bit for bit; OpenSSL is only ever used as a calculator, never to
// validate anything (its DH checks accept non-members such as p + 5).
import { createDiffieHellman, randomBytes } from 'node:crypto';
import { byteLength, fromBytes, toBytes } from './bigint';

export type BackendName = 'openssl' | 'bigint';

export interface PowBackend {
  readonly name: BackendName;
  /** base^exponent mod p, for any base and any exponent ≥ 0. */
  pow(base: bigint, exponent: bigint): bigint;
  /** Π base_i^exponent_i mod p. */
  powProduct(terms: ReadonlyArray<readonly [bigint, bigint]>): bigint;
}

/**
 * The fastest backend that computes correctly for modulus `p`: OpenSSL when it passes a self-test
 * against bigint (Electron links BoringSSL, whose DH may refuse or differ: detect, don't assume),
 * else pure bigint. `prefer: 'bigint'` forces the fallback (tests run both).
 */
export function createPowBackend(p: bigint, prefer: 'auto' | BackendName = 'auto'): PowBackend {
  const plain = bigintBackend(p);
  if (prefer === 'bigint') return plain;
  const openssl = tryOpenSslBackend(p, plain);
  if (openssl) return openssl;
  if (prefer === 'openssl') throw new Error('the OpenSSL exponentiation backend is not available here');
  return plain;
}

/** Pure bigint: 5-bit sliding windows for one power, interleaved windows (Straus) for products. */
export function bigintBackend(p: bigint): PowBackend {
  const pow = (base: bigint, exponent: bigint) => powProductBigint(p, [[base, exponent]]);
  return { name: 'bigint', pow, powProduct: (terms) => powProductBigint(p, terms) };
}

const WINDOW = 4;

/**
 * Simultaneous multi-exponentiation: all terms share one chain of squarings, so a product of two
 * full-size powers costs about as many squarings as one power.
 */
function powProductBigint(p: bigint, terms: ReadonlyArray<readonly [bigint, bigint]>): bigint {
  const mask = (1n << BigInt(WINDOW)) - 1n;
  let maxBits = 0;
  const tables = terms.map(([base, exponent]) => {
    if (exponent < 0n) throw new RangeError('negative exponent');
    maxBits = Math.max(maxBits, exponent.toString(2).length);
    // table[d] = base^d for d < 2^WINDOW
    const b = ((base % p) + p) % p;
    const table = [1n, b];
    for (let d = 2; d <= Number(mask); d++) table.push((table[d - 1]! * b) % p);
    return table;
  });
  const windows = Math.ceil(maxBits / WINDOW);
  let result = 1n;
  for (let i = windows - 1; i >= 0; i--) {
    if (result !== 1n) for (let k = 0; k < WINDOW; k++) result = (result * result) % p;
    const shift = BigInt(i * WINDOW);
    terms.forEach(([, exponent], t) => {
      const digit = Number((exponent >> shift) & mask);
      if (digit !== 0) result = (result * tables[t]![digit]!) % p;
    });
  }
  return result % p;
}

function tryOpenSslBackend(p: bigint, plain: PowBackend): PowBackend | undefined {
  const width = byteLength(p);
  let dh: ReturnType<typeof createDiffieHellman>;
  try {
    dh = createDiffieHellman(toBytes(p, width), toBytes(2n, 1));
  } catch {
    return undefined;
  }
  const rawPow = (x: bigint, exponent: bigint): bigint => {
    dh.setPrivateKey(toBytes(exponent, Math.max(width, byteLength(exponent))));
    return fromBytes(dh.computeSecret(toBytes(x, width)));
  };
  const pow = (base: bigint, exponent: bigint): bigint => {
    const x = ((base % p) + p) % p;
    // OpenSSL refuses the values a DH peer must never send (0, 1, p − 1) and exponent 0, and it
    // caps the exponent below q when it recognises a standard group: those cases go to bigint.
    if (exponent === 0n || x <= 1n || x === p - 1n) return plain.pow(x, exponent);
    try {
      return rawPow(x, exponent);
    } catch {
      return plain.pow(x, exponent);
    }
  };
  // Self-test the raw path (no fallback) on random inputs: a 1-byte, a 256-bit and a full-size
  // exponent (below p/4, hence below q for a safe prime).
  try {
    for (const bytes of [1, 32, width]) {
      const x = 2n + (fromBytes(randomBytes(width)) % (p - 3n));
      const e = (fromBytes(randomBytes(bytes)) >> 2n) | 1n;
      if (rawPow(x, e) !== plain.pow(x, e)) return undefined;
    }
  } catch {
    return undefined;
  }
  return {
    name: 'openssl',
    pow,
    powProduct: (terms) => terms.reduce((acc, [base, exponent]) => (acc * pow(base, exponent)) % p, 1n),
  };
}
