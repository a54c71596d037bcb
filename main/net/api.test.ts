// The peer API served by a real ElectionNode over real HTTP on 127.0.0.1, driven through the real
// PeerClient (every route) and through raw requests (hostile inputs, floods, slow clients).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { blockHash, encodeBlock, parseBlock } from '../chain/block';
import { Chain } from '../chain/chain';
import { parseGenesis } from '../chain/genesis';
import { confirmation, makeBlock, testGenesis } from '../chain/testing';
import {
  encodeAcceptance,
  encodeDecryptionFactor,
  parseAcceptance,
  parseDecryptionFactor,
} from '../crypto/codec';
import { ElectionNode } from '../node/election-node';
import { onionAddressFromPublicKey } from './address';
import { createPeerApi, listenPeerApi, type PeerApiServer } from './api';
import { PeerClient } from './client';
import { API_VERSION } from './messages';
import { PeerBook } from './peer-book';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-api-'));
const genesis = testGenesis({ nTalliers: 1, nTalliersBlocks: 2, nVoteBlocks: 3, confirmations: 1 });
const group = genesis.group;

/** Rejects if `promise` takes longer than `ms`: no test waits for ever. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Answer {
  status: number;
  body: { error?: string } & Record<string, unknown>;
  headers: Headers;
}

async function call(
  port: number,
  method: string,
  route: string,
  body?: string,
  type?: string,
): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}${route}`, {
    method,
    ...(type ? { headers: { 'content-type': type } } : {}),
    ...(body !== undefined ? { body } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: response.status,
    body: (await response.json()) as Answer['body'],
    headers: response.headers,
  };
}

/** A refusal: the status, JSON with a reason, no stack trace, no framework banner. */
function assertRefused(answer: Answer, status: number, reason: RegExp): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(typeof answer.body.error, 'string');
  assert.match(answer.body.error!, reason);
  assert.doesNotMatch(answer.body.error!, /\n\s+at |node_modules|\.ts:\d/);
  assert.equal(answer.headers.get('x-powered-by'), null);
}

/** Sends raw bytes and collects everything until the server closes (or `ms` passes). */
async function raw(port: number, bytes: string, ms: number): Promise<{ text: string; closed: boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk.toString();
  });
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(bytes);
  const closed = await within(ms, once(socket, 'close'), 'close')
    .then(() => true)
    .catch(() => false);
  socket.destroy();
  return { text, closed };
}

let nodeA: ElectionNode;
let nodeB: ElectionNode;
let apiA: PeerApiServer;
let apiB: PeerApiServer;
let A: string;
let B: string;
const client = new PeerClient({ timeoutMs: 10_000 });
const orphans: [string, string | undefined][] = [];
const learned: string[] = [];
const logged: string[] = [];

before(async () => {
  nodeA = await ElectionNode.create(path.join(tmp, 'a'), genesis, {
    name: 'a',
    vote: 1,
    mining: false,
    threads: 1,
  });
  const result = once(nodeA, 'result');
  nodeA.startMining();
  await within(60_000, result, 'mining the election');
  await nodeA.stopMining();
  nodeB = await ElectionNode.create(path.join(tmp, 'b'), genesis, { name: 'b', mining: false, threads: 1 });

  const peersA = new PeerBook();
  apiA = await listenPeerApi(createPeerApi({ node: nodeA, peers: peersA }), { port: 0, host: '127.0.0.1' });
  A = `127.0.0.1:${apiA.port}`;
  peersA.setSelf(A);
  const peersB = new PeerBook();
  apiB = await listenPeerApi(
    createPeerApi({
      node: nodeB,
      peers: peersB,
      onOrphan: (missing, from) => orphans.push([missing, from]),
      onPeerLearned: (address) => learned.push(address),
      log: (message) => logged.push(message),
    }),
    { port: 0 },
  );
  B = `127.0.0.1:${apiB.port}`;
  peersB.setSelf(B);
});

