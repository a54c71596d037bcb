// Factors of several tallies (questions with choices, docs/CRYPTO.md §12.3): one proof for all of a
// tallier's factors, and the same for a stand-in's; the JSON's two forms.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptAnswers, type QuestionRule, tallyAnswers } from './choices';
import {
  encodeCompensatedFactor,
  encodeDecryptionFactor,
  parseCompensatedFactor,
  parseDecryptionFactor,
} from './codec';
import { decryptTally, decryptWithQuorum, type Quorum, verifyDecryptionFactor } from './decryption';
import { ValidationError } from './errors';
import { factorStatement } from './factor-proof';
import { decFactorChallenge, electionKey } from './tallier';
import { context, group, talliers } from './testing';
import { verifyCompensatedFactor } from './threshold';
import type { DecryptionFactor } from './types';

const fails = (fn: () => unknown, field: RegExp, message?: RegExp) =>
  assert.throws(
    fn,
    (e: unknown) =>
      e instanceof ValidationError && field.test(e.field) && (!message || message.test(e.message)),
  );

const FINAL = 'ef'.repeat(32);
const rules: QuestionRule[] = [
  { options: 3, min: 1, max: 2, blank: false },
  { options: 2, min: 0, max: 1, blank: false },
];
const { secrets, keys } = talliers(3);
const pks = keys.map((k) => k.pk);
const h = electionKey(group, context, keys);
const picks = [
  [[0, 2], [1]],
  [[2], []],
  [[0, 1], [0]],
  [[2], [1]],
];
const tallies = tallyAnswers(
  group,
  rules,
  picks.map((p) => encryptAnswers(group, context, h, rules, p)),
).flat();
const expected = [2, 1, 3, 1, 2];

