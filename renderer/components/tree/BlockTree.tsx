import { type KeyboardEvent, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { BlockView } from '../../../main/api/contract';
import { formatCount, formatTime } from '../../lib/format';
import { scrollRowIntoView, useVirtualRows } from '../../lib/virtual';
import { useDashboard } from '../../store';
import type { TreeIndex } from '../../tree/tree-index';
import { useTreeIndex } from '../../tree/use-tree-index';
import { Card } from '../ui/Card';
import { BlockDetails } from './BlockDetails';
import { ROW_HEIGHT } from './geometry';
import { RenderMarks } from './RenderMarks';
import { TreeRowView } from './TreeRowView';

/** Rows that PageUp/PageDown move by. */
const PAGE = 10;

/**
 * Every block, newest first, one row per height: the best chain in the first lane, side branches
 * greyed in the lanes beside it. Virtualised: a fixed-height scroll area renders only the rows in
 * view (plus a margin, plus the row holding the keyboard focus), however tall the tree.
 */
export function BlockTree() {
  const index = useTreeIndex();
  const chain = useDashboard((state) => state.chain);
  const rowCount = index.maxHeight + 1;
  const { ref, first, last } = useVirtualRows(rowCount, ROW_HEIGHT);
  const [selected, setSelected] = useState<string>();
  /** The block holding the tree's one tab stop; the tip until the user moves it. */
  const [active, setActive] = useState<string>();
  const focusActive = useRef(false);

  // A new height appears on top. Someone reading further down keeps their place; someone at the
  // top sees the new block.
  const shownCount = useRef(rowCount);
  useLayoutEffect(() => {
    const element = ref.current;
    const added = rowCount - shownCount.current;
    shownCount.current = rowCount;
    if (element && added > 0 && element.scrollTop > 0) element.scrollTop += added * ROW_HEIGHT;
  }, [rowCount, ref]);

  const activeBlock =
    (active && index.block(active)) || (index.tipHash ? index.block(index.tipHash) : undefined);
  const selectedBlock = selected ? index.block(selected) : undefined;

  useEffect(() => {
    if (!focusActive.current || !activeBlock) return;
    focusActive.current = false;
    ref.current
      ?.querySelector<HTMLElement>(`[data-hash="${activeBlock.hash}"]`)
      ?.focus({ preventScroll: true });
  }, [activeBlock, ref]);

  const moveTo = useCallback(
    (block: BlockView, focus: boolean) => {
      setActive(block.hash);
      focusActive.current = focus;
      if (ref.current) scrollRowIntoView(ref.current, index.maxHeight - block.height, ROW_HEIGHT);
    },
    [index, ref],
  );
  const select = useCallback((hash: string) => {
    setSelected(hash);
    setActive(hash);
  }, []);
  const reveal = useCallback(
    (hash: string) => {
      const block = index.block(hash);
      if (!block) return;
      setSelected(hash);
      moveTo(block, true);
    },
    [index, moveTo],
  );

  const onKeyDown = (event: KeyboardEvent) => {
    if (!activeBlock) return;
    const target = keyTarget(index, activeBlock, event.key);
    if (target === null) return;
    event.preventDefault();
    if (target) moveTo(target, true);
  };

  const heights: number[] = [];
  for (let i = first; i <= last; i++) heights.push(index.maxHeight - i);
  if (activeBlock && !heights.includes(activeBlock.height)) heights.push(activeBlock.height);

  return (
    <Card
      title="Block tree"
      className="tree-card"
      actions={
        <span className="muted num">
          {formatCount(index.blockCount)} blocks · {formatCount(index.blockCount - (chain?.height ?? 0))} off
          the best chain{chain?.orphans ? ` · ${formatCount(chain.orphans)} awaiting their parent` : ''}
        </span>
      }
    >
      <div className="tree-legend" aria-hidden="true">
        <span className="legend-item">
          <span className="legend-node best" /> best chain
        </span>
        <span className="legend-item">
          <span className="legend-node side" /> side branch
        </span>
        {chain?.lastReorg && (
          <span className="muted">
            last reorg {formatTime(chain.lastReorg.at)}: {chain.lastReorg.replaced} block
            {chain.lastReorg.replaced === 1 ? '' : 's'} replaced from height{' '}
            {formatCount(chain.lastReorg.forkHeight)}
          </span>
        )}
      </div>
      {/* Keys reach it from the blocks inside (one is always tabbable); the list only listens. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: arrow keys bubble up from the block buttons */}
      <div className="vscroll tree-scroll" ref={ref} onKeyDown={onKeyDown}>
        <ul
          className="vspacer"
          aria-label={`Blocks by height, newest first: ${formatCount(index.maxHeight)} heights`}
          style={{ height: rowCount * ROW_HEIGHT }}
        >
          {heights.map((height) => (
            <TreeRowView
              key={height}
              row={index.row(height)}
              laneCount={index.laneCount}
              selected={selectedBlock?.height === height ? selected : undefined}
              active={activeBlock?.height === height ? activeBlock.hash : undefined}
              onSelect={select}
            />
          ))}
        </ul>
      </div>
      <BlockDetails
        block={selectedBlock}
        best={selectedBlock ? index.isBest(selectedBlock) : false}
        onReveal={reveal}
        onClose={() => setSelected(undefined)}
      />
      <RenderMarks blocks={index.blockCount} />
    </Card>
  );
}

/**
 * Where a key moves the focus from `from`: down to the parent, up to a child (the one in the
 * lowest lane, so the best chain is followed), left/right within the row, Home/End to the newest
 * and oldest heights. undefined: nowhere to go; null: not a key the tree handles.
 */
function keyTarget(index: TreeIndex, from: BlockView, key: string): BlockView | undefined | null {
  const inRow = (height: number, near?: BlockView) => {
    const row = index.row(Math.min(Math.max(height, 1), index.maxHeight));
    return (
      (near && row.blocks.find((b) => b.block.prev === near.hash)?.block) ??
      row.blocks.find((b) => b.best)?.block ??
      row.blocks[0]?.block
    );
  };
  const siblings = index.row(from.height).blocks;
  const position = siblings.findIndex((b) => b.block === from);
  switch (key) {
    case 'ArrowDown':
      return index.block(from.prev);
    case 'ArrowUp':
      return from.height < index.maxHeight ? inRow(from.height + 1, from) : undefined;
    case 'ArrowLeft':
      return siblings[position - 1]?.block;
    case 'ArrowRight':
      return siblings[position + 1]?.block;
    case 'PageDown':
      return inRow(from.height - PAGE);
    case 'PageUp':
      return inRow(from.height + PAGE);
    case 'Home':
      return inRow(index.maxHeight);
    case 'End':
      return inRow(1);
    default:
      return null;
  }
}
