// The independent verifier: re-checks an election record from scratch in one pass over its blocks,
// sharing the runner's crypto, encodings and rules (rules.ts, phases.ts, talliers.ts) but none of
// its state. The order of the checks, and so which failure is reported:
//
//   1. the record's shape, its format, the genesis (group and parameters);
//   2. each block in height order: its parse, height, prev link, proof of work, timestamp, payload
//      kind; a tallier key's pk_pok (per-voter: its endorsement by a roster member, one key per
//      voter; at height T: the election key, never 1); a ballot's replay rule, the tally's α (never
//      1), then its proof; per-voter, each cast ballot in order: roster, one per voter in the
//      block, replay, rising sequence number, signature and proof (the last one of each voter
//      counts, as on a runner: chain/voters.ts);
//   3. version 2: the talliers' seal of the final block (one acceptance each, one round, all
//      naming the last block, each signature valid);
//   4. the decryption factors of the final tally (version 2: each naming the last block), then
//      the result.
//
// Ballot proofs are the slow part. They are queued in lists, each checked as one batch (one
// random linear combination of all its proof equations, docs/CRYPTO.md §7.1): on worker threads,
// one per core, while this thread carries on with everything else, when the record has enough
// ballots to pay for their start-up; else in this thread, as one batch, once the walk is over. When this thread stops
// at a failure, it still waits for the proofs of the blocks below it, and the lowest failing
// height is reported: what a purely sequential pass would report. A ballot block is parsed here
// without the group-membership test (the costly part of parsing); the list's checker parses the
// ballot again in full before checking its proof.
import os from 'node:os';
import { blockHash, parseBlock } from '../chain/block';
import { applyCeremony, type CeremonyState, emptyCeremony, keyHolders } from '../chain/ceremony';
import { MAX_ROUNDS, sealQuorum } from '../chain/finality';
import {
  ballotRules,
  type Genesis,
  hasQuestions,
  hasThreshold,
  parseGenesis,
  tallyCount,
} from '../chain/genesis';
import {
  electionKeyHeight,
  finalHeight,
  keyElectionHeight,
  lastVoteHeight,
  type Phase,
  phaseOf,
} from '../chain/phases';
import type { Question } from '../chain/questions';
import { expectedPayload, MEDIAN_SPAN, medianTimePast } from '../chain/rules';
import { electTalliers, type KeyElection } from '../chain/talliers';
import { applyCasts, checkEndorsedKey, type OnBranch, VoterIndex } from '../chain/voters';
import { addToTallies, checkBallotForm, ciphertextsOf, isAnswers } from '../crypto/any-ballot';
import { EMPTY_TALLY, TALLY_ALPHA_ONE } from '../crypto/ballot';
import { toHex } from '../crypto/bigint';
import {
  type CiphertextJson,
  encodeCiphertext,
  exactObject,
  parseAcceptance,
  parseCastBallot,
  parseCompensatedFactor,
  parseDecryptionFactor,
  parseResult,
} from '../crypto/codec';
import { ballotTracker, verifyCastBallot } from '../crypto/credential';
import {
  decryptTally,
  decryptWithQuorum,
  electionResult,
  isChoicesResult,
  type Quorum,
  verifyDecryptionFactor,
} from '../crypto/decryption';
import { check, ValidationError } from '../crypto/errors';
import type { Group } from '../crypto/group';
import { electionKey, verifyAcceptance, verifyPkPok } from '../crypto/tallier';
import { verifyCompensatedFactor } from '../crypto/threshold';
import type {
  AnyBallot,
  Ciphertext,
  CompensatedFactor,
  DecryptionFactor,
  ElectionResult,
  TallierPublicKey,
} from '../crypto/types';
import { type BallotFailure, type CheckItem, verifierGroup } from './ballots';
import { type BallotChecker, ballotChecker } from './pool';
import { RECORD_FORMATS, RECORD_KEYS, THRESHOLD_RECORD_KEYS } from './record';

export { formatOutcome } from './format';

export interface VerifyOptions {
  /**
   * Worker threads checking ballot proofs; 0: this thread, after its walk. Default: one per core
   * when the record's ballots pay for their start-up (workersFor), else none.
   */
  readonly workers?: number;
  /** Ballots per list (one batch). Default: large lists first, smaller ones towards the end. */
  readonly chunkSize?: number;
  /** The worker entry module, for bundles laid out differently; default ballot-worker beside this. */
  readonly workerUrl?: URL;
  /** A ballot's tracker (its receipt; at least 16 hex digits, a prefix will do): is it counted? */
  readonly tracker?: string;
}

/** What a record says of a tracker: counted, replaced by a later ballot of its voter, or absent. */
export type TrackerFinding =
  | { readonly tracker: string; readonly state: 'counted'; readonly height: number }
  | { readonly tracker: string; readonly state: 'replaced'; readonly height: number; readonly by: number }
  | { readonly tracker: string; readonly state: 'absent' };

