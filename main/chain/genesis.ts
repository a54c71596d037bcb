// The genesis: the election's parameters. Its hash is the election id, the context bound into every
// proof, so changing any parameter makes a different election. Encoding: docs/PROTOCOL.md §2.

import { toBytes, toHex } from '../crypto/bigint';
import type { QuestionRule } from '../crypto/choices';
import { encodeGroup, exactObject, fixedHex, parseElement, parseGroupParams } from '../crypto/codec';
import { check } from '../crypto/errors';
import { Framer } from '../crypto/framing';
import { Group } from '../crypto/group';
import { LIMITS, MAX_CEREMONY_MESSAGES_PER_BLOCK } from './limits';
import { MAX_TARGET } from './pow/target';
import {
  checkQuestions,
  encodeQuestions,
  frameQuestions,
  optionCount,
  parseQuestions,
  type Question,
  type QuestionJson,
  questionRules,
} from './questions';
import {
  type ElectionSizes,
  electionSizes,
  MAX_BLOCK_BYTES,
  MAX_FACTOR_LIST_BYTES,
  MAX_MESSAGE_BYTES,
} from './sizes';
import { checkText } from './text';

/** Protocol versions: 1 is only verified (its records stay checkable); 2 is run. */
export type ProtocolVersion = 1 | 2;
export const PROTOCOL_VERSION: ProtocolVersion = 2;

/**
 * Who casts the ballots (docs/PROTOCOL.md §7). `per-block`: each block of the voting phase carries
 * its finder's ballot (more blocks, more ballots), the original rule. `per-voter` (version 2): the
 * genesis lists the voters' credentials (the roster); each voter signs its ballot, any miner
 * carries it, and each credential's last ballot on the branch counts.
 */
export type BallotRule = 'per-block' | 'per-voter';

export interface ElectionParams {
  /** The protocol version; a new election is version 2 unless stated. */
  readonly version?: ProtocolVersion;
  /** `per-block` unless stated. */
  readonly ballotRule?: BallotRule;
  /** Per-voter rule: the credential public keys of the admitted voters (any order; kept sorted). */
  readonly roster?: readonly bigint[];
  /**
   * Threshold talliers (version 2, docs/PROTOCOL.md §5.1): any `quorum` of the elected talliers
   * decrypt the result. Given with nCeremonyBlocks, or not at all (then every tallier is needed).
   */
  readonly quorum?: number;
  /** Threshold talliers: the key ceremony's heights, T+1 … T+nCeremonyBlocks, before voting. */
  readonly nCeremonyBlocks?: number;
  /**
   * Questions with choices (version 2, docs/PROTOCOL.md §2.3). Without them the election asks
   * `question` and each ballot is one yes/no ballot; with them `question` introduces the election
   * and each ballot answers every question.
   */
  readonly questions?: readonly Question[];
  readonly title: string;
  readonly question: string;
  readonly group: Group;
  /** How many talliers the key election elects. */
  readonly nTalliers: number;
  /** Heights 1…nTalliersBlocks carry tallier keys. */
  readonly nTalliersBlocks: number;
  /** The next nVoteBlocks heights carry one ballot each. */
  readonly nVoteBlocks: number;
  /** Blocks after the last voting block before the tally is fixed. */
  readonly confirmations: number;
  /** A block's hash, read as a 256-bit big-endian integer, must be ≤ target. */
  readonly target: bigint;
  /** Unix time, seconds. */
  readonly createdAt: number;
}

export interface Genesis extends ElectionParams {
  readonly version: ProtocolVersion;
  readonly ballotRule: BallotRule;
  /** Ascending, no repeats; empty under the per-block rule. */
  readonly roster: readonly bigint[];
  /** How large its ballots, blocks and requests may be (sizes.ts), derived, not encoded. */
  readonly sizes: ElectionSizes;
  /** SHA-256 of the genesis encoding: the election id, as 32 bytes and as 64 hex digits. */
  readonly id: Uint8Array;
  readonly idHex: string;
}

export interface GenesisJson {
  version: ProtocolVersion;
  title: string;
  question: string;
  group: { p: string; q: string; g: string };
  n_talliers: number;
  n_talliers_blocks: number;
  n_vote_blocks: number;
  confirmations: number;
  target: string;
  created_at: number;
  /** Present only under the per-voter rule (a per-block genesis is encoded as in version 1). */
  ballot_rule?: 'per-voter';
  roster?: string[];
  /** Present only for threshold talliers, together. */
  quorum?: number;
  n_ceremony_blocks?: number;
  /** Present only with questions with choices. */
  questions?: QuestionJson[];
}

