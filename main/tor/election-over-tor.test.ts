// The end-to-end test over Tor: three runners, each starting its own tor on a private Tor network
// (127.0.0.1 only), publish onion services, find each other by .onion address alone, and run an
// election to its result; one is restarted and keeps its address. Then the engine as the apps run
// it: its tor killed mid-run, and retry brings it back at the same address. Runner c reaches the
// network only through the network's obfs4 bridge (--bridge: UseBridges 1, obfs4proxy), when
// obfs4proxy is installed. Skipped without tor.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DashboardState } from '../api/contract';
import { Engine } from '../app/engine';
import { LocalCluster, type RunnerSpec } from '../cli/cluster';
import { ElectionNode } from '../node/election-node';
import { verifyRecord } from '../verify/verify';
import { findInstalled } from './find-tor';
import { startTestnet, type Testnet } from './testnet';
import { connectionTorrcLines } from './torrc';

const tor = findInstalled('tor');
const obfs4 = findInstalled('obfs4proxy') ?? findInstalled('lyrebird');
const root = mkdtempSync(path.join(os.tmpdir(), 'oe-tor-election-'));
after(() => rmSync(root, { recursive: true, force: true }));

const SPECS: RunnerSpec[] = [
  { name: 'a', vote: 'yes', peers: [] },
  { name: 'b', vote: 'no', peers: ['a'] },
  { name: 'c', vote: 'yes', peers: ['a'] },
];

