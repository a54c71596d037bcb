// A verification outcome as a few readable lines, for the command line.
import type { Outcome, RecordSummary } from './verify';

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
      const { yes, no, total } = outcome.result;
      return [
        'VERIFIED',
        ...summaryLines(outcome.summary),
        `  result:   yes ${yes}, no ${no} (${total} ballot${total === 1 ? '' : 's'})`,
      ].join('\n');
    }
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
    `  ballots:  ${s.ballots}, tally α ${s.tally.alpha.slice(0, 16)}… β ${s.tally.beta.slice(0, 16)}…`,
    ...(s.version === 1
      ? ['  protocol: version 1 (no seal: its final block was chosen by the lower hash)']
      : s.sealedInRound !== undefined
        ? [`  sealed:   every tallier accepted the last block (round ${s.sealedInRound}); factors name it`]
        : []),
  ];
}
