// Every wait names who it waits for (issue 14): a runner announces its display name in its status,
// and a tallier's runner is known by the name its key blocks carry. Real: dave's runner (the only
// tallier, which keeps its decryption factor) and alice's engine, as a dashboard drives it, over
// HTTP on 127.0.0.1; then dave's runner stops, as when it was killed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { DashboardState } from '../api/contract';
import { testGenesis } from '../chain/testing';
import { Runner } from '../net/runner';
import { ElectionNode } from '../node/election-node';
import { Engine } from './engine';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-named-waits-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function until(
  engine: Engine,
  done: (s: DashboardState) => boolean,
  what: string,
): Promise<DashboardState> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { state } = engine.snapshot();
    if (done(state)) return state;
    if (Date.now() > deadline) throw new Error(`${what}: not within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('named waits', () => {
  test('the missing tallier is named, and its runner shows offline once it stops', async () => {
    const genesis = testGenesis({
      title: 'Named waits',
      nTalliers: 1,
      nTalliersBlocks: 2,
      nVoteBlocks: 2,
      createdAt: Math.floor(Date.now() / 1000) - 60,
    });
    const dave = await Runner.start(
      await ElectionNode.create(path.join(tmp, 'dave'), genesis, {
        name: 'dave',
        mining: true,
        threads: 1,
        vote: 1,
        publishFactor: false,
      }),
      { direct: true, syncIntervalMs: 300 },
    );
    const alice = await Engine.open({
      dataDir: path.join(tmp, 'alice'),
      version: '0.0.0-test',
      tor: { mode: 'off' },
      defaults: { threads: 1, mining: false },
      syncIntervalMs: 300,
    });
    try {
      alice.call('joinElection', [
        { peer: dave.self!, electionId: genesis.idHex, name: 'alice', vote: 'no' },
      ]);
      const waiting = await until(
        alice,
        (s) => s.result?.seal !== undefined && s.peers.some((p) => p.name === 'dave' && p.reachable),
        'alice sees the seal, and dave online',
      );
      assert.deepEqual(
        waiting.result!.talliers.map((t) => [t.name, t.factor, t.mine]),
        [['dave', 'awaiting', false]],
        'the one tallier is dave, whose factor is awaited',
      );
      assert.equal(waiting.result!.result, undefined);

      await dave.close();
      const offline = await until(
        alice,
        (s) => s.peers.some((p) => p.name === 'dave' && p.reachable === false),
        'dave shown offline',
      );
      const peer = offline.peers.find((p) => p.name === 'dave')!;
      assert.equal(peer.address, dave.self);
      assert.ok(peer.lastSeen && peer.lastSeen <= Date.now(), 'when dave was last seen');
      assert.equal(offline.result!.talliers[0]!.name, 'dave');
    } finally {
      await alice.close();
      await dave.close();
    }
  });
});
