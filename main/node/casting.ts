// The per-voter rule at a runner (docs/PROTOCOL.md §7): the pool of pending ballots every voter's
// runner sends, what the next voting block carries, and this runner's own voter: its ballot cast,
// re-sent until a block of the best chain counts it, and its receipts.

import type { BlockMeta, Chain } from '../chain/chain';
import { ballotRules } from '../chain/genesis';
import { electionKeyHeight, lastVoteHeight } from '../chain/phases';
import { onRoster } from '../chain/voters';
import { encryptVote, sameVote, type VoteChoice } from '../chain/votes';
import { ciphertextsOf, isAnswers, verifyAnyBallot } from '../crypto/any-ballot';
import { modInverse } from '../crypto/bigint';
import { checkAnyBallotMembers, checkMember, parseCastBallot } from '../crypto/codec';
import { ballotTracker, castBallotId, verifyBallotSignature, voterContext } from '../crypto/credential';
import { ValidationError } from '../crypto/errors';
import type { CastBallot } from '../crypto/types';
import { BallotPool } from './ballot-pool';
import type { VoterJournal } from './voter-journal';

/**
 * A voter re-sends its ballot this often while no block of the best chain carries it (ms), and
 * sooner, after RESEND_MIN_MS, once a new block arrived since the last send: peers a block behind
 * refuse it until their voting phase opens, and a phase of fast blocks is short (a CI run lost two
 * non-mining voters' ballots waiting out the 10 s).
 */
export const RESEND_MS = 10_000;
export const RESEND_MIN_MS = 1_000;
/**
 * Ids of cast ballots refused after their signature held, remembered so a copy costs a hash, not a
 * proof. Only a voter can add one (and a failed proof earns it the wait below), so it fills slowly.
 */
const MAX_SEEN = 10_000;
/**
 * A ballot failing under the best chain's key is checked under at most this many other branches'
 * keys before its voter earns the wait: a fork at the key's height is rare, and each costs a check.
 */
const MAX_OTHER_KEYS = 3;
/**
 * A voter whose signed ballot fails its checks (an element not in the group, a proof) is not heard
 * again for this long, doubling with each failure up to PENALTY_MAX_MS. Only the credential's
 * holder can sign a ballot, so only the culprit waits; without it a registered voter could make
 * every runner check a new ballot of 64 options (~0.2 s) per request for the cost of one
 * signature. An honest voter's ballot fails only when made on a branch with other talliers (a fork
 * at the key's height, or a ballot replayed after the key changed): one holding under the key of
 * another branch this runner holds earns nothing, once per voter and other key, so an honest
 * voter meets the wait only from a runner that never saw its branch, or for a second ballot made
 * on it. The wait is kept with the key it was earned under and does not apply while the best
 * chain's key is another.
 */
export const PENALTY_MS = 10_000;
export const PENALTY_MAX_MS = 600_000;

/** Where a ballot this voter cast stands, for its receipt. */
export type ReceiptState =
  /** Sent; no block holds it yet. */
  | 'sent'
  /** In a block of the best chain, and it is this voter's counted ballot. */
  | 'counted'
  /** A later ballot of this voter replaces it. */
  | 'replaced'
  /** In a block that a reorg took off the best chain: sent again. */
  | 'displaced';

export interface Receipt {
  /** The ballot's tracker: its digest, 64 hex digits (docs/CRYPTO.md §9). */
  readonly tracker: string;
  readonly seq: number;
  readonly vote: VoteChoice;
  readonly state: ReceiptState;
  /** For `counted`: the block carrying it. */
  readonly height?: number;
  readonly block?: string;
}

export interface CastingHooks {
  /** A cast ballot entered the pool (from `origin`, or this voter's own): relay it. */
  cast(cast: CastBallot, origin: string | undefined): void;
  /** The pool changed: the miner's template may carry more. */
  changed(): void;
}

