import { useAction } from '../../lib/hooks';
import { savedSentence, startingStep, startingTitle } from '../../lib/tor-words';
import { useApi, useDashboard } from '../../store';
import { TorLog } from '../TorLog';
import { TorStatus } from '../TorStatus';
import { Notice } from './Notice';

/**
 * Opening the election (or its lobby, or asking to join): what is happening now (mostly tor
 * connecting), what is already saved, and Cancel, which goes back to a usable screen.
 */
export function StartingScreen() {
  const api = useApi();
  const tor = useDashboard((state) => state.tor);
  const launch = useDashboard((state) => state.launch);
  const electionTitle = useDashboard((state) => state.election?.title);
  const cancel = useAction(() => api.cancel());
  const usesTor = tor.mode !== 'off';
  /** Tor is what the start waits for until it is connected: then its state is the news. */
  const waitingForTor = usesTor && tor.condition !== 'connected';
  return (
    <Notice title={startingTitle(launch, electionTitle)} tone="busy">
      {waitingForTor ? (
        <TorStatus tor={tor} />
      ) : (
        <p role="status">
          {usesTor
            ? startingStep(launch, tor)
            : 'Opening the election on this computer (direct connections, no Tor).'}
        </p>
      )}
      <p className="saved-note" role="note">
        {savedSentence(launch)}
      </p>
      <div className="actions">
        <button type="button" className="button" disabled={cancel.pending} onClick={() => cancel.run()}>
          {cancel.pending ? 'Cancelling…' : 'Cancel'}
        </button>
        <span className="error-text" role="status">
          {cancel.error}
        </span>
      </div>
      {usesTor && <TorLog />}
    </Notice>
  );
}
