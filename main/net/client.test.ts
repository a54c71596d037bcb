// The peer client against servers that misbehave, a dead port, and a fake Tor SOCKS proxy that
// records what it was asked to connect to (the onion name, unresolved) and forwards to 127.0.0.1.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { ValidationError } from '../crypto/errors';
import { MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES, PeerClient, PeerError, parseStatusResponse } from './client';
import { API_VERSION } from './messages';
import { PeerBook } from './peer-book';

const ONION = '2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion';
const HASH = 'ab'.repeat(32);
const STATUS = {
  version: API_VERSION,
  election_id: HASH,
  height: 3,
  best: HASH,
  work: '00'.repeat(32),
  phase: 'key',
};

async function listen(server: Server | net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

/** A peer that answers garbage in every way a hostile or broken one might. */
function hostileApp() {
  const app = express();
  app.get('/v1/status', (_req, res) => {
    res.json({ ...STATUS, version: 'something-else/9' });
  });
  app.get('/v1/result', (_req, res) => {
    res.type('text/plain').send('not json at all');
  });
  app.get('/v1/peers', (_req, res) => {
    res.json({ peers: ['x'.repeat(MAX_RESPONSE_BYTES + 1024)] });
  });
  app.get('/v1/genesis', (_req, res) => {
    res.redirect(302, 'http://example.com/genesis');
  });
  app.get('/v1/factors', (_req, res) => {
    res.status(500).json({ error: `boom\u001b[31m red ${'x'.repeat(1000)}` });
  });
  app.get('/v1/blocks/:hash', (_req, res) => {
    res.json({ hash: 'cd'.repeat(32), block: {} });
  });
  app.get('/v1/chain', (_req, res) => {
    res.json({ best: HASH, height: 200, blocks: Array.from({ length: 101 }, () => ({})) });
  });
  app.post('/v1/blocks', (_req, res) => {
    res.status(429).set('Retry-After', '7').json({ error: 'too many requests' });
  });
  app.post('/v1/peers', (_req, res) => {
    res.json({ status: 'added', extra: true });
  });
  app.post('/v1/factors', () => {
    // Never answers.
  });
  app.get('/v1/acceptances', (_req, res) => {
    // JSON whose string holds a raw 0xff byte: not UTF-8.
    res
      .type('application/json')
      .send(Buffer.concat([Buffer.from('{"acceptances":["'), Buffer.from([0xff]), Buffer.from('"]}')]));
  });
  return app;
}

/** A well-behaved peer (only the routes the proxy test uses). */
function honestApp() {
  const app = express();
  app.get('/v1/status', (_req, res) => {
    res.json(STATUS);
  });
  return app;
}

/**
 * A minimal SOCKS5 server (no auth, CONNECT only). `forward` connects every request to `target` on
 * 127.0.0.1; `unreachable` answers "host unreachable", as Tor does for an onion service that is down.
 */
function fakeSocks(target: number, mode: 'forward' | 'unreachable', connectDelayMs = 0) {
  const requested: string[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    let greeted = false;
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!greeted) {
        if (buffer.length < 2 || buffer.length < 2 + buffer[1]!) return;
        buffer = buffer.subarray(2 + buffer[1]!);
        greeted = true;
        socket.write(Buffer.from([5, 0]));
      }
      if (buffer.length < 5) return;
      const fail = (code: number) => socket.end(Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]));
      if (buffer[3] !== 3) {
        // Not a domain name: the client resolved the name itself, which must never happen.
        requested.push(`address type ${buffer[3]}`);
        return fail(8);
      }
      const length = buffer[4]!;
      if (buffer.length < 7 + length) return;
      requested.push(`${buffer.subarray(5, 5 + length).toString()}:${buffer.readUInt16BE(5 + length)}`);
      const rest = buffer.subarray(7 + length);
      socket.off('data', onData);
      socket.pause();
      if (mode === 'unreachable') return fail(4);
      // A rendezvous with an onion service takes a while: the reply waits `connectDelayMs`.
      const upstream = net.connect(target, '127.0.0.1', async () => {
        await new Promise((r) => setTimeout(r, connectDelayMs));
        socket.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
        if (rest.length) upstream.write(rest);
        socket.pipe(upstream).pipe(socket);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
    };
    socket.on('data', onData);
  });
  return { server, requested };
}

