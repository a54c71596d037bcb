// Tor's PROXY header (HiddenServiceExportCircuitID haproxy): the strict parser, and the peer API's
// Unix socket for tor fed real headers over real sockets: the request after the header is served,
// anything that is not tor's header is closed, and one circuit's connections are one client.
// (A real tor writing these headers: main/tor/circuit-id.test.ts.)
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testGenesis } from '../chain/testing';
import { ElectionNode } from '../node/election-node';
import { createPeerApi, listenPeerApi, type PeerApiServer } from './api';
import { PeerBook } from './peer-book';
import { formatProxyHeader, MAX_PROXY_HEADER_BYTES, parseProxyHeader } from './proxy-protocol';

const skip = process.platform === 'win32' ? 'Unix sockets only' : false;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-proxy-'));
const genesis = testGenesis({ nTalliers: 1, nTalliersBlocks: 2, nVoteBlocks: 3, confirmations: 1 });
const STATUS = 'GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

describe('the PROXY header tor writes', () => {
  test('tor’s own lines give the circuit’s global identifier', () => {
    // The lines of tor's test_export_client_circuit_id (src/test/test_hs_service.c).
    assert.equal(parseProxyHeader('PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42\r\n'), 666);
    assert.equal(parseProxyHeader('PROXY TCP6 fc00:dead:beef:4dad::ffff:ffff ::1 65535 42\r\n'), 0xffffffff);
    assert.equal(parseProxyHeader('PROXY TCP6 fc00:dead:beef:4dad::1:2 ::1 2 80\r\n'), 0x10002);
    assert.equal(
      parseProxyHeader('PROXY TCP6 fc00:dead:beef:4dad::0:0 ::1 1 80\r\n'),
      0,
      'a stream without a circuit',
    );
    for (const id of [0, 1, 666, 0xffff, 0x10000, 0xdeadbeef, 0xffffffff])
      assert.equal(parseProxyHeader(formatProxyHeader(id)), id);
  });

  test('anything else is refused', () => {
    const refused = [
      'PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42\n', // LF only
      'PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42', // no line end
      'PROXY TCP4 127.0.0.1 127.0.0.1 666 42\r\n',
      'PROXY UNKNOWN\r\n',
      'PROXY TCP6 fc00:dead:beef:4dae::0:29a ::1 666 42\r\n', // another prefix
      'PROXY TCP6 fc00:dead:beef:4dad::0:29A ::1 666 42\r\n', // tor writes lowercase
      'PROXY TCP6 fc00:dead:beef:4dad::0:029a ::1 666 42\r\n', // nor leading zeros
      'PROXY TCP6 fc00:dead:beef:4dad::1:0:29a ::1 666 42\r\n', // more than 32 bits
      'PROXY TCP6 fc00:dead:beef:4dad::0:29a ::2 666 42\r\n',
      'PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 667 42\r\n', // the source port is the id's low bits
      'PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 666 0\r\n',
      'PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 666 65536\r\n',
      'PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 0666 42\r\n',
      'PROXY TCP6  fc00:dead:beef:4dad::0:29a ::1 666 42\r\n',
      'proxy TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42\r\n',
      'PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42\r\nGET',
      `PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42${' '.repeat(MAX_PROXY_HEADER_BYTES)}\r\n`,
      '\r\n\r\n\0\r\nQUIT\n', // PROXY v2's signature
    ];
    for (const line of refused) assert.equal(parseProxyHeader(line), undefined, JSON.stringify(line));
  });
});

