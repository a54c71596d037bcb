import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  buildCryptoVectors,
  buildCryptoVectorsV2,
  type ChallengeInput,
  challengeInput,
  challengeOf,
  VECTORS_PATH,
  VECTORS_V2_PATH,
} from '../../scripts/crypto-vectors';
import { verifyBallot } from './ballot';
import { toBytes } from './bigint';
import {
  encodeDecryptionFactor,
  parseAcceptance,
  parseBallot,
  parseCiphertext,
  parseDecryptionFactor,
  parseTallierKey,
} from './codec';
import { decryptTally, verifyDecryptionFactor, yesNoResult } from './decryption';
import { ValidationError } from './errors';
import { u32 } from './framing';
import { Group, RFC3526_MODP_2048 } from './group';
import { decFactorChallenge, electionKey, verifyAcceptance } from './tallier';
import { framedHex } from './testing';
import { PROOF_TAGS } from './transcript';
import type { Acceptance, DecryptionFactor } from './types';

const committed = JSON.parse(readFileSync(VECTORS_PATH, 'utf8'));
const committedV2 = JSON.parse(readFileSync(VECTORS_V2_PATH, 'utf8'));

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
    for (const f of factors) verifyDecryptionFactor(group, context, [tally], f);
    const counts = decryptTally(
      group,
      context,
      [tally],
      committed.ballots.length,
      keys.map((k: { pk: bigint }) => k.pk),
      factors,
    );
    const result = yesNoResult(counts, committed.ballots.length);
    assert.deepEqual(result, committed.result);
    assert.deepEqual(result, { yes: 2, no: 1, total: 3 });
  });
});

/** Another block hash: `hash` with its last digit changed. */
const otherHash = (hash: string) =>
  hash.slice(0, -1) + ((Number.parseInt(hash.at(-1)!, 16) + 1) % 16).toString(16);

const refusedAsNotTheHash = (fn: () => void) =>
  assert.throws(
    fn,
    (e: unknown) => e instanceof ValidationError && /is not the hash of the statement/.test(e.message),
  );

