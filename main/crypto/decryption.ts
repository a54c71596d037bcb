// Threshold-free joint decryption: each elected tallier publishes d_i = α^x_i of the tally with a
// Chaum–Pedersen proof (dec_factor_poc); their product is α^Σx_i = h^r, so β / Π d_i = g^m, and the
// count m, at most the number of ballots, comes out of a bounded discrete logarithm.

import type { QuestionRule } from './choices';
import { check, ValidationError } from './errors';
import { checkFactorEquations, checkFactorShape, factorStatement } from './factor-proof';
import type { Group } from './group';
import { decFactorChallenge } from './tallier';
import { combineCompensated, verifyCompensatedFactor } from './threshold';
import type {
  ChoicesResult,
  Ciphertext,
  CompensatedFactor,
  Dealing,
  DecryptionFactor,
  ElectionResult,
  YesNoResult,
} from './types';

/**
 * Checks a decryption factor for `tallies`: the challenge is the hash of the full statement
 * (from version 2 the final block the factor names, then pk, α_i, β_i, d_i for each tally, and the
 * commitments), and g^s = a · pk^c, α_i^s = b_i · d_i^c (factor-proof.ts). Which final block it
 * must name is the caller's check.
 */
export function verifyDecryptionFactor(
  group: Group,
  context: Uint8Array,
  tallies: readonly Ciphertext[],
  share: DecryptionFactor,
  field = 'dec_factor',
): void {
  const { pk, factors, decFactorPoc: proof } = share;
  const where = `${field}.dec_factor_poc`;
  checkFactorShape(tallies, factors, proof, where);
  const statement = [pk, ...factorStatement(tallies, factors, proof.a, proof.b)];
  const expected = decFactorChallenge(group, context, share.final, statement);
  check(proof.challenge === expected, `${where}.challenge`, 'is not the hash of the statement');
  checkFactorEquations(group, pk, tallies, factors, proof, where, { key: 'pk', factor: 'd' });
}

/**
 * Decrypts `tallies` of `ballotCount` ballots given one verified-here factor per elected tallier:
 * every factor is checked, each tallier must be covered exactly once, and no other key may appear.
 * The count of each tally (its ballots for 1, or for its option).
 */
export function decryptTally(
  group: Group,
  context: Uint8Array,
  tallies: readonly Ciphertext[],
  ballotCount: number,
  talliers: readonly bigint[],
  factors: readonly DecryptionFactor[],
): number[] {
  check(Number.isSafeInteger(ballotCount) && ballotCount >= 0, 'ballot_count', 'must be a whole number');
  if (ballotCount === 0) return tallies.map(() => 0);
  const byKey = new Map<bigint, DecryptionFactor>();
  factors.forEach((share, i) => {
    check(talliers.includes(share.pk), `dec_factors[${i}].pk`, 'is not an elected tallier');
    check(!byKey.has(share.pk), `dec_factors[${i}].pk`, 'has more than one factor');
    verifyDecryptionFactor(group, context, tallies, share, `dec_factors[${i}]`);
    byKey.set(share.pk, share);
  });
  const missing = talliers.filter((pk) => !byKey.has(pk)).length;
  check(missing === 0, 'dec_factors', `${missing} elected tallier(s) have not published a factor`);
  const combined = tallies.map((_, i) =>
    [...byKey.values()].reduce((acc, share) => group.mul(acc, share.factors[i]!), 1n),
  );
  return countsOf(group, tallies, combined, ballotCount);
}

