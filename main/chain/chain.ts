// The block tree and everything a runner decides about it: validity, fork choice, and the election
// state of any branch (phase, talliers, election key, ballots, tally). Pure and in memory: storage,
// mining and networking sit around it. Rules: docs/PROTOCOL.md §4–§6.
//
// Every block keeps what its branch has accumulated (cumulative work, tally, ballot count), so a
// reorg costs nothing to apply: the new tip's metadata already describes its branch.
import { addToTallies, ciphertextsOf, isAnswers, verifyAnyBallot } from '../crypto/any-ballot';
import { EMPTY_TALLY, TALLY_ALPHA_ONE } from '../crypto/ballot';
import type { QuestionRule } from '../crypto/choices';
import { ValidationError } from '../crypto/errors';
import type { Group } from '../crypto/group';
import { electionKey, verifyPkPok } from '../crypto/tallier';
import type { AnyBallot, Ciphertext, TallierPublicKey } from '../crypto/types';
import { type Block, blockHash, type Payload } from './block';
import { applyCeremony, type CeremonyState, emptyCeremony, keyHolders } from './ceremony';
import { ballotRules, type Genesis, hasThreshold, tallyCount } from './genesis';
import { electionKeyHeight, finalHeight, keyElectionHeight, type Phase, phaseOf } from './phases';
import type { FinalTally } from './results';
import { blockWork, expectedPayload, MEDIAN_SPAN, maxFutureSeconds, medianTimePast } from './rules';
import { electTalliers, type KeyElection } from './talliers';
import { applyCasts, type CastEntry, checkEndorsedKey, type OnBranch, VoterIndex } from './voters';

export interface BlockMeta {
  readonly hash: string;
  /** null for the genesis (height 0). */
  readonly block: Block | null;
  readonly height: number;
  readonly parent: BlockMeta | null;
  readonly timestamp: number;
  /** Cumulative work of the branch ending here. */
  readonly work: bigint;
  /** Arrival order: the tie-break "first seen". */
  readonly seq: number;
  /**
   * Product of the branch's counted ballots up to here, per tally (one for a yes/no question), and
   * how many: per-block, every ballot; per-voter, each voter's last (so `ballots` is the turnout).
   */
  readonly tallies: readonly Ciphertext[];
  readonly ballots: number;
}

export interface Reorg {
  readonly from: BlockMeta;
  readonly to: BlockMeta;
  /** The last block both branches share. */
  readonly fork: BlockMeta;
}

export type AddResult =
  /** Stored, with any orphans it connected (in order); `best` tells whether the best tip moved. */
  | {
      readonly status: 'added';
      readonly added: readonly BlockMeta[];
      readonly best: boolean;
      readonly reorg?: Reorg;
    }
  | { readonly status: 'known'; readonly hash: string }
  /** Kept aside until its parent arrives: the network layer should fetch `missing`. */
  | { readonly status: 'orphan'; readonly hash: string; readonly missing: string }
  /** Invalid for good: remembered, and its descendants are refused too. */
  | { readonly status: 'invalid'; readonly hash: string; readonly reason: string }
  /** Not acceptable now (a timestamp too far ahead), perhaps later: nothing is remembered. */
  | { readonly status: 'rejected'; readonly hash: string; readonly reason: string }
  /**
   * Not taken, though perhaps valid: side branches are at their bound here and this block's
   * branch is too far behind the best, or its height holds enough blocks (docs/PROTOCOL.md §6.1a).
   * Not validated; parked among the orphans (bounded), so that blocks arriving on top of it, with
   * more work than the best chain, bring it in (parkedRoot).
   */
  | { readonly status: 'declined'; readonly hash: string; readonly reason: string }
  /**
   * The chain is final (a sealed final block is kept for ever) and this block is not on it: it
   * arrived after the result. Not stored; summarised in `lateBranches()`.
   */
  | {
      readonly status: 'late';
      readonly hash: string;
      readonly final: string;
      readonly reason: string;
      /** Offered late before: nothing was recorded again. */
      readonly repeat: boolean;
    };

