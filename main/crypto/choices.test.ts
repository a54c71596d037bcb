import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { encryptBallot } from './ballot';
import { verifyAnswersBatch } from './ballot-batch';
import {
  allowedSums,
  checkRule,
  checkRules,
  choiceBinding,
  describeSums,
  encryptAnswers,
  type QuestionRule,
  sumIsProven,
  tallyAnswers,
  verifyAnswers,
} from './choices';
import { checkAnswersMembers, encodeAnswers, parseAnswers } from './codec';
import { voterContext } from './credential';
import { decryptTally } from './decryption';
import { ValidationError } from './errors';
import { electionKey } from './tallier';
import { context, group, talliers } from './testing';
import type { Answer } from './types';

const fails = (fn: () => unknown, field: RegExp, message?: RegExp) =>
  assert.throws(
    fn,
    (e: unknown) =>
      e instanceof ValidationError && field.test(e.field) && (!message || message.test(e.message)),
  );

const { secrets, keys } = talliers(2);
const h = electionKey(group, context, keys);
const pks = keys.map((k) => k.pk);
group.keepTable(h);

/** "Choose up to 2 of 5" and "which date? (one of 3, or none)". */
const rules: QuestionRule[] = [
  { options: 5, min: 0, max: 2, blank: false },
  { options: 3, min: 1, max: 1, blank: true },
];