after(async () => {
  client.close();
  await apiA?.close();
  await apiB?.close();
  await nodeA?.close();
  await nodeB?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('peer API', { concurrency: false }, () => {
  test('listens on 127.0.0.1 only', async () => {
    for (const api of [apiA, apiB]) {
      const address = api.server.address() as net.AddressInfo;
      assert.equal(address.address, '127.0.0.1');
      assert.equal(address.family, 'IPv4');
      assert.equal(address.port, api.port);
    }
    const app = createPeerApi({ node: nodeA, peers: new PeerBook() });
    await assert.rejects(
      listenPeerApi(app, { port: 0, host: '0.0.0.0' as '127.0.0.1' }),
      /listens on 127\.0\.0\.1 only/,
    );
  });

  test('a finished election is served: status, genesis, chain, blocks, factors, result', async () => {
    const tip = nodeA.chain.tip;
    assert.equal(tip.height, 6);
    assert.deepEqual(await client.status(A), {
      version: API_VERSION,
      election_id: genesis.idHex,
      height: 6,
      best: tip.hash,
      work: tip.work.toString(16).padStart(64, '0'),
      phase: 'final',
      name: 'a', // the runner's name, its blocks' miner label (GET /v1/status, PROTOCOL.md)
    });
    assert.equal(parseGenesis(await client.genesis(A)).idHex, genesis.idHex);

    const branch = nodeA.chain.branch().map((m) => m.hash);
    const page = await client.chain(A, 1);
    assert.equal(page.best, tip.hash);
    assert.equal(page.height, 6);
    assert.deepEqual(
      page.blocks.map((b) => blockHash(group, parseBlock(group, b))),
      branch,
    );
    const middle = await client.chain(A, 3, 2);
    assert.deepEqual(
      middle.blocks.map((b) => parseBlock(group, b).height),
      [3, 4],
    );
    assert.deepEqual((await client.chain(A, 6, 100)).blocks.length, 1);
    assert.deepEqual((await client.chain(A, 7)).blocks, []);

    const block = await client.block(A, tip.hash);
    assert.equal(blockHash(group, parseBlock(group, block)), tip.hash);
    assert.equal(await client.block(A, 'ab'.repeat(32)), undefined);
    assert.equal(await client.block(A, genesis.idHex), undefined, 'the genesis is not a block');

    const factors = await client.factors(A);
    assert.equal(factors.length, 1);
    const result = await client.result(A);
    assert.equal(result.final, true);
    assert.equal(result.ballots, 3);
    assert.deepEqual(result.result, { yes: 3, no: 0, total: 3 });
    assert.deepEqual(result.awaiting, []);
    assert.equal(result.talliers.length, 1);
    assert.equal(result.talliers[0], (factors[0] as { pk: string }).pk);
  });

  test('inventories: an unknown block is wanted, promised to its first announcer for a while, a held or workless one is not', async () => {
    const [held] = (await client.chain(A, 1, 1)).blocks as { prev: string }[];
    const unknown = '0e'.repeat(32); // below the target: it could be a block
    const other = '127.0.0.1:1';
    assert.deepEqual(await client.inventory(B, [unknown], A), [unknown]);
    assert.deepEqual(await client.inventory(B, [unknown], A), [unknown], 'the same announcer is told again');
    assert.deepEqual(await client.inventory(B, [unknown], other), [], 'promised to A');
    assert.deepEqual(
      await client.inventory(B, ['ff'.repeat(32)], A),
      [],
      'a hash above the target is no block',
    );
    assert.deepEqual(
      await client.inventory(B, [unknown]),
      [unknown],
      'an anonymous announcer is promised nothing',
    );
    // B holds the genesis's child once A pushed it (next test); A holds it already.
    assert.deepEqual(await client.inventory(A, [nodeA.chain.ancestorAt(nodeA.chain.tip, 1)!.hash]), []);
    assert.ok(held);
  });

  test('pushed blocks: an orphan asks for its parent; ancestors connect it; repeats are known', async () => {
    const blocks = (await client.chain(A, 1)).blocks;
    const hashes = nodeA.chain.branch().map((m) => m.hash);
    const sizeBefore = nodeB.chain.size;
    assert.deepEqual(await client.pushBlock(B, blocks[2], A), { status: 'orphan', missing: hashes[1]! });
    assert.deepEqual(orphans, [[hashes[1], A]]);
    assert.deepEqual(await client.pushBlock(B, blocks[0]), { status: 'added' });
    assert.deepEqual(await client.pushBlock(B, blocks[1]), { status: 'added' });
    assert.equal(nodeB.chain.size, sizeBefore + 3, 'the orphan connected');
    assert.deepEqual(await client.pushBlock(B, blocks[2]), { status: 'known' });
    for (const block of blocks.slice(3))
      assert.deepEqual(await client.pushBlock(B, block), { status: 'added' });
    assert.equal(nodeB.chain.tip.hash, nodeA.chain.tip.hash);
    assert.equal((await client.status(B)).phase, 'final');
    assert.equal(orphans.length, 1);
  });

  test('acceptances, then factors: verified, known on repeat, and the result decrypts', async () => {
    const [factor] = await client.factors(A);
    assert.equal((factor as { final: string }).final, nodeA.chain.tip.hash, 'a factor names its final block');
    const before = await client.result(B);
    assert.equal(before.result, null);
    assert.equal(before.sealed, null);
    assert.equal(before.awaiting.length, 1);
    // B has not seen the seal: the factor is refused, with the reason, and nothing is kept.
    await assert.rejects(client.pushFactor(B, factor), /not sealed here/);
    assert.deepEqual(await client.factors(B), []);
    const acceptances = await client.acceptances(A);
    assert.equal(acceptances.length, 1, 'one tallier, one round');
    assert.deepEqual(await client.pushAcceptance(B, acceptances[0]), { status: 'added' });
    assert.deepEqual(await client.pushAcceptance(B, acceptances[0]), { status: 'known' });
    assert.deepEqual((await client.result(B)).sealed, { final: nodeA.chain.tip.hash, round: 1 });
    assert.deepEqual(await client.pushFactor(B, factor), { status: 'added' });
    assert.deepEqual(await client.pushFactor(B, factor), { status: 'known' });
    assert.deepEqual((await client.result(B)).result, { yes: 3, no: 0, total: 3 });
    assert.deepEqual(await client.factors(B), [factor]);
  });

  test('peers: an announcement is learned once; the runner never learns itself', async () => {
    assert.deepEqual(await client.announce(B, A), { status: 'added' });
    assert.deepEqual(await client.announce(B, `localhost:${apiA.port}`), { status: 'known' });
    assert.deepEqual(await client.announce(B, B), { status: 'known' });
    assert.deepEqual(learned, [A]);
    assert.deepEqual(await client.peers(B), [A]);
    assert.deepEqual(await client.peers(A), []);
  });

  test('an onion runner is not made to connect to loopback addresses, and does not list them', async () => {
    const self = onionAddressFromPublicKey(Buffer.alloc(32, 1));
    const other = onionAddressFromPublicKey(Buffer.alloc(32, 2));
    const peers = new PeerBook({ self, capacity: 2 });
    peers.add('127.0.0.1:9999', 'cli');
    peers.add(other, 'cli');
    const api = await listenPeerApi(createPeerApi({ node: nodeB, peers }), { port: 0 });
    try {
      const post = (route: string, body: unknown) =>
        call(api.port, 'POST', route, JSON.stringify(body), 'application/json');
      const [good] = (await client.chain(A, 1, 1)).blocks;
      assertRefused(await post('/v1/peers', { address: '127.0.0.1:22' }), 400, /body\.address: a loopback/);
      assertRefused(
        await post('/v1/blocks', { block: good, from: 'localhost:22' }),
        400,
        /body\.from: a loopback/,
      );
      assert.deepEqual(await client.peers(`127.0.0.1:${api.port}`), [other]);
      assertRefused(
        await post('/v1/peers', { address: onionAddressFromPublicKey(Buffer.alloc(32, 3)) }),
        503,
        /full/,
      );
      assert.deepEqual(peers.list(), ['127.0.0.1:9999', other]);
    } finally {
      await api.close();
    }
  });

  test('hostile requests are refused with a JSON reason and change nothing', async () => {
    const port = apiB.port;
    const size = nodeB.chain.size;
    const factorsBefore = (await client.factors(B)).length;
    const acceptancesBefore = (await client.acceptances(B)).length;
    const [good] = (await client.chain(A, 1, 1)).blocks;
    const post = (route: string, body: unknown) =>
      call(port, 'POST', route, JSON.stringify(body), 'application/json');

    assertRefused(
      await call(port, 'POST', '/v1/blocks', '{"block": ', 'application/json'),
      400,
      /^body\.block: is not JSON: the text ends early/,
    );
    assertRefused(
      await call(port, 'POST', '/v1/blocks', JSON.stringify({ block: good }), 'text/plain'),
      415,
      /JSON/,
    );
    assertRefused(await call(port, 'POST', '/v1/blocks', JSON.stringify({ block: good })), 415, /JSON/);
    assertRefused(
      await call(
        port,
        'POST',
        '/v1/blocks',
        JSON.stringify({ block: good }),
        'application/json; charset=latin1',
      ),
      415,
      /UTF-8/,
    );
    assertRefused(
      await post('/v1/blocks', { block: 'x'.repeat(100 * 1024) }),
      413,
      /larger than 65536 bytes/,
    );
    assertRefused(
      await post('/v1/blocks', { block: good, evil: true }),
      400,
      /body\.evil: is not an allowed field/,
    );
    assertRefused(await post('/v1/blocks', [good]), 400, /body: must be a JSON object/);
    const notUtf8 = await fetch(`http://127.0.0.1:${port}/v1/peers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"address":"'), Buffer.from([0xff]), Buffer.from('"}')]),
    });
    assert.equal(notUtf8.status, 400);
    assert.deepEqual(await notUtf8.json(), { error: 'the request body is not valid UTF-8' });
    assertRefused(await post('/v1/blocks', { block: { height: 1 } }), 400, /block\.prev: is missing/);
    assertRefused(await post('/v1/blocks', { block: good, from: 'example.com:80' }), 400, /body\.from: /);
    assertRefused(
      await call(port, 'POST', '/v1/blocks', '"block"', 'application/json'),
      400,
      /malformed JSON/,
    );
    // JSON that JSON.parse would read as a block B holds (200 "known"), but not protocol JSON: a
    // key given twice, a number written 1.0 or 1e0. Refused as a whole, naming the place.
    const goodText = JSON.stringify({ block: good });
    const strict = (text: string) => call(port, 'POST', '/v1/blocks', text, 'application/json');
    assert.equal((await strict(goodText)).body.status, 'known');
    const twice = goodText.replace('"miner":', '"miner":"someone else","miner":');
    assert.deepEqual(JSON.parse(twice), JSON.parse(goodText));
    assertRefused(await strict(twice), 400, /^body\.block\.miner: is a duplicate key/);
    for (const height of ['1.0', '1e0', '01'])
      assertRefused(
        await strict(goodText.replace('"height":1,', `"height":${height},`)),
        400,
        new RegExp(
          `^body\\.block\\.height: ${height.replace('.', '\\.')} is not an integer in plain decimal`,
        ),
      );

    // A block whose hash misses the target, and a well-mined block of the wrong kind.
    const side = new Chain(genesis);
    const wrongKind = makeBlock(side, side.genesisMeta, confirmation);
    let noWork = { ...wrongKind, nonce: 0n };
    while (BigInt(`0x${blockHash(group, noWork)}`) <= genesis.target)
      noWork = { ...noWork, nonce: noWork.nonce + 1n };
    assertRefused(await post('/v1/blocks', { block: encodeBlock(group, noWork) }), 400, /proof of work/);
    // B's chain is sealed (the test above): a valid-looking block off it is not even checked.
    const late = await post('/v1/blocks', { block: encodeBlock(group, wrongKind) });
    assert.equal(late.status, 200);
    assert.deepEqual(late.body, { status: 'late', final: nodeB.chain.tip.hash });

    // Acceptances: forged, for an unknown block, malformed.
    const [accepted] = await client.acceptances(A);
    const acceptance = parseAcceptance(group, accepted);
    const forgedAcceptance = encodeAcceptance(group, { ...acceptance, final: 'ab'.repeat(32) });
    assertRefused(
      await post('/v1/acceptances', { acceptance: forgedAcceptance }),
      400,
      /not a block this runner holds/,
    );
    const resigned = encodeAcceptance(group, {
      ...acceptance,
      signature: { ...acceptance.signature, response: (acceptance.signature.response + 1n) % group.q },
    });
    // B holds this tallier's round-1 acceptance of the same block, but a copy with a broken
    // signature learns nothing from that: it is refused as a forgery.
    assertRefused(
      await post('/v1/acceptances', { acceptance: resigned }),
      400,
      /acceptance\.signature\.response/,
    );
    assert.equal((await post('/v1/acceptances', { acceptance: accepted })).body.status, 'known');
    assertRefused(
      await post('/v1/acceptances', { acceptance: { ...(accepted as object), round: 2 } }),
      400,
      /acceptance\.signature\.challenge: is not the hash of the statement/, // the round is signed
    );
    assertRefused(
      await post('/v1/acceptances', { acceptance: { ...(accepted as object), round: 0 } }),
      400,
      /round/,
    );
    assertRefused(await post('/v1/acceptances', { acceptance: accepted, extra: 1 }), 400, /body\.extra/);
    assertRefused(
      await call(
        port,
        'POST',
        '/v1/acceptances',
        JSON.stringify({ acceptance: accepted }).replace('"round":1', '"round":1.0'),
        'application/json',
      ),
      400,
      /^body\.acceptance\.round: 1\.0 is not an integer in plain decimal/,
    );

    // A factor whose value was changed: its proof no longer verifies.
    const real = parseDecryptionFactor(group, (await client.factors(A))[0], 'dec_factor', 'untrusted', 2);
    const forged = encodeDecryptionFactor(group, {
      ...real,
      factors: [group.mul(real.factors[0]!, group.g)],
    });
    assertRefused(await post('/v1/factors', { factor: forged }), 400, /dec_factor/);
    assertRefused(await post('/v1/factors', { factor: forged, extra: 1 }), 400, /body\.extra/);
    assertRefused(await post('/v1/factors', {}), 400, /body\.factor: is missing/);

    // Peer addresses that are not onion v3 or loopback.
    assertRefused(await post('/v1/peers', { address: 'example.com:80' }), 400, /body\.address: .*onion v3/);
    assertRefused(await post('/v1/peers', { address: 'expyuzz4wqqyqhjn.onion' }), 400, /v2/);
    assertRefused(await post('/v1/peers', { address: 42 }), 400, /must be a string/);
    assertRefused(await post('/v1/peers', { address: `http://${A}` }), 400, /scheme/);

    // Bad routes and parameters.
    assertRefused(await call(port, 'GET', '/v1/blocks/xyz'), 400, /hash: must be exactly 64/);
    assertRefused(await call(port, 'GET', `/v1/blocks/${'AB'.repeat(32)}`), 400, /lowercase/);
    assertRefused(await call(port, 'GET', '/v1/blocks/%zz'), 400, /bad request/);
    assertRefused(await call(port, 'GET', '/v1/chain?limit=101'), 400, /limit: must be in \[1, 100\]/);
    assertRefused(await call(port, 'GET', '/v1/chain?from=abc'), 400, /from: must be a whole number/);
    assertRefused(await call(port, 'GET', '/v1/chain?from=1&from=2'), 400, /from/);
    assertRefused(await call(port, 'GET', '/v1/chain?evil=1'), 400, /evil: is not a parameter/);
    assertRefused(await call(port, 'GET', '/v1/nothing'), 404, /no such route/);
    assertRefused(await call(port, 'DELETE', '/v1/status'), 404, /no such route/);
    assertRefused(await call(port, 'GET', '/'), 404, /no such route/);

    // Not even HTTP: Node's parser refuses it, answered in JSON all the same.
    const garbage = await raw(port, 'HELLO THERE\r\n\r\n', 5000);
    assert.ok(garbage.closed);
    assert.match(garbage.text, /^HTTP\/1\.1 400 /);
    assert.match(garbage.text, /\r\n\r\n\{"error":"bad request"\}$/);

    assert.equal(nodeB.chain.size, size);
    assert.equal((await client.factors(B)).length, factorsBefore);
    assert.equal((await client.acceptances(B)).length, acceptancesBefore);
    assert.deepEqual(logged, [], 'client errors are not logged as internal');
  });

  test('an internal error is answered 500 "internal error" and logged, never shown', async () => {
    const original = nodeB.submitFactor;
    nodeB.submitFactor = async () => {
      throw new Error('disk on fire at /home/secret/path');
    };
    try {
      const answer = await call(apiB.port, 'POST', '/v1/factors', '{"factor":{}}', 'application/json');
      assertRefused(answer, 500, /^internal error$/);
    } finally {
      nodeB.submitFactor = original;
    }
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /POST \/v1\/factors: Error: disk on fire/);
    logged.length = 0;
  });

  test('500 requests on one keep-alive connection: some get 429, and the server keeps answering', async () => {
    let connections = 0;
    const count = () => connections++;
    apiB.server.on('connection', count);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: apiB.port, path: '/v1/status', agent }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              retryAfter: res.headers['retry-after'] as string | undefined,
            }),
          );
        });
        req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
        req.on('error', reject);
      });
    try {
      const answers = await within(30_000, Promise.all(Array.from({ length: 500 }, get)), 'the flood');
      const ok = answers.filter((a) => a.status === 200).length;
      const limited = answers.filter((a) => a.status === 429);
      assert.equal(ok + limited.length, 500);
      assert.ok(ok >= 60, `${ok} answered`);
      assert.ok(limited.length > 100, `${limited.length} refused`);
      assert.ok(limited.every((a) => Number(a.retryAfter) >= 1));
      assert.equal(connections, 1, 'all on one connection');
      // Another connection is served at once, and the flooded one after its wait.
      assert.equal((await client.status(B)).election_id, genesis.idHex);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await get()).status, 200);
    } finally {
      apiB.server.off('connection', count);
      agent.destroy();
    }
  });

  test('a client that never finishes its headers is cut off after headersTimeout (5 s)', async () => {
    const started = Date.now();
    const slow = await raw(apiB.port, 'GET /v1/status HTTP/1.1\r\nHost: x\r\n', 9000);
    const elapsed = Date.now() - started;
    assert.ok(slow.closed, 'still open after 9 s');
    assert.ok(elapsed >= 4500, `cut off after ${elapsed} ms`);
    assert.match(slow.text, /^HTTP\/1\.1 408 /);
  });

  test('a body that never finishes is cut off after requestTimeout', async () => {
    const app = createPeerApi({ node: nodeB, peers: new PeerBook() });
    const api = await listenPeerApi(app, { port: 0, limits: { headersTimeout: 300, requestTimeout: 600 } });
    try {
      const request =
        'POST /v1/blocks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"blo';
      const started = Date.now();
      const slow = await raw(api.port, request, 5000);
      assert.ok(slow.closed);
      assert.ok(Date.now() - started < 4000);
    } finally {
      await api.close();
    }
  });
});
