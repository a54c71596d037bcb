// The per-voter rule (docs/PROTOCOL.md §7): which ballot of each registered voter counts on a
// branch, and the rules on cast ballots and endorsed tallier keys that need the branch.
//
// Every branch holds, per credential, a sequence of cast ballots with rising sequence numbers; the
// last one counts. The index keeps every cast and endorsement of every held block by credential
// (like the α index of the replay rule) and answers for a branch by ancestry, so that side
// branches and reorgs need no bookkeeping: a branch's state is what its ancestors say.
import { ciphertextsOf } from '../crypto/any-ballot';
import { addToTally } from '../crypto/ballot';
import { modInverse } from '../crypto/bigint';
import { verifyCastBallot, verifyEndorsement } from '../crypto/credential';
import type { Group } from '../crypto/group';
import type { CastBallot, Ciphertext, Endorsement, TallierPublicKey } from '../crypto/types';
import { ballotRules, type Genesis } from './genesis';

/** A cast ballot as held: the block carrying it (hash, height) and what counts. */
export interface CastEntry {
  readonly block: string;
  readonly height: number;
  readonly seq: number;
  /** The ballot's ciphertexts, in tally order (one for yes/no, one per option for answers). */
  readonly ciphertexts: readonly Ciphertext[];
}

/** Whether the block `hash` at `height` is on the branch ending at `tip` (the chain's ancestry). */
export type OnBranch = (hash: string, height: number) => boolean;

export class VoterIndex {
  private readonly casts = new Map<bigint, CastEntry[]>();
  private readonly endorsements = new Map<bigint, { block: string; height: number; pk: bigint }[]>();

  /**
   * The credential's counted ballot on a branch: its highest sequence number there, which is also
   * its highest block there (seq rises along a branch). Entries are kept by height, highest last,
   * so the scan stops at the first on the branch: one ancestry check on the best chain, not one per
   * revote (a voter revoting in every block would otherwise make each lookup cost revotes × height).
   */
  latest(credential: bigint, onBranch: OnBranch): CastEntry | undefined {
    const list = this.casts.get(credential) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const entry = list[i]!;
      if (onBranch(entry.block, entry.height)) return entry;
    }
    return undefined;
  }

  /** Every held cast of the credential, any branch, in the order stored. */
  all(credential: bigint): readonly CastEntry[] {
    return this.casts.get(credential) ?? [];
  }

  /** The tallier key the credential endorsed on a branch, if any (one per branch). */
  endorsedKey(credential: bigint, onBranch: OnBranch): bigint | undefined {
    return (this.endorsements.get(credential) ?? []).find((e) => onBranch(e.block, e.height))?.pk;
  }

  /** Records a stored block's casts. */
  addCasts(block: string, height: number, casts: readonly CastBallot[]): void {
    for (const { credential, seq, ballot } of casts) {
      const ciphertexts = ciphertextsOf(ballot).map(({ alpha, beta }) => ({ alpha, beta }));
      const entry = { block, height, seq, ciphertexts };
      const list = this.casts.get(credential);
      if (!list) {
        this.casts.set(credential, [entry]);
        continue;
      }
      // Kept sorted by height (side branches arrive in any order); equal heights keep arrival order.
      let at = list.length;
      while (at > 0 && list[at - 1]!.height > height) at--;
      list.splice(at, 0, entry);
    }
  }

  /** Records a stored block's endorsement. */
  addEndorsement(block: string, height: number, endorsement: Endorsement, pk: bigint): void {
    const entry = { block, height, pk };
    const list = this.endorsements.get(endorsement.credential);
    if (list) list.push(entry);
    else this.endorsements.set(endorsement.credential, [entry]);
  }
}

