import { type ClipboardEvent, type FormEvent, useEffect, useRef, useState } from 'react';
import type { JoinPreview, QuestionForm, VoteChoice as Vote } from '../../../main/api/contract';
import { errorMessage, explainError, fieldMessage } from '../../lib/errors';
import { formatCount } from '../../lib/format';
import { useAction } from '../../lib/hooks';
import { selectionsProblem } from '../../lib/questions';
import { ruleSentence, voteHint } from '../../lib/rules';
import { lookupWait } from '../../lib/tor-words';
import { checkName, readInvitation } from '../../lib/validate';
import { useApi, useDashboard } from '../../store';
import { BallotChoice, type BallotDraft, voteOfDraft } from '../ui/BallotChoice';
import { Field } from '../ui/Field';
import { VoteChoice } from '../ui/VoteChoice';
import { ElectionSummary, QuestionsFacts } from './ElectionSummary';
import { formField } from './form-field';

/** What a look-up found: the text looked up, what it named, and the engine's answer. */
interface Found {
  readonly text: string;
  /** The election id the invitation named, if it named one (the engine checked it). */
  readonly invitedId: string | undefined;
  readonly preview: JoinPreview;
}

/**
 * Joining takes two steps: look the invitation (or address) up and show what it leads to, then
 * ask to join that lobby, or join exactly that running election (the engine refuses if the peer
 * serves another by then). A pasted invitation is looked up at once.
 */
