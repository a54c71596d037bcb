import { useState } from 'react';
import { errorMessage } from '../lib/errors';
import { useApi } from '../store';

/** A disclosure that loads the last lines of tor's log each time it is opened. */
export function TorLog({ label = 'Tor log' }: { label?: string }) {
  const api = useApi();
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
        <p className="muted">Empty: this runner does not manage a tor of its own.</p>
      ) : (
        // Focusable so keyboard users can scroll a long log.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        <pre tabIndex={0}>{log.lines.join('\n')}</pre>
      )}
    </details>
  );
}