export interface TallierSummary {
  /** The first 16 hex digits of the public key. */
  readonly pk: string;
  /** Appearances in the key phase. */
  readonly count: number;
}

export interface RecordSummary {
  /** The election id (genesis hash), hex. */
  readonly electionId: string;
  readonly title: string;
  readonly question: string;
  /** Questions with choices: what each asks and its options (for saying the result). */
  readonly questions?: readonly Question[];
  /** Height of the last block. */
  readonly height: number;
  readonly finalHeight: number;
  /** The phase of the next block, or 'final' once the chain has ended. */
  readonly phase: Phase | 'final';
  /** The elected talliers, best first; empty until the key phase is over. */
  readonly talliers: readonly TallierSummary[];
  /** Ballots counted: per-voter, the voters whose ballot counts (turnout). */
  readonly ballots: number;
  readonly ballotRule: 'per-block' | 'per-voter';
  /** Per-voter rule: the registered voters (the roster's size). */
  readonly voters?: number;
  /** The tracker asked about, if any. */
  readonly tracker?: TrackerFinding;
  readonly tally: CiphertextJson;
  /** The protocol version of the record. */
  readonly version: 1 | 2;
  /** Version 2: the round in which the talliers sealed the last block, if they did. */
  readonly sealedInRound?: number;
  /** Version 2: how many acceptances the seal holds, and of how many talliers. */
  readonly sealedBy?: { readonly accepted: number; readonly of: number };
  /**
   * Threshold talliers, once the key ceremony is over: the qualified talliers (16-digit prefixes),
   * any `quorum` of whom decrypt; the elected talliers left out (proven wrong, or no dealing in
   * time); the talliers whose part of the result came from stand-in factors.
   */
  readonly threshold?: {
    readonly qualified: readonly string[];
    readonly quorum: number;
    readonly excluded: readonly string[];
    readonly stoodIn: readonly string[];
  };
}

export type Outcome =
  | { readonly status: 'verified'; readonly result: ElectionResult; readonly summary: RecordSummary }
  /** Valid as far as it goes: the chain is short of its final height, or factors are missing. */
  | { readonly status: 'incomplete'; readonly reason: string; readonly summary: RecordSummary }
  | { readonly status: 'invalid'; readonly error: string };

/**
 * Workers' start-up, seconds, the ones of a pool starting together on the cores this thread also
 * uses, until they check at full speed: from TypeScript under tsx each compiles the verifier anew
 * (measured ~1 s for two at once on 2 cores); from the bundle (`npm run build`) ~0.1 s to start
 * and ~0.3 s of each new thread's code running cold before the JIT has compiled it.
 */
const WORKER_START_S = import.meta.url.endsWith('.ts') ? 1.0 : 0.4;
/**
 * Checking one ballot in a batch, seconds, on this thread alone (measured: 1,000 per-block ballots
 * in ~1.0 s; a per-voter cast, with its signature, ~1.3 ms).
 */
const BALLOT_S = 0.001;
/**
 * The share of one thread's rate each of `cores` workers keeps when all run at once (measured on a
 * 2-core machine: two workers each checked at ~65%; bigint arithmetic allocates heavily, and the
 * threads share memory bandwidth and the garbage collector's helpers).
 */
const PARALLEL_EFFICIENCY = 0.65;

/**
 * Workers for `ballots` on `cores`: one per core if that finishes sooner than this thread alone
 * (start-up + share < all), else none. A single worker never pays: this thread would wait for it.
 */
export function workersFor(ballots: number, cores: number): number {
  const alone = ballots * BALLOT_S;
  return cores >= 2 && WORKER_START_S + alone / (cores * PARALLEL_EFFICIENCY) < alone ? cores : 0;
}
/** The smallest default list: below it the batch's fixed costs (two full exponentiations) show. */
const MIN_CHUNK = 32;

/**
 * Verifies an election record (as parsed from its JSON). Resolves to its outcome; rejects only on
 * a fault of the verifier itself (a worker that cannot start), never because of the record.
 */
export async function verifyRecord(record: unknown, options: VerifyOptions = {}): Promise<Outcome> {
  const walk = new RecordWalk(options);
  try {
    return await walk.run(record);
  } catch (error) {
    if (error instanceof ValidationError) return { status: 'invalid', error: error.message };
    throw error;
  } finally {
    await walk.close();
  }
}

/** A list of ballots sent for checking, and the block index of each. */
interface Chunk {
  readonly indexes: number[];
  readonly ballots: CheckItem[];
}

