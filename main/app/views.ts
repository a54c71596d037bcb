// The engine's state as the UI sees it (main/api/contract.ts): plain JSON made from the node, the
// chain, the peer book and tor. Short fingerprints instead of 2048-bit numbers: the UI shows them,
// and `export` gives the full values to whoever wants to check.
import type {
  BlockView,
  CandidateView,
  ChainView,
  ChoicesResultView,
  ElectionView,
  MiningView,
  PeerView,
  ReceiptView,
  ResultView,
  SettingsView,
  TorCondition,
  TorView,
  VoteChoice,
  YesNoResultView,
} from '../api/contract';

import type { BlockMeta, Reorg } from '../chain/chain';
import { sealQuorum } from '../chain/finality';
import { type Genesis, hasThreshold } from '../chain/genesis';
import {
  electionKeyHeight,
  finalHeight,
  keyElectionHeight,
  lastDealingHeight,
  lastVoteHeight,
} from '../chain/phases';
import { MAX_TARGET } from '../chain/pow/target';
import { encodeQuestions } from '../chain/questions';
import { expectedPayload } from '../chain/rules';
import { standings } from '../chain/standings';
import type { VoteChoice as NodeVote } from '../chain/votes';
import { ciphertextsOf } from '../crypto/any-ballot';
import { isChoicesResult } from '../crypto/decryption';
import type { ElectionResult } from '../crypto/types';
import type { PeerInfo } from '../net/peer-book';
import type { ElectionNode, NodeSettings } from '../node/election-node';
import type { BootstrapStatus, TorHealth } from '../tor/manager';

/** The first 16 hex digits of a group element: enough to tell keys and ballots apart at a glance. */
export function fingerprint(x: bigint, byteWidth: number): string {
  return x
    .toString(16)
    .padStart(byteWidth * 2, '0')
    .slice(0, 16);
}

export function electionView(g: Genesis): ElectionView {
  return {
    id: g.idHex,
    title: g.title,
    question: g.question,
    nTalliers: g.nTalliers,
    nTalliersBlocks: g.nTalliersBlocks,
    nVoteBlocks: g.nVoteBlocks,
    confirmations: g.confirmations,
    keyElectionHeight: keyElectionHeight(g),
    electionKeyHeight: electionKeyHeight(g),
    ...(hasThreshold(g) ? { quorum: g.quorum } : {}),
    lastVoteHeight: lastVoteHeight(g),
    finalHeight: finalHeight(g),
    expectedHashes: Math.round(Number(MAX_TARGET / g.target)),
    createdAt: g.createdAt,
    ballotRule: g.ballotRule,
    ...(g.ballotRule === 'per-voter' ? { voters: g.roster.length } : {}),
    ...(g.questions
      ? {
          // The form's shape is the genesis JSON's: one encoding serves both.
          questions: encodeQuestions(g.questions),
        }
      : {}),
  };
}

/**
 * This runner's ballots and where each stands. Per-voter: its casts (node/casting.ts). Per-block:
 * the ballots of the blocks it mined, counted while their block is on the best chain.
 */
export function receiptViews(node: ElectionNode): ReceiptView[] {
  const word = (v: NodeVote | undefined): { vote?: VoteChoice } =>
    v === undefined ? {} : { vote: voteView(v) };
  if (node.casting)
    return node.casting.receipts().map((r) => ({
      tracker: r.tracker,
      ...word(r.vote),
      state: r.state,
      ...(r.height !== undefined ? { height: r.height } : {}),
    }));
  const tip = node.chain.tip;
  return node.ownBallots().map((own) => {
    const onBest = node.chain.ancestorAt(tip, own.height)?.hash === own.hash;
    return {
      tracker: own.tracker,
      ...word(own.vote),
      state: onBest ? ('counted' as const) : ('displaced' as const),
      height: own.height,
    };
  });
}

