import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ValidationError } from '../main/crypto/errors';
import { readJson } from '../main/crypto/json';
import { verifyRecord } from '../main/verify/verify';
import {
  buildJsonVectors,
  buildProtocolVectors,
  buildProtocolVectorsV2,
  INVALID_JSON_PATH,
  INVALID_PATH,
  INVALID_V2_PATH,
  type InvalidJsonVector,
  type InvalidVector,
  RECORD_PATH,
  RECORD_V2_PATH,
  recordText,
} from './protocol-vectors';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

async function assertAllRefused(invalid: InvalidVector[]): Promise<void> {
  assert.equal(new Set(invalid.map((v) => v.name)).size, invalid.length, 'variant names are unique');
  for (const vector of invalid) {
    const outcome = await verifyRecord(vector.record, { workers: 0 });
    assert.equal(outcome.status, 'invalid', `${vector.name}: ${JSON.stringify(outcome).slice(0, 300)}`);
    if (outcome.status === 'invalid')
      assert.ok(outcome.error.includes(vector.error), `${vector.name}: ${outcome.error}`);
  }
}

/** The first 16 hex digits of the tallier keys of the blocks at `heights`: how the verifier names them. */
function keyPrefixes(record: { blocks: { payload: { tallier_key?: { pk: string } } }[] }, heights: number[]) {
  return heights.map((h) => record.blocks[h - 1]!.payload.tallier_key!.pk.slice(0, 16));
}

describe('protocol test vectors (docs/test-vectors/record-v1*.json)', () => {
  const valid = read(RECORD_PATH);
  const invalid = read(INVALID_PATH);

  test('regenerating them from their fixed inputs gives the committed files exactly', () => {
    const built = buildProtocolVectors();
    assert.deepEqual(built.valid, valid);
    assert.deepEqual(built.invalid, invalid);
  });

  test('the valid record verifies, with the tie rule electing A and B, and the result 3 yes, 1 no', async () => {
    const outcome = await verifyRecord(valid, { workers: 0 });
    assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
    assert.deepEqual(outcome.status === 'verified' && outcome.result, { yes: 3, no: 1, total: 4 });
    assert.equal(outcome.status === 'verified' && outcome.summary.version, 1);
    assert.deepEqual(
      outcome.status === 'verified' && outcome.summary.talliers.map((t) => t.pk),
      keyPrefixes(valid, [1, 2]),
    );
  });

  test('every invalid variant is refused for its stated reason', async () => {
    assert.ok(invalid.length >= 8);
    await assertAllRefused(invalid);
  });
});

