// When an onion peer that answered before falls silent, the network asks for fresh Tor circuits
// (the runner wires this to NEWNYM). Driven through a real PeerClient whose SOCKS proxy is a real
// TCP server on 127.0.0.1 that accepts connections and never answers: what a dead circuit looks like.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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
