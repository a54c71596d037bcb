// The pool of pending cast ballots (per-voter rule): verified ballots that voters' runners sent and
// no block on the best chain carries yet, from which this runner's miner fills its voting blocks.
//
// Bounded by the roster, not by the traffic: at most one pending ballot per credential, the one
// with the highest sequence number (a revote supersedes the ballot it replaces, which could never
// count after it anyway). A roster of 1,000 holds at most ~6 MB.
import type { CastBallot } from '../crypto/types';

export interface PendingBallot {
  readonly id: string;
  readonly cast: CastBallot;
  /** The election key its proof was checked under: a reorg to other talliers voids it. */
  readonly key: bigint;
  /** When it entered the pool (ms): older ballots go into blocks first. */
  readonly since: number;
}

export class BallotPool {
  private readonly byCredential = new Map<bigint, PendingBallot>();
  private readonly ids = new Set<string>();

  get size(): number {
    return this.byCredential.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** The pending sequence number of a credential, 0 if none. */
  pendingSeq(credential: bigint): number {
    return this.byCredential.get(credential)?.cast.seq ?? 0;
  }

  /** Adds a verified ballot; false if the pool already holds this credential's ballot at ≥ its seq. */
  add(id: string, cast: CastBallot, key: bigint, now = Date.now()): boolean {
    const held = this.byCredential.get(cast.credential);
    if (held && held.cast.seq >= cast.seq) return false;
    if (held) this.ids.delete(held.id);
    this.byCredential.set(cast.credential, { id, cast, key, since: now });
    this.ids.add(id);
    return true;
  }

  /** Drops every pending ballot `stale` says can no longer go in (counted, or superseded on the chain). */
  prune(stale: (pending: PendingBallot) => boolean): void {
    for (const [credential, pending] of this.byCredential) {
      if (!stale(pending)) continue;
      this.byCredential.delete(credential);
      this.ids.delete(pending.id);
    }
  }

  /** Up to `max` ballots `fits` accepts, oldest first: what the next voting block carries. */
  select(max: number, fits: (pending: PendingBallot) => boolean): CastBallot[] {
    const chosen: CastBallot[] = [];
    // In order, and `fits` asked only until `max` are chosen: it may keep a running state.
    for (const pending of [...this.byCredential.values()].sort((a, b) => a.since - b.since)) {
      if (chosen.length >= max) break;
      if (fits(pending)) chosen.push(pending.cast);
    }
    return chosen;
  }

  all(): PendingBallot[] {
    return [...this.byCredential.values()];
  }
}
