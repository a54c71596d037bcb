// The one slow check of a record, ballot proofs, as a function of plain data so that it runs the
// same in a worker thread (ballot-worker.ts) and in the calling thread.
import { verifyAnswersBatch, verifyBallotBatch, verifyCastBatch } from '../crypto/ballot-batch';
import type { QuestionRule } from '../crypto/choices';
import { checkAnswersMembers, checkAnyBallotMembers, checkBallotMembers, checkMember } from '../crypto/codec';
import { ValidationError } from '../crypto/errors';
import { FIXED_BASE_BREAK_EVEN, Group, type GroupParams } from '../crypto/group';
import type { Answers, AnyBallot, Ballot, CastBallot } from '../crypto/types';

/** What a ballot checker needs besides the ballots; cloneable into a worker. */
export interface BallotCheckInit {
  readonly group: GroupParams;
  /** The election id: the proof context. */
  readonly context: Uint8Array;
  readonly electionKey: bigint;
  /** Per-voter rule: the lists hold cast ballots, each `{cast, field}` (its place in its block). */
  readonly perVoter?: boolean;
  /** Questions with choices: each question's rule (the ballots are answers); absent for yes/no. */
  readonly rules?: readonly QuestionRule[];
}

/** The first ballot of a list that fails, and why. */
export interface BallotFailure {
  readonly index: number;
  readonly message: string;
}

/** Field prefix of the errors: the ballot's place inside its block, as parseBlock names it. */
const HOLDER = 'block.payload';
const FIELD = `${HOLDER}.ballot`;

/**
 * The verifier's Group: fixed-base tables only once they pay, since a list of ballots costs one
 * g- and one h-exponentiation, not one per ballot. From plain numbers (in a worker) the parameters
 * are validated again, instantly for the default group: the only way to make a Group.
 */
export function verifierGroup(params: Group | GroupParams): Group {
  return params instanceof Group
    ? params.withTablesAfter(FIXED_BASE_BREAK_EVEN)
    : Group.fromParams(params, { tablesAfter: FIXED_BASE_BREAK_EVEN });
}

/**
 * One item of a list: a per-block ballot, or a per-voter cast with its place in its block. Both
 * as the walk parsed them, trusted (form and range, no membership test): checkBallots adds the
 * membership tests, so each element's hex is read once.
 */
export type CheckItem = AnyBallot | { readonly cast: CastBallot; readonly field: string };

/**
 * Tests each ballot's elements for membership (the costly part of parsing, which the walk left
 * out) and verifies the proofs of the list as one batch. Returns the first failure, exactly as
 * checking the ballots one by one in order would (a ballot's elements before its proof), or null
 * when every ballot holds.
 */
export function checkBallots(
  group: Group,
  init: BallotCheckInit,
  items: readonly CheckItem[],
): BallotFailure | null {
  if (init.perVoter) return checkCasts(group, init, items as readonly { cast: CastBallot; field: string }[]);
  if (init.rules) return checkAnswers(group, init, init.rules, items as readonly Answers[]);
  const ballots = items as readonly Ballot[];
  const end = firstFailing(ballots, (ballot) => checkBallotMembers(group, ballot, FIELD));
  // The ballots before a non-member may still fail earlier: their proofs come first.
  const failure = verifyBallotBatch(
    group,
    init.context,
    init.electionKey,
    ballots.slice(0, end.index),
    FIELD,
  );
  return failure ? { index: failure.index, message: failure.error.message } : end.failure;
}

/**
 * Per-voter: the casts of a list (membership, then one batch of signatures and proofs). The
 * credential is not tested: the walk queues only casts whose credential is on the roster, whose
 * every member parseGenesis tested.
 */
function checkCasts(
  group: Group,
  init: BallotCheckInit,
  items: readonly { cast: CastBallot; field: string }[],
): BallotFailure | null {
  const end = firstFailing(items, ({ cast, field }) => {
    checkAnyBallotMembers(group, cast.ballot, field);
    checkMember(group, cast.signature.commitment, `${field}.signature.commitment`);
  });
  const head = items.slice(0, end.index);
  const failure = verifyCastBatch(
    group,
    init.context,
    init.electionKey,
    init.rules,
    head.map((item) => item.cast),
    head.map((item) => item.field),
  );
  return failure ? { index: failure.index, message: failure.error.message } : end.failure;
}

/** Per-block answers: membership, then one batch of every option's and every sum's proof. */
function checkAnswers(
  group: Group,
  init: BallotCheckInit,
  rules: readonly QuestionRule[],
  ballots: readonly Answers[],
): BallotFailure | null {
  const end = firstFailing(ballots, (answers) => checkAnswersMembers(group, answers, `${HOLDER}.answers`));
  const failure = verifyAnswersBatch(
    group,
    init.context,
    init.electionKey,
    rules,
    ballots.slice(0, end.index),
    HOLDER,
  );
  return failure ? { index: failure.index, message: failure.error.message } : end.failure;
}

/** Runs `test` on each item in order: the index of the first that throws a ValidationError (or the length), and its error. */
function firstFailing<T>(
  items: readonly T[],
  test: (item: T) => void,
): { index: number; failure: BallotFailure | null } {
  for (const [index, item] of items.entries()) {
    try {
      test(item);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return { index, failure: { index, message: error.message } };
    }
  }
  return { index: items.length, failure: null };
}