describe('the peer API’s socket for tor', { skip, concurrency: false, timeout: 60_000 }, () => {
  let node: ElectionNode;
  let api: PeerApiServer;
  const socketPath = path.join(tmp, 'peer-api.sock');

  before(async () => {
    node = await ElectionNode.create(path.join(tmp, 'node'), genesis, {
      name: 'n',
      mining: false,
      threads: 1,
    });
    // Stale from a crash: replaced.
    const stale = net.createServer().listen(socketPath);
    await once(stale, 'listening');
    await new Promise<void>((resolve) => stale.close(() => resolve()));
    writeFileSync(path.join(tmp, 'not-a-socket'), 'x');
    api = await listenPeerApi(createPeerApi({ node, peers: new PeerBook() }), {
      port: 0,
      torSocket: socketPath,
      limits: { headersTimeout: 500, requestTimeout: 1000 },
    });
  });

  after(async () => {
    await api?.close();
    await node?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Writes `chunks` (one write each, `gapMs` apart) and reads until the server closes. */
  async function exchange(
    chunks: string[],
    gapMs = 0,
    to = socketPath,
  ): Promise<{ text: string; ms: number }> {
    const started = Date.now();
    const socket = net.connect(to);
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    await once(socket, 'connect');
    for (const chunk of chunks) {
      if (socket.destroyed) break;
      socket.write(chunk);
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    const timer = setTimeout(() => socket.destroy(), 5000);
    if (!socket.destroyed) await once(socket, 'close');
    clearTimeout(timer);
    return { text, ms: Date.now() - started };
  }

  test('the socket is private to the runner’s user, and a file that is not a socket is never removed', async () => {
    assert.ok(statSync(socketPath).isSocket());
    const app = createPeerApi({ node, peers: new PeerBook() });
    await assert.rejects(
      listenPeerApi(app, { port: 0, torSocket: path.join(tmp, 'not-a-socket') }),
      /exists and is not a socket/,
    );
  });

  test('a request after the header is served, in one packet or a byte at a time', async () => {
    const whole = await exchange([formatProxyHeader(1) + STATUS]);
    assert.match(whole.text, /^HTTP\/1\.1 200 /);
    const header = formatProxyHeader(2);
    const drip = await exchange([...header.split(''), STATUS], 2);
    assert.match(drip.text, /^HTTP\/1\.1 200 /);
  });

  test('no header, a wrong one, one too long or too slow: closed without an answer', async () => {
    assert.equal((await exchange([STATUS])).text, '', 'plain HTTP');
    assert.equal((await exchange([`PROXY TCP4 127.0.0.1 127.0.0.1 1 80\r\n${STATUS}`])).text, '');
    assert.equal((await exchange(['PROXY TCP6 '.padEnd(MAX_PROXY_HEADER_BYTES + 1, 'f')])).text, '');
    const slow = await exchange(['PROXY TCP6 fc00']);
    assert.equal(slow.text, '');
    assert.ok(slow.ms >= 400 && slow.ms < 4000, `closed after ${slow.ms} ms`);
  });

  test('the connections of one circuit are one client for the global limits', async () => {
    // A tight global bucket (8, reserve 2, no refill to speak of) makes the sharing visible.
    const limits = {
      perConnection: { burst: 100, perSecond: 100 },
      global: { burst: 8, perSecond: 0.001 },
      globalPost: { burst: 8, perSecond: 0.001 },
    };
    const tight = await listenPeerApi(createPeerApi({ node, peers: new PeerBook(), limits }), {
      port: 0,
      torSocket: path.join(tmp, 'tight.sock'),
    });
    try {
      const served = async (circuit: number) =>
        /^HTTP\/1\.1 200 /.test(
          (await exchange([formatProxyHeader(circuit) + STATUS], 0, tight.torSocket)).text,
        );
      // Circuit 10 takes the bucket down to its reserve, a connection a request (1 within its
      // share, 5 past it)…
      let first = 0;
      while (first < 20 && (await served(10))) first++;
      assert.equal(first, 6);
      // …and its next connections are still past its share: the reserve is not theirs, as it
      // would be for new clients.
      assert.equal(await served(10), false);
      assert.equal(await served(10), false);
      // Another circuit is a new client, within its share.
      assert.equal(await served(11), true);
      assert.equal(await served(12), true);
      assert.equal(await served(13), false, 'the bucket is empty');
    } finally {
      await tight.close();
    }
  });
});