describe('known-answer vectors of version 2 (docs/test-vectors/crypto-v2.json)', () => {
  const group = Group.default();
  const context = Buffer.from(committedV2.context, 'hex');
  const final: string = committedV2.final;
  const tally = parseCiphertext(group, committedV2.tally);

  /** The input's framing and its hash: the listed fields, framed, are the bytes, whose SHA-256 is `challenge`. */
  function checkInput(input: ChallengeInput, challenge: string, names: string[]): void {
    assert.deepEqual(
      input.fields.map((f) => f.name),
      names,
    );
    assert.equal(framedHex(input.fields), input.bytes);
    assert.equal(challengeOf(input), challenge);
    const field = (name: string) => input.fields.find((f) => f.name === name)!.bytes;
    assert.equal(field('context'), committedV2.context);
    assert.equal(field('final'), final);
    for (const n of ['p', 'q', 'g'] as const) assert.equal(field(n), committedV2.group[n]);
  }

  test('recomputing every output from the listed inputs gives the committed file exactly', () => {
    assert.deepEqual(buildCryptoVectorsV2(), committedV2);
  });

  test('the pure-bigint backend computes the very same vectors', () => {
    const bigintGroup = Group.fromParams(RFC3526_MODP_2048, { backend: 'bigint' });
    assert.equal(bigintGroup.backend.name, 'bigint');
    assert.deepEqual(buildCryptoVectorsV2(bigintGroup), committedV2);
  });

  test('the inputs are consistent: election key, tally, and the version-1 file untouched by version 2', () => {
    const keys = committedV2.talliers.map((t: { tallier_key: unknown }) =>
      parseTallierKey(group, t.tallier_key),
    );
    const h = electionKey(group, context, keys);
    assert.equal(h.toString(16).padStart(512, '0'), committedV2.election_key);
    const r = BigInt(`0x${committedV2.tally_randomness.r}`);
    assert.equal(tally.alpha, group.powG(r));
    assert.equal(tally.beta, group.mul(group.powG(BigInt(committedV2.tally_plaintext)), group.pow(h, r)));
    assert.notEqual(committedV2.context, committed.context);
  });

  test('each v2 dec_factor_poc: the challenge is the hash of its listed input, binds `final`, and verifies', () => {
    assert.equal(committedV2.dec_factors.length, 2);
    const factors: DecryptionFactor[] = [];
    for (const vector of committedV2.dec_factors) {
      const factor = parseDecryptionFactor(group, vector.dec_factor, 'dec_factor', 'untrusted', 2);
      assert.equal(factor.final, final);
      const challenge = factor.decFactorPoc.challenge.toString(16).padStart(64, '0');
      assert.equal(vector.challenge, challenge);
      checkInput(vector.challenge_input, challenge, [
        'tag',
        'p',
        'q',
        'g',
        'context',
        'final',
        'pk',
        'alpha',
        'beta',
        'd',
        'a',
        'b',
      ]);
      assert.equal(
        Buffer.from(vector.challenge_input.fields[0].bytes, 'hex').toString(),
        PROOF_TAGS.decFactorPocV2,
      );
      // The listed values are the factor's statement and commitments, in order.
      const { pk, decFactorPoc: poc } = factor;
      const d = factor.factors[0]!;
      const b = poc.b[0]!;
      const statement = [pk, tally.alpha, tally.beta, d, poc.a, b];
      assert.deepEqual(
        vector.challenge_input.fields.slice(6).map((f: { bytes: string }) => f.bytes),
        statement.map((x) => Buffer.from(toBytes(x, group.byteWidth)).toString('hex')),
      );
      // The layout of the vectors is main/crypto's, and main/crypto's is the layout of the vectors.
      assert.equal(decFactorChallenge(group, context, final, statement), poc.challenge);
      assert.deepEqual(
        challengeInput(
          group,
          PROOF_TAGS.decFactorPocV2,
          context,
          [['final', Buffer.from(final, 'hex')]],
          [
            ['pk', pk],
            ['alpha', tally.alpha],
            ['beta', tally.beta],
            ['d', d],
            ['a', poc.a],
            ['b', b],
          ],
        ),
        vector.challenge_input,
      );
      verifyDecryptionFactor(group, context, [tally], factor);
      assert.deepEqual(encodeDecryptionFactor(group, factor), vector.dec_factor);
      factors.push(factor);
    }
    const keys = committedV2.talliers.map((t: { tallier_key: unknown }) =>
      parseTallierKey(group, t.tallier_key),
    );
    const counts = decryptTally(
      group,
      context,
      [tally],
      committedV2.ballot_count,
      keys.map((k: { pk: bigint }) => k.pk),
      factors,
    );
    const result = yesNoResult(counts, committedV2.ballot_count);
    assert.deepEqual(result, committedV2.result);
    assert.deepEqual(result, { yes: 2, no: 1, total: 3 });
  });

  test('a v2 factor is refused with another final block, and without one (the version-1 challenge)', () => {
    for (const vector of committedV2.dec_factors) {
      const factor = parseDecryptionFactor(group, vector.dec_factor, 'dec_factor', 'untrusted', 2);
      refusedAsNotTheHash(() =>
        verifyDecryptionFactor(group, context, [tally], { ...factor, final: otherHash(final) }),
      );
      const { final: _final, ...v1 } = factor;
      refusedAsNotTheHash(() => verifyDecryptionFactor(group, context, [tally], v1));
      // Its JSON form without `final` is not a version-2 factor at all.
      const { final: _f, ...json } = vector.dec_factor;
      assert.throws(
        () => parseDecryptionFactor(group, json, 'dec_factor', 'untrusted', 2),
        /dec_factor\.final: is missing/,
      );
    }
  });

  test('each acceptance: the challenge is the hash of its listed input (final, round, pk, a), and it verifies', () => {
    assert.deepEqual(
      committedV2.acceptances.map((a: { tallier: number; acceptance: { round: number } }) => [
        a.tallier,
        a.acceptance.round,
      ]),
      [
        [0, 1],
        [1, 1],
        [0, 2],
      ],
    );
    for (const vector of committedV2.acceptances) {
      const acceptance = parseAcceptance(group, vector.acceptance);
      assert.equal(acceptance.final, final);
      assert.equal(
        acceptance.pk,
        parseTallierKey(group, committedV2.talliers[vector.tallier].tallier_key).pk,
      );
      const challenge = acceptance.signature.challenge.toString(16).padStart(64, '0');
      assert.equal(vector.challenge, challenge);
      checkInput(vector.challenge_input, challenge, [
        'tag',
        'p',
        'q',
        'g',
        'context',
        'final',
        'round',
        'pk',
        'a',
      ]);
      assert.equal(
        Buffer.from(vector.challenge_input.fields[0].bytes, 'hex').toString(),
        PROOF_TAGS.acceptance,
      );
      assert.equal(
        vector.challenge_input.fields[6].bytes,
        Buffer.from(u32(acceptance.round)).toString('hex'),
      );
      assert.deepEqual(
        challengeInput(
          group,
          PROOF_TAGS.acceptance,
          context,
          [
            ['final', Buffer.from(final, 'hex')],
            ['round', u32(acceptance.round)],
          ],
          [
            ['pk', acceptance.pk],
            ['a', acceptance.signature.commitment],
          ],
        ),
        vector.challenge_input,
      );
      verifyAcceptance(group, context, acceptance);
    }
    // The same signer, block and election in rounds 1 and 2: different challenges.
    const [first, , second] = committedV2.acceptances;
    assert.notEqual(first.challenge, second.challenge);
  });

  test('an acceptance is refused in another round, of another final block, or in another election', () => {
    for (const vector of committedV2.acceptances) {
      const acceptance: Acceptance = parseAcceptance(group, vector.acceptance);
      refusedAsNotTheHash(() =>
        verifyAcceptance(group, context, { ...acceptance, round: acceptance.round + 1 }),
      );
      if (acceptance.round > 1)
        refusedAsNotTheHash(() =>
          verifyAcceptance(group, context, { ...acceptance, round: acceptance.round - 1 }),
        );
      refusedAsNotTheHash(() => verifyAcceptance(group, context, { ...acceptance, final: otherHash(final) }));
      refusedAsNotTheHash(() => verifyAcceptance(group, Buffer.from(committed.context, 'hex'), acceptance));
    }
  });

  test('a tallier key’s pk_pok is no acceptance, whatever block and round it is offered for', () => {
    for (const [i, t] of committedV2.talliers.entries()) {
      const key = parseTallierKey(group, t.tallier_key);
      for (const round of [1, 2])
        refusedAsNotTheHash(() =>
          verifyAcceptance(group, context, { pk: key.pk, final, round, signature: key.pkPok }, `pk_pok ${i}`),
        );
    }
  });
});
