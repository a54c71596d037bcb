// Ballots: exponential El Gamal encryption of a vote m ∈ {0, 1} under the election key h, with a
// disjunctive Chaum–Pedersen proof (Cramer–Damgård–Schoenmakers OR-composition) that m is 0 or 1,
// and the homomorphic tally: the component-wise product of ballots encrypts the sum of votes. The
// disjunctive proof is written for any list of values: a question's sum uses it too (choices.ts).
import { check } from './errors';
import type { Group } from './group';
import { batchWeight, type Randomness, systemRandomness } from './random';
import { CHALLENGE_MODULUS, fiatShamirChallenge, PROOF_TAGS, type ProofTag } from './transcript';
import type { Ballot, Ciphertext, ProofBranch } from './types';

export type Vote = 0 | 1;

/**
 * What a 0/1 proof's challenge binds besides the ciphertext: its domain tag, and byte strings
 * naming its place. A yes/no ballot binds nothing more (`YES_NO`); an option of a question binds
 * the question's and the option's index (choices.ts), so that it proves nothing anywhere else.
 */
export interface ProofBinding {
  readonly tag: ProofTag;
  readonly bound: readonly Uint8Array[];
}

export const YES_NO: ProofBinding = { tag: PROOF_TAGS.ballotProof, bound: [] };

/**
 * Encrypts `vote` under `h`: α = g^r, β = g^m·h^r, with a proof that m is 0 or 1 (proveOneOf).
 * Randomness drawn, in order: r (encryption nonce), then proveOneOf's: w (true-branch nonce), c'
 * (simulated challenge), t (simulated-branch nonce).
 */
export function encryptBallot(
  group: Group,
  context: Uint8Array,
  h: bigint,
  vote: Vote,
  rng: Randomness = systemRandomness,
  binding: ProofBinding = YES_NO,
): Ballot {
  check(vote === 0 || vote === 1, 'vote', 'must be 0 or 1');
  return encryptWithNonce(group, context, h, vote, rng.scalar(group.q), rng, binding);
}

/** encryptBallot with its nonce r given (a question's sum proof needs every option's). */
export function encryptWithNonce(
  group: Group,
  context: Uint8Array,
  h: bigint,
  vote: Vote,
  r: bigint,
  rng: Randomness,
  binding: ProofBinding,
): Ballot {
  const alpha = group.powG(r);
  const hr = group.fixedPow(h, r);
  const beta = vote === 1 ? group.mul(group.g, hr) : hr;
  const [p0, p1] = proveOneOf(group, context, h, ballotStatement({ alpha, beta }), r, vote, rng, binding);
  return { alpha, beta, proof: [p0!, p1!] };
}

/**
 * A disjunctive statement: (α, β) encrypts, under h, one of `values` (distinct, ascending). Its
 * challenge hashes h, then `hashed` (the ciphertexts the statement is made of: (α, β) itself for a
 * ballot; every option's for a question's sum, choices.ts), then each branch's commitments.
 */
export interface OneOf extends Ciphertext {
  readonly values: readonly number[];
  readonly hashed: readonly bigint[];
}

const ZERO_ONE: readonly number[] = [0, 1];

/** A yes/no ballot's statement: it encrypts 0 or 1. */
export function ballotStatement({ alpha, beta }: Ciphertext): OneOf {
  return { alpha, beta, values: ZERO_ONE, hashed: [alpha, beta] };
}

/**
 * Proves that (α, β) = (g^r, g^m·h^r) encrypts one of `values` (m among them), Cramer–Damgård–
 * Schoenmakers' OR-composition: one branch per value j claiming log_g α = log_h(β / g^j). The true
 * branch is proved honestly; each other is simulated with a challenge chosen in advance; the hash
 * fixes their sum (mod 2^256). Knowing r lets a simulated branch be built from fixed-base powers
 * only: a = g^t, b = h^t·g^((j−m)c), s = t + r·c (t uniform ⇔ s uniform, as in the textbook
 * simulation s uniform, a = g^s·α^−c). Randomness drawn: w, then (c, t) per simulated branch in
 * the order of `values`.
 */
