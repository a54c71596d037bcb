// Ballots: exponential El Gamal encryption of a vote m ∈ {0, 1} under the election key h, with a
// disjunctive Chaum–Pedersen proof (Cramer–Damgård–Schoenmakers OR-composition) that m is 0 or 1,
// and the homomorphic tally: the component-wise product of ballots encrypts the sum of votes.
import { check } from './errors';
import type { Group } from './group';
import { batchWeight, type Randomness, systemRandomness } from './random';
import { CHALLENGE_MODULUS, fiatShamirChallenge, PROOF_TAGS } from './transcript';
import type { Ballot, Ciphertext, ProofBranch } from './types';

export type Vote = 0 | 1;

/**
 * Encrypts `vote` under `h`: α = g^r, β = g^m·h^r. The proof has one branch per value j ∈ {0, 1}
 * claiming log_g α = log_h(β / g^j). The true branch m is proved honestly; the other is simulated
 * with a challenge chosen in advance; the hash fixes their sum (mod 2^256).
 *
 * Randomness drawn, in order: r (encryption nonce), w (true-branch nonce), c' (simulated
 * challenge), t (simulated-branch nonce). Knowing r lets the simulated branch be built from
 * fixed-base powers only: a' = g^t, b' = h^t·g^((j'−m)c'), s' = t + r·c' (t uniform ⇔ s'
 * uniform, as in the textbook simulation s' uniform, a' = g^s'·α^−c').
 */
export function encryptBallot(
  group: Group,
  context: Uint8Array,
  h: bigint,
  vote: Vote,
  rng: Randomness = systemRandomness,
): Ballot {
  check(vote === 0 || vote === 1, 'vote', 'must be 0 or 1');
  const { q } = group;
  const r = rng.scalar(q);
  const alpha = group.powG(r);
  const hr = group.fixedPow(h, r);
  const beta = vote === 1 ? group.mul(group.g, hr) : hr;

  const w = rng.scalar(q);
  const simulatedChallenge = rng.challenge();
  const t = rng.scalar(q);

  const real = { a: group.powG(w), b: group.fixedPow(h, w) };
  // j' − m is −1 when m = 1 (simulating j' = 0) and +1 when m = 0 (simulating j' = 1).
  const shift = vote === 1 ? group.powGInverse(simulatedChallenge) : group.powG(simulatedChallenge);
  const simulated: ProofBranch = {
    a: group.powG(t),
    b: group.mul(group.fixedPow(h, t), shift),
    challenge: simulatedChallenge,
    response: (t + r * simulatedChallenge) % q,
  };

  const commitments = vote === 0 ? [real, simulated] : [simulated, real];
  const total = ballotChallenge(group, context, h, { alpha, beta }, commitments);
  const realChallenge = (total - simulatedChallenge + CHALLENGE_MODULUS) % CHALLENGE_MODULUS;
  const proven: ProofBranch = { ...real, challenge: realChallenge, response: (w + r * realChallenge) % q };
  return { alpha, beta, proof: vote === 0 ? [proven, simulated] : [simulated, proven] };
}

/**
 * Checks a ballot's proof under election key h: c_0 + c_1 ≡ H(ballot_proof, group, context, h, α,
 * β, a_0, b_0, a_1, b_1) (mod 2^256), and for each branch j:
 *   g^s_j = a_j · α^c_j      and      h^s_j · g^(j·c_j) = b_j · β^c_j
 * (the second is h^s_j = b_j · (β/g^j)^c_j with the division moved across).
 *
 * The two g-equations are checked as one, and so are the two h-equations, by the small-exponent
 * batch test (Bellare–Garay–Rabin): raise branch 1's equation to a fresh random 128-bit ρ and
 * multiply. In the prime-order group G_q (every value here is a checked member) a false branch
 * survives with probability 2^−128; it saves two of the four full exponentiations. When a batch
 * fails, the branches are checked one by one to name the culprit. Many ballots at once:
 * verifyBallotBatch (ballot-batch.ts).
 */
export function verifyBallot(
  group: Group,
  context: Uint8Array,
  h: bigint,
  ballot: Ballot,
  field = 'ballot',
): void {
  const { alpha, beta, proof } = ballot;
  const [p0, p1] = proof;
  checkBallotChallenge(group, context, h, ballot, field);
  const rho = batchWeight();
  const s = (p0.response + rho * p1.response) % group.q;
  const c = p0.challenge + rho * p1.challenge;
  const gHolds = group.powG(s) === group.mul(group.mul(p0.a, group.pow(p1.a, rho)), group.pow(alpha, c));
  const hHolds =
    group.mul(group.fixedPow(h, s), group.powG(rho * p1.challenge)) ===
    group.mul(group.mul(p0.b, group.pow(p1.b, rho)), group.pow(beta, c));
  if (gHolds && hHolds) return;
  verifyBranches(group, h, ballot, field);
  throw new Error('unreachable: a batch failed although every branch holds');
}

/** The Fiat–Shamir part of a ballot's proof: c_0 + c_1 ≡ H(statement) (mod 2^256). */
export function checkBallotChallenge(
  group: Group,
  context: Uint8Array,
  h: bigint,
  ballot: Ballot,
  field = 'ballot',
): void {
  const [p0, p1] = ballot.proof;
  const total = ballotChallenge(group, context, h, ballot, ballot.proof);
  check(
    (p0.challenge + p1.challenge) % CHALLENGE_MODULUS === total,
    `${field}.proof`,
    'the branch challenges do not sum to the hash of the statement',
  );
}

/**
 * The four equations of a ballot's proof one by one, unbatched and with no randomness: the slow
 * path that names what failed (branch 0 before branch 1, the g-equation before the h-equation).
 */
export function verifyBranches(group: Group, h: bigint, ballot: Ballot, field = 'ballot'): void {
  for (const [j, branch] of ballot.proof.entries())
    verifyBranch(group, h, ballot, branch, j, `${field}.proof[${j}]`);
}

/** One branch's two equations, unbatched. */
function verifyBranch(
  group: Group,
  h: bigint,
  { alpha, beta }: Ciphertext,
  branch: ProofBranch,
  j: number,
  where: string,
) {
  check(
    group.powG(branch.response) === group.mul(branch.a, group.pow(alpha, branch.challenge)),
    where,
    'fails g^s = a·α^c',
  );
  const left = group.fixedPow(h, branch.response);
  check(
    (j === 0 ? left : group.mul(left, group.powG(branch.challenge))) ===
      group.mul(branch.b, group.pow(beta, branch.challenge)),
    where,
    `fails h^s = b·(β/g^${j})^c`,
  );
}

function ballotChallenge(
  group: Group,
  context: Uint8Array,
  h: bigint,
  { alpha, beta }: Ciphertext,
  [c0, c1]: ReadonlyArray<{ readonly a: bigint; readonly b: bigint }>,
): bigint {
  return fiatShamirChallenge(group, PROOF_TAGS.ballotProof, context, [
    h,
    alpha,
    beta,
    c0!.a,
    c0!.b,
    c1!.a,
    c1!.b,
  ]);
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
