// Block propagation between runners in one process (one clock), over real HTTP: from the 'block'
// event of the runner that mined a block to that of the last runner to accept it. Direct on
// loopback, or over onion services when `torrcLines` (a private Tor network) is given.
import path from 'node:path';
import { MAX_TARGET } from '../main/chain/pow/target';
import { testGenesis } from '../main/chain/testing';
import { freePort } from '../main/cli/cluster';
import { Runner } from '../main/net/runner';
import { ElectionNode } from '../main/node/election-node';
import { TorManager } from '../main/tor/manager';
import { percentile } from './harness';

export interface PropagationOptions {
  readonly runners: number;
  readonly voteBlocks: number;
  /** log2 of the expected hashes per block. */
  readonly difficultyBits: number;
  readonly torrcLines?: readonly string[];
}

export async function measurePropagation(root: string, options: PropagationOptions) {
  const genesis = testGenesis({
    title: 'Propagation',
    nTalliers: 2,
    nTalliersBlocks: 4,
    nVoteBlocks: options.voteBlocks,
    confirmations: 1,
    target: MAX_TARGET >> BigInt(options.difficultyBits),
    createdAt: Math.floor(Date.now() / 1000) - 60,
  });
  const names = Array.from({ length: options.runners }, (_, i) => `r${i}`);
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
  const seen = new Map<string, { mined: number; accepted: number[] }>();
  for (const node of nodes) {
    node.on('block', (meta, source) => {
      const entry = seen.get(meta.hash) ?? { mined: Number.NaN, accepted: [] };
      if (source === 'self') entry.mined = performance.now();
      else entry.accepted.push(performance.now());
      seen.set(meta.hash, entry);
    });
  }
  // Started one after another: each is given the addresses of those before it (peer exchange
  // spreads the rest), as people would paste their friends' addresses.
  const runners: Runner[] = [];
  try {
    for (const node of nodes) {
      const known = runners.map((r) => r.self!);
      const tor = options.torrcLines
        ? await TorManager.start({ dataDir: node.dataDir.path, extraTorrcLines: options.torrcLines })
        : undefined;
      if (tor) await tor.waitForBootstrap();
      runners.push(
        await Runner.start(node, {
          peers: known,
          ...(tor ? { tor } : { direct: true, port: await freePort() }),
          syncIntervalMs: 2000,
        }),
      );
    }
    for (const node of nodes) node.startMining();
    const deadline = Date.now() + 300_000;
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
