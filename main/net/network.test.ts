// When an onion peer that answered before falls silent, the network asks for fresh Tor circuits
// (the runner wires this to NEWNYM). Driven through a real PeerClient whose SOCKS proxy is a real
// TCP server on 127.0.0.1 that accepts connections and never answers: what a dead circuit looks like.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { testGenesis } from '../chain/testing';
import { ElectionNode } from '../node/election-node';
import { onionAddressFromPublicKey } from './address';
import { PeerClient } from './client';
import { Network } from './network';
import { PeerBook } from './peer-book';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-network-'));
const onion = onionAddressFromPublicKey(new Uint8Array(32).fill(7));
let node: ElectionNode;
let silentProxy: net.Server;
const sockets = new Set<net.Socket>();

before(async () => {
  node = await ElectionNode.create(tmp, testGenesis(), { name: 't', mining: false, threads: 1 });
  silentProxy = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silentProxy.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silentProxy.close(resolve));
  await node.close();
  rmSync(tmp, { recursive: true, force: true });
});

function network(onOnionPeerSilent: (peer: string) => void) {
  const { port } = silentProxy.address() as net.AddressInfo;
  const peers = new PeerBook({ baseDelayMs: 1 });
  peers.add(onion, 'cli');
  const client = new PeerClient({ proxy: `socks5h://127.0.0.1:${port}`, timeoutMs: 300 });
  return { peers, net: new Network({ node, client, peers, onOnionPeerSilent }) };
}

test('a silent onion peer that answered before asks for fresh circuits', async () => {
  const silent: string[] = [];
  const { peers, net: gossip } = network((peer) => silent.push(peer));
  peers.markSuccess(onion);
  await gossip.syncWith(onion);
  assert.deepEqual(silent, [onion]);
  assert.equal(peers.snapshot()[0]?.reachable, false);
  await gossip.close();
});

test('a peer never reached does not (tor is still looking for it)', async () => {
  const silent: string[] = [];
  const { net: gossip } = network((peer) => silent.push(peer));
  await gossip.syncWith(onion);
  assert.deepEqual(silent, []);
  await gossip.close();
});

test('a peer whose acceptance names a block it will not serve: the sync ends, the next peers are synced, close() returns', async () => {
  // A node at the final height, unsealed: the talliers are keys it does not hold.
  const { Chain } = await import('../chain/chain');
  const { ballotPayload, confirmation, extend, keyPayload, Talliers } = await import('../chain/testing');
  const { encodeBlock } = await import('../chain/block');
  const { encodeAcceptance } = await import('../crypto/codec');
  const genesis = testGenesis({ title: 'Hostile acceptance', nTalliers: 1 });
  const talliers = new Talliers(genesis, 1);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oe-network-final-'));
  const final = await ElectionNode.create(dir, genesis, { name: 'f', mining: false, threads: 1 });
  const chain = new Chain(genesis);
  let tip = chain.genesisMeta;
  while (tip.height < chain.finalHeight) {
    const h = tip.height + 1;
    const payload =
      h <= genesis.nTalliersBlocks
        ? keyPayload(talliers.keys[0]!)
        : h <= genesis.nTalliersBlocks + genesis.nVoteBlocks
          ? ballotPayload(chain, tip, 1)
          : confirmation;
    tip = extend(chain, tip, payload);
  }
  for (const m of chain.branch()) await final.submitBlock(encodeBlock(genesis.group, m.block!), 'sync');
  assert.equal(final.chain.tip.height, final.chain.finalHeight);
  assert.equal(final.seal(), undefined);

  // The hostile peer: its status matches, its acceptance names a made-up block, which it never serves.
  const madeUp = talliers.secrets[0]!.accept(genesis.id, 'ab'.repeat(32), 1);
  const requests: string[] = [];
  const hostile = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/v1/status')
      return json(200, {
        version: 'onion-election/2',
        election_id: genesis.idHex,
        height: tip.height,
        best: tip.hash,
        work: tip.work.toString(16).padStart(64, '0'),
        phase: 'final',
      });
    if (req.url === '/v1/acceptances')
      return json(200, { acceptances: [encodeAcceptance(genesis.group, madeUp)] });
    if (req.url === '/v1/factors') return json(200, { factors: [] });
    json(404, { error: 'unknown block' });
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(hostile.address() as net.AddressInfo).port}`;
  const peers = new PeerBook({ baseDelayMs: 1 });
  peers.add(address, 'cli');
  const gossip = new Network({ node: final, client: new PeerClient({ timeoutMs: 2000 }), peers });
  const within = <T>(ms: number, p: Promise<T>, what: string) =>
    Promise.race([
      p,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} hung`)), ms)),
    ]);
  try {
    await within(5000, gossip.syncWith(address), 'the sync');
    assert.ok(requests.includes(`/v1/blocks/${'ab'.repeat(32)}`), 'the named block was asked for, once');
    assert.equal(requests.filter((r) => r.startsWith('/v1/blocks/')).length, 1);
    await within(5000, gossip.syncWith(address), 'a second sync');
  } finally {
    await within(5000, gossip.close(), 'close()');
    hostile.close();
    await final.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