export { LIMITS };

/** The hardest target a genesis may set. (MAX_TARGET, the easiest, lets tests mine instantly.) */
export const MIN_TARGET = MAX_TARGET >> BigInt(LIMITS.maxExpectedHashesLog2);

/** Validates parameters and computes the election id. */
export function makeGenesis(params: ElectionParams): Genesis {
  const version = params.version ?? PROTOCOL_VERSION;
  const ballotRule = params.ballotRule ?? 'per-block';
  const roster = [...(params.roster ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const base = { ...params, version, ballotRule, roster };
  checkParams(base);
  const sizes = electionSizes(params.group, ballotRules(params), ballotRule === 'per-voter');
  checkCapacity(base, sizes);
  const full = { ...base, sizes };
  const id = genesisHash(full);
  return { ...full, id, idHex: Buffer.from(id).toString('hex') };
}

/** Does the genesis ask questions with choices (rather than one yes/no question)? */
export function hasQuestions(
  params: Pick<ElectionParams, 'questions'>,
): params is { questions: readonly Question[] } {
  return params.questions !== undefined;
}

/** What a ballot must answer: each question's rule, or undefined for the one yes/no question. */
export function ballotRules(params: Pick<ElectionParams, 'questions'>): QuestionRule[] | undefined {
  return hasQuestions(params) ? questionRules(params.questions) : undefined;
}

/** How many tallies the election keeps: one per option of every question, or one for yes/no. */
export function tallyCount(params: Pick<ElectionParams, 'questions'>): number {
  return hasQuestions(params) ? optionCount(params.questions) : 1;
}

/** Does the genesis elect threshold talliers (a quorum and a key ceremony)? */
export function hasThreshold(
  params: Pick<ElectionParams, 'quorum' | 'nCeremonyBlocks'>,
): params is { quorum: number; nCeremonyBlocks: number } {
  return params.quorum !== undefined;
}

/**
 * The per-block encoding is version 1's (so every existing election keeps its id); a per-voter
 * genesis appends F("per-voter") ‖ u32(roster size) ‖ F(credential) for each, in ascending order;
 * a threshold genesis then appends F("threshold") ‖ u32(quorum) ‖ u32(n_ceremony_blocks); a
 * genesis with questions then appends them (frameQuestions).
 */
function genesisHash(g: Omit<Genesis, 'id' | 'idHex' | 'sizes'>): Uint8Array {
  const w = g.group.byteWidth;
  const framer = new Framer()
    .text(`onion-election/v${g.version}/genesis`)
    .text(g.title)
    .text(g.question)
    .field(toBytes(g.group.p, w))
    .field(toBytes(g.group.q, w))
    .field(toBytes(g.group.g, w))
    .u32(g.nTalliers)
    .u32(g.nTalliersBlocks)
    .u32(g.nVoteBlocks)
    .u32(g.confirmations)
    .raw(toBytes(g.target, 32))
    .u64(g.createdAt);
  if (g.ballotRule === 'per-voter') {
    framer.text('per-voter').u32(g.roster.length);
    for (const credential of g.roster) framer.field(toBytes(credential, w));
  }
  if (hasThreshold(g)) framer.text('threshold').u32(g.quorum).u32(g.nCeremonyBlocks);
  if (hasQuestions(g)) frameQuestions(framer, g.questions);
  return framer.digest();
}

function checkCount(value: number, [min, max]: readonly [number, number], field: string): void {
  check(
    Number.isSafeInteger(value) && value >= min && value <= max,
    field,
    `must be a whole number in [${min}, ${max}]`,
  );
}

function checkParams(g: Omit<Genesis, 'id' | 'idHex' | 'sizes'>): void {
  checkText(g.title, LIMITS.titleBytes, 'genesis.title');
  checkText(g.question, LIMITS.questionBytes, 'genesis.question');
  checkCount(g.nTalliers, LIMITS.nTalliers, 'genesis.n_talliers');
  checkCount(g.nTalliersBlocks, LIMITS.nTalliersBlocks, 'genesis.n_talliers_blocks');
  checkCount(g.nVoteBlocks, LIMITS.nVoteBlocks, 'genesis.n_vote_blocks');
  checkCount(g.confirmations, LIMITS.confirmations, 'genesis.confirmations');
  check(
    g.target >= MIN_TARGET && g.target <= MAX_TARGET,
    'genesis.target',
    `must be in [2^${256 - LIMITS.maxExpectedHashesLog2} − 1, 2^256 − 1]: at most 2^${LIMITS.maxExpectedHashesLog2} expected hashes per block`,
  );
  check(
    Number.isSafeInteger(g.createdAt) && g.createdAt >= 0,
    'genesis.created_at',
    'must be a Unix time in whole seconds, in [0, 2^53 − 1]',
  );
  checkThreshold(g);
  if (hasQuestions(g)) {
    check(g.version === 2, 'genesis.questions', 'questions with choices need protocol version 2');
    checkQuestions(g.questions);
  }
  if (g.ballotRule === 'per-block') {
    check(g.roster.length === 0, 'genesis.roster', 'only a per-voter election has a roster');
    return;
  }
  check(g.ballotRule === 'per-voter', 'genesis.ballot_rule', 'must be "per-block" or "per-voter"');
  check(g.version === 2, 'genesis.ballot_rule', 'the per-voter rule needs protocol version 2');
  checkCount(g.roster.length, LIMITS.rosterSize, 'genesis.roster');
  g.roster.forEach((credential, i) => {
    check(
      g.group.isElement(credential),
      `genesis.roster[${i}]`,
      'is not an element of the group (a quadratic residue in (1, p))',
    );
    check(i === 0 || g.roster[i - 1]! < credential, `genesis.roster[${i}]`, 'is listed twice');
  });
}

/**
 * Per-voter rule: the voting blocks must be able to carry every voter's ballot. Questions with
 * choices: the talliers' factors (one per tally each) and stand-in factors must fit the answers
 * that carry them.
 */
function checkCapacity(g: Omit<Genesis, 'id' | 'idHex' | 'sizes'>, sizes: ElectionSizes): void {
  // What every runner's client sends and takes (a larger group makes every number wider).
  check(
    sizes.blockBytes <= MAX_BLOCK_BYTES && sizes.messageBytes <= MAX_MESSAGE_BYTES,
    g.questions ? 'genesis.questions' : 'genesis.group',
    `make a block of ${Math.ceil(sizes.blockBytes / 1024)} KiB, above the ${MAX_BLOCK_BYTES / 1024} KiB any runner takes: fewer options, or a smaller group`,
  );
  const standIns = hasThreshold(g) ? g.nTalliers * (g.nTalliers - 1) : 0;
  const list = Math.max(g.nTalliers * sizes.factorBytes, standIns * sizes.compensatedBytes);
  check(
    list <= MAX_FACTOR_LIST_BYTES,
    g.questions && !hasThreshold(g) ? 'genesis.questions' : 'genesis.n_talliers',
    `is too many with these questions: the ${hasThreshold(g) ? `stand-in factors of ${g.nTalliers} threshold talliers` : `factors of ${g.nTalliers} talliers`} would come to ${(list / 2 ** 20).toFixed(1)} MiB, above ${MAX_FACTOR_LIST_BYTES / 2 ** 20} MiB: fewer talliers or fewer options`,
  );
  if (g.ballotRule !== 'per-voter') return;
  const perBlock = sizes.ballotsPerBlock;
  check(
    g.nVoteBlocks * perBlock >= g.roster.length,
    'genesis.n_vote_blocks',
    `is too few: ${g.nVoteBlocks} voting blocks carry at most ${g.nVoteBlocks * perBlock} ballots (${perBlock} a block), fewer than the ${g.roster.length} voters`,
  );
}

function checkThreshold(g: Omit<Genesis, 'id' | 'idHex' | 'sizes'>): void {
  if (g.quorum === undefined && g.nCeremonyBlocks === undefined) return;
  check(
    g.quorum !== undefined && g.nCeremonyBlocks !== undefined,
    'genesis.quorum',
    'a quorum and n_ceremony_blocks go together',
  );
  check(g.version === 2, 'genesis.quorum', 'threshold talliers need protocol version 2');
  checkCount(g.nTalliers, LIMITS.thresholdTalliers, 'genesis.n_talliers');
  checkCount(g.quorum, [1, g.nTalliers], 'genesis.quorum');
  checkCount(g.nCeremonyBlocks, LIMITS.nCeremonyBlocks, 'genesis.n_ceremony_blocks');
  const dealingBlocks = Math.ceil(g.nCeremonyBlocks / 2);
  check(
    dealingBlocks * MAX_CEREMONY_MESSAGES_PER_BLOCK >= g.nTalliers,
    'genesis.n_ceremony_blocks',
    `is too few: dealings go into the first ${dealingBlocks} ceremony block${dealingBlocks === 1 ? '' : 's'}, ${MAX_CEREMONY_MESSAGES_PER_BLOCK} a block, fewer than the ${g.nTalliers} talliers`,
  );
}

export function encodeGenesis(g: Genesis): GenesisJson {
  return {
    version: g.version,
    title: g.title,
    question: g.question,
    group: encodeGroup(g.group),
    n_talliers: g.nTalliers,
    n_talliers_blocks: g.nTalliersBlocks,
    n_vote_blocks: g.nVoteBlocks,
    confirmations: g.confirmations,
    target: toHex(g.target, 64),
    created_at: g.createdAt,
    ...(g.ballotRule === 'per-voter'
      ? { ballot_rule: 'per-voter' as const, roster: g.roster.map((c) => toHex(c, g.group.byteWidth * 2)) }
      : {}),
    ...(hasThreshold(g) ? { quorum: g.quorum, n_ceremony_blocks: g.nCeremonyBlocks } : {}),
    ...(hasQuestions(g) ? { questions: encodeQuestions(g.questions) } : {}),
  };
}

const GENESIS_KEYS = [
  'version',
  'title',
  'question',
  'group',
  'n_talliers',
  'n_talliers_blocks',
  'n_vote_blocks',
  'confirmations',
  'target',
  'created_at',
] as const;
const PER_VOTER_KEYS = ['ballot_rule', 'roster'] as const;
const THRESHOLD_KEYS = ['quorum', 'n_ceremony_blocks'] as const;

/** Parses and validates a genesis from outside (a peer, a file). */
export function parseGenesis(value: unknown): Genesis {
  const has = (key: string) => typeof value === 'object' && value !== null && Object.hasOwn(value, key);
  const perVoter = has('ballot_rule');
  const threshold = has('quorum') || has('n_ceremony_blocks');
  const questions = has('questions');
  const o = exactObject(value, 'genesis', [
    ...GENESIS_KEYS,
    ...(perVoter ? PER_VOTER_KEYS : []),
    ...(threshold ? THRESHOLD_KEYS : []),
    ...(questions ? ['questions'] : []),
  ]);
  check(o.version === 1 || o.version === 2, 'genesis.version', 'must be 1 or 2');
  for (const key of ['title', 'question'] as const)
    check(typeof o[key] === 'string', `genesis.${key}`, 'must be a string');
  for (const key of [
    'n_talliers',
    'n_talliers_blocks',
    'n_vote_blocks',
    'confirmations',
    'created_at',
    ...(threshold ? THRESHOLD_KEYS : []),
  ] as const) {
    check(typeof o[key] === 'number', `genesis.${key}`, 'must be a number');
  }
  const group = Group.fromParams(parseGroupParams(o.group, 'genesis.group'), { field: 'genesis.group' });
  let roster: bigint[] = [];
  if (perVoter) {
    // "per-block" is never written: that rule is the genesis without these keys (one encoding each).
    check(
      o.ballot_rule === 'per-voter',
      'genesis.ballot_rule',
      'must be "per-voter" (a per-block genesis omits it)',
    );
    check(Array.isArray(o.roster), 'genesis.roster', 'must be an array of credential public keys');
    const listed = o.roster as unknown[];
    checkCount(listed.length, LIMITS.rosterSize, 'genesis.roster');
    // Form and range here; membership is makeGenesis's check (one Jacobi symbol each, not two).
    roster = listed.map((c, i) => parseElement(group, c, `genesis.roster[${i}]`, 'trusted'));
    for (const [i, c] of roster.entries())
      check(i === 0 || roster[i - 1]! < c, `genesis.roster[${i}]`, 'must be in ascending order, each once');
  }
  return makeGenesis({
    ballotRule: perVoter ? 'per-voter' : 'per-block',
    roster,
    version: o.version as ProtocolVersion,
    title: o.title as string,
    question: o.question as string,
    group,
    nTalliers: o.n_talliers as number,
    nTalliersBlocks: o.n_talliers_blocks as number,
    nVoteBlocks: o.n_vote_blocks as number,
    confirmations: o.confirmations as number,
    target: fixedHex(o.target, 64, 'genesis.target'),
    createdAt: o.created_at as number,
    ...(threshold ? { quorum: o.quorum as number, nCeremonyBlocks: o.n_ceremony_blocks as number } : {}),
    ...(questions ? { questions: parseQuestions(o.questions) } : {}),
  });
}