/** `invitation`: a link the app was opened with (the desktop app), filled in and looked up at once. */
export function JoinElection({ invitation }: { invitation?: string } = {}) {
  const api = useApi();
  const [peer, setPeer] = useState(invitation ?? '');
  const [peerTouched, setPeerTouched] = useState(false);
  const [found, setFound] = useState<Found>();
  const [lookupError, setLookupError] = useState<string>();
  // Nothing chosen for the person: the vote (Yes, No or Abstain) and the name are theirs to give.
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [vote, setVote] = useState<Vote | null>();
  /** Questions with choices: the answers chosen so far (undefined: none yet, nothing chosen for the person). */
  const [ballot, setBallot] = useState<BallotDraft>();
  const [joinError, setJoinError] = useState<{ field: 'name' | 'peer' | undefined; error: string }>();
  /** The text in the field now: an answer for an older text is dropped. */
  const current = useRef(peer);
  current.current = peer;

  const read = readInvitation(peer);
  const peerProblem = 'problem' in read ? read.problem : undefined;
  const nameProblem = checkName(name);
  /** A failure to reach the peer in one sentence; the engine's words go behind "details". */
  const lookupProblem = lookupError === undefined ? undefined : explainError(lookupError);

  const lookup = useAction(async (text: string) => {
    const invitation = readInvitation(text);
    try {
      const preview = await api.previewJoin(text);
      if (current.current.trim() !== text) return;
      setFound({ text, invitedId: 'problem' in invitation ? undefined : invitation.electionId, preview });
    } catch (error) {
      // Cancelled by the user: nothing went wrong, nothing to say.
      if (errorMessage(error) === LOOKUP_CANCELLED) return;
      if (current.current.trim() === text) setLookupError(fieldMessage(error));
    }
  });
  const cancelLookup = useAction(() => api.cancel());
  const tor = useDashboard((state) => state.tor);
  const join = useAction(async (preview: JoinPreview, vote: Vote | null) => {
    try {
      // A lobby has no election yet (''); a running election is joined by the id shown.
      const electionId = preview.kind === 'election' ? preview.election.id : '';
      await api.joinElection({ peer: preview.address, electionId, name, vote });
    } catch (error) {
      const field = formField(error, { name, peer });
      // Beside the name field its name goes without saying; elsewhere the message keeps it.
      setJoinError({ field, error: field === 'name' ? fieldMessage(error) : errorMessage(error) });
    }
  });

  const change = (text: string) => {
    setPeer(text);
    setPeerTouched(true);
    setFound(undefined);
    setLookupError(undefined);
    setJoinError(undefined);
    setBallot(undefined);
  };
  const startLookup = (text: string) => {
    setLookupError(undefined);
    setFound(undefined);
    void lookup.run(text);
  };
  // A link the app was opened with: looked up as if pasted (and again for each new link).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new link starts a lookup
  useEffect(() => {
    if (!invitation) return;
    change(invitation);
    current.current = invitation;
    if (!('problem' in readInvitation(invitation))) startLookup(invitation.trim());
  }, [invitation]);
  const submitLookup = (event: FormEvent) => {
    event.preventDefault();
    setPeerTouched(true);
    if (peerProblem || lookup.pending) return;
    startLookup(peer.trim());
  };
  // A link pasted into the empty (or wholly selected) field: filled in, and looked up at once.
  const paste = (event: ClipboardEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    if (!whole) return;
    const text = event.clipboardData.getData('text').trim();
    if (text === '') return;
    event.preventDefault();
    change(text);
    current.current = text;
    if (!('problem' in readInvitation(text)) && !lookup.pending) startLookup(text);
  };

  const preview = found?.preview;
  /** Whoever joins can vote (not so in a per-voter election already started). */
  const voting = preview !== undefined && canVote(preview);
  const questions = preview ? questionsOf(preview) : undefined;
  /** Questions with choices: why the answers cannot be sent yet, if so. */
  const ballotProblem =
    questions === undefined || ballot === undefined || ballot.abstain
      ? undefined
      : selectionsProblem(questions, ballot.selections);
  const voteMissing = voting && (questions ? ballot === undefined : vote === undefined);
  /** What Join waits for, in words ('' once the vote and the name are given). */
  const stillMissing = ballotProblem
    ? questions!.length > 1
      ? `Question ${ballotProblem.question + 1}: ${lowerFirst(ballotProblem.problem)}`
      : ballotProblem.problem
    : missing(voteMissing, nameProblem !== undefined, questions !== undefined);
  return (
    <section className="card form" aria-labelledby="join-heading">
      <h2 id="join-heading">Join an election</h2>
      <form className="lookup" onSubmit={submitLookup} noValidate>
        <Field
          label="Invitation link or address"
          hint="Paste the link the organizer sent you (onion-election://join/…), or a runner’s address: 56 characters + .onion, or 127.0.0.1:PORT for a test on this computer."
          error={lookupProblem?.sentence ?? (peerTouched ? peerProblem : undefined)}
        >
          {(control) => (
            <div className="input-with-button">
              <input
                {...control}
                className="mono"
                value={peer}
                spellCheck={false}
                autoComplete="off"
                autoCapitalize="off"
                onPaste={paste}
                onChange={(event) => change(event.target.value)}
              />
              <button type="submit" className="button" disabled={peerProblem !== undefined || lookup.pending}>
                {lookup.pending ? 'Looking up…' : 'Look up'}
              </button>
            </div>
          )}
        </Field>
        {lookupProblem?.details && (
          <details className="error-details">
            <summary>Details</summary>
            <p className="mono break">{lookupProblem.details}</p>
          </details>
        )}
        <div className="lookup-wait">
          <p className="form-status" role="status">
            {lookup.pending ? lookupWait(tor) : ''}
          </p>
          {lookup.pending && (
            <button
              type="button"
              className="button small"
              disabled={cancelLookup.pending}
              onClick={() => cancelLookup.run()}
            >
              Cancel
            </button>
          )}
        </div>
      </form>
      {found && preview && (
        <form
          className="join"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            setNameTouched(true);
            if (stillMissing || join.pending) return;
            setJoinError(undefined);
            void join.run(
              preview,
              !voting ? null : questions ? (ballot ? voteOfDraft(ballot) : null) : (vote ?? null),
            );
          }}
        >
          {preview.kind === 'lobby' ? (
            <>
              <p className="muted">
                <strong>{preview.organizer}</strong> is gathering people for this election. Check it is the
                one you were invited to:
              </p>
              <LobbySummary preview={preview} />
            </>
          ) : (
            <>
              <p className="muted">
                <strong className="break">{preview.address}</strong> runs this election
                {found.invitedId === preview.election.id
                  ? ', the one your invitation names.'
                  : '. Check it is the one you were invited to:'}
              </p>
              <ElectionSummary election={preview.election} />
              {preview.election.ballotRule === 'per-voter' && (
                <p className="form-note" role="note">
                  Only the {formatCount(preview.election.voters ?? 0)} people admitted before the start can
                  vote in it. Joining now, your runner helps mine and check the chain, without a vote.
                </p>
              )}
            </>
          )}
          {voting && questions && (
            <BallotChoice
              legend={<VoteQuestion preview={preview} />}
              className="prominent"
              questions={questions}
              draft={ballot ?? { abstain: false, selections: questions.map(() => []) }}
              pristine={ballot === undefined}
              onChange={setBallot}
              hint={voteHint(preview.kind === 'lobby' ? preview.ballotRule : preview.election.ballotRule)}
            />
          )}
          {voting && !questions && (
            <VoteChoice
              legend={<VoteQuestion preview={preview} />}
              className="prominent"
              required
              value={vote}
              onChange={setVote}
              hint={voteHint(preview.kind === 'lobby' ? preview.ballotRule : preview.election.ballotRule)}
            />
          )}
          <Field
            label="Your name"
            hint={
              preview.kind === 'lobby'
                ? 'Shown to the organizer with your request, and beside the blocks your runner finds. A nickname will do.'
                : 'Shown beside the blocks your runner finds, to everyone. A nickname will do.'
            }
            error={joinError?.field === 'name' ? joinError.error : nameTouched ? nameProblem : undefined}
          >
            {(control) => (
              <input
                {...control}
                value={name}
                autoComplete="nickname"
                onChange={(event) => setName(event.target.value)}
                onBlur={() => setNameTouched(true)}
              />
            )}
          </Field>
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={stillMissing !== '' || join.pending}>
              {preview.kind === 'lobby'
                ? join.pending
                  ? 'Asking…'
                  : 'Ask to join'
                : join.pending
                  ? 'Joining…'
                  : 'Join this election'}
            </button>
            <p className="form-status" role="status">
              {joinError && joinError.field !== 'name'
                ? joinError.error
                : stillMissing
                  ? stillMissing
                  : preview.kind === 'lobby'
                    ? `${preview.organizer} admits you (or not) before the election starts.`
                    : ''}
            </p>
          </div>
        </form>
      )}
    </section>
  );
}

