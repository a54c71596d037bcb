// The gossip overlay (issue 12): runners in one process over real HTTP on 127.0.0.1, each joining
// through one seed peer, fed pre-mined blocks. Each block body crosses each link at most once, a
// runner gossips with a bounded number of peers, and the overlay still carries every block when a
// third of the runners leave.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { MAX_INBOUND, MAX_OUTBOUND } from './network';
import { releaseBlocks, startScaleNetwork, waitForOverlay } from './scale-testing';

const root = mkdtempSync(path.join(os.tmpdir(), 'oe-overlay-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('the gossip overlay', { concurrency: false }, () => {
  test('12 runners through one seed: every block reaches all, no body arrives twice, degree stays bounded', async () => {
    const net = await startScaleNetwork(path.join(root, 'a'), { runners: 12, blocks: 12, paceMs: 200 });
    try {
      assert.ok(await waitForOverlay(net, MAX_OUTBOUND, 60_000), 'peer exchange spread the addresses');
      const { delays, missing } = await releaseBlocks(net, 200);
      assert.equal(missing, 0);
      assert.equal(delays.length, 12);
      for (const [i, t] of net.traffic.entries())
        for (const [block, copies] of t.bodies)
          assert.equal(copies, 1, `runner ${i} got ${block} ${copies} times`);
      for (const runner of net.runners)
        assert.ok(runner.network.gossipPeers().length <= MAX_OUTBOUND + MAX_INBOUND);
      assert.equal(
        net.traffic.reduce((sum, t) => sum + t.failed, 0),
        0,
        'no request failed',
      );
    } finally {
      await net.close();
    }
  });

  test('when a third of 12 runners leave, the rest still get every block', async () => {
    const net = await startScaleNetwork(path.join(root, 'b'), { runners: 12, blocks: 10, paceMs: 200 });
    try {
      assert.ok(await waitForOverlay(net, MAX_OUTBOUND, 60_000));
      // Runners 1, 4, 7 and 10 leave (the seed stays: it is what everyone joined through).
      const leaving = new Set([1, 4, 7, 10]);
      await Promise.all(net.runners.filter((_, i) => leaving.has(i)).map((r) => r.close()));
      const { missing } = await releaseBlocks(net, 200, 30_000, (i) => !leaving.has(i));
      assert.equal(missing, 0);
    } finally {
      // Closing twice is harmless for those already closed.
      await net.close();
    }
  });
});
