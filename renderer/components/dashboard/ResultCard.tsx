import { useId } from 'react';
import type { ChoicesResultView, PeerView, ResultView } from '../../../main/api/contract';
import { downloadFile } from '../../lib/browser';
import { formatCount, formatTime, percent, shortHash } from '../../lib/format';
import { useAction } from '../../lib/hooks';
import { isOnline, listInWords, tallierInWords, waitingSentence } from '../../lib/waits';
import { useApi, useDashboard } from '../../store';
import { Card } from '../ui/Card';
import { ProgressBar } from '../ui/ProgressBar';
import { VerifiedExplainer } from './Explainers';

/**
 * The tally once the chain is final, each tallier's decryption factor, and the independent
 * verifier's verdict: "Verified" only when it re-checked the whole record and found it right.
 */
export function ResultCard() {
  const api = useApi();
  const result = useDashboard((state) => state.result);
  const phase = useDashboard((state) => state.chain?.phase);
  const finalHeight = useDashboard((state) => state.election?.finalHeight ?? 0);
  const height = useDashboard((state) => state.chain?.height ?? 0);
  const peers = useDashboard((state) => state.peers);
  const exportRecord = useAction(async () => {
    const file = await api.exportRecord();
    downloadFile(file.fileName, file.json);
  });

  if (phase !== 'final' || !result) {
    const left = Math.max(0, finalHeight - height);
    const reachable = result?.talliers.filter((t) => isOnline(t, peers)).length ?? 0;
    const needed = result?.quorum ?? result?.talliers.length ?? 0;
    return (
      <Card title="Result" className="result-card pending">
        <p className="empty">
          The ballots are counted when the chain reaches height {formatCount(finalHeight)} —{' '}
          {formatCount(left)} block{left === 1 ? '' : 's'} from now. Only the total is decrypted: no single
          vote is seen unless{' '}
          {result?.quorum === undefined
            ? 'every tallier conspires'
            : `${result.quorum} of the talliers conspire`}
          .
        </p>
        {result && result.talliers.length > 0 && reachable < needed && (
          <p className="warn-text" role="status">
            Only {formatCount(reachable)} of the {formatCount(result.talliers.length)} talliers are online
            now; the result needs {result.quorum === undefined ? 'every one of them' : formatCount(needed)}.
          </p>
        )}
        {result && result.talliers.length > 0 && (
          <Talliers peers={peers} talliers={result.talliers} stage="before" quorum={result.quorum} />
        )}
        {result?.myTallier && <MyTallier myTallier={result.myTallier} />}
        <VerifiedExplainer />
      </Card>
    );
  }

  return (
    <Card
      title="Result"
      className="result-card"
      actions={<Verification verification={result.verification} />}
    >
      {result.result && 'questions' in result.result ? (
        <ChoicesTally
          result={result.result}
          turnout={
            result.voters !== undefined ? { ballots: result.ballots, voters: result.voters } : undefined
          }
        />
      ) : result.result ? (
        <Tally
          {...result.result}
          turnout={
            result.voters !== undefined ? { ballots: result.ballots, voters: result.voters } : undefined
          }
        />
      ) : (
        <p className="empty waiting" role="status">
          {waitingSentence(result, peers) ??
            (result.seal ? 'Decrypting the tally…' : 'The talliers are agreeing on the final block.')}
        </p>
      )}
      <Finality result={result} />
      <Talliers
        peers={peers}
        talliers={result.talliers}
        stage={result.seal === undefined ? 'accepting' : 'decrypting'}
        quorum={result.quorum}
      />
      {/* Verified: the tally above says it all; otherwise the verifier's reason. */}
      {result.verification.status !== 'verified' && result.verification.message && (
        <p className="verification-message">{result.verification.message}</p>
      )}
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={exportRecord.pending}
          onClick={() => exportRecord.run()}
        >
          {result.verification.status === 'verified' ? 'Export election record' : 'Export the record so far'}
        </button>
        <span className="error-text" role="status">
          {exportRecord.error}
        </span>
      </div>
      {result.verification.status !== 'verified' && (
        <p className="field-hint export-note">
          Not verified yet: a record exported now may be incomplete (a tallier’s part of the result may still
          be missing), and checking it will say so.
        </p>
      )}
      <VerifiedExplainer />
    </Card>
  );
}

