// Chain rules shared by the runner (chain.ts) and the independent verifier: one definition each.
import type { PayloadKind } from './block';
import type { ElectionParams } from './genesis';
import { phaseOf } from './phases';

/**
 * Blocks may be at most this far ahead of the receiver's clock: 2 h in version 1 (as Bitcoin);
 * 10 min in version 2, which is plenty for clocks kept by NTP and leaves a miner little room to
 * stretch the time an election appears to take.
 */
export function maxFutureSeconds(version: 1 | 2): number {
  return version === 1 ? 2 * 60 * 60 : 10 * 60;
}
/** A timestamp must exceed the median of this many previous blocks' (the genesis counts). */
export const MEDIAN_SPAN = 11;

/** The median of the last MEDIAN_SPAN timestamps, given newest first (more are ignored). */
export function medianTimePast(newestFirst: readonly number[]): number {
  const times = newestFirst.slice(0, MEDIAN_SPAN).sort((a, b) => a - b);
  if (times.length === 0) throw new Error('median of no timestamps');
  return times[Math.floor(times.length / 2)]!;
}

/** The payload a block at `height` must carry, or undefined beyond the final height. */
export function expectedPayload(params: ElectionParams, height: number): PayloadKind | undefined {
  const phase = phaseOf(params, height);
  return phase === 'key'
    ? 'tallier_key'
    : phase === 'ceremony'
      ? 'ceremony'
      : phase === 'vote'
        ? params.ballotRule === 'per-voter'
          ? 'ballots'
          : 'ballot'
        : phase === 'confirm'
          ? 'confirmation'
          : undefined;
}

/** Work of one block at `target`: the expected number of hashes to find it. */
export function blockWork(target: bigint): bigint {
  return (1n << 256n) / (target + 1n);
}
