// Issue 11, item 2, with a real tor: a managed tor publishes the peer API as a HiddenServiceDir
// service on its Unix socket with HiddenServiceExportCircuitID haproxy; another tor's PeerClient
// reaches it over the private Tor network on 127.0.0.1, and every request arrives with the circuit
// it came over, the streams of one circuit under one ID. About a minute (the network's start).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { testGenesis } from '../chain/testing';
import { createPeerApi, listenPeerApi, type PeerApiServer } from '../net/api';
import { PeerClient } from '../net/client';
import { PeerBook } from '../net/peer-book';
import { circuitOf } from '../net/proxy-protocol';
import { ElectionNode } from '../node/election-node';
import { findInstalled } from './find-tor';
import { TorManager } from './manager';
import { startTestnet, type Testnet } from './testnet';

const missing = ['tor', 'tor-gencert'].filter((p) => findInstalled(p) === undefined);
const skip =
  missing.length > 0
    ? `${missing.join(' and ')} not installed (Debian/Ubuntu: apt-get install -y tor)`
    : process.platform === 'win32'
      ? 'Unix sockets only'
      : false;
if (skip) console.log(`circuit-id.test.ts: skipped: ${skip}`);

describe('circuit IDs from a real tor (issue 11, item 2)', { skip, timeout: 300_000 }, () => {
  test('requests through an onion service arrive with their circuit, one ID for the streams of one circuit', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tor-circuit-'));
    const managers: TorManager[] = [];
    let testnet: Testnet | undefined;
    let node: ElectionNode | undefined;
    let api: PeerApiServer | undefined;
    const client = { current: undefined as PeerClient | undefined };
    try {
      testnet = await startTestnet({ relays: 1 });
      await testnet.waitForConsensus(120_000);
      const start = async (name: string) => {
        const manager = await TorManager.start({
          dataDir: path.join(root, name),
          extraTorrcLines: testnet!.clientTorrcLines,
        });
        managers.push(manager);
        return manager;
      };
      const [a, b] = await Promise.all([start('a'), start('b')]);
      await Promise.all([a.waitForBootstrap({ stallMs: 60_000 }), b.waitForBootstrap({ stallMs: 60_000 })]);

      const genesis = testGenesis({ nTalliers: 1, nTalliersBlocks: 2, nVoteBlocks: 3, confirmations: 1 });
      node = await ElectionNode.create(path.join(root, 'node'), genesis, {
        name: 'a',
        mining: false,
        threads: 1,
      });
      const torSocket = a.circuitSocketPath();
      assert.ok(torSocket, 'a managed tor forwards to a Unix socket');
      api = await listenPeerApi(createPeerApi({ node, peers: new PeerBook() }), { port: 0, torSocket });
      const seen: { socket: object; circuit: string | undefined }[] = [];
      api.server.on('request', (req) => seen.push({ socket: req.socket, circuit: circuitOf(req.socket) }));
      const service = await a.publishService(api.port, { socketPath: torSocket, timeoutMs: 90_000 });

      client.current = new PeerClient({ proxy: b.socksUrl, timeoutMs: 30_000 });
      const peer = service.address;
      let last = '';
      for (const deadline = Date.now() + 180_000; ; ) {
        try {
          assert.equal((await client.current.status(peer)).election_id, genesis.idHex);
          break;
        } catch (error) {
          last = (error as Error).message;
          if (Date.now() > deadline) throw new Error(`${peer} not reachable: ${last}`);
          await b.newCircuits().catch(() => {});
          await sleep(1000);
        }
      }
      // Eight at once: the client opens several connections (streams), over one circuit.
      const answers = await Promise.all(Array.from({ length: 8 }, () => client.current!.status(peer)));
      assert.ok(answers.every((s) => s.election_id === genesis.idHex));

      assert.ok(seen.length >= 9, `${seen.length} requests seen`);
      for (const { circuit } of seen)
        assert.match(circuit ?? 'none', /^circuit:\d+$/, 'every request has its circuit');
      const sockets = new Set(seen.map((s) => s.socket)).size;
      const circuits = new Set(seen.map((s) => s.circuit)).size;
      assert.ok(sockets >= 2, `${sockets} connections`);
      assert.ok(circuits < sockets, `${circuits} circuits for ${sockets} connections`);
      console.log(
        `circuit-id.test.ts: ${seen.length} requests, ${sockets} connections, ${circuits} circuit(s)`,
      );
    } finally {
      client.current?.close();
      await api?.close();
      await node?.close();
      for (const m of managers) await m.stop();
      await testnet?.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
