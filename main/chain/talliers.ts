// The key election: who the talliers are on a branch, decided by the tallier keys of its phase-1
// blocks. Rule (docs/PROTOCOL.md §5): the n_talliers keys that appear most often win; between keys
// of equal count, the one whose last appearance is at the lower height wins (it was settled
// earlier). Each height holds one block, so two keys never share a last height: the order is total.
// With fewer distinct keys than n_talliers, every key that appeared is a tallier.
import type { TallierPublicKey } from '../crypto/types';

export interface Candidate {
  readonly key: TallierPublicKey;
  readonly count: number;
  readonly lastHeight: number;
  readonly elected: boolean;
  /** Why, in words, for the dashboard; says when the tie rule decided. */
  readonly reason: string;
}

export interface KeyElection {
  /** Every key seen, best first. */
  readonly candidates: readonly Candidate[];
  /** The winners, best first; their product is the election key. */
  readonly talliers: readonly TallierPublicKey[];
}

/** `appearances` in any order: each a phase-1 block's height and key. */
export function electTalliers(
  appearances: Iterable<{ readonly height: number; readonly key: TallierPublicKey }>,
  nTalliers: number,
): KeyElection {
  const byKey = new Map<bigint, { key: TallierPublicKey; count: number; lastHeight: number }>();
  for (const { height, key } of appearances) {
    const seen = byKey.get(key.pk);
    if (seen) {
      seen.count++;
      seen.lastHeight = Math.max(seen.lastHeight, height);
    } else {
      byKey.set(key.pk, { key, count: 1, lastHeight: height });
    }
  }
  const ranked = [...byKey.values()].sort((a, b) => b.count - a.count || a.lastHeight - b.lastHeight);
  const seats = Math.min(nTalliers, ranked.length);
  // The count at the boundary between the last winner and the first loser, if they tie.
  const boundary = ranked[seats - 1];
  const tieCount = boundary && ranked[seats]?.count === boundary.count ? boundary.count : undefined;
  const candidates = ranked.map((c, i): Candidate => {
    const elected = i < seats;
    const times = `${c.count} appearance${c.count === 1 ? '' : 's'}`;
    const reason =
      c.count === tieCount
        ? `${elected ? 'elected' : 'not elected'} on the tie rule: ${times}, last at height ${c.lastHeight} (earlier wins)`
        : `${elected ? 'elected' : 'not elected'}: ${times}`;
    return { ...c, elected, reason };
  });
  return { candidates, talliers: candidates.filter((c) => c.elected).map((c) => c.key) };
}
