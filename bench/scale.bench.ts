// The scale suite (issue 12): N = 8, 16 and 32 runners in one process over real HTTP on
// 127.0.0.1, each joining through one seed peer, fed the same pre-mined blocks at a fixed pace.
// Per N: requests and kilobytes per block per runner, duplicate block bodies per block per runner,
// propagation (release to the last runner holding the block) and failed requests. Goals at N = 32:
// messages ≤ 2 × degree + 2, duplicates ≤ 1, p95 ≤ 3× the N = 8 figure, no failed request.
// One process means one event loop: the N runners' validations of each block (~10 ms each, proofs
// and group membership) run one after another, so propagation here grows with N whatever the
// overlay does; the pace (1 block/s) keeps that thread below saturation at N = 32.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_INBOUND, MAX_OUTBOUND } from '../main/net/network';
import { releaseBlocks, startScaleNetwork, waitForOverlay } from '../main/net/scale-testing';
import { percentile, type Suite } from './harness';

const BLOCKS = 20;
const PACE_MS = 1000;

export const scaleSuite: Suite = {
  name: 'scale',
  async run(report) {
    const degree = MAX_OUTBOUND + MAX_INBOUND;
    const p95s = new Map<number, number>();
    for (const n of [8, 16, 32]) {
      const root = mkdtempSync(path.join(os.tmpdir(), `oe-bench-scale-${n}-`));
      const net = await startScaleNetwork(root, { runners: n, blocks: BLOCKS, paceMs: PACE_MS });
      try {
        // The overlay forms by peer exchange through the seed; measure once it has.
        await waitForOverlay(net, Math.min(MAX_OUTBOUND, n - 1), 60_000);
        await new Promise((r) => setTimeout(r, 3000));
        const before = net.traffic.map((t) => ({ requests: t.requests, bytes: t.bytes, failed: t.failed }));
        for (const t of net.traffic) t.bodies.clear();
        const started = performance.now();
        const figures = await releaseBlocks(net, PACE_MS);
        const seconds = (performance.now() - started) / 1000;
        const per = BLOCKS * n;
        const requests = net.traffic.reduce((sum, t, i) => sum + t.requests - before[i]!.requests, 0);
        const bytes = net.traffic.reduce((sum, t, i) => sum + t.bytes - before[i]!.bytes, 0);
        const failed = net.traffic.reduce((sum, t, i) => sum + t.failed - before[i]!.failed, 0);
        let duplicates = 0;
        for (const t of net.traffic) for (const copies of t.bodies.values()) duplicates += copies - 1;
        const p50 = percentile(figures.delays, 50);
        const p95 = percentile(figures.delays, 95);
        p95s.set(n, p95);
        report.metric({
          name: `scale_${n}_msgs_per_block_per_runner`,
          value: requests / per,
          unit: 'req',
          note: `every request a runner's peer API received while ${BLOCKS} blocks were released over ${seconds.toFixed(0)} s (background syncs included); goal at N = 32: ≤ 2 × degree + 2 = ${2 * degree + 2}`,
        });
        report.metric({ name: `scale_${n}_kb_per_block_per_runner`, value: bytes / 1024 / per, unit: 'KB' });
        report.metric({
          name: `scale_${n}_dup_bodies_per_block_per_runner`,
          value: duplicates / per,
          unit: 'bodies',
          note: 'block bodies received beyond the first copy (goal ≤ 1)',
        });
        report.metric({ name: `scale_${n}_propagation_ms_p50`, value: p50, unit: 'ms' });
        report.metric({
          name: `scale_${n}_propagation_ms_p95`,
          value: p95,
          unit: 'ms',
          note:
            n === 8
              ? 'release to the last runner holding the block'
              : `${(p95 / p95s.get(8)!).toFixed(2)}× the N = 8 figure (goal ≤ 3×)`,
        });
        report.metric({
          name: `scale_${n}_hops_p95`,
          value: percentile(figures.hops, 95),
          unit: 'hops',
          note: 'longest relay path from the releaser to a runner: the network part of the delay',
        });
        report.metric({
          name: `scale_${n}_cpu_ms_per_block_per_runner`,
          value: figures.cpuMsPerBlock / n,
          unit: 'ms',
          note: `${figures.cpuMsPerBlock.toFixed(0)} ms of CPU per block for all ${n} runners, sharing this process's ${os.availableParallelism()} cores: a floor under the propagation figures`,
        });
        report.metric({
          name: `scale_${n}_failed_requests`,
          value: failed,
          unit: 'req',
          note: `answered ≥ 400; ${figures.missing} of ${BLOCKS} blocks did not reach every runner`,
        });
        report.line(
          `scale N=${n}: peer books ${Math.min(...net.runners.map((r) => r.peers.size))}–${Math.max(...net.runners.map((r) => r.peers.size))}, gossip peers ${Math.min(...net.runners.map((r) => r.network.gossipPeers().length))}–${Math.max(...net.runners.map((r) => r.network.gossipPeers().length))}`,
        );
      } finally {
        await net.close();
        rmSync(root, { recursive: true, force: true });
      }
    }
  },
};
