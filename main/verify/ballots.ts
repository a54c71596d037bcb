// The one slow check of a record, ballot proofs, as a function of plain data so that it runs the
// same in a worker thread (ballot-worker.ts) and in the calling thread (`workers: 0`).
import { verifyBallot } from '../crypto/ballot';
import { parseBallot } from '../crypto/codec';
import { ValidationError } from '../crypto/errors';
import type { Group, GroupParams } from '../crypto/group';

/** What a ballot checker needs besides the ballots; cloneable into a worker. */
export interface BallotCheckInit {
  readonly group: GroupParams;
  /** The election id: the proof context. */
  readonly context: Uint8Array;
  readonly electionKey: bigint;
}

/** The first ballot of a list that fails, and why. */
export interface BallotFailure {
  readonly index: number;
  readonly message: string;
}

/** Field prefix of the errors: the ballot's place inside its block, as parseBlock names it. */
const FIELD = 'block.payload.ballot';

/**
 * Parses each ballot as untrusted (form, range and group membership: the caller parsed its block
 * without the membership test, which is the costly part of parsing) and verifies its proof.
 * Returns the first failure, or null when every ballot holds.
 */
export function checkBallots(
  group: Group,
  init: BallotCheckInit,
  ballots: readonly unknown[],
): BallotFailure | null {
  group.keepTable(init.electionKey); // a record has one election key: worth its table
  for (const [index, json] of ballots.entries()) {
    try {
      verifyBallot(group, init.context, init.electionKey, parseBallot(group, json, FIELD), FIELD);
    } catch (error) {
      if (error instanceof ValidationError) return { index, message: error.message };
      throw error;
    }
  }
  return null;
}
