import { useState } from 'react';
import { formatTime } from '../../lib/format';
import { useAction } from '../../lib/hooks';
import { useApi, useDashboard } from '../../store';
import { Card } from '../ui/Card';
import { NotificationsToggle } from './NotificationsToggle';

/** This runner's data folder, and the recent warnings (collapsed: they are for when things go wrong). */
export function RunnerCard() {
  const api = useApi();
  const dataDir = useDashboard((state) => state.dataDir);
  const warnings = useDashboard((state) => state.warnings);
  const [opened, setOpened] = useState<boolean>();
  const open = useAction(async () => setOpened((await api.openDataFolder()).opened));
  return (
    <Card title="This runner">
      <NotificationsToggle />
      <div className="data-folder">
        <span className="muted">Data folder</span>
        <code className="mono data-folder-path">{dataDir}</code>
        <button type="button" className="button small" disabled={open.pending} onClick={() => open.run()}>
          Open data folder
        </button>
        <span className="muted" role="status">
          {opened === false ? 'No file manager here: the path is above.' : (open.error ?? '')}
        </span>
      </div>
      <details className="warnings">
        <summary>
          Warnings <span className="count num">{warnings.length}</span>
        </summary>
        {warnings.length === 0 ? (
          <p className="empty">None.</p>
        ) : (
          <ol reversed>
            {[...warnings].reverse().map((w, i) => (
              // Warnings have no id; two may share a time and text, so the position completes the key.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above
              <li key={`${w.at}-${i}`}>
                <time className="num muted" dateTime={new Date(w.at).toISOString()}>
                  {formatTime(w.at)}
                </time>{' '}
                {w.message}
              </li>
            ))}
          </ol>
        )}
      </details>
    </Card>
  );
}
