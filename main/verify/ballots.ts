// The one slow check of a record, ballot proofs, as a function of plain data so that it runs the
// same in a worker thread (ballot-worker.ts) and in the calling thread.
import { verifyBallotBatch, verifyCastBatch } from '../crypto/ballot-batch';
import { parseBallot, parseCastBallot } from '../crypto/codec';
import { ValidationError } from '../crypto/errors';
import { FIXED_BASE_BREAK_EVEN, Group, type GroupParams } from '../crypto/group';
import type { Ballot, CastBallot } from '../crypto/types';

/** What a ballot checker needs besides the ballots; cloneable into a worker. */
export interface BallotCheckInit {
  readonly group: GroupParams;
  /** The election id: the proof context. */
  readonly context: Uint8Array;
  readonly electionKey: bigint;
  /** Per-voter rule: the lists hold cast ballots, each `{cast, field}` (its place in its block). */
  readonly perVoter?: boolean;
}

/** The first ballot of a list that fails, and why. */
export interface BallotFailure {
  readonly index: number;
  readonly message: string;
}

/** Field prefix of the errors: the ballot's place inside its block, as parseBlock names it. */
const FIELD = 'block.payload.ballot';

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
 * Parses each ballot as untrusted (form, range and group membership: the caller parsed its block
 * without the membership test, which is the costly part of parsing) and verifies the proofs of
 * the list as one batch. Returns the first failure, exactly as checking the ballots one by one in
 * order would (a ballot's parse before its proof), or null when every ballot holds.
 */
export function checkBallots(
  group: Group,
  init: BallotCheckInit,
  ballots: readonly unknown[],
): BallotFailure | null {
  if (init.perVoter) return checkCasts(group, init, ballots as readonly { cast: unknown; field: string }[]);
  const parsed: Ballot[] = [];
  let parseFailure: BallotFailure | null = null;
  for (const [index, json] of ballots.entries()) {
    try {
      parsed.push(parseBallot(group, json, FIELD));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      parseFailure = { index, message: error.message };
      break;
    }
  }
  // The ballots before a malformed one may still fail earlier: their proofs come first.
  const failure = verifyBallotBatch(group, init.context, init.electionKey, parsed, FIELD);
  return failure ? { index: failure.index, message: failure.error.message } : parseFailure;
}

/** Per-voter: the casts of a list (parsed in full, then one batch of signatures and proofs). */
function checkCasts(
  group: Group,
  init: BallotCheckInit,
  items: readonly { cast: unknown; field: string }[],
): BallotFailure | null {
  const parsed: CastBallot[] = [];
  const fields: string[] = [];
  let parseFailure: BallotFailure | null = null;
  for (const [index, { cast, field }] of items.entries()) {
    try {
      parsed.push(parseCastBallot(group, cast, field));
      fields.push(field);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      parseFailure = { index, message: error.message };
      break;
    }
  }
  const failure = verifyCastBatch(group, init.context, init.electionKey, parsed, fields);
  return failure ? { index: failure.index, message: failure.error.message } : parseFailure;
}
