import { useEffect, useId, useRef, useState } from 'react';
import type { LobbyParticipantView, LobbyView } from '../../../main/api/contract';
import { fieldMessage } from '../../lib/errors';
import { formatCount } from '../../lib/format';
import { useAction } from '../../lib/hooks';
import { ruleInWords, ruleOf } from '../../lib/questions';
import { ruleSentence } from '../../lib/rules';
import { useApi, useDashboard } from '../../store';
import { Notice } from '../screens/Notice';
import { Card } from '../ui/Card';
import { CopyButton } from '../ui/CopyButton';
import { QrCode } from '../ui/QrCode';

/**
 * The waiting room before an election starts (stage 'lobby'). The organizer invites, admits or
 * refuses, and starts; a joiner sees where its request stands until the organizer starts.
 */
export function LobbyScreen() {
  const lobby = useDashboard((state) => state.lobby);
  if (!lobby)
    return (
      <Notice title="Opening the lobby…" tone="busy">
        <p role="status">Waiting for the runner to describe its lobby.</p>
      </Notice>
    );
  return lobby.role === 'organizer' ? <OrganizerLobby lobby={lobby} /> : <JoinerLobby lobby={lobby} />;
}

function LobbyHeader({ lobby, eyebrow }: { lobby: LobbyView; eyebrow: string }) {
  return (
    <header className="election-header lobby-header">
      <p className="eyebrow">{eyebrow}</p>
      <h1>{lobby.title}</h1>
      <p className="question">{lobby.question}</p>
      <LobbyQuestions lobby={lobby} />
      <p className="lobby-rule">{ruleSentence(lobby.ballotRule, lobby.role === 'organizer')}</p>
    </header>
  );
}

/** Questions with choices the election will ask: each with its rule in words and its options. */
function LobbyQuestions({ lobby }: { lobby: LobbyView }) {
  const { questions } = lobby;
  if (!questions || questions.length === 0) return null;
  return (
    <ol className="questions-summary lobby-questions">
      {questions.map((q, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a question is its place on the ballot
        <li key={i}>
          <strong>{q.question}</strong> <span className="muted">({ruleInWords(ruleOf(q))})</span>{' '}
          <span className="lobby-options">{q.options.join(' · ')}</span>
        </li>
      ))}
    </ol>
  );
}

/** The election's parameters, as fixed at the start. */
function Parameters({ lobby }: { lobby: LobbyView }) {
  const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
  return (
    <p className="lobby-parameters muted">
      {plural(lobby.nTalliers, 'tallier')}
      {lobby.quorum !== undefined ? ` (any ${formatCount(lobby.quorum)} decrypt)` : ''} ·{' '}
      {plural(lobby.nTalliersBlocks, 'key block')} · {plural(lobby.nVoteBlocks, 'vote block')} ·{' '}
      {plural(lobby.confirmations, 'confirmation')}
    </p>
  );
}

// ── The organizer ───────────────────────────────────────────────────────────────────────────

function OrganizerLobby({ lobby }: { lobby: LobbyView }) {
  const waiting = lobby.participants.filter((p) => p.status === 'waiting').length;
  return (
    <div className="lobby">
      <LobbyHeader lobby={lobby} eyebrow="Your lobby · nothing is mined until you start" />
      <div className="lobby-columns">
        <div className="column">
          <Card
            title="Participants"
            className="participants-card"
            actions={
              <span className="muted num" role="status">
                {formatCount(lobby.admitted)} admitted, {formatCount(lobby.online)} online
                {waiting > 0 && ` · ${formatCount(waiting)} waiting for your answer`}
              </span>
            }
          >
            <ul className="participants">
              {lobby.participants.map((p) => (
                <ParticipantRow key={p.id} participant={p} />
              ))}
            </ul>
            {lobby.participants.length === 1 && (
              <p className="empty">No one has asked yet: requests appear here as people open your link.</p>
            )}
          </Card>
          <StartCard lobby={lobby} />
        </div>
        <InviteCard invitation={lobby.invitation} />
      </div>
    </div>
  );
}

