// The status and result of a node as the peer API reports them (GET /v1/status, GET /v1/result),
// also used by `onion-election status` when it reads a data folder directly.
import { hasQuestions } from '../chain/genesis';
import { toHex } from '../crypto/bigint';
import { encodeCiphertext, encodeResult } from '../crypto/codec';
import type { ElectionNode } from '../node/election-node';
import { API_VERSION, type ResultResponse, type StatusResponse } from './messages';

export function statusOf(node: ElectionNode): StatusResponse {
  const { tip, phase } = node.chain.state();
  return {
    version: API_VERSION,
    election_id: node.genesis.idHex,
    height: tip.height,
    best: tip.hash,
    work: toHex(tip.work, 64),
    phase,
    ...(node.settings.anonymous || !node.settings.name ? {} : { name: node.settings.name }),
  };
}

export function resultOf(node: ElectionNode): ResultResponse {
  const state = node.chain.state();
  const final = node.resultState();
  const seal = node.seal();
  const hex = (x: bigint) => toHex(x, node.genesis.group.byteWidth * 2);
  return {
    final: state.final,
    height: state.tip.height,
    best: state.tip.hash,
    ballots: state.ballots,
    tally:
      final && !hasQuestions(node.genesis)
        ? encodeCiphertext(node.genesis.group, final.final.tallies[0]!)
        : null,
    ...(final && hasQuestions(node.genesis)
      ? { tallies: final.final.tallies.map((t) => encodeCiphertext(node.genesis.group, t)) }
      : {}),
    talliers: state.keyElection.talliers.map((k) => hex(k.pk)),
    ...(state.qualified ? { qualified: state.qualified.map(hex), quorum: state.quorum! } : {}),
    awaiting: (final?.awaiting ?? []).map(hex),
    result: final?.result ? encodeResult(final.result) : null,
    sealed: seal ? { final: seal.final.hash, round: seal.round } : null,
    late_branches: node.chain.lateBranches().map((b) => ({
      fork_height: b.forkHeight,
      height: b.height,
      tip: b.tip,
      blocks: b.blocks,
    })),
  };
}
