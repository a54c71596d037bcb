// Fair service under attack (issue 11, item 2): a real runner's peer API (a real ElectionNode,
// default limits) on 127.0.0.1, attacked over real sockets while an honest peer (the real
// PeerClient) asks GET /v1/status twice a second, 30 times. Metric: the share of its requests
// served. Floor: 0.9 for each attack.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testGenesis } from '../main/chain/testing';
import { createPeerApi, listenPeerApi } from '../main/net/api';
import { type Attack, honestPeer, saturate, slowloris } from '../main/net/fairness-testing';
import { PeerBook } from '../main/net/peer-book';
import { DEFAULT_RATE_LIMITS } from '../main/net/rate-limit';
import { ElectionNode } from '../main/node/election-node';
import type { Suite } from './harness';

const ASKS = 30;
const EVERY_MS = 500;
const SLOW_CONNECTIONS = 600;
const SATURATING_CONNECTIONS = 60;

export const fairnessSuite: Suite = {
  name: 'fairness',
  async run(report) {
    const root = mkdtempSync(path.join(os.tmpdir(), 'oe-bench-fair-'));
    const genesis = testGenesis({ nTalliers: 1, nTalliersBlocks: 2, nVoteBlocks: 3, confirmations: 1 });
    const node = await ElectionNode.create(path.join(root, 'node'), genesis, {
      name: 'n',
      mining: false,
      threads: 1,
    });
    const api = await listenPeerApi(createPeerApi({ node, peers: new PeerBook() }), { port: 0 });
    const measure = async (attack: Attack) => {
      try {
        // The attack settles first: every slow socket open, the global bucket drained.
        await new Promise((resolve) => setTimeout(resolve, 2000));
        return await honestPeer(api.port, ASKS, EVERY_MS);
      } finally {
        await attack.stop();
      }
    };
    try {
      const slow = slowloris(api.port, SLOW_CONNECTIONS);
      const a = await measure(slow);
      report.metric({
        name: 'honest_served_share_slowloris',
        value: a.served / a.asked,
        unit: 'share',
        note: `${SLOW_CONNECTIONS} connections sending headers a byte per 500 ms, back 1 s after a close; floor 0.9`,
      });
      report.line(
        `slowloris: honest ${a.served}/${a.asked} served ${JSON.stringify(a.failures)}; ${slow.opened()} slow connections opened`,
      );
      // Let the server see the slow sockets' closes before the next attack.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const perSecond = DEFAULT_RATE_LIMITS.perConnection.perSecond - 1;
      const flood = saturate(api.port, SATURATING_CONNECTIONS, perSecond);
      const b = await measure(flood);
      report.metric({
        name: 'honest_served_share_saturating',
        value: b.served / b.asked,
        unit: 'share',
        note: `${SATURATING_CONNECTIONS} keep-alive connections × ${perSecond} GET/s (per-connection limit 20/s); floor 0.9`,
      });
      report.line(
        `saturating: honest ${b.served}/${b.asked} served ${JSON.stringify(b.failures)}; the attack got ${flood.served()} answers`,
      );
      report.line(`the honest peer: the real PeerClient, GET /v1/status every ${EVERY_MS} ms, ${ASKS} times`);
    } finally {
      await api.close();
      await node.close();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
