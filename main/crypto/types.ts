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

/** Chaum–Pedersen proof that log_g pk = log_α d: the `dec_factor_poc`. */
export interface ChaumPedersenProof {
  readonly a: bigint;
  readonly b: bigint;
  readonly challenge: bigint;
  readonly response: bigint;
}

/** A tallier's share of the decryption of a tally: d = α^x, with its proof. */
export interface DecryptionFactor {
  readonly pk: bigint;
  readonly factor: bigint;
  readonly decFactorPoc: ChaumPedersenProof;
}

export interface ElectionResult {
  /** Ballots for 1. */
  readonly yes: number;
  /** Ballots for 0. */
  readonly no: number;
  readonly total: number;
}
