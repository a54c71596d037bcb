import type { CandidateView } from '../../../main/api/contract';
import { formatCount } from '../../lib/format';
import { useDashboard } from '../../store';
import { Card } from '../ui/Card';

/** The key election: every tallier key seen on the best chain, and which won a seat. */
export function CandidatesCard() {
  const candidates = useDashboard((state) => state.chain?.candidates ?? NONE);
  const electionKey = useDashboard((state) => state.chain?.electionKey);
  const seats = useDashboard((state) => state.election?.nTalliers ?? 0);
  return (
    <Card
      title="Candidate keys"
      actions={
        <span className="muted">
          {seats} seat{seats === 1 ? '' : 's'}
        </span>
      }
    >
      {candidates.length === 0 ? (
        <p className="empty">No key blocks yet: keys appear as the key election’s blocks are mined.</p>
      ) : (
        <div className="table-scroll">
          <table className="candidates">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col" className="num">
                  Blocks
                </th>
                <th scope="col" className="num">
                  Last
                </th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {candidates.map((c) => (
                <CandidateRows key={c.key} candidate={c} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {electionKey && (
        <p className="election-key">
          Election key <code className="mono">{electionKey}</code>: the product of the elected keys.
        </p>
      )}
    </Card>
  );
}

/** Two rows: the figures, then the reason in words across the table. */
function CandidateRows({ candidate: c }: { candidate: CandidateView }) {
  const tie = /tie rule/i.test(c.reason);
  return (
    <>
      <tr className={c.elected ? 'elected' : undefined}>
        <td>
          <code className="mono">{c.key}</code>
          {c.mine && <span className="badge you">you</span>}
        </td>
        <td className="num">{formatCount(c.count)}</td>
        <td className="num">{formatCount(c.lastHeight)}</td>
        <td>
          <div className="outcome">
            <span className={c.elected ? 'badge ok' : 'badge muted'}>
              {c.elected ? 'elected' : 'not elected'}
            </span>
            {tie && <span className="badge warn">tie rule</span>}
          </div>
        </td>
      </tr>
      <tr className="reason-row">
        <td colSpan={4}>{c.reason}</td>
      </tr>
    </>
  );
}

const NONE: readonly never[] = [];