/** The PeerError a call rejects with (anything else fails the test). */
async function peerError(promise: Promise<unknown>): Promise<PeerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PeerError, `not a PeerError: ${error}`);
    assert.deepEqual(
      Object.keys(error).filter((k) => ['config', 'request', 'response', 'cause'].includes(k)),
      [],
    );
    return error;
  }
  assert.fail('did not reject');
}

const servers: (Server | net.Server)[] = [];
let hostile: string;
let honestPort: number;
const client = new PeerClient({ timeoutMs: 1000 });

before(async () => {
  const h = hostileApp().listen(0, '127.0.0.1');
  servers.push(h);
  await once(h, 'listening');
  hostile = `127.0.0.1:${(h.address() as net.AddressInfo).port}`;
  const honest = honestApp().listen(0, '127.0.0.1');
  servers.push(honest);
  await once(honest, 'listening');
  honestPort = (honest.address() as net.AddressInfo).port;
});

after(async () => {
  client.close();
  for (const s of servers) {
    (s as Server).closeAllConnections?.();
    s.close();
  }
});

describe('peer client', () => {
  test('only a socks5h:// proxy is accepted', () => {
    for (const proxy of [
      'socks5://127.0.0.1:9050',
      'socks4://127.0.0.1:9050',
      'socks4a://127.0.0.1:9050',
      'socks://127.0.0.1:9050',
      'http://127.0.0.1:8118',
    ])
      assert.throws(
        () => new PeerClient({ proxy }),
        (e) => e instanceof ValidationError && /socks5h/.test(e.message),
      );
    assert.throws(() => new PeerClient({ proxy: '127.0.0.1:9050' }), /socks5h/);
    assert.throws(() => new PeerClient({ proxy: 'socks5h://127.0.0.1' }), /host and a port/);
    assert.throws(() => new PeerClient({ timeoutMs: 0 }), /timeoutMs/);
    new PeerClient({ proxy: 'socks5h://127.0.0.1:9050' }).close();
  });

  test('an onion address without a proxy is refused before any connection', async () => {
    const error = await peerError(client.status(ONION));
    assert.equal(error.reason, 'no Tor SOCKS proxy configured');
    assert.equal(error.address, ONION);
    assert.equal(error.operation, 'status');
    assert.equal(error.status, undefined);
  });

  test('invalid addresses and arguments are refused as PeerErrors', async () => {
    assert.match(
      (await peerError(client.status('example.com:80'))).reason,
      /invalid request: address: .*onion/,
    );
    assert.match((await peerError(client.block(hostile, 'xyz'))).reason, /invalid request: hash/);
    assert.match((await peerError(client.chain(hostile, 0))).reason, /invalid request: from/);
    assert.match((await peerError(client.chain(hostile, 1, 101))).reason, /invalid request: limit/);
    assert.match(
      (await peerError(client.pushBlock(hostile, {}, '10.0.0.1:80'))).reason,
      /invalid request: from/,
    );
    assert.match((await peerError(client.announce(hostile, 'example.com'))).reason, /invalid request: self/);
    const huge = await peerError(client.pushBlock(hostile, { big: 'x'.repeat(MAX_REQUEST_BYTES) }));
    assert.match(huge.reason, new RegExp(`request larger than ${MAX_REQUEST_BYTES} bytes`));
  });

  test('a dead port fails fast with "connection refused"', async () => {
    const server = net.createServer();
    const port = await listen(server);
    server.close();
    await once(server, 'close');
    const started = Date.now();
    const error = await peerError(client.status(`127.0.0.1:${port}`));
    assert.match(error.reason, /connection refused/);
    assert.ok(Date.now() - started < 1000);
  });

  test('close ends the requests under way at once, and a closed client sends nothing', async () => {
    // A peer that takes every request and never answers (an onion over a dead circuit, say).
    const silent = net.createServer(() => {});
    const port = await listen(silent);
    const own = new PeerClient({ timeoutMs: 20_000 });
    try {
      const pending = [peerError(own.status(`127.0.0.1:${port}`)), peerError(own.peers(`127.0.0.1:${port}`))];
      await new Promise((r) => setTimeout(r, 200));
      own.close();
      // Settled by the close, long before their 20 s deadline: raced against a 5 s timer.
      const settled = await Promise.race([
        Promise.all(pending),
        new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 5_000)),
      ]);
      assert.notEqual(settled, 'still waiting');
      for (const error of settled as PeerError[]) assert.equal(error.reason, 'the client was closed');
      const after = await peerError(own.status(`127.0.0.1:${port}`));
      assert.equal(after.reason, 'the client is closed');
    } finally {
      silent.close();
    }
  });

  test('wrong-shaped, oversized, redirected, failing and silent answers are PeerErrors', async () => {
    const cases: [() => Promise<unknown>, RegExp, number | undefined][] = [
      [() => client.status(hostile), /invalid response: response\.version: must be "onion-election\/2"/, 200],
      [() => client.result(hostile), /invalid response: response: is not JSON: unexpected "n"/, 200],
      [
        () => client.peers(hostile),
        new RegExp(`response larger than ${MAX_RESPONSE_BYTES} bytes`),
        undefined,
      ],
      [() => client.genesis(hostile), /^HTTP 302$/, 302],
      [() => client.block(hostile, HASH), /invalid response: response\.hash: is not the hash asked for/, 200],
      [() => client.chain(hostile, 1, 100), /response\.blocks: must have at most 100 items/, 200],
      [() => client.announce(hostile, '127.0.0.1:1'), /response\.extra: is not an allowed field/, 200],
      [() => client.pushFactor(hostile, {}), /no answer within 1000 ms/, undefined],
      [() => client.acceptances(hostile), /the response is not valid UTF-8/, 200],
    ];
    for (const [call, reason, status] of cases) {
      const error = await peerError(call());
      assert.match(error.reason, reason);
      assert.equal(error.status, status, error.message);
    }
    const failing = await peerError(client.factors(hostile));
    assert.equal(failing.status, 500);
    assert.match(failing.reason, /^HTTP 500: boom \[31m red x+…$/, 'control characters gone, truncated');
    assert.ok(failing.reason.length < 320);
    const limited = await peerError(client.pushBlock(hostile, {}));
    assert.equal(limited.status, 429);
    assert.equal(limited.retryAfterSeconds, 7);
  });

  test('an answer that is JSON but not protocol JSON is refused: a duplicate key, a number like 3.0', async () => {
    const texts = [
      `{"version":"${API_VERSION}","version":"${API_VERSION}","election_id":"${HASH}","height":3,"best":"${HASH}","work":"${'00'.repeat(32)}","phase":"key"}`,
      JSON.stringify(STATUS).replace('"height":3', '"height":3.0'),
    ];
    const app = express();
    app.get('/v1/status', (_req, res) => {
      res.type('application/json').send(texts.shift());
    });
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await once(server, 'listening');
    const peer = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    assert.match(
      (await peerError(client.status(peer))).reason,
      /^invalid response: response\.version: is a duplicate key/,
    );
    assert.match(
      (await peerError(client.status(peer))).reason,
      /^invalid response: response\.height: 3\.0 is not an integer in plain decimal/,
    );
    assert.equal(JSON.parse(JSON.stringify(STATUS).replace('"height":3', '"height":3.0')).height, 3);
  });

  test('an onion address goes through the SOCKS proxy, named, never resolved here', async () => {
    const socks = fakeSocks(honestPort, 'forward');
    const proxyPort = await listen(socks.server);
    servers.push(socks.server);
    const tor = new PeerClient({ proxy: `socks5h://127.0.0.1:${proxyPort}`, timeoutMs: 5000 });
    try {
      assert.deepEqual(await tor.status(ONION), STATUS);
      assert.deepEqual(await tor.status(`${ONION}:8080`), STATUS);
      assert.deepEqual(socks.requested, [`${ONION}:80`, `${ONION}:8080`]);
      // Loopback peers are reached directly, even with a proxy configured.
      assert.deepEqual(await tor.status(`127.0.0.1:${honestPort}`), STATUS);
      assert.equal(socks.requested.length, 2);
    } finally {
      tor.close();
    }
  });

  test('a Tor rendezvous slower than the idle-socket timeout (6 s) still connects', async () => {
    // socks-proxy-agent takes its `timeout` option as the CONNECT deadline: an idle timeout given
    // there cut every rendezvous longer than 4 s (found in review).
    const socks = fakeSocks(honestPort, 'forward', 6000);
    const proxyPort = await listen(socks.server);
    servers.push(socks.server);
    const tor = new PeerClient({ proxy: `socks5h://127.0.0.1:${proxyPort}`, timeoutMs: 10_000 });
    try {
      assert.deepEqual(await tor.status(ONION), STATUS);
    } finally {
      tor.close();
    }
  });

  test('an idle kept-alive connection is closed by the client before the server would (4 s < 5 s)', async () => {
    const app = express();
    app.get('/v1/status', (_req, res) => {
      res.json(STATUS);
    });
    const server = app.listen(0, '127.0.0.1');
    server.keepAliveTimeout = 60_000; // the server would keep it: only the client can close it
    servers.push(server);
    await once(server, 'listening');
    let closed = 0;
    server.on('connection', (socket) => socket.on('close', () => closed++));
    const direct = new PeerClient({ timeoutMs: 5000 });
    try {
      const port = (server.address() as net.AddressInfo).port;
      assert.deepEqual(await direct.status(`127.0.0.1:${port}`), STATUS);
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(closed, 0, 'kept alive for a while');
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(closed, 1, 'closed once idle for 4 s');
    } finally {
      direct.close();
    }
  });

  test('Tor failures: the proxy is down, or the onion service is unreachable', async () => {
    const dead = net.createServer();
    const deadPort = await listen(dead);
    dead.close();
    await once(dead, 'close');
    const noTor = new PeerClient({ proxy: `socks5h://127.0.0.1:${deadPort}`, timeoutMs: 2000 });
    assert.match((await peerError(noTor.status(ONION))).reason, /Tor SOCKS proxy .* refused the connection/);
    noTor.close();

    const socks = fakeSocks(honestPort, 'unreachable');
    const proxyPort = await listen(socks.server);
    servers.push(socks.server);
    const tor = new PeerClient({ proxy: `socks5h://127.0.0.1:${proxyPort}`, timeoutMs: 2000 });
    try {
      assert.match((await peerError(tor.status(ONION))).reason, /Tor could not connect: .*HostUnreachable/i);
    } finally {
      tor.close();
    }
  });
});

