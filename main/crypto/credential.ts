// Voter credentials, for the per-voter ballot rule (protocol version 2; docs/CRYPTO.md §9): a
// Schnorr key pair in G_q that a voter's runner generates and keeps (mode 0600, like its tallier
// key). The genesis's roster lists the credentials' public keys; the secret signs the voter's cast
// ballots and endorses the tallier key its owner stands with.
//
// A cast ballot is bound to its credential twice, on purpose:
// - its proof's Fiat–Shamir context is voterContext(election, credential), so the ballot cannot be
//   re-cast under another credential: copying a victim's ballot (to learn the victim's vote from
//   the tally's shift, or to have the victim's own ballot refused as a replay when the copy gets
//   in first) yields a proof that fails;
// - the credential signs the ballot with its sequence number, so nobody but its holder can cast
//   under it, and a revote (a higher sequence number) cannot be reordered before the ballot it
//   replaces.
import { inspect } from 'node:util';
import { isAnswers, verifyAnyBallot } from './any-ballot';
import { encryptBallot, type Vote } from './ballot';
import { toBytes } from './bigint';
import type { QuestionRule } from './choices';
import { isPositiveU32 } from './codec';
import { check } from './errors';
import { Framer, u32 } from './framing';
import type { Group } from './group';
import { type Randomness, systemRandomness } from './random';
import { fiatShamirChallenge, PROOF_TAGS } from './transcript';
import type { AnyBallot, Ballot, CastBallot, Endorsement, SchnorrProof, TallierPublicKey } from './types';

/** A voter's secret credential. Like TallierSecretKey, it never prints or serialises its scalar. */
export class CredentialSecretKey {
  readonly #x: bigint;
  readonly publicKey: bigint;

  private constructor(
    readonly group: Group,
    x: bigint,
  ) {
    this.#x = x;
    this.publicKey = group.powSecret(x);
  }

  static generate(group: Group, rng: Randomness = systemRandomness): CredentialSecretKey {
    return new CredentialSecretKey(group, rng.scalar(group.q));
  }

  /** Restores a stored credential; `x` must be a scalar in [1, q). */
  static fromSecret(group: Group, x: bigint): CredentialSecretKey {
    check(x > 0n && x < group.q, 'credential_secret', 'must be in [1, q)');
    return new CredentialSecretKey(group, x);
  }

  exportSecret(): bigint {
    return this.#x;
  }

  /**
   * Signs `ballot` (a yes/no ballot or answers, encrypted under voterContext(context, this
   * credential)) as this voter's cast
   * number `seq`: a = g^w, c = H(ballot_signature, group, context, u32(seq), ballotDigest, Y, a),
   * s = w + c·x mod q. Randomness drawn: w.
   */
  sign(context: Uint8Array, seq: number, ballot: AnyBallot, rng: Randomness = systemRandomness): CastBallot {
    checkSeq(seq, 'seq');
    const signature = this.schnorr(rng, (a) =>
      signatureChallenge(this.group, context, this.publicKey, seq, ballot, a),
    );
    return { credential: this.publicKey, seq, ballot, signature };
  }

  /** Encrypts `vote` under h, bound to this credential, and signs it as cast number `seq`. */
  cast(
    context: Uint8Array,
    h: bigint,
    vote: Vote,
    seq: number,
    rng: Randomness = systemRandomness,
  ): CastBallot {
    const ballot = encryptBallot(this.group, voterContext(this.group, context, this.publicKey), h, vote, rng);
    return this.sign(context, seq, ballot, rng);
  }

  /**
   * Endorses the tallier key this voter stands with: a = g^w,
   * c = H(tallier_endorsement, group, context, Y, pk, a), s = w + c·x mod q. Randomness drawn: w.
   */
  endorse(context: Uint8Array, key: TallierPublicKey, rng: Randomness = systemRandomness): Endorsement {
    const signature = this.schnorr(rng, (a) =>
      endorsementChallenge(this.group, context, this.publicKey, key.pk, a),
    );
    return { credential: this.publicKey, signature };
  }