function Tally({
  yes,
  no,
  total,
  turnout,
}: {
  yes: number;
  no: number;
  total: number;
  /** Per-voter: the ballots counted (one per voter who cast) of the registered voters. */
  turnout: { ballots: number; voters: number } | undefined;
}) {
  const rows = [
    // One neutral colour: a vote is neither good nor bad.
    { label: 'Yes', value: yes, tone: 'accent' as const },
    { label: 'No', value: no, tone: 'accent' as const },
  ];
  return (
    <div className="tally">
      {rows.map((row) => (
        <div key={row.label} className="tally-row">
          <span className="tally-label">{row.label}</span>
          <ProgressBar value={row.value} max={total} label={`${row.label} votes`} tone={row.tone} />
          <span className="tally-value num">
            <strong>{formatCount(row.value)}</strong>{' '}
            <span className="muted">{percent(row.value, total).toFixed(1)}%</span>
          </span>
        </div>
      ))}
      <div className="tally-total">
        <span>{formatCount(total)} ballots counted</span>
        {total > 0 && (
          <strong className="tally-verdict">{yes > no ? 'Yes wins' : no > yes ? 'No wins' : 'A tie'}</strong>
        )}
      </div>
      {turnout && (
        <p className="turnout">
          {formatCount(turnout.ballots)} of {formatCount(turnout.voters)} registered voter
          {turnout.voters === 1 ? '' : 's'} cast a ballot.
        </p>
      )}
    </div>
  );
}

/**
 * Questions with choices: per question, a bar per option (its count and its share of the ballots,
 * in ballot order), the winners marked with ✓ and the words "elected"/"wins" (not by colour
 * alone), and the outcome in words, ties stated as the engine states them.
 */
