import type { CandidateView } from '../../../main/api/contract';
import { formatCount } from '../../lib/format';
import { useDashboard } from '../../store';
import { Card } from '../ui/Card';

/**
 * The key election: every tallier key seen on the best chain, and which won a seat. Until its last
 * block, the keys ahead are "leading", not "elected": a later block can still change the order.
 */
export function CandidatesCard() {
  const candidates = useDashboard((state) => state.chain?.candidates ?? NONE);
  const electionKey = useDashboard((state) => state.chain?.electionKey);
  const seats = useDashboard((state) => state.election?.nTalliers ?? 0);
  const quorum = useDashboard((state) => state.election?.quorum);
  // Once the ceremony is over: the elected keys whose backups were checked and taken.
  const qualified = candidates.filter((c) => c.elected && c.backups === 'dealt').length;
  const height = useDashboard((state) => state.chain?.height ?? 0);
  const lastKeyBlock = useDashboard((state) => state.election?.keyElectionHeight ?? 0);
  const complete = lastKeyBlock > 0 && height >= lastKeyBlock;
  return (
    <Card
      title="Candidate keys"
      actions={
        <span className="muted">
          {seats} seat{seats === 1 ? '' : 's'}
          {quorum !== undefined && qualified > 0 ? `, ${qualified} qualified` : ''}
          {quorum !== undefined ? `, any ${quorum} decrypt` : ''}
        </span>
      }
    >
      {candidates.length === 0 ? (
        <p className="empty">No key blocks yet: keys appear as the key election’s blocks are mined.</p>
      ) : (
        <>
          {!complete && (
            <p className="muted candidates-note">
              The key election is on: block {formatCount(height)} of {formatCount(lastKeyBlock)}. The keys
              ahead are leading; they are elected once its last block is found.
            </p>
          )}
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
                  <CandidateRows key={c.key} candidate={c} complete={complete} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {electionKey && (
        <p className="election-key">
          Election key <code className="mono">{electionKey}</code>: the product of the{' '}
          {quorum === undefined ? 'elected keys' : 'keys of the key holders that passed the key ceremony'}.
        </p>
      )}
    </Card>
  );
}

/**
 * A candidate's standing in words: "elected" / "not elected" once the key election is complete,
 * "leading" / "not leading" before (its reason, as the engine words it, likewise).
 */
export function standing(c: CandidateView, complete: boolean): { label: string; reason: string } {
  if (complete) return { label: c.elected ? 'elected' : 'not elected', reason: c.reason };
  const label = c.elected ? 'leading' : 'not leading';
  return { label, reason: c.reason.replace(/^(not )?elected\b/, label) };
}

/** Two rows: the figures, then the reason in words across the table. */
function CandidateRows({ candidate: c, complete }: { candidate: CandidateView; complete: boolean }) {
  const tie = /tie rule/i.test(c.reason);
  const { label, reason } = standing(c, complete);
  return (
    <>
      <tr className={c.elected ? (complete ? 'elected' : 'leading') : undefined}>
        <td>
          <code className="mono">{c.key}</code>
          {c.mine && <span className="badge you">you</span>}
        </td>
        <td className="num">{formatCount(c.count)}</td>
        <td className="num">{formatCount(c.lastHeight)}</td>
        <td>
          <div className="outcome">
            <span className={c.elected ? (complete ? 'badge ok' : 'badge accent') : 'badge muted'}>
              {label}
            </span>
            {tie && <span className="badge warn">tie rule</span>}
            {c.backups && <BackupsBadge backups={c.backups} />}
          </div>
        </td>
      </tr>
      <tr className="reason-row">
        <td colSpan={4}>{reason}</td>
      </tr>
    </>
  );
}

/** Threshold talliers: an elected key's part in the key ceremony, in words. */
const BACKUPS = {
  dealt: ['ok', 'backups sent', 'Its backup pieces for the other key holders are on the chain.'],
  awaited: [
    'muted',
    'backups awaited',
    'Its backup pieces for the other key holders are not on the chain yet.',
  ],
  'proven-wrong': [
    'bad',
    'excluded',
    'A key holder proved one of its backup pieces wrong: its key is left out of the election key.',
  ],
  missed: [
    'bad',
    'excluded',
    'Its backup pieces did not reach the chain in time: its key is left out of the election key.',
  ],
} as const;

function BackupsBadge({ backups }: { backups: NonNullable<CandidateView['backups']> }) {
  const [tone, label, title] = BACKUPS[backups];
  return (
    <span className={`badge ${tone}`} title={title}>
      {label}
    </span>
  );
}

const NONE: readonly never[] = [];