/** Is `credential` on the roster (sorted ascending)? */
export function onRoster(genesis: Genesis, credential: bigint): boolean {
  const { roster } = genesis;
  let [lo, hi] = [0, roster.length - 1];
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = roster[mid]!;
    if (x === credential) return true;
    if (x < credential) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * The rules on a phase-1 key under each ballot rule: per-voter, a roster member endorses it and
 * stands with one key per branch; per-block, a key has no endorsement. Returns why the block is
 * invalid, or undefined. Signatures are not checked when `trusted` (a block this runner stored).
 */
export function checkEndorsedKey(
  group: Group,
  genesis: Genesis,
  key: TallierPublicKey,
  endorsement: Endorsement | undefined,
  index: VoterIndex,
  onBranch: OnBranch,
  trusted: boolean,
): string | undefined {
  const field = 'block.payload';
  if (genesis.ballotRule === 'per-block')
    return endorsement
      ? `${field}.credential: a per-block election's tallier keys carry no endorsement`
      : undefined;
  if (!endorsement)
    return `${field}: a per-voter election's tallier key must be endorsed by a roster member (credential, endorsement)`;
  if (!onRoster(genesis, endorsement.credential))
    return `${field}.credential: is not on the election's roster`;
  const standing = index.endorsedKey(endorsement.credential, onBranch);
  if (standing !== undefined && standing !== key.pk)
    return `${field}.credential: this voter already stands with another tallier key on this branch (one key per voter)`;
  if (!trusted) verifyEndorsement(group, genesis.id, key, endorsement, `${field}.endorsement`);
  return undefined;
}

/** A voting block's tally and turnout on its branch, or why the block is invalid. */
export type CastVerdict =
  | { readonly ok: true; readonly tallies: readonly Ciphertext[]; readonly voters: number }
  | { readonly ok: false; readonly reason: string };

/**
 * The rules on a per-voter voting block's cast ballots, in order: each credential on the roster and
 * at most once in the block; a sequence number above the credential's counted ballot on the
 * branch (so an old ballot cannot be replayed over a revote, nor two reordered); the signature;
 * the proof under the branch's election key, bound to the credential. The tally replaces each
 * voter's previous ballot: T' = T · B_new / B_old (component-wise). The α replay rule is the
 * chain's, as for per-block ballots. Throws ValidationError for a bad signature or proof.
 */
export function applyCasts(
  group: Group,
  genesis: Genesis,
  electionKey: bigint,
  parent: { readonly tallies: readonly Ciphertext[]; readonly ballots: number },
  casts: readonly CastBallot[],
  index: VoterIndex,
  onBranch: OnBranch,
  trusted: boolean,
): CastVerdict {
  let tallies = [...parent.tallies];
  let voters = parent.ballots;
  const rules = ballotRules(genesis);
  const seen = new Set<bigint>();
  for (const [i, cast] of casts.entries()) {
    const field = `block.payload.ballots[${i}]`;
    if (!onRoster(genesis, cast.credential))
      return { ok: false, reason: `${field}.credential: is not on the election's roster` };
    if (seen.has(cast.credential))
      return {
        ok: false,
        reason: `${field}.credential: casts twice in one block (a revote waits for the next)`,
      };
    seen.add(cast.credential);
    const previous = index.latest(cast.credential, onBranch);
    if (previous && cast.seq <= previous.seq)
      return {
        ok: false,
        reason: `${field}.seq: ${cast.seq} does not follow this voter's counted ballot (seq ${previous.seq}, height ${previous.height})`,
      };
    if (!trusted) verifyCastBallot(group, genesis.id, electionKey, rules, cast, field);
    const added = ciphertextsOf(cast.ballot);
    tallies = tallies.map((t, k) => {
      const sum = addToTally(group, t, added[k]!);
      return previous ? removeFromTally(group, sum, previous.ciphertexts[k]!) : sum;
    });
    if (!previous) voters++;
  }
  return { ok: true, tallies, voters };
}

/** T / B, component-wise: takes a replaced ballot out of a tally. */
function removeFromTally(group: Group, tally: Ciphertext, ballot: Ciphertext): Ciphertext {
  return {
    alpha: group.mul(tally.alpha, modInverse(ballot.alpha, group.p)),
    beta: group.mul(tally.beta, modInverse(ballot.beta, group.p)),
  };
}
