// Network benchmarks: the demo's election with four runner processes (wall clock, from the first
// start to all four holding the result), and block propagation between four runners on loopback
// (from the 'block' event of the miner to that of the last runner to accept it).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_TARGET } from '../main/chain/pow/target';
import { testGenesis } from '../main/chain/testing';
import { freePort, LocalCluster } from '../main/cli/cluster';
import { DEMO_RUNNERS, demoElectionArgs } from '../main/cli/demo';
import { Runner } from '../main/net/runner';
import { ElectionNode } from '../main/node/election-node';
import { percentile, type Suite } from './harness';

export const networkSuite: Suite = {
  name: 'network',
  async run(report) {
    const root = mkdtempSync(path.join(os.tmpdir(), 'oe-bench-net-'));
    try {
      const cluster = await LocalCluster.create(path.join(root, 'demo'), DEMO_RUNNERS);
      const names = DEMO_RUNNERS.map((r) => r.name);
      const start = performance.now();
      try {
        cluster.start(names[0]!, 'new', demoElectionArgs());
        await cluster.waitUp(names[0]!);
        for (const n of names.slice(1)) cluster.start(n, 'join');
        await cluster.waitFor(names, (r) => r.result !== null, 300_000);
      } finally {
        await cluster.stopAll();
      }
      const seconds = (performance.now() - start) / 1000;
      report.metric({
        name: 'election_4_runners_s',
        value: seconds,
        unit: 's',
        note: 'the demo election: 4 processes, direct, start to result',
      });

      const { p50, p95, blocks } = await propagation(path.join(root, 'propagation'));
      report.metric({
        name: 'block_propagation_ms_p50',
        value: p50,
        unit: 'ms',
        note: `mined → accepted by the last of 4 runners (${blocks} blocks)`,
      });
      report.metric({
        name: 'block_propagation_ms_p95',
        value: p95,
        unit: 'ms',
        note: 'same, 95th percentile',
      });
      report.line(
        'propagation is measured with four runners in one process (one clock), real HTTP on 127.0.0.1',
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

async function propagation(root: string): Promise<{ p50: number; p95: number; blocks: number }> {
  const genesis = testGenesis({
    title: 'Propagation',
    nTalliers: 2,
    nTalliersBlocks: 4,
    nVoteBlocks: 40,
    confirmations: 1,
    target: MAX_TARGET >> 21n,
    createdAt: Math.floor(Date.now() / 1000) - 60,
  });
  const names = ['a', 'b', 'c', 'd'];
  const nodes = await Promise.all(
    names.map((n, i) =>
      ElectionNode.create(path.join(root, n), genesis, {
        name: n,
        vote: (i % 2) as 0 | 1,
        mining: false,
        threads: 1,
      }),
    ),
  );
  const ports = await Promise.all(names.map(() => freePort()));
  const seen = new Map<string, { mined: number; accepted: number[] }>();
  for (const node of nodes) {
    node.on('block', (meta, source) => {
      const entry = seen.get(meta.hash) ?? { mined: Number.NaN, accepted: [] };
      if (source === 'self') entry.mined = performance.now();
      else entry.accepted.push(performance.now());
      seen.set(meta.hash, entry);
    });
  }
  const runners = await Promise.all(
    nodes.map((node, i) =>
      Runner.start(node, {
        direct: true,
        port: ports[i]!,
        peers: ports.filter((_, j) => j !== i).map((p) => `127.0.0.1:${p}`),
      }),
    ),
  );
  try {
    for (const node of nodes) node.startMining();
    const deadline = Date.now() + 180_000;
    while (nodes.some((n) => n.chain.tip.height < n.chain.finalHeight) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
  const delays = [...seen.values()]
    .filter((e) => Number.isFinite(e.mined) && e.accepted.length === names.length - 1)
    .map((e) => Math.max(...e.accepted) - e.mined);
  return { p50: percentile(delays, 50), p95: percentile(delays, 95), blocks: delays.length };
}
