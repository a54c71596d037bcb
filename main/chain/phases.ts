// Which payload each height carries. Heights are counted from the genesis (height 0).
import type { ElectionParams } from './genesis';

export type Phase = 'key' | 'ceremony' | 'vote' | 'confirm';

/** Heights of the key ceremony (threshold talliers only; 0 otherwise). */
function ceremonyBlocks(params: ElectionParams): number {
  return params.nCeremonyBlocks ?? 0;
}

/**
 * Heights 1…T: tallier keys; T+1…T+K: the key ceremony (threshold talliers, K = n_ceremony_blocks;
 * none otherwise); then V heights of ballots; then C confirmations (empty).
 */
export function phaseOf(params: ElectionParams, height: number): Phase | undefined {
  if (!Number.isSafeInteger(height) || height < 1) return undefined;
  if (height <= params.nTalliersBlocks) return 'key';
  if (height <= electionKeyHeight(params)) return 'ceremony';
  if (height <= lastVoteHeight(params)) return 'vote';
  if (height <= finalHeight(params)) return 'confirm';
  return undefined;
}

/** The last height of the key election: the talliers are elected by the block at this height. */
export function keyElectionHeight(params: ElectionParams): number {
  return params.nTalliersBlocks;
}

/**
 * The election key is fixed by the block at this height: the key election's last block, or with
 * threshold talliers the ceremony's last (the key is the product of the talliers who qualified).
 */
export function electionKeyHeight(params: ElectionParams): number {
  return params.nTalliersBlocks + ceremonyBlocks(params);
}

/** Threshold talliers: the last height whose block may carry a dealing (the ceremony's first half). */
export function lastDealingHeight(params: ElectionParams): number {
  return params.nTalliersBlocks + Math.ceil(ceremonyBlocks(params) / 2);
}

/** The last voting height: the branch's ballots are those at or below it. */
export function lastVoteHeight(params: ElectionParams): number {
  return electionKeyHeight(params) + params.nVoteBlocks;
}

/** The chain ends here: the tally is fixed once the best chain reaches this height. */
export function finalHeight(params: ElectionParams): number {
  return lastVoteHeight(params) + params.confirmations;
}
