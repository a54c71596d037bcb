// The group: quadratic residues modulo a safe prime p = 2q + 1, a cyclic group of prime order q.
// Every other module computes through a Group, which owns the exponentiation backend and the
// fixed-base tables, and performs the membership and range checks on values from outside.
import { bitLength, byteLength, jacobi, modInverse } from './bigint';
import { check } from './errors';
import { FixedBaseTable } from './fixed-base';
import { type BackendName, createPowBackend, type PowBackend } from './modexp';
import { multiExp } from './multiexp';
import { isProbablePrime } from './primes';

export interface GroupParams {
  readonly p: bigint;
  readonly q: bigint;
  readonly g: bigint;
}

/**
 * The 2048-bit MODP group of RFC 3526 (group 14), with g = 2. p ≡ 7 (mod 8), so 2 is a quadratic
 * residue and, q being prime, generates the whole subgroup of order q. Node's own copy of this
 * prime (`crypto.getDiffieHellman('modp14')`) is checked against this constant in the tests.
 */
export const RFC3526_MODP_2048: GroupParams = (() => {
  const p = BigInt(
    '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
      'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
      'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
      '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
      'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
      '15728E5A8AACAA68FFFFFFFFFFFFFFFF',
  );
  return { p, q: (p - 1n) / 2n, g: 2n };
})();

/** Below this size the discrete logarithm in G_q is within reach of a determined attacker. */
export const MIN_GROUP_BITS = 2048;

export interface GroupOptions {
  /** Exponentiation backend; `auto` picks OpenSSL when it self-tests correctly. */
  readonly backend?: 'auto' | BackendName;
  /** Smallest accepted bit length of p (tests use tiny groups to exercise the validator). */
  readonly minBits?: number;
  /** Prefix of the field names in errors, e.g. `genesis.group`. */
  readonly field?: string;
  /**
   * Exponentiations by a base (g, or a kept election key) through the backend before its
   * fixed-base table is built. 0, the default: at first use, for a runner, which exponentiates
   * by g and its key all election long. The record verifier passes FIXED_BASE_BREAK_EVEN, so a
   * small record builds no table.
   */
  readonly tablesAfter?: number;
}

/**
 * Exponentiations by one base after which its fixed-base table has paid for itself: building it
 * costs ~0.35 s, ~170 OpenSSL exponentiations, and it saves ~0.6 ms of each ~2 ms one (measured:
 * `fixed_base_break_even_exps` in `npm run bench`, ~500–600).
 */
export const FIXED_BASE_BREAK_EVEN = 512;

/**
 * Below this many terms, a product of powers is computed one power at a time through OpenSSL;
 * from here on, Bos–Coster in bigint is faster (measured: even at ~80 terms of 128 and 385 bits).
 */
const MULTIEXP_MIN_TERMS = 96;

/**
 * Election keys that may hold a fixed-base table beside g: the one the chain keeps (its best
 * branch's) and the one before it, so a reorg between two key elections rebuilds nothing. Any
 * other base goes through the backend: a table costs ~0.35 s and 17 MB, so building one for
 * every side branch's key let a peer with a few cheap side branches make each of their ballot
 * blocks cost a table (0.9–1.9 s) where the backend costs one exponentiation more (~2 ms).
 */
const MAX_KEPT_TABLES = 2;

export class Group implements GroupParams {
  readonly p: bigint;
  readonly q: bigint;
  readonly g: bigint;
  /** Bytes of every encoded element and scalar: the byte length of p. */
  readonly byteWidth: number;
  readonly backend: PowBackend;
  /** Fixed-base tables by base, built on first use: g's, and those of the kept election keys. */
  private readonly tables = new Map<bigint, FixedBaseTable>();
  /** The election keys allowed a table, oldest first. */
  private readonly kept: bigint[] = [];
  /** Exponentiations by each base allowed a table that has none yet (with `tablesAfter` > 0). */
  private readonly uses = new Map<bigint, number>();
  private readonly tablesAfter: number;
  private gInverse?: bigint;

  private constructor(params: GroupParams, backend: 'auto' | BackendName | PowBackend, tablesAfter = 0) {
    this.p = params.p;
    this.q = params.q;
    this.g = params.g;
    this.byteWidth = byteLength(params.p);
    this.backend = typeof backend === 'string' ? createPowBackend(params.p, backend) : backend;
    this.tablesAfter = tablesAfter;
  }

  /**
   * Validates parameters from outside before any use: p and q prime (64 Miller–Rabin rounds
   * each), p = 2q + 1, p at least `minBits` bits, and g a quadratic residue other than 1 (so it
   * generates the order-q subgroup).
   */
  static fromParams(params: GroupParams, options: GroupOptions = {}): Group {
    const { p, q, g } = params;
    const minBits = options.minBits ?? MIN_GROUP_BITS;
    const field = options.field ?? 'group';
    check(bitLength(p) >= minBits, `${field}.p`, `must have at least ${minBits} bits, has ${bitLength(p)}`);
    check(p === 2n * q + 1n, `${field}.q`, 'must satisfy p = 2q + 1');
    check(g > 1n && g < p && jacobi(g, p) === 1, `${field}.g`, 'must be a quadratic residue other than 1');
    // The primality tests last: they are the slow part (~1 s each at 2048 bits).
    const known = p === RFC3526_MODP_2048.p;
    if (!known) {
      check(isProbablePrime(q), `${field}.q`, 'is not prime');
      check(isProbablePrime(p), `${field}.p`, 'is not prime');
    }
    // The default group is one shared instance: its fixed-base tables are worth keeping.
    const backend = options.backend ?? 'auto';
    const tablesAfter = options.tablesAfter ?? 0;
    if (known && g === RFC3526_MODP_2048.g && backend === 'auto' && tablesAfter === 0) return Group.default();
    return new Group(params, backend, tablesAfter);
  }

