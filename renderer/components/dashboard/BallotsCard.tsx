import { memo } from 'react';
import type { BlockView, ResultView } from '../../../main/api/contract';
import { formatCount, shortHash } from '../../lib/format';
import { useVirtualRows } from '../../lib/virtual';
import { useDashboard } from '../../store';
import type { TreeIndex } from '../../tree/tree-index';
import { useTreeIndex } from '../../tree/use-tree-index';
import { Card } from '../ui/Card';

const ROW_HEIGHT = 34;

/**
 * Every ballot on the best chain, newest first (virtualised: an election may hold thousands).
 * A ballot's proof is checked when its block arrives, or the block is refused; "re-verified"
 * once the independent verifier has re-checked the whole record up to the current tip.
 */
export function BallotsCard() {
  const index = useTreeIndex();
  const ballots = index.bestBallots();
  const verification = useDashboard((state) => state.result?.verification);
  const reverifiedUpTo = verifiedHeight(index, verification);
  const { ref, first, last } = useVirtualRows<HTMLElement>(ballots.length, ROW_HEIGHT);
  // Per-voter blocks carry several voters' ballots each ('ballots', with casts).
  const casts = ballots.reduce((sum, b) => sum + (b.kind === 'ballots' ? (b.casts ?? 0) : 1), 0);
  const rows = [];
  // Row i from the top shows the i-th newest ballot. Rows are keyed by block and placed from the
  // bottom, so a new ballot adds a row and moves none (the others only renumber for screen readers).
  for (let i = first; i <= last; i++) {
    const position = ballots.length - 1 - i;
    const block = ballots[position]!;
    rows.push(
      <BallotRow
        key={block.hash}
        position={position}
        rowIndex={i + 2}
        block={block}
        reverified={block.height <= reverifiedUpTo}
      />,
    );
  }
  return (
    <Card
      title="Ballots"
      className="ballots-card"
      actions={
        <span className="muted num">
          {casts === ballots.length
            ? `${formatCount(ballots.length)} on the best chain`
            : `${formatCount(casts)} cast in ${formatCount(ballots.length)} blocks of the best chain`}
        </span>
      }
    >
      {ballots.length === 0 ? (
        <p className="empty">No ballots yet: they are mined in the voting phase.</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        <section className="vscroll ballots-scroll" ref={ref} tabIndex={0} aria-label="Ballots">
          <table className="vtable" aria-rowcount={ballots.length + 1}>
            <thead>
              <tr className="ballot-row vtable-head" aria-rowindex={1}>
                <th scope="col">Height</th>
                <th scope="col">Block</th>
                <th scope="col">Miner</th>
                <th scope="col">Ballot</th>
                <th scope="col">Proof checked</th>
              </tr>
            </thead>
            <tbody className="vspacer" style={{ height: ballots.length * ROW_HEIGHT }}>
              {rows}
            </tbody>
          </table>
        </section>
      )}
    </Card>
  );
}

/** The height up to which the verifier re-checked the best chain (0: not verified). */
function verifiedHeight(index: TreeIndex, verification: ResultView['verification'] | undefined): number {
  if (verification?.status !== 'verified') return 0;
  if (verification.tip === undefined) return Number.POSITIVE_INFINITY;
  const tip = index.block(verification.tip);
  return tip && index.isBest(tip) ? tip.height : 0;
}

const BallotRow = memo(function BallotRow({
  position,
  rowIndex,
  block,
  reverified,
}: {
  /** 0 for the oldest ballot. */
  position: number;
  /** For assistive technology: 1 is the header row, 2 the newest ballot. */
  rowIndex: number;
  block: BlockView;
  reverified: boolean;
}) {
  return (
    <tr
      className="ballot-row vrow"
      aria-rowindex={rowIndex}
      style={{ transform: `translateY(${-position * ROW_HEIGHT}px)` }}
    >
      <td className="num">{formatCount(block.height)}</td>
      <td className="mono" title={block.hash}>
        {shortHash(block.hash)}
      </td>
      <td className="ellipsis">
        {block.miner || <span className="muted">unnamed</span>}
        {block.mine && <span className="badge you">you</span>}
      </td>
      <td className={block.kind === 'ballots' ? undefined : 'mono'}>
        {block.kind === 'ballots' ? `${block.casts} cast` : block.ballot}
      </td>
      <td className="proof">
        <span
          className="badge ok"
          title="The proof that the ballot is 0 or 1 was verified when the block arrived"
        >
          ✓ on arrival
        </span>
        {reverified && (
          <span className="badge ok" title="Re-checked with the whole record by the independent verifier">
            ✓ re-verified
          </span>
        )}
      </td>
    </tr>
  );
});
