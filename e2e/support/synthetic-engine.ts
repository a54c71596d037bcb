// A stand-in for the engine, for the dashboard's end-to-end tests, screenshots and benchmarks: it
// holds a DashboardState of any size (5,000 blocks with forks by default), answers the requests
// like the engine would (validation included, without any chain or crypto behind it) and emits
// events on demand. Deterministic: the same options always give the same tree, hashes and names
// (only "last seen" times follow the clock). Node-side and free of Electron.
//
// The lobby (issue 13): createElection opens one as the organizer (two requests arrive on their
// own, `askToJoin` adds more); previewJoin of SYNTHETIC_LOBBY (or an invitation naming it) shows
// another organizer's open lobby, and joinElection with electionId '' waits in it (`joinerUpdate`
// and `organizerStarts` play the organizer's part). Any other address serves `remoteElection`.

import {
  type BallotRuleChoice,
  type BlockView,
  type CandidateView,
  type ChainView,
  type ChoicesResultView,
  type DashboardState,
  type ElectionView,
  type EngineEvent,
  type EngineStage,
  type JoinForm,
  type JoinPreview,
  type LobbyParticipantView,
  type LobbyView,
  MAX_MINER_LABEL_BYTES,
  type NewElectionForm,
  type PeerView,
  type Phase,
  type QuestionForm,
  type ReceiptView,
  type ResultView,
  type Selections,
  type SequencedEvent,
  type TorView,
  type VoteChoice,
} from '../../main/api/contract';
import { RequestError } from '../../main/api/errors';
import { applyEvent } from '../../main/api/reduce';
import type { EngineHost } from '../../main/app/dashboard-server';
import { genesisFromForm, parseRequest } from '../../main/app/requests';
import { MAX_BALLOTS_PER_BLOCK } from '../../main/chain/limits';
import { standings } from '../../main/chain/standings';
import { allowedSums, describeSums } from '../../main/crypto/choices';
import { ValidationError } from '../../main/crypto/errors';
import { onionAddressFromPublicKey, parsePeerAddress } from '../../main/net/address';
import { formatInvitation, parseInvitation } from '../../main/net/invitation';

export interface SyntheticEngine extends EngineHost {
  /**
   * Applies `event` to the engine's own snapshot, numbers it, and sends it to every listener;
   * with `lost`, sends it to nobody (as if lost on the way: the next event shows a gap).
   */
  emit(event: EngineEvent, options?: { lost?: boolean }): SequencedEvent;
  /** Mines one block on the best tip: a 'blocks' event, then a 'chain' event. */
  addBlock(): BlockView;
  /** Every request received, in order (for tests). */
  readonly calls: readonly { readonly name: string; readonly args: readonly unknown[] }[];
  /** Organizer, in its lobby: a request to join arrives from `name` (waiting). Returns its id. */
  askToJoin(name: string, options?: { online?: boolean }): number;
  /** Joiner, waiting in SYNTHETIC_LOBBY: the organizer answers, or cannot be reached. */
  joinerUpdate(change: {
    status?: 'waiting' | 'admitted' | 'starting' | 'refused';
    admitted?: number;
    /** The admitted participants' names (the organizer first), once admitted. */
    participants?: readonly string[];
    /** Why the last poll failed; null: it succeeded again. */
    unreachable?: string | null;
  }): void;
  /** Joiner, admitted: the organizer starts, and the joiner's runner runs the election. */
  organizerStarts(): void;
  /** The election every address but SYNTHETIC_LOBBY serves (previewJoin, joinElection). */
  readonly remoteElection: ElectionView;
}

/** Where another organizer's lobby is open: previewJoin shows it, joinElection with '' asks it. */
export const SYNTHETIC_LOBBY = '127.0.0.1:7100';
/** Where nothing answers: previewJoin fails as the engine's does when the connection is refused. */
export const SYNTHETIC_UNREACHABLE = '127.0.0.1:7199';
/** The lobby open at SYNTHETIC_LOBBY. */
export const SYNTHETIC_LOBBY_PREVIEW = {
  kind: 'lobby',
  address: SYNTHETIC_LOBBY,
  title: 'Pick the summer outing',
  question: 'Should this year’s summer outing be a day at the lake?',
  ballotRule: 'per-voter',
  organizer: 'dana',
  admitted: 3,
} as const satisfies JoinPreview;

export interface SyntheticOptions {
  /** 'running' (the default) builds an election; 'setup' is the first run (no election yet). */
  readonly stage?: EngineStage;
  /** Blocks in the tree, side branches included. Default 5,000. */
  readonly blocks?: number;
  /**
   * Heights between the best tip and the final height. 0 (the default): the election is over and
   * the result verified; more leaves room for `addBlock` (ballots, then confirmations).
   */
  readonly heightsLeft?: number;
  readonly seed?: number;
  /**
   * The running election's rule. 'per-voter': its voting blocks carry voters' ballots ('ballots'),
   * five voters are registered, and this runner's receipts are its casts (a revote: the first
   * replaced, the second counted). Default 'per-block': the receipts are its ballot blocks'.
   */
  readonly ballotRule?: BallotRuleChoice;
  /**
   * 'unreachable': this runner's tor cannot reach the network (stuck at 14 %, tor's
   * WARNING="DONE" as a blocked network gives it): a look-up and a start wait for it until
   * `cancel`, as the engine does, and a new election is saved first. Default 'ok'.
   */
  readonly tor?: 'ok' | 'unreachable';
  /**
   * Questions with choices (issue 16): the running election asks these instead of its yes/no
   * question; this runner's vote, receipts and result follow them.
   */
  readonly questions?: readonly QuestionForm[];
  /** With `questions`: the final counts, per question per option (default: made up from the ballots). */
  readonly counts?: readonly (readonly number[])[];
  /** With `questions`: this runner's vote (default: the first options each question needs). */
  readonly vote?: Selections | null;
}

