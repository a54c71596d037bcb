// Syncing an election whose blocks are large (three questions of five options: ~70 KB a ballot),
// between two real runners over HTTP on 127.0.0.1. A chain page stops at CHAIN_PAGE_BYTES, so it
// holds fewer blocks than a yes/no election's 25; an honest peer serving such pages must not be
// taken for one that cuts its pages short (a reviewer's finding: it was, and catching up crawled).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { encodeBlock } from '../chain/block';
import { Chain } from '../chain/chain';
import { ballotRules } from '../chain/genesis';
import { extend, keyPayload, Talliers, testGenesis } from '../chain/testing';
import { encryptAnswers } from '../crypto/choices';
import { ElectionNode } from '../node/election-node';
import { CHAIN_PAGE_BYTES, createPeerApi, listenPeerApi } from './api';
import { PeerClient } from './client';
import { minPageBlocks, Network } from './network';
import { PeerBook } from './peer-book';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-large-blocks-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const question = (text: string) => ({
  text,
  options: ['A', 'B', 'C', 'D', 'E'],
  min: 1,
  max: 2,
  blank: false,
});

test('pages of fewer than 25 large blocks are honest: a runner catches up through them, and the peer stays in good standing', async () => {
  const genesis = testGenesis({
    nTalliers: 1,
    nTalliersBlocks: 1,
    nVoteBlocks: 40,
    questions: [question('First?'), question('Second?'), question('Third?')],
  });
  const fewest = minPageBlocks(genesis.sizes.blockBytes);
  assert.ok(fewest < 25, `${fewest} blocks of ${genesis.sizes.blockBytes} bytes fit a page`);
  assert.equal(minPageBlocks(testGenesis().sizes.blockBytes), 25, 'a yes/no election keeps 25');

  // The serving runner holds a key block and 30 ballot blocks: more than one page's worth.
  const chain = new Chain(genesis);
  let tip = extend(chain, chain.genesisMeta, keyPayload(new Talliers(genesis, 1).keys[0]!));
  const h = chain.electionOf(tip).key;
  const rules = ballotRules(genesis)!;
  const blocks = [tip];
  for (let i = 0; i < 30; i++) {
    tip = extend(chain, tip, {
      kind: 'ballot',
      ballot: encryptAnswers(genesis.group, genesis.id, h, rules, [
        [i % 5],
        [(i + 1) % 5],
        [i % 5, (i + 2) % 5].sort(),
      ]),
    });
    blocks.push(tip);
  }
  const server = await ElectionNode.create(path.join(tmp, 'server'), genesis, {
    name: 's',
    mining: false,
    threads: 1,
  });
  const follower = await ElectionNode.create(path.join(tmp, 'follower'), genesis, {
    name: 'f',
    mining: false,
    threads: 1,
  });
  const api = await listenPeerApi(createPeerApi({ node: server, peers: new PeerBook() }), {
    port: 0,
    host: '127.0.0.1',
  });
  const peers = new PeerBook({ baseDelayMs: 60_000 });
  const address = `127.0.0.1:${api.port}`;
  peers.add(address, 'cli');
  const logged: string[] = [];
  const gossip = new Network({
    node: follower,
    client: new PeerClient({ timeoutMs: 10_000 }),
    peers,
    log: (m) => logged.push(m),
  });
  try {
    for (const meta of blocks) await server.submitBlock(encodeBlock(genesis.group, meta.block!), 'sync');
    assert.equal(server.chain.tip.height, 31);
    // One page holds fewer than 31 of these blocks: the sync takes several.
    assert.ok(31 * genesis.sizes.ballotBytes > CHAIN_PAGE_BYTES);
    await gossip.syncWith(address);
    assert.equal(follower.chain.tip.hash, server.chain.tip.hash, logged.join('\n'));
    assert.ok(!logged.some((m) => /cut short/.test(m)), logged.join('\n'));
    assert.notEqual(peers.snapshot().find((p) => p.address === address)?.reachable, false);
  } finally {
    await gossip.close();
    await api.close();
    await server.close();
    await follower.close();
  }
});
