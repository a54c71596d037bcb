// Decryption factors and the result. Factors travel outside the chain, each for one tally; the
// book keeps every verified factor by tally, so when the best branch changes to another ballot set
// the result is recomputed from the factors published for that branch's tally.
import { decryptTally, verifyDecryptionFactor } from '../crypto/decryption';
import { check } from '../crypto/errors';
import type { Group } from '../crypto/group';
import type { Ciphertext, DecryptionFactor, ElectionResult } from '../crypto/types';

/** What a branch that reached the final height asks its talliers to decrypt. */
export interface FinalTally {
  readonly tally: Ciphertext;
  readonly ballots: number;
  /** The branch's elected talliers' public keys. */
  readonly talliers: readonly bigint[];
}

export interface ResultState {
  readonly final: FinalTally;
  /** Verified factors for this tally, in the talliers' order. */
  readonly factors: readonly DecryptionFactor[];
  /** Talliers whose factor has not arrived. */
  readonly awaiting: readonly bigint[];
  /** Present once every tallier's factor is in (or there are no ballots). */
  readonly result?: ElectionResult;
}

const tallyKey = (t: Ciphertext) => `${t.alpha.toString(16)}:${t.beta.toString(16)}`;

export class FactorBook {
  private readonly byTally = new Map<string, Map<bigint, DecryptionFactor>>();
  /** Decrypted results by tally: decryption re-verifies every factor, so do it once. */
  private readonly results = new Map<string, ElectionResult>();

  constructor(
    private readonly group: Group,
    private readonly context: Uint8Array,
  ) {}

  /**
   * Verifies `factor` for `final` and keeps it. Throws a ValidationError if it is not from one of
   * that tally's talliers or does not verify; returns false if it was already known.
   */
  add(final: FinalTally, factor: DecryptionFactor): boolean {
    check(final.talliers.includes(factor.pk), 'dec_factor.pk', 'is not an elected tallier of this tally');
    const key = tallyKey(final.tally);
    const known = this.byTally.get(key)?.get(factor.pk);
    if (known && known.factor === factor.factor) return false;
    verifyDecryptionFactor(this.group, this.context, final.tally, factor);
    let factors = this.byTally.get(key);
    if (!factors) {
      factors = new Map();
      this.byTally.set(key, factors);
    }
    factors.set(factor.pk, factor);
    this.results.delete(key);
    return true;
  }

  /** Every factor for `tally`, in no particular order. */
  factorsFor(tally: Ciphertext): DecryptionFactor[] {
    return [...(this.byTally.get(tallyKey(tally))?.values() ?? [])];
  }

  state(final: FinalTally): ResultState {
    const key = tallyKey(final.tally);
    const known = this.byTally.get(key);
    const factors = final.talliers.flatMap((pk) => known?.get(pk) ?? []);
    const awaiting = final.ballots === 0 ? [] : final.talliers.filter((pk) => !known?.has(pk));
    let result = this.results.get(key);
    if (!result && awaiting.length === 0) {
      result = decryptTally(
        this.group,
        this.context,
        final.tally,
        final.ballots,
        final.talliers,
        final.ballots ? factors : [],
      );
      this.results.set(key, result);
    }
    return { final, factors, awaiting, ...(result ? { result } : {}) };
  }
}
