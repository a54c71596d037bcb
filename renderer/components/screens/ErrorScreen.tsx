import { useAction } from '../../lib/hooks';
import { useApi, useDashboard } from '../../store';
import { TorLog } from '../TorLog';
import { Notice } from './Notice';

/** The runner could not start (tor failed, a peer did not answer…): why, and a way to try again. */
export function ErrorScreen() {
  const api = useApi();
  const error = useDashboard((state) => state.error);
  const retry = useAction(() => api.retry());
  return (
    <Notice title="The runner could not start" tone="bad">
      <p className="error-message">{error ?? 'It stopped without saying why.'}</p>
      <div className="actions">
        <button type="button" className="button primary" disabled={retry.pending} onClick={() => retry.run()}>
          {retry.pending ? 'Retrying…' : 'Retry'}
        </button>
        <span className="error-text" role="status">
          {retry.error}
        </span>
      </div>
      <TorLog label="Show tor log" />
    </Notice>
  );
}
