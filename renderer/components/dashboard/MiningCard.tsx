import { useId } from 'react';
import { networkHashrate } from '../../lib/estimate';
import { formatHashrate } from '../../lib/format';
import { useRequested } from '../../lib/hooks';
import { useApi, useDashboard } from '../../store';
import { blockInterval } from '../../tree/progress';
import { useTreeIndex } from '../../tree/use-tree-index';
import { Card } from '../ui/Card';

/**
 * The miner: on/off, threads, its speed and that of every runner together. Once the chain is
 * complete there is nothing left to mine, and it says so instead of showing a switch.
 */
export function MiningCard() {
  const api = useApi();
  const mining = useDashboard((state) => state.mining);
  const phase = useDashboard((state) => state.chain?.phase);
  const height = useDashboard((state) => state.chain?.height ?? 0);
  const hashesPerBlock = useDashboard((state) => state.election?.expectedHashes ?? 0);
  const index = useTreeIndex();
  const threadsId = useId();
  const on = useRequested(mining.on, (value) => api.setMining(value));
  const threads = useRequested(mining.threads, (value) => api.setThreads(value));
  const error = on.error ?? threads.error;
  const done = phase === 'final';
  // Every runner's work together, from the pace of the recent blocks (while blocks still come).
  const together = done ? undefined : networkHashrate(hashesPerBlock, blockInterval(index, height));
  return (
    <Card
      title="Mining"
      className="mining-card"
      actions={
        done ? (
          <span className="badge ok">Done</span>
        ) : (
          <button
            type="button"
            role="switch"
            className="switch"
            aria-checked={on.value}
            aria-label="Mining"
            onClick={() => on.set(!on.value)}
          >
            <span className="switch-track" aria-hidden="true">
              <span className="switch-thumb" />
            </span>
            <span className="switch-text">{on.value ? 'On' : 'Off'}</span>
          </button>
        )
      }
    >
      {!done && (
        <div className="mining-stats">
          <div className="stat">
            <span className="stat-label">this computer</span>
            <span className="stat-value num">
              {!mining.on ? 'off' : mining.idle ? 'waiting' : formatHashrate(mining.hashrate)}
            </span>
          </div>
          {together !== undefined && (
            <div className="stat">
              <span className="stat-label">all runners</span>
              <span className="stat-value num" title="Judged from how fast the recent blocks came">
                ≈ {formatHashrate(together)}
              </span>
            </div>
          )}
          <div className="stat">
            <label htmlFor={threadsId} className="stat-label">
              threads
            </label>
            <select
              id={threadsId}
              value={threads.value}
              onChange={(event) => threads.set(Number(event.target.value))}
            >
              {Array.from({ length: mining.maxThreads }, (_, i) => i + 1).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      <p className="mining-idle muted">
        {done
          ? 'The chain is complete: nothing is left to mine.'
          : mining.on
            ? mining.idle
              ? sentence(mining.idle)
              : 'Mining the next block.'
            : 'Switch it on to help find this election’s blocks.'}
      </p>
      <p className="error-text" role="status">
        {error}
      </p>
    </Card>
  );
}

function sentence(text: string): string {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
