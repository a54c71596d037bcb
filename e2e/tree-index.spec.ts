// The block tree's incremental index (renderer/tree/tree-index.ts), in Node: fed block by block,
// through forks and a reorg, it must lay out the tree exactly as an index built at once, and
// hand out the same row objects for the heights a new block does not touch (what lets the
// dashboard re-render two rows per block, not the tree).
import { expect, test } from '@playwright/test';
import type { BlockView } from '../main/api/contract';
import { TreeIndex } from '../renderer/tree/tree-index';
import { createSyntheticEngine } from './support/synthetic-engine';

/** The tree's drawing, row by row: what a fresh index and an incremental one must agree on. */
function layout(index: TreeIndex): unknown[] {
  const rows = [];
  for (let height = 0; height <= index.maxHeight; height++) {
    const row = index.row(height);
    rows.push({
      blocks: row.blocks.map((b) => [b.block.hash, b.lane, b.best, b.parentLane]),
      up: row.up.map((e) => [e.fromLane, e.toLane, e.best]),
    });
  }
  return rows;
}

function freshLayout(blocks: readonly BlockView[], tip: string): unknown[] {
  const index = new TreeIndex();
  index.update(blocks, tip);
  return layout(index);
}

test('fed one block at a time, lays the tree out as an index built at once', () => {
  const { state } = createSyntheticEngine({ blocks: 1500 }).snapshot();
  const incremental = new TreeIndex();
  let tip: BlockView | undefined;
  for (let n = 1; n <= state.blocks.length; n++) {
    const block = state.blocks[n - 1]!;
    // The longest branch wins; first seen on a tie, as the engine's rule.
    if (!tip || block.height > tip.height) tip = block;
    incremental.update(state.blocks.slice(0, n), tip.hash);
    // Read rows as the page would between blocks, so the row cache is exercised too.
    if (n % 97 === 0) layout(incremental);
  }
  expect(tip!.hash).toBe(state.chain!.tip);
  expect(layout(incremental)).toEqual(freshLayout(state.blocks, state.chain!.tip));
  expect(incremental.bestBallots()).toHaveLength(state.chain!.ballots);
});

test('a reorg moves the best chain to the longer branch and lays the lanes again', () => {
  const engine = createSyntheticEngine({ blocks: 400, heightsLeft: 20 });
  const { state } = engine.snapshot();
  const index = new TreeIndex();
  index.update(state.blocks, state.chain!.tip);
  layout(index);
  // A branch from 3 blocks below the tip that grows one longer than the best chain.
  const fork = index.bestBlock(state.chain!.height - 3)!;
  let parent = fork;
  const branch: BlockView[] = [];
  for (let i = 0; i < 4; i++) {
    parent = {
      ...parent,
      hash: `f${i}${parent.hash.slice(2)}`,
      prev: parent.hash,
      height: parent.height + 1,
    };
    branch.push(parent);
  }
  const blocks = [...state.blocks, ...branch];
  index.update(blocks, parent.hash);
  expect(index.isBest(parent)).toBe(true);
  expect(index.isBest(index.block(state.chain!.tip)!)).toBe(false);
  expect(index.row(state.chain!.height).blocks.find((b) => b.best)?.block.hash).toBe(branch[2]!.hash);
  expect(layout(index)).toEqual(freshLayout(blocks, parent.hash));
});

test('a new block on the tip changes only the rows it is drawn in', () => {
  const engine = createSyntheticEngine({ blocks: 600, heightsLeft: 20 });
  const before = engine.snapshot().state;
  const index = new TreeIndex();
  index.update(before.blocks, before.chain!.tip);
  const rows = Array.from({ length: index.maxHeight + 1 }, (_, height) => index.row(height));
  engine.addBlock();
  const after = engine.snapshot().state;
  index.update(after.blocks, after.chain!.tip);
  const changed = rows.flatMap((row, height) => (index.row(height) === row ? [] : [height]));
  // The old tip's row gains an edge up to the new block; at most its neighbour is re-stamped too.
  expect(changed.length).toBeLessThanOrEqual(2);
  expect(changed).toContain(before.chain!.height);
  expect(index.row(after.chain!.height).blocks[0]!.block.hash).toBe(after.chain!.tip);
});
