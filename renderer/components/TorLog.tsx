import { useState } from 'react';
import { errorMessage } from '../lib/errors';
import { useApi, useDashboard } from '../store';

/** When there is no line to show: why, for each kind of tor. */
const EMPTY = {
  managed: 'Tor has not written anything yet.',
  attached: 'Nothing from your Tor yet. Its full log is kept by that Tor, not by this runner.',
  external: 'This runner uses the Tor you set up yourself: its log is kept by that Tor.',
  off: 'No Tor: this runner uses direct connections.',
} as const;

/** A disclosure that loads the last lines of tor's log each time it is opened. */
export function TorLog({ label = 'Tor’s log' }: { label?: string }) {
  const api = useApi();
  const mode = useDashboard((state) => state.tor.mode);
  const [log, setLog] = useState<{ lines: readonly string[] } | { error: string }>();
  return (
    <details
      className="tor-log"
      onToggle={(event) => {
        if (!event.currentTarget.open) return;
        setLog(undefined);
        api.torLog().then(
          (lines) => setLog({ lines }),
          (error: unknown) => setLog({ error: errorMessage(error) }),
        );
      }}
    >
      <summary>{label}</summary>
      {log === undefined ? (
        <p className="muted">Loading…</p>
      ) : 'error' in log ? (
        <p className="error-text">{log.error}</p>
      ) : log.lines.length === 0 ? (
        <p className="muted">{EMPTY[mode]}</p>
      ) : (
        // Focusable so keyboard users can scroll a long log.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        <pre tabIndex={0}>{log.lines.join('\n')}</pre>
      )}
    </details>
  );
}
