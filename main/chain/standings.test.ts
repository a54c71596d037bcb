// What a result of questions with choices says: ranks, winners by the question's seats, and ties
// said rather than broken (docs/PROTOCOL.md §7).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Question } from './questions';
import { describeResult, seatsOf, standings } from './standings';

const q = (options: string[], min: number, max: number): Question => ({
  text: 'Q?',
  options,
  min,
  max,
  blank: false,
});
const five = ['Ada', 'Brian', 'Chen', 'Dana', 'Emeka'];
const one = (question: Question, counts: number[]) =>
  standings([question], { total: Math.max(...counts, 0), counts: [counts] })[0]!;

describe('standings', () => {
  test('seats: max when a ballot chooses fewer than all, else one (approval)', () => {
    assert.equal(seatsOf(q(five, 0, 2)), 2);
    assert.equal(seatsOf(q(five, 1, 1)), 1);
    assert.equal(seatsOf(q(five, 0, 5)), 1);
  });

  test('the top `seats` win, in rank order; ranks are shared by ties', () => {
    const s = one(q(five, 0, 2), [2, 1, 3, 0, 0]);
    assert.deepEqual(
      s.options.map((o) => [o.label, o.rank, o.winner, o.tied]),
      [
        ['Ada', 2, true, false],
        ['Brian', 3, false, false],
        ['Chen', 1, true, false],
        ['Dana', 4, false, true],
        ['Emeka', 4, false, true],
      ],
    );
    assert.equal(s.outcome, 'Chen and Ada');
    assert.deepEqual(s.tiedForLast, []);
  });

  test('a tie across the last seat elects none of the tied, and says so', () => {
    const s = one(q(five, 0, 2), [3, 2, 2, 0, 1]);
    assert.deepEqual(
      s.options.filter((o) => o.winner).map((o) => o.label),
      ['Ada'],
    );
    assert.deepEqual(s.tiedForLast, [1, 2]);
    assert.equal(s.outcome, 'Ada; Brian and Chen tie for the second place');
    const three = one(q(five, 0, 2), [1, 1, 1, 0, 0]);
    assert.equal(three.outcome, 'Ada, Brian and Chen tie for the last 2 places');
    // A tie that fits in the seats elects both.
    assert.equal(one(q(five, 0, 2), [2, 2, 1, 0, 0]).outcome, 'Ada and Brian');
  });

  test('no votes: nobody wins; approval elects the most approved; one vote is enough to win', () => {
    assert.equal(one(q(five, 0, 2), [0, 0, 0, 0, 0]).outcome, 'no option was chosen');
    assert.equal(one(q(five, 0, 5), [3, 4, 4, 1, 0]).outcome, 'Brian and Chen tie for the first place');
    assert.equal(one(q(five, 0, 5), [3, 5, 4, 1, 0]).outcome, 'Brian');
    assert.equal(one(q(['Yes', 'No'], 1, 1), [1, 0]).outcome, 'Yes');
  });

  test('a result in one line: yes/no as before, questions by their outcome', () => {
    assert.equal(describeResult(undefined, { yes: 2, no: 1, total: 3 }), 'yes 2 · no 1');
    const questions = [q(five, 0, 2), q(['3 May', '10 May'], 1, 1)];
    assert.equal(
      describeResult(questions, {
        total: 3,
        counts: [
          [2, 1, 3, 0, 0],
          [1, 2],
        ],
      }),
      'Chen and Ada · 10 May',
    );
  });
});
