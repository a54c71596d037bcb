// The proof behind every decryption factor, a tallier's own (dec_factor_poc) or a stand-in's: one
// Chaum–Pedersen proof that the same secret y is the logarithm of Y = g^y and of each factor
// d_i = α_i^y, for the L tallies of an election at once (L = 1 for a yes/no question, one per
// option with questions, docs/CRYPTO.md §12). Commitments a = g^w and b_i = α_i^w, one challenge
// c over the whole statement, one response s = w + c·y. For L = 1 it is, byte for byte, the
// version-1 and version-2 proof of a single factor.
import { check } from './errors';
import type { Group } from './group';
import { batchWeights, type Randomness } from './random';
import type { Ciphertext, FactorProof } from './types';

/**
 * The statement's numbers in the order the challenge hashes them, after the key (and, for a
 * stand-in, what names it): for each tally α_i, β_i, d_i; then a, b_1, …, b_L.
 */
export function factorStatement(
  tallies: readonly Ciphertext[],
  factors: readonly bigint[],
  a: bigint,
  b: readonly bigint[],
): bigint[] {
  return [...tallies.flatMap((t, i) => [t.alpha, t.beta, factors[i]!]), a, ...b];
}

/**
 * The factors α_i^y and the proof's commitments for secret y; `challenge` hashes the statement.
 * Randomness drawn: w. Every power of a secret goes through the backend (constant-time OpenSSL).
 */
export function proveFactors(
  group: Group,
  y: bigint,
  tallies: readonly Ciphertext[],
  challenge: (factors: readonly bigint[], a: bigint, b: readonly bigint[]) => bigint,
  rng: Randomness,
): { factors: bigint[]; proof: FactorProof } {
  check(tallies.length >= 1, 'tallies', 'must hold at least one tally');
  const factors = tallies.map((t) => group.pow(t.alpha, y));
  const w = rng.scalar(group.q);
  const a = group.powSecret(w);
  const b = tallies.map((t) => group.pow(t.alpha, w));
  const c = challenge(factors, a, b);
  return { factors, proof: { a, b, challenge: c, response: (w + c * y) % group.q } };
}

/** A factor's lists, before its statement is hashed: one factor and one commitment b per tally. */
export function checkFactorShape(
  tallies: readonly Ciphertext[],
  factors: readonly bigint[],
  proof: FactorProof,
  field: string,
): void {
  check(
    factors.length === tallies.length && proof.b.length === tallies.length,
    field,
    `must come with ${tallies.length} factor(s) and commitments b, one per tally`,
  );
}

/**
 * Checks the proof's equations for key Y (pk, or a stand-in's public share S): g^s = a·Y^c and,
 * for each tally, α_i^s = b_i·d_i^c. The challenge is the caller's (it knows the statement's
 * names), and so is the shape (checkFactorShape, before the hash). With several tallies the
 * α-equations are checked as one, each raised to a fresh 128-bit weight (the first to 1):
 * (Π α_i^ρ_i)^s = Π b_i^ρ_i · (Π d_i^ρ_i)^c, sound to 2^−128 in G_q, as
 * the ballot batch (§7.1); when it fails, each is checked alone to name the first that fails.
 */
export function checkFactorEquations(
  group: Group,
  key: bigint,
  tallies: readonly Ciphertext[],
  factors: readonly bigint[],
  proof: FactorProof,
  proofField: string,
  names: { readonly key: string; readonly factor: string },
): void {
  const { challenge: c, response: s } = proof;
  check(group.powG(s) === group.mul(proof.a, group.pow(key, c)), proofField, `fails g^s = a·${names.key}^c`);
  if (tallies.length > 1) {
    const rho = [1n, ...batchWeights(tallies.length - 1)];
    const alpha = group.powProduct(
      tallies.map((t) => t.alpha),
      rho,
    );
    const right = group.powProduct([...proof.b, ...factors], [...rho, ...rho.map((r) => r * c)]);
    if (group.pow(alpha, s) === right) return;
  }
  for (const [i, t] of tallies.entries())
    check(
      group.pow(t.alpha, s) === group.mul(proof.b[i]!, group.pow(factors[i]!, c)),
      proofField,
      tallies.length === 1
        ? `fails α^s = b·${names.factor}^c`
        : `fails α^s = b·${names.factor}^c for tally ${i}`,
    );
}
