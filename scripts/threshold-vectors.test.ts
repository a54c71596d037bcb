import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { formatOutcome, verifyRecord } from '../main/verify/verify';
import { buildThresholdVectors, THRESHOLD_INVALID_PATH, THRESHOLD_PATH } from './threshold-vectors';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('threshold test vectors (docs/test-vectors/record-threshold*.json)', () => {
  const valid = read(THRESHOLD_PATH);
  const invalid = read(THRESHOLD_INVALID_PATH);

  test('regenerating them from their fixed inputs gives the committed files exactly', () => {
    const built = buildThresholdVectors();
    assert.deepEqual(built.valid, valid);
    assert.deepEqual(built.invalid, invalid);
  });

  test('the valid record verifies: E excluded by a complaint, D absent, A, B and C standing in for it', async () => {
    const outcome = await verifyRecord(valid, { workers: 0 });
    assert.equal(outcome.status, 'verified', JSON.stringify(outcome).slice(0, 300));
    if (outcome.status !== 'verified') return;
    assert.deepEqual(outcome.result, { yes: 2, no: 1, total: 3 });
    assert.equal(valid.seal.length, 3);
    assert.equal(valid.dec_factors.length, 3);
    assert.equal(valid.compensated_factors.length, 3);
    const { threshold, sealedBy } = outcome.summary;
    assert.equal(threshold?.quorum, 3);
    assert.equal(threshold?.qualified.length, 4);
    assert.equal(threshold?.excluded.length, 1, 'E, left out');
    assert.equal(threshold?.stoodIn.length, 1, 'D, stood in for');
    assert.deepEqual(sealedBy, { accepted: 3, of: 4 });
    const text = formatOutcome(outcome);
    assert.match(
      text,
      /quorum: {3}any 3 of 4 qualified talliers decrypt; left out by the key ceremony: [0-9a-f]{16}…/,
    );
    assert.match(text, /stand-ins: the part of [0-9a-f]{16}… came from the other talliers' backups/);
    assert.match(text, /sealed: {3}3 of 4 talliers accepted the last block \(round 1\), the seal quorum/);
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