  private schnorr(rng: Randomness, challengeOf: (commitment: bigint) => bigint): SchnorrProof {
    const { group } = this;
    const w = rng.scalar(group.q);
    const commitment = group.powSecret(w);
    const challenge = challengeOf(commitment);
    return { commitment, challenge, response: (w + challenge * this.#x) % group.q };
  }

  toJSON(): never {
    throw new Error('a credential secret is never serialised implicitly; use exportSecret()');
  }

  [inspect.custom](): string {
    return `CredentialSecretKey { publicKey: ${this.publicKey.toString(16).slice(0, 16)}…, secret: <redacted> }`;
  }
}

function checkSeq(seq: number, field: string): void {
  check(isPositiveU32(seq), field, 'must be a whole number in [1, 2^32 − 1]');
}

/**
 * The context a per-voter ballot's proof is made and checked under:
 * SHA-256(F("onion-election/v2/voter") ‖ F(election id) ‖ F(credential)). A different context per
 * credential is what binds the ballot to it; per-block ballots keep the election id as context.
 */
export function voterContext(group: Group, context: Uint8Array, credential: bigint): Uint8Array {
  return new Framer()
    .text('onion-election/v2/voter')
    .field(context)
    .field(toBytes(credential, group.byteWidth))
    .digest();
}

/**
 * What a signature covers, and, as 64 hex digits, the ballot's tracker (its receipt), under
 * either rule. A yes/no ballot: SHA-256(F("onion-election/v2/ballot") ‖ F(α) ‖ F(β) ‖ per branch
 * F(a) F(b) F(c) F(s)). Answers: SHA-256(F("onion-election/v2/answers") ‖ u32(questions) ‖ per
 * question u32(options) ‖ per option F(α) F(β) and its two branches ‖ u32(sum branches) ‖ each).
 */
export function ballotDigest(group: Group, ballot: AnyBallot): Buffer {
  const w = group.byteWidth;
  const f = new Framer();
  const branches = (proof: readonly { a: bigint; b: bigint; challenge: bigint; response: bigint }[]) => {
    for (const b of proof)
      f.field(toBytes(b.a, w))
        .field(toBytes(b.b, w))
        .field(toBytes(b.challenge, 32))
        .field(toBytes(b.response, w));
  };
  const cipher = (c: Ballot) => {
    f.field(toBytes(c.alpha, w)).field(toBytes(c.beta, w));
    branches(c.proof);
  };
  if (!isAnswers(ballot)) {
    f.text('onion-election/v2/ballot');
    cipher(ballot);
    return f.digest();
  }
  f.text('onion-election/v2/answers').u32(ballot.length);
  for (const answer of ballot) {
    f.u32(answer.choices.length);
    for (const choice of answer.choices) cipher(choice);
    f.u32(answer.sumProof.length);
    branches(answer.sumProof);
  }
  return f.digest();
}

/** The tracker a voter is shown for its ballot: the ballot digest in hex. */
export function ballotTracker(group: Group, ballot: AnyBallot): string {
  return ballotDigest(group, ballot).toString('hex');
}

/**
 * A cast ballot's id, for pools and announcements: SHA-256(F("onion-election/v2/cast_ballot") ‖
 * F(credential) ‖ u32(seq) ‖ F(ballot digest) ‖ F(signature a) ‖ F(c) ‖ F(s)), 64 hex digits.
 */
export function castBallotId(group: Group, cast: CastBallot): string {
  const w = group.byteWidth;
  const { commitment, challenge, response } = cast.signature;
  return new Framer()
    .text('onion-election/v2/cast_ballot')
    .field(toBytes(cast.credential, w))
    .u32(cast.seq)
    .field(ballotDigest(group, cast.ballot))
    .field(toBytes(commitment, w))
    .field(toBytes(challenge, 32))
    .field(toBytes(response, w))
    .digest()
    .toString('hex');
}

function signatureChallenge(
  group: Group,
  context: Uint8Array,
  credential: bigint,
  seq: number,
  ballot: AnyBallot,
  commitment: bigint,
): bigint {
  return fiatShamirChallenge(
    group,
    PROOF_TAGS.ballotSignature,
    context,
    [credential, commitment],
    [u32(seq), ballotDigest(group, ballot)],
  );
}

function endorsementChallenge(
  group: Group,
  context: Uint8Array,
  credential: bigint,
  pk: bigint,
  commitment: bigint,
): bigint {
  return fiatShamirChallenge(group, PROOF_TAGS.tallierEndorsement, context, [credential, pk, commitment]);
}

/** g^s = a · Y^c, the challenge having been checked. */
function schnorrHolds(group: Group, credential: bigint, signature: SchnorrProof): boolean {
  return (
    group.powG(signature.response) ===
    group.mul(signature.commitment, group.pow(credential, signature.challenge))
  );
}

/** The Fiat–Shamir part of a cast ballot's signature: the challenge is the hash of the statement. */
export function checkSignatureChallenge(
  group: Group,
  context: Uint8Array,
  cast: CastBallot,
  field = 'cast_ballot',
): void {
  const { credential, seq, ballot, signature } = cast;
  checkSeq(seq, `${field}.seq`);
  const expected = signatureChallenge(group, context, credential, seq, ballot, signature.commitment);
  check(signature.challenge === expected, `${field}.signature.challenge`, 'is not the hash of the statement');
}

/**
 * Checks a cast ballot's signature (not its ballot proof: verifyAnyBallot under voterContext does
 * that, or a batch). Roster membership is the chain's rule.
 */
export function verifyBallotSignature(
  group: Group,
  context: Uint8Array,
  cast: CastBallot,
  field = 'cast_ballot',
): void {
  checkSignatureChallenge(group, context, cast, field);
  const { credential, signature } = cast;
  check(
    schnorrHolds(group, credential, signature),
    `${field}.signature.response`,
    'does not satisfy g^s = a·Y^c',
  );
}

/** Checks a roster member's endorsement of a tallier key (the key's own pk_pok is checked apart). */
export function verifyEndorsement(
  group: Group,
  context: Uint8Array,
  key: TallierPublicKey,
  endorsement: Endorsement,
  field = 'endorsement',
): void {
  const { credential, signature } = endorsement;
  const expected = endorsementChallenge(group, context, credential, key.pk, signature.commitment);
  check(signature.challenge === expected, `${field}.challenge`, 'is not the hash of the statement');
  check(schnorrHolds(group, credential, signature), `${field}.response`, 'does not satisfy g^s = a·Y^c');
}

/**
 * Checks a cast ballot completely: its signature, then its ballot (of the form `rules` ask for,
 * undefined for yes/no) under voterContext.
 */
export function verifyCastBallot(
  group: Group,
  context: Uint8Array,
  h: bigint,
  rules: readonly QuestionRule[] | undefined,
  cast: CastBallot,
  field = 'cast_ballot',
): void {
  verifyBallotSignature(group, context, cast, field);
  const voter = voterContext(group, context, cast.credential);
  verifyAnyBallot(group, voter, h, rules, cast.ballot, field);
}
