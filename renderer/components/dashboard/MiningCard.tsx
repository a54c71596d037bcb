import { useId } from 'react';
import { formatHashrate } from '../../lib/format';
import { useRequested } from '../../lib/hooks';
import { useApi, useDashboard } from '../../store';
import { Card } from '../ui/Card';
import { VoteChoice } from '../ui/VoteChoice';

/** The miner (on/off, threads, speed) and the vote it puts into the ballots it mines. */
export function MiningCard() {
  const api = useApi();
  const mining = useDashboard((state) => state.mining);
  const vote = useDashboard((state) => state.settings.vote);
  const rule = useDashboard((state) => state.election?.ballotRule ?? 'per-block');
  const threadsId = useId();
  const on = useRequested(mining.on, (value) => api.setMining(value));
  const threads = useRequested(mining.threads, (value) => api.setThreads(value));
  const voted = useRequested(vote, (value) => api.setVote(value));
  const error = on.error ?? threads.error ?? voted.error;
  return (
    <Card
      title="Mining"
      actions={
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
      }
    >
      <div className="mining-stats">
        <div className="stat">
          <span className="stat-label">hashrate</span>
          <span className="stat-value num">{mining.on ? formatHashrate(mining.hashrate) : 'off'}</span>
        </div>
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
      <p className="mining-idle muted">
        {mining.on
          ? (mining.idle ?? 'Mining the next block.')
          : 'Switch it on to mine blocks (and, with a vote, ballots) for this election.'}
      </p>
      <VoteChoice
        legend="Your vote"
        value={voted.value}
        onChange={voted.set}
        hint={
          rule === 'per-voter'
            ? 'Your one ballot: cast when voting opens. Changing it casts a new ballot that replaces the earlier one, until voting ends.'
            : 'Goes into the ballots you mine from now on; ballots already on the chain keep theirs. With no vote you still mine, without ballots.'
        }
      />
      <p className="error-text" role="status">
        {error}
      </p>
    </Card>
  );
}