/** Whoever joins this can vote: not a per-voter election already started (its roster is fixed). */
function canVote(preview: JoinPreview): boolean {
  return preview.kind === 'lobby' || preview.election.ballotRule !== 'per-voter';
}

/** The vote's legend: the question itself, so the choice reads as an answer to it. */
function VoteQuestion({ preview }: { preview: JoinPreview }) {
  const question = preview.kind === 'lobby' ? preview.question : preview.election.question;
  return (
    <>
      Your vote <span className="vote-question">{question}</span>
    </>
  );
}

/** The questions with choices a preview asks, if any (a lobby's, or a running election's). */
function questionsOf(preview: JoinPreview): readonly QuestionForm[] | undefined {
  const questions = preview.kind === 'election' ? preview.election.questions : preview.questions;
  return questions && questions.length > 0 ? questions : undefined;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Why Join is not possible yet, in words ('' when nothing is missing). */
function missing(vote: boolean, name: boolean, questions: boolean): string {
  if (vote && name) return `To join, choose your ${questions ? 'answers' : 'vote'} and give your name.`;
  if (vote && questions) return 'To join, choose your answers (or Abstain).';
  if (vote) return 'To join, choose your vote: Yes, No or Abstain.';
  if (name) return 'To join, give your name.';
  return '';
}

/** The engine's answer to a look-up the user cancelled (main/app/engine.ts). */
const LOOKUP_CANCELLED = 'look-up cancelled';

/** An organizer's open lobby, as a joiner checks it before asking. */
function LobbySummary({ preview }: { preview: Extract<JoinPreview, { kind: 'lobby' }> }) {
  return (
    <div className="election-summary lobby-summary">
      <h3>{preview.title}</h3>
      <p className="question">{preview.question}</p>
      <dl className="facts">
        <QuestionsFacts questions={preview.questions} />
        <dt>Votes</dt>
        <dd>{ruleSentence(preview.ballotRule)}</dd>
        <dt>Organizer</dt>
        <dd>{preview.organizer}</dd>
        <dt>Admitted</dt>
        <dd>{formatCount(preview.admitted)} admitted so far</dd>
        <dt>Address</dt>
        <dd className="mono break">{preview.address}</dd>
      </dl>
    </div>
  );
}
