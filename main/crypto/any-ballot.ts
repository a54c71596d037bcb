// A ballot of either form (docs/CRYPTO.md §12.5): a yes/no ballot, or answers to an election's
// questions with choices. What the election asks decides which form it takes: `rules` undefined
// is the yes/no question, and a ballot of the other form is refused before any proof is checked.
import { addToTally, ballotStatement, checkBallotChallenge, verifyBallot } from './ballot';
import {
  type AnswerProof,
  answerProofs,
  checkAnswersShape,
  type QuestionRule,
  verifyAnswers,
} from './choices';
import { check } from './errors';
import type { Group } from './group';
import type { Answers, AnyBallot, Ciphertext } from './types';

/** Is this a ballot of answers (a list, one per question) rather than a yes/no ballot? */
export function isAnswers(ballot: AnyBallot): ballot is Answers {
  return Array.isArray(ballot);
}

/**
 * The ciphertexts a ballot adds to the tallies, in tally order: the yes/no ballot itself, or every
 * option of every question, question by question.
 */
export function ciphertextsOf(ballot: AnyBallot): readonly Ciphertext[] {
  return isAnswers(ballot) ? ballot.flatMap((answer) => answer.choices) : [ballot];
}

/** The tallies with a ballot added: each of its ciphertexts to its tally (ciphertextsOf's order). */
export function addToTallies(group: Group, tallies: readonly Ciphertext[], ballot: AnyBallot): Ciphertext[] {
  const add = ciphertextsOf(ballot);
  // checkBallotForm makes this hold for every ballot from outside; a caller that skipped it errs.
  if (add.length !== tallies.length)
    throw new Error(`a ballot of ${add.length} ciphertexts added to ${tallies.length} tallies`);
  return tallies.map((t, i) => addToTally(group, t, add[i]!));
}

/**
 * Refuses a ballot of the form the election does not ask for, or answers of another shape than its
 * questions (checkAnswersShape): after this, ciphertextsOf has one ciphertext per tally.
 */
export function checkBallotForm(
  ballot: AnyBallot,
  rules: readonly QuestionRule[] | undefined,
  field: string,
): void {
  if (rules === undefined)
    check(!isAnswers(ballot), `${field}.answers`, 'this election asks a yes/no question: send a ballot');
  else {
    check(isAnswers(ballot), `${field}.ballot`, 'this election asks questions with choices: send answers');
    checkAnswersShape(rules, ballot as Answers, field);
  }
}

/**
 * Checks a ballot of either form under h, for an election with these `rules` (undefined: yes/no).
 * `field` is the object holding it: the ballot is `${field}.ballot` or `${field}.answers`.
 */
export function verifyAnyBallot(
  group: Group,
  context: Uint8Array,
  h: bigint,
  rules: readonly QuestionRule[] | undefined,
  ballot: AnyBallot,
  field: string,
): void {
  checkBallotForm(ballot, rules, field);
  if (isAnswers(ballot)) verifyAnswers(group, context, h, rules!, ballot, field);
  else verifyBallot(group, context, h, ballot, `${field}.ballot`);
}

/**
 * The cheap part of checking a ballot of either form: its form and shape, and every proof's hash.
 * Returns the proofs whose equations remain, for a batch (proof-batch.ts).
 */
export function ballotProofs(
  group: Group,
  context: Uint8Array,
  h: bigint,
  rules: readonly QuestionRule[] | undefined,
  ballot: AnyBallot,
  field: string,
): AnswerProof[] {
  checkBallotForm(ballot, rules, field);
  if (isAnswers(ballot)) return answerProofs(group, context, h, rules!, ballot, field);
  checkBallotChallenge(group, context, h, ballot, `${field}.ballot`);
  return [{ statement: ballotStatement(ballot), branches: ballot.proof, field: `${field}.ballot.proof` }];
}
