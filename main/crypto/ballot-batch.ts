// Many ballots' proofs under one election key, checked as one batch (docs/CRYPTO.md §7.1): the
// record verifier's path. The chain checks its one ballot per block with verifyBallot.
//
// Each ballot i has four equations, for j ∈ {0, 1}:
//   (E1_ij)  g^s_ij = a_ij · α_i^c_ij          (E2_ij)  h^s_ij · g^(j·c_ij) = b_ij · β_i^c_ij
// Each is raised to its own weight, drawn independently from [0, 2^128) by the system CSPRNG after
// the ballots are fixed (ρ_ij for E1, σ_ij for E2), and all are multiplied (Bellare–Garay–Rabin's
// small-exponent test):
//   g^X · h^Y = Π_i Π_j a_ij^ρ_ij · b_ij^σ_ij  ·  α_i^(Σ_j ρ_ij·c_ij) · β_i^(Σ_j σ_ij·c_ij)
//   X = Σ ρ_ij·s_ij + Σ_i σ_i1·c_i1 (mod q),   Y = Σ σ_ij·s_ij (mod q)
// The left side is two exponentiations for the whole batch, the right one multi-exponentiation
// (Bos–Coster, multiexp.ts) of 6 bases per ballot with 128- and 385-bit exponents.
//
// Soundness: every α, β, a, b is a checked member of G_q (the parser's Jacobi test) and so are g
// and h, so each equation's quotient δ = left/right lies in G_q, of prime order q. If some
// equation is false its δ ≠ 1; fixing every other weight, the batch then holds for at most one
// value of its weight in [0, 2^128) ⊂ [0, q) (w ↦ δ^w is one-to-one there): probability ≤ 2^−128.
// Membership is essential: an error of order 2 (a commitment multiplied by p − 1) would survive
// every even weight, half of them.
import { ballotProofs } from './any-ballot';
import { ballotStatement, checkBallotChallenge, verifyBranches } from './ballot';
import { answerProofs, type QuestionRule, verifyAnswers } from './choices';
import { checkSignatureChallenge, verifyCastBallot, voterContext } from './credential';
import { ValidationError } from './errors';
import type { Group } from './group';
import { Batch, type Unit } from './proof-batch';
import type { Answer, Ballot, CastBallot } from './types';

/** The first ballot of a batch that fails, and the error verifyBallot would throw for it. */
export interface BallotBatchFailure {
  readonly index: number;
  readonly error: ValidationError;
}

/**
 * Verifies every ballot's proof under election key h, as verifyBallot does one by one, and
 * returns the lowest-indexed failure, with the same error verifyBallot gives that ballot, or null.
 * Challenges are checked per ballot (each is a hash); the equations of the ballots before the
 * first bad challenge as one batch; a failed batch is halved until one ballot is left, whose
 * equations are then checked one by one to name the branch and the equation.
 */
export function verifyBallotBatch(
  group: Group,
  context: Uint8Array,
  h: bigint,
  ballots: readonly Ballot[],
  field = 'ballot',
): BallotBatchFailure | null {
  let end = ballots.length;
  let challengeFailure: BallotBatchFailure | null = null;
  for (const [index, ballot] of ballots.entries()) {
    try {
      checkBallotChallenge(group, context, h, ballot, field);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      [end, challengeFailure] = [index, { index, error }];
      break;
    }
  }
  const batch = new Batch(
    group,
    h,
    ballots.slice(0, end).map((ballot) => ballotUnit(ballot)),
  );
  if (batch.holds(0, end)) return challengeFailure;
  const index = batch.firstFailure(0, end);
  return { index, error: branchError(group, h, ballots[index]!, field) };
}

/**
 * Many cast ballots (per-voter rule, docs/CRYPTO.md §9) under election key h, as verifyCastBallot
 * does one by one, in one batch: each cast's two hashes (its signature's challenge, its proof's
 * under its voter context), then every signature equation g^s = a·Y^c beside the ballots'
 * equations, each with its own weight. Returns the lowest-indexed failure with verifyCastBallot's
 * error for it, named by `fields[index]`, or null.
 */
export function verifyCastBatch(
  group: Group,
  context: Uint8Array,
  h: bigint,
  rules: readonly QuestionRule[] | undefined,
  casts: readonly CastBallot[],
  fields: readonly string[],
): BallotBatchFailure | null {
  const units: Unit[] = [];
  let hashFailure: BallotBatchFailure | null = null;
  for (const [index, cast] of casts.entries()) {
    try {
      checkSignatureChallenge(group, context, cast, fields[index]);
      const voter = voterContext(group, context, cast.credential);
      units.push({ proofs: ballotProofs(group, voter, h, rules, cast.ballot, fields[index]!), signer: cast });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      hashFailure = { index, error };
      break;
    }
  }
  const batch = new Batch(group, h, units);
  if (batch.holds(0, units.length)) return hashFailure;
  const index = batch.firstFailure(0, units.length);
  try {
    verifyCastBallot(group, context, h, rules, casts[index]!, fields[index]);
  } catch (error) {
    if (error instanceof ValidationError) return { index, error };
    throw error;
  }
  throw new Error('batch verification: a batch failed but no cast ballot fails on its own');
}

/**
 * Many ballots of answers (questions with choices, docs/CRYPTO.md §12) under election key h, as
 * verifyAnswers does one by one, in one batch: each ballot's shape and hashes (answerProofs), then
 * the equations of every option's and every sum's proof of the ballots before the first that fails
 * those. Returns the lowest-indexed failure, with verifyAnswers' error for it, or null.
 */
export function verifyAnswersBatch(
  group: Group,
  context: Uint8Array,
  h: bigint,
  rules: readonly QuestionRule[],
  ballots: readonly (readonly Answer[])[],
  field = 'ballot',
): BallotBatchFailure | null {
  const units: Unit[] = [];
  let hashFailure: BallotBatchFailure | null = null;
  for (const [index, answers] of ballots.entries()) {
    try {
      units.push({ proofs: answerProofs(group, context, h, rules, answers, field) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      hashFailure = { index, error };
      break;
    }
  }
  const batch = new Batch(group, h, units);
  if (batch.holds(0, units.length)) return hashFailure;
  const index = batch.firstFailure(0, units.length);
  try {
    verifyAnswers(group, context, h, rules, ballots[index]!, field);
  } catch (error) {
    if (error instanceof ValidationError) return { index, error };
    throw error;
  }
  throw new Error('batch verification: a batch failed but no ballot fails on its own');
}

/** The per-equation check of one ballot, which must fail: its error. */
function branchError(group: Group, h: bigint, ballot: Ballot, field: string): ValidationError {
  try {
    verifyBranches(group, h, ballot, field);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  // Only reachable if a sub-batch passed although one of its equations is false (≤ 2^−128).
  throw new Error('batch verification: a batch failed but no ballot fails on its own');
}

/** A yes/no ballot as a unit. */
function ballotUnit(ballot: Ballot): Unit {
  return { proofs: [{ statement: ballotStatement(ballot), branches: ballot.proof }] };
}
