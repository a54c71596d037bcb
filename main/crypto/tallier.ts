// Tallier keys: the secret key and everything done with it (the pk_pok, decryption factors),
// the pk_pok check, and the election key, the product of the elected talliers' public keys.
//
// The proof of knowledge is what stops a rogue-key attack: without it, the last tallier to speak
// could publish pk = g^x / Π(other keys) and decrypt alone.
import { inspect } from 'node:util';
import { check, ValidationError } from './errors';
import { factorStatement, proveFactors } from './factor-proof';
import { u32 } from './framing';
import type { Group } from './group';
import { type Randomness, systemRandomness } from './random';
import { compensate, complain, deal, readShare } from './threshold';
import { fiatShamirChallenge, PROOF_TAGS } from './transcript';
import type {
  Acceptance,
  Ciphertext,
  CompensatedFactor,
  Complaint,
  Dealing,
  DecryptionFactor,
  TallierPublicKey,
} from './types';

/**
 * A tallier's secret key. Every exponent it uses is secret (x, and each nonce w, which would give
 * x away through s = w + c·x), so every exponentiation goes through `powSecret`/`pow`, the
 * backend's constant-time path, never through a fixed-base table (docs/CRYPTO.md §8).
 *
 * The scalar lives in a private field: the object prints as redacted,
 * refuses JSON.stringify, and gives the number out only through `exportSecret()`, which the key
 * store calls to write its 0600 file.
 */
export class TallierSecretKey {
  readonly #x: bigint;
  readonly publicKey: bigint;

  private constructor(
    readonly group: Group,
    x: bigint,
  ) {
    this.#x = x;
    this.publicKey = group.powSecret(x);
  }

  static generate(group: Group, rng: Randomness = systemRandomness): TallierSecretKey {
    return new TallierSecretKey(group, rng.scalar(group.q));
  }

  /** Restores a stored key; `x` must be a scalar in [1, q). */
  static fromSecret(group: Group, x: bigint): TallierSecretKey {
    check(x > 0n && x < group.q, 'secret_key', 'must be in [1, q)');
    return new TallierSecretKey(group, x);
  }

  exportSecret(): bigint {
    return this.#x;
  }