describe('protocol test vectors (docs/test-vectors/record-v2*.json)', () => {
  const valid = read(RECORD_V2_PATH);
  const invalid = read(INVALID_V2_PATH);

  test('regenerating them from their fixed inputs gives the committed files exactly', () => {
    const built = buildProtocolVectorsV2();
    assert.deepEqual(built.valid, valid);
    assert.deepEqual(built.invalid, invalid);
  });

  test('the valid record is the version-1 election in version 2: another id, a seal, factors naming the last block', () => {
    const v1 = read(RECORD_PATH);
    assert.equal(valid.format, 'onion-election/record/v2');
    assert.equal(valid.genesis.version, 2);
    assert.deepEqual({ ...valid.genesis, version: 1 }, v1.genesis);
    assert.notEqual(valid.blocks[0].prev, v1.blocks[0].prev, 'the election id depends on the version');
    assert.equal(valid.blocks.length, 9);
    const seal = valid.seal as { pk: string; final: string; round: number }[];
    assert.equal(seal.length, 2);
    const factors = valid.dec_factors as { pk: string; final: string }[];
    assert.deepEqual(
      seal.map((a) => a.pk),
      factors.map((f) => f.pk),
    );
    assert.deepEqual(
      seal.map((a) => a.pk),
      [valid.blocks[0].payload.tallier_key.pk, valid.blocks[1].payload.tallier_key.pk],
      'A and B, in the talliers’ order',
    );
    assert.ok(seal.every((a) => a.round === 1));
    // Every acceptance and factor names the last block: the hash the verifier computes for it.
    const finals = new Set([...seal.map((a) => a.final), ...factors.map((f) => f.final)]);
    assert.equal(finals.size, 1);
  });

  test('the valid record verifies, sealed in round 1, with the talliers A and B and the result 3 yes, 1 no', async () => {
    const outcome = await verifyRecord(valid, { workers: 0 });
    assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
    if (outcome.status !== 'verified') return;
    assert.deepEqual(outcome.result, { yes: 3, no: 1, total: 4 });
    assert.equal(outcome.summary.version, 2);
    assert.equal(outcome.summary.sealedInRound, 1);
    assert.deepEqual(
      outcome.summary.talliers.map((t) => t.pk),
      keyPrefixes(valid, [1, 2]),
    );
    assert.deepEqual(
      outcome.summary.talliers.map((t) => t.count),
      [2, 1],
    );
  });

  test('every invalid variant is refused for its stated reason', async () => {
    const names = invalid.map((v: InvalidVector) => v.name);
    for (const required of [
      'seal-missing-tallier',
      'seal-from-non-tallier',
      'seal-mixed-rounds',
      'forged-acceptance',
      'seal-of-replaced-chain',
      'factor-for-another-block',
      'factor-without-final',
      'factor-relabelled',
      'factor-without-seal',
      'genesis-version-mismatch',
    ])
      assert.ok(names.includes(required), required);
    await assertAllRefused(invalid);
  });

  test('the replaced-chain variants differ from the valid record only where they say', () => {
    const byName = new Map<string, InvalidVector>(invalid.map((v: InvalidVector) => [v.name, v]));
    // The rival chain: the same blocks but the last, re-mined by another miner; the same seal and factors.
    const replaced = byName.get('seal-of-replaced-chain')!.record;
    assert.deepEqual(replaced.blocks.slice(0, -1), valid.blocks.slice(0, -1));
    assert.notEqual(replaced.blocks.at(-1)!.miner, valid.blocks.at(-1).miner);
    assert.deepEqual(replaced.seal, valid.seal);
    assert.deepEqual(replaced.dec_factors, valid.dec_factors);
    // The relabelled factor is B's valid factor with only `final` changed to the rival block.
    const relabelled = byName.get('factor-relabelled')!.record;
    assert.deepEqual(relabelled.blocks, replaced.blocks);
    assert.deepEqual(relabelled.dec_factors[1], {
      ...valid.dec_factors[1],
      final: relabelled.seal![0]!.final,
    });
    assert.notEqual(relabelled.seal![0]!.final, valid.seal[0].final);
  });
});

/** The variants JSON.parse reads as the valid record (it refuses a leading zero and a BOM itself). */
const LENIENTLY_VALID = ['duplicate-key', 'duplicate-key-escaped', 'number-fraction', 'number-exponent'];

describe('protocol JSON test vectors (docs/test-vectors/record-v2-invalid-json.json)', () => {
  const valid = read(RECORD_V2_PATH);
  const vectors: InvalidJsonVector[] = read(INVALID_JSON_PATH);

  test('regenerating them from record-v2.json gives the committed file exactly', () => {
    assert.equal(
      recordText(valid),
      readFileSync(RECORD_V2_PATH, 'utf8'),
      'record-v2.json is its canonical text',
    );
    assert.deepEqual(buildJsonVectors(valid), vectors);
  });

  test('each text is refused by the reader, naming the place; JSON.parse would have read the valid record', async () => {
    assert.ok(vectors.length >= 7);
    for (const { name, error, text } of vectors) {
      assert.throws(
        () => readJson(text, 'record'),
        (e: unknown) => e instanceof ValidationError && e.message.includes(error),
        name,
      );
      if (LENIENTLY_VALID.includes(name))
        assert.deepEqual(JSON.parse(text), valid, `${name}: a lenient reader sees the valid record`);
    }
    // The valid text itself reads, and verifies.
    const outcome = await verifyRecord(readJson(readFileSync(RECORD_V2_PATH, 'utf8'), 'record'), {
      workers: 0,
    });
    assert.equal(outcome.status, 'verified');
  });
});
