// Which payload each height carries. Heights are counted from the genesis (height 0).
import type { ElectionParams } from './genesis';

export type Phase = 'key' | 'vote' | 'confirm';

/** Heights 1…T: tallier keys; T+1…T+V: ballots; T+V+1…T+V+C: confirmations (empty). */
export function phaseOf(params: ElectionParams, height: number): Phase | undefined {
  if (!Number.isSafeInteger(height) || height < 1) return undefined;
  if (height <= params.nTalliersBlocks) return 'key';
  if (height <= params.nTalliersBlocks + params.nVoteBlocks) return 'vote';
  if (height <= finalHeight(params)) return 'confirm';
  return undefined;
}

/** The last height of the key election: the election key is fixed by the block at this height. */
export function keyElectionHeight(params: ElectionParams): number {
  return params.nTalliersBlocks;
}

/** The last voting height: the branch's ballots are those at or below it. */
export function lastVoteHeight(params: ElectionParams): number {
  return params.nTalliersBlocks + params.nVoteBlocks;
}

/** The chain ends here: the tally is fixed once the best chain reaches this height. */
export function finalHeight(params: ElectionParams): number {
  return lastVoteHeight(params) + params.confirmations;
}