/** A tor stuck at 14 %, as a user behind a blocking network saw it. */
export const STUCK_TOR: TorView = {
  mode: 'managed',
  stage: 'bootstrapping',
  progress: 14,
  summary: 'Handshaking with a relay',
  warning: 'the relay closed the connection (tor: DONE), 12 times, at 193.23.244.244:443',
  condition: 'unreachable',
  why: 'stuck at 14%: the relay closed the connection',
  since: Date.now() - 3 * 60_000,
};

const KEY_BLOCKS = 12;
const CONFIRMATIONS = 6;
const N_TALLIERS = 3;
/** Blocks mined by 'alice' are this runner's. */
const SELF_NAME = 'alice';
const MINERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
/**
 * Which runner mined each key block: alice 4, bob 3, carol 2 (last at 7), dave 2 (last at 11),
 * erin 1. With 3 seats, carol and dave tie for the last one and the tie rule elects carol.
 */
const KEY_MINERS = [0, 1, 0, 2, 1, 0, 2, 3, 1, 4, 3, 0] as const;
const BLOCK_SECONDS = 30;
const START_SECONDS = 1_767_225_600; // 2026-01-01T00:00:00Z: fixed, so screenshots are stable
const DATA_DIR = '/home/alice/.onion-election/alice';
/** Per-voter: the registered voters of the synthetic running election. */
const VOTERS = 5;

type Miner = (typeof MINERS)[number];
type Skeleton = Omit<BlockView, 'kind' | 'key' | 'ballot'>;

