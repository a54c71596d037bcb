import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { buildCryptoVectors, VECTORS_PATH } from '../../scripts/crypto-vectors';
import { verifyBallot } from './ballot';
import { parseBallot, parseCiphertext, parseDecryptionFactor, parseTallierKey } from './codec';
import { decryptTally, verifyDecryptionFactor } from './decryption';
import { Group, RFC3526_MODP_2048 } from './group';
import { electionKey } from './tallier';

const committed = JSON.parse(readFileSync(VECTORS_PATH, 'utf8'));

describe('known-answer vectors (docs/test-vectors/crypto-v1.json)', () => {
  test('recomputing every output from the listed inputs gives the committed file exactly', () => {
    assert.deepEqual(buildCryptoVectors(), committed);
  });

  test('the pure-bigint backend computes the very same vectors', () => {
    const group = Group.fromParams(RFC3526_MODP_2048, { backend: 'bigint' });
    assert.equal(group.backend.name, 'bigint');
    assert.deepEqual(buildCryptoVectors(group), committed);
  });

  test('the committed outputs verify through the public parsers and checks', () => {
    const group = Group.default();
    const context = Buffer.from(committed.context, 'hex');
    const keys = committed.talliers.map((t: { tallier_key: unknown }) =>
      parseTallierKey(group, t.tallier_key),
    );
    const h = electionKey(group, context, keys);
    assert.equal(h.toString(16).padStart(512, '0'), committed.election_key);
    for (const b of committed.ballots) verifyBallot(group, context, h, parseBallot(group, b.ballot));
    const tally = parseCiphertext(group, committed.tally);
    const factors = committed.talliers.map((t: { dec_factor: unknown }) =>
      parseDecryptionFactor(group, t.dec_factor),
    );
    for (const f of factors) verifyDecryptionFactor(group, context, tally, f);
    const result = decryptTally(
      group,
      context,
      tally,
      committed.ballots.length,
      keys.map((k: { pk: bigint }) => k.pk),
      factors,
    );
    assert.deepEqual(result, committed.result);
    assert.deepEqual(result, { yes: 2, no: 1, total: 3 });
  });
});
