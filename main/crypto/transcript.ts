// Fiat–Shamir challenges, hashed the strong way: a domain tag per proof kind, the group, the
// election context and the whole statement go into the hash with the commitments. Hashing only
// the commitments (as Helios did) lets a prover pick the statement after seeing the challenge:
// Bernhard, Pereira and Warinschi (2012) showed ballots encrypting out-of-range values and false
// decryption factors passing verification that way. Byte layout: docs/CRYPTO.md, "Challenges".
import { fromBytes, toBytes } from './bigint';
import { Framer } from './framing';
import type { Group } from './group';

/** One tag per proof kind, so that no proof of one kind can stand in for another. */
export const PROOF_TAGS = {
  pkPok: 'onion-election/v1/pk_pok',
  ballotProof: 'onion-election/v1/ballot_proof',
  decFactorPoc: 'onion-election/v1/dec_factor_poc',
  /** Version 2: the factor names the final block it decrypts (bound after the context). */
  decFactorPocV2: 'onion-election/v2/dec_factor_poc',
  /** Version 2: a tallier's signed acceptance of a final block in a round. */
  acceptance: 'onion-election/v2/acceptance',
  /** Version 2, per-voter rule: a voter's signature on its cast ballot, by its credential. */
  ballotSignature: 'onion-election/v2/ballot_signature',
  /** Version 2, per-voter rule: a roster member's endorsement of the tallier key it stands with. */
  tallierEndorsement: 'onion-election/v2/tallier_endorsement',
  /** Threshold talliers: a dealing's proof of knowledge of the dealer's key and its ephemeral. */
  dealing: 'onion-election/v2/dealing',
  /** Threshold talliers: a complaint's proof that K = R^x of the complainer. */
  complaint: 'onion-election/v2/complaint',
  /** Threshold talliers: a factor computed from a share of a missing tallier's key. */
  compensatedFactor: 'onion-election/v2/compensated_factor',
  /** Questions with choices: an option's proof that it encrypts 0 or 1. */
  choiceProof: 'onion-election/v2/choice_proof',
  /** Questions with choices: the proof that a question's selections sum to an allowed number. */
  sumProof: 'onion-election/v2/sum_proof',
} as const;

export type ProofTag = (typeof PROOF_TAGS)[keyof typeof PROOF_TAGS];

/** Challenges are 256-bit: below q, so each acts as a distinct scalar, and short to exponentiate. */
export const CHALLENGE_BITS = 256;
export const CHALLENGE_MODULUS = 1n << 256n;

/**
 * SHA-256 over length-prefixed fields: tag, p, q, g, context, then `bound` (byte strings that are
 * part of the statement but not numbers: the final block a factor decrypts, an acceptance's round),
 * then each statement and commitment value in order, every number as big-endian bytes of the
 * group's width. Read as a big-endian integer in [0, 2^256). Version-1 proofs bind nothing extra.
 */
export function fiatShamirChallenge(
  group: Group,
  tag: ProofTag,
  context: Uint8Array,
  values: readonly bigint[],
  bound: readonly Uint8Array[] = [],
): bigint {
  const framer = new Framer().text(tag);
  for (const n of [group.p, group.q, group.g]) framer.field(toBytes(n, group.byteWidth));
  framer.field(context);
  for (const bytes of bound) framer.field(bytes);
  for (const n of values) framer.field(toBytes(n, group.byteWidth));
  return fromBytes(framer.digest());
}
