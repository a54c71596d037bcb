import { useRef, useState } from 'react';
import type { BallotRuleChoice, QuestionForm, ReceiptView } from '../../../main/api/contract';
import { formatCount, groupHex } from '../../lib/format';
import { chosenLabels, isSelections } from '../../lib/questions';
import { useDashboard } from '../../store';
import { Card } from '../ui/Card';
import { CopyButton } from '../ui/CopyButton';

/** Receipts shown before "Show all": a per-block runner may hold hundreds. */
const FIRST = 4;

/** The first 16 hex digits of a tracker, in groups of 4: what a person reads and compares. */
export function shortTracker(tracker: string): string {
  return groupHex(tracker.slice(0, 16), 4);
}

/** Where a ballot stands, in words. */
export function receiptState(receipt: ReceiptView, rule: BallotRuleChoice): string {
  switch (receipt.state) {
    case 'sent':
      return 'sent — waiting for a block';
    case 'counted':
      return receipt.height !== undefined ? `counted in block ${formatCount(receipt.height)} ✓` : 'counted ✓';
    case 'replaced':
      return 'replaced by your later ballot';
    case 'displaced':
      return rule === 'per-voter'
        ? 'its block left the best chain — sent again'
        : 'its block left the best chain — not counted';
  }
}

/**
 * This runner's own ballots (per-voter: its casts; per-block: those of the blocks it mined), each
 * by its tracker, with where it stands, and how to check it in the published record.
 */
export function ReceiptsCard() {
  const receipts = useDashboard((state) => state.receipts);
  const rule = useDashboard((state) => state.election?.ballotRule ?? 'per-block');
  const vote = useDashboard((state) => state.settings.vote);
  const phase = useDashboard((state) => state.chain?.phase);
  const questions = useDashboard((state) => state.election?.questions);
  const [all, setAll] = useState(false);
  const newestFirst = [...(receipts ?? [])].reverse();
  const latest = newestFirst[0];
  const shown = all ? newestFirst : newestFirst.slice(0, FIRST);
  // The one a person checks: the counted one if any (per-voter: the one that counts).
  const example = newestFirst.find((r) => r.state === 'counted') ?? latest;
  return (
    <Card
      title={rule === 'per-block' && newestFirst.length > 1 ? 'Your ballots' : 'Your ballot'}
      className="receipts-card"
      actions={
        rule === 'per-block' && newestFirst.length > 1 ? (
          <span className="muted num">{formatCount(newestFirst.length)}</span>
        ) : undefined
      }
    >
      {latest ? (
        <>
          {/* The newest ballot's state, announced as it changes (sent → counted…). */}
          <p className="sr-only" role="status">
            Your latest ballot: {receiptState(latest, rule)}
          </p>
          <ul className="receipts">
            {shown.map((r) => (
              <Receipt key={r.tracker} receipt={r} rule={rule} questions={questions} />
            ))}
          </ul>
          {newestFirst.length > FIRST && (
            <button type="button" className="link receipts-more" onClick={() => setAll(!all)}>
              {all ? 'Show the latest only' : `Show all ${formatCount(newestFirst.length)}`}
            </button>
          )}
          {example && (
            <p className="field-hint receipts-hint">
              Check it in the published record:{' '}
              <code className="mono receipts-command">
                onion-election verify record.json --tracker {example.tracker.slice(0, 16)}
              </code>
            </p>
          )}
        </>
      ) : (
        <p className="empty">
          {vote === null
            ? `You abstain: no ballot is cast. ${questions ? 'Choose your answers' : 'Choose Yes or No'} under Your vote to cast one.`
            : rule === 'per-voter'
              ? phase === 'key' || phase === undefined
                ? 'Your ballot is cast when voting opens, with your vote as chosen under Your vote.'
                : 'Your ballot is on its way: its receipt appears here.'
              : 'Each ballot block you mine carries your ballot: its receipt appears here.'}
        </p>
      )}
    </Card>
  );
}

function Receipt({
  receipt,
  rule,
  questions,
}: {
  receipt: ReceiptView;
  rule: BallotRuleChoice;
  questions: readonly QuestionForm[] | undefined;
}) {
  const full = useRef<HTMLElement>(null);
  const vote = receipt.vote;
  return (
    <li className={`receipt receipt-${receipt.state}`}>
      <span className="receipt-tracker">
        <code className="mono" title={receipt.tracker}>
          {shortTracker(receipt.tracker)}
        </code>
        {/* Selected for Ctrl+C where the clipboard is refused: the whole tracker, not the digits shown. */}
        <span className="sr-only" ref={full}>
          {receipt.tracker}
        </span>
        <CopyButton text={receipt.tracker} shown={full} label="Copy the full tracker" />
      </span>
      {isSelections(vote) ? (
        <ReceiptChoices questions={questions} selections={vote} />
      ) : (
        <span
          className={`receipt-vote vote-${vote ?? 'unknown'}`}
          title={vote ? undefined : 'Mined before this runner last started: the vote was not kept'}
        >
          {vote === 'yes' ? 'Yes' : vote === 'no' ? 'No' : 'vote not known'}
        </span>
      )}
      <span className="receipt-state">{receiptState(receipt, rule)}</span>
    </li>
  );
}

/** A ballot of answers: per question, the labels chosen (its question named when there are several). */
function ReceiptChoices({
  questions,
  selections,
}: {
  questions: readonly QuestionForm[] | undefined;
  selections: readonly (readonly number[])[];
}) {
  if (selections.length === 1)
    return (
      <span className="receipt-vote receipt-choices">
        <span className="sr-only">{questions?.[0]?.question ?? 'Your answer'}: </span>
        {chosenLabels(questions?.[0], selections[0]!)}
      </span>
    );
  return (
    <ul className="receipt-vote receipt-choices" aria-label="Your answers">
      {selections.map((chosen, q) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: an answer is its question's place
        <li key={q}>
          <span className="receipt-question">{questions?.[q]?.question ?? `Question ${q + 1}`}</span>{' '}
          <span className={chosen.length === 0 ? 'muted' : undefined}>
            {chosenLabels(questions?.[q], chosen)}
          </span>
        </li>
      ))}
    </ul>
  );
}