export function createSyntheticEngine(options: SyntheticOptions = {}): SyntheticEngine {
  const random = mulberry32(options.seed ?? 1);
  const hex = (digits: number) => {
    let out = '';
    while (out.length < digits)
      out += Math.floor(random() * 0x1_0000_0000)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, digits);
  };
  const onion = () => {
    const base32 = 'abcdefghijklmnopqrstuvwxyz234567';
    let label = '';
    for (let i = 0; i < 55; i++) label += base32[Math.floor(random() * 32)];
    return `${label}d.onion`; // a v3 address ends in "d" (its version byte)
  };
  const minerKeys = MINERS.map(() => hex(16));
  const perVoter = options.ballotRule === 'per-voter';
  /** The running election's questions with choices, if any (a lobby's start sets those of its form). */
  let questions = options.questions;
  /** This runner's vote at first: yes, or with questions a valid choice of the first options. */
  const firstVote: VoteChoice | null = questions
    ? options.vote !== undefined
      ? options.vote
      : questions.map((q) => Array.from({ length: Math.max(q.min, 1) }, (_, i) => i))
    : 'yes';
  // A PRNG of its own for what the lobby and peers make, so the tree stays the same whatever is asked.
  const sideRandom = mulberry32((options.seed ?? 1) + 7919);
  const sideHex = (digits: number) => {
    let out = '';
    while (out.length < digits)
      out += Math.floor(sideRandom() * 0x1_0000_0000)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, digits);
  };
  /** An onion address with a valid checksum (parsePeerAddress checks it): invitations carry these. */
  const validOnion = () =>
    onionAddressFromPublicKey(Uint8Array.from({ length: 32 }, () => Math.floor(sideRandom() * 256)));

  const torStuck = options.tor === 'unreachable';
  /** Look-ups waiting for a tor that cannot connect: `cancel` ends them. */
  const waitingLookups: ((error: Error) => void)[] = [];
  let seq = 0;
  let state =
    (options.stage ?? 'running') === 'setup'
      ? setupState()
      : runningState(options.blocks ?? 5000, options.heightsLeft ?? 0);
  const listeners = new Set<(event: SequencedEvent) => void>();
  const calls: { name: string; args: readonly unknown[] }[] = [];

  function setupState(): DashboardState {
    return {
      ...commonState(),
      stage: 'setup',
      // As the real engine: its own tor bootstraps while the user fills in a form.
      // Stuck for 3 min as the engine is made, not as this module was loaded (minutes earlier in a
      // long e2e run: the text read "for 6 min" in CI).
      tor: torStuck
        ? { ...STUCK_TOR, since: Date.now() - 3 * 60_000 }
        : {
            mode: 'managed',
            stage: 'bootstrapping',
            progress: 45,
            summary: 'Loading relay descriptors',
            condition: 'connecting',
          },
      // As the engine measures one thread when it opens without an election.
      mining: { on: false, threads: 2, maxThreads: 8, hashrate: 0, threadHashrate: 1_500_000 },
      peers: [],
    };
  }

  function commonState(): Omit<DashboardState, 'stage' | 'tor' | 'mining' | 'peers'> {
    return {
      version: '0.1.0',
      dataDir: DATA_DIR,
      settings: { name: SELF_NAME, vote: firstVote },
      blocks: [],
      warnings: [],
    };
  }

  function runningState(total: number, heightsLeft: number): DashboardState {
    const id = hex(64);
    const skeletons: Skeleton[] = [];
    const bestAt: Skeleton[] = [];
    /** Side branches still growing: the parent of their next block, and how many are left. */
    let branches: { parent: Skeleton; left: number }[] = [];
    // Heights are added one at a time (best block first, then side blocks), so parents always
    // come before children, as in the engine's store order.
    for (let height = 1; skeletons.length < total; height++) {
      const parent = bestAt[height - 1];
      // A side branch of 1–4 blocks forks off the best chain about every 40 heights.
      if (parent && height % 40 === 17 + Math.floor(random() * 3))
        branches.push({ parent, left: 1 + Math.floor(random() * 4) });
      const best = skeleton(height, parent?.hash ?? id);
      skeletons.push(best);
      bestAt[height] = best;
      for (const branch of branches) {
        if (skeletons.length >= total) break;
        // Side blocks arrived a little later: they lost the race for their height.
        const side = skeleton(height, branch.parent.hash, 7);
        skeletons.push(side);
        branch.parent = side;
        branch.left--;
      }
      branches = branches.filter((b) => b.left > 0);
    }
    const height = bestAt.length - 1;
    const election = makeElection(
      'Adopt the four-day week?',
      'Should the cooperative move to a four-day working week from the next quarter on?',
      height + heightsLeft,
      id,
    );
    const blocks = skeletons.map((s) => withPayload(s, election));
    const tip = bestAt[height]!.hash;
    return {
      ...commonState(),
      stage: 'running',
      self: onion(),
      election,
      tor: { mode: 'managed', stage: 'ready', progress: 100, summary: 'Done', condition: 'connected' },
      mining: { on: heightsLeft > 0, threads: 2, maxThreads: 8, hashrate: heightsLeft > 0 ? 2_412_000 : 0 },
      peers: makePeers(),
      blocks,
      chain: chainView(election, blocks, tip),
      result: resultView(election, blocks, tip),
      receipts: receiptsOf(election, blocks, tip),
      warnings: [
        { at: Date.now() - 3_600_000, message: 'peer 127.0.0.1:7004 did not answer (timeout)' },
        {
          at: Date.now() - 900_000,
          message: 'reorganised: 2 blocks replaced from height 257 (a longer branch arrived)',
        },
      ],
    };
  }

  function makeElection(title: string, question: string, finalHeight: number, id = hex(64)): ElectionView {
    const lastVoteHeight = finalHeight - CONFIRMATIONS;
    return {
      id,
      title,
      question,
      nTalliers: N_TALLIERS,
      nTalliersBlocks: KEY_BLOCKS,
      nVoteBlocks: lastVoteHeight - KEY_BLOCKS,
      confirmations: CONFIRMATIONS,
      keyElectionHeight: KEY_BLOCKS,
      electionKeyHeight: KEY_BLOCKS,
      lastVoteHeight,
      finalHeight,
      expectedHashes: 2 ** 16,
      createdAt: START_SECONDS,
      ballotRule: perVoter ? 'per-voter' : 'per-block',
      ...(perVoter ? { voters: VOTERS } : {}),
      ...(questions ? { questions } : {}),
    };
  }

  /** A block without its payload; `delay` seconds later than its height's schedule. */
  function skeleton(height: number, prev: string, delay = 0): Skeleton {
    const miner = height <= KEY_BLOCKS ? KEY_MINERS[height - 1]! : Math.floor(random() * MINERS.length);
    const timestamp = START_SECONDS + height * BLOCK_SECONDS + Math.floor(random() * 20) - 10 + delay;
    return {
      hash: `0000${hex(60)}`,
      prev,
      height,
      timestamp,
      miner: MINERS[miner]!,
      mine: miner === 0,
      receivedAt: timestamp * 1000 + 300 + Math.floor(random() * 900),
    };
  }

  /** The payload its height's phase calls for: the miner's key, a ballot, or none. */
  function withPayload(block: Skeleton, election: ElectionView): BlockView {
    if (block.height <= election.keyElectionHeight)
      return { ...block, kind: 'tallier_key', key: minerKeys[MINERS.indexOf(block.miner as Miner)]! };
    if (block.height <= election.lastVoteHeight)
      return election.ballotRule === 'per-voter'
        ? { ...block, kind: 'ballots', casts: Math.floor(random() * 3) }
        : { ...block, kind: 'ballot', ballot: hex(16) };
    return { ...block, kind: 'confirmation' };
  }

  function bestChain(blocks: readonly BlockView[], tip: string): BlockView[] {
    const byHash = new Map(blocks.map((b) => [b.hash, b]));
    const chain: BlockView[] = [];
    for (let b = byHash.get(tip); b; b = byHash.get(b.prev)) chain.push(b);
    return chain.reverse();
  }

  function phaseAfter(election: ElectionView, height: number): Phase {
    if (height < election.keyElectionHeight) return 'key';
    if (height < election.lastVoteHeight) return 'vote';
    if (height < election.finalHeight) return 'confirm';
    return 'final';
  }

  function chainView(election: ElectionView, blocks: readonly BlockView[], tip: string): ChainView {
    const best = bestChain(blocks, tip);
    const height = best.length;
    return {
      tip,
      height,
      phase: phaseAfter(election, height),
      candidates: candidates(best),
      ...(height >= election.keyElectionHeight ? { electionKey: hex(16) } : {}),
      ballots: countBallots(election, best),
      blocks: blocks.length,
      orphans: 0, // every block here has its parent
      lastReorg: { at: Date.now() - 900_000, forkHeight: 257, replaced: 2 },
    };
  }

  /** The key election, as main/chain/talliers.ts words it. */
  function candidates(best: readonly BlockView[]): CandidateView[] {
    const seen = new Map<string, { count: number; lastHeight: number; mine: boolean }>();
    for (const b of best) {
      if (b.key === undefined) continue;
      const c = seen.get(b.key) ?? { count: 0, lastHeight: 0, mine: b.mine };
      seen.set(b.key, { ...c, count: c.count + 1, lastHeight: b.height });
    }
    const ranked = [...seen].sort(([, a], [, b]) => b.count - a.count || a.lastHeight - b.lastHeight);
    const seats = Math.min(N_TALLIERS, ranked.length);
    const boundary = ranked[seats - 1]?.[1];
    const tie = boundary && ranked[seats]?.[1].count === boundary.count ? boundary.count : undefined;
    return ranked.map(([key, c], i) => {
      const elected = i < seats;
      const times = `${c.count} appearance${c.count === 1 ? '' : 's'}`;
      const verdict = elected ? 'elected' : 'not elected';
      const reason =
        c.count === tie
          ? `${verdict} on the tie rule: ${times}, last at height ${c.lastHeight} (earlier wins)`
          : `${verdict}: ${times}`;
      return { key, count: c.count, lastHeight: c.lastHeight, elected, reason, mine: c.mine };
    });
  }

  function resultView(election: ElectionView, blocks: readonly BlockView[], tip: string): ResultView {
    const best = bestChain(blocks, tip);
    const final = best.length >= election.finalHeight;
    const ballots = countBallots(election, best);
    const elected = candidates(best).filter((c) => c.elected);
    const talliers = elected.map((c) => ({
      key: c.key,
      accepted: final,
      factor: final ? ('verified' as const) : ('awaiting' as const),
      mine: c.mine,
    }));
    if (!final)
      return {
        final,
        ballots,
        talliers,
        lateBranches: [],
        ...(election.voters !== undefined ? { voters: election.voters } : {}),
        verification: { status: 'idle' },
      };
    const yes = Math.round(ballots * 0.58);
    return {
      final,
      ballots,
      talliers,
      seal: { final: tip, height: best.length, round: 1 },
      // A branch released after the result, kept out: what the dashboard says of it.
      lateBranches: [
        {
          forkHeight: best.length - 3,
          height: best.length,
          blocks: 3,
          lastSeen: START_SECONDS * 1000 + best.length * BLOCK_SECONDS * 1000 + 60_000,
        },
      ],
      ...(talliers.some((t) => t.mine) ? { myTallier: { decrypted: tip } } : {}),
      result: election.questions
        ? choicesResult(election.questions, ballots)
        : { yes, no: ballots - yes, total: ballots },
      ...(election.voters !== undefined ? { voters: election.voters } : {}),
      verification: {
        status: 'verified',
        message: `verified: ${ballots} ballots, ${talliers.length} decryption factors, result ${yes} yes`,
        tip,
        at: START_SECONDS * 1000 + best.length * BLOCK_SECONDS * 1000,
      },
    };
  }

  /** Ballots counted on the best chain: one per ballot block, or (per-voter) at most one per voter. */
  function countBallots(election: ElectionView, best: readonly BlockView[]): number {
    if (election.ballotRule === 'per-block') return best.filter((b) => b.kind === 'ballot').length;
    const casts = best.reduce((sum, b) => sum + (b.casts ?? 0), 0);
    return Math.min(casts, (election.voters ?? VOTERS) - 1);
  }

  /**
   * This runner's ballots. Per-block: those of the ballot blocks it mined (counted on the best
   * chain, displaced on a side branch). Per-voter: a first cast replaced by a revote, counted.
   */
  function receiptsOf(election: ElectionView, blocks: readonly BlockView[], tip: string): ReceiptView[] {
    const best = new Set(bestChain(blocks, tip).map((b) => b.hash));
    if (election.ballotRule === 'per-block')
      return blocks
        .filter((b) => b.mine && b.kind === 'ballot')
        .map((b, i) => ({
          tracker: hex(64),
          // The oldest were mined before this runner last started: their vote is not known.
          ...(i >= 3 ? { vote: firstVote ?? ('yes' as const) } : {}),
          state: best.has(b.hash) ? ('counted' as const) : ('displaced' as const),
          height: b.height,
        }));
    const counted = blocks.find((b) => best.has(b.hash) && (b.casts ?? 0) > 0 && b.height > 20);
    if (!counted) return [];
    return [
      {
        tracker: hex(64),
        vote: election.questions ? otherVote(election.questions) : 'no',
        state: 'replaced',
      },
      { tracker: hex(64), vote: firstVote ?? 'yes', state: 'counted', height: counted.height },
    ];
  }

  /** Each question's standings from `options.counts`, or from counts made up from the ballots. */
  function choicesResult(asked: readonly QuestionForm[], ballots: number): ChoicesResultView {
    const counts =
      options.counts ??
      asked.map((q, i) =>
        q.options.map((_, o) => Math.floor((ballots * ((o * 37 + i * 11 + 23) % 100)) / 100)),
      );
    return {
      total: ballots,
      questions: standings(
        asked.map((q) => ({ ...q, text: q.question })),
        { total: ballots, counts },
      ).map((s) => ({
        question: s.question,
        seats: s.seats,
        options: s.options.map(({ label, count, rank, winner, tied }) => ({
          label,
          count,
          rank,
          winner,
          tied,
        })),
        outcome: s.outcome,
      })),
    };
  }

  /** Another valid choice than the first options: the last ones each question needs. */
  function otherVote(asked: readonly QuestionForm[]): Selections {
    return asked.map((q) =>
      Array.from({ length: Math.max(q.min, 1) }, (_, i) => q.options.length - Math.max(q.min, 1) + i),
    );
  }

  /** As the engine (main/chain/votes.ts): the vote must be one the election allows. */
  function checkVote(vote: VoteChoice | null): void {
    const asked = state.election?.questions;
    if (vote === null || !asked) return;
    if (!Array.isArray(vote) || vote.length !== asked.length)
      throw new ValidationError(
        'vote',
        `must list the options chosen in each of the ${asked.length} questions`,
      );
    for (const [q, question] of asked.entries()) {
      const rule = {
        options: question.options.length,
        min: question.min,
        max: question.max,
        blank: question.blank,
      };
      const chosen = vote[q]!;
      if (!allowedSums(rule).includes(chosen.length))
        throw new ValidationError(
          `vote[${q}]`,
          `chooses ${chosen.length}; the question allows ${describeSums(rule)}`,
        );
    }
  }

  function makePeers(): PeerView[] {
    // Relative to now, so "seen 40 s ago" reads true whenever the page is opened.
    const at = Date.now();
    return [
      { address: onion(), kind: 'onion', source: 'cli', reachable: true, lastSeen: at, failures: 0 },
      {
        address: onion(),
        kind: 'onion',
        source: 'peer',
        reachable: true,
        lastSeen: at - 40_000,
        failures: 0,
      },
      {
        address: onion(),
        kind: 'onion',
        source: 'announce',
        reachable: false,
        lastSeen: at - 3_600_000,
        failures: 3,
      },
      { address: onion(), kind: 'onion', source: 'announce', reachable: null, lastSeen: null, failures: 0 },
    ];
  }

  function emit(event: EngineEvent, { lost = false } = {}): SequencedEvent {
    state = applyEvent(state, event);
    const sequenced = { seq: ++seq, event };
    if (!lost) for (const listener of listeners) listener(sequenced);
    return sequenced;
  }

  function addBlock(): BlockView {
    const { election, chain } = state;
    if (!election || !chain) throw new Error('addBlock: no election is running');
    if (chain.height >= election.finalHeight) throw new Error('addBlock: the chain is final');
    // Blocks keep the schedule of the synthetic chain (one every 30 s after the tip's timestamp),
    // so the dashboard's time estimate stays sensible; receivedAt is the real time.
    let tipTimestamp = START_SECONDS;
    for (let i = state.blocks.length - 1; i >= 0; i--)
      if (state.blocks[i]!.hash === chain.tip) {
        tipTimestamp = state.blocks[i]!.timestamp;
        break;
      }
    const block = withPayload(
      {
        ...skeleton(chain.height + 1, chain.tip),
        timestamp: tipTimestamp + BLOCK_SECONDS,
        receivedAt: Date.now(),
      },
      election,
    );
    emit({ type: 'blocks', blocks: [block] });
    const height = chain.height + 1;
    emit({
      type: 'chain',
      chain: {
        ...chain,
        tip: block.hash,
        height,
        phase: phaseAfter(election, height),
        ballots: chain.ballots + (block.kind === 'ballot' ? 1 : 0),
        blocks: chain.blocks + 1,
      },
    });
    return block;
  }

  /** The requests, as the engine answers them (ValidationError names the offending field). */
  const handlers: Record<string, (...args: never[]) => unknown> = {
    snapshot: () => ({ seq, state }),
    createElection(form: NewElectionForm) {
      checkForm(form);
      // As the engine: saved first, then waiting for a tor that cannot connect, until cancel.
      if (torStuck)
        return void emit({
          type: 'stage',
          stage: 'starting',
          launch: { kind: 'lobby', saved: 'lobby', title: form.title },
        });
      openLobby(form);
    },
    previewJoin(peer: string): JoinPreview | Promise<JoinPreview> {
      const { address, electionId } = parseInvitation(peer, 'peer');
      if (torStuck) return new Promise<JoinPreview>((_, reject) => waitingLookups.push(reject));
      if (address === SYNTHETIC_LOBBY) return SYNTHETIC_LOBBY_PREVIEW;
      if (address === SYNTHETIC_UNREACHABLE)
        throw new Error(
          `no peer gave a valid genesis (${address}: genesis ${address}: connection refused (is the runner running?))`,
        );
      checkServed(address, electionId);
      return { kind: 'election', address, election: remoteElection() };
    },
    joinElection(form: JoinForm) {
      const invitation = parseInvitation(form.peer, 'peer');
      checkName(form.name);
      const electionId = form.electionId || invitation.electionId;
      const { address } = invitation;
      // As the engine: the request is taken, and what goes wrong shows as the stage 'error'.
      if (!electionId && address !== SYNTHETIC_LOBBY)
        return failStart(`${address} holds no open lobby (404): ask the organizer for a new invitation`);
      if (!electionId) return askLobby(form);
      try {
        checkServed(address, electionId);
      } catch (error) {
        return failStart((error as Error).message);
      }
      startElection(remoteElection());
    },
    admitJoiner: (id: number) => decide(id, 'admitted'),
    refuseJoiner: (id: number) => decide(id, 'refused'),
    startElection() {
      const room = requireHosting();
      const problem = startProblem(room);
      if (problem) throw new RequestError(`cannot start yet: ${problem}`);
      const admitted = lobbyParticipants(room).filter((p) => p.status === 'admitted').length;
      hosting = undefined;
      const { form } = room;
      // The election asks the form's questions, if any, and this runner votes as its form said.
      questions = form.questions;
      if (form.questions) emit({ type: 'settings', settings: { name: form.name, vote: form.vote } });
      startElection({
        ...makeElection(
          form.title,
          form.question,
          form.nTalliersBlocks + form.nVoteBlocks + form.confirmations,
        ),
        nTalliers: form.nTalliers,
        nTalliersBlocks: form.nTalliersBlocks,
        nVoteBlocks: form.nVoteBlocks,
        confirmations: form.confirmations,
        keyElectionHeight: form.nTalliersBlocks,
        electionKeyHeight: form.nTalliersBlocks,
        lastVoteHeight: form.nTalliersBlocks + form.nVoteBlocks,
        finalHeight: form.nTalliersBlocks + form.nVoteBlocks + form.confirmations,
        expectedHashes: form.difficulty,
        ballotRule: room.rule,
        ...(room.rule === 'per-voter' ? { voters: admitted } : {}),
      });
    },
    leaveLobby() {
      if (state.stage === 'stopped') return void emit({ type: 'stage', stage: 'setup' });
      if (!hosting && !joining) throw new RequestError('not in a lobby');
      hosting = undefined;
      joining = undefined;
      emit({ type: 'stage', stage: 'setup' });
    },
    retry: () =>
      void emit({
        type: 'stage',
        stage: 'starting',
        ...(state.stage === 'stopped' && state.launch ? { launch: state.launch } : {}),
      }),
    /** As the engine: look-ups fail as cancelled; a start stops, back to what is saved. */
    cancel() {
      const lookups = waitingLookups.splice(0);
      for (const reject of lookups) reject(new RequestError('look-up cancelled'));
      if (state.stage === 'starting' || state.stage === 'error') {
        const launch = state.launch;
        if (launch && launch.saved !== 'nothing') emit({ type: 'stage', stage: 'stopped', launch });
        else emit({ type: 'stage', stage: 'setup' });
        return;
      }
      if (lookups.length === 0) throw new RequestError('nothing to cancel: nothing is waiting');
    },
    addPeer(address: string) {
      const parsed = parsePeerAddress(address, 'address');
      if (state.peers.some((p) => p.address === parsed.address)) return;
      const peer: PeerView = {
        address: parsed.address,
        kind: parsed.kind,
        source: 'cli',
        reachable: null,
        lastSeen: null,
        failures: 0,
      };
      emit({ type: 'peers', peers: [...state.peers, peer] });
    },
    removePeer: (address: string) =>
      void emit({ type: 'peers', peers: state.peers.filter((p) => p.address !== address) }),
    setMining: (on: boolean) => void emit({ type: 'mining', mining: { ...state.mining, on } }),
    setThreads(threads: number) {
      if (!Number.isSafeInteger(threads) || threads < 1 || threads > state.mining.maxThreads)
        throw new ValidationError('threads', `must be a whole number in [1, ${state.mining.maxThreads}]`);
      emit({ type: 'mining', mining: { ...state.mining, threads } });
    },
    setVote(vote: VoteChoice | null) {
      checkVote(vote);
      emit({ type: 'settings', settings: { ...state.settings, vote } });
    },
    torLog: () =>
      torStuck
        ? [
            'Jan 01 00:00:01.000 [notice] Tor 0.4.8.16 running on Linux.',
            'Jan 01 00:00:02.000 [notice] Bootstrapped 14% (handshake): Handshaking with a relay',
            'Jan 01 00:03:02.000 [warn] Problem bootstrapping. Stuck at 14% (handshake): Handshaking with a relay. (DONE; DONE; count 12; recommendation warn; host 9695DFC35FFEB861329B9F1AB04C46397020CE31 at 193.23.244.244:443)',
          ]
        : [
            'Jan 01 00:00:01.000 [notice] Tor 0.4.8.16 running on Linux.',
            'Jan 01 00:00:03.000 [notice] Bootstrapped 100% (done): Done',
          ],
    exportRecord: () => ({
      fileName: `election-${state.election?.id.slice(0, 8) ?? 'none'}.json`,
      json: JSON.stringify({ format: 'onion-election/record/v1', election: state.election }, null, 2),
    }),
    openDataFolder: () => ({ path: state.dataDir, opened: false }),
  };

  function checkForm(form: NewElectionForm): void {
    genesisFromForm(form); // the real engine's rules
    // Not a rule of the real engine either: an option label starting with "#" is refused, so tests
    // can check that a refusal of one option shows beside that option.
    for (const [q, question] of (form.questions ?? []).entries())
      for (const [o, label] of question.options.entries())
        if (label.startsWith('#'))
          throw new ValidationError(
            `questions[${q}].options[${o}]`,
            'must not start with "#" (a synthetic rule)',
          );
    // Not a rule of the real engine: a refusal the forms cannot foresee, so tests can check that
    // the server's errors show beside their field.
    if (form.nTalliersBlocks < form.nTalliers)
      throw new ValidationError('nTalliersBlocks', 'must be at least the number of talliers');
    checkName(form.name);
  }

  function checkName(name: string): void {
    if (name.trim() === '') throw new ValidationError('name', 'must not be empty');
    if (Buffer.byteLength(name) > MAX_MINER_LABEL_BYTES)
      throw new ValidationError('name', `must be at most ${MAX_MINER_LABEL_BYTES} bytes`);
  }

  // ── The lobby ───────────────────────────────────────────────────────────────────────────────

  interface Hosting {
    readonly form: NewElectionForm;
    readonly rule: BallotRuleChoice;
    readonly self: string;
    /** Everyone who asked, in order (ids from 1); the organizer is not listed here. */
    readonly requests: LobbyParticipantView[];
  }
  /** This runner's own lobby, while it hosts one. */
  let hosting: Hosting | undefined;
  /** This runner's request to SYNTHETIC_LOBBY, while it waits in it. */
  let joining: Omit<LobbyView, 'role' | 'online'> | undefined;
  let remote: ElectionView | undefined;

  /** Made on first use, so asking for it leaves the running election's tree as it was. */
  function remoteElection(): ElectionView {
    if (!remote) {
      const { voters: _, ...election } = makeElection(
        'Choose the new meeting room',
        'Should the weekly meeting move to the large room on the ground floor?',
        40,
        sideHex(64),
      );
      remote = { ...election, ballotRule: 'per-block' };
    }
    return remote;
  }

  /** As the engine's fetchGenesis: the peer must serve the election the invitation or preview named. */
  function checkServed(address: string, electionId: string | undefined): void {
    const served = remoteElection().id;
    if (electionId !== undefined && electionId !== served)
      throw new RequestError(`${address} now serves another election (${served.slice(0, 16)}…): not joined`);
  }

  function failStart(error: string): void {
    emit({ type: 'stage', stage: 'starting' });
    later(400, () => emit({ type: 'stage', stage: 'error', error }));
  }

  /** Timers that do not keep a test process alive. */
  function later(ms: number, job: () => void): void {
    setTimeout(job, ms).unref?.();
  }

  function lobbyParticipants(room: Hosting): LobbyParticipantView[] {
    return [
      {
        id: 0,
        name: room.form.name,
        status: 'admitted',
        online: true,
        organizer: true,
        ...(room.rule === 'per-voter' ? { credential: sideHex(16) } : {}),
      },
      ...room.requests,
    ];
  }

  /** As node/lobby.ts words it (the same checks, in the same order). */
  function startProblem(room: Hosting): string | undefined {
    const { form } = room;
    const runners = lobbyParticipants(room).filter((p) => p.status === 'admitted').length;
    if (form.nTalliers > form.nTalliersBlocks)
      return `${form.nTalliers} tallier seats need at least as many key blocks (there are ${form.nTalliersBlocks})`;
    if (form.nTalliers > runners)
      return `${form.nTalliers} tallier seats but only ${runners} admitted runner${runners === 1 ? '' : 's'}: admit more, or lower the seats`;
    if (room.rule === 'per-voter' && form.nVoteBlocks * MAX_BALLOTS_PER_BLOCK < runners)
      return `${form.nVoteBlocks} voting blocks carry at most ${form.nVoteBlocks * MAX_BALLOTS_PER_BLOCK} ballots, fewer than the ${runners} voters`;
    return undefined;
  }

  function hostView(room: Hosting): LobbyView {
    const participants = lobbyParticipants(room);
    const admitted = participants.filter((p) => p.status === 'admitted');
    const problem = startProblem(room);
    return {
      role: 'organizer',
      title: room.form.title,
      question: room.form.question,
      ballotRule: room.rule,
      organizer: room.form.name,
      invitation: formatInvitation(room.self),
      admitted: admitted.length,
      online: admitted.filter((p) => p.online).length,
      participants,
      ...(problem ? { startProblem: problem } : {}),
      nTalliers: room.form.nTalliers,
      nTalliersBlocks: room.form.nTalliersBlocks,
      nVoteBlocks: room.form.nVoteBlocks,
      confirmations: room.form.confirmations,
      ...(room.form.questions ? { questions: room.form.questions } : {}),
    };
  }

  function emitHosted(): void {
    if (hosting) emit({ type: 'lobby', lobby: hostView(hosting) });
  }

  /** Tor bootstrapping, then ready 800 ms later, when `ready` runs: as a real first start. */
  function bootTor(ready: () => void): void {
    emit({
      type: 'tor',
      tor: {
        mode: 'managed',
        stage: 'bootstrapping',
        progress: 45,
        summary: 'Loading relay descriptors',
        condition: 'connecting',
      },
    });
    later(800, () => {
      emit({
        type: 'tor',
        tor: { mode: 'managed', stage: 'ready', progress: 100, summary: 'Done', condition: 'connected' },
      });
      ready();
    });
  }

  /** As the engine: 'starting' while tor bootstraps and the onion service is published, then 'lobby'. */
  function openLobby(form: NewElectionForm): void {
    const room: Hosting = { form, rule: form.ballotRule ?? 'per-block', self: validOnion(), requests: [] };
    emit({ type: 'stage', stage: 'starting' });
    bootTor(() => {
      hosting = room;
      emitHosted();
      emit({ type: 'stage', stage: 'lobby', self: room.self });
      // Two people the organizer invited ask soon after: one stays online, one went away.
      later(500, () => hosting === room && askToJoin('bob'));
      later(900, () => hosting === room && askToJoin('carol', { online: false }));
    });
  }

  function askToJoin(name: string, { online = true } = {}): number {
    const room = requireHosting();
    const id = room.requests.length + 1;
    room.requests.push({
      id,
      name,
      status: 'waiting',
      online,
      ...(room.rule === 'per-voter' ? { credential: sideHex(16) } : {}),
    });
    emitHosted();
    return id;
  }

  function requireHosting(): Hosting {
    if (!hosting) throw new RequestError('this runner hosts no lobby');
    return hosting;
  }

  function decide(id: number, status: 'admitted' | 'refused'): void {
    const room = requireHosting();
    const index = room.requests.findIndex((p) => p.id === id);
    if (index < 0) throw new RequestError('id: no such request', 'id');
    room.requests[index] = { ...room.requests[index]!, status };
    emitHosted();
  }

  function joinerView(): LobbyView {
    return { role: 'joiner', online: 0, ...joining! };
  }

  /** Asks SYNTHETIC_LOBBY: 'asking' until its first answer, then 'waiting' for the organizer. */
  function askLobby(form: JoinForm): void {
    const lobby = SYNTHETIC_LOBBY_PREVIEW;
    emit({ type: 'stage', stage: 'starting' });
    emit({ type: 'settings', settings: { name: form.name, vote: form.vote } });
    later(300, () => {
      emit({
        type: 'tor',
        tor: { mode: 'managed', stage: 'ready', progress: 100, summary: 'Done', condition: 'connected' },
      });
      joining = {
        title: lobby.title,
        question: lobby.question,
        ballotRule: lobby.ballotRule,
        organizer: lobby.organizer,
        address: lobby.address,
        admitted: lobby.admitted,
        participants: [],
        status: 'asking',
        nTalliers: 3,
        nTalliersBlocks: 6,
        nVoteBlocks: 20,
        confirmations: 2,
      };
      emit({ type: 'lobby', lobby: joinerView() });
      emit({ type: 'stage', stage: 'lobby' });
      later(700, () => joining?.status === 'asking' && joinerUpdate({ status: 'waiting' }));
    });
  }

  function joinerUpdate(change: Parameters<SyntheticEngine['joinerUpdate']>[0]): void {
    const room = joining;
    if (!room) throw new Error('joinerUpdate: not waiting in a lobby');
    const { unreachable: _, ...rest } = room;
    joining = {
      ...(change.unreachable === null ? rest : room),
      ...(change.status ? { status: change.status } : {}),
      ...(change.admitted !== undefined ? { admitted: change.admitted } : {}),
      ...(change.participants
        ? {
            participants: change.participants.map((name, id) => ({
              id,
              name,
              status: 'admitted' as const,
              online: false,
              ...(room.ballotRule === 'per-voter' ? { credential: sideHex(16) } : {}),
            })),
          }
        : {}),
      ...(typeof change.unreachable === 'string' ? { unreachable: change.unreachable } : {}),
    };
    emit({ type: 'lobby', lobby: joinerView() });
  }

  function organizerStarts(): void {
    const room = joining;
    if (room?.status !== 'admitted' && room?.status !== 'starting')
      throw new Error('organizerStarts: this runner was not admitted');
    joining = undefined;
    startElection({
      ...makeElection(
        room.title,
        room.question,
        room.nTalliersBlocks + room.nVoteBlocks + room.confirmations,
      ),
      nTalliers: room.nTalliers,
      nTalliersBlocks: room.nTalliersBlocks,
      nVoteBlocks: room.nVoteBlocks,
      confirmations: room.confirmations,
      keyElectionHeight: room.nTalliersBlocks,
      electionKeyHeight: room.nTalliersBlocks,
      lastVoteHeight: room.nTalliersBlocks + room.nVoteBlocks,
      finalHeight: room.nTalliersBlocks + room.nVoteBlocks + room.confirmations,
      ballotRule: room.ballotRule,
      ...(room.ballotRule === 'per-voter' ? { voters: room.admitted } : {}),
    });
  }

  /** Setup → starting (tor bootstrapping) → running, on timers like a real first start. */
  function startElection(election: ElectionView): void {
    emit({ type: 'stage', stage: 'starting', election });
    bootTor(() => {
      emit({ type: 'stage', stage: 'running', election, self: state.self ?? validOnion() });
      emit({ type: 'receipts', receipts: [] });
    });
  }

  return {
    calls,
    emit,
    addBlock,
    askToJoin,
    joinerUpdate,
    organizerStarts,
    get remoteElection() {
      return remoteElection();
    },
    snapshot: () => ({ seq, state }),
    async call(name, args) {
      calls.push({ name, args });
      // The real engine's argument checks, then this engine's answer.
      const request = parseRequest(name, args, { maxThreads: state.mining.maxThreads });
      const handler = handlers[request.name]!;
      return (handler as (...a: unknown[]) => unknown)(...request.args);
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A small seeded PRNG (public domain), so every run builds the same tree. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
