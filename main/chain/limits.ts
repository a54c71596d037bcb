// The bounds on an election's parameters and on a miner label. Plain data with no imports, so the
// dashboard's forms (in the browser) validate against the very numbers the engine enforces.
export const LIMITS = {
  titleBytes: 200,
  questionBytes: 1000,
  /** Questions with choices: an option's label. */
  optionBytes: 200,
  /** Questions with choices: questions an election asks, options a question has (the proofs' bounds, crypto/choices.ts). */
  questions: 16,
  optionsPerQuestion: 64,
  /**
   * Questions with choices: options of all questions together. Each is a tally and ~4.3 KB of
   * ballot JSON, so a ballot of 64 options is ~280 KB; blocks grow to hold one (chain/sizes.ts).
   */
  optionsInAll: 64,
  nTalliers: [1, 64],
  nTalliersBlocks: [1, 10_000],
  nVoteBlocks: [1, 100_000],
  confirmations: [0, 1000],
  /** Per-voter rule: registered voters (a roster of 1,000 is ~0.5 MB of genesis JSON). */
  rosterSize: [1, 1000],
  /** Threshold talliers: a dealing grows with n (one encrypted share per other tallier). */
  thresholdTalliers: [1, 16],
  /**
   * Threshold talliers: the key ceremony's blocks (dealings in the first half, complaints until the
   * end): at least 4, so that a dealing in the last block allowed still leaves two for complaints.
   */
  nCeremonyBlocks: [4, 1000],
  /** At most 2^34 expected hashes per block (~1.5 h on one laptop core at 3 MH/s). */
  maxExpectedHashesLog2: 34,
} as const;

/** A block's miner label, in bytes of UTF-8. */
export const MAX_MINER_LABEL_BYTES = 64;

/**
 * Per-voter rule: ballots a voting block may carry. Eight cast ballots are ~49 KB of JSON, below
 * the peer API's 64 KB request limit; capacity is n_vote_blocks × 8 (genesis check).
 */
export const MAX_BALLOTS_PER_BLOCK = 8;

/**
 * Threshold talliers: ceremony messages (dealings and complaints) a ceremony block may carry. Three
 * dealings for 16 talliers at quorum 16 are ~56 KB of JSON, below MAX_BLOCK_JSON_BYTES.
 */
export const MAX_CEREMONY_MESSAGES_PER_BLOCK = 3;