function ChoicesTally({
  result,
  turnout,
}: {
  result: ChoicesResultView;
  turnout: { ballots: number; voters: number } | undefined;
}) {
  const { total } = result;
  const id = useId();
  // A ballot may choose several options of a question: the shares then add up to more than 100 %.
  const several = useDashboard((state) => state.election?.questions?.some((q) => q.max > 1) ?? true);
  return (
    <div className="tally choices-tally">
      {result.questions.map((question, q) => {
        const headingId = `${id}-${q}`;
        const winner = question.seats > 1 ? 'elected' : 'wins';
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: a question is its place on the ballot
          <section key={q} className="question-result" aria-labelledby={headingId}>
            <h3 id={headingId}>
              {result.questions.length > 1 && <span className="question-number">{q + 1}.</span>}
              {result.questions.length > 1 && ' '}
              {question.question}
            </h3>
            <p className="question-outcome">
              <span className="muted">
                {question.seats > 1 ? `Elects ${formatCount(question.seats)}: ` : 'Outcome: '}
              </span>
              <strong>{capitalize(question.outcome)}</strong>
            </p>
            <ul className="option-results">
              {question.options.map((option) => (
                <li
                  key={option.label}
                  className={`option-result${option.winner ? ' winner' : ''}${option.tied ? ' tied' : ''}`}
                >
                  <span className="option-label">
                    <span className="option-name">{option.label}</span>
                    {option.winner && <span className="badge ok option-verdict">✓ {winner}</span>}
                    {/* Tied across the last seat: none of them wins it (the outcome says so). */}
                    {!option.winner && option.tied && option.count > 0 && option.rank <= question.seats && (
                      <span className="badge warn option-verdict">tied</span>
                    )}
                  </span>
                  <ProgressBar
                    value={option.count}
                    max={total}
                    label={`${option.label}: ${option.count} of ${total} ballots`}
                  />
                  <span className="tally-value num">
                    <strong>{formatCount(option.count)}</strong>{' '}
                    <span className="muted">{percent(option.count, total).toFixed(1)}%</span>
                  </span>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      <div className="tally-total">
        <span>{formatCount(total)} ballots counted</span>
      </div>
      {several && (
        <p className="field-hint">Each share is of the ballots: a ballot may choose several options.</p>
      )}
      {turnout && (
        <p className="turnout">
          {formatCount(turnout.ballots)} of {formatCount(turnout.voters)} registered voter
          {turnout.voters === 1 ? '' : 's'} cast a ballot.
        </p>
      )}
    </div>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Why this result cannot change: the final block every tallier accepted (the seal), branches that
 * arrived after it and were kept out, and what this runner's own tallier key decrypted.
 */
function Finality({ result }: { result: ResultView }) {
  const { seal, lateBranches, myTallier } = result;
  if (!seal && lateBranches.length === 0 && !myTallier) return null;
  return (
    <div className="finality">
      {seal && (
        <p className="sealed">
          <span className="badge ok">final</span> Block {formatCount(seal.height)}{' '}
          <code className="mono">{shortHash(seal.final)}</code> was accepted by{' '}
          {result.sealQuorum === undefined
            ? 'every tallier'
            : `at least ${result.sealQuorum} of the talliers`}
          {seal.round > 1 ? ` (in round ${seal.round})` : ''}. No branch released later can change this
          result.
        </p>
      )}
      {lateBranches.map((b) => (
        <p key={`${b.forkHeight}-${b.height}-${b.lastSeen}`} className="late-branch" role="note">
          <span className="badge warn">kept out</span> A branch that arrived after the result (
          {formatCount(b.blocks)} block{b.blocks === 1 ? '' : 's'}, forked at height{' '}
          {formatCount(b.forkHeight)}, last at {formatTime(b.lastSeen)}) was ignored.
        </p>
      ))}
      {myTallier && <MyTallier myTallier={myTallier} />}
    </div>
  );
}

/**
 * What this runner's own tallier key did, refuses, still has to send, or why it was left out.
 */
function MyTallier({ myTallier }: { myTallier: NonNullable<ResultView['myTallier']> }) {
  return (
    <>
      {myTallier.decrypted && (
        <p className="my-tallier">
          Your tallier key decrypted the tally of block{' '}
          <code className="mono">{shortHash(myTallier.decrypted)}</code> and will never decrypt another.
        </p>
      )}
      {myTallier.refusal && (
        <p className="error-text" role="alert">
          {myTallier.refusal}
        </p>
      )}
      {myTallier.leftOut && (
        <p className="my-tallier owes" role="status">
          Your tallier key was left out of the election key: {myTallier.leftOut}. The others decrypt without
          it; your vote counts as any other.
        </p>
      )}
      {myTallier.owes && (
        <p className="my-tallier owes">Still to come from your tallier key: {listInWords(myTallier.owes)}.</p>
      )}
    </>
  );
}

/**
 * `stage`: before the final block (who the talliers are), accepting it (each one's acceptance), or
 * decrypting (each one's factor). `quorum`: threshold talliers: any that many of them decrypt.
 */
function Talliers({
  talliers,
  peers,
  stage,
  quorum,
}: {
  talliers: ResultView['talliers'];
  peers: readonly PeerView[];
  stage: 'before' | 'accepting' | 'decrypting';
  quorum?: number | undefined;
}) {
  return (
    <div className="talliers">
      <h3>
        Talliers
        {quorum !== undefined && (
          <span className="muted">
            {' '}
            · any {quorum} of {talliers.length} decrypt
          </span>
        )}
      </h3>
      <ul>
        {talliers.map((t) => (
          <li key={t.key}>
            {!t.mine && <span className="tallier-name">{tallierInWords(t, peers)}</span>}
            <code className="mono">{t.key}</code>
            {t.mine && <span className="badge you">you</span>}
            {stage === 'accepting' &&
              (t.accepted ? (
                <span className="badge ok">accepted ✓</span>
              ) : (
                <span className="badge muted">not accepted yet</span>
              ))}
            {stage === 'decrypting' &&
              (t.factor === 'verified' ? (
                <span className="badge ok">verified ✓</span>
              ) : t.factor === 'stood-in' ? (
                <span
                  className="badge ok"
                  title="The other talliers decrypted its part from their backup pieces."
                >
                  covered by the others ✓
                </span>
              ) : (
                <span className="badge muted">awaited</span>
              ))}
          </li>
        ))}
      </ul>
    </div>
  );
}

const VERIFICATION = {
  idle: ['muted', 'Not verified yet'],
  running: ['warn', 'Verifying…'],
  verified: ['ok', 'Verified ✓'],
  incomplete: ['warn', 'Incomplete'],
  invalid: ['bad', 'Invalid'],
} as const;

function Verification({ verification }: { verification: ResultView['verification'] }) {
  const [tone, label] = VERIFICATION[verification.status];
  return (
    <span className={`badge large ${tone}`} title={verification.message}>
      {label}
    </span>
  );
}