function ParticipantRow({ participant: p }: { participant: LobbyParticipantView }) {
  const api = useApi();
  const row = useRef<HTMLLIElement>(null);
  const decide = useAction(async (status: 'admitted' | 'refused') => {
    await (status === 'admitted' ? api.admitJoiner(p.id) : api.refuseJoiner(p.id));
    // The buttons pressed are gone: keep the keyboard's place on this row.
    row.current?.focus();
  });
  const status = p.organizer ? 'organizer' : p.status;
  return (
    <li className={`participant participant-${status}`} ref={row} tabIndex={-1}>
      <span
        className={`dot ${p.online ? 'dot-ok' : 'dot-muted'}`}
        role="img"
        aria-label={p.online ? 'online' : 'offline'}
        title={p.online ? 'Online: heard from in the last 20 s' : 'Offline: not heard from in the last 20 s'}
      />
      <span className="participant-main">
        <span className="participant-name">
          {p.name}
          {p.organizer && <span className="badge you">you</span>}
        </span>
        <span className="participant-meta">
          {p.online ? 'online' : 'offline'}
          {p.credential && (
            <>
              {' · voter key '}
              <code className="mono">{p.credential}</code>
            </>
          )}
        </span>
        {decide.error && (
          <span className="error-text" role="alert">
            {decide.error}
          </span>
        )}
      </span>
      <span className="participant-actions">
        {p.status === 'waiting' ? (
          <>
            <button
              type="button"
              className="button small primary"
              disabled={decide.pending}
              aria-label={`Admit ${p.name}`}
              onClick={() => decide.run('admitted')}
            >
              Admit
            </button>
            <button
              type="button"
              className="button small"
              disabled={decide.pending}
              aria-label={`Refuse ${p.name}`}
              onClick={() => decide.run('refused')}
            >
              Refuse
            </button>
          </>
        ) : (
          <span className={`badge ${status === 'refused' ? 'bad' : status === 'admitted' ? 'ok' : 'accent'}`}>
            {status}
          </span>
        )}
      </span>
    </li>
  );
}

function StartCard({ lobby }: { lobby: LobbyView }) {
  const api = useApi();
  const problemId = useId();
  const start = useAction(() => api.startElection());
  /** The view Start was pressed on: the engine's refusal stands until the lobby changes. */
  const startedOn = useRef<LobbyView>(undefined);
  const refusal = startedOn.current === lobby ? start.error : undefined;
  const leave = useAction(() => api.leaveLobby());
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const leaveButton = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
    else if (wasConfirming.current) leaveButton.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);
  const { startProblem } = lobby;
  return (
    <Card title="Start" className="start-card">
      <Parameters lobby={lobby} />
      <p>
        Everyone admitted takes part{lobby.ballotRule === 'per-voter' ? ' and is registered to vote' : ''}.
        Requests still waiting are refused at the start, and no one can be added after it.
      </p>
      <div className="form-actions">
        <button
          type="button"
          className="button primary"
          disabled={startProblem !== undefined || start.pending}
          aria-describedby={problemId}
          onClick={() => {
            startedOn.current = lobby;
            void start.run();
          }}
        >
          {start.pending ? 'Starting…' : 'Start the election'}
        </button>
        <p
          id={problemId}
          className={
            refusal ? 'start-problem error-text' : startProblem ? 'start-problem blocked' : 'start-problem'
          }
          role="status"
        >
          {refusal
            ? fieldMessage(refusal)
            : startProblem
              ? `Can’t start yet: ${startProblem}.`
              : `Ready: ${formatCount(lobby.admitted)} people take part.`}
        </p>
      </div>
      <div className="lobby-leave">
        {confirming ? (
          <fieldset className="confirm">
            <legend>Close the lobby? The requests are forgotten and your invitation stops working.</legend>
            <div className="actions">
              <button
                type="button"
                className="button danger"
                ref={confirmButton}
                disabled={leave.pending}
                onClick={() => leave.run()}
              >
                Close the lobby
              </button>
              <button type="button" className="button" onClick={() => setConfirming(false)}>
                Keep it open
              </button>
              <span className="error-text" role="status">
                {leave.error}
              </span>
            </div>
          </fieldset>
        ) : (
          <button
            type="button"
            className="button ghost"
            ref={leaveButton}
            onClick={() => setConfirming(true)}
          >
            Close the lobby…
          </button>
        )}
      </div>
    </Card>
  );
}

