// A verification outcome as a few readable lines, for the command line.

import { describeResult, standings } from '../chain/standings';
import type { Outcome, RecordSummary, TrackerFinding } from './verify';

export function formatOutcome(outcome: Outcome): string {
  switch (outcome.status) {
    case 'invalid':
      return `INVALID — ${outcome.error}`;
    case 'incomplete':
      return [
        `INCOMPLETE — valid so far: ${outcome.reason}`,
        ...summaryLines(outcome.summary),
        '  result:   not yet known',
      ].join('\n');
    case 'verified': {
      const { total } = outcome.result;
      return [
        'VERIFIED',
        ...summaryLines(outcome.summary),
        `  result:   ${'yes' in outcome.result ? `yes ${outcome.result.yes}, no ${outcome.result.no}` : describeResult(outcome.summary.questions, outcome.result)} (${total} ballot${total === 1 ? '' : 's'})`,
        ...('counts' in outcome.result
          ? standings(outcome.summary.questions ?? [], outcome.result).map(
              (q, i) =>
                `  counts ${i + 1}: ${q.options.map((o) => `${o.label} ${o.count}${o.winner ? ' ✓' : ''}`).join(', ')}`,
            )
          : []),
      ].join('\n');
    }
  }
}

function trackerLine(t: TrackerFinding): string {
  switch (t.state) {
    case 'counted':
      return `${t.tracker} is counted (block ${t.height})`;
    case 'replaced':
      return `${t.tracker} is in block ${t.height}, but its voter's later ballot in block ${t.by} counts instead`;
    case 'absent':
      return `${t.tracker} is not in this record: that ballot is not counted`;
  }
}

function summaryLines(s: RecordSummary): string[] {
  const talliers = s.talliers.length
    ? s.talliers.map((t) => `${t.pk}… (${t.count}×)`).join(', ')
    : 'not elected yet';
  return [
    `  election: ${s.title} — ${s.question}`,
    `  id:       ${s.electionId}`,
    `  chain:    height ${s.height} of ${s.finalHeight}, ${s.phase === 'final' ? 'final' : `next: ${s.phase} phase`}`,
    `  talliers: ${talliers}`,
    ...(s.threshold
      ? [
          `  quorum:   any ${s.threshold.quorum} of ${s.threshold.qualified.length} qualified talliers decrypt${s.threshold.excluded.length ? `; left out by the key ceremony: ${s.threshold.excluded.map((pk) => `${pk}…`).join(', ')}` : ''}`,
          ...(s.threshold.stoodIn.length
            ? [
                `  stand-ins: the part of ${s.threshold.stoodIn.map((pk) => `${pk}…`).join(', ')} came from the other talliers' backups (every proof checked)`,
              ]
            : []),
        ]
      : []),
    s.voters === undefined
      ? `  ballots:  ${s.ballots} (one per block found), ${tallyText(s)}`
      : `  turnout:  ${s.ballots} of ${s.voters} registered voters cast a ballot (each voter's last counts), ${tallyText(s)}`,
    ...(s.questions ?? []).map(
      (q, i) => `  question ${i + 1}: ${q.text} (${q.options.length} options: ${q.options.join(', ')})`,
    ),
    ...(s.tracker ? [`  tracker:  ${trackerLine(s.tracker)}`] : []),
    ...(s.version === 1
      ? ['  protocol: version 1 (no seal: its final block was chosen by the lower hash)']
      : s.sealedInRound !== undefined
        ? [
            s.sealedBy && s.sealedBy.accepted < s.sealedBy.of
              ? `  sealed:   ${s.sealedBy.accepted} of ${s.sealedBy.of} talliers accepted the last block (round ${s.sealedInRound}), the seal quorum; factors name it`
              : `  sealed:   every tallier accepted the last block (round ${s.sealedInRound}); factors name it`,
          ]
        : []),
  ];
}

/** The yes/no tally's prefix, or how many tallies there are (one per option). */
function tallyText(s: RecordSummary): string {
  if (s.questions) {
    const n = s.questions.reduce((k, q) => k + q.options.length, 0);
    return `${n} tallies, one per option`;
  }
  return `tally α ${s.tally.alpha.slice(0, 16)}… β ${s.tally.beta.slice(0, 16)}…`;
}
