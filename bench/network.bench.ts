// Network benchmarks: the demo's election with four runner processes (wall clock, from the first
// start to all four holding the result), the finality wait inside it (from the last voting block
// to the same sealed result on all four), and block propagation between four runners on loopback
// (from the 'block' event of the miner to that of the last runner to accept it).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalCluster } from '../main/cli/cluster';
import { DEMO_RUNNERS, demoElectionArgs } from '../main/cli/demo';
import type { Suite } from './harness';
import { measurePropagation } from './propagation';

export const networkSuite: Suite = {
  name: 'network',
  async run(report) {
    const root = mkdtempSync(path.join(os.tmpdir(), 'oe-bench-net-'));
    try {
      const cluster = await LocalCluster.create(path.join(root, 'demo'), DEMO_RUNNERS);
      const names = DEMO_RUNNERS.map((r) => r.name);
      const start = performance.now();
      let lastVoteAt: number | undefined;
      let settledAt: number | undefined;
      try {
        cluster.start(names[0]!, 'new', demoElectionArgs());
        await cluster.waitUp(names[0]!);
        for (const n of names.slice(1)) cluster.start(n, 'join');
        // Polled every 50 ms: when the first runner holds the last voting block (4 key blocks + 12
        // ballots), and when all four hold the same sealed result.
        const lastVote = 4 + 12;
        for (const deadline = Date.now() + 300_000; Date.now() < deadline; ) {
          const results = await Promise.all(names.map((n) => cluster.result(n)));
          if (lastVoteAt === undefined && results.some((r) => r && r.height >= lastVote))
            lastVoteAt = performance.now();
          const [first] = results;
          if (
            first?.result &&
            results.every(
              (r) =>
                r?.sealed?.final === first.sealed?.final &&
                JSON.stringify(r?.result) === JSON.stringify(first.result),
            )
          ) {
            settledAt = performance.now();
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        if (settledAt === undefined || lastVoteAt === undefined)
          throw new Error('the demo election did not finish');
      } finally {
        await cluster.stopAll();
      }
      const seconds = ((settledAt ?? performance.now()) - start) / 1000;
      report.metric({
        name: 'election_4_runners_s',
        value: seconds,
        unit: 's',
        note: 'the demo election: 4 processes, direct, start to result',
      });
      report.metric({
        name: 'final_settle_s',
        value: (settledAt - lastVoteAt) / 1000,
        unit: 's',
        note: 'last voting block → the same sealed result on all 4 (1 confirmation, acceptances, factors)',
      });

      const { p50, p95, blocks } = await measurePropagation(path.join(root, 'propagation'), {
        runners: 4,
        voteBlocks: 40,
        difficultyBits: 21,
      });
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
