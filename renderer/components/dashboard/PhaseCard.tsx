import { formatCount, formatDuration } from '../../lib/format';
import { useDashboard } from '../../store';
import { blockInterval, phaseProgress } from '../../tree/progress';
import { useTreeIndex } from '../../tree/use-tree-index';
import { Card } from '../ui/Card';
import { ProgressBar } from '../ui/ProgressBar';

/** The three phases with their blocks done, the current one highlighted, and the time left. */
export function PhaseCard() {
  const election = useDashboard((state) => state.election);
  const chain = useDashboard((state) => state.chain);
  const index = useTreeIndex();
  if (!election) return null;
  const height = chain?.height ?? 0;
  const phase = chain?.phase ?? 'key';
  const final = phase === 'final';
  const interval = blockInterval(index, height);
  const left = election.finalHeight - height;
  return (
    <Card
      title="Progress"
      className="phase-card"
      actions={
        <span className="height-label">
          height <strong className="num">{formatCount(height)}</strong> of {formatCount(election.finalHeight)}
        </span>
      }
    >
      <ol className="phases">
        {phaseProgress(election, height).map((p) => {
          const current = p.phase === phase;
          const complete = p.done === p.size;
          return (
            <li key={p.phase} className={current ? 'phase current' : complete ? 'phase complete' : 'phase'}>
              <div className="phase-name">
                <span>{p.name}</span>
                {current && <span className="badge accent">now</span>}
                {complete && (
                  <span className="phase-check">
                    <span aria-hidden="true">✓</span>
                    <span className="sr-only">complete</span>
                  </span>
                )}
              </div>
              <div className="phase-range">
                heights {formatCount(p.first)}–{formatCount(p.last)}
              </div>
              <ProgressBar value={p.done} max={p.size} label={p.name} tone={complete ? 'ok' : 'accent'} />
              <div className="phase-count num">
                {formatCount(p.done)} / {formatCount(p.size)} blocks
              </div>
            </li>
          );
        })}
      </ol>
      <p className="phase-summary" aria-live="polite">
        {final
          ? `Final at height ${formatCount(election.finalHeight)}: the tally is fixed.`
          : interval === undefined
            ? `${formatCount(left)} blocks to go; estimating the time left once a few more blocks arrive.`
            : `${formatCount(left)} blocks to go: ${timeLeft(left, interval)}.`}
      </p>
    </Card>
  );
}

/** "about 12 min at one block every 30 s", in words that also fit blocks faster than a second. */
function timeLeft(blocks: number, interval: number): string {
  const total = blocks * interval;
  const eta = total < 1 ? 'under a second' : `about ${formatDuration(total)}`;
  const rate =
    interval < 1
      ? `${formatCount(Math.round(1 / Math.max(interval, 0.001)))} blocks a second`
      : `one block every ${formatDuration(interval)}`;
  return `${eta} at ${rate}`;
}
