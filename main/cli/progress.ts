// What a running runner prints: one line per new best block, reorgs, the result, warnings. Short
// lines meant to be read while they scroll by.
import type { BlockMeta } from '../chain/chain';
import type { Genesis } from '../chain/genesis';
import { electionKeyHeight, finalHeight, keyElectionHeight, lastVoteHeight } from '../chain/phases';
import type { ResultState } from '../chain/results';
import { standings } from '../chain/standings';
import { isChoicesResult } from '../crypto/decryption';
import type { Runner } from '../net/runner';

const short = (hex: string) => `${hex.slice(0, 8)}…`;
const clock = () => new Date().toTimeString().slice(0, 8);

export function describePhase(runner: Runner, tip: BlockMeta): string {
  const g = runner.node.genesis;
  const T = keyElectionHeight(g);
  const K = electionKeyHeight(g);
  const V = lastVoteHeight(g);
  if (tip.height <= T) return `key election ${tip.height}/${T}`;
  if (tip.height <= K) return `key backups ${tip.height - T}/${K - T}`;
  if (tip.height <= V) return `voting ${tip.height - K}/${g.nVoteBlocks}`;
  if (tip.height < finalHeight(g)) return `confirming ${tip.height - V}/${g.confirmations}`;
  return 'final';
}

export function formatResult(state: ResultState, genesis?: Genesis): string {
  const r = state.result!;
  const counted =
    genesis?.ballotRule === 'per-voter'
      ? `${r.total} of ${genesis.roster.length} registered voters cast a ballot (each one's last counts)`
      : `${r.total} ballots`;
  const bar = (n: number) => '█'.repeat(Math.round((20 * n) / Math.max(1, r.total)));
  const lines = isChoicesResult(r)
    ? standings(genesis?.questions ?? [], r).flatMap((s, q) => [
        `  ${q === 0 ? 'RESULT' : '      '}  ${s.question}`,
        ...s.options.map(
          (o) =>
            `          ${o.winner ? '✓' : ' '} ${String(o.count).padStart(3)}  ${o.label.padEnd(20)} ${bar(o.count)}`,
        ),
        `          → ${s.outcome}`,
      ])
    : [
        `  RESULT  yes ${String(r.yes).padStart(3)}  ${bar(r.yes)}`,
        `          no  ${String(r.no).padStart(3)}  ${bar(r.no)}`,
      ];
  return [
    '',
    ...lines,
    `          ${counted} · decrypted with ${state.factors.length} tallier factor(s)${standIns(state)}, every proof checked`,
    '',
  ].join('\n');
}

/** ", and stand-ins for 2 absent talliers" when the result needed them (threshold talliers). */
function standIns(state: ResultState): string {
  const own = new Set(state.factors.map((f) => f.pk));
  const covered = new Set(state.compensated.filter((cf) => !own.has(cf.missing)).map((cf) => cf.missing));
  return covered.size
    ? ` and stand-ins for ${covered.size} absent tallier${covered.size === 1 ? '' : 's'}`
    : '';
}

export function attachProgress(runner: Runner, print: (line: string) => void = console.log): void {
  const { node } = runner;
  const peers = () => {
    const all = runner.peers.snapshot();
    return `${all.filter((p) => p.reachable === true).length}/${all.length} peers`;
  };
  const rate = () => `${(node.hashrate() / 1e6).toFixed(1)} MH/s`;
  let awaitingShown = '';
  node.on('tip', (tip, reorg) => {
    if (reorg) {
      const depth = reorg.from.height - reorg.fork.height;
      print(`${clock()}  reorg: switched branch at height ${reorg.fork.height} (${depth} block(s) replaced)`);
    }
    const by = tip.block?.miner ? ` by ${tip.block.miner}` : '';
    print(
      `${clock()}  #${tip.height} ${short(tip.hash)}${by} · ${describePhase(runner, tip)} · ${peers()} · ${rate()}`,
    );
    const state = node.resultState();
    if (state && !state.result) {
      const line = state.sealed
        ? `${clock()}  final: sealed by the talliers; awaiting the factor of ${state.awaiting.length} tallier(s): ${state.awaiting.map((pk) => short(pk.toString(16))).join(', ')}`
        : `${clock()}  final height reached: the talliers are agreeing on the final block before anyone decrypts`;
      if (line.slice(10) !== awaitingShown) print(line);
      awaitingShown = line.slice(10);
    }
  });
  node.on('sealed', (seal) => {
    const awaiting = node.resultState()?.awaiting ?? [];
    print(
      `${clock()}  sealed: ${seal.acceptances.length === (node.resultState()?.final.talliers.length ?? 0) ? 'every tallier' : `${seal.acceptances.length} talliers (the seal quorum)`} accepted block #${seal.final.height} ${short(seal.final.hash)} (round ${seal.round}); ` +
        `no later branch can change this result${awaiting.length ? `; awaiting the factor of ${awaiting.length} tallier(s): ${awaiting.map((pk) => short(pk.toString(16))).join(', ')}` : ''}`,
    );
  });
  node.on('result', (state) => print(formatResult(state, node.genesis)));
  node.on('warning', (message) => print(`${clock()}  warning: ${message}`));
}