export class Casting {
  readonly pool = new BallotPool();
  /** Refusals that do not depend on the chain, by cast id (a failed proof: by id and election key). */
  private readonly seen = new Map<string, ValidationError>();
  private lastSent = 0;
  /** The best tip's height at the last send. */
  private lastSentHeight = 0;
  /** Own casts are signed and recorded one at a time. */
  private casting: Promise<void> = Promise.resolve();
  /** Voters whose last signed ballot failed its proofs: until when they are not heard, and the wait. */
  private readonly penalties = new Map<bigint, { until: number; wait: number; key: bigint }>();
  /** The other branches' keys under which a voter's failing ballot held, each excused once. */
  private readonly excused = new Map<bigint, Set<bigint>>();

  constructor(
    private readonly chain: Chain,
    /** This runner's credential, if it is a voter of this election. */
    readonly voter: VoterJournal | undefined,
    private readonly hooks: CastingHooks,
  ) {}

  /** This runner holds a credential on the roster: it may vote and stand as a tallier. */
  get registered(): boolean {
    return this.voter !== undefined && onRoster(this.chain.genesis, this.voter.credential.publicKey);
  }

  /** Whether the next block on `tip` is a voting block (ballots can still go in). */
  votingOpen(tip: BlockMeta = this.chain.tip): boolean {
    const { genesis } = this.chain;
    return tip.height >= electionKeyHeight(genesis) && tip.height < lastVoteHeight(genesis);
  }

  /**
   * A cast ballot from a peer. A copy of one held costs a hash (the trusted parse skips only the
   * group-membership tests), and so does one refused for good once its signature held (a
   * non-member: `seen`, by id; its proof under an election key: `seen`, by id and key); one off the
   * roster or with a broken signature costs that check again. What depends on the best chain
   * (stale, α already on it) is decided again each time: after a reorg the same ballot may go in,
   * and its voter re-sends it as it is. A stale one is 'known'. The signature is checked before
   * any lookup in the chain. Throws ValidationError for a ballot that cannot go in now.
   */
  submit(value: unknown, origin?: string, now = Date.now()): 'added' | 'known' {
    const { group, genesis } = this.chain;
    // Form and range first; the membership tests (a Jacobi symbol per element, ~1,500 for a ballot
    // of 64 options) only once the credential is on the roster and its signature holds.
    const cast = parseCastBallot(group, value, 'cast_ballot', 'trusted');
    const id = castBallotId(group, cast);
    if (this.pool.has(id)) return 'known';
    const tip = this.chain.tip;
    const open = this.votingOpen(tip);
    const key = open ? this.chain.electionOf(tip).key : 0n;
    const keyed = `${id}:${key.toString(16)}`;
    const refused = this.seen.get(id) ?? (open ? this.seen.get(keyed) : undefined);
    if (refused) throw refused;
    // Not remembered: a signature at most to check again, and anyone could fill the memory with
    // them, pushing out the refusals that cost a proof check.
    if (!onRoster(genesis, cast.credential))
      throw new ValidationError('cast_ballot.credential', "is not on the election's roster");
    checkMember(group, cast.signature.commitment, 'cast_ballot.signature.commitment');
    verifyBallotSignature(group, genesis.id, cast);
    if (!open)
      throw new ValidationError(
        'cast_ballot',
        `the voting phase is not open on this runner's best chain (height ${tip.height}; ballots go into heights ${electionKeyHeight(genesis) + 1}–${lastVoteHeight(genesis)})`,
      );
    // From here on the voter signed what is checked: whatever fails earns it the wait, so that
    // only a voter can fill the memory of refusals, and slowly.
    const earned = this.penalties.get(cast.credential);
    const penalty = earned?.key === key ? earned : undefined;
    if (penalty && now < penalty.until)
      throw new ValidationError(
        'cast_ballot',
        `this voter's last ballot failed its proofs: its ballots are not checked for ${Math.ceil((penalty.until - now) / 1000)} s more`,
      );
    const fault = (error: unknown, memory: string, underAnotherKey = () => false): never => {
      if (error instanceof ValidationError) {
        this.remember(memory, error);
        // Bounded by the roster: only its credentials get this far.
        if (!underAnotherKey()) {
          const wait = Math.min(PENALTY_MAX_MS, penalty ? penalty.wait * 2 : PENALTY_MS);
          this.penalties.set(cast.credential, { until: now + wait, wait, key });
        }
      }
      throw error;
    };
    try {
      checkAnyBallotMembers(group, cast.ballot, 'cast_ballot');
    } catch (error) {
      fault(error, id);
    }
    const counted = this.chain.countedCast(cast.credential, tip);
    if ((counted && cast.seq <= counted.seq) || cast.seq <= this.pool.pendingSeq(cast.credential))
      return 'known';
    if (this.chain.replays(cast.ballot, tip))
      throw new ValidationError(
        `cast_ballot.${isAnswers(cast.ballot) ? 'answers' : 'ballot.alpha'}`,
        'ballot replay: a ballot with the same α is already on the best chain',
      );
    const proven = (under: bigint) =>
      verifyAnyBallot(
        group,
        voterContext(group, genesis.id, cast.credential),
        under,
        ballotRules(genesis),
        cast.ballot,
        'cast_ballot',
      );
    try {
      proven(key);
    } catch (error) {
      // An honest voter's ballot made on a branch with other talliers (a fork at the key's height,
      // or a ballot of its replayed after the key changed) holds under that branch's key: no fault.
      // Once per voter and other key: a voter making ballot after ballot under a branch a miner
      // keeps at the key's height (one block of work) is not excused again.
      fault(error, keyed, () => {
        const excused = this.excused.get(cast.credential) ?? new Set<bigint>();
        const holds = this.otherKeys(key).find((other) => {
          if (excused.has(other)) return false;
          try {
            proven(other);
            return true;
          } catch {
            return false;
          }
        });
        if (holds === undefined) return false;
        this.excused.set(cast.credential, excused.add(holds));
        return true;
      });
    }
    this.penalties.delete(cast.credential);
    this.pool.add(id, cast, key);
    this.hooks.cast(cast, origin);
    this.hooks.changed();
    return 'added';
  }

