import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { QuestionForm } from '../../main/api/contract';
import { genesisFromForm } from '../../main/app/requests';
import { allowedSums, describeSums } from '../../main/crypto/choices';
import { ValidationError } from '../../main/crypto/errors';
import {
  allowedCounts,
  defaultIntroduction,
  describeSelections,
  type QuestionDraft,
  questionErrors,
  questionForm,
  type Rule,
  ruleInWords,
  selectionCounter,
  selectionProblem,
  selectionsProblem,
} from './questions';

const rule = (options: number, min: number, max: number, blank = false): Rule => ({
  options,
  min,
  max,
  blank,
});

let ids = 0;
function draft(change: Partial<QuestionDraft> & { labels?: string[] } = {}): QuestionDraft {
  const { labels = ['Ada', 'Brian', 'Chen'], ...rest } = change;
  return {
    id: ++ids,
    question: 'Who?',
    options: labels.map((label) => ({ id: ++ids, label })),
    kind: 'one',
    upTo: '2',
    min: '1',
    max: '2',
    blank: false,
    ...rest,
  };
}

/** The engine's answer to a form with these questions: undefined if accepted, else the field it names. */
function engineRefusal(questions: readonly QuestionForm[]): string | undefined {
  try {
    genesisFromForm({
      title: 'Club',
      question: 'Questions',
      nTalliers: 1,
      nTalliersBlocks: 1,
      nVoteBlocks: 1,
      confirmations: 0,
      difficulty: 1,
      questions,
    });
    return undefined;
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error.field;
  }
}

describe('a question’s rule in words', () => {
  test('each kind the form offers, as a voter reads it', () => {
    assert.equal(ruleInWords(rule(5, 1, 1)), 'choose exactly 1 of 5');
    assert.equal(ruleInWords(rule(5, 1, 1, true)), 'choose exactly 1 of 5, or none');
    assert.equal(ruleInWords(rule(5, 0, 2)), 'choose up to 2 of 5');
    assert.equal(ruleInWords(rule(5, 0, 5)), 'choose any number of 5');
    assert.equal(ruleInWords(rule(5, 2, 3)), 'choose 2 or 3 of 5');
    assert.equal(ruleInWords(rule(5, 1, 4, true)), 'choose 1 to 4 of 5, or none');
    assert.equal(ruleInWords(rule(4, 2, 2)), 'choose exactly 2 of 4');
  });

  test('the counts allowed are the engine’s (main/crypto/choices.ts), for every rule up to 8 options', () => {
    for (let options = 1; options <= 8; options++)
      for (let min = 0; min <= options; min++)
        for (let max = Math.max(min, 1); max <= options; max++)
          for (const blank of min > 0 ? [false, true] : [false]) {
            const r = rule(options, min, max, blank);
            assert.deepEqual(allowedCounts(r), allowedSums(r), JSON.stringify(r));
            // Said in words as the command line says it ("none, or 1 to 4"), in the form's words.
            if (blank) assert.match(describeSums(r), /^none, or /);
            if (blank) assert.match(ruleInWords(r), /, or none$/);
          }
  });
});

describe('the voter’s counter and what is missing', () => {
  test('the counter: "2 of 2 chosen", "choose up to 2", approval', () => {
    assert.equal(selectionCounter(rule(4, 2, 2), 2), '2 of 2 chosen');
    assert.equal(selectionCounter(rule(5, 0, 2), 0), 'choose up to 2');
    assert.equal(selectionCounter(rule(5, 0, 2), 1), '1 of up to 2 chosen');
    assert.equal(selectionCounter(rule(5, 0, 5), 0), 'choose any number');
    assert.equal(selectionCounter(rule(5, 0, 5), 3), '3 chosen');
    assert.equal(selectionCounter(rule(5, 2, 3), 0), 'choose 2 to 3');
    assert.equal(selectionCounter(rule(5, 2, 3), 2), '2 chosen (2 to 3)');
  });

  test('fewer than the minimum, or more than the maximum, is said; a blank answer only where allowed', () => {
    assert.equal(selectionProblem(rule(4, 2, 2), 1), 'Choose 1 more: at least 2.');
    assert.equal(selectionProblem(rule(4, 2, 2), 0), 'Choose 2.');
    assert.equal(selectionProblem(rule(4, 2, 3), 0), 'Choose at least 2.');
    assert.equal(selectionProblem(rule(4, 1, 1, true), 0), undefined);
    assert.equal(selectionProblem(rule(4, 2, 3, true), 1), 'Choose 1 more: at least 2 (or none).');
    assert.equal(selectionProblem(rule(4, 0, 2), 3), 'Too many: at most 2. Untick 1 option.');
    assert.equal(selectionProblem(rule(4, 0, 2), 0), undefined);
    const questions: QuestionForm[] = [
      { question: 'Board?', options: ['Ada', 'Brian'], min: 0, max: 1, blank: false },
      { question: 'Date?', options: ['3 May', '10 May'], min: 1, max: 1, blank: false },
    ];
    assert.deepEqual(selectionsProblem(questions, [[1], []]), { question: 1, problem: 'Choose 1.' });
    assert.equal(selectionsProblem(questions, [[], [0]]), undefined);
    assert.equal(describeSelections(questions, [[], [0]]), 'none · 3 May');
  });
});

