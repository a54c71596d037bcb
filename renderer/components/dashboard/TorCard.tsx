import type { TorView } from '../../../main/api/contract';
import { useAction } from '../../lib/hooks';
import { useApi, useDashboard } from '../../store';
import { ConnectionSettingsButton } from '../settings/ConnectionSettings';
import { TorLog } from '../TorLog';
import { Card } from '../ui/Card';
import { ProgressBar } from '../ui/ProgressBar';
import { TorPill } from './TorPill';

const MODES: Record<TorView['mode'], string> = {
  off: 'Direct connections between runners on this computer, for tests: no Tor, no anonymity.',
  managed: 'A tor started by this runner, with its own onion service.',
  attached: 'Your running tor (Tor Browser or the system’s), through its control port.',
  external: 'The tor you configured, with your onion service.',
};

/** How this runner reaches its peers: tor's bootstrap, its last warning or error, and its log. */
export function TorCard() {
  const api = useApi();
  const tor = useDashboard((state) => state.tor);
  const retry = useAction(() => api.retry());
  return (
    <Card title="Tor" actions={<TorPill tor={tor} />}>
      <p className="muted">{MODES[tor.mode]}</p>
      {tor.mode !== 'off' && tor.stage !== 'ready' && tor.stage !== 'error' && (
        <div className="tor-progress" aria-live="polite">
          <ProgressBar value={tor.progress} max={100} label="Tor bootstrap" />
          <p className="muted">
            <span className="num">{Math.round(tor.progress)}%</span> {tor.summary}
          </p>
        </div>
      )}
      {tor.warning && <p className="warn-text">⚠ {tor.warning}</p>}
      {tor.error && (
        <div className="tor-error">
          <p className="error-text">{tor.error}</p>
          <button type="button" className="button small" disabled={retry.pending} onClick={() => retry.run()}>
            Retry
          </button>
          <span className="error-text" role="status">
            {retry.error}
          </span>
        </div>
      )}
      {tor.mode !== 'off' && <TorLog />}
      {tor.mode !== 'off' && <ConnectionSettingsButton />}
    </Card>
  );
}