export function proveOneOf(
  group: Group,
  context: Uint8Array,
  h: bigint,
  statement: OneOf,
  r: bigint,
  m: number,
  rng: Randomness,
  binding: ProofBinding,
): ProofBranch[] {
  const { q } = group;
  const real = statement.values.indexOf(m);
  check(real >= 0, 'vote', `must be one of ${statement.values.join(', ')}`);
  const w = rng.scalar(q);
  const branches = statement.values.map((j, k): ProofBranch => {
    if (k === real) return { a: group.powG(w), b: group.fixedPow(h, w), challenge: 0n, response: 0n };
    const challenge = rng.challenge();
    const t = rng.scalar(q);
    const shift = BigInt(j - m) * challenge;
    return {
      a: group.powG(t),
      b: group.mul(group.fixedPow(h, t), shift < 0n ? group.powGInverse(-shift) : group.powG(shift)),
      challenge,
      response: (t + r * challenge) % q,
    };
  });
  const total = oneOfChallenge(group, context, h, statement, branches, binding);
  const simulated = branches.reduce((sum, branch, k) => (k === real ? sum : sum + branch.challenge), 0n);
  const challenge = (((total - simulated) % CHALLENGE_MODULUS) + CHALLENGE_MODULUS) % CHALLENGE_MODULUS;
  branches[real] = { ...branches[real]!, challenge, response: (w + r * challenge) % q };
  return branches;
}

/**
 * Checks a ballot's proof under election key h: c_0 + c_1 ≡ H(ballot_proof, group, context, h, α,
 * β, a_0, b_0, a_1, b_1) (mod 2^256), and for each branch j:
 *   g^s_j = a_j · α^c_j      and      h^s_j · g^(j·c_j) = b_j · β^c_j
 * (the second is h^s_j = b_j · (β/g^j)^c_j with the division moved across). As verifyOneOf.
 * Many ballots at once: verifyBallotBatch (ballot-batch.ts).
 */
export function verifyBallot(
  group: Group,
  context: Uint8Array,
  h: bigint,
  ballot: Ballot,
  field = 'ballot',
  binding: ProofBinding = YES_NO,
): void {
  verifyOneOf(group, context, h, ballotStatement(ballot), ballot.proof, `${field}.proof`, binding);
}

/**
 * Checks a disjunctive proof: its challenges sum to the hash of the statement, and each branch's
 * two equations hold. The g-equations are checked as one, and so are the h-equations, by the
 * small-exponent batch test (Bellare–Garay–Rabin): each branch but the first raised to a fresh
 * random 128-bit weight, and multiplied. In the prime-order group G_q (every value here is a
 * checked member) a false branch survives with probability 2^−128; for a ballot it saves two of
 * the four full exponentiations. When a batch fails, the branches are checked one by one to name
 * the culprit.
 */
export function verifyOneOf(
  group: Group,
  context: Uint8Array,
  h: bigint,
  statement: OneOf,
  branches: readonly ProofBranch[],
  field: string,
  binding: ProofBinding,
): void {
  checkOneOfChallenge(group, context, h, statement, branches, field, binding);
  checkOneOfEquations(group, h, statement, branches, field);
}

/** verifyOneOf's equations, its challenge already checked. */
export function checkOneOfEquations(
  group: Group,
  h: bigint,
  statement: OneOf,
  branches: readonly ProofBranch[],
  field: string,
): void {
  const { q } = group;
  let s = 0n;
  let c = 0n;
  let shift = 0n;
  let aSide = 1n;
  let bSide = 1n;
  for (const [k, branch] of branches.entries()) {
    const rho = k === 0 ? 1n : batchWeight();
    s += rho * branch.response;
    c += rho * branch.challenge;
    shift += rho * BigInt(statement.values[k]!) * branch.challenge;
    aSide = group.mul(aSide, k === 0 ? branch.a : group.pow(branch.a, rho));
    bSide = group.mul(bSide, k === 0 ? branch.b : group.pow(branch.b, rho));
  }
  const gHolds = group.powG(s % q) === group.mul(aSide, group.pow(statement.alpha, c));
  const hHolds =
    group.mul(group.fixedPow(h, s % q), group.powG(shift % q)) ===
    group.mul(bSide, group.pow(statement.beta, c));
  if (gHolds && hHolds) return;
  verifyOneOfBranches(group, h, statement, branches, field);
  throw new Error('unreachable: a batch failed although every branch holds');
}

