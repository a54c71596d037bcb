// main/crypto: the election cryptography. Pure TypeScript on bigint, no Electron; runs on Node 20
// and in Electron's main process. The constructions, hash inputs and checks are specified in
// docs/CRYPTO.md.
export { addToTally, EMPTY_TALLY, encryptBallot, tallyBallots, type Vote, verifyBallot } from './ballot';
export {
  allowedSums,
  describeSums,
  encryptAnswers,
  MAX_OPTIONS,
  type QuestionRule,
  tallyAnswers,
  verifyAnswers,
} from './choices';
export * from './codec';
export { decryptTally, discreteLogBounded, verifyDecryptionFactor, yesNoResult } from './decryption';
export { check, ValidationError } from './errors';
export { Group, type GroupOptions, type GroupParams, MIN_GROUP_BITS, RFC3526_MODP_2048 } from './group';
export { type BackendName, createPowBackend, type PowBackend } from './modexp';
export { fixedRandomness, type Randomness, systemRandomness } from './random';
export { electionKey, TallierSecretKey, verifyPkPok } from './tallier';
export { CHALLENGE_MODULUS, fiatShamirChallenge, PROOF_TAGS, type ProofTag } from './transcript';
export type * from './types';