class RecordWalk {
  private readonly workers: number | undefined;
  private readonly chunkSize: number | undefined;
  private checker: BallotChecker | undefined;
  /** Workers, and the ballots the record's voting blocks can hold: for the default list size. */
  private participants = 0;
  private expected = 0;
  /** The group for this walk's own exponentiations: tables only once they pay (ballots.ts). */
  private group: Group | undefined;
  private chunk: Chunk = { indexes: [], ballots: [] };
  private readonly sent: {
    readonly indexes: readonly number[];
    readonly failure: Promise<BallotFailure | null>;
  }[] = [];

  /** Blocks in the record, checked or not. */
  private blockCount = 0;
  // What the blocks so far have established.
  private height = 0;
  private prevHash = '';
  /** Timestamps newest first, at most MEDIAN_SPAN: the genesis's and the blocks'. */
  private times: number[] = [];
  private readonly appearances: { height: number; key: TallierPublicKey }[] = [];
  private election: KeyElection | undefined;
  private electionKey: bigint | undefined;
  /** Threshold talliers: the key ceremony so far. */
  private ceremony: CeremonyState | undefined;
  /** Once the election key is fixed: the talliers whose keys make it, and how many must decrypt. */
  private qualified: readonly bigint[] = [];
  private quorum = 0;
  /** For the summary: the seal's acceptances, and the talliers covered by stand-ins. */
  private sealedBy: { accepted: number; of: number } | undefined;
  private stoodIn: bigint[] = [];
  /** α of every ballot so far → its height: the replay rule. */
  private readonly alphas = new Map<bigint, number>();
  /** The chain's tallies so far: one for a yes/no question. */
  private tallies: readonly Ciphertext[] = [EMPTY_TALLY];
  private ballots = 0;
  /** Per-voter rule: every cast and endorsement so far (a record is one branch: all count). */
  private readonly voters = new VoterIndex();
  /**
   * Every ballot with its block's height (and, per-voter, its credential and seq): for a --tracker
   * question only, so the digests are computed then, not during the walk.
   */
  private readonly held: { ballot: AnyBallot; height: number; credential: bigint; seq: number }[] = [];

  constructor(private readonly options: VerifyOptions) {
    this.workers = options.workers;
    this.chunkSize = options.chunkSize;
    // A caller's mistake, not the record's: thrown, not reported as an outcome.
    if (this.workers !== undefined && (!Number.isSafeInteger(this.workers) || this.workers < 0))
      throw new RangeError('workers must be ≥ 0');
    if (this.chunkSize !== undefined && (!Number.isSafeInteger(this.chunkSize) || this.chunkSize < 1))
      throw new RangeError('chunkSize must be ≥ 1');
  }

  async run(value: unknown): Promise<Outcome> {
    check(
      typeof value === 'object' && value !== null && !Array.isArray(value),
      'record',
      'must be a JSON object',
    );
    const format = (value as { format?: unknown }).format;
    const version = format === RECORD_FORMATS[1] ? 1 : format === RECORD_FORMATS[2] ? 2 : undefined;
    check(
      version !== undefined,
      'record.format',
      `must be "${RECORD_FORMATS[2]}" (or "${RECORD_FORMATS[1]}" for a version-1 election)`,
    );
    const rawGenesis = (value as { genesis?: unknown }).genesis;
    const threshold =
      version === 2 &&
      typeof rawGenesis === 'object' &&
      rawGenesis !== null &&
      Object.hasOwn(rawGenesis, 'quorum');
    const record = exactObject(value, 'record', threshold ? THRESHOLD_RECORD_KEYS : RECORD_KEYS[version]);
    const genesis = parseGenesis(record.genesis);
    check(
      genesis.version === version,
      'record.genesis.version',
      `is ${genesis.version}, but the record's format is version ${version}`,
    );
    check(Array.isArray(record.blocks), 'record.blocks', 'must be an array');
    if (version === 2) check(Array.isArray(record.seal), 'record.seal', 'must be an array');
    check(Array.isArray(record.dec_factors), 'record.dec_factors', 'must be an array');
    if (threshold)
      check(Array.isArray(record.compensated_factors), 'record.compensated_factors', 'must be an array');
    const claimed = parseRecordResult(record.result);

    this.blockCount = record.blocks.length;
    this.tallies = Array.from({ length: tallyCount(genesis) }, () => EMPTY_TALLY);
    this.prevHash = genesis.idHex;
    this.times = [genesis.createdAt];
    let stop: ValidationError | undefined;
    try {
      for (const [i, json] of record.blocks.entries()) this.block(genesis, json, i);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      stop = error;
    }
    this.send();
    // Every proof below the stop is awaited: a failure there comes first.
    const proofFailure = await this.firstProofFailure();
    if (proofFailure) throw proofFailure;
    if (stop) throw stop;
    return this.conclude(
      genesis,
      (record.seal ?? []) as unknown[],
      record.dec_factors,
      (record.compensated_factors ?? []) as unknown[],
      claimed,
    );
  }

  close(): Promise<void> {
    return this.checker?.close() ?? Promise.resolve();
  }

