import type { TorView } from '../../main/api/contract';
import { useConnectionSettings } from '../lib/connection-settings';
import { useNow } from '../lib/hooks';
import { forHowLong, torDetails, torWords } from '../lib/tor-words';
import { ProgressBar } from './ui/ProgressBar';

/**
 * Tor in plain words (renderer/lib/tor-words.ts): one sentence, the progress while connecting,
 * what to do, and tor's own words behind "Details". Each fault is said here once.
 */
export function TorStatus({ tor }: { tor: TorView }) {
  const words = torWords(tor);
  const details = torDetails(tor);
  const now = useNow(15_000);
  const openSettings = useConnectionSettings((s) => s.open);
  const lasting = tor.condition === 'unreachable' || tor.condition === 'reconnecting';
  return (
    <div className={`tor-status tor-${tor.condition}`}>
      <p className="tor-headline" role="status">
        <span className={`dot dot-${words.tone}`} aria-hidden="true" />
        <span>
          {words.title}
          {lasting ? forHowLong(tor.since, now) : ''}
        </span>
      </p>
      {tor.condition === 'connecting' && (
        <ProgressBar value={tor.progress} max={100} label="Connecting to the Tor network" />
      )}
      {words.hint && <p className="muted tor-hint">{words.hint}</p>}
      {words.settings && openSettings && (
        <button type="button" className="button small" onClick={openSettings}>
          Connection settings
        </button>
      )}
      {details.length > 0 && (
        <details className="tor-details">
          <summary>Details</summary>
          <ul>
            {details.map((line) => (
              <li key={line} className="break">
                {line}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