  /** The default group (RFC 3526, g = 2), one shared instance. */
  static default(): Group {
    defaultGroup ??= new Group(RFC3526_MODP_2048, 'auto');
    return defaultGroup;
  }

  /**
   * This group (already validated, same backend) with another `tablesAfter`: the record verifier
   * counts before it builds a table where the runner builds one at once.
   */
  withTablesAfter(tablesAfter: number): Group {
    return new Group(this, this.backend, tablesAfter);
  }

  equals(other: GroupParams): boolean {
    return this.p === other.p && this.q === other.q && this.g === other.g;
  }

  /**
   * Membership for values from outside: 1 < x < p and x a quadratic residue (Jacobi symbol).
   * The identity is refused too: no honest message carries it (a public key of 1 means a secret
   * key of 0, a ciphertext α of 1 means no randomness), so refusing it costs nothing.
   */
  isElement(x: bigint): boolean {
    return x > 1n && x < this.p && jacobi(x, this.p) === 1;
  }

  isScalar(s: bigint): boolean {
    return s >= 0n && s < this.q;
  }

  mul(a: bigint, b: bigint): bigint {
    return (a * b) % this.p;
  }

  inverse(x: bigint): bigint {
    return modInverse(x, this.p);
  }

  /** base^exponent for an arbitrary base, through the backend. */
  pow(base: bigint, exponent: bigint): bigint {
    return this.backend.pow(base, exponent);
  }

  /**
   * g^exponent for a secret exponent (a tallier's key or nonce): through the backend, whose
   * OpenSSL path is constant-time, never through the fixed-base table, whose memory accesses
   * depend on the exponent's bytes.
   */
  powSecret(exponent: bigint): bigint {
    return this.backend.pow(this.g, exponent);
  }

  /** g^exponent, from the fixed-base table (variable time: public or ballot exponents only). */
  powG(exponent: bigint): bigint {
    return this.fixedPow(this.g, exponent);
  }

  /** g^−exponent: the inverse of g is cached, the exponent is typically a short challenge. */
  powGInverse(exponent: bigint): bigint {
    this.gInverse ??= this.inverse(this.g);
    return this.pow(this.gInverse, exponent);
  }

  /**
   * base^exponent, through base's fixed-base table when it has one (g, and the election keys kept
   * by `keepTable`), else through the backend. Exponents must be below 2^(8·byteWidth), which
   * every scalar and challenge is. Variable time: public or ballot exponents only.
   */
  fixedPow(base: bigint, exponent: bigint): bigint {
    let table = this.tables.get(base);
    if (!table) {
      if (base !== this.g && !this.kept.includes(base)) return this.backend.pow(base, exponent);
      const uses = this.uses.get(base) ?? 0;
      if (uses < this.tablesAfter) {
        this.uses.set(base, uses + 1);
        return this.backend.pow(base, exponent);
      }
      this.uses.delete(base);
      table = new FixedBaseTable(base, this.p, this.byteWidth);
      this.tables.set(base, table);
    }
    return table.pow(exponent);
  }

  /**
   * Π bases[k]^exponents[k] for public exponents (batch verification; variable time). Many
   * terms: Bos–Coster (multiexp.ts); a few: one power at a time through OpenSSL.
   */
  powProduct(bases: readonly bigint[], exponents: readonly bigint[]): bigint {
    if (this.backend.name === 'bigint' || bases.length >= MULTIEXP_MIN_TERMS)
      return multiExp(this.p, bases, exponents);
    let product = 1n;
    for (const [k, base] of bases.entries()) product = this.mul(product, this.pow(base, exponents[k]!));
    return product;
  }

  /**
   * Allows `base` (an election key) a fixed-base table, built on its next use; the key kept
   * before the previous one loses its table. The chain calls it for its best branch's key.
   */
  keepTable(base: bigint): void {
    if (base === this.g || this.kept.at(-1) === base) return;
    const at = this.kept.indexOf(base);
    if (at >= 0) this.kept.splice(at, 1);
    this.kept.push(base);
    while (this.kept.length > MAX_KEPT_TABLES) {
      const dropped = this.kept.shift()!;
      this.tables.delete(dropped);
      this.uses.delete(dropped);
    }
  }

  /** Whether `base` has a table built (for tests and benchmarks). */
  hasTable(base: bigint): boolean {
    return this.tables.has(base);
  }
}

let defaultGroup: Group | undefined;