  /** Every check of block `i` except its ballot proof, which is queued. */
  private block(genesis: Genesis, json: unknown, i: number): void {
    const height = i + 1;
    const group = this.groupOf(genesis);
    within(at(i), () => {
      const expected = expectedPayload(genesis, height);
      // Ballots' elements are tested for membership, beside their proofs, by the list's checker.
      const block = parseBlock(
        group,
        json,
        expected === 'ballot' || expected === 'ballots' ? 'trusted' : 'untrusted',
      );
      const onChain: OnBranch = () => true;
      check(block.height === height, 'block.height', `is ${block.height}: the blocks must run from height 1`);
      const final = finalHeight(genesis);
      check(height <= final, 'block.height', `is beyond the election's final height ${final}`);
      check(
        block.prev === this.prevHash,
        'block.prev',
        `must be the hash of the ${height === 1 ? 'genesis (the election id)' : `block at height ${height - 1}`}, ${this.prevHash}`,
      );
      const hash = blockHash(group, block);
      check(
        BigInt(`0x${hash}`) <= genesis.target,
        'block.nonce',
        `proof of work: the hash ${hash} is above the target`,
      );
      const median = medianTimePast(this.times);
      check(
        block.timestamp > median,
        'block.timestamp',
        `${block.timestamp} is not above the median ${median} of the previous blocks`,
      );
      const { payload } = block;
      check(
        payload.kind === expected,
        'block.payload.kind',
        `height ${height} is in the ${phaseOf(genesis, height)} phase and must carry a ${expected}, not a ${payload.kind}`,
      );

      if (payload.kind === 'tallier_key') {
        verifyPkPok(group, genesis.id, payload.key, 'block.payload.tallier_key.pk_pok');
        const refused = checkEndorsedKey(
          group,
          genesis,
          payload.key,
          payload.endorsement,
          this.voters,
          onChain,
          false,
        );
        if (refused !== undefined) refuse(refused);
        if (payload.endorsement)
          this.voters.addEndorsement(hash, height, payload.endorsement, payload.key.pk);
        this.appearances.push({ height, key: payload.key });
        if (height === keyElectionHeight(genesis)) {
          this.election = electTalliers(this.appearances, genesis.nTalliers);
          this.electionKey = electionKey(group, genesis.id, this.election.talliers);
          this.qualified = this.election.talliers.map((k) => k.pk);
          this.quorum = this.qualified.length;
        }
      } else if (payload.kind === 'ceremony') {
        const before = this.ceremony ?? emptyCeremony(genesis, this.qualified);
        this.ceremony = applyCeremony(group, genesis, before, height, payload.messages);
        if (height === electionKeyHeight(genesis)) {
          // The talliers who dealt and were not proven wrong make the key, if enough did (chain/ceremony.ts).
          const { qualified, quorum } = keyHolders(this.ceremony);
          const keys = this.election!.talliers.filter((k) => qualified.includes(k.pk));
          this.electionKey = electionKey(group, genesis.id, keys);
          this.qualified = qualified;
          this.quorum = quorum;
        }
      } else if (payload.kind === 'ballot') {
        checkBallotForm(payload.ballot, ballotRules(genesis), 'block.payload');
        const inBlock = new Set<bigint>();
        this.checkReplay(payload.ballot, inBlock, height, 'block.payload');
        const tallies = addToTallies(group, this.tallies, payload.ballot);
        check(
          tallies.every((t) => t.alpha !== 1n),
          isAnswers(payload.ballot) ? 'block.payload.answers' : 'block.payload.ballot.alpha',
          TALLY_ALPHA_ONE,
        );
        for (const alpha of inBlock) this.alphas.set(alpha, height);
        this.queue(genesis, i, payload.ballot);
        this.tallies = tallies;
        this.ballots++;
        if (this.options.tracker !== undefined)
          this.held.push({ ballot: payload.ballot, height, credential: 0n, seq: 0 });
      } else if (payload.kind === 'ballots') {
        const most = genesis.sizes.ballotsPerBlock;
        check(
          payload.ballots.length <= most,
          'block.payload.ballots',
          `carries ${payload.ballots.length} cast ballots; a block of this election carries at most ${most}`,
        );
        const inBlock = new Set<bigint>();
        for (const [j, { ballot }] of payload.ballots.entries()) {
          checkBallotForm(ballot, ballotRules(genesis), `block.payload.ballots[${j}]`);
          this.checkReplay(ballot, inBlock, height, `block.payload.ballots[${j}]`);
        }
        // The chain's rules without the signatures and proofs, which go to the lists' batches.
        const cast = applyCasts(
          group,
          genesis,
          this.electionKey!,
          { tallies: this.tallies, ballots: this.ballots },
          payload.ballots,
          this.voters,
          onChain,
          true,
        );
        const casts = (json as { payload: { ballots: unknown[] } }).payload.ballots;
        if (!cast.ok) {
          // A sequential pass checks the casts before the refused one in full first.
          const refused = Number(/^block\.payload\.ballots\[(\d+)\]/.exec(cast.reason)?.[1] ?? casts.length);
          for (let j = 0; j < Math.min(refused, casts.length); j++) {
            const full = parseCastBallot(group, casts[j], `block.payload.ballots[${j}]`);
            verifyCastBallot(
              group,
              genesis.id,
              this.electionKey!,
              ballotRules(genesis),
              full,
              `block.payload.ballots[${j}]`,
            );
          }
          refuse(cast.reason);
        } else {
          for (const [j, cast] of payload.ballots.entries())
            this.queue(genesis, i, { cast, field: `block.payload.ballots[${j}]` });
          check(
            cast.tallies.every((t) => t.alpha !== 1n) || payload.ballots.length === 0,
            'block.payload.ballots',
            TALLY_ALPHA_ONE,
          );
          for (const alpha of inBlock) this.alphas.set(alpha, height);
          for (const c of payload.ballots) {
            if (this.options.tracker !== undefined)
              this.held.push({ ballot: c.ballot, height, credential: c.credential, seq: c.seq });
          }
          this.voters.addCasts(hash, height, payload.ballots);
          this.tallies = cast.tallies;
          this.ballots = cast.voters;
        }
      }
      this.height = height;
      this.prevHash = hash;
      this.times = [block.timestamp, ...this.times].slice(0, MEDIAN_SPAN);
    });
  }

