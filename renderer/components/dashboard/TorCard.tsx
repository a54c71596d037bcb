import type { TorView } from '../../../main/api/contract';
import { useAction } from '../../lib/hooks';
import { useApi, useDashboard } from '../../store';
import { ConnectionSettingsButton } from '../settings/ConnectionSettings';
import { TorLog } from '../TorLog';
import { TorStatus } from '../TorStatus';
import { Card } from '../ui/Card';
import { TorPill } from './TorPill';

const MODES: Record<TorView['mode'], string> = {
  off: 'Direct connections between runners on this computer, for tests: no Tor, no anonymity.',
  managed: 'This runner’s own Tor connection, with its own address on the Tor network.',
  attached: 'Your running Tor (Tor Browser or the system’s).',
  external: 'The Tor you set up yourself, with your own address on it.',
};

/** How this runner reaches its peers: Tor in plain words, Retry when it stopped, and its log. */
export function TorCard() {
  const api = useApi();
  const tor = useDashboard((state) => state.tor);
  const retry = useAction(() => api.retry());
  return (
    <Card title="Tor" actions={<TorPill tor={tor} />}>
      <p className="muted">{MODES[tor.mode]}</p>
      {tor.mode !== 'off' && <TorStatus tor={tor} />}
      {tor.condition === 'failed' && (
        <div className="tor-error">
          <button type="button" className="button small" disabled={retry.pending} onClick={() => retry.run()}>
            Retry
          </button>
          <span className="error-text" role="status">
            {retry.error}
          </span>
        </div>
      )}
      {tor.mode !== 'off' && <TorLog />}
      {/* TorStatus offers it already when tor can't reach the network. */}
      {tor.mode !== 'off' && tor.condition !== 'unreachable' && <ConnectionSettingsButton />}
    </Card>
  );
}