/** A branch that arrived after the chain was final, as far as it was seen. */
export interface LateBranch {
  /** Height of the last block it shares with the final chain. */
  readonly forkHeight: number;
  /** The highest of its blocks seen, and that block's hash. */
  readonly height: number;
  readonly tip: string;
  /** Blocks of it that were offered. */
  readonly blocks: number;
  /** Unix ms: when its first and last blocks were offered. */
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** Late branches remembered for reporting (the least recently extended are forgotten first). */
const MAX_LATE_BRANCHES = 16;
/** Side blocks (off the best chain) held before the side-branch bound applies: ~3 MB of blocks. */
export const MAX_SIDE_BLOCKS = 1024;
/**
 * ...or fewer, so that they come to at most this many bytes, for elections whose ballots of answers
 * make big blocks. A first tier, not a cap: past it the bound's rules still take some side blocks
 * (at most MAX_AT_HEIGHT a height).
 */
export const MAX_SIDE_BYTES = 64 * 1024 * 1024;

/**
 * The side blocks a runner takes before the side-branch bound applies (PROTOCOL §6.1a): 1,024, or
 * fewer when the election's blocks are large (173 of the default group's largest, ~386 KB; 85 at
 * the 768 KiB limit), so that a miner with cheap proofs of work cannot make a runner hold 1,024 of them.
 */
export function sideBlockBound(blockBytes: number): number {
  return Math.max(1, Math.min(MAX_SIDE_BLOCKS, Math.floor(MAX_SIDE_BYTES / blockBytes)));
}
/** Past the bound, how far behind the best tip (in blocks of work) a side branch may be. */
export const SIDE_SLACK = 2;
/** Past the bound, the blocks (of all branches) a height may hold. */
export const MAX_AT_HEIGHT = 4;
/** Late block hashes remembered, so that a replayed one is recognised (the oldest forgotten first). */
const MAX_LATE_SEEN = 4096;

export interface BranchState {
  readonly tip: BlockMeta;
  /** The phase of the next block to mine on this branch, or 'final' once the chain has ended. */
  readonly phase: Phase | 'final';
  /** Candidates so far; talliers and key once height T is reached. */
  readonly keyElection: KeyElection;
  /** Once the election key is fixed: the talliers whose keys make it, and how many must decrypt. */
  readonly qualified?: readonly bigint[];
  readonly quorum?: number;
  readonly electionKey?: bigint;
  readonly tallies: readonly Ciphertext[];
  readonly ballots: number;
  /** The tally is fixed: the branch has reached the final height. */
  readonly final: boolean;
}

export interface ChainOptions {
  /** Unix seconds; injectable for tests. */
  readonly now?: () => number;
  readonly maxOrphans?: number;
  readonly maxInvalid?: number;
  /** Blocks off the best chain stored before the side-branch bound applies (tests lower it). */
  readonly maxSideBlocks?: number;
}

/**
 * What a branch's talliers are once its election key is fixed: the key election's outcome, the key,
 * and who must decrypt. Without threshold talliers every elected tallier is qualified and the
 * quorum is all of them; with them, the qualified are the ceremony's, and any `quorum` decrypt.
 */
export interface BranchElection {
  readonly election: KeyElection;
  readonly key: bigint;
  /** The talliers whose keys make `key`, in rank order. */
  readonly qualified: readonly bigint[];
  /** How many of `qualified` must take part in decryption (all of them without backups). */
  readonly quorum: number;
  /** Threshold talliers: the ceremony as it ended on this branch. */
  readonly ceremony?: CeremonyState;
}

/** A valid block's verdict carries its branch's tallies and count, computed once for the tally rule. */
type Verdict =
  | { ok: true; tallies: readonly Ciphertext[]; ballots: number; ceremony?: CeremonyState }
  | { ok: false; permanent: boolean; reason: string };
const invalid = (reason: string): Verdict => ({ ok: false, permanent: true, reason });

export class Chain {
  readonly group: Group;
  readonly genesisMeta: BlockMeta;
  private readonly blocks = new Map<string, BlockMeta>();
  private readonly children = new Map<string, BlockMeta[]>();
  private readonly invalidBlocks = new Map<string, string>();
  private readonly orphans = new Map<string, Block>();
  /** α of every ballot → hashes of the blocks carrying it, for the replay rule. */
  private readonly alphas = new Map<bigint, string[]>();
  /** Per-voter rule: every cast ballot and endorsement, by credential. */
  private readonly voters = new VoterIndex();
  /** Blocks at the final height: the branches whose talliers may publish factors. */
  private readonly finals: BlockMeta[] = [];
  /** The last state() computed, by tip: callers ask for it several times per tip. */
  private lastState: BranchState | undefined;
  /** Branch elections by the hash of their branch's block at the election key's height. */
  private readonly elections = new Map<string, BranchElection>();
  /** Threshold talliers: the ceremony's state after each ceremony block, by its hash. */
  private readonly ceremonies = new Map<string, CeremonyState>();
  /** What a ballot answers: each question's rule, or undefined for the yes/no question. */
  private readonly rules: readonly QuestionRule[] | undefined;
  private readonly workPerBlock: bigint;
  private readonly now: () => number;
  private readonly maxOrphans: number;
  private readonly maxInvalid: number;
  readonly maxSideBlocks: number;
  /** How many blocks are held at each height (every branch). */
  private readonly atHeight = new Map<number, number>();
  private seq = 0;
  private best: BlockMeta;
  /** The sealed final block (version 2): best for ever. */
  private locked: BlockMeta | undefined;
  /** The block `validate` passed last: `add` skips its proofs. */
  private validated: string | undefined;
  private readonly late = new Map<string, LateBranch>();
  private readonly lateSeen = new Set<string>();

