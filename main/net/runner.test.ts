// A runner in this process (direct transport, real HTTP on 127.0.0.1) under a flood of announced
// addresses: it works through them a few per round, and saves only the peers its user gave.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { testGenesis } from '../chain/testing';
import { ElectionNode } from '../node/election-node';
import { PeerClient } from './client';
import { Runner } from './runner';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-runner-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('600 announced addresses: at most 16 tried per round, and only the user-given peer is saved for the next start', async () => {
  const node = await ElectionNode.create(tmp, testGenesis(), { name: 'r', mining: false, threads: 1 });
  const runner = await Runner.start(node, { direct: true, syncIntervalMs: 60_000 });
  try {
    const client = new PeerClient({ timeoutMs: 5000 });
    const self = `127.0.0.1:${runner.port}`;
    // Addresses where nothing listens (127.0.0.0/8 beyond .1, a closed port): each try fails fast.
    const fake = Array.from({ length: 600 }, (_, i) => `127.0.${1 + Math.floor(i / 200)}.${2 + (i % 200)}:9`);
    let added = 0;
    for (const address of fake) {
      try {
        if ((await client.announce(self, address)).status === 'added') added++;
      } catch {
        // 503 once the book is full (128), or 429 under the rate limit: refused, nothing kept.
      }
    }
    assert.ok(added > 16, `${added} announced addresses were taken into the book`);
    assert.equal(
      runner.peers.snapshot().filter((p) => p.reachable !== null).length,
      0,
      'an announcement is not answered by a connection of its own',
    );
    void runner.network.syncNow(); // one round (the next is a minute away)
    await new Promise((r) => setTimeout(r, 1000));
    const tried = runner.peers.snapshot().filter((p) => p.reachable !== null).length;
    assert.ok(tried > 0 && tried <= 16, `${tried} addresses tried in one round`);

    const given = '127.0.0.1:9';
    await runner.addPeer(given);
    const saved = JSON.parse(readFileSync(path.join(tmp, 'settings.json'), 'utf8')).peers;
    assert.deepEqual(saved, [given], 'announced addresses are not saved as peers');
  } finally {
    await runner.close();
  }
});
