import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PeerView, ResultView } from '../../main/api/contract';
import { formatTime } from './format';
import { listInWords, tallierInWords, waitingSentence } from './waits';

const peer = (name: string, reachable: boolean | null, lastSeen: number | null): PeerView => ({
  address: `127.0.0.1:${7000 + name.length}`,
  kind: 'loopback',
  source: 'peer',
  reachable,
  lastSeen,
  failures: reachable ? 0 : 2,
  name,
});
const tallier = (key: string, name: string | undefined, done: boolean, mine = false) => ({
  key,
  accepted: true,
  factor: done ? ('verified' as const) : ('awaiting' as const),
  mine,
  ...(name ? { name } : {}),
});
const sealed = (talliers: ResultView['talliers']): ResultView => ({
  final: true,
  ballots: 5,
  talliers,
  seal: { final: 'ab'.repeat(32), height: 12, round: 1 },
  lateBranches: [],
  verification: { status: 'incomplete' },
});
const seenAt = Date.UTC(2026, 11, 2, 19, 37);

describe('who a wait is for, in words', () => {
  test('threshold talliers: the count that matters, and who could complete it', () => {
    const result: ResultView = {
      ...sealed([
        tallier('aaaa', 'ann', true),
        tallier('bbbb', 'bob', true),
        tallier('cccc', 'carl', false),
        tallier('dddd', 'dave', false),
        tallier('eeee', 'erin', false),
      ]),
      quorum: 3,
      sealQuorum: 3,
    };
    const peers = [peer('carl', true, Date.now()), peer('dave', false, seenAt), peer('erin', false, seenAt)];
    assert.equal(
      waitingSentence(result, peers),
      `The result needs any 3 of 5 talliers: 2 in. One more of carl (online), dave (offline since ${formatTime(seenAt)}) or erin (offline since ${formatTime(seenAt)}) is enough: the talliers present stand in for the others.`,
    );
    // Covered by stand-ins: not awaited.
    const covered: ResultView = {
      ...result,
      talliers: result.talliers.map((t) =>
        t.factor === 'awaiting' ? { ...t, factor: 'stood-in' as const } : t,
      ),
    };
    assert.equal(waitingSentence(covered, peers), undefined);
    // Before the seal: the seal quorum.
    const unsealed: ResultView = {
      ...result,
      talliers: result.talliers.map((t, i) => ({ ...t, accepted: i < 2 })),
    };
    delete (unsealed as { seal?: unknown }).seal;
    assert.match(
      waitingSentence(unsealed, peers)!,
      /^Nothing is decrypted until 3 of 5 talliers accept the same final block: 2 have\. One more of carl \(online\), dave \(offline since [^)]*\) or erin \(offline since [^)]*\) is enough\.$/,
    );
  });

  test('a missing tallier is named, with when its runner was last seen (the issue’s killed runner)', () => {
    const result = sealed([
      tallier('e30615f4486e8135', 'dave', false),
      tallier('1111222233334444', 'erin', true),
      tallier('5555666677778888', undefined, true, true),
    ]);
    const peers = [peer('dave', false, seenAt), peer('erin', true, Date.now())];
    assert.equal(
      waitingSentence(result, peers),
      `Waiting for dave (offline since ${formatTime(seenAt)}): the result needs their tallier key back online. 2 of 3 decryption factors are in.`,
    );
  });

  test('online, unnamed, never reached, not a peer, and this runner itself', () => {
    assert.equal(tallierInWords(tallier('k', 'erin', false), [peer('erin', true, 1)]), 'erin (online)');
    assert.equal(
      tallierInWords(tallier('e30615f4486e8135', undefined, false), []),
      'an unnamed tallier (key e30615f4…)',
    );
    assert.equal(
      tallierInWords(tallier('k', 'fay', false), [peer('fay', null, null)]),
      'fay (not reached yet)',
    );
    assert.equal(tallierInWords(tallier('k', 'gus', false), []), 'gus (not among your peers)');
    assert.equal(tallierInWords(tallier('k', 'me', false, true), []), 'your own runner');
  });

  test('a name is never taken from two peers, and is shown without direction-changing characters', () => {
    // A hostile peer calling itself dave cannot make the offline dave look online.
    const dave = tallier('k', 'dave', false);
    const peers = [
      peer('dave', false, seenAt),
      { ...peer('dave', true, Date.now()), address: '127.0.0.1:9999' },
    ];
    assert.equal(tallierInWords(dave, peers), 'dave (2 peers go by that name)');
    assert.match(waitingSentence(sealed([dave]), peers)!, /the result needs their tallier key back online/);
    assert.equal(tallierInWords(tallier('k', '\u202Eevad', false), []), 'evad (not among your peers)');
    // An unnamed tallier is never taken for the one peer that announces no name either.
    const { name: _, ...unnamedPeer } = peer('x', true, Date.now());
    assert.match(waitingSentence(sealed([tallier('a1', undefined, false)]), [unnamedPeer])!, /back online/);
  });

  test('several awaited; before the seal, the acceptances; nothing awaited, no sentence', () => {
    const two = sealed([tallier('a1', 'dave', false), tallier('b2', 'erin', false)]);
    assert.match(
      waitingSentence(two, [peer('dave', false, seenAt), peer('erin', true, 1)])!,
      /^Waiting for dave \(offline since .+\) and erin \(online\): the result needs every tallier’s decryption factor/,
    );
    const { seal: _, ...unsealed } = two;
    const accepting: ResultView = {
      ...unsealed,
      talliers: [{ ...tallier('a1', 'dave', false), accepted: false }],
    };
    assert.match(
      waitingSentence(accepting, [])!,
      /^Waiting for dave \(not among your peers\) to accept the final block \(0 of 1 have\)/,
    );
    assert.equal(waitingSentence(sealed([tallier('a1', 'dave', true)]), []), undefined);
    assert.equal(listInWords(['a', 'b', 'c']), 'a, b and c');
  });
});