  constructor(
    readonly genesis: Genesis,
    options: ChainOptions = {},
  ) {
    this.group = genesis.group;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.maxOrphans = options.maxOrphans ?? 256;
    this.maxInvalid = options.maxInvalid ?? 10_000;
    this.maxSideBlocks = options.maxSideBlocks ?? sideBlockBound(genesis.sizes.blockBytes);
    this.workPerBlock = blockWork(genesis.target);
    this.rules = ballotRules(genesis);
    this.genesisMeta = {
      hash: genesis.idHex,
      block: null,
      height: 0,
      parent: null,
      timestamp: genesis.createdAt,
      work: 0n,
      seq: this.seq++,
      tallies: Array.from({ length: tallyCount(genesis) }, () => EMPTY_TALLY),
      ballots: 0,
    };
    this.blocks.set(this.genesisMeta.hash, this.genesisMeta);
    this.best = this.genesisMeta;
  }

  get tip(): BlockMeta {
    return this.best;
  }

  /** The final block kept for ever, once the talliers sealed it (finality.ts). */
  get lockedFinal(): BlockMeta | undefined {
    return this.locked;
  }

  /**
   * Makes the sealed final block `hash` the best tip for ever (docs/PROTOCOL.md §6): no other
   * branch replaces it, whatever its hash or work, and blocks off it are refused as late. A reorg
   * to it is returned when the best tip moves. Locking twice is a caller's bug.
   */
  lock(hash: string): Reorg | undefined {
    const meta = this.blocks.get(hash);
    if (!meta || meta.height !== this.finalHeight)
      throw new Error(`cannot lock ${hash}: not a final block here`);
    if (this.locked) {
      if (this.locked === meta) return undefined;
      throw new Error(`the chain is already final at ${this.locked.hash}`);
    }
    this.locked = meta;
    const before = this.best;
    this.best = meta;
    this.keepBestKeyTable();
    if (before === meta) return undefined;
    const fork = this.forkPoint(before, meta);
    return fork === before ? undefined : { from: before, to: meta, fork };
  }

  /** Branches offered after the chain became final, most recent last. */
  lateBranches(): readonly LateBranch[] {
    return [...this.late.values()];
  }

  get size(): number {
    return this.blocks.size;
  }

  get finalHeight(): number {
    return finalHeight(this.genesis);
  }

  get(hash: string): BlockMeta | undefined {
    return this.blocks.get(hash);
  }

  has(hash: string): boolean {
    return this.blocks.has(hash);
  }

  /** Every stored block, genesis first, in arrival order (parents before children). */
  all(): IterableIterator<BlockMeta> {
    return this.blocks.values();
  }

  /** Every block at the final height, in arrival order: one per final branch. */
  finalTips(): readonly BlockMeta[] {
    return this.finals;
  }

  childrenOf(hash: string): readonly BlockMeta[] {
    return this.children.get(hash) ?? [];
  }

  /**
   * Whether this chain would take the body of block `hash` from a peer: a hash that meets the
   * target, not held, not an orphan already, not known invalid, and the chain not sealed (every
   * new block is late then). Lookups only: what an announcement by hash is answered with before
   * anything is parsed.
   */
  wants(hash: string): boolean {
    return (
      !this.locked &&
      !this.blocks.has(hash) &&
      !this.orphans.has(hash) &&
      !this.invalidBlocks.has(hash) &&
      BigInt(`0x${hash}`) <= this.genesis.target // a hash without work is no block
    );
  }

  orphanCount(): number {
    return this.orphans.size;
  }

  /** The blocks the orphans wait for: parents neither held nor orphans themselves. */
  orphanParents(): string[] {
    const missing = new Set<string>();
    for (const orphan of this.orphans.values())
      if (!this.blocks.has(orphan.prev) && !this.orphans.has(orphan.prev)) missing.add(orphan.prev);
    return [...missing];
  }

  invalidReason(hash: string): string | undefined {
    return this.invalidBlocks.get(hash);
  }

  /** The ancestor of `meta` (or meta itself) at `height`. */
  ancestorAt(meta: BlockMeta, height: number): BlockMeta | undefined {
    let m: BlockMeta | null = meta;
    while (m && m.height > height) m = m.parent;
    return m && m.height === height ? m : undefined;
  }

  /** The branch from height 1 to `meta`. */
  branch(meta: BlockMeta = this.best): BlockMeta[] {
    const path: BlockMeta[] = [];
    for (let m: BlockMeta | null = meta; m && m.height > 0; m = m.parent) path.push(m);
    return path.reverse();
  }

