import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { onionAddressFromPublicKey, parsePeerAddress } from './address';
import { PeerBook } from './peer-book';

const onion = () =>
  onionAddressFromPublicKey(
    generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32),
  );
const SELF = onion();

function book(options: ConstructorParameters<typeof PeerBook>[0] = {}) {
  let now = 1_000_000;
  const peers = new PeerBook({ self: SELF, random: () => 0, now: () => now, ...options });
  return { peers, advance: (ms: number) => (now += ms), now: () => now };
}

describe('peer book', () => {
  test('adds, normalises, never stores its own address', () => {
    const { peers } = book();
    const a = onion();
    assert.equal(peers.add(a, 'cli'), 'added');
    assert.equal(peers.add(`${a.toUpperCase()}:80`, 'peer'), 'known');
    assert.equal(peers.add(SELF, 'announce'), 'known');
    assert.equal(peers.add(`${SELF}:80`, 'cli'), 'known');
    assert.deepEqual(peers.list(), [a]);
    assert.ok(peers.isSelf(SELF.toUpperCase()));
    assert.throws(() => peers.add('example.com:80', 'cli'), /onion v3 address/);
  });

  test('a loopback address is learned from peers only in a loopback network', () => {
    const { peers } = book();
    assert.throws(() => peers.add('127.0.0.1:8080', 'announce'), /loopback address is only accepted/);
    assert.throws(() => peers.add('127.0.0.1:8080', 'peer'), /loopback/);
    assert.equal(peers.add('127.0.0.1:8080', 'cli'), 'added');
    const local = new PeerBook({ self: '127.0.0.1:9000' });
    assert.equal(local.add('localhost:8080', 'announce'), 'added');
    assert.equal(local.add('127.0.0.1:9000', 'announce'), 'known', 'itself');
    assert.equal(local.size, 1);
    assert.equal(peers.learnsLoopback, false);
    assert.equal(local.learnsLoopback, true);
    assert.throws(
      () => peers.checkLearnable(parsePeerAddress('[::1]:80'), 'body.from'),
      /body\.from: a loopback/,
    );
    peers.checkLearnable(parsePeerAddress(SELF));
    assert.equal(new PeerBook({ self: SELF, learnLoopback: true }).add('127.0.0.1:1', 'peer'), 'added');
    const unknownSelf = new PeerBook();
    assert.equal(unknownSelf.add('127.0.0.1:8080', 'peer'), 'added');
    unknownSelf.setSelf('127.0.0.1:8080');
    assert.equal(unknownSelf.size, 0, 'setting self removes it');
  });

  test('failures back off exponentially from 1 s to 5 min, with jitter; success resets', () => {
    let jitter = 0;
    const { peers, now, advance } = book({ random: () => jitter });
    const a = onion();
    peers.add(a, 'peer');
    assert.deepEqual(peers.due(now()), [a], 'a new peer is due at once');
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      peers.markFailure(a);
      delays.push(peers.snapshot()[0]!.nextAttemptAt - now());
    }
    assert.deepEqual(
      delays,
      [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((s) => s * 1000),
    );
    const info = peers.snapshot()[0]!;
    assert.equal(info.failures, 12);
    assert.equal(info.reachable, false);
    assert.deepEqual(peers.due(now()), []);
    advance(300_000);
    assert.deepEqual(peers.due(now()), [a]);
    jitter = 1;
    peers.markFailure(a);
    assert.equal(peers.snapshot()[0]!.nextAttemptAt - now(), 240_000, 'up to 20% earlier');
    peers.markSuccess(a);
    assert.deepEqual(peers.snapshot()[0], {
      address: a,
      kind: 'onion',
      source: 'peer',
      reachable: true,
      lastSeen: now(),
      failures: 0,
      nextAttemptAt: now(),
    });
    peers.markFailure(a);
    assert.equal(peers.snapshot()[0]!.nextAttemptAt - now(), 800, 'back to 1 s (minus jitter)');
    peers.markFailure('not an address');
    peers.markSuccess(onion());
  });

  test('full: the worst learned peer makes room; cli peers and reachable ones stay', () => {
    const { peers, advance } = book({ capacity: 4 });
    const [cli, good, bad, untried] = [onion(), onion(), onion(), onion()];
    peers.add(cli, 'cli');
    peers.add(good, 'announce');
    peers.add(bad, 'peer');
    peers.add(untried, 'peer');
    peers.markSuccess(good);
    peers.markFailure(bad);
    peers.markFailure(bad);
    peers.markFailure(cli);
    peers.markFailure(cli);
    peers.markFailure(cli);
    advance(1000);
    const first = onion();
    assert.equal(peers.add(first, 'announce'), 'added');
    assert.ok(!peers.has(bad), 'most failures goes first');
    const second = onion();
    assert.equal(peers.add(second, 'announce'), 'added');
    assert.ok(!peers.has(untried), 'then the never-seen, oldest first');
    assert.ok(peers.has(first));
    peers.markSuccess(first);
    peers.markSuccess(second);
    // Now: cli (failing), three reachable learned peers. Learned newcomers cannot get in…
    assert.equal(peers.add(onion(), 'announce'), 'full');
    assert.equal(peers.add(onion(), 'peer'), 'full');
    // …but the user's choice evicts the longest-unseen reachable peer, never a cli one.
    advance(1000);
    peers.markSuccess(first);
    peers.markSuccess(second);
    const chosen = onion();
    assert.equal(peers.add(chosen, 'cli'), 'added');
    assert.ok(!peers.has(good));
    assert.deepEqual(new Set(peers.list()), new Set([cli, first, second, chosen]));
    peers.remove(first);
    peers.remove(second);
    assert.equal(peers.add(onion(), 'cli'), 'added');
    assert.equal(peers.add(onion(), 'cli'), 'added');
    assert.equal(peers.add(onion(), 'cli'), 'full', 'only cli peers left: nobody is evicted');
  });

  test('a known learned peer given again on the command line becomes a cli peer', () => {
    const { peers } = book({ capacity: 2 });
    const a = onion();
    peers.add(a, 'peer');
    assert.equal(peers.add(a, 'cli'), 'known');
    assert.equal(peers.snapshot()[0]!.source, 'cli');
  });

  test('due lists the longest waiting first', () => {
    const { peers, now, advance } = book();
    const [a, b, c] = [onion(), onion(), onion()];
    for (const p of [a, b, c]) peers.add(p, 'peer');
    peers.markFailure(a); // due in 1 s
    peers.markFailure(b);
    peers.markFailure(b); // due in 2 s
    assert.deepEqual(peers.due(now()), [c]);
    advance(2000);
    assert.deepEqual(peers.due(now()), [c, a, b]);
  });
});