/** The Fiat–Shamir part of a ballot's proof: c_0 + c_1 ≡ H(statement) (mod 2^256). */
export function checkBallotChallenge(
  group: Group,
  context: Uint8Array,
  h: bigint,
  ballot: Ballot,
  field = 'ballot',
  binding: ProofBinding = YES_NO,
): void {
  checkOneOfChallenge(group, context, h, ballotStatement(ballot), ballot.proof, `${field}.proof`, binding);
}

/** The Fiat–Shamir part of a disjunctive proof: Σ c_j ≡ H(statement) (mod 2^256). */
export function checkOneOfChallenge(
  group: Group,
  context: Uint8Array,
  h: bigint,
  statement: OneOf,
  branches: readonly ProofBranch[],
  field: string,
  binding: ProofBinding,
): void {
  check(
    branches.length === statement.values.length,
    field,
    `must have ${statement.values.length} branches, one per value it may encrypt`,
  );
  const total = oneOfChallenge(group, context, h, statement, branches, binding);
  const sum = branches.reduce((acc, branch) => acc + branch.challenge, 0n);
  check(
    sum % CHALLENGE_MODULUS === total,
    field,
    'the branch challenges do not sum to the hash of the statement',
  );
}

/**
 * The four equations of a ballot's proof one by one, unbatched and with no randomness: the slow
 * path that names what failed (branch 0 before branch 1, the g-equation before the h-equation).
 */
export function verifyBranches(group: Group, h: bigint, ballot: Ballot, field = 'ballot'): void {
  verifyOneOfBranches(group, h, ballotStatement(ballot), ballot.proof, `${field}.proof`);
}

/** A disjunctive proof's equations one by one, in order (verifyBranches). */
export function verifyOneOfBranches(
  group: Group,
  h: bigint,
  statement: OneOf,
  branches: readonly ProofBranch[],
  field: string,
): void {
  for (const [k, branch] of branches.entries()) {
    const j = statement.values[k]!;
    const where = `${field}[${k}]`;
    check(
      group.powG(branch.response) === group.mul(branch.a, group.pow(statement.alpha, branch.challenge)),
      where,
      'fails g^s = a·α^c',
    );
    const left = group.fixedPow(h, branch.response);
    check(
      (j === 0 ? left : group.mul(left, group.powG((BigInt(j) * branch.challenge) % group.q))) ===
        group.mul(branch.b, group.pow(statement.beta, branch.challenge)),
      where,
      `fails h^s = b·(β/g^${j})^c`,
    );
  }
}

function oneOfChallenge(
  group: Group,
  context: Uint8Array,
  h: bigint,
  statement: OneOf,
  branches: ReadonlyArray<{ readonly a: bigint; readonly b: bigint }>,
  { tag, bound }: ProofBinding,
): bigint {
  const commitments = branches.flatMap((branch) => [branch.a, branch.b]);
  return fiatShamirChallenge(group, tag, context, [h, ...statement.hashed, ...commitments], bound);
}

/**
 * Why a ballot that brings a tally's α to 1 is invalid (docs/PROTOCOL.md §4, rule 8): that tally
 * could never be decrypted, since each factor α^x would be 1, which is not a group element (and
 * β = g^m would tell the count to anyone). Only ballots whose nonces sum to 0 mod q do it, e.g. r
 * and q − r: honest ones never (r is fresh), so refusing them costs an honest voter nothing.
 */
export const TALLY_ALPHA_ONE =
  'brings the tally’s α to 1, which can never be decrypted (each factor α^x would be 1, not a group element)';

/** The encryption of zero with no randomness: the neutral element of the tally. */
export const EMPTY_TALLY: Ciphertext = { alpha: 1n, beta: 1n };

/** Homomorphic addition: (α_1·α_2, β_1·β_2) encrypts m_1 + m_2. */
export function addToTally(group: Group, tally: Ciphertext, ballot: Ciphertext): Ciphertext {
  return { alpha: group.mul(tally.alpha, ballot.alpha), beta: group.mul(tally.beta, ballot.beta) };
}

/** The tally of a list of (already verified) ballots. */
export function tallyBallots(group: Group, ballots: readonly Ciphertext[]): Ciphertext {
  return ballots.reduce((tally, ballot) => addToTally(group, tally, ballot), EMPTY_TALLY);
}