export function blockView(node: ElectionNode, meta: BlockMeta, mine: boolean, receivedAt: number): BlockView {
  const block = meta.block!;
  const width = node.genesis.group.byteWidth;
  const payload = block.payload;
  return {
    hash: meta.hash,
    prev: block.prev,
    height: meta.height,
    timestamp: meta.timestamp,
    miner: block.miner,
    kind: payload.kind,
    ...(payload.kind === 'tallier_key' ? { key: fingerprint(payload.key.pk, width) } : {}),
    ...(payload.kind === 'ballot'
      ? { ballot: fingerprint(ciphertextsOf(payload.ballot)[0]!.alpha, width) }
      : {}),
    ...(payload.kind === 'ballots' ? { casts: payload.ballots.length } : {}),
    mine,
    receivedAt,
  };
}

/** Every stored block, parents before children (the order the chain stored them). */
export function storedBlockViews(node: ElectionNode): BlockView[] {
  const metas = [...node.chain.all()].filter((m) => m.block !== null); // already in arrival order
  const ownKey = node.tallierKey.pk;
  return metas.map((m) => {
    const payload = m.block!.payload;
    // After a restart, "mine" is known for sure only for key blocks (they carry this runner's key).
    const mine =
      payload.kind === 'tallier_key' ? payload.key.pk === ownKey : m.block!.miner === node.settings.name;
    return blockView(node, m, mine, m.timestamp * 1000);
  });
}

export function chainView(node: ElectionNode, lastReorg: ChainView['lastReorg']): ChainView {
  const state = node.chain.state();
  const width = node.genesis.group.byteWidth;
  const backups = backupsOf(node);
  const candidates = state.keyElection.candidates
    .map(
      (c): CandidateView => ({
        key: fingerprint(c.key.pk, width),
        count: c.count,
        lastHeight: c.lastHeight,
        elected: c.elected,
        reason: c.reason,
        mine: c.key.pk === node.tallierKey.pk,
        ...(c.elected && backups?.has(c.key.pk) ? { backups: backups.get(c.key.pk)! } : {}),
      }),
    )
    .map((c) => {
      // An elected key the ceremony left out says so where its election is explained.
      const out = c.backups === 'proven-wrong' || c.backups === 'missed' ? c.backups : undefined;
      return out ? { ...c, reason: `${c.reason}; then left out of the election key: ${LEFT_OUT[out]}` } : c;
    });
  return {
    tip: state.tip.hash,
    height: state.tip.height,
    phase: state.phase,
    candidates,
    ...(state.electionKey === undefined ? {} : { electionKey: fingerprint(state.electionKey, width) }),
    ballots: state.ballots,
    blocks: node.chain.size - 1,
    orphans: node.chain.orphanCount(),
    ...(lastReorg ? { lastReorg } : {}),
  };
}

/** Why a key was left out of the election key by the key ceremony, in words. */
const LEFT_OUT = {
  'proven-wrong': 'another key holder proved one of its backup pieces wrong',
  missed: 'its backup pieces did not reach the chain in time',
} as const;

/**
 * Threshold talliers: each elected key's part in the key ceremony on the best chain, from the key
 * election's end (undefined before it, and in elections without a ceremony).
 */
function backupsOf(node: ElectionNode): Map<bigint, NonNullable<CandidateView['backups']>> | undefined {
  const { chain, genesis } = node;
  const tip = chain.tip;
  if (!hasThreshold(genesis) || tip.height < keyElectionHeight(genesis)) return undefined;
  const elected = chain.candidatesOf(tip).talliers.map((k) => k.pk);
  const ceremony = chain.ceremonyOf(tip);
  const over = tip.height >= lastDealingHeight(genesis);
  return new Map(
    elected.map((pk) => [
      pk,
      ceremony?.convicted.has(pk)
        ? 'proven-wrong'
        : ceremony?.dealings.has(pk)
          ? 'dealt'
          : over
            ? 'missed'
            : 'awaited',
    ]),
  );
}

export function reorgSummary(reorg: Reorg): NonNullable<ChainView['lastReorg']> {
  return { at: Date.now(), forkHeight: reorg.fork.height, replaced: reorg.from.height - reorg.fork.height };
}