  /**
   * Validates `block` and stores it if valid, then (unless `adoptOrphans` is false) connects any
   * orphans waiting for it. `trusted` is for blocks this runner validated before (its own
   * store): it skips the proof checks and the clock, never the structure, the proof of work or
   * the chain rules. A block just passed by `validate` is not verified twice.
   */
  add(block: Block, options: { trusted?: boolean; adoptOrphans?: boolean } = {}): AddResult {
    const hash = blockHash(this.group, block);
    const trusted = options.trusted ?? false;
    const parent = this.admit(hash, block, trusted);
    if (!('work' in parent)) {
      // An orphan on a block the side-branch bound parked: with it, that block may now be taken.
      const root =
        parent.status === 'orphan' && options.adoptOrphans !== false ? this.parkedRoot(hash) : undefined;
      const again = root && this.add(root, options);
      return again?.status === 'added' ? again : parent;
    }
    const first = this.connect(hash, block, parent, trusted || this.validated === hash);
    this.validated = undefined;
    if (!('work' in first)) return first;
    const added: BlockMeta[] = [first];
    // Connect the orphans that were waiting for it, breadth first.
    for (let i = 0; i < added.length && options.adoptOrphans !== false; i++) {
      const parentHash = added[i]!.hash;
      for (const [orphanHash, orphan] of [...this.orphans]) {
        if (orphan.prev !== parentHash) continue;
        this.orphans.delete(orphanHash);
        const connected = this.connect(orphanHash, orphan, added[i]!, trusted);
        if ('work' in connected) added.push(connected);
      }
    }
    // Fork choice over everything added: the tip moves only to a better block.
    const before = this.best;
    for (const meta of added) if (this.isBetter(meta, this.best)) this.best = meta;
    const moved = this.best !== before;
    if (moved) this.keepBestKeyTable();
    const fork = moved ? this.forkPoint(before, this.best) : undefined;
    const reorg = fork && fork !== before ? { from: before, to: this.best, fork } : undefined;
    return { status: 'added', added, best: moved, ...(reorg ? { reorg } : {}) };
  }

  /**
   * Every check `add` makes, storing nothing: 'valid' means `add(block)` stores it next (its
   * proofs are not verified again). A runner validates, writes the block to disk, and only then
   * adds it, so that no block is served or announced before it is on disk. An orphan is pooled,
   * an invalid block remembered, a late one recorded, as `add` does.
   */
  validate(block: Block): AddResult | { readonly status: 'valid'; readonly hash: string } {
    const hash = blockHash(this.group, block);
    const parent = this.admit(hash, block, false);
    if (!('work' in parent)) return parent;
    const verdict = this.check(hash, block, parent, false);
    if (!verdict.ok) {
      if (verdict.permanent) return this.markInvalid(hash, verdict.reason);
      return { status: 'rejected', hash, reason: verdict.reason };
    }
    this.validated = hash;
    return { status: 'valid', hash };
  }

  /** Removes and returns the orphans waiting for block `hash`. */
  takeOrphansOf(hash: string): Block[] {
    const waiting: Block[] = [];
    for (const [orphanHash, orphan] of [...this.orphans]) {
      if (orphan.prev !== hash) continue;
      this.orphans.delete(orphanHash);
      waiting.push(orphan);
    }
    return waiting;
  }

  /**
   * The checks that need no parent, then the parent: returns it, or the answer for a block that
   * goes no further (known, invalid, late, declined, or an orphan, which is pooled).
   */
  private admit(hash: string, block: Block, trusted: boolean): BlockMeta | AddResult {
    if (this.blocks.has(hash)) return { status: 'known', hash };
    const known = this.invalidBlocks.get(hash);
    if (known) return { status: 'invalid', hash, reason: known };
    if (BigInt(`0x${hash}`) > this.genesis.target) {
      // Not remembered: blocks without work cost nothing to make.
      return { status: 'invalid', hash, reason: 'proof of work: the block hash is above the target' };
    }
    if (block.height > this.finalHeight) {
      return this.markInvalid(
        hash,
        `height ${block.height} is beyond the election's final height ${this.finalHeight}`,
      );
    }
    const badParent = this.invalidBlocks.get(block.prev);
    if (badParent) return this.markInvalid(hash, `descends from invalid block ${block.prev.slice(0, 16)}…`);
    // Every block of the final chain is held, so any new block is off it.
    if (this.locked) return this.refuseLate(hash, block);
    const parent = this.blocks.get(block.prev);
    if (!parent) return this.keepOrphan(hash, block);
    // Blocks from this runner's own store were taken under the same rule when they arrived.
    return trusted ? parent : (this.declineSide(hash, block, parent) ?? parent);
  }

  /**
   * The side-branch bound (docs/PROTOCOL.md §6.1a). Every valid block costs its proof of work,
   * which a fast GPU makes cheap at a difficulty set for CPUs; kept for ever, side blocks would
   * cost their validation, memory and disk without end. So once `maxSideBlocks` blocks off the
   * best chain are held, a new side block is taken only if its branch is within SIDE_SLACK
   * blocks' work of the best tip (it could become best soon) and its height holds fewer than
   * MAX_AT_HEIGHT blocks; other blocks are declined before any validation, and parked among the
   * orphans. Past the bound, side blocks thus number at most MAX_AT_HEIGHT per height.
   *
   * Never declined, whatever the bound: a block extending the best tip; a final block (each may
   * be needed, until the seal, by the lower-hash rule and the talliers' rounds; the seal ends
   * them); and a block that, with the blocks waiting on it among the orphans, would give its
   * branch more work than the best chain: that is how a better branch arrives, a block at a time
   * (otherwise a few squatted blocks at one height would keep a runner off the honest chain).
   */
  private declineSide(hash: string, block: Block, parent: BlockMeta): AddResult | undefined {
    if (parent === this.best || block.height === this.finalHeight) return undefined;
    const side = this.blocks.size - 1 - this.best.height;
    if (side < this.maxSideBlocks) return undefined;
    const reach = parent.work + this.workPerBlock * BigInt(1 + this.orphanDepth(hash));
    if (reach > this.best.work) return undefined;
    const behind = this.best.work - (parent.work + this.workPerBlock);
    let reason: string | undefined;
    if (behind > BigInt(SIDE_SLACK) * this.workPerBlock) {
      reason = `this block's branch is more than ${SIDE_SLACK} blocks behind the best`;
    } else if ((this.atHeight.get(block.height) ?? 0) >= MAX_AT_HEIGHT) {
      reason = `height ${block.height} already holds ${MAX_AT_HEIGHT} blocks`;
    }
    if (!reason) return undefined;
    // Parked: a block arriving on top of it asks for it again (parkedRoot), with more work.
    this.keepOrphan(hash, block);
    return {
      status: 'declined',
      hash,
      reason: `side branches are at their bound here (${side} blocks) and ${reason}`,
    };
  }

