import type { PayloadKind } from '../../../main/api/contract';

const LABELS: Record<PayloadKind, string> = {
  tallier_key: 'key',
  ceremony: 'backups',
  ballot: 'ballot',
  ballots: 'ballots',
  confirmation: 'confirm',
};

/** What a block carries: a tallier key, key backups, a ballot, voters' ballots, or nothing (a confirmation). */
export function KindBadge({ kind }: { kind: PayloadKind }) {
  return <span className={`badge kind kind-${kind}`}>{LABELS[kind]}</span>;
}