describe('an election over onion services', { concurrency: false }, () => {
  if (!tor) console.log('election over Tor: skipped, tor is not installed (apt-get install tor)');
  /** One private Tor network for both tests: it takes ~30 s to come up on 2 cores. */
  let testnet: Testnet | undefined;
  before(async () => {
    if (!tor) return;
    if (!obfs4)
      console.log(
        'election over Tor: no obfs4proxy, so no runner through a bridge (apt-get install obfs4proxy)',
      );
    testnet = await startTestnet({ relays: 1, bridge: obfs4 !== undefined });
    await testnet.waitForConsensus(180_000);
  });
  after(async () => {
    await testnet?.stop();
  });

  test('three runners on a private Tor network (one through an obfs4 bridge) elect, agree, verify, and a restart keeps its .onion', {
    skip: !tor,
    timeout: 600_000,
  }, async () => {
    let cluster: LocalCluster | undefined;
    try {
      const torrc = path.join(root, 'testnet.torrc');
      writeFileSync(torrc, `${testnet!.clientTorrcLines.join('\n')}\n`);
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
      cluster.start('b', 'join');
      // c: only the bridge line (saved as its connection settings, like the app's Connection settings).
      const bridge = obfs4 ? await testnet!.bridgeLine() : undefined;
      cluster.start('c', 'join', bridge ? ['--bridge', bridge] : []);
      const onions = await Promise.all(['b', 'c'].map((n) => cluster!.waitOnion(n)));
      assert.equal(new Set([onionA, ...onions]).size, 3);
      if (bridge) await assertOnlyThroughBridge(cluster.member('c').dir, bridge, testnet!);

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
    }
  });

  test('the engine: its tor dies while running; retry brings the runner back at the same .onion', {
    skip: !tor,
    timeout: 300_000,
  }, async () => {
    const dataDir = path.join(root, 'engine');
    const engine = await Engine.open({
      dataDir,
      version: '0.0.0-test',
      tor: { mode: 'managed', extraTorrcLines: testnet!.clientTorrcLines },
      defaults: { threads: 1, mining: false },
    });
    const until = async (done: (s: DashboardState) => boolean, what: string) => {
      const deadline = Date.now() + 240_000;
      while (!done(engine.snapshot().state)) {
        const { stage, tor, error } = engine.snapshot().state;
        assert.ok(
          Date.now() < deadline,
          `${what}: stage ${stage}, tor ${tor.stage} ${tor.error ?? ''} ${error ?? ''}`,
        );
        await new Promise((r) => setTimeout(r, 200));
      }
      return engine.snapshot().state;
    };
    try {
      // Its own tor bootstraps during the first run, before any election exists.
      await until((s) => s.tor.stage === 'ready', 'tor bootstrapped in setup');
      assert.equal(engine.snapshot().state.stage, 'setup');
      await engine.call('createElection', [
        {
          title: 'Tor restart',
          question: 'Still there?',
          nTalliers: 1,
          nTalliersBlocks: 2,
          nVoteBlocks: 2,
          confirmations: 0,
          difficulty: 1,
          name: 'phoenix',
          vote: 'yes',
        },
      ]);
      // A lobby first, published as the runner's onion service; the start hands it to the runner.
      const lobby = await until((s) => s.stage === 'lobby', 'lobby');
      assert.match(lobby.lobby?.invitation ?? '', /^onion-election:\/\/join\/[a-z2-7]{56}\.onion$/);
      await engine.call('startElection', []);
      const running = await until((s) => s.stage === 'running', 'running');
      assert.match(running.self ?? '', /^[a-z2-7]{56}\.onion$/);
      assert.equal(
        lobby.lobby?.invitation,
        `onion-election://join/${running.self}`,
        'the lobby’s address is kept',
      );
      assert.equal(running.tor.stage, 'ready');

      const tors = () =>
        execFileSync('pgrep', ['-f', dataDir], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
      const [pid] = tors();
      assert.ok(pid, 'its tor process');
      process.kill(pid, 'SIGKILL');
      const failed = await until((s) => s.tor.stage === 'error', 'tor error shown');
      assert.equal(failed.stage, 'running', 'the election state stays on screen');

      await engine.call('retry', []);
      const back = await until(
        (s) => s.stage === 'running' && s.tor.stage === 'ready' && tors()[0] !== pid,
        'back',
      );
      assert.equal(back.self, running.self, 'the same .onion address');
      assert.equal(back.election?.id, running.election?.id);
    } finally {
      await engine.close();
    }
  });
});

/**
 * The runner's tor uses the bridge and nothing else: its torrc has the bridge and the obfs4
 * transport, and (ss) neither tor nor its obfs4proxy holds a connection to any ORPort or DirPort of
 * the network but the bridge's obfs4 port: what "through a bridge" means.
 */
async function assertOnlyThroughBridge(dataDir: string, bridge: string, testnet: Testnet): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const torrc = readFileSync(path.join(dataDir, 'tor', 'torrc'), 'utf8');
  const expected = connectionTorrcLines({ tor: 'managed', bridges: 'custom', customBridges: [bridge] });
  for (const line of expected) assert.ok(torrc.includes(`\n${line}\n`), `torrc has ${line}`);
  const pids = execFileSync('pgrep', ['-f', dataDir], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const children = pids.flatMap((pid) => {
    try {
      return execFileSync('pgrep', ['-P', pid], { encoding: 'utf8' }).split('\n').filter(Boolean);
    } catch {
      return [];
    }
  });
  const ours = new Set([...pids, ...children]);
  const bridgeNode = testnet.nodes.find((n) => n.role === 'bridge')!;
  const forbidden = new Set(
    testnet.nodes.flatMap((n) => [n.orPort, ...(n.dirPort ? [n.dirPort] : [])]).map(String),
  );
  const peers = execFileSync('ss', ['-Htnp', 'state', 'established'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => [...l.matchAll(/pid=(\d+)/g)].some((m) => ours.has(m[1]!)))
    .map((l) => l.trim().split(/\s+/)[3]!);
  assert.ok(
    peers.some((p) => p === `127.0.0.1:${bridgeNode.obfs4Port}`),
    `a connection to the bridge's obfs4 port: ${peers.join(' ')}`,
  );
  const direct = peers.filter((p) => forbidden.has(p.split(':').pop()!));
  assert.deepEqual(direct, [], 'no connection to a relay or an authority but through the bridge');
}