  /** The longest line of orphans descending from block `hash` (0 if none wait on it). */
  private orphanDepth(hash: string): number {
    const byParent = new Map<string, string[]>();
    for (const [h, orphan] of this.orphans) {
      const siblings = byParent.get(orphan.prev);
      if (siblings) siblings.push(h);
      else byParent.set(orphan.prev, [h]);
    }
    const depth = (h: string, level: number): number =>
      level > this.maxOrphans
        ? level
        : Math.max(0, ...(byParent.get(h) ?? []).map((c) => 1 + depth(c, level + 1)));
    return depth(hash, 0);
  }

  /**
   * For an orphan: the block at the root of its line of orphans, if that root's parent is held
   * (a block parked by the side-branch bound): offered again, it may now be taken.
   */
  parkedRoot(hash: string): Block | undefined {
    let root = this.orphans.get(hash);
    for (let i = 0; root && i <= this.maxOrphans; i++) {
      if (this.blocks.has(root.prev)) return root;
      root = this.orphans.get(root.prev);
    }
    return undefined;
  }

  /**
   * Fork choice: more work wins; equal work, the first seen stays, except between final blocks,
   * where the lower hash wins, so that runners holding the same final blocks agree on one (nobody
   * mines past the final height, so "first seen" would never be overturned). That rule alone let a
   * ground final block replace a result (version 1); in version 2 it only steers the runners until
   * the talliers seal a final block (lock()), after which nothing replaces it.
   */
  private isBetter(candidate: BlockMeta, current: BlockMeta): boolean {
    if (candidate.work !== current.work) return candidate.work > current.work;
    return (
      candidate.height === this.finalHeight &&
      current.height === this.finalHeight &&
      candidate.hash < current.hash
    );
  }

  /**
   * Records a block offered after the chain became final, by the branch it belongs to. A block
   * seen late before (a bounded memory) is answered the same way and changes nothing: replaying
   * one block costs a peer no work, so it must cost the runner none either.
   */
  private refuseLate(hash: string, block: Block): AddResult {
    const final = this.locked!;
    const reason = `arrived after the result: the chain is final at block ${final.hash.slice(0, 16)}… (height ${final.height}), sealed by its talliers`;
    if (this.lateSeen.has(hash)) return { status: 'late', hash, final: final.hash, reason, repeat: true };
    this.lateSeen.add(hash);
    if (this.lateSeen.size > MAX_LATE_SEEN) this.lateSeen.delete(this.lateSeen.values().next().value!);
    const now = Date.now();
    // A late block extends a late branch already seen (its parent is that branch's tip), or
    // starts one: forked at its parent's height when the parent is held, else at an unknown
    // height, reported as height − 1.
    const known = this.late.get(block.prev);
    if (known) this.late.delete(block.prev);
    const parent = this.blocks.get(block.prev);
    this.late.set(hash, {
      forkHeight: known?.forkHeight ?? (parent ? parent.height : block.height - 1),
      height: block.height,
      tip: hash,
      blocks: (known?.blocks ?? 0) + 1,
      firstSeen: known?.firstSeen ?? now,
      lastSeen: now,
    });
    if (this.late.size > MAX_LATE_BRANCHES) this.late.delete(this.late.keys().next().value!);
    return { status: 'late', hash, final: final.hash, reason, repeat: false };
  }

  private forkPoint(a: BlockMeta, b: BlockMeta): BlockMeta {
    let x: BlockMeta = a;
    let y: BlockMeta = b;
    while (x.height > y.height) x = x.parent!;
    while (y.height > x.height) y = y.parent!;
    while (x !== y) {
      x = x.parent!;
      y = y.parent!;
    }
    return x;
  }

