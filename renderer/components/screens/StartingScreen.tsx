import { useDashboard } from '../../store';
import { ProgressBar } from '../ui/ProgressBar';
import { Notice } from './Notice';

/** Opening the election: mostly waiting for tor to bootstrap and publish the onion service. */
export function StartingScreen() {
  const tor = useDashboard((state) => state.tor);
  const title = useDashboard((state) => state.election?.title);
  const usesTor = tor.mode !== 'off';
  return (
    <Notice title={title ? `Opening “${title}”…` : 'Starting the runner…'} tone="busy">
      {usesTor ? (
        <div className="tor-progress" aria-live="polite">
          <div className="row-between">
            <span>Connecting to the Tor network</span>
            <span className="num">{Math.round(tor.progress)}%</span>
          </div>
          <ProgressBar value={tor.progress} max={100} label="Tor bootstrap" />
          <p className="muted">{tor.summary || 'Starting tor…'}</p>
          {tor.warning && <p className="warn-text">{tor.warning}</p>}
        </div>
      ) : (
        <p role="status">Opening the election on this computer (direct connections, no Tor).</p>
      )}
    </Notice>
  );
}
