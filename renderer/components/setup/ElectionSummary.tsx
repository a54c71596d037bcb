import type { ElectionView, QuestionForm } from '../../../main/api/contract';
import { formatCount, formatDateTime, formatWork, groupHex } from '../../lib/format';
import { ruleInWords, ruleOf } from '../../lib/questions';
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
        <QuestionsFacts questions={election.questions} />
        <dt>Votes</dt>
        <dd>
          {ruleSentence(election.ballotRule)}
          {election.voters !== undefined && ` ${formatCount(election.voters)} registered voters.`}
        </dd>
        <dt>Key holders</dt>
        <dd>{formatCount(election.nTalliers)}</dd>
        <dt>Blocks</dt>
        <dd>
          {formatCount(election.nTalliersBlocks)} to choose the key holders,{' '}
          {formatCount(election.nVoteBlocks)} for voting, {formatCount(election.confirmations)} after voting:{' '}
          {formatCount(election.finalHeight)} in all
        </dd>
        <dt>Work per block</dt>
        <dd>{election.expectedHashes === 1 ? 'one try' : `${formatWork(election.expectedHashes)} tries`}</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(election.createdAt * 1000)}</dd>
      </dl>
    </div>
  );
}

/** The questions with choices an election asks, as facts of its summary: each with its rule in words. */
export function QuestionsFacts({ questions }: { questions: readonly QuestionForm[] | undefined }) {
  if (!questions || questions.length === 0) return null;
  return (
    <>
      <dt>Questions</dt>
      <dd>
        <ol className="questions-summary">
          {questions.map((q, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a question is its place on the ballot
            <li key={i}>
              {q.question} <span className="muted">({ruleInWords(ruleOf(q))})</span>
            </li>
          ))}
        </ol>
      </dd>
    </>
  );
}
