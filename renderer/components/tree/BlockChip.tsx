import { shortHash } from '../../lib/format';
import type { LaidBlock } from '../../tree/tree-index';
import { KindBadge } from '../ui/KindBadge';

const KIND_WORDS = {
  tallier_key: 'tallier key',
  ceremony: 'key backups',
  ballot: 'ballot',
  ballots: 'voters’ ballots',
  confirmation: 'confirmation',
} as const;

/** One block in its row: a button that opens its details. Side-branch blocks are greyed. */
export function BlockChip({
  laid: { block, best },
  selected,
  tabbable,
  onSelect,
}: {
  laid: LaidBlock;
  selected: boolean;
  /** The tree has one tab stop (arrow keys move within it): this block, when true. */
  tabbable: boolean;
  onSelect(hash: string): void;
}) {
  const miner = block.miner || 'an unnamed runner';
  return (
    <button
      type="button"
      className={`block-chip ${best ? 'best' : 'side'}${selected ? ' selected' : ''}`}
      data-hash={block.hash}
      tabIndex={tabbable ? 0 : -1}
      aria-current={selected ? 'true' : undefined}
      aria-label={`Block ${block.height}${best ? '' : ', side branch'}: ${KIND_WORDS[block.kind]}, mined by ${miner}${block.mine ? ' (you)' : ''}, hash ${shortHash(block.hash)}`}
      onClick={() => onSelect(block.hash)}
    >
      <KindBadge kind={block.kind} />
      <span className="mono chip-hash">{shortHash(block.hash)}</span>
      <span className="chip-miner">{block.miner || '—'}</span>
      {block.mine && <span className="badge you">you</span>}
    </button>
  );
}