export function resultView(node: ElectionNode, verification: ResultView['verification']): ResultView {
  const state = node.chain.state();
  const result = node.resultState();
  const width = node.genesis.group.byteWidth;
  const published = new Set(result?.factors.map((f) => f.pk));
  const seal = node.seal();
  const accepted = new Set(
    (seal?.acceptances ?? node.acceptances().filter((a) => a.final === state.tip.hash)).map((a) => a.pk),
  );
  const duties = node.tallierDuties();
  const names = tallierNames(node);
  // Once the key is fixed, the talliers whose keys make it; during the key ceremony, the elected
  // ones not (yet) left out; before, the key election's.
  const backups = backupsOf(node);
  const talliers =
    state.qualified ??
    state.keyElection.talliers
      .map((k) => k.pk)
      .filter((pk) => backups?.get(pk) !== 'proven-wrong' && backups?.get(pk) !== 'missed');
  const quorum = state.quorum ?? (backups ? Math.min(node.genesis.quorum!, talliers.length) : undefined);
  const setup = result?.final.quorum;
  const mineLeftOut = backups?.get(node.tallierKey.pk);
  const standIns = (pk: bigint) => result?.compensated.filter((cf) => cf.missing === pk).length ?? 0;
  const owes = node.tallierOwes();
  return {
    final: state.final,
    ballots: state.ballots,
    talliers: talliers.map((pk) => ({
      key: fingerprint(pk, width),
      accepted: state.final && accepted.has(pk),
      factor: published.has(pk)
        ? 'verified'
        : setup && standIns(pk) >= setup.quorum
          ? 'stood-in'
          : 'awaiting',
      mine: pk === node.tallierKey.pk,
      ...(names.has(pk) ? { name: names.get(pk)! } : {}),
    })),
    ...(quorum !== undefined && quorum < talliers.length
      ? { quorum, sealQuorum: sealQuorum(talliers.length, quorum) }
      : {}),
    ...(seal ? { seal: { final: seal.final.hash, height: seal.final.height, round: seal.round } } : {}),
    ...(duties.decrypted ||
    duties.refusal ||
    owes.length > 0 ||
    mineLeftOut === 'proven-wrong' ||
    mineLeftOut === 'missed'
      ? {
          myTallier: {
            ...(duties.decrypted ? { decrypted: duties.decrypted } : {}),
            ...(duties.refusal ? { refusal: duties.refusal } : {}),
            ...(owes.length > 0 ? { owes } : {}),
            ...(mineLeftOut === 'proven-wrong' || mineLeftOut === 'missed'
              ? { leftOut: LEFT_OUT[mineLeftOut] }
              : {}),
          },
        }
      : {}),
    lateBranches: node.chain.lateBranches().map((b) => ({
      forkHeight: b.forkHeight,
      height: b.height,
      blocks: b.blocks,
      lastSeen: b.lastSeen,
    })),
    ...(result?.result ? { result: resultSummary(node.genesis, result.result) } : {}),
    ...(node.genesis.ballotRule === 'per-voter' ? { voters: node.genesis.roster.length } : {}),
    verification,
  };
}

/**
 * Each tallier key's runner by name: the miner label most often beside it in the best chain's key
 * blocks (a key and its proof can be copied into anyone's block, so not simply the last one; the
 * first seen wins a tie; empty labels, from anonymous runners, name no one). Self-chosen, so for
 * people to read, never to decide anything by.
 */
function tallierNames(node: ElectionNode): Map<bigint, string> {
  const counts = new Map<bigint, Map<string, number>>();
  const { tip } = node.chain;
  // The key blocks, heights 1…T, in one walk down the best chain (not one walk per height).
  const top = node.chain.ancestorAt(tip, Math.min(tip.height, keyElectionHeight(node.genesis)));
  for (const { block } of top ? node.chain.branch(top) : []) {
    if (block?.payload.kind !== 'tallier_key' || !block.miner) continue;
    const labels = counts.get(block.payload.key.pk) ?? new Map<string, number>();
    labels.set(block.miner, (labels.get(block.miner) ?? 0) + 1);
    counts.set(block.payload.key.pk, labels);
  }
  const names = new Map<bigint, string>();
  for (const [pk, labels] of counts) {
    let best: [string, number] = ['', 0];
    for (const entry of labels) if (entry[1] > best[1]) best = entry;
    names.set(pk, best[0]);
  }
  return names;
}

