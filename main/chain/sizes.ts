// How large an election's messages may be (docs/PROTOCOL.md §3.3). Every number in the JSON forms
// has a fixed width, so the largest ballot an election allows has a size known from its genesis:
// a yes/no ballot is ~4.3 KB, a ballot of answers ~4.3 KB per option plus its sum proofs. Blocks,
// and the peer API's request limit, grow to hold the ballots a block carries, and never shrink
// below version 1's limits.
import { allowedSums, type QuestionRule, sumIsProven } from '../crypto/choices';
import {
  encodeAnyBallot,
  encodeCastBallot,
  encodeCompensatedFactor,
  encodeDecryptionFactor,
} from '../crypto/codec';
import type { Group } from '../crypto/group';
import type { AnyBallot, Ballot, ProofBranch } from '../crypto/types';
import { MAX_BALLOTS_PER_BLOCK } from './limits';

/** Version 1's block limit: every yes/no block, and 8 cast yes/no ballots (~49 KB), fit. */
export const BASE_BLOCK_BYTES = 60 * 1024;
/** Version 1's request limit: a block and the request around it. */
export const BASE_MESSAGE_BYTES = 64 * 1024;
/** The most a genesis may make a block (64 options in all come to ~0.3 MB). */
export const MAX_BLOCK_BYTES = 768 * 1024;
/** The most any request may be: the largest block, with room for the request around it. */
export const MAX_MESSAGE_BYTES = MAX_BLOCK_BYTES + 64 * 1024;
/**
 * The most a list of factors (GET /v1/factors: one a tallier) or of stand-in factors (one per
 * pair of threshold talliers) may come to, so that every answer fits a client's 8 MiB.
 */
export const MAX_FACTOR_LIST_BYTES = 6 * 1024 * 1024;

/** A per-voter block holds as many of the largest cast ballots as fit in this, at most 8. */
const CAST_BUDGET_BYTES = 56 * 1024;
/** A block's fields beside its ballots: height, prev, timestamp, a 64-byte miner label, nonce, kind. */
const BLOCK_FRAME_BYTES = 1024;

export interface ElectionSizes {
  /** The largest ballot's JSON (under `ballot` or `answers`), in bytes. */
  readonly ballotBytes: number;
  /** The largest cast ballot's JSON (per-voter rule), in bytes. */
  readonly castBytes: number;
  /** Cast ballots a per-voter voting block may carry: as many as fit, 1 to 8. */
  readonly ballotsPerBlock: number;
  /** A block's JSON is refused above this. */
  readonly blockBytes: number;
  /** A request body (a block, a cast ballot, a factor) is refused above this. */
  readonly messageBytes: number;
  /** A decryption factor of every tally, and a stand-in factor, in JSON. */
  readonly factorBytes: number;
  readonly compensatedBytes: number;
}

/**
 * The sizes an election allows, from what its genesis says: the group (its numbers' width), the
 * questions' rules (undefined: yes/no) and the ballot rule. makeGenesis keeps them as
 * `genesis.sizes`.
 */
export function electionSizes(
  group: Group,
  rules: readonly QuestionRule[] | undefined,
  perVoter: boolean,
): ElectionSizes {
  const ballot = largestBallot(rules);
  const ballotBytes = jsonBytes(encodeAnyBallot(group, ballot));
  const zero = { commitment: 0n, challenge: 0n, response: 0n };
  const castBytes = jsonBytes(
    encodeCastBallot(group, { credential: 0n, seq: 0xffffffff, ballot, signature: zero }),
  );
  const ballotsPerBlock = perVoter
    ? Math.max(1, Math.min(MAX_BALLOTS_PER_BLOCK, Math.floor(CAST_BUDGET_BYTES / castBytes)))
    : 1;
  const blockBytes = Math.max(
    BASE_BLOCK_BYTES,
    (perVoter ? ballotsPerBlock * castBytes : ballotBytes) + BLOCK_FRAME_BYTES,
  );
  const tallies = rules ? rules.reduce((n, rule) => n + rule.options, 0) : 1;
  const factorBytes = jsonBytes(
    encodeDecryptionFactor(group, {
      pk: 0n,
      final: '0'.repeat(64),
      factors: Array(tallies).fill(0n),
      decFactorPoc: { a: 0n, b: Array(tallies).fill(0n), challenge: 0n, response: 0n },
    }),
  );
  const compensatedBytes = jsonBytes(
    encodeCompensatedFactor(group, {
      pk: 0n,
      missing: 0n,
      final: '0'.repeat(64),
      factors: Array(tallies).fill(0n),
      proof: { a: 0n, b: Array(tallies).fill(0n), challenge: 0n, response: 0n },
    }),
  );
  const messageBytes = Math.max(BASE_MESSAGE_BYTES, blockBytes + 4096, factorBytes + 4096);
  return { ballotBytes, castBytes, ballotsPerBlock, blockBytes, messageBytes, factorBytes, compensatedBytes };
}

/** A ballot of the election's form with every number 0: its JSON is as long as any real one's. */
function largestBallot(rules: readonly QuestionRule[] | undefined): AnyBallot {
  const branch: ProofBranch = { a: 0n, b: 0n, challenge: 0n, response: 0n };
  const yesNo: Ballot = { alpha: 0n, beta: 0n, proof: [branch, branch] };
  if (!rules) return yesNo;
  return rules.map((rule) => ({
    choices: Array(rule.options).fill(yesNo),
    sumProof: sumIsProven(rule) ? Array(allowedSums(rule).length).fill(branch) : [],
  }));
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');
