import { memo } from 'react';
import { formatCount } from '../../lib/format';
import type { TreeRow } from '../../tree/tree-index';
import { BlockChip } from './BlockChip';
import { ROW_HEIGHT } from './geometry';
import { TreeGraph } from './TreeGraph';

/**
 * One height of the tree. Memoised: the index hands out the same row object until something in
 * it changes, and `selected`/`active` are set only on the row holding them, so a new block
 * re-renders its own row and its parent's, not the rest.
 */
export const TreeRowView = memo(function TreeRowView({
  row,
  laneCount,
  selected,
  active,
  onSelect,
}: {
  row: TreeRow;
  laneCount: number;
  selected: string | undefined;
  active: string | undefined;
  onSelect(hash: string): void;
}) {
  return (
    <li
      className={row.blocks.length > 1 ? 'tree-row vrow fork' : 'tree-row vrow'}
      // Placed from the bottom (height 0 is the last row): a new height on top moves no other row.
      style={{ transform: `translateY(${-row.height * ROW_HEIGHT}px)` }}
    >
      <span className="tree-height num">{formatCount(row.height)}</span>
      <TreeGraph row={row} laneCount={laneCount} selected={selected} />
      <div className="tree-blocks">
        {row.height === 0 ? (
          <span className="tree-genesis">genesis: the election’s parameters</span>
        ) : (
          row.blocks.map((laid) => (
            <BlockChip
              key={laid.block.hash}
              laid={laid}
              selected={laid.block.hash === selected}
              tabbable={laid.block.hash === active}
              onSelect={onSelect}
            />
          ))
        )}
      </div>
    </li>
  );
});