  /**
   * The α replay rule over every ciphertext of a ballot: none may be on the chain already, earlier
   * in its block (`inBlock`, which it joins) or twice in the ballot.
   */
  private checkReplay(ballot: AnyBallot, inBlock: Set<bigint>, height: number, holder: string): void {
    for (const { alpha } of ciphertextsOf(ballot)) {
      const earlier = this.alphas.get(alpha);
      check(
        earlier === undefined && !inBlock.has(alpha),
        isAnswers(ballot) ? `${holder}.answers` : `${holder}.ballot.alpha`,
        earlier !== undefined
          ? `ballot replay: a ballot with the same α is already on the chain at height ${earlier}`
          : `ballot replay: an α repeats within height ${height}'s ballots (earlier in the block, or in this ballot)`,
      );
      inBlock.add(alpha);
    }
  }

  /** The group for this walk's exponentiations: genesis.group, with tables only once they pay. */
  private groupOf(genesis: Genesis): Group {
    this.group ??= verifierGroup(genesis.group);
    return this.group;
  }

  /** Adds a ballot (as the walk parsed it, trusted) to the list being filled. */
  private queue(genesis: Genesis, index: number, ballot: CheckItem): void {
    if (!this.checker) {
      const { p, q, g } = genesis.group; // the numbers only: a Group does not cross to a worker
      const init = {
        group: { p, q, g },
        context: genesis.id,
        electionKey: this.electionKey!,
        perVoter: genesis.ballotRule === 'per-voter',
        ...(hasQuestions(genesis) ? { rules: ballotRules(genesis)! } : {}),
      };
      // Start-up in proportion to the record: workers only when they pay for themselves.
      const voteBlocks = Math.min(this.blockCount, lastVoteHeight(genesis)) - electionKeyHeight(genesis);
      // Per-voter blocks carry up to 8 casts, each about 4/3 of a ballot's work (its signature); a
      // ballot of answers is about a yes/no ballot's work per option.
      const perVoter = genesis.ballotRule === 'per-voter';
      this.expected = perVoter ? voteBlocks * genesis.sizes.ballotsPerBlock : voteBlocks;
      const work = (perVoter ? Math.round((this.expected * 4) / 3) : this.expected) * tallyCount(genesis);
      const workers = this.workers ?? workersFor(work, os.availableParallelism());
      this.participants = workers;
      this.checker = ballotChecker(this.groupOf(genesis), init, workers, this.options.workerUrl);
    }
    this.chunk.indexes.push(index);
    this.chunk.ballots.push(ballot);
    if (this.chunk.ballots.length >= this.listSize()) this.send();
  }

  /**
   * This thread alone: one list, one batch. Else two equal lists a worker: few and large, since a
   * batch's cost per ballot falls with its size (Bos–Coster takes ~log2 n bits a multiplication),
   * and two each, so that a worker done early takes the last list left.
   */
  private listSize(): number {
    if (this.chunkSize !== undefined) return this.chunkSize;
    if (this.participants === 0) return Number.POSITIVE_INFINITY;
    return Math.max(MIN_CHUNK, Math.ceil(this.expected / (2 * this.participants)));
  }

