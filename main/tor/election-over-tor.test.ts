// The end-to-end test over Tor: three runners, each starting its own tor on a private Tor network
// (127.0.0.1 only), publish onion services, find each other by .onion address alone, and run an
// election to its result; one is restarted and keeps its address. Skipped, saying so, without tor.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { LocalCluster, type RunnerSpec } from '../cli/cluster';
import { ElectionNode } from '../node/election-node';
import { verifyRecord } from '../verify/verify';
import { findInstalled } from './find-tor';
import { startTestnet } from './testnet';

const tor = findInstalled('tor');
const root = mkdtempSync(path.join(os.tmpdir(), 'oe-tor-election-'));
after(() => rmSync(root, { recursive: true, force: true }));

const SPECS: RunnerSpec[] = [
  { name: 'a', vote: 'yes', peers: [] },
  { name: 'b', vote: 'no', peers: ['a'] },
  { name: 'c', vote: 'yes', peers: ['a'] },
];

describe('an election over onion services', () => {
  if (!tor) console.log('election over Tor: skipped, tor is not installed (apt-get install tor)');

  test('three runners on a private Tor network elect, agree, verify, and a restart keeps its .onion', {
    skip: !tor,
    timeout: 600_000,
  }, async () => {
    const testnet = await startTestnet({ relays: 1 });
    let cluster: LocalCluster | undefined;
    try {
      await testnet.waitForConsensus(180_000);
      const torrc = path.join(root, 'testnet.torrc');
      writeFileSync(torrc, `${testnet.clientTorrcLines.join('\n')}\n`);
      cluster = await LocalCluster.create(path.join(root, 'runners'), SPECS, { torrcExtra: torrc });
      const params = [
        '--title',
        'Over Tor',
        '--talliers',
        '2',
        '--key-blocks',
        '3',
        '--vote-blocks',
        '6',
        '--confirmations',
        '1',
        '--difficulty',
        '2^19',
      ];
      cluster.start('a', 'new', params);
      const onionA = await cluster.waitOnion('a');
      assert.match(onionA, /^[a-z2-7]{56}\.onion$/);
      for (const n of ['b', 'c']) cluster.start(n, 'join');
      const onions = await Promise.all(['b', 'c'].map((n) => cluster!.waitOnion(n)));
      assert.equal(new Set([onionA, ...onions]).size, 3);

      const names = SPECS.map((s) => s.name);
      const results = await cluster.waitFor(names, (r) => r.result !== null, 420_000);
      const [first, ...rest] = [...results.values()];
      for (const r of rest) assert.deepEqual([r.best, r.result], [first!.best, first!.result]);
      assert.equal(first!.result!.total, 6);

      // Restart b: same .onion address, and it rejoins (catches up to the final height).
      await cluster.stop('b');
      cluster.member('b').onion = undefined;
      cluster.start('b', 'start');
      assert.equal(await cluster.waitOnion('b'), onions[0]);
      await cluster.waitFor(['b'], (r) => r.result !== null && r.best === first!.best, 240_000);

      await cluster.stop('c');
      const node = await ElectionNode.open(cluster.member('c').dir, {});
      const record = node.exportRecord();
      await node.close();
      const outcome = await verifyRecord(record, { workers: 1 });
      assert.equal(outcome.status, 'verified');
    } finally {
      await cluster?.stopAll();
      await testnet.stop();
    }
  });
});