function InviteCard({ invitation }: { invitation: string | undefined }) {
  const shown = useRef<HTMLElement>(null);
  return (
    <Card title="Invite" className="invite-card">
      {invitation ? (
        <>
          <p>Send this link to the people who will vote.</p>
          <div className="invitation">
            <code className="mono invitation-link" ref={shown}>
              {invitation}
            </code>
            <CopyButton text={invitation} shown={shown} label="Copy the invitation link" />
          </div>
          <QrCode text={invitation} label="QR code of the invitation link" className="invitation-qr" />
          <p className="field-hint">
            They paste it into “Join an election” (or scan the code). Anyone with the link can ask to join:
            you decide who is admitted.
          </p>
        </>
      ) : (
        <p className="muted" role="status">
          Publishing your runner’s onion service: the link appears once others can reach it.
        </p>
      )}
    </Card>
  );
}

// ── A joiner ────────────────────────────────────────────────────────────────────────────────

function JoinerLobby({ lobby }: { lobby: LobbyView }) {
  const api = useApi();
  const leave = useAction(() => api.leaveLobby());
  const { organizer, admitted, status = 'asking' } = lobby;
  const people = `${formatCount(admitted)} admitted`;
  const [tone, text] = {
    asking: ['busy', `Asking ${organizer}…`],
    waiting: ['busy', `Waiting for ${organizer} to let you in (${people} so far).`],
    admitted: ['ok', `You’re in: waiting for ${organizer} to start (${people}).`],
    starting: ['busy', `${organizer} started the election: joining it…`],
    refused: ['bad', `${organizer} did not admit you.`],
  }[status];
  const inList = (status === 'admitted' || status === 'starting') && lobby.participants.length > 0;
  return (
    <div className="lobby">
      <LobbyHeader lobby={lobby} eyebrow={`${organizer}’s lobby`} />
      <div className="lobby-columns">
        <Card title="Your request" className="request-card">
          <p className={`lobby-status lobby-status-${tone}`} role="status">
            {tone === 'busy' ? (
              <span className="spinner" aria-hidden="true" />
            ) : (
              <span className={`dot ${tone === 'ok' ? 'dot-ok' : 'dot-bad'}`} aria-hidden="true" />
            )}
            <span>{text}</span>
          </p>
          {lobby.unreachable && status !== 'refused' && (
            <p className="calm-notice" role="note">
              Can’t reach the organizer right now; still trying.{' '}
              <span className="muted break">({lobby.unreachable})</span>
            </p>
          )}
          <p className="muted">
            {status === 'refused'
              ? 'You can leave this lobby and join another election.'
              : status === 'admitted' || status === 'starting'
                ? `When ${organizer} starts, your runner joins and mining begins. Keep it running.`
                : `${organizer} sees your name and decides; this page follows by itself.`}
          </p>
          <Parameters lobby={lobby} />
          {lobby.address && (
            <p className="muted">
              Organizer’s address: <code className="mono break">{lobby.address}</code>
            </p>
          )}
          <div className="actions">
            <button
              type="button"
              className={status === 'refused' ? 'button primary' : 'button'}
              disabled={leave.pending}
              onClick={() => leave.run()}
            >
              {status === 'refused' ? 'Back to the start' : 'Leave the lobby'}
            </button>
            <span className="error-text" role="status">
              {leave.error}
            </span>
          </div>
        </Card>
        {inList && (
          <Card
            title="Who is in"
            className="participants-card"
            actions={<span className="muted num">{people}</span>}
          >
            <ul className="participants">
              {lobby.participants.map((p, i) => (
                <li key={p.id} className="participant participant-admitted">
                  <span className="participant-main">
                    <span className="participant-name">
                      {p.name}
                      {i === 0 && <span className="badge accent">organizer</span>}
                    </span>
                    {p.credential && (
                      <span className="participant-meta">
                        voter key <code className="mono">{p.credential}</code>
                      </span>
                    )}
                  </span>
                </li>
              ))}
            </ul>
          </Card>
        )}
      </div>
    </div>
  );
}