  /** Checks a block whose parent is stored and, if valid, stores it (without fork choice). */
  private connect(hash: string, block: Block, parent: BlockMeta, trusted: boolean): BlockMeta | AddResult {
    const verdict = this.check(hash, block, parent, trusted);
    if (!verdict.ok) {
      if (verdict.permanent) return this.markInvalid(hash, verdict.reason);
      return { status: 'rejected', hash, reason: verdict.reason };
    }
    const payload = block.payload;
    const meta: BlockMeta = {
      hash,
      block,
      height: block.height,
      parent,
      timestamp: block.timestamp,
      work: parent.work + this.workPerBlock,
      seq: this.seq++,
      tallies: verdict.tallies,
      ballots: verdict.ballots,
    };
    if (verdict.ceremony) this.ceremonies.set(hash, verdict.ceremony);
    this.orphans.delete(hash); // a block parked by the side-branch bound, taken after all
    this.blocks.set(hash, meta);
    this.atHeight.set(meta.height, (this.atHeight.get(meta.height) ?? 0) + 1);
    if (meta.height === this.finalHeight) this.finals.push(meta);
    const siblings = this.children.get(parent.hash);
    if (siblings) siblings.push(meta);
    else this.children.set(parent.hash, [meta]);
    for (const alpha of alphasOf(payload)) {
      const holders = this.alphas.get(alpha);
      if (holders) holders.push(hash);
      else this.alphas.set(alpha, [hash]);
    }
    if (payload.kind === 'ballots') this.voters.addCasts(hash, meta.height, payload.ballots);
    if (payload.kind === 'tallier_key' && payload.endorsement)
      this.voters.addEndorsement(hash, meta.height, payload.endorsement, payload.key.pk);
    return meta;
  }

  /** Every rule that needs the parent. */
  private check(hash: string, block: Block, parent: BlockMeta, trusted: boolean): Verdict {
    if (block.height !== parent.height + 1) {
      return invalid(`height ${block.height} does not follow its parent's height ${parent.height}`);
    }
    const median = this.medianTimePast(parent);
    if (block.timestamp <= median) {
      return invalid(`timestamp ${block.timestamp} is not above the median ${median} of the previous blocks`);
    }
    const margin = maxFutureSeconds(this.genesis.version);
    if (!trusted && block.timestamp > this.now() + margin) {
      return {
        ok: false,
        permanent: false,
        reason: `timestamp ${block.timestamp} is more than ${margin >= 3600 ? `${margin / 3600} h` : `${margin / 60} min`} ahead of this clock`,
      };
    }
    const phase = phaseOf(this.genesis, block.height);
    const expected = expectedPayload(this.genesis, block.height);
    if (block.payload.kind !== expected) {
      return invalid(
        `height ${block.height} is in the ${phase} phase and must carry a ${expected}, not a ${block.payload.kind}`,
      );
    }
    try {
      const { payload } = block;
      const onBranch: OnBranch = (h, height) => this.ancestorAt(parent, height)?.hash === h;
      if (payload.kind === 'tallier_key') {
        if (!trusted) verifyPkPok(this.group, this.genesis.id, payload.key, 'payload.tallier_key.pk_pok');
        const refused = checkEndorsedKey(
          this.group,
          this.genesis,
          payload.key,
          payload.endorsement,
          this.voters,
          onBranch,
          trusted,
        );
        if (refused) return invalid(refused);
        // The block at height T completes its branch's key election, and is invalid if the keys it
        // elects multiply to 1 (electionKey refuses them): talliers knowing x and −x (both keys
        // pass their pk_pok) would make every ballot readable by anyone (docs/PROTOCOL.md §5).
        if (block.height === keyElectionHeight(this.genesis)) {
          const complete = this.completeKeyElection(payload.key, parent);
          if (!hasThreshold(this.genesis)) this.elections.set(hash, complete);
        }
      } else if (payload.kind === 'ceremony') {
        const before =
          parent.height === keyElectionHeight(this.genesis)
            ? emptyCeremony(
                this.genesis,
                this.candidatesOf(parent).talliers.map((k) => k.pk),
              )
            : this.ceremonies.get(parent.hash)!;
        const after = applyCeremony(
          this.group,
          this.genesis,
          before,
          block.height,
          payload.messages,
          trusted,
        );
        // The ceremony's last block fixes the key: invalid if the qualified keys multiply to 1.
        if (block.height === electionKeyHeight(this.genesis))
          this.elections.set(hash, this.afterCeremony(this.candidatesOf(parent), after));
        return { ok: true, tallies: parent.tallies, ballots: parent.ballots, ceremony: after };
      } else if (payload.kind === 'ballot') {
        if (!trusted)
          verifyAnyBallot(
            this.group,
            this.genesis.id,
            this.electionOf(parent).key,
            this.rules,
            payload.ballot,
            'payload',
          );
        const replay = this.copied(payload.ballot, new Set(), parent);
        if (replay) return invalid(replay);
        // A tally with α = 1 could never be decrypted: its factors α^x = 1 are not group elements
        // (a miner using r and q − r in two ballots would make it so). Honest ballots never do.
        const tallies = addToTallies(this.group, parent.tallies, payload.ballot);
        if (tallies.some((t) => t.alpha === 1n))
          return invalid(
            `block.payload.${isAnswers(payload.ballot) ? 'answers' : 'ballot.alpha'}: ${TALLY_ALPHA_ONE}`,
          );
        return { ok: true, tallies, ballots: parent.ballots + 1 };
      } else if (payload.kind === 'ballots') {
        const most = this.genesis.sizes.ballotsPerBlock;
        if (payload.ballots.length > most)
          return invalid(
            `block.payload.ballots: carries ${payload.ballots.length} cast ballots; a block of this election carries at most ${most}`,
          );
        const inBlock = new Set<bigint>();
        for (const [i, { ballot }] of payload.ballots.entries()) {
          const replay = this.copied(ballot, inBlock, parent);
          if (replay) return invalid(`block.payload.ballots[${i}]: ${replay}`);
        }
        const key = this.electionOf(parent).key;
        const cast = applyCasts(
          this.group,
          this.genesis,
          key,
          parent,
          payload.ballots,
          this.voters,
          onBranch,
          trusted,
        );
        if (!cast.ok) return invalid(cast.reason);
        if (cast.tallies.some((t) => t.alpha === 1n) && payload.ballots.length > 0)
          return invalid(`block.payload.ballots: ${TALLY_ALPHA_ONE}`);
        return { ok: true, tallies: cast.tallies, ballots: cast.voters };
      }
    } catch (error) {
      if (error instanceof ValidationError) return invalid(error.message);
      throw error;
    }
    return { ok: true, tallies: parent.tallies, ballots: parent.ballots };
  }

