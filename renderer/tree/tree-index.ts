// The block tree's indexes, kept up to date incrementally: the state's `blocks` only ever grows
// (the reducer appends), so each update reads just the new blocks; a new tip re-walks only the
// heights whose best block changed; lanes are re-laid only from the lowest height that changed.
// A new block on the tip therefore costs O(1) here, not O(n). Each row carries a stamp that
// changes only when something drawn in that row changes, so rows can be cached and memoised.
import type { BlockView } from '../../main/api/contract';

/** Side branches beyond this many lanes share the last one (drawn over each other). */
export const MAX_LANES = 6;

export interface LaidBlock {
  readonly block: BlockView;
  /** 0: the best chain; 1…: side branches. */
  readonly lane: number;
  readonly best: boolean;
  /** The parent's lane, one row down (the genesis is in lane 0). */
  readonly parentLane: number;
}

/** An edge from a block one row up (a child) into a block of this row. */
export interface UpEdge {
  readonly fromLane: number;
  readonly toLane: number;
  readonly best: boolean;
}

/** One height of the tree; height 0 is the genesis (no blocks of its own). */
export interface TreeRow {
  readonly height: number;
  /** By lane. */
  readonly blocks: readonly LaidBlock[];
  readonly up: readonly UpEdge[];
}

export class TreeIndex {
  private source: readonly BlockView[] = [];
  private tip: string | undefined;
  /** The tip hash the best chain was last walked from (it may arrive before its block). */
  private walkedTip: string | undefined;
  private readonly byHash = new Map<string, BlockView>();
  /** Blocks by height, in the order they were stored. */
  private readonly atHeight: BlockView[][] = [[]];
  /** The best chain's hash at each height (index 0 unused). */
  private readonly bestAt: (string | undefined)[] = [];
  private readonly lanes = new Map<string, number>();
  /** The lowest height whose lanes must be laid again; Infinity when all are current. */
  private dirtyFrom = Number.POSITIVE_INFINITY;
  private readonly stamps: number[] = [];
  private stampCounter = 0;
  private readonly rowCache = new Map<number, { stamp: number; row: TreeRow }>();
  private ballotCache: { version: number; ballots: readonly BlockView[] } | undefined;
  /** Changes whenever anything in the tree changes (the ballots list is cached by it). */
  private version = 0;
  /** Lanes in use at any height: the graph's width, the same for every row. */
  laneCount = 1;

  /** Whether `blocks` continues what this index has read (else a new index is needed). */
  continues(blocks: readonly BlockView[]): boolean {
    const n = this.source.length;
    return blocks.length >= n && (n === 0 || blocks[n - 1] === this.source[n - 1]);
  }

  /** Reads what is new in `blocks` and `tip`; a no-op when neither changed (safe to call in render). */
  update(blocks: readonly BlockView[], tip: string | undefined): void {
    if (blocks !== this.source) {
      for (let i = this.source.length; i < blocks.length; i++) this.add(blocks[i]!);
      this.source = blocks;
    }
    this.tip = tip;
    if (tip !== this.walkedTip && tip !== undefined && this.byHash.has(tip)) this.walk(tip);
    if (this.dirtyFrom !== Number.POSITIVE_INFINITY) this.layLanes();
  }

  /** The highest height with a block. */
  get maxHeight(): number {
    return this.atHeight.length - 1;
  }

  get blockCount(): number {
    return this.source.length;
  }

  get tipHash(): string | undefined {
    return this.tip;
  }

  block(hash: string): BlockView | undefined {
    return this.byHash.get(hash);
  }

  isBest(block: BlockView): boolean {
    return this.bestAt[block.height] === block.hash;
  }

  /** The best chain's block at `height`, if the best chain reaches it. */
  bestBlock(height: number): BlockView | undefined {
    const hash = this.bestAt[height];
    return hash === undefined ? undefined : this.byHash.get(hash);
  }

  /**
   * The best chain's ballot blocks, lowest first (recomputed only when the tree changed): a
   * miner's 'ballot', or a per-voter block carrying voters' ballots ('ballots' with casts).
   */
  bestBallots(): readonly BlockView[] {
    if (this.ballotCache?.version !== this.version) {
      const ballots: BlockView[] = [];
      for (let height = 1; height < this.bestAt.length; height++) {
        const block = this.bestBlock(height);
        if (block?.kind === 'ballot' || (block?.kind === 'ballots' && (block.casts ?? 0) > 0))
          ballots.push(block);
      }
      this.ballotCache = { version: this.version, ballots };
    }
    return this.ballotCache.ballots;
  }

