// Where the election stands: the three phases' progress at a height, and how fast blocks come.
import type { BlockView, ElectionView } from '../../main/api/contract';
import type { TreeIndex } from './tree-index';

export interface PhaseProgress {
  readonly phase: 'key' | 'ceremony' | 'vote' | 'confirm';
  readonly name: string;
  readonly first: number;
  readonly last: number;
  /** Blocks of this phase on the best chain. */
  readonly done: number;
  readonly size: number;
}

export function phaseProgress(election: ElectionView, height: number): PhaseProgress[] {
  const phase = (key: PhaseProgress['phase'], name: string, first: number, last: number) => ({
    phase: key,
    name,
    first,
    last,
    done: Math.min(Math.max(height - first + 1, 0), last - first + 1),
    size: last - first + 1,
  });
  return [
    phase('key', 'Key election', 1, election.keyElectionHeight),
    ...(election.electionKeyHeight > election.keyElectionHeight
      ? [phase('ceremony', 'Key backups', election.keyElectionHeight + 1, election.electionKeyHeight)]
      : []),
    phase('vote', 'Voting', election.electionKeyHeight + 1, election.lastVoteHeight),
    phase('confirm', 'Confirmations', election.lastVoteHeight + 1, election.finalHeight),
  ];
}

/** Blocks sampled for the block rate: recent enough to follow a change in the runners' hashrate. */
const RATE_SAMPLE = 30;

/**
 * Seconds between blocks: the median interval of the best chain's recent blocks, by the miners'
 * timestamps (the median ignores a skewed clock), or by arrival time when blocks come faster than
 * the timestamps' one-second resolution. Undefined with too few blocks to tell.
 */
export function blockInterval(index: TreeIndex, tipHeight: number): number | undefined {
  const recent: BlockView[] = [];
  for (let h = tipHeight; h >= 1 && recent.length <= RATE_SAMPLE; h--) {
    const block = index.bestBlock(h);
    if (block) recent.push(block);
  }
  if (recent.length < 4) return undefined;
  const intervals = (of: (b: BlockView) => number) =>
    recent.slice(1).map((older, i) => of(recent[i]!) - of(older));
  const byTimestamp = median(intervals((b) => b.timestamp));
  return byTimestamp >= 1 ? byTimestamp : Math.max(0, median(intervals((b) => b.receivedAt)) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