/** Whether two factor lists are the same (a factor is α^x: the same key gives the same list). */
export function sameFactors(a: readonly bigint[], b: readonly bigint[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A yes/no election's result from its one tally's count. */
export function yesNoResult(counts: readonly number[], total: number): YesNoResult {
  check(counts.length === 1, 'counts', 'a yes/no election has one tally');
  const yes = counts[0]!;
  return { yes, no: total - yes, total };
}

/**
 * The result from the decrypted counts (one per tally, in tally order) of `total` ballots: yes
 * and no, or, with questions (`rules`), the counts split question by question.
 */
export function electionResult(
  rules: readonly QuestionRule[] | undefined,
  counts: readonly number[],
  total: number,
): ElectionResult {
  if (!rules) return yesNoResult(counts, total);
  const expected = rules.reduce((n, rule) => n + rule.options, 0);
  check(counts.length === expected, 'counts', `must be one per option, ${expected}`);
  let at = 0;
  return {
    total,
    counts: rules.map((rule) => {
      at += rule.options;
      return counts.slice(at - rule.options, at);
    }),
  };
}

/** Is this the result of questions with choices (not of a yes/no question)? */
export function isChoicesResult(result: ElectionResult): result is ChoicesResult {
  return 'counts' in result;
}

/** A threshold election's key ceremony outcome: what its tally needs besides the factors. */
export interface Quorum {
  /** The branch's elected talliers in rank order: a tallier's index is its position + 1. */
  readonly elected: readonly bigint[];
  /** The talliers who dealt and were not proven wrong: the election key is their product. */
  readonly qualified: readonly bigint[];
  /** t: the stand-in factors a missing tallier needs, and the dealings' polynomial degree + 1. */
  readonly quorum: number;
  /** Every qualified tallier's dealing, by public key. */
  readonly dealings: ReadonlyMap<bigint, Dealing>;
}

/**
 * What each qualified tallier contributes to α_i^Σx for each tally: its own factors, or else the
 * combination of `quorum` stand-in factors from other qualified talliers. Every factor given is
 * verified (an invalid one throws, even if not needed); a tallier covered neither way is listed in
 * `missing`.
 */
export function combineWithQuorum(
  group: Group,
  context: Uint8Array,
  tallies: readonly Ciphertext[],
  setup: Quorum,
  factors: readonly DecryptionFactor[],
  compensated: readonly CompensatedFactor[],
): { combined: bigint[]; missing: bigint[] } {
  const direct = new Map<bigint, DecryptionFactor>();
  factors.forEach((share, i) => {
    const field = `dec_factors[${i}]`;
    check(setup.qualified.includes(share.pk), `${field}.pk`, 'is not a qualified tallier');
    check(!direct.has(share.pk), `${field}.pk`, 'has more than one factor');
    verifyDecryptionFactor(group, context, tallies, share, field);
    direct.set(share.pk, share);
  });
  const standIns = new Map<bigint, CompensatedFactor[]>();
  compensated.forEach((cf, i) => {
    const field = `compensated_factors[${i}]`;
    check(setup.qualified.includes(cf.missing), `${field}.missing`, 'is not a qualified tallier');
    check(setup.qualified.includes(cf.pk), `${field}.pk`, 'is not a qualified tallier');
    const list = standIns.get(cf.missing) ?? [];
    check(
      !list.some((other) => other.pk === cf.pk),
      `${field}.pk`,
      'has more than one factor for this tallier',
    );
    const dealing = setup.dealings.get(cf.missing);
    // Lagrange over `quorum` points recovers the key only from a polynomial of degree quorum − 1.
    check(
      dealing !== undefined && dealing.commitments.length + 1 === setup.quorum,
      `${field}.missing`,
      `has no dealing for a quorum of ${setup.quorum}: nobody can stand in for it`,
    );
    verifyCompensatedFactor(group, context, tallies, cf, dealing, setup.elected, field);
    list.push(cf);
    standIns.set(cf.missing, list);
  });
  let combined = tallies.map(() => 1n);
  const missing: bigint[] = [];
  for (const pk of setup.qualified) {
    const own = direct.get(pk);
    const others = standIns.get(pk) ?? [];
    const part = own
      ? own.factors
      : others.length >= setup.quorum
        ? combineCompensated(group, setup.elected, others, setup.quorum)
        : undefined;
    if (part) combined = combined.map((acc, i) => group.mul(acc, part[i]!));
    else missing.push(pk);
  }
  return { combined, missing };
}

/** decryptTally for a threshold election: any `quorum` qualified talliers suffice. */
export function decryptWithQuorum(
  group: Group,
  context: Uint8Array,
  tallies: readonly Ciphertext[],
  ballotCount: number,
  setup: Quorum,
  factors: readonly DecryptionFactor[],
  compensated: readonly CompensatedFactor[],
): number[] {
  check(Number.isSafeInteger(ballotCount) && ballotCount >= 0, 'ballot_count', 'must be a whole number');
  if (ballotCount === 0) return tallies.map(() => 0);
  const { combined, missing } = combineWithQuorum(group, context, tallies, setup, factors, compensated);
  check(
    missing.length === 0,
    'dec_factors',
    `${missing.length} qualified tallier(s) have neither a factor nor ${setup.quorum} stand-in factors`,
  );
  return countsOf(group, tallies, combined, ballotCount);
}

/** Each tally's count: the bounded logarithm of β_i / Π d_i. */
function countsOf(
  group: Group,
  tallies: readonly Ciphertext[],
  combined: readonly bigint[],
  ballotCount: number,
): number[] {
  return tallies.map((t, i) =>
    discreteLogBounded(group, group.mul(t.beta, group.inverse(combined[i]!)), ballotCount),
  );
}

/**
 * The m ∈ [0, bound] with g^m = target, by baby-step giant-step: ⌈√(bound+1)⌉ baby steps g^j
 * kept in a map, then giant steps target·g^(−k·i). Throws when no such m exists (a tally that
 * is not a sum of 0/1 votes, which verified ballots cannot produce).
 */
export function discreteLogBounded(group: Group, target: bigint, bound: number): number {
  const k = Math.ceil(Math.sqrt(bound + 1));
  const baby = new Map<bigint, number>();
  let power = 1n;
  for (let j = 0; j < k; j++) {
    if (!baby.has(power)) baby.set(power, j);
    power = group.mul(power, group.g);
  }
  const giant = group.inverse(power); // g^−k
  let y = target;
  for (let i = 0; i <= k; i++) {
    const j = baby.get(y);
    if (j !== undefined && i * k + j <= bound) return i * k + j;
    y = group.mul(y, giant);
  }
  throw new ValidationError('tally', `does not decrypt to a count between 0 and ${bound}`);
}
