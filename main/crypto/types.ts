// The election's cryptographic objects, named after the protocol's vocabulary. Every value from
// outside reaches these types only through the parsers in codec.ts, which check each element
// for membership in G_q and each scalar for range; the verify functions rely on that.

/** Schnorr proof of knowledge of log_g(pk): the `pk_pok` of a tallier key. */
export interface SchnorrProof {
  readonly commitment: bigint;
  readonly challenge: bigint;
  readonly response: bigint;
}

/** What a tallier publishes in a phase-1 block: its public key and proof of knowledge. */
export interface TallierPublicKey {
  readonly pk: bigint;
  readonly pkPok: SchnorrProof;
}

/** Exponential El Gamal: (α, β) = (g^r, g^m · h^r). */
export interface Ciphertext {
  readonly alpha: bigint;
  readonly beta: bigint;
}

/** One branch of the disjunctive Chaum–Pedersen proof: log_g α = log_h (β / g^j). */
export interface ProofBranch {
  readonly a: bigint;
  readonly b: bigint;
  readonly challenge: bigint;
  readonly response: bigint;
}

/** A ballot: an encryption of 0 or 1 with a proof that it is one of the two. */
export interface Ballot extends Ciphertext {
  readonly proof: readonly [ProofBranch, ProofBranch];
}

/**
 * A ballot's answer to one question (questions with choices): for each option, an encryption of
 * 0 or 1 proven as a yes/no ballot is (bound to the question and the option), and the proof that
 * the options' sum is one the question allows: one branch per allowed sum, none when every sum
 * from 0 to the number of options is allowed (the options' proofs then say all there is).
 */
export interface Answer {
  readonly choices: readonly Ballot[];
  readonly sumProof: readonly ProofBranch[];
}

/** A ballot of questions with choices: one answer per question, in the genesis' order. */
export type Answers = readonly Answer[];

/**
 * What a voter casts: a yes/no ballot, or a ballot of answers when the election asks questions
 * with choices (any-ballot.ts tells them apart and checks either).
 */
export type AnyBallot = Ballot | Answers;

/** Chaum–Pedersen proof that log_g pk = log_α d: the `dec_factor_poc`. */
export interface ChaumPedersenProof {
  readonly a: bigint;
  readonly b: bigint;
  readonly challenge: bigint;
  readonly response: bigint;
}

/**
 * The proof of a factor for L tallies at once (factor-proof.ts): log_g Y = log_α_i d_i for each i,
 * with one commitment b_i per tally. For L = 1 it is a ChaumPedersenProof.
 */
export interface FactorProof {
  readonly a: bigint;
  readonly b: readonly bigint[];
  readonly challenge: bigint;
  readonly response: bigint;
}

/**
 * A tallier's share of the decryption of the election's tallies (one for a yes/no question, one per
 * option with questions): d_i = α_i^x, with its proof. From protocol version 2 on, it names the
 * final block whose tallies it decrypts (64 hex digits), and its proof binds that hash, so a factor
 * cannot be carried to another branch; version-1 factors have no `final`.
 */
export interface DecryptionFactor {
  readonly pk: bigint;
  readonly final?: string;
  readonly factors: readonly bigint[];
  readonly decFactorPoc: FactorProof;
}

/**
 * A tallier's signed acceptance of a final block in a round of the finality protocol (version 2):
 * a Schnorr signature by its tallier key over the election, the block's hash and the round.
 */
export interface Acceptance {
  readonly pk: bigint;
  /** The accepted final block's hash, 64 hex digits. */
  readonly final: string;
  /** 1, 2, …: the round of the finality protocol (docs/PROTOCOL.md §6). */
  readonly round: number;
  readonly signature: SchnorrProof;
}

/**
 * A ballot cast under the per-voter rule (protocol version 2): the voter's credential (a public key
 * on the election's roster), its sequence number (a revote carries a higher one), the ballot, whose
 * proof is bound to the credential (voterContext), and the credential's Schnorr signature over the
 * election, the sequence number and the ballot.
 */
export interface CastBallot {
  readonly credential: bigint;
  readonly seq: number;
  readonly ballot: AnyBallot;
  readonly signature: SchnorrProof;
}

/** A roster member's endorsement of the tallier key it stands with (per-voter rule). */
export interface Endorsement {
  readonly credential: bigint;
  readonly signature: SchnorrProof;
}

/** The dealing's proof: knowledge of the dealer's key x and of r, R = g^r, in one challenge. */
export interface DealingProof {
  readonly keyCommitment: bigint;
  readonly ephemeralCommitment: bigint;
  readonly challenge: bigint;
  readonly keyResponse: bigint;
  readonly ephemeralResponse: bigint;
}

/**
 * A tallier's dealing in the key ceremony (threshold talliers): Feldman commitments to a polynomial
 * whose constant term is its key (C_0 = pk is implied), and each other elected tallier's share
 * encrypted to it (one width-of-p byte string each, read as an integer), under one ephemeral R.
 */
export interface Dealing {
  readonly dealer: bigint;
  /** C_1 … C_{t−1}. */
  readonly commitments: readonly bigint[];
  readonly ephemeral: bigint;
  /** One per elected tallier but the dealer, in the talliers' order. */
  readonly shares: readonly bigint[];
  readonly proof: DealingProof;
}

/** A recipient's proof that the share a dealing holds for it is wrong: K = R^x, proven. */
export interface Complaint {
  readonly complainer: bigint;
  readonly dealer: bigint;
  readonly sharedKey: bigint;
  readonly proof: ChaumPedersenProof;
}

/** Tallier `pk`'s stand-in factors for the missing tallier `missing`: α_i^(f_missing(index of pk)). */
export interface CompensatedFactor {
  readonly pk: bigint;
  readonly missing: bigint;
  /** The final block whose tallies it decrypts. */
  readonly final: string;
  readonly factors: readonly bigint[];
  readonly proof: FactorProof;
}

export interface YesNoResult {
  /** Ballots for 1. */
  readonly yes: number;
  /** Ballots for 0. */
  readonly no: number;
  readonly total: number;
}

/** The result of questions with choices: per question, per option, how many ballots chose it. */
export interface ChoicesResult {
  readonly total: number;
  readonly counts: readonly (readonly number[])[];
}

/** An election's result: yes and no, or the counts of every option of every question. */
export type ElectionResult = YesNoResult | ChoicesResult;
