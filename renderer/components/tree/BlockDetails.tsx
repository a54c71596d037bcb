import type { BlockView } from '../../../main/api/contract';
import { formatCount, formatDateTime } from '../../lib/format';
import { KindBadge } from '../ui/KindBadge';

/** The selected block in full; a one-line hint until a block is chosen. */
export function BlockDetails({
  block,
  best,
  onReveal,
  onClose,
}: {
  block: BlockView | undefined;
  best: boolean;
  onReveal(hash: string): void;
  onClose(): void;
}) {
  if (!block) {
    return (
      <p className="block-details-hint muted">
        Select a block (click it, or press Enter on it) to see its details. Arrow keys move through the tree.
      </p>
    );
  }
  const payload =
    block.kind === 'tallier_key'
      ? ['Tallier key', block.key]
      : block.kind === 'ballot'
        ? ['Ballot', block.ballot]
        : block.kind === 'ballots'
          ? [
              'Ballots',
              `${block.casts ?? 0} cast by voters${block.casts ? ', each checked on arrival' : ' (an empty voting block)'}`,
            ]
          : ['Payload', 'none: a confirmation block only adds work on top of the ballots'];
  return (
    <section className="block-details" aria-labelledby="block-details-title">
      <div className="block-details-head">
        <h3 id="block-details-title">
          Block {formatCount(block.height)} <KindBadge kind={block.kind} />
          <span className={best ? 'badge accent' : 'badge muted'}>{best ? 'best chain' : 'side branch'}</span>
          {block.mine && <span className="badge you">you</span>}
        </h3>
        <button type="button" className="button small ghost" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="facts">
        <dt>Hash</dt>
        <dd className="mono break">{block.hash}</dd>
        <dt>Parent</dt>
        <dd>
          {block.height === 1 ? (
            'the genesis (the election’s parameters)'
          ) : (
            <button type="button" className="link mono break" onClick={() => onReveal(block.prev)}>
              {block.prev}
            </button>
          )}
        </dd>
        <dt>Miner</dt>
        <dd>{block.miner || <span className="muted">unnamed</span>}</dd>
        <dt>Timestamp</dt>
        <dd>
          {formatDateTime(block.timestamp * 1000)} <span className="muted">(the miner’s clock)</span>
        </dd>
        <dt>Received</dt>
        <dd>{formatDateTime(block.receivedAt)}</dd>
        <dt>{payload[0]}</dt>
        <dd className={block.kind === 'confirmation' ? undefined : 'mono'}>{payload[1]}</dd>
      </dl>
    </section>
  );
}