export function peerViews(peers: readonly PeerInfo[]): PeerView[] {
  return peers.map((p) => ({
    address: p.address,
    kind: p.kind,
    source: p.source,
    reachable: p.reachable,
    lastSeen: p.lastSeen,
    failures: p.failures,
    ...(p.name ? { name: p.name } : {}),
  }));
}

/** A result as the API says it: yes and no, or each question's standings. */
export function resultSummary(genesis: Genesis, result: ElectionResult): YesNoResultView | ChoicesResultView {
  if (!isChoicesResult(result)) return { yes: result.yes, no: result.no, total: result.total };
  return {
    total: result.total,
    questions: standings(genesis.questions ?? [], result).map((s) => ({
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

/** A vote as the API says it: yes/no in words, selections as they are. */
export function voteView(vote: NodeVote): VoteChoice {
  return vote === 1 ? 'yes' : vote === 0 ? 'no' : vote;
}

/** A vote from the API, as the node keeps it. */
export function nodeVote(vote: VoteChoice): NodeVote {
  return vote === 'yes' ? 1 : vote === 'no' ? 0 : vote;
}

export function settingsView(settings: NodeSettings): SettingsView {
  return {
    name: settings.name,
    vote: settings.vote === undefined ? null : voteView(settings.vote),
  };
}

/** `threadHashrate`: the engine's measure of one thread (MiningView.threadHashrate), kept as it was. */
export function miningView(node: ElectionNode, maxThreads: number, threadHashrate?: number): MiningView {
  const { mining, threads, vote } = node.settings;
  const next = expectedPayload(node.genesis, node.chain.tip.height + 1);
  const idle =
    next === undefined
      ? 'the chain is complete: nothing left to mine'
      : next === 'ballot' && vote === undefined
        ? 'you abstain: each voting block carries its finder’s ballot, so this runner sits them out and mines again once voting ends'
        : undefined;
  return {
    on: mining,
    threads,
    maxThreads,
    // The miner's rate decays slowly after its last job: an idle miner shows none.
    hashrate: mining && !idle ? Math.round(node.hashrate()) : 0,
    ...(mining && idle ? { idle } : {}),
    ...(threadHashrate ? { threadHashrate } : {}),
  };
}

export function torView(
  mode: TorView['mode'],
  stage: TorView['stage'],
  status: BootstrapStatus | undefined,
  extra: {
    warning?: string | undefined;
    error?: string | undefined;
    /** From the tor's health (main/tor/health.ts); the stage and mode decide when there is none. */
    health?: TorHealth | undefined;
    since?: number | undefined;
  } = {},
): TorView {
  return {
    mode,
    stage,
    progress: mode === 'off' ? 100 : (status?.progress ?? 0),
    summary:
      mode === 'off' ? 'not used: direct transport on this machine' : (status?.summary ?? 'starting tor'),
    ...(extra.warning ? { warning: extra.warning } : {}),
    ...(extra.error ? { error: extra.error } : {}),
    condition: torCondition(mode, stage, extra.health),
    ...(extra.since !== undefined ? { since: extra.since } : {}),
    ...(extra.health?.why && stage !== 'error' ? { why: extra.health.why } : {}),
  };
}

/** What the user is told of tor (docs/TOR.md §3a): the mode and the stage first, then tor's health. */
export function torCondition(
  mode: TorView['mode'],
  stage: TorView['stage'],
  health: TorHealth | undefined,
): TorCondition {
  if (mode === 'off' || stage === 'off') return 'off';
  // The user's own tor: this runner knows nothing of its bootstrap, only its SOCKS port.
  if (mode === 'external') return 'connected';
  if (stage === 'error') return 'failed';
  if (stage === 'starting' || !health) return stage === 'ready' ? 'connected' : 'connecting';
  return health.condition;
}