describe('factors of several tallies', () => {
  const factors = secrets.map((s) => s.decryptionFactor(context, tallies, FINAL));

  test('one proof per tallier decrypts every option: the counts per option', () => {
    assert.equal(tallies.length, 5);
    for (const f of factors) {
      assert.equal(f.factors.length, 5);
      assert.equal(f.decFactorPoc.b.length, 5);
      verifyDecryptionFactor(group, context, tallies, f);
    }
    assert.deepEqual(decryptTally(group, context, tallies, picks.length, pks, factors), expected);
  });

  test('any factor or commitment changed, or moved to another option, fails the proof', () => {
    const f = factors[0]!;
    const change = (edit: Partial<DecryptionFactor>) => ({ ...f, ...edit });
    const swapped = [f.factors[1]!, f.factors[0]!, ...f.factors.slice(2)];
    fails(
      () => verifyDecryptionFactor(group, context, tallies, change({ factors: swapped })),
      /dec_factor_poc/,
    );
    const times = (list: readonly bigint[], i: number) =>
      list.map((d, k) => (k === i ? group.mul(d, group.g) : d));
    fails(
      () => verifyDecryptionFactor(group, context, tallies, change({ factors: times(f.factors, 4) })),
      /challenge/,
    );
    const proof = { ...f.decFactorPoc, b: times(f.decFactorPoc.b, 3) };
    fails(
      () => verifyDecryptionFactor(group, context, tallies, change({ decFactorPoc: proof })),
      /challenge/,
    );
    // For the same tallies in another order (another option layout), the factor proves nothing.
    fails(() => verifyDecryptionFactor(group, context, [...tallies].reverse(), f), /dec_factor_poc/);
    // A factor of fewer tallies than the election has.
    const short = secrets[0]!.decryptionFactor(context, tallies.slice(0, 4), FINAL);
    fails(() => verifyDecryptionFactor(group, context, tallies, short), /dec_factor_poc/, /5 factor/);
  });

  test('a lie about one option, with an honest hash, fails the batched equations, naming the tally', () => {
    // A tallier who knows x claims d_2·g for option 2, hashing the lie: g^s = a·pk^c holds, and every
    // α_i^s = b_i·d_i^c but the third. The batch must fail and the one-by-one check name tally 2.
    const x = secrets[1]!.exportSecret();
    const pk = pks[1]!;
    const honest = tallies.map((t) => group.pow(t.alpha, x));
    const lie = honest.map((d, i) => (i === 2 ? group.mul(d, group.g) : d));
    const w = 987654321n;
    const a = group.powG(w);
    const b = tallies.map((t) => group.pow(t.alpha, w));
    const challenge = decFactorChallenge(group, context, FINAL, [pk, ...factorStatement(tallies, lie, a, b)]);
    const forged: DecryptionFactor = {
      pk,
      final: FINAL,
      factors: lie,
      decFactorPoc: { a, b, challenge, response: (w + challenge * x) % group.q },
    };
    fails(() => verifyDecryptionFactor(group, context, tallies, forged), /dec_factor_poc/, /for tally 2/);
    // The same construction without the lie verifies: the test forges only the lie.
    const truthful = decFactorChallenge(group, context, FINAL, [
      pk,
      ...factorStatement(tallies, honest, a, b),
    ]);
    verifyDecryptionFactor(group, context, tallies, {
      ...forged,
      factors: honest,
      decFactorPoc: { a, b, challenge: truthful, response: (w + truthful * x) % group.q },
    });
  });

  test('JSON: one tally in the single form, several in lists; a list of one is refused', () => {
    const json = JSON.parse(JSON.stringify(encodeDecryptionFactor(group, factors[0]!)));
    assert.deepEqual(Object.keys(json), ['pk', 'final', 'factors', 'dec_factor_poc']);
    assert.equal(json.dec_factor_poc.b.length, 5);
    assert.deepEqual(parseDecryptionFactor(group, json, 'f', 'untrusted', 2), factors[0]);
    const one = JSON.parse(
      JSON.stringify(
        encodeDecryptionFactor(group, secrets[0]!.decryptionFactor(context, [tallies[0]!], FINAL)),
      ),
    );
    assert.deepEqual(Object.keys(one), ['pk', 'final', 'factor', 'dec_factor_poc']);
    assert.equal(typeof one.dec_factor_poc.b, 'string');
    const listOfOne = {
      ...one,
      factor: undefined,
      factors: [one.factor],
      dec_factor_poc: { ...one.dec_factor_poc, b: [one.dec_factor_poc.b] },
    };
    delete listOfOne.factor;
    fails(() => parseDecryptionFactor(group, listOfOne, 'f', 'untrusted', 2), /f\.factors/, /2 to 256/);
    fails(
      () => parseDecryptionFactor(group, { ...json, factor: json.factors[0] }, 'f', 'untrusted', 2),
      /f\.factor$/,
    );
    fails(
      () =>
        parseDecryptionFactor(
          group,
          { ...json, factors: Array(257).fill(json.factors[0]) },
          'f',
          'untrusted',
          2,
        ),
      /f\.factors/,
    );
  });

  test('stand-ins of several tallies: 2 of 3 rebuild a missing tallier’s factors, option by option', () => {
    const dealings = secrets.map((s) => s.deal(context, pks, 2));
    const setup: Quorum = {
      elected: pks,
      qualified: pks,
      quorum: 2,
      dealings: new Map(dealings.map((d) => [d.dealer, d])),
    };
    const standIns = [0, 1].map((helper) =>
      secrets[helper]!.compensatedFactor(context, dealings[2]!, pks, tallies, FINAL),
    );
    for (const cf of standIns) {
      verifyCompensatedFactor(group, context, tallies, cf, dealings[2]!, pks);
      const json = JSON.parse(JSON.stringify(encodeCompensatedFactor(group, cf)));
      assert.deepEqual(parseCompensatedFactor(group, json), cf);
    }
    assert.deepEqual(
      decryptWithQuorum(group, context, tallies, picks.length, setup, factors.slice(0, 2), standIns),
      expected,
    );
    const moved = { ...standIns[0]!, factors: [...standIns[0]!.factors].reverse() };
    fails(() => verifyCompensatedFactor(group, context, tallies, moved, dealings[2]!, pks), /proof/);
  });
});