describe('the new-election form’s questions', () => {
  test('problems at the fields the engine names: text, each option, the rule’s numbers', () => {
    const errors = questionErrors([
      draft({ question: '', labels: ['Ada', ' Ada ', ''] }),
      draft({ kind: 'up-to', upTo: '4' }),
      draft({ kind: 'between', min: '3', max: '2' }),
    ]);
    assert.deepEqual(errors, {
      'questions[0].question': 'Required.',
      'questions[0].options[1]': 'Listed twice: option 1 says the same.',
      'questions[0].options[2]': 'Required.',
      'questions[1].max': 'From 1 to 3: there are 3 options.',
      'questions[2].min': 'At most 2, the maximum.',
    });
  });

  test('the limits: 16 questions, 64 options each, 64 in all', () => {
    const many = Array.from({ length: 17 }, () => draft());
    assert.match(questionErrors(many).questions!, /^From 1 to 16 questions/);
    const long = draft({ labels: Array.from({ length: 65 }, (_, i) => `Option ${i}`) });
    assert.equal(questionErrors([long])['questions[0].options'], 'At most 64 options.');
    const inAll = Array.from({ length: 5 }, (_, q) =>
      draft({ labels: Array.from({ length: 13 }, (_, i) => `Q${q} option ${i}`) }),
    );
    assert.match(questionErrors(inAll).questions!, /^At most 64 options in all \(there are 65\)/);
  });

  test('the kinds become the engine’s numbers; a blank answer only with a minimum above 0', () => {
    assert.deepEqual(questionForm(draft({ kind: 'one', blank: true })), {
      question: 'Who?',
      options: ['Ada', 'Brian', 'Chen'],
      min: 1,
      max: 1,
      blank: true,
    });
    assert.deepEqual(questionForm(draft({ kind: 'up-to', upTo: '2', blank: true })), {
      question: 'Who?',
      options: ['Ada', 'Brian', 'Chen'],
      min: 0,
      max: 2,
      blank: false,
    });
    assert.equal(questionForm(draft({ kind: 'any' }))?.max, 3);
    assert.equal(questionForm(draft({ kind: 'between', min: 'x' })), undefined);
  });

  test('what the form lets through, the engine accepts', () => {
    const label = fc.constantFrom('Ada', 'Brian', 'ada', 'Ada ', '', 'Chen', 'A\u0301da', 'Áda');
    const arbitraryDraft = fc.record({
      question: fc.constantFrom('Who?', '', 'Which date?'),
      labels: fc.array(label, { minLength: 1, maxLength: 6 }),
      kind: fc.constantFrom('one', 'up-to', 'between', 'any'),
      upTo: fc.constantFrom('0', '1', '2', '3', '7', 'x'),
      min: fc.constantFrom('0', '1', '2', '5'),
      max: fc.constantFrom('0', '1', '2', '3', '6'),
      blank: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(arbitraryDraft, { minLength: 1, maxLength: 3 }), (records) => {
        const drafts = records.map((r) => draft(r as Partial<QuestionDraft> & { labels: string[] }));
        const errors = questionErrors(drafts);
        const forms = drafts.map(questionForm);
        if (Object.keys(errors).length > 0) return;
        assert.ok(forms.every((f) => f !== undefined));
        assert.equal(engineRefusal(forms as QuestionForm[]), undefined, JSON.stringify(forms));
      }),
      { numRuns: 300 },
    );
  });

  test('the introduction when none is given: the one question, or the questions listed within the limit', () => {
    assert.equal(defaultIntroduction(['  Who should sit on the board? ']), 'Who should sit on the board?');
    assert.equal(defaultIntroduction(['Board?', 'Date?']), '2 questions: Board? · Date?');
    const long = defaultIntroduction(Array.from({ length: 16 }, () => 'x'.repeat(200)));
    assert.ok(new TextEncoder().encode(long).length <= 1000);
    assert.match(long, /…$/);
  });
});