  /**
   * The election keys of the other branches this runner holds (blocks at the key's height with
   * other talliers), the first MAX_OTHER_KEYS seen: a ballot failing under the best chain's key is
   * checked under these before its voter earns the wait.
   */
  private otherKeys(key: bigint): bigint[] {
    const height = electionKeyHeight(this.chain.genesis);
    const keys = new Set<bigint>();
    for (const meta of this.chain.all()) {
      if (meta.height !== height) continue;
      const other = this.chain.electionOf(meta).key;
      if (other !== key) keys.add(other);
      if (keys.size === MAX_OTHER_KEYS) break;
    }
    return [...keys];
  }

  private remember(key: string, error: ValidationError): void {
    this.seen.set(key, error);
    if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.keys().next().value!);
  }

  /**
   * The cast ballots the next voting block on `tip` carries: pending ones checked under its
   * election key, not outdated on its branch, oldest first, at most 8.
   */
  select(tip: BlockMeta): CastBallot[] {
    const key = this.chain.electionOf(tip).key;
    const { group } = this.chain;
    // The tally rule too (PROTOCOL §4 rule 8): a ballot that would bring the branch's tally's α to
    // 1 (nonces r and q − r, say) is left out, or every block carrying it would be refused.
    let alphas = tip.tallies.map((t) => t.alpha);
    const inBlock = new Set<bigint>();
    return this.pool.select(this.chain.genesis.sizes.ballotsPerBlock, (pending) => {
      if (pending.key !== key) return false;
      const counted = this.chain.countedCast(pending.cast.credential, tip);
      if ((counted?.seq ?? 0) >= pending.cast.seq || this.chain.replays(pending.cast.ballot, tip))
        return false;
      const added = ciphertextsOf(pending.cast.ballot);
      if (added.some((c) => inBlock.has(c.alpha))) return false;
      const next = alphas.map((alpha, k) => {
        const sum = group.mul(alpha, added[k]!.alpha);
        return counted ? group.mul(sum, modInverse(counted.ciphertexts[k]!.alpha, group.p)) : sum;
      });
      if (next.some((alpha) => alpha === 1n)) return false;
      for (const c of added) inBlock.add(c.alpha);
      alphas = next;
      return true;
    });
  }

  /** A new best tip: pending ballots it counts, or that its talliers' key voids, leave the pool. */
  onTip(): void {
    const tip = this.chain.tip;
    const key =
      tip.height >= electionKeyHeight(this.chain.genesis) ? this.chain.electionOf(tip).key : undefined;
    this.pool.prune(
      (pending) =>
        pending.key !== key ||
        (this.chain.countedCast(pending.cast.credential, tip)?.seq ?? 0) >= pending.cast.seq,
    );
  }

  /**
   * This voter's duty, run on every new tip, vote change and now and then: while voting is open
   * and a vote is chosen, cast a ballot if none was cast for this vote under the best chain's
   * election key (first vote, a change of mind, or a reorg to other talliers), else re-send the
   * last one every RESEND_MS (or after a new block, RESEND_MIN_MS) until a block of the best chain
   * counts it.
   */
  castIfNeeded(vote: VoteChoice | undefined, now = Date.now()): Promise<void> {
    const run = this.casting.then(() => this.castNow(vote, now));
    this.casting = run.catch(() => {});
    return run;
  }

  private async castNow(vote: VoteChoice | undefined, now: number): Promise<void> {
    const voter = this.voter;
    if (!voter || vote === undefined || !this.registered) return;
    const tip = this.chain.tip;
    if (!this.votingOpen(tip)) return;
    const { genesis } = this.chain;
    const key = this.chain.electionOf(tip).key;
    const credential = voter.credential.publicKey;
    const latest = voter.latest;
    if (!latest || !sameVote(latest.vote, vote) || latest.electionKey !== key) {
      const counted = this.chain.countedCast(credential, tip)?.seq ?? 0;
      const context = voterContext(genesis.group, genesis.id, credential);
      const ballot = encryptVote(genesis, context, key, vote);
      const cast = voter.credential.sign(genesis.id, Math.max(voter.lastSeq, counted) + 1, ballot);
      // Recorded before it leaves: after a crash the receipt is there and the number is used.
      await voter.recordCast({ vote, electionKey: key, cast });
      this.send(cast, key, now);
      return;
    }
    const counted = this.chain.countedCast(credential, tip);
    if (counted && counted.seq >= latest.cast.seq) return;
    const since = now - this.lastSent;
    if (since >= RESEND_MS || (tip.height > this.lastSentHeight && since >= RESEND_MIN_MS))
      this.send(latest.cast, key, now);
  }

  private send(cast: CastBallot, key: bigint, now: number): void {
    this.lastSent = now;
    this.lastSentHeight = this.chain.tip.height;
    this.pool.add(castBallotId(this.chain.group, cast), cast, key);
    this.hooks.cast(cast, undefined);
    this.hooks.changed();
  }

  /** This voter's receipts, oldest first. */
  receipts(): Receipt[] {
    const voter = this.voter;
    if (!voter) return [];
    const credential = voter.credential.publicKey;
    const counted = this.chain.countedCast(credential);
    const held = this.chain.castsOf(credential);
    const casts = voter.casts;
    return casts.map((own, i) => {
      const base = {
        tracker: ballotTracker(this.chain.group, own.cast.ballot),
        seq: own.cast.seq,
        vote: own.vote,
      };
      if (counted?.seq === own.cast.seq)
        return { ...base, state: 'counted', height: counted.height, block: counted.block };
      if (i < casts.length - 1 || (counted && counted.seq > own.cast.seq))
        return { ...base, state: 'replaced' };
      if (held.some((e) => e.seq === own.cast.seq)) return { ...base, state: 'displaced' };
      return { ...base, state: 'sent' };
    });
  }
}
