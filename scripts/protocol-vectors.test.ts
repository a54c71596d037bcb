import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { verifyRecord } from '../main/verify/verify';
import { buildProtocolVectors, INVALID_PATH, RECORD_PATH } from './protocol-vectors';

const valid = JSON.parse(readFileSync(RECORD_PATH, 'utf8'));
const invalid = JSON.parse(readFileSync(INVALID_PATH, 'utf8'));

describe('protocol test vectors (docs/test-vectors/record-v1*.json)', () => {
  test('regenerating them from their fixed inputs gives the committed files exactly', () => {
    const built = buildProtocolVectors();
    assert.deepEqual(built.valid, valid);
    assert.deepEqual(built.invalid, invalid);
  });

  test('the valid record verifies, with the tie rule electing A and B, and the result 3 yes, 1 no', async () => {
    const outcome = await verifyRecord(valid, { workers: 0 });
    assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
    assert.deepEqual(outcome.status === 'verified' && outcome.result, { yes: 3, no: 1, total: 4 });
  });

  test('every invalid variant is refused for its stated reason', async () => {
    assert.ok(invalid.length >= 8);
    for (const vector of invalid) {
      const outcome = await verifyRecord(vector.record, { workers: 0 });
      assert.equal(outcome.status, 'invalid', `${vector.name}: ${JSON.stringify(outcome).slice(0, 300)}`);
      if (outcome.status === 'invalid')
        assert.ok(outcome.error.includes(vector.error), `${vector.name}: ${outcome.error}`);
    }
  });
});
