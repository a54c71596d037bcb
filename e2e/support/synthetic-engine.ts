// A stand-in for the engine, for the dashboard's end-to-end tests, screenshots and benchmarks: it
// holds a DashboardState of any size (5,000 blocks with forks by default), answers the requests
// like the engine would (validation included, without any chain or crypto behind it) and emits
// events on demand. Deterministic: the same options always give the same tree, hashes and names
// (only "last seen" times follow the clock). Node-side and free of Electron.
import {
  type BlockView,
  type CandidateView,
  type ChainView,
  type DashboardState,
  type ElectionView,
  type EngineEvent,
  type EngineStage,
  MAX_MINER_LABEL_BYTES,
  type NewElectionForm,
  type PeerView,
  type Phase,
  type ResultView,
  type SequencedEvent,
  type VoteChoice,
} from '../../main/api/contract';
import { applyEvent } from '../../main/api/reduce';
import type { EngineHost } from '../../main/app/dashboard-server';
import { genesisFromForm, parseRequest } from '../../main/app/requests';
import { ValidationError } from '../../main/crypto/errors';
import { parsePeerAddress } from '../../main/net/address';

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
}

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
}

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
      tor: { mode: 'managed', stage: 'bootstrapping', progress: 45, summary: 'Loading relay descriptors' },
      mining: { on: false, threads: 2, maxThreads: 8, hashrate: 0 },
      peers: [],
    };
  }

  function commonState(): Omit<DashboardState, 'stage' | 'tor' | 'mining' | 'peers'> {
    return {
      version: '0.1.0',
      dataDir: DATA_DIR,
      settings: { name: SELF_NAME, vote: 'yes' },
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
      tor: { mode: 'managed', stage: 'ready', progress: 100, summary: 'Done' },
      mining: { on: heightsLeft > 0, threads: 2, maxThreads: 8, hashrate: heightsLeft > 0 ? 2_412_000 : 0 },
      peers: makePeers(),
      blocks,
      chain: chainView(election, blocks, tip),
      result: resultView(election, blocks, tip),
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
      lastVoteHeight,
      finalHeight,
      expectedHashes: 2 ** 16,
      createdAt: START_SECONDS,
      ballotRule: 'per-block',
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
    if (block.height <= election.lastVoteHeight) return { ...block, kind: 'ballot', ballot: hex(16) };
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
      ballots: best.filter((b) => b.kind === 'ballot').length,
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
    const ballots = best.filter((b) => b.kind === 'ballot').length;
    const elected = candidates(best).filter((c) => c.elected);
    const talliers = elected.map((c) => ({
      key: c.key,
      accepted: final,
      factor: final ? ('verified' as const) : ('awaiting' as const),
      mine: c.mine,
    }));
    if (!final) return { final, ballots, talliers, lateBranches: [], verification: { status: 'idle' } };
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
      result: { yes, no: ballots - yes, total: ballots },
      verification: {
        status: 'verified',
        message: `verified: ${ballots} ballots, ${talliers.length} decryption factors, result ${yes} yes`,
        tip,
        at: START_SECONDS * 1000 + best.length * BLOCK_SECONDS * 1000,
      },
    };
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
      startElection(makeElection(form.title, form.question, form.nTalliersBlocks + form.nVoteBlocks));
    },
    previewJoin(peer: string) {
      const address = parsePeerAddress(peer, 'peer').address;
      return {
        kind: 'election',
        address,
        election: makeElection(
          'Choose the new meeting room',
          'Should the weekly meeting move to the large room on the ground floor?',
          40,
        ),
      };
    },
    joinElection(form: { peer: string; electionId: string; name: string; vote: VoteChoice | null }) {
      parsePeerAddress(form.peer, 'peer');
      checkName(form.name);
      startElection({ ...makeElection('Choose the new meeting room', 'Joined.', 40), id: form.electionId });
    },
    retry: () => void emit({ type: 'stage', stage: 'starting' }),
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
    setVote: (vote: VoteChoice | null) =>
      void emit({ type: 'settings', settings: { ...state.settings, vote } }),
    torLog: () => [
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

  /** Setup → starting (tor bootstrapping) → running, on timers like a real first start. */
  function startElection(election: ElectionView): void {
    emit({ type: 'stage', stage: 'starting', election });
    emit({
      type: 'tor',
      tor: { mode: 'managed', stage: 'bootstrapping', progress: 45, summary: 'Loading relay descriptors' },
    });
    setTimeout(() => {
      emit({ type: 'tor', tor: { mode: 'managed', stage: 'ready', progress: 100, summary: 'Done' } });
      emit({ type: 'stage', stage: 'running', election, self: onion() });
    }, 800);
  }

  return {
    calls,
    emit,
    addBlock,
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
