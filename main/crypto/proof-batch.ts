// Disjunctive proofs checked as one batch (docs/CRYPTO.md §7.1, §12): every branch's two equations
// raised to their own random weights and multiplied, so that a whole list costs two fixed-base
// exponentiations and one multi-exponentiation. A unit is what is named when the batch fails: a
// yes/no ballot (one proof), a ballot of answers (one per option and per question's sum), a cast
// ballot with its signature. Used by the record verifier's batches (ballot-batch.ts) and by the
// check of one ballot of answers (choices.ts).
import type { OneOf } from './ballot';
import type { Group } from './group';
import { batchWeights } from './random';
import type { CastBallot, ProofBranch } from './types';

/** One disjunctive proof of a unit: its statement and its branches. */
export interface Proof {
  readonly statement: OneOf;
  readonly branches: readonly ProofBranch[];
}

/**
 * What the batch takes one at a time, and names when it fails: a ballot (one proof), a ballot of
 * answers (a proof per option and per question's sum), with a cast ballot's signer.
 */
export interface Unit {
  readonly proofs: readonly Proof[];
  readonly signer?: CastBallot;
}

/**
 * Units with their weights, drawn once: any contiguous range can be checked as a batch. Every
 * branch k of a proof whose statement is (α, β) encrypting one of values v has two equations,
 * g^s_k = a_k·α^c_k (weight ρ_k) and h^s_k·g^(v_k·c_k) = b_k·β^c_k (weight σ_k). With a signer (a
 * cast ballot), its signature equation g^s = a·Y^c joins with a weight τ: g^(τ·s) on the left,
 * a^τ · Y^(τ·c) among the right side's bases.
 */
export class Batch {
  /** Per unit: [ρ_k, σ_k] per branch of each proof, in order, then τ. */
  private readonly weights: bigint[][];

  constructor(
    private readonly group: Group,
    private readonly h: bigint,
    private readonly units: readonly Unit[],
  ) {
    const sizes = units.map((u) => 2 * u.proofs.reduce((n, p) => n + p.branches.length, 0) + 1);
    const w = batchWeights(sizes.reduce((a, b) => a + b, 0));
    let at = 0;
    this.weights = sizes.map((size) => {
      at += size;
      return w.slice(at - size, at);
    });
  }

  /** Whether the weighted product of the equations of units [from, to) holds. */
  holds(from: number, to: number): boolean {
    if (from === to) return true;
    const { group } = this;
    let x = 0n;
    let y = 0n;
    const bases: bigint[] = [];
    const exponents: bigint[] = [];
    for (let i = from; i < to; i++) {
      const { proofs, signer } = this.units[i]!;
      const weights = this.weights[i]!;
      let next = 0;
      for (const { statement, branches } of proofs) {
        let alphaExponent = 0n;
        let betaExponent = 0n;
        for (const [k, branch] of branches.entries()) {
          const rho = weights[next++]!;
          const sigma = weights[next++]!;
          x += rho * branch.response + sigma * BigInt(statement.values[k]!) * branch.challenge;
          y += sigma * branch.response;
          alphaExponent += rho * branch.challenge;
          betaExponent += sigma * branch.challenge;
          bases.push(branch.a, branch.b);
          exponents.push(rho, sigma);
        }
        bases.push(statement.alpha, statement.beta);
        exponents.push(alphaExponent, betaExponent);
      }
      if (signer) {
        const tau = weights[next]!;
        const { commitment, challenge, response } = signer.signature;
        x += tau * response;
        bases.push(commitment, signer.credential);
        exponents.push(tau, tau * challenge);
      }
    }
    const left = group.mul(group.powG(x % group.q), group.fixedPow(this.h, y % group.q));
    return left === group.powProduct(bases, exponents);
  }

  /** The lowest unit in [from, to) whose equations fail, given that the range's batch fails. */
  firstFailure(from: number, to: number): number {
    while (to - from > 1) {
      const middle = from + Math.ceil((to - from) / 2);
      if (this.holds(from, middle)) from = middle;
      else to = middle;
    }
    return from;
  }
}