  /**
   * The α replay rule over every ciphertext of a ballot (docs/PROTOCOL.md §7.2): is any of its α
   * already on the branch through `parent`, earlier in its block (`inBlock`, which it joins), or
   * twice in the ballot itself? A ballot of answers is refused when any one option's α is copied.
   */
  private copied(ballot: AnyBallot, inBlock: Set<bigint>, parent: BlockMeta): string | undefined {
    for (const { alpha } of ciphertextsOf(ballot)) {
      if (this.replayed(alpha, parent))
        return 'ballot replay: a ballot with the same α is already on this branch';
      if (inBlock.has(alpha))
        return "ballot replay: an α repeats within this block's ballots (earlier in the block, or in this ballot)";
      inBlock.add(alpha);
    }
    return undefined;
  }

  /** The α replay rule: is a ballot with this α already on the branch through `parent`? */
  private replayed(alpha: bigint, parent: BlockMeta): boolean {
    return (this.alphas.get(alpha) ?? []).some((h) => this.isAncestor(this.blocks.get(h)!, parent));
  }

  /** Per-voter rule: the credential's counted ballot on the branch through `tip`, if any. */
  countedCast(credential: bigint, tip: BlockMeta = this.best): CastEntry | undefined {
    return this.voters.latest(credential, (h, height) => this.ancestorAt(tip, height)?.hash === h);
  }

  /** Per-voter rule: every held block carrying a ballot of this credential (any branch). */
  castsOf(credential: bigint): readonly CastEntry[] {
    return this.voters.all(credential);
  }

  /** Would this ballot break the replay rule on the branch through `tip` (any α already there)? */
  replays(ballot: AnyBallot, tip: BlockMeta = this.best): boolean {
    return this.copied(ballot, new Set(), tip) !== undefined;
  }

  /** The smallest timestamp a child of `parent` may carry. */
  minChildTimestamp(parent: BlockMeta): number {
    return this.medianTimePast(parent) + 1;
  }

  /** Median of the timestamps of `parent` and up to 10 of its ancestors (the genesis included). */
  private medianTimePast(parent: BlockMeta): number {
    const times: number[] = [];
    for (let m: BlockMeta | null = parent; m && times.length < MEDIAN_SPAN; m = m.parent)
      times.push(m.timestamp);
    return medianTimePast(times);
  }

  private isAncestor(ancestor: BlockMeta, of: BlockMeta): boolean {
    return this.ancestorAt(of, ancestor.height) === ancestor;
  }

  /**
   * Only the best branch's election key earns a fixed-base table (docs/CRYPTO.md §7): side
   * branches, whatever their keys, verify through the backend, so they cannot make the runner
   * rebuild tables.
   */
  private keepBestKeyTable(): void {
    if (this.best.height >= electionKeyHeight(this.genesis))
      this.group.keepTable(this.electionOf(this.best).key);
  }

  /**
   * The talliers and key of the branch through `meta`, which must have reached the election key's
   * height (T, or T + K with threshold talliers). Cached per block at that height, so branches
   * sharing their start share it.
   */
  electionOf(meta: BlockMeta): BranchElection {
    const anchor = this.ancestorAt(meta, electionKeyHeight(this.genesis));
    if (!anchor) throw new Error(`the election key is not fixed at height ${meta.height}`);
    let cached = this.elections.get(anchor.hash);
    if (!cached) {
      const election = this.candidatesOf(anchor);
      const ceremony = this.ceremonies.get(anchor.hash);
      // Every key here passed its pk_pok when its block was accepted; electionKey checks again.
      cached = ceremony ? this.afterCeremony(election, ceremony) : this.withoutCeremony(election);
      this.elections.set(anchor.hash, cached);
    }
    return cached;
  }

