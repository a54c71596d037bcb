// The choices vectors (docs/test-vectors/crypto-choices.json) against the code, and the code
// against the file: rebuilt byte for byte, then each listed value checked from the file alone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { buildChoiceVectors, CHOICE_VECTORS_PATH } from '../../scripts/choice-vectors';
import { type ChallengeInput, challengeOf } from '../../scripts/crypto-vectors';
import { encryptAnswers, type QuestionRule, tallyAnswers, verifyAnswers } from './choices';
import { encodeAnswers, encodeCiphertext, parseAnswers, parseDecryptionFactor } from './codec';
import { decryptTally } from './decryption';
import { Group } from './group';
import { fixedRandomness } from './random';
import { framedHex } from './testing';
import { CHALLENGE_MODULUS } from './transcript';

const fromHex = (hex: string): bigint => BigInt(`0x${hex}`);
const committed = JSON.parse(readFileSync(CHOICE_VECTORS_PATH, 'utf8'));

describe('known-answer vectors of questions with choices (docs/test-vectors/crypto-choices.json)', () => {
  const group = Group.default();
  const context = Buffer.from(committed.context, 'hex');
  const rules: QuestionRule[] = committed.questions;
  const h = fromHex(committed.election_key);

  test('recomputing every output from the listed inputs gives the committed file exactly', () => {
    assert.deepEqual(buildChoiceVectors(), committed);
  });

  test('each ballot: its listed randomness, drawn in the documented order, makes it; it verifies', () => {
    for (const ballot of committed.ballots) {
      const draws: bigint[] = ballot.randomness.map((x: string) => fromHex(x));
      const remade = encryptAnswers(group, context, h, rules, ballot.selection, fixedRandomness(draws));
      assert.deepEqual(encodeAnswers(group, remade), ballot.answers);
      verifyAnswers(group, context, h, rules, parseAnswers(group, ballot.answers));
    }
  });

  test('the first ballot’s challenge inputs: framed as listed, and hashing to the branch challenges’ sum', () => {
    const [first] = committed.ballots;
    const check = (input: ChallengeInput, branches: { challenge: string }[]) => {
      assert.equal(framedHex(input.fields), input.bytes);
      const sum = branches.reduce((acc, b) => acc + fromHex(b.challenge), 0n) % CHALLENGE_MODULUS;
      assert.equal(challengeOf(input), sum.toString(16).padStart(64, '0'));
    };
    first.challenge_inputs.forEach(
      (inputs: { choices: ChallengeInput[]; sum_proof: ChallengeInput }, q: number) => {
        inputs.choices.forEach((input, o) => {
          assert.deepEqual(
            input.fields.slice(5, 7).map((f) => f.bytes),
            [q, o].map((n) => n.toString(16).padStart(8, '0')),
            'bound: u32(question), u32(option)',
          );
          check(input, first.answers[q].choices[o].proof);
        });
        check(inputs.sum_proof, first.answers[q].sum_proof);
      },
    );
  });

  test('the tallies, the factors of all five under one proof each, and the counts', () => {
    const answers = committed.ballots.map((b: { answers: unknown }) => parseAnswers(group, b.answers));
    const tallies = tallyAnswers(group, rules, answers).flat();
    assert.deepEqual(
      tallies.map((t) => encodeCiphertext(group, t)),
      committed.tallies,
    );
    const factors = committed.dec_factors.map((f: { dec_factor: unknown }) =>
      parseDecryptionFactor(group, f.dec_factor, 'dec_factor', 'untrusted', 2),
    );
    const pks = committed.talliers.map((t: { tallier_key: { pk: string } }) => fromHex(t.tallier_key.pk));
    assert.deepEqual(decryptTally(group, context, tallies, answers.length, pks, factors), committed.counts);
    const expected = rules.flatMap((rule, q) =>
      Array.from(
        { length: rule.options },
        (_, o) =>
          committed.ballots.filter((b: { selection: number[][] }) => b.selection[q]!.includes(o)).length,
      ),
    );
    assert.deepEqual(committed.counts, expected);
  });
});
