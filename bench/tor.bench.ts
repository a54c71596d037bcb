// Tor benchmarks on a private Tor network on 127.0.0.1 (main/tor/testnet.ts): how long until an
// onion service answers, warm onion round trips, an election of three runners each with its own
// tor, and block propagation over onion services. Skipped, saying so, where tor is not installed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testGenesis } from '../main/chain/testing';
import { LocalCluster, type RunnerSpec } from '../main/cli/cluster';
import { PeerClient } from '../main/net/client';
import { Runner } from '../main/net/runner';
import { ElectionNode } from '../main/node/election-node';
import { findInstalled } from '../main/tor/find-tor';
import { TorManager } from '../main/tor/manager';
import { startTestnet } from '../main/tor/testnet';
import { percentile, type Suite } from './harness';
import { measurePropagation } from './propagation';

export const torSuite: Suite = {
  name: 'tor',
  async run(report) {
    if (!findInstalled('tor') || !findInstalled('tor-gencert')) {
      report.line('skipped: tor is not installed (apt-get install -y tor)');
      return;
    }
    const root = mkdtempSync(path.join(os.tmpdir(), 'oe-bench-tor-'));
    const start = performance.now();
    const testnet = await startTestnet({ relays: 1 });
    try {
      await testnet.waitForConsensus(180_000);
      // One runner serves its peer API as an onion service; a second tor fetches it.
      const node = await ElectionNode.create(path.join(root, 'server'), testGenesis(), {
        name: 's',
        mining: false,
        threads: 1,
      });
      const serverTor = await TorManager.start({
        dataDir: node.dataDir.path,
        extraTorrcLines: testnet.clientTorrcLines,
      });
      const clientTor = await TorManager.start({
        dataDir: path.join(root, 'client'),
        extraTorrcLines: testnet.clientTorrcLines,
      });
      await Promise.all([serverTor.waitForBootstrap(), clientTor.waitForBootstrap()]);
      const runner = await Runner.start(node, { tor: serverTor });
      const client = new PeerClient({ proxy: clientTor.socksUrl, timeoutMs: 30_000 });
      for (let tries = 0; ; tries++) {
        try {
          await client.status(runner.self!);
          break;
        } catch (error) {
          if (tries > 180) throw error;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      report.metric({
        name: 'tor_bootstrap_s',
        value: (performance.now() - start) / 1000,
        unit: 's',
        note: 'private network start → first onion fetch',
      });
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t = performance.now();
        await client.status(runner.self!);
        times.push(performance.now() - t);
      }
      report.metric({
        name: 'onion_fetch_ms_p50',
        value: percentile(times, 50),
        unit: 'ms',
        note: 'GET /v1/status of an onion service, warm (30 fetches)',
      });
      report.metric({
        name: 'onion_fetch_ms_p95',
        value: percentile(times, 95),
        unit: 'ms',
        note: 'same, 95th percentile',
      });
      client.close();
      await runner.close();
      await clientTor.stop();

      const torrc = path.join(root, 'testnet.torrc');
      writeFileSync(torrc, `${testnet.clientTorrcLines.join('\n')}\n`);
      const specs: RunnerSpec[] = [
        { name: 'a', vote: 'yes', peers: [] },
        { name: 'b', vote: 'no', peers: ['a'] },
        { name: 'c', vote: 'yes', peers: ['a'] },
      ];
      const cluster = await LocalCluster.create(path.join(root, 'election'), specs, { torrcExtra: torrc });
      const electionStart = performance.now();
      try {
        cluster.start('a', 'new', [
          '--talliers',
          '2',
          '--key-blocks',
          '4',
          '--vote-blocks',
          '12',
          '--confirmations',
          '1',
          '--difficulty',
          '2^21',
        ]);
        await cluster.waitOnion('a');
        for (const n of ['b', 'c']) cluster.start(n, 'join');
        await cluster.waitFor(['a', 'b', 'c'], (r) => r.result !== null, 600_000);
      } finally {
        await cluster.stopAll();
      }
      report.metric({
        name: 'election_3_runners_tor_s',
        value: (performance.now() - electionStart) / 1000,
        unit: 's',
        note: '3 processes, each its own tor: start to result',
      });

      const { p50, p95, blocks } = await measurePropagation(path.join(root, 'propagation'), {
        runners: 3,
        voteBlocks: 24,
        difficultyBits: 22,
        torrcLines: testnet.clientTorrcLines,
      });
      report.metric({
        name: 'block_propagation_tor_ms_p50',
        value: p50,
        unit: 'ms',
        note: `mined → accepted by the last of 3 runners over onion services (${blocks} blocks)`,
      });
      report.metric({
        name: 'block_propagation_tor_ms_p95',
        value: p95,
        unit: 'ms',
        note: 'same, 95th percentile',
      });
    } finally {
      await testnet.stop();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
