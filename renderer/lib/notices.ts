// What is worth a desktop notification (notifications.ts shows them): a phase begins, this
// participant's ballot is in, the result is verified. Pure, so that it is tested without a browser.
import type { DashboardState } from '../../main/api/contract';

export interface Notice {
  readonly title: string;
  readonly body: string;
}

/** What changed from `before` to `after` that is worth a notification, in order. */
export function noticesBetween(before: DashboardState, after: DashboardState): Notice[] {
  const notices: Notice[] = [];
  const title = after.election?.title ?? 'Onion Election';
  const [from, to] = [before.chain?.phase, after.chain?.phase];
  if (from && to && from !== to) {
    const text = {
      ceremony: 'The key holders are chosen: they now exchange backup shares of their keys.',
      vote: 'Voting has begun: the ballots go into the next blocks.',
      confirm: 'Voting has ended: a few more blocks confirm the last ballots.',
      final: 'The tally is fixed: the talliers decrypt the total next.',
      key: undefined,
    }[to];
    if (text) notices.push({ title, body: text });
  }
  const counted = new Set((before.receipts ?? []).filter((r) => r.state === 'counted').map((r) => r.tracker));
  const newlyCounted = (after.receipts ?? []).filter((r) => r.state === 'counted' && !counted.has(r.tracker));
  if (newlyCounted.length > 0 && before.receipts !== undefined)
    notices.push({
      title,
      body:
        newlyCounted.length === 1
          ? `Your ballot is in block ${newlyCounted[0]!.height} of the chain, and counted.`
          : `${newlyCounted.length} of your ballots are in the chain, and counted.`,
    });
  const [was, is] = [before.result?.verification.status, after.result?.verification.status];
  if (is === 'verified' && was !== 'verified' && after.result?.result) {
    const result = after.result.result;
    const said =
      'yes' in result
        ? `yes ${result.yes}, no ${result.no}`
        : result.questions.map((q) => q.outcome).join('; ');
    notices.push({ title, body: `The result is verified: ${said}.` });
  }
  return notices;
}
