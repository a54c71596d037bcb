import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { verifyRecord } from '../main/verify/verify';
import { buildPerVoterVectors, PER_VOTER_INVALID_PATH, PER_VOTER_PATH } from './per-voter-vectors';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('per-voter test vectors (docs/test-vectors/record-per-voter*.json)', () => {
  const valid = read(PER_VOTER_PATH);
  const invalid = read(PER_VOTER_INVALID_PATH);

  test('regenerating them from their fixed inputs gives the committed files exactly', () => {
    const built = buildPerVoterVectors();
    assert.deepEqual(built.valid, valid);
    assert.deepEqual(built.invalid, invalid);
  });

  test('the valid record verifies: each voter’s last ballot counts, 3 of 4 registered voters', async () => {
    const outcome = await verifyRecord(valid, { workers: 0 });
    assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
    if (outcome.status !== 'verified') return;
    assert.deepEqual(outcome.result, { yes: 1, no: 2, total: 3 });
    assert.equal(outcome.summary.ballotRule, 'per-voter');
    assert.equal(outcome.summary.voters, 4);
    assert.equal(outcome.summary.ballots, 3);
  });

  test('a tracker: the revoted ballot is replaced, the revote counted, an unknown one absent', async () => {
    const { ballotTracker } = await import('../main/crypto/credential');
    const { parseBlock } = await import('../main/chain/block');
    const { Group } = await import('../main/crypto/group');
    const group = Group.default();
    const [first, revote] = [3, 4].map((i) => {
      const block = parseBlock(group, valid.blocks[i]);
      if (block.payload.kind !== 'ballots') throw new Error('not a voting block');
      return ballotTracker(group, block.payload.ballots[0]!.ballot);
    }) as [string, string];
    const find = async (tracker: string) => {
      const outcome = await verifyRecord(valid, { workers: 0, tracker });
      return outcome.status === 'verified' ? outcome.summary.tracker : undefined;
    };
    assert.deepEqual(await find(first.slice(0, 16)), { tracker: first, state: 'replaced', height: 4, by: 5 });
    assert.deepEqual(await find(revote), { tracker: revote, state: 'counted', height: 5 });
    assert.deepEqual(await find('0123456789abcdef'), { tracker: '0123456789abcdef', state: 'absent' });
  });

  test('every invalid variant is refused for its stated reason', async () => {
    assert.ok(invalid.length >= 10);
    assert.equal(new Set(invalid.map((v: { name: string }) => v.name)).size, invalid.length);
    for (const vector of invalid) {
      const outcome = await verifyRecord(vector.record, { workers: 0 });
      assert.equal(outcome.status, 'invalid', `${vector.name}: ${JSON.stringify(outcome).slice(0, 300)}`);
      if (outcome.status === 'invalid')
        assert.ok(outcome.error.includes(vector.error), `${vector.name}: ${outcome.error}`);
    }
  });
});