describe('questions with choices', () => {
  test('the rules: allowed sums, when a sum proof is needed, in words', () => {
    assert.deepEqual(allowedSums({ options: 5, min: 0, max: 2, blank: false }), [0, 1, 2]);
    assert.deepEqual(allowedSums({ options: 5, min: 2, max: 3, blank: true }), [0, 2, 3]);
    assert.deepEqual(allowedSums({ options: 2, min: 1, max: 1, blank: false }), [1]);
    assert.equal(sumIsProven({ options: 4, min: 0, max: 4, blank: false }), false, 'approval: every sum');
    assert.equal(sumIsProven({ options: 4, min: 0, max: 3, blank: false }), true);
    assert.equal(describeSums({ options: 5, min: 0, max: 2, blank: false }), '0 to 2');
    assert.equal(describeSums({ options: 3, min: 1, max: 1, blank: true }), 'none, or exactly 1');
    checkRule({ options: 64, min: 0, max: 64, blank: false });
    fails(() => checkRule({ options: 65, min: 1, max: 1, blank: false }), /options/);
    fails(() => checkRule({ options: 0, min: 0, max: 0, blank: false }), /options/);
    fails(() => checkRule({ options: 3, min: 2, max: 1, blank: false }), /min/);
    fails(() => checkRule({ options: 3, min: 0, max: 4, blank: false }), /max/);
    fails(() => checkRule({ options: 3, min: 0, max: 0, blank: false }), /max/);
    fails(() => checkRule({ options: 3, min: 0.5, max: 1, blank: false }), /min/);
    fails(() => checkRule({ options: 3, min: 0, max: 1, blank: true }), /blank/, /one way|min is 0/);
    // The election as a whole: 1–16 questions, 256 options in all (a factor decrypts at most 256).
    const q64 = { options: 64, min: 0, max: 1, blank: false };
    checkRules([q64, q64, q64, q64]);
    fails(() => checkRules([q64, q64, q64, q64, { ...q64, options: 1 }]), /^questions$/, /256 options/);
    fails(() => checkRules([]), /^questions$/);
    fails(() => checkRules(Array(17).fill({ options: 1, min: 0, max: 1, blank: false })), /^questions$/);
    fails(
      () => encryptAnswers(group, context, h, [q64, q64, q64, q64, { ...q64, options: 1 }], []),
      /^questions$/,
    );
  });

  test('round trip with random questions and choices: encrypt → verify → tally → decrypt, per option', () => {
    const rule = fc
      .record({ options: fc.integer({ min: 1, max: 5 }), a: fc.nat(), b: fc.nat(), blank: fc.boolean() })
      .map(({ options, a, b, blank }): QuestionRule => {
        const [x, y] = [a % (options + 1), b % (options + 1)].sort((m, n) => m - n) as [number, number];
        return { options, min: x, max: Math.max(1, y), blank: blank && x > 0 };
      });
    // A selection the rule allows: a random allowed sum, then that many distinct options.
    const ballotFor = (r: readonly QuestionRule[]) =>
      fc.tuple(
        ...r.map((q) =>
          fc
            .constantFrom(...allowedSums(q))
            .chain((sum) =>
              fc.shuffledSubarray([...Array(q.options).keys()], { minLength: sum, maxLength: sum }),
            ),
        ),
      );
    fc.assert(
      fc.property(
        fc
          .array(rule, { minLength: 1, maxLength: 2 })
          .chain((r) => fc.tuple(fc.constant(r), fc.array(ballotFor(r), { minLength: 1, maxLength: 3 }))),
        ([r, selections]) => {
          const ballots = selections.map((s) => encryptAnswers(group, context, h, r, s));
          for (const ballot of ballots) verifyAnswers(group, context, h, r, ballot);
          const tally = tallyAnswers(group, r, ballots);
          for (const [question, q] of r.entries())
            for (let option = 0; option < q.options; option++) {
              const ciphertext = tally[question]![option]!;
              const factors = secrets.map((s) => s.decryptionFactor(context, [ciphertext]));
              const [count] = decryptTally(group, context, [ciphertext], ballots.length, pks, factors);
              const expected = selections.filter((s) => s[question]!.includes(option)).length;
              assert.equal(count, expected, `question ${question}, option ${option}`);
            }
        },
      ),
      { numRuns: 5 },
    );
  });

  test('selections the rules do not allow are refused before anything is encrypted', () => {
    fails(() => encryptAnswers(group, context, h, rules, [[0, 1, 2], [0]]), /selections\[0\]/, /chooses 3/);
    fails(
      () => encryptAnswers(group, context, h, rules, [[0], [0, 1]]),
      /selections\[1\]/,
      /none, or exactly 1/,
    );
    fails(() => encryptAnswers(group, context, h, rules, [[0, 0], [0]]), /selections\[0\]/, /twice/);
    fails(() => encryptAnswers(group, context, h, rules, [[5], [0]]), /selections\[0\]/, /no option/);
    fails(() => encryptAnswers(group, context, h, rules, [[0]]), /selections/, /each of the 2/);
    // Blank where the rule allows it; none where it does not.
    verifyAnswers(group, context, h, rules, encryptAnswers(group, context, h, rules, [[], []]));
    fails(
      () => encryptAnswers(group, context, h, [{ options: 3, min: 1, max: 2, blank: false }], [[]]),
      /selections\[0\]/,
    );
  });

  test('answers in JSON: a round trip, and malformed JSON refused with its place', () => {
    const ballot = encryptAnswers(group, context, h, rules, [[0, 4], []]);
    const json = JSON.parse(JSON.stringify(encodeAnswers(group, ballot)));
    assert.deepEqual(parseAnswers(group, json), ballot);
    verifyAnswers(group, context, h, rules, parseAnswers(group, json));
    assert.deepEqual(Object.keys(json[0]), ['choices', 'sum_proof']);
    fails(() => parseAnswers(group, []), /^answers$/);
    fails(() => parseAnswers(group, Array(17).fill(json[0])), /^answers$/);
    fails(() => parseAnswers(group, [{ ...json[0], extra: 1 }]), /answers\[0\]\.extra/);
    fails(() => parseAnswers(group, [{ ...json[0], choices: [] }]), /answers\[0\]\.choices/);
    // 5 answers of 64 choices: refused by their count before a single number is read.
    const wide = { choices: Array(64).fill('not even a ballot'), sum_proof: [] };
    fails(() => parseAnswers(group, Array(5).fill(wide)), /^answers$/, /at most 256 choices/);
    fails(
      () => parseAnswers(group, [{ ...json[0], sum_proof: Array(65).fill(json[0].sum_proof[0]) }]),
      /sum_proof/,
    );
    // p − α is not a quadratic residue: refused on parse, or by the membership test of a trusted parse.
    const outside = {
      ...json[0],
      choices: [
        {
          ...json[0].choices[0],
          alpha: (group.p - ballot[0]!.choices[0]!.alpha).toString(16).padStart(512, '0'),
        },
        ...json[0].choices.slice(1),
      ],
    };
    fails(() => parseAnswers(group, [outside, json[1]]), /answers\[0\]\.choices\[0\]\.alpha/);
    const trusted = parseAnswers(group, [outside, json[1]], 'answers', 'trusted');
    fails(() => checkAnswersMembers(group, trusted), /answers\[0\]\.choices\[0\]\.alpha/);
  });

  test('many ballots as one batch: null when all hold, else the first failing with its own error', () => {
    const picks = [
      [[0], [1]],
      [[], []],
      [[2, 3], [0]],
      [[4], []],
      [[1, 4], [2]],
      [[0, 2], [1]],
    ];
    const ballots = picks.map((p) => encryptAnswers(group, context, h, rules, p));
    assert.equal(verifyAnswersBatch(group, context, h, rules, ballots), null);
    const errorOf = (answers: readonly Answer[]) => {
      try {
        verifyAnswers(group, context, h, rules, answers);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('verifies');
    };
    // An equation failure (a response shifted) at 4, and a hash failure (a β changed) at 2.
    const shifted = ballots.map((b, i) =>
      i !== 4
        ? b
        : b.map((a, q) =>
            q !== 1
              ? a
              : {
                  ...a,
                  sumProof: a.sumProof.map((br, k) =>
                    k === 0 ? { ...br, response: (br.response + 1n) % group.q } : br,
                  ),
                },
          ),
    );
    const failure = verifyAnswersBatch(group, context, h, rules, shifted);
    assert.equal(failure?.index, 4);
    assert.equal(failure?.error.message, errorOf(shifted[4]!));
    assert.match(failure!.error.field, /answers\[1\]\.sum_proof/);
    const both = shifted.map((b, i) =>
      i !== 2
        ? b
        : b.map((a, q) =>
            q !== 0
              ? a
              : {
                  ...a,
                  choices: a.choices.map((c, o) =>
                    o === 3 ? { ...c, beta: group.mul(c.beta, group.g) } : c,
                  ),
                },
          ),
    );
    const first = verifyAnswersBatch(group, context, h, rules, both);
    assert.equal(first?.index, 2);
    assert.equal(first?.error.message, errorOf(both[2]!));
  });

  test('copying another voter’s choice: refused under the per-voter rule; under the per-block rule only the chain’s α rule stops it', () => {
    // Approval (no sum proof): a copier takes the victim's choice for option 2 into its own ballot.
    // If it counted, the copier would learn the victim's choice from the counts (Cortier–Smyth).
    const approval = [{ options: 3, min: 0, max: 3, blank: false }];
    const [victim, copier] = [12345n, 67890n].map((x) => voterContext(group, context, group.powG(x))) as [
      Uint8Array,
      Uint8Array,
    ];
    const theirs = encryptAnswers(group, victim, h, approval, [[2]]);
    const mine = encryptAnswers(group, copier, h, approval, [[0]]);
    const copied = [
      { ...mine[0]!, choices: [mine[0]!.choices[0]!, mine[0]!.choices[1]!, theirs[0]!.choices[2]!] },
    ];
    fails(() => verifyAnswers(group, copier, h, approval, copied), /answers\[0\]\.choices\[2\]\.proof/);
    // Per-block rule: one context for every ballot, so the copy's proof holds, and only the chain's
    // rule that every choice's α is new on the branch refuses it (CRYPTO §12.2).
    const a = encryptAnswers(group, context, h, approval, [[2]]);
    const b = encryptAnswers(group, context, h, approval, [[0]]);
    verifyAnswers(group, context, h, approval, [
      { ...b[0]!, choices: [b[0]!.choices[0]!, b[0]!.choices[1]!, a[0]!.choices[2]!] },
    ]);
  });

  describe('forged ballots are refused, naming the place', () => {
    const honest = encryptAnswers(group, context, h, rules, [[1, 3], [2]]);
    const edit = (question: number, change: (a: Answer) => Answer): Answer[] =>
      honest.map((a, i) => (i === question ? change(a) : a));

    test('an option encrypting 2 (β·g)', () => {
      const forged = edit(0, (a) => ({
        ...a,
        choices: a.choices.map((c, i) => (i === 1 ? { ...c, beta: group.mul(c.beta, group.g) } : c)),
      }));
      fails(() => verifyAnswers(group, context, h, rules, forged), /answers\[0\]\.choices\[1\]\.proof/);
    });

    test('a third selection where two is the most: each option proven, the sum is not', () => {
      // Option 0 (a 0) is replaced by a valid, proven encryption of 1 at its place.
      const one = encryptBallot(group, context, h, 1, undefined, choiceBinding(0, 0));
      const forged = edit(0, (a) => ({ ...a, choices: a.choices.map((c, i) => (i === 0 ? one : c)) }));
      fails(() => verifyAnswers(group, context, h, rules, forged), /answers\[0\]\.sum_proof/);
    });

    test('a sum proof for another sum: the branches must be one per allowed sum', () => {
      const forged = edit(0, (a) => ({ ...a, sumProof: a.sumProof.slice(1) }));
      fails(() => verifyAnswers(group, context, h, rules, forged), /answers\[0\]\.sum_proof/, /3 branches/);
    });

    test('a proof moved between options, and between questions', () => {
      const swapped = edit(0, (a) => ({
        ...a,
        choices: [a.choices[1]!, a.choices[0]!, ...a.choices.slice(2)],
      }));
      fails(() => verifyAnswers(group, context, h, rules, swapped), /answers\[0\]\.choices\[0\]\.proof/);
      const moved = edit(1, (a) => ({ ...a, choices: [honest[0]!.choices[0]!, ...a.choices.slice(1)] }));
      fails(() => verifyAnswers(group, context, h, rules, moved), /answers\[1\]\.choices\[0\]\.proof/);
      // The same option ciphertexts with a yes/no ballot's proof binding prove nothing here either.
      const yesNo = encryptBallot(group, context, h, 0);
      const foreign = edit(0, (a) => ({ ...a, choices: [yesNo, ...a.choices.slice(1)] }));
      fails(() => verifyAnswers(group, context, h, rules, foreign), /answers\[0\]\.choices\[0\]\.proof/);
    });

    test('an answer with an option missing, a question missing, a needless sum proof', () => {
      fails(
        () =>
          verifyAnswers(
            group,
            context,
            h,
            rules,
            edit(0, (a) => ({ ...a, choices: a.choices.slice(1) })),
          ),
        /answers\[0\]\.choices/,
      );
      fails(() => verifyAnswers(group, context, h, rules, honest.slice(1)), /answers/);
      const approval = [{ options: 2, min: 0, max: 2, blank: false }];
      const ballot = encryptAnswers(group, context, h, approval, [[0, 1]]);
      assert.equal(ballot[0]!.sumProof.length, 0, 'approval: no sum proof');
      verifyAnswers(group, context, h, approval, ballot);
      fails(
        () => verifyAnswers(group, context, h, approval, [{ ...ballot[0]!, sumProof: honest[0]!.sumProof }]),
        /sum_proof/,
        /empty/,
      );
    });

    test('a ballot under another election or voter context, or another rule', () => {
      verifyAnswers(group, context, h, rules, honest);
      fails(() => verifyAnswers(group, new Uint8Array(randomBytes(32)), h, rules, honest), /answers\[0\]/);
      const wider = [{ ...rules[0]!, max: 3 }, rules[1]!];
      fails(() => verifyAnswers(group, context, h, wider, honest), /answers\[0\]\.sum_proof/);
    });
  });
});
