import { useState } from 'react';
import { useAction } from '../../lib/hooks';
import { savedSentence } from '../../lib/tor-words';
import { useApi, useDashboard } from '../../store';
import { TorLog } from '../TorLog';
import { TorStatus } from '../TorStatus';
import { Notice } from './Notice';

/**
 * The runner could not start (tor failed, a peer did not answer…): why, once; what is saved;
 * Retry, and a way back (Cancel: to the first screen, or to the saved election).
 */
export function ErrorScreen() {
  const api = useApi();
  const error = useDashboard((state) => state.error);
  const launch = useDashboard((state) => state.launch);
  const usesTor = useDashboard((state) => state.tor.mode !== 'off');
  const retry = useAction(() => api.retry());
  const back = useAction(() => api.cancel());
  return (
    <Notice title="The runner could not start" tone="bad">
      <p className="error-message">{error ?? 'It stopped without saying why.'}</p>
      {launch && (
        <p className="saved-note" role="note">
          {launch.saved === 'nothing' ? 'Nothing was saved yet.' : savedSentence(launch)}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          className="button primary"
          disabled={retry.pending || back.pending}
          onClick={() => retry.run()}
        >
          {retry.pending ? 'Retrying…' : 'Retry'}
        </button>
        <button
          type="button"
          className="button"
          disabled={retry.pending || back.pending}
          onClick={() => back.run()}
        >
          {launch?.saved && launch.saved !== 'nothing' ? 'Not now' : 'Back to the first screen'}
        </button>
        <span className="error-text" role="status">
          {retry.error ?? back.error}
        </span>
      </div>
      {usesTor && <TorLog label="Show tor log" />}
    </Notice>
  );
}

/** Titles of what a stopped runner keeps. */
const KEPT = {
  election: (title?: string) => (title ? `“${title}” is saved` : 'Your election is saved'),
  lobby: (title?: string) => (title ? `“${title}” is saved` : 'Your election is saved'),
  request: () => 'Your request to join is saved',
} as const;

/**
 * The user cancelled a start and the folder keeps something (an election, its lobby, a request):
 * start it again, or (a lobby or a request, never an election) give it up.
 */
export function StoppedScreen() {
  const api = useApi();
  const launch = useDashboard((state) => state.launch);
  const tor = useDashboard((state) => state.tor);
  const again = useAction(() => api.retry());
  const giveUp = useAction(() => api.leaveLobby());
  const [confirming, setConfirming] = useState(false);
  const saved = launch?.saved === 'nothing' || !launch ? 'election' : launch.saved;
  const busy = again.pending || giveUp.pending;
  return (
    <Notice title={KEPT[saved](launch?.title)}>
      <p>
        {saved === 'request'
          ? 'You stopped before your request reached the organizer’s runner, or while waiting. Go back to waiting when you are ready.'
          : 'You stopped its start. Nothing is lost: start it again when you are ready.'}
      </p>
      {tor.mode !== 'off' && tor.condition !== 'connected' && <TorStatus tor={tor} />}
      <div className="actions">
        <button type="button" className="button primary" disabled={busy} onClick={() => again.run()}>
          {saved === 'request' ? 'Go back to waiting' : 'Start again'}
        </button>
        {saved !== 'election' &&
          (confirming ? (
            <>
              <button type="button" className="button danger" disabled={busy} onClick={() => giveUp.run()}>
                {saved === 'request' ? 'Yes, withdraw my request' : 'Yes, forget this election'}
              </button>
              <button type="button" className="button" disabled={busy} onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className="button" disabled={busy} onClick={() => setConfirming(true)}>
              {saved === 'request' ? 'Withdraw my request' : 'Forget this election'}
            </button>
          ))}
        <span className="error-text" role="status">
          {again.error ?? giveUp.error}
        </span>
      </div>
      {tor.mode !== 'off' && <TorLog />}
    </Notice>
  );
}