  /**
   * The pk_pok: commitment a = g^w, challenge c = H(pk_pok, group, context, pk, a),
   * response s = w + c·x mod q. Randomness drawn: w.
   */
  provePossession(context: Uint8Array, rng: Randomness = systemRandomness): TallierPublicKey {
    const { group } = this;
    const w = rng.scalar(group.q);
    const commitment = group.powSecret(w);
    const challenge = fiatShamirChallenge(group, PROOF_TAGS.pkPok, context, [this.publicKey, commitment]);
    const response = (w + challenge * this.#x) % group.q;
    return { pk: this.publicKey, pkPok: { commitment, challenge, response } };
  }

  /**
   * This tallier's decryption factors of the election's tallies, d_i = α_i^x, with their
   * dec_factor_poc (factor-proof.ts): commitments a = g^w, b_i = α_i^w; challenge
   * c = H(dec_factor_poc, group, context, [final], pk, α_1, β_1, d_1, …, a, b_1, …); response
   * s = w + c·x mod q. With `final` (protocol version 2) the factor names that final block and the
   * proof binds it. Randomness drawn: w. α^x and α^w go through the backend (OpenSSL's is
   * constant-time).
   *
   * This function will decrypt whatever it is given: the one-tally-ever rule is the caller's
   * (the node's tallier journal records its choice durably before it calls this).
   */
  decryptionFactor(
    context: Uint8Array,
    tallies: readonly Ciphertext[],
    final?: string,
    rng: Randomness = systemRandomness,
  ): DecryptionFactor {
    const { group, publicKey: pk } = this;
    const { factors, proof } = proveFactors(
      group,
      this.#x,
      tallies,
      (d, a, b) => decFactorChallenge(group, context, final, [pk, ...factorStatement(tallies, d, a, b)]),
      rng,
    );
    return final === undefined
      ? { pk, factors, decFactorPoc: proof }
      : { pk, final, factors, decFactorPoc: proof };
  }

  /**
   * Signs this tallier's acceptance of final block `final` in `round` (protocol version 2): a
   * Schnorr signature, a = g^w, c = H(acceptance, group, context, final, u32(round), pk, a),
   * s = w + c·x mod q. Randomness drawn: w.
   */
  accept(context: Uint8Array, final: string, round: number, rng: Randomness = systemRandomness): Acceptance {
    const { group } = this;
    const w = rng.scalar(group.q);
    const commitment = group.powSecret(w);
    const challenge = acceptanceChallenge(group, context, final, round, this.publicKey, commitment);
    const response = (w + challenge * this.#x) % group.q;
    return { pk: this.publicKey, final, round, signature: { commitment, challenge, response } };
  }

  /**
   * This tallier's dealing in the key ceremony (threshold.ts): its key shared among `talliers`
   * (the branch's elected talliers, this one among them) for any `quorum` of them.
   */
  deal(
    context: Uint8Array,
    talliers: readonly bigint[],
    quorum: number,
    rng: Randomness = systemRandomness,
  ): Dealing {
    return deal(this.group, context, this.#x, talliers, quorum, rng);
  }

  /**
   * Opens the share `dealing` holds for this tallier: the share, or why it is wrong (then this
   * tallier complains). The share is a secret like the key: it is recomputed from the chain when
   * needed, never stored.
   */
  openShare(
    context: Uint8Array,
    dealing: Dealing,
    talliers: readonly bigint[],
  ): { ok: true; share: bigint } | { ok: false; reason: string } {
    const sharedKey = this.group.pow(dealing.ephemeral, this.#x);
    return readShare(this.group, context, dealing, talliers, this.publicKey, sharedKey);
  }

  /** A complaint proving `dealing`'s share for this tallier wrong (only when openShare says so). */
  complain(context: Uint8Array, dealing: Dealing, rng: Randomness = systemRandomness): Complaint {
    return complain(this.group, context, this.#x, dealing, rng);
  }

  /**
   * Stands in for the dealer of `dealing` (a missing tallier) in decrypting `tallies` of final block
   * `final`, with this tallier's share of its key. Throws if the share is wrong (then no stand-in
   * factor from this tallier can verify). The one-tally-ever rule is the caller's, as for
   * decryptionFactor.
   */
  compensatedFactor(
    context: Uint8Array,
    dealing: Dealing,
    talliers: readonly bigint[],
    tallies: readonly Ciphertext[],
    final: string,
    rng: Randomness = systemRandomness,
  ): CompensatedFactor {
    const opened = this.openShare(context, dealing, talliers);
    if (!opened.ok) throw new ValidationError('share', opened.reason);
    return compensate(this.group, context, this.publicKey, dealing.dealer, opened.share, tallies, final, rng);
  }

  toJSON(): never {
    throw new Error('a tallier secret key is never serialised implicitly; use exportSecret()');
  }

  [inspect.custom](): string {
    return `TallierSecretKey { publicKey: ${this.publicKey.toString(16).slice(0, 16)}…, secret: <redacted> }`;
  }
}

/** Checks a pk_pok: the challenge is the hash of the statement and g^s = a · pk^c. */
export function verifyPkPok(
  group: Group,
  context: Uint8Array,
  key: TallierPublicKey,
  field = 'pk_pok',
): void {
  const { pk, pkPok: proof } = key;
  const expected = fiatShamirChallenge(group, PROOF_TAGS.pkPok, context, [pk, proof.commitment]);
  check(proof.challenge === expected, `${field}.challenge`, 'is not the hash of the statement');
  check(
    group.powG(proof.response) === group.mul(proof.commitment, group.pow(pk, proof.challenge)),
    `${field}.response`,
    'does not satisfy g^s = a·pk^c',
  );
}

/** The dec_factor_poc challenge: version 1 without `final`, version 2 binding the final block. */
export function decFactorChallenge(
  group: Group,
  context: Uint8Array,
  final: string | undefined,
  statement: readonly bigint[],
): bigint {
  return final === undefined
    ? fiatShamirChallenge(group, PROOF_TAGS.decFactorPoc, context, statement)
    : fiatShamirChallenge(group, PROOF_TAGS.decFactorPocV2, context, statement, [hashBytes(final)]);
}

function acceptanceChallenge(
  group: Group,
  context: Uint8Array,
  final: string,
  round: number,
  pk: bigint,
  commitment: bigint,
): bigint {
  return fiatShamirChallenge(
    group,
    PROOF_TAGS.acceptance,
    context,
    [pk, commitment],
    [hashBytes(final), u32(round)],
  );
}

/** A block hash as its 32 bytes; anything else is a caller's bug (parsers check the form). */
function hashBytes(hex: string): Buffer {
  check(/^[0-9a-f]{64}$/.test(hex), 'final', 'must be a block hash: 64 lowercase hex digits');
  return Buffer.from(hex, 'hex');
}

/** Checks an acceptance's signature: the challenge is the hash of the statement and g^s = a · pk^c. */
export function verifyAcceptance(
  group: Group,
  context: Uint8Array,
  acceptance: Acceptance,
  field = 'acceptance',
): void {
  const { pk, final, round, signature } = acceptance;
  check(
    Number.isSafeInteger(round) && round >= 1 && round <= 0xffffffff,
    `${field}.round`,
    'must be a whole number ≥ 1',
  );
  const expected = acceptanceChallenge(group, context, final, round, pk, signature.commitment);
  check(signature.challenge === expected, `${field}.signature.challenge`, 'is not the hash of the statement');
  check(
    group.powG(signature.response) === group.mul(signature.commitment, group.pow(pk, signature.challenge)),
    `${field}.signature.response`,
    'does not satisfy g^s = a·pk^c',
  );
}

/**
 * The election key h = Π pk_i over the elected talliers. Every key's pk_pok is verified first and
 * a key listed twice is refused (it would need its decryption factor twice). A product of 1 is
 * refused: keys g^x and g^−x both carry valid pk_poks for whoever knows x, and h = 1 encrypts
 * nothing (β = g^m).
 */
export function electionKey(group: Group, context: Uint8Array, keys: readonly TallierPublicKey[]): bigint {
  check(keys.length > 0, 'talliers', 'at least one tallier key is needed');
  const seen = new Set<bigint>();
  let h = 1n;
  keys.forEach((key, i) => {
    check(!seen.has(key.pk), `talliers[${i}].pk`, 'appears twice');
    seen.add(key.pk);
    verifyPkPok(group, context, key, `talliers[${i}].pk_pok`);
    h = group.mul(h, key.pk);
  });
  if (h === 1n)
    throw new ValidationError(
      'talliers',
      'the elected keys multiply to 1: an election key of 1 would leave every ballot readable by anyone',
    );
  return h;
}