  private send(): void {
    const { indexes, ballots } = this.chunk;
    if (ballots.length === 0 || !this.checker) return;
    this.sent.push({ indexes, failure: this.checker.check(ballots) });
    this.chunk = { indexes: [], ballots: [] };
  }

  /** The lowest failing ballot's error: lists were sent in height order. */
  private async firstProofFailure(): Promise<ValidationError | undefined> {
    if (!this.checker) return undefined;
    // Together, so that a worker's breakdown rejecting the lists is handled once, here.
    const [, failures] = await Promise.all([
      this.checker.finish(),
      Promise.all(this.sent.map((s) => s.failure)),
    ]);
    for (const [k, failure] of failures.entries()) {
      if (failure) return new ValidationError(at(this.sent[k]!.indexes[failure.index]!), failure.message);
    }
    return undefined;
  }

  /** Steps 3 and 4: the seal, the factors and the result, once every block holds. */
  private conclude(
    genesis: Genesis,
    sealJson: readonly unknown[],
    factorsJson: readonly unknown[],
    compensatedJson: readonly unknown[],
    claimed: ElectionResult | null,
  ): Outcome {
    const group = this.groupOf(genesis);
    const final = finalHeight(genesis);
    let sealedInRound: number | undefined;
    const incomplete = (reason: string): Outcome => {
      check(claimed === null, 'record.result', `must be null: ${reason}`);
      return { status: 'incomplete', reason, summary: this.summary(genesis, sealedInRound) };
    };
    if (this.height < final) {
      check(
        sealJson.length === 0,
        'record.seal',
        `must be empty: the chain has not reached its final height ${final}`,
      );
      check(
        factorsJson.length === 0 && compensatedJson.length === 0,
        factorsJson.length === 0 ? 'record.compensated_factors' : 'record.dec_factors',
        `must be empty: the tally is not fixed before the final height ${final}`,
      );
      return incomplete(`the chain ends at height ${this.height} of ${final}`);
    }

    const talliers = this.qualified;
    const lastBlock = this.prevHash;
    if (genesis.version === 2) {
      sealedInRound = this.checkSeal(genesis, talliers, sealJson, lastBlock);
      if (sealedInRound === undefined) {
        check(
          factorsJson.length === 0 && compensatedJson.length === 0,
          factorsJson.length === 0 ? 'record.compensated_factors' : 'record.dec_factors',
          'must be empty: talliers decrypt only a sealed final block, and this one has no seal',
        );
        return incomplete('the talliers have not sealed the final block yet');
      }
    }
    const factors = new Map<bigint, DecryptionFactor>();
    factorsJson.forEach((json, i) => {
      const field = `record.dec_factors[${i}]`;
      const factor = parseDecryptionFactor(group, json, field, 'untrusted', genesis.version);
      check(talliers.includes(factor.pk), `${field}.pk`, notTallier(this.ceremony));
      check(!factors.has(factor.pk), `${field}.pk`, 'has more than one factor');
      if (factor.final !== undefined) {
        check(
          factor.final === lastBlock,
          `${field}.final`,
          `names final block ${factor.final.slice(0, 16)}…, not ${lastBlock.slice(0, 16)}…, the sealed final block of this chain: a factor counts only for the block it names`,
        );
      }
      verifyDecryptionFactor(group, genesis.id, this.tallies, factor, field);
      factors.set(factor.pk, factor);
    });
    const setup = this.quorumSetup(genesis);
    const compensated = this.checkCompensated(genesis, setup, compensatedJson, factors, lastBlock);
    const standIns = (pk: bigint) => compensated.filter((cf) => cf.missing === pk).length;
    const missing = talliers.filter((pk) => !factors.has(pk) && !(setup && standIns(pk) >= setup.quorum));
    if (missing.length > 0) {
      const which = missing.map((pk) => pkPrefix(genesis, pk)).join(', ');
      return incomplete(
        setup
          ? `${missing.length} of ${talliers.length} talliers have neither a decryption factor nor ${setup.quorum} stand-in factors (${which}): any ${setup.quorum} talliers decrypt`
          : `${missing.length} of ${talliers.length} talliers have not published a decryption factor (${which})`,
      );
    }
    this.stoodIn = talliers.filter((pk) => !factors.has(pk));
    // The decryption checks the factors again (a few ms each): cheaper than a second way to combine them.
    const counts = setup
      ? decryptWithQuorum(
          group,
          genesis.id,
          this.tallies,
          this.ballots,
          setup,
          [...factors.values()],
          compensated,
        )
      : decryptTally(group, genesis.id, this.tallies, this.ballots, talliers, [...factors.values()]);
    const result = electionResult(ballotRules(genesis), counts, this.ballots);
    check(
      claimed !== null && showResult(claimed) === showResult(result),
      'record.result',
      `is ${showResult(claimed)}, but the factors decrypt the tally to ${showResult(result)}`,
    );
    return { status: 'verified', result, summary: this.summary(genesis, sealedInRound) };
  }

