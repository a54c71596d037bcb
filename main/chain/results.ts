// Decryption factors and the result. Factors travel outside the chain, each naming the final block
// whose tally it decrypts (protocol version 2); the book keeps every verified factor by that block.
// Which final block may be decrypted at all is finality's business (finality.ts): the node hands
// the book only factors for its sealed final block.

import type { QuestionRule } from '../crypto/choices';
import {
  decryptTally,
  decryptWithQuorum,
  electionResult,
  type Quorum,
  sameFactors,
  verifyDecryptionFactor,
} from '../crypto/decryption';
import { check } from '../crypto/errors';
import type { Group } from '../crypto/group';
import { verifyCompensatedFactor } from '../crypto/threshold';
import type { Ciphertext, CompensatedFactor, DecryptionFactor, ElectionResult } from '../crypto/types';

/** What a branch that reached the final height asks its talliers to decrypt. */
export interface FinalTally {
  /** The final block's hash. */
  readonly final: string;
  /** The tallies the factors decrypt: one for a yes/no question. */
  readonly tallies: readonly Ciphertext[];
  readonly ballots: number;
  /** The talliers whose keys make the branch's election key (its elected, or qualified, talliers). */
  readonly talliers: readonly bigint[];
  /** Threshold talliers with backups: any `quorum.quorum` of them decrypt. */
  readonly quorum?: Quorum;
}

export interface ResultState {
  readonly final: FinalTally;
  /** Verified factors for this tally, in the talliers' order. */
  readonly factors: readonly DecryptionFactor[];
  /** Verified stand-in factors for talliers whose own factor has not arrived, by missing tallier. */
  readonly compensated: readonly CompensatedFactor[];
  /** Talliers covered neither by their own factor nor by a quorum of stand-ins. */
  readonly awaiting: readonly bigint[];
  /** Present once every tallier's factor is in (or there are no ballots). */
  readonly result?: ElectionResult;
}

export class FactorBook {
  /** Verified factors by final block, then by tallier. */
  private readonly byFinal = new Map<string, Map<bigint, DecryptionFactor>>();
  /** Verified stand-in factors by final block, then by "missing:helper". */
  private readonly standIns = new Map<string, Map<string, CompensatedFactor>>();
  /** Decrypted results by final block: decryption re-verifies every factor, so do it once. */
  private readonly results = new Map<string, ElectionResult>();

  /** `rules`: the election's questions with choices (their counts split the result); none for yes/no. */
  constructor(
    private readonly group: Group,
    private readonly context: Uint8Array,
    private readonly rules?: readonly QuestionRule[],
  ) {}

  /**
   * Verifies `factor` for `final` and keeps it. Throws a ValidationError if it is not from one of
   * that tally's talliers or does not verify; returns false if it was already known.
   */
  add(final: FinalTally, factor: DecryptionFactor): boolean {
    if (!this.check(final, factor)) return false;
    this.keep(final, factor);
    return true;
  }

  /** Every check `add` makes, keeping nothing: true if `factor` is new and verifies. */
  check(final: FinalTally, factor: DecryptionFactor): boolean {
    check(factor.final === final.final, 'dec_factor.final', `must be the final block ${final.final}`);
    check(final.talliers.includes(factor.pk), 'dec_factor.pk', 'is not an elected tallier of this branch');
    const known = this.byFinal.get(final.final)?.get(factor.pk);
    if (known && sameFactors(known.factors, factor.factors)) return false;
    verifyDecryptionFactor(this.group, this.context, final.tallies, factor);
    return true;
  }

  /** Keeps a factor `check` passed. */
  keep(final: FinalTally, factor: DecryptionFactor): void {
    const key = final.final;
    let factors = this.byFinal.get(key);
    if (!factors) {
      factors = new Map();
      this.byFinal.set(key, factors);
    }
    factors.set(factor.pk, factor);
    this.results.delete(key);
  }

  /**
   * Verifies a stand-in factor for `final` and keeps it. Throws a ValidationError unless the
   * branch has backups, both talliers qualified, and the proof holds against the missing
   * tallier's dealing; returns false if it was already known.
   */
  addCompensated(final: FinalTally, cf: CompensatedFactor): boolean {
    if (!this.checkCompensated(final, cf)) return false;
    this.keepCompensated(final, cf);
    return true;
  }

  /** Every check `addCompensated` makes, keeping nothing: true if `cf` is new and verifies. */
  checkCompensated(final: FinalTally, cf: CompensatedFactor): boolean {
    check(cf.final === final.final, 'compensated_factor.final', `must be the final block ${final.final}`);
    const setup = final.quorum;
    check(setup !== undefined, 'compensated_factor', 'this branch has no backups: every tallier decrypts');
    check(setup.qualified.includes(cf.missing), 'compensated_factor.missing', 'is not a qualified tallier');
    check(setup.qualified.includes(cf.pk), 'compensated_factor.pk', 'is not a qualified tallier');
    const known = this.standIns.get(final.final)?.get(standInKey(cf));
    if (known && sameFactors(known.factors, cf.factors)) return false;
    verifyCompensatedFactor(
      this.group,
      this.context,
      final.tallies,
      cf,
      setup.dealings.get(cf.missing)!,
      setup.elected,
    );
    return true;
  }

  /** Keeps a stand-in factor `checkCompensated` passed. */
  keepCompensated(final: FinalTally, cf: CompensatedFactor): void {
    let held = this.standIns.get(final.final);
    if (!held) {
      held = new Map();
      this.standIns.set(final.final, held);
    }
    held.set(standInKey(cf), cf);
    this.results.delete(final.final);
  }

  /** Every stand-in factor for the final block `final`. */
  compensatedFor(final: string): CompensatedFactor[] {
    return [...(this.standIns.get(final)?.values() ?? [])];
  }

  /** Every factor for the final block `final`, in no particular order. */
  factorsFor(final: string): DecryptionFactor[] {
    return [...(this.byFinal.get(final)?.values() ?? [])];
  }

  state(final: FinalTally): ResultState {
    const key = final.final;
    const known = this.byFinal.get(key);
    const factors = final.talliers.flatMap((pk) => known?.get(pk) ?? []);
    const setup = final.quorum;
    const compensated = setup ? this.compensatedFor(key) : [];
    const covered = (pk: bigint) =>
      known?.has(pk) ||
      (setup !== undefined && compensated.filter((cf) => cf.missing === pk).length >= setup.quorum);
    const awaiting = final.ballots === 0 ? [] : final.talliers.filter((pk) => !covered(pk));
    let result = this.results.get(key);
    if (!result && awaiting.length === 0) {
      const counts = setup
        ? decryptWithQuorum(
            this.group,
            this.context,
            final.tallies,
            final.ballots,
            setup,
            factors,
            compensated,
          )
        : decryptTally(
            this.group,
            this.context,
            final.tallies,
            final.ballots,
            final.talliers,
            final.ballots ? factors : [],
          );
      result = electionResult(this.rules, counts, final.ballots);
      this.results.set(key, result);
    }
    return { final, factors, compensated, awaiting, ...(result ? { result } : {}) };
  }
}

function standInKey(cf: CompensatedFactor): string {
  return `${cf.missing.toString(16)}:${cf.pk.toString(16)}`;
}
