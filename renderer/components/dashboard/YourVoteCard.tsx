import { useEffect, useState } from 'react';
import type { BallotRuleChoice, QuestionForm } from '../../../main/api/contract';
import { useAction, useRequested } from '../../lib/hooks';
import { describeSelections, sameSelections, selectionsProblem } from '../../lib/questions';
import { useApi, useDashboard } from '../../store';
import { BallotChoice, type BallotDraft, draftOfVote, voteOfDraft } from '../ui/BallotChoice';
import { Card } from '../ui/Card';
import { VoteChoice } from '../ui/VoteChoice';
import { PrivacyExplainer } from './Explainers';

/**
 * The voter's choice, first on a narrow screen: Yes, No or Abstain (or, for questions with choices,
 * the options of each question), changeable until voting ends and locked after, with how it stays
 * private.
 */
export function YourVoteCard() {
  const questions = useDashboard((state) => state.election?.questions);
  const question = useDashboard((state) => state.election?.question);
  const rule = useDashboard((state) => state.election?.ballotRule ?? 'per-block');
  const phase = useDashboard((state) => state.chain?.phase);
  // After the last voting block no ballot is counted any more: the choice is kept as it was.
  const over = phase === 'confirm' || phase === 'final';
  return (
    <Card title="Your vote" className="vote-card">
      {questions && questions.length > 0 ? (
        <QuestionsVote questions={questions} intro={question} rule={rule} over={over} />
      ) : (
        <YesNoVote question={question} rule={rule} over={over} />
      )}
      <PrivacyExplainer rule={rule} questions={questions !== undefined} />
    </Card>
  );
}

function YesNoVote({
  question,
  rule,
  over,
}: {
  question: string | undefined;
  rule: BallotRuleChoice;
  over: boolean;
}) {
  const api = useApi();
  const vote = useDashboard((state) => state.settings.vote);
  const voted = useRequested(vote, (value) => api.setVote(value));
  return (
    <>
      <VoteChoice
        legend={<span className="vote-question">{question}</span>}
        value={voted.value}
        onChange={voted.set}
        disabled={over}
        hint={
          over
            ? 'Voting has ended: your vote can no longer change.'
            : rule === 'per-voter'
              ? 'Your one ballot, cast when voting opens. Choosing again casts a new ballot that replaces the earlier one, until voting ends.'
              : 'Goes into each voting block your runner finds from now on; ballots already on the chain keep theirs. If you abstain, your runner sits the voting blocks out and mines the others.'
        }
      />
      <p className="error-text" role="status">
        {voted.error}
      </p>
    </>
  );
}

/**
 * Questions with choices: the answers are chosen here, then saved with one press (each save under
 * one vote per person casts a new ballot, so not one per tick). What is not valid yet is said, and
 * Save waits for it.
 */
function QuestionsVote({
  questions,
  intro,
  rule,
  over,
}: {
  questions: readonly QuestionForm[];
  intro: string | undefined;
  rule: BallotRuleChoice;
  over: boolean;
}) {
  const api = useApi();
  const vote = useDashboard((state) => state.settings.vote);
  const saved = draftOfVote(vote, questions.length);
  /** The person's changes not saved yet (undefined: none, the saved vote shows). */
  const [edited, setEdited] = useState<BallotDraft>();
  const draft = edited ?? saved;
  const wanted = voteOfDraft(draft);
  const unsaved = edited !== undefined && !sameSelections(wanted, voteOfDraft(saved));
  // The engine took the change (or the person went back to the saved vote): nothing left to save.
  useEffect(() => {
    if (edited && sameSelections(voteOfDraft(edited), voteOfDraft(draftOfVote(vote, questions.length))))
      setEdited(undefined);
  }, [edited, vote, questions.length]);
  const problem = draft.abstain ? undefined : selectionsProblem(questions, draft.selections);
  const save = useAction(async () => {
    await api.setVote(wanted);
  });
  const status = over
    ? 'Voting has ended: your vote can no longer change.'
    : save.error
      ? save.error
      : problem && unsaved
        ? `Not saved yet: ${questions.length > 1 ? `question ${problem.question + 1}: ` : ''}${lowerFirst(problem.problem)}`
        : unsaved
          ? 'Not saved yet: press Save my vote to use it.'
          : saved.abstain
            ? 'You abstain: no ballot is cast. Choose your answers and save them to vote.'
            : `Saved: ${describeSelections(questions, saved.selections)}.`;
  return (
    <form
      className="questions-vote"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!unsaved || problem || save.pending || over) return;
        void save.run();
      }}
    >
      <BallotChoice
        legend={<span className="vote-question">{intro}</span>}
        questions={questions}
        draft={draft}
        onChange={setEdited}
        disabled={over}
        hint={
          over
            ? undefined
            : rule === 'per-voter'
              ? 'Your one ballot, cast when voting opens. Saving again casts a new ballot that replaces the earlier one, until voting ends.'
              : 'Goes into each voting block your runner finds from now on; ballots already on the chain keep theirs. If you abstain, your runner sits the voting blocks out and mines the others.'
        }
      />
      {!over && (
        <div className="form-actions vote-actions">
          {/* aria-disabled, not disabled: the focus stays on it once saved (the status says so). */}
          <button
            type="submit"
            className="button primary"
            aria-disabled={!unsaved || problem !== undefined || save.pending}
          >
            {save.pending ? 'Saving…' : 'Save my vote'}
          </button>
          {unsaved && (
            <button type="button" className="button ghost" onClick={() => setEdited(undefined)}>
              Undo changes
            </button>
          )}
        </div>
      )}
      <p
        className={`vote-status${save.error ? ' error-text' : problem && unsaved ? ' warn-text' : ''}`}
        role="status"
      >
        {status}
      </p>
    </form>
  );
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