  /** Threshold talliers with backups: what a stand-in factor is checked against. */
  private quorumSetup(genesis: Genesis): Quorum | undefined {
    const ceremony = this.ceremony;
    if (!hasThreshold(genesis) || !ceremony || this.quorum === this.qualified.length) return undefined;
    const dealings = new Map(this.qualified.map((pk) => [pk, ceremony.dealings.get(pk)!.dealing]));
    return { elected: ceremony.elected, qualified: this.qualified, quorum: this.quorum, dealings };
  }

  /**
   * The record's stand-in factors: each from a qualified tallier for another qualified tallier
   * whose own factor is not in the record, naming the last block, once per pair, its proof valid
   * against the missing tallier's dealing.
   */
  private checkCompensated(
    genesis: Genesis,
    setup: Quorum | undefined,
    json: readonly unknown[],
    direct: ReadonlyMap<bigint, DecryptionFactor>,
    lastBlock: string,
  ): CompensatedFactor[] {
    const group = this.groupOf(genesis);
    if (!setup) {
      check(
        json.length === 0,
        'record.compensated_factors',
        'must be empty: without backups (every qualified tallier is needed) nobody stands in',
      );
      return [];
    }
    const pairs = new Set<string>();
    return json.map((value, i) => {
      const field = `record.compensated_factors[${i}]`;
      const cf = parseCompensatedFactor(group, value, field);
      check(setup.qualified.includes(cf.missing), `${field}.missing`, 'is not a qualified tallier');
      check(setup.qualified.includes(cf.pk), `${field}.pk`, 'is not a qualified tallier');
      check(
        !direct.has(cf.missing),
        `${field}.missing`,
        'published its own factor: the record carries stand-ins only for talliers whose factor is missing',
      );
      const pair = `${cf.missing.toString(16)}:${cf.pk.toString(16)}`;
      check(!pairs.has(pair), `${field}.pk`, 'has more than one stand-in factor for this tallier');
      pairs.add(pair);
      check(
        cf.final === lastBlock,
        `${field}.final`,
        `names final block ${cf.final.slice(0, 16)}…, not ${lastBlock.slice(0, 16)}…, the sealed final block of this chain`,
      );
      verifyCompensatedFactor(
        group,
        genesis.id,
        this.tallies,
        cf,
        setup.dealings.get(cf.missing)!,
        setup.elected,
        field,
      );
      return cf;
    });
  }

  /**
   * Version 2: the seal of the last block: one acceptance each from enough talliers (every one;
   * with threshold talliers the seal quorum of the qualified, sealQuorum), all in one round, all
   * naming `lastBlock`, each signature valid. Returns the round, or undefined for an empty seal
   * (not sealed yet).
   */
  private checkSeal(
    genesis: Genesis,
    talliers: readonly bigint[],
    sealJson: readonly unknown[],
    lastBlock: string,
  ): number | undefined {
    if (sealJson.length === 0) return undefined;
    const group = this.groupOf(genesis);
    const signed = new Set<bigint>();
    let round: number | undefined;
    const acceptances = sealJson.map((json, i) => {
      const field = `record.seal[${i}]`;
      const acceptance = parseAcceptance(group, json, field);
      check(talliers.includes(acceptance.pk), `${field}.pk`, notTallier(this.ceremony));
      check(!signed.has(acceptance.pk), `${field}.pk`, 'has more than one acceptance');
      check(acceptance.round <= MAX_ROUNDS, `${field}.round`, `must be at most ${MAX_ROUNDS}`);
      verifyAcceptance(group, genesis.id, acceptance, field);
      signed.add(acceptance.pk);
      return acceptance;
    });
    // "Replaced" only on evidence: every tallier of this chain signed another final block in one
    // round, i.e. they sealed (and so decrypted) another branch. Anything less is a plain mismatch.
    const other = acceptances.find((a) => a.final !== lastBlock);
    if (other) {
      const sealedOther =
        acceptances.length >= sealQuorum(talliers.length, this.quorum) &&
        acceptances.every((a) => a.final === other.final && a.round === other.round);
      check(
        false,
        `record.seal[${acceptances.indexOf(other)}].final`,
        sealedOther
          ? replaced('accepts', other.final, lastBlock)
          : `names block ${other.final.slice(0, 16)}…, not ${lastBlock.slice(0, 16)}…: a seal names the chain's last block`,
      );
    }
    acceptances.forEach((acceptance, i) => {
      round ??= acceptance.round;
      check(
        acceptance.round === round,
        `record.seal[${i}].round`,
        `is ${acceptance.round}: a seal is one round (${round})`,
      );
    });
    const needed = sealQuorum(talliers.length, this.quorum);
    const missing = talliers.filter((pk) => !signed.has(pk));
    this.sealedBy = { accepted: signed.size, of: talliers.length };
    check(
      signed.size >= needed,
      'record.seal',
      needed === talliers.length
        ? `lacks the acceptance of ${missing.length} of ${talliers.length} talliers (${missing.map((pk) => pkPrefix(genesis, pk)).join(', ')}): a seal needs every one`
        : `holds ${signed.size} acceptances: a seal needs ${needed} of the ${talliers.length} talliers`,
    );
    return round;
  }

