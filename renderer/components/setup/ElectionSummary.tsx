import type { ElectionView } from '../../../main/api/contract';
import { formatCount, formatDateTime, formatWork, groupHex } from '../../lib/format';
import { ruleSentence } from '../../lib/rules';

/** An election's question and rules, as a participant checks them before joining. */
export function ElectionSummary({ election }: { election: ElectionView }) {
  return (
    <div className="election-summary">
      <h3>{election.title}</h3>
      <p className="question">{election.question}</p>
      <dl className="facts">
        <dt>Election id</dt>
        <dd className="mono id-grouped">{groupHex(election.id)}</dd>
        <dt>Votes</dt>
        <dd>
          {ruleSentence(election.ballotRule)}
          {election.voters !== undefined && ` ${formatCount(election.voters)} registered voters.`}
        </dd>
        <dt>Talliers</dt>
        <dd>{election.nTalliers}</dd>
        <dt>Blocks</dt>
        <dd>
          {formatCount(election.nTalliersBlocks)} key · {formatCount(election.nVoteBlocks)} vote ·{' '}
          {formatCount(election.confirmations)} confirmation{election.confirmations === 1 ? '' : 's'} (final
          at height {formatCount(election.finalHeight)})
        </dd>
        <dt>Work per block</dt>
        <dd>{formatWork(election.expectedHashes)} hashes</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(election.createdAt * 1000)}</dd>
      </dl>
    </div>
  );
}
