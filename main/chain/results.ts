// Decryption factors and the result. Factors travel outside the chain, each naming the final block
// whose tally it decrypts (protocol version 2); the book keeps every verified factor by that block.
// Which final block may be decrypted at all is finality's business (finality.ts): the node hands
// the book only factors for its sealed final block.
import { decryptTally, verifyDecryptionFactor } from '../crypto/decryption';
import { check } from '../crypto/errors';
import type { Group } from '../crypto/group';
import type { Ciphertext, DecryptionFactor, ElectionResult } from '../crypto/types';

/** What a branch that reached the final height asks its talliers to decrypt. */
export interface FinalTally {
  /** The final block's hash. */
  readonly final: string;
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

export class FactorBook {
  /** Verified factors by final block, then by tallier. */
  private readonly byFinal = new Map<string, Map<bigint, DecryptionFactor>>();
  /** Decrypted results by final block: decryption re-verifies every factor, so do it once. */
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
    if (!this.check(final, factor)) return false;
    this.keep(final, factor);
    return true;
  }

  /** Every check `add` makes, keeping nothing: true if `factor` is new and verifies. */
  check(final: FinalTally, factor: DecryptionFactor): boolean {
    check(factor.final === final.final, 'dec_factor.final', `must be the final block ${final.final}`);
    check(final.talliers.includes(factor.pk), 'dec_factor.pk', 'is not an elected tallier of this branch');
    const known = this.byFinal.get(final.final)?.get(factor.pk);
    if (known && known.factor === factor.factor) return false;
    verifyDecryptionFactor(this.group, this.context, final.tally, factor);
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

  /** Every factor for the final block `final`, in no particular order. */
  factorsFor(final: string): DecryptionFactor[] {
    return [...(this.byFinal.get(final)?.values() ?? [])];
  }

  state(final: FinalTally): ResultState {
    const key = final.final;
    const known = this.byFinal.get(key);
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