  private summary(genesis: Genesis, sealedInRound?: number): RecordSummary {
    const final = finalHeight(genesis);
    const prefix = (pk: bigint) => pkPrefix(genesis, pk);
    const ceremony = this.height >= electionKeyHeight(genesis) ? this.ceremony : undefined;
    return {
      version: genesis.version,
      ...(sealedInRound === undefined ? {} : { sealedInRound }),
      ...(this.sealedBy ? { sealedBy: this.sealedBy } : {}),
      ...(ceremony
        ? {
            threshold: {
              qualified: this.qualified.map(prefix),
              quorum: this.quorum,
              excluded: ceremony.elected.filter((pk) => !this.qualified.includes(pk)).map(prefix),
              stoodIn: this.stoodIn.map(prefix),
            },
          }
        : {}),
      electionId: genesis.idHex,
      title: genesis.title,
      question: genesis.question,
      ...(genesis.questions ? { questions: genesis.questions } : {}),
      height: this.height,
      finalHeight: final,
      phase: this.height === final ? 'final' : phaseOf(genesis, this.height + 1)!,
      talliers: (this.election?.candidates ?? [])
        .filter((c) => c.elected)
        .map((c) => ({ pk: pkPrefix(genesis, c.key.pk), count: c.count })),
      ballots: this.ballots,
      ballotRule: genesis.ballotRule,
      ...(genesis.ballotRule === 'per-voter' ? { voters: genesis.roster.length } : {}),
      ...(this.options.tracker === undefined ? {} : { tracker: this.findTracker(this.options.tracker) }),
      // A yes/no election's one tally (the summary's form for several is to come with questions).
      tally: encodeCiphertext(genesis.group, this.tallies[0]!),
    };
  }

  /**
   * A tracker's ballot: counted if it is on the chain and (per-voter) its voter's last ballot;
   * replaced if a later ballot of the same voter is on the chain. A prefix names the first match.
   */
  private findTracker(tracker: string): TrackerFinding {
    const wanted = tracker.toLowerCase();
    const group = this.group!;
    const match = this.held
      .map((h) => [ballotTracker(group, h.ballot), h] as const)
      .find(([t]) => t.startsWith(wanted));
    if (!match) return { tracker, state: 'absent' };
    const [full, { height, credential, seq }] = match;
    const counted = credential === 0n ? undefined : this.voters.latest(credential, () => true);
    if (counted && counted.seq !== seq)
      return { tracker: full, state: 'replaced', height, by: counted.height };
    return { tracker: full, state: 'counted', height };
  }
}

/** Throws a shared rule's reason ("field: why", as chain/voters.ts words it) as a ValidationError. */
function refuse(reason: string): never {
  const colon = reason.indexOf(': ');
  throw new ValidationError(reason.slice(0, colon), reason.slice(colon + 2));
}

/** Where block `i` sits, for error messages. */
const at = (i: number) => `record.blocks[${i}] (height ${i + 1})`;

/** Runs `fn`, prefixing any ValidationError with `where`. */
function within(where: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(where, error.message);
    throw error;
  }
}

function parseRecordResult(value: unknown): ElectionResult | null {
  return value === null ? null : parseResult(value, 'record.result');
}

/** Why a key may not sign or decrypt: not elected, or (threshold talliers) not qualified. */
function notTallier(ceremony: CeremonyState | undefined): string {
  return ceremony
    ? 'is not a qualified tallier (it was not elected, did not deal in time, or its dealing was proven wrong)'
    : 'is not an elected tallier';
}

function pkPrefix(genesis: Genesis, pk: bigint): string {
  return toHex(pk, genesis.group.byteWidth * 2).slice(0, 16);
}

/** The message for a seal or factor made for another final block than the record's. */
function replaced(verb: string, named: string, last: string): string {
  return (
    `${verb} final block ${named.slice(0, 16)}…, but this chain ends in ${last.slice(0, 16)}…: ` +
    'the talliers sealed and decrypted another branch, and this chain replaced it afterwards ' +
    '(a branch released after the result); its result cannot stand'
  );
}

/** A result as its JSON (the same text for the same result), for comparing and for messages. */
function showResult(result: ElectionResult | null): string {
  if (!result) return 'null';
  if (!isChoicesResult(result)) return `yes ${result.yes}, no ${result.no}, total ${result.total}`;
  return `counts ${JSON.stringify(result.counts)}, total ${result.total}`;
}