describe('a runner’s display name in its status', () => {
  test('read when well formed; a name that could not be a miner label is refused with the field', () => {
    assert.equal(parseStatusResponse(STATUS).name, undefined);
    assert.equal(parseStatusResponse({ ...STATUS, name: 'dave' }).name, 'dave');
    assert.equal(parseStatusResponse({ ...STATUS, name: 'Zoë 🗳' }).name, 'Zoë 🗳');
    for (const name of [
      '',
      'x'.repeat(65),
      'bell\u0007',
      'tab\tname',
      '\u202Eevad', // shown as "dave" by a bidi override
      'da\u200Bve', // a zero-width space
      'c1\u0085',
      'line\u2028sep',
      7,
      null,
      ['dave'],
    ])
      assert.throws(
        () => parseStatusResponse({ ...STATUS, name }),
        (e) => e instanceof ValidationError && e.field === 'response.name',
        JSON.stringify(name),
      );
  });

  test('the peer book keeps the name a peer last announced, and forgets it when the peer stops announcing one', () => {
    const book = new PeerBook({ learnLoopback: true });
    book.add('127.0.0.1:7001', 'cli');
    book.setName('127.0.0.1:7001', 'dave');
    book.markSuccess('127.0.0.1:7001');
    assert.equal(book.snapshot()[0]?.name, 'dave');
    book.setName('127.0.0.1:7001', undefined);
    assert.equal(book.snapshot()[0]?.name, undefined);
    book.setName('127.0.0.1:9', 'nobody'); // not in the book: nothing added
    assert.equal(book.snapshot().length, 1);
  });
});
