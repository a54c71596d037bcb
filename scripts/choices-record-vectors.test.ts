import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { verifyRecord } from '../main/verify/verify';
import { buildChoicesVectors, CHOICES_INVALID_PATH, CHOICES_PATH } from './choices-record-vectors';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('questions-with-choices test vectors (docs/test-vectors/record-choices*.json)', () => {
  const valid = read(CHOICES_PATH);
  const invalid = read(CHOICES_INVALID_PATH);

  test('regenerating them from their fixed inputs gives the committed files exactly', () => {
    const built = buildChoicesVectors();
    assert.deepEqual(built.valid, valid);
    assert.deepEqual(built.invalid, invalid);
  });

  test('the valid record verifies, with every option’s count, and says who won', async () => {
    for (const workers of [0, 2]) {
      const outcome = await verifyRecord(valid, { workers });
      assert.equal(outcome.status, 'verified', JSON.stringify(outcome).slice(0, 300));
      if (outcome.status !== 'verified') return;
      assert.deepEqual(outcome.result, {
        total: 4,
        counts: [
          [2, 1, 3, 0, 0],
          [1, 2, 1],
        ],
      });
    }
    const { formatOutcome } = await import('../main/verify/format');
    const text = formatOutcome(await verifyRecord(valid, { workers: 0 }));
    assert.match(text, /result: {3}Chen and Ada · 10 May \(4 ballots\)/);
  });

  test('every invalid variant is refused for its stated reason', async () => {
    assert.ok(invalid.length >= 9);
    assert.equal(new Set(invalid.map((v: { name: string }) => v.name)).size, invalid.length);
    for (const vector of invalid) {
      const outcome = await verifyRecord(vector.record, { workers: 0 });
      assert.equal(outcome.status, 'invalid', `${vector.name}: ${JSON.stringify(outcome).slice(0, 300)}`);
      if (outcome.status === 'invalid')
        assert.ok(outcome.error.includes(vector.error), `${vector.name}: ${outcome.error}`);
    }
  });
});