  /** Threshold talliers: the ceremony through `meta` (undefined before its first block). */
  ceremonyOf(meta: BlockMeta): CeremonyState | undefined {
    const last = Math.min(meta.height, electionKeyHeight(this.genesis));
    if (last <= keyElectionHeight(this.genesis)) return undefined;
    return this.ceremonies.get(this.ancestorAt(meta, last)!.hash);
  }

  private withoutCeremony(election: KeyElection): BranchElection {
    const qualified = election.talliers.map((k) => k.pk);
    const key = electionKey(this.group, this.genesis.id, election.talliers);
    return { election, key, qualified, quorum: qualified.length };
  }

  /** The key of the talliers who qualified in `ceremony`; throws if their keys multiply to 1. */
  private afterCeremony(election: KeyElection, ceremony: CeremonyState): BranchElection {
    const { qualified, quorum } = keyHolders(ceremony);
    const keys = election.talliers.filter((k) => qualified.includes(k.pk));
    const key = electionKey(this.group, this.genesis.id, keys);
    return { election, key, qualified, quorum, ceremony };
  }

  /** The key election as it stands on the branch through `meta` (complete once height T is reached). */
  candidatesOf(meta: BlockMeta): KeyElection {
    const top = this.ancestorAt(meta, Math.min(meta.height, keyElectionHeight(this.genesis)))!;
    return electTalliers(this.keyAppearances(top), this.genesis.nTalliers);
  }

  /** The key election a block at height T carrying `key` completes on `parent`; throws if its key is 1. */
  private completeKeyElection(key: TallierPublicKey, parent: BlockMeta): BranchElection {
    const appearances = [{ height: parent.height + 1, key }, ...this.keyAppearances(parent)];
    return this.withoutCeremony(electTalliers(appearances, this.genesis.nTalliers));
  }

  /** The tallier keys of `top` and its ancestors, with their heights. */
  private keyAppearances(top: BlockMeta): { height: number; key: TallierPublicKey }[] {
    const appearances: { height: number; key: TallierPublicKey }[] = [];
    for (let m: BlockMeta | null = top; m?.block; m = m.parent) {
      if (m.block.payload.kind === 'tallier_key')
        appearances.push({ height: m.height, key: m.block.payload.key });
    }
    return appearances;
  }

  /** What the branch through `tip` has decided so far. */
  state(tip: BlockMeta = this.best): BranchState {
    if (this.lastState?.tip === tip) return this.lastState;
    const decided = tip.height >= electionKeyHeight(this.genesis) ? this.electionOf(tip) : undefined;
    const final = tip.height === this.finalHeight;
    this.lastState = {
      tip,
      phase: final ? 'final' : phaseOf(this.genesis, tip.height + 1)!,
      keyElection: decided?.election ?? this.candidatesOf(tip),
      ...(decided ? { qualified: decided.qualified, quorum: decided.quorum } : {}),
      ...(decided ? { electionKey: decided.key } : {}),
      tallies: tip.tallies,
      ballots: tip.ballots,
      final,
    };
    return this.lastState;
  }

  /** The tally the branch through `tip` asks its talliers to decrypt, once it is final. */
  finalTally(tip: BlockMeta = this.best): FinalTally | undefined {
    if (tip.height !== this.finalHeight) return undefined;
    const { qualified, quorum, ceremony } = this.electionOf(tip);
    const base = { final: tip.hash, tallies: tip.tallies, ballots: tip.ballots, talliers: qualified };
    if (!ceremony || quorum === qualified.length) return base;
    const dealings = new Map(qualified.map((pk) => [pk, ceremony.dealings.get(pk)!.dealing]));
    return { ...base, quorum: { elected: ceremony.elected, qualified, quorum, dealings } };
  }

  private keepOrphan(hash: string, block: Block): AddResult {
    if (!this.orphans.has(hash)) {
      if (this.orphans.size >= this.maxOrphans) this.orphans.delete(this.orphans.keys().next().value!);
      this.orphans.set(hash, block);
    }
    return { status: 'orphan', hash, missing: block.prev };
  }

  private markInvalid(hash: string, reason: string): AddResult {
    if (this.invalidBlocks.size >= this.maxInvalid)
      this.invalidBlocks.delete(this.invalidBlocks.keys().next().value!);
    this.invalidBlocks.set(hash, reason);
    // Orphans waiting on an invalid block are invalid too.
    for (const [orphanHash, orphan] of this.orphans) {
      if (orphan.prev === hash) {
        this.orphans.delete(orphanHash);
        this.markInvalid(orphanHash, `descends from invalid block ${hash.slice(0, 16)}…`);
      }
    }
    return { status: 'invalid', hash, reason };
  }
}

/** Every α a block's ballots carry (each option's, for answers), for the replay index. */
function alphasOf(payload: Payload): bigint[] {
  const ballots =
    payload.kind === 'ballot'
      ? [payload.ballot]
      : payload.kind === 'ballots'
        ? payload.ballots.map((c) => c.ballot)
        : [];
  return ballots.flatMap((b) => ciphertextsOf(b).map((c) => c.alpha));
}
