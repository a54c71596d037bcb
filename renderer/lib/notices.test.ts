import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DashboardState, ReceiptView } from '../../main/api/contract';
import { noticesBetween } from './notices';

/** Just the parts noticesBetween reads. */
const state = (parts: {
  phase?: 'key' | 'vote' | 'confirm' | 'final';
  receipts?: ReceiptView[];
  verification?: 'idle' | 'running' | 'verified';
}): DashboardState =>
  ({
    election: { title: 'Pizza' },
    ...(parts.phase ? { chain: { phase: parts.phase } } : {}),
    ...(parts.receipts ? { receipts: parts.receipts } : {}),
    ...(parts.verification
      ? { result: { verification: { status: parts.verification }, result: { yes: 3, no: 1, total: 4 } } }
      : {}),
  }) as unknown as DashboardState;
const sent: ReceiptView = { tracker: 'a'.repeat(64), state: 'sent', vote: 'yes' };
const counted: ReceiptView = { ...sent, state: 'counted', height: 7 };

describe('what is worth a notification', () => {
  test('a phase beginning, a ballot counted, the result verified: each once, on the change', () => {
    assert.deepEqual(noticesBetween(state({ phase: 'key' }), state({ phase: 'vote' })), [
      { title: 'Pizza', body: 'Voting has begun: the ballots go into the next blocks.' },
    ]);
    assert.deepEqual(
      noticesBetween(
        state({ phase: 'vote', receipts: [sent] }),
        state({ phase: 'vote', receipts: [counted] }),
      ),
      [{ title: 'Pizza', body: 'Your ballot is in block 7 of the chain, and counted.' }],
    );
    assert.deepEqual(
      noticesBetween(
        state({ phase: 'final', verification: 'running' }),
        state({ phase: 'final', verification: 'verified' }),
      ),
      [{ title: 'Pizza', body: 'The result is verified: yes 3, no 1.' }],
    );
  });

  test('nothing changed, or what was already so, tells nothing', () => {
    const same = state({ phase: 'vote', receipts: [counted], verification: 'verified' });
    assert.deepEqual(noticesBetween(same, same), []);
    assert.deepEqual(
      noticesBetween(
        state({ phase: 'vote', receipts: [counted] }),
        state({ phase: 'vote', receipts: [counted] }),
      ),
      [],
    );
    // The first receipts seen (none known before) are not news.
    assert.deepEqual(
      noticesBetween(state({ phase: 'vote' }), state({ phase: 'vote', receipts: [counted] })),
      [],
    );
  });
});