  /** The row at `height`: the same object until something drawn in it changes. */
  row(height: number): TreeRow {
    const stamp = this.stamps[height] ?? 0;
    const cached = this.rowCache.get(height);
    if (cached?.stamp === stamp) return cached.row;
    const laid = (block: BlockView): LaidBlock => {
      const parent = this.byHash.get(block.prev);
      return {
        block,
        lane: this.lanes.get(block.hash) ?? 0,
        best: this.isBest(block),
        parentLane: parent ? (this.lanes.get(parent.hash) ?? 0) : 0,
      };
    };
    const blocks = (this.atHeight[height] ?? []).map(laid).sort((a, b) => a.lane - b.lane);
    const up: UpEdge[] = [];
    for (const child of this.atHeight[height + 1] ?? []) {
      const { lane, parentLane, best } = laid(child);
      up.push({ fromLane: lane, toLane: parentLane, best });
    }
    const row = { height, blocks, up };
    this.rowCache.set(height, { stamp, row });
    return row;
  }

  private add(block: BlockView): void {
    this.byHash.set(block.hash, block);
    while (this.atHeight.length <= block.height) this.atHeight.push([]);
    this.atHeight[block.height]!.push(block);
    this.dirtyFrom = Math.min(this.dirtyFrom, block.height);
    this.touch(block.height);
    this.version++;
  }

  /** Makes `tip`'s branch the best chain, rewriting only the heights where it differs. */
  private walk(tip: string): void {
    this.walkedTip = tip;
    let block = this.byHash.get(tip);
    const height = block?.height ?? 0;
    for (let h = height + 1; h < this.bestAt.length; h++) {
      this.bestAt[h] = undefined;
      this.dirtyFrom = Math.min(this.dirtyFrom, h);
      this.touch(h);
    }
    this.bestAt.length = height + 1;
    while (block && this.bestAt[block.height] !== block.hash) {
      this.bestAt[block.height] = block.hash;
      this.dirtyFrom = Math.min(this.dirtyFrom, block.height);
      this.touch(block.height);
      block = this.byHash.get(block.prev);
    }
    this.version++;
  }

  /**
   * Lanes from `dirtyFrom` up: the best block in lane 0; a side block stays in its parent's lane
   * when that is free (so a branch draws straight), else takes the lowest free lane from 1.
   */
  private layLanes(): void {
    for (let height = this.dirtyFrom; height < this.atHeight.length; height++) {
      const row = this.atHeight[height]!;
      // Most heights hold one block, on the best chain: lane 0, nothing else to lay.
      if (row.length === 1 && this.isBest(row[0]!)) {
        if (this.lanes.get(row[0]!.hash) !== 0) {
          this.lanes.set(row[0]!.hash, 0);
          this.touch(height);
        }
        continue;
      }
      const used = new Set<number>();
      const assign = (block: BlockView, lane: number) => {
        used.add(lane);
        if (this.lanes.get(block.hash) !== lane) {
          this.lanes.set(block.hash, lane);
          this.touch(height);
        }
      };
      const side: BlockView[] = [];
      for (const block of row) {
        if (this.isBest(block)) assign(block, 0);
        else side.push(block);
      }
      // Branches already running keep their lane before new forks take one.
      const parentLane = (block: BlockView) => this.lanes.get(block.prev) ?? 0;
      side.sort((a, b) => Number(parentLane(b) > 0) - Number(parentLane(a) > 0));
      for (const block of side) {
        const wanted = parentLane(block);
        let lane = wanted > 0 && !used.has(wanted) ? wanted : 1;
        while (used.has(lane) && lane < MAX_LANES - 1) lane++;
        assign(block, lane);
        this.laneCount = Math.max(this.laneCount, lane + 1);
      }
    }
    this.dirtyFrom = Number.POSITIVE_INFINITY;
    this.version++;
  }

  /** Marks what `height` draws as changed: its row, and its neighbours (their edges meet it). */
  private touch(height: number): void {
    // Nothing drawn yet (a new index): no cached row can be stale.
    if (this.rowCache.size === 0) return;
    const stamp = ++this.stampCounter;
    for (let h = Math.max(0, height - 1); h <= height + 1; h++) this.stamps[h] = stamp;
  }
}
