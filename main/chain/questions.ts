// An election's questions with choices (protocol version 2, docs/PROTOCOL.md §2.3): each question
// has its text, its option labels and the rule of what a ballot may choose (crypto/choices.ts).
// A genesis without questions asks its one yes/no `question`, as every earlier election did.
import { checkRules, MAX_OPTIONS, MAX_QUESTIONS, type QuestionRule } from '../crypto/choices';
import { exactObject } from '../crypto/codec';
import { check } from '../crypto/errors';
import type { Framer } from '../crypto/framing';
import { LIMITS } from './limits';
import { checkText } from './text';

export interface Question {
  /** What is asked ("Who should sit on the board?"). */
  readonly text: string;
  /** The options' labels, in ballot order, each distinct. */
  readonly options: readonly string[];
  /** How many options a ballot must choose at least and may choose at most. */
  readonly min: number;
  readonly max: number;
  /** With min > 0: a ballot may also choose none (a blank answer). */
  readonly blank: boolean;
}

export interface QuestionJson {
  question: string;
  options: string[];
  min: number;
  max: number;
  blank: boolean;
}

/** What each question allows, as the ballot's proofs state it. */
export function questionRules(questions: readonly Question[]): QuestionRule[] {
  return questions.map((q) => ({ options: q.options.length, min: q.min, max: q.max, blank: q.blank }));
}

/** The number of tallies: one per option of every question. */
export const optionCount = (questions: readonly Question[]) =>
  questions.reduce((n, q) => n + q.options.length, 0);

/**
 * Checks the questions a genesis asks: 1–16, each with a text and 1–64 distinct option labels (as
 * the title: UTF-8, no control characters), a valid rule, and at most LIMITS.optionsInAll options
 * in all (every option is a tally, and a ballot's size grows with them: docs/PROTOCOL.md §2.3).
 */
export function checkQuestions(questions: readonly Question[], field = 'genesis.questions'): void {
  check(
    questions.length >= 1 && questions.length <= MAX_QUESTIONS,
    field,
    `must be 1 to ${MAX_QUESTIONS} questions`,
  );
  for (const [i, q] of questions.entries()) {
    const where = `${field}[${i}]`;
    checkText(q.text, LIMITS.questionBytes, `${where}.question`);
    check(
      q.options.length >= 1 && q.options.length <= MAX_OPTIONS,
      `${where}.options`,
      `must be 1 to ${MAX_OPTIONS} options`,
    );
    const seen = new Set<string>();
    for (const [j, label] of q.options.entries()) {
      checkText(label, LIMITS.optionBytes, `${where}.options[${j}]`);
      // Labels that only differ in Unicode composition read the same to a voter.
      const key = label.normalize('NFC');
      check(!seen.has(key), `${where}.options[${j}]`, 'is listed twice');
      seen.add(key);
    }
  }
  checkRules(questionRules(questions), field);
  const all = optionCount(questions);
  check(
    all <= LIMITS.optionsInAll,
    field,
    `must have at most ${LIMITS.optionsInAll} options in all (each is a tally), not ${all}`,
  );
}

/**
 * The genesis hash's part for questions: F("questions") ‖ u32(count) ‖ per question F(text) ‖
 * u32(min) ‖ u32(max) ‖ u32(blank: 1 or 0) ‖ u32(options) ‖ F(label) for each.
 */
export function frameQuestions(framer: Framer, questions: readonly Question[]): void {
  framer.text('questions').u32(questions.length);
  for (const q of questions) {
    framer
      .text(q.text)
      .u32(q.min)
      .u32(q.max)
      .u32(q.blank ? 1 : 0)
      .u32(q.options.length);
    for (const label of q.options) framer.text(label);
  }
}

export function encodeQuestions(questions: readonly Question[]): QuestionJson[] {
  return questions.map((q) => ({
    question: q.text,
    options: [...q.options],
    min: q.min,
    max: q.max,
    blank: q.blank,
  }));
}

/** Parses the genesis' `questions` in form; checkQuestions (makeGenesis) checks what they say. */
export function parseQuestions(value: unknown, field = 'genesis.questions'): Question[] {
  check(
    Array.isArray(value) && value.length >= 1 && value.length <= MAX_QUESTIONS,
    field,
    `must be an array of 1 to ${MAX_QUESTIONS} questions`,
  );
  return (value as unknown[]).map((item, i) => {
    const where = `${field}[${i}]`;
    const o = exactObject(item, where, ['question', 'options', 'min', 'max', 'blank']);
    check(
      Array.isArray(o.options) && o.options.length >= 1 && o.options.length <= MAX_OPTIONS,
      `${where}.options`,
      `must be an array of 1 to ${MAX_OPTIONS} option labels`,
    );
    checkText(o.question, LIMITS.questionBytes, `${where}.question`);
    for (const [j, label] of (o.options as unknown[]).entries())
      checkText(label, LIMITS.optionBytes, `${where}.options[${j}]`);
    for (const key of ['min', 'max'] as const)
      check(typeof o[key] === 'number', `${where}.${key}`, 'must be a number');
    check(typeof o.blank === 'boolean', `${where}.blank`, 'must be true or false');
    return {
      text: o.question,
      options: o.options as string[],
      min: o.min as number,
      max: o.max as number,
      blank: o.blank as boolean,
    };
  });
}
