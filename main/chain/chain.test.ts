import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptBallot } from '../crypto/ballot';
import { decryptTally, yesNoResult } from '../crypto/decryption';
import { fixedRandomness, systemRandomness } from '../crypto/random';
import { TallierSecretKey } from '../crypto/tallier';
import type { Ballot } from '../crypto/types';
import { type Block, blockHash, encodeBlock, parseBlock } from './block';
import { type AddResult, type BlockMeta, Chain } from './chain';
import {
  ballotPayload,
  confirmation,
  extend,
  keyPayload,
  makeBlock,
  T0,
  Talliers,
  testGenesis,
} from './testing';

const genesis = testGenesis(); // T = 3 key blocks, V = 4 ballots, C = 1 confirmation, 2 talliers
const { keys, secrets } = new Talliers(genesis, 3);
const [A, B, C] = keys as [(typeof keys)[0], (typeof keys)[0], (typeof keys)[0]];

function status(result: AddResult): string {
  return 'reason' in result ? `${result.status}: ${result.reason}` : result.status;
}

/** Phase 1 with keys A, B, A: talliers A and B. */
function keyPhase(chain: Chain, order = [A, B, A]): BlockMeta {
  let tip = chain.genesisMeta;
  for (const key of order) tip = extend(chain, tip, keyPayload(key));
  return tip;
}

function votes(chain: Chain, from: BlockMeta, values: readonly (0 | 1)[]): BlockMeta {
  let tip = from;
  for (const v of values) tip = extend(chain, tip, ballotPayload(chain, tip, v));
  return tip;
}

describe('chain: a whole election', () => {
  test('phases by height, tallier election, ballots, final tally, and its decryption', () => {
    const chain = new Chain(genesis);
    const afterKeys = keyPhase(chain);
    assert.equal(chain.state().phase, 'vote');
    const { keyElection, electionKey } = chain.state();
    assert.deepEqual(
      keyElection.talliers.map((k) => k.pk),
      [A.pk, B.pk],
    );
    assert.equal(electionKey, genesis.group.mul(A.pk, B.pk));

    const lastVote = votes(chain, afterKeys, [1, 0, 1, 1]);
    assert.equal(chain.state().phase, 'confirm');
    assert.equal(chain.state().final, false);
    const tip = extend(chain, lastVote, confirmation);
    const state = chain.state();
    assert.equal(state.phase, 'final');
    assert.equal(state.final, true);
    assert.equal(state.ballots, 4);
    assert.equal(tip.height, chain.finalHeight);

    const tallierSecrets = [secrets[0]!, secrets[1]!];
    const factors = tallierSecrets.map((s) => s.decryptionFactor(genesis.id, state.tallies));
    const counts = decryptTally(
      genesis.group,
      genesis.id,
      state.tallies,
      state.ballots,
      [A.pk, B.pk],
      factors,
    );
    const result = yesNoResult(counts, state.ballots);
    assert.deepEqual(result, { yes: 3, no: 1, total: 4 });
  });

  test('no block above the final height', () => {
    const chain = new Chain(genesis);
    const tip = extend(chain, votes(chain, keyPhase(chain), [0, 0, 0, 0]), confirmation);
    assert.match(status(chain.add(makeBlock(chain, tip, confirmation))), /^invalid: height 9 is beyond/);
  });
});

describe('chain: validity', () => {
  const chain = new Chain(genesis, { now: () => T0 + 1000 });
  const afterKeys = keyPhase(chain);

  test('wrong payload kind for the height', () => {
    assert.match(
      status(chain.add(makeBlock(chain, afterKeys, keyPayload(C)))),
      /^invalid: height 4 is in the vote phase/,
    );
    assert.match(
      status(chain.add(makeBlock(chain, afterKeys, confirmation))),
      /must carry a ballot, not a confirmation/,
    );
    assert.match(
      status(chain.add(makeBlock(chain, chain.genesisMeta, ballotPayload(chain, afterKeys, 1)))),
      /height 1 is in the key phase/,
    );
  });

  test('invalid proofs: a tampered pk_pok, a ballot under another key, a ballot that encrypts 2', () => {
    const forged = { ...C, pkPok: { ...C.pkPok, response: (C.pkPok.response + 1n) % genesis.group.q } };
    assert.match(status(chain.add(makeBlock(chain, chain.genesisMeta, keyPayload(forged)))), /pk_pok/);
    const wrongKey = encryptBallot(genesis.group, genesis.id, A.pk, 1);
    assert.match(
      status(chain.add(makeBlock(chain, afterKeys, { kind: 'ballot', ballot: wrongKey }))),
      /payload\.ballot/,
    );
    const honest = ballotPayload(chain, afterKeys, 1);
    if (honest.kind !== 'ballot') throw new Error('unreachable');
    const ballot = honest.ballot as Ballot;
    const two = { ...ballot, beta: genesis.group.mul(ballot.beta, genesis.group.g) };
    assert.match(
      status(chain.add(makeBlock(chain, afterKeys, { kind: 'ballot', ballot: two }))),
      /payload\.ballot/,
    );
  });

  test('an invalid block is remembered and its descendants are refused, before and after it', () => {
    const bad = makeBlock(chain, afterKeys, confirmation);
    const badResult = chain.add(bad);
    assert.equal(badResult.status, 'invalid');
    const badHash = badResult.status === 'invalid' ? badResult.hash : '';
    const sizeBefore = chain.size;
    const child = makeBlock(
      chain,
      { ...afterKeys, hash: badHash, height: 4, timestamp: bad.timestamp },
      confirmation,
    );
    assert.match(status(chain.add(child)), /descends from invalid block/);
    assert.match(status(chain.add(bad)), /^invalid: height 4 is in the vote phase/);
    assert.equal(chain.size, sizeBefore);
  });

  test('proof of work: a hash above the target is refused and not remembered', () => {
    const block = makeBlock(chain, afterKeys, ballotPayload(chain, afterKeys, 0));
    let nonce = block.nonce;
    let result: AddResult;
    do {
      nonce++;
      result = chain.add({ ...block, nonce });
    } while (result.status === 'added' || result.status === 'known');
    assert.match(status(result), /proof of work/);
    assert.equal(chain.invalidReason(result.hash), undefined);
  });

  test('timestamps: not above the median of the last 11 is invalid; more than 10 min ahead waits', () => {
    const stale = makeBlock(chain, afterKeys, ballotPayload(chain, afterKeys, 0), {
      timestamp: afterKeys.parent!.timestamp,
    });
    assert.match(status(chain.add(stale)), /not above the median/);
    const future = makeBlock(chain, afterKeys, ballotPayload(chain, afterKeys, 0), {
      timestamp: T0 + 1000 + 601,
    });
    assert.match(status(chain.add(future)), /^rejected: timestamp .* more than 10 min ahead/);
    const later = new Chain(genesis, { now: () => T0 + 1000 + 601 });
    const tip = keyPhase(later);
    assert.equal(
      later.add(makeBlock(later, tip, ballotPayload(later, tip, 0), { timestamp: T0 + 1601 })).status,
      'added',
    );
    const ok = makeBlock(chain, afterKeys, ballotPayload(chain, afterKeys, 0), {
      timestamp: T0 + 1000 + 600,
    });
    assert.equal(chain.add(ok).status, 'added');
    // Version 1 allowed 2 h.
    const v1 = testGenesis({ version: 1 });
    const old = new Chain(v1, { now: () => T0 + 1000 });
    const [a1, b1] = new Talliers(v1, 2).keys as [typeof A, typeof A];
    const oldTip = keyPhase(old, [a1, b1, a1]);
    const ahead = (s: number) =>
      makeBlock(old, oldTip, ballotPayload(old, oldTip, 0), { timestamp: T0 + 1000 + s });
    assert.match(status(old.add(ahead(7201))), /^rejected: timestamp .* more than 2 h ahead/);
    assert.equal(old.add(ahead(7200)).status, 'added');
  });

  test('height must follow the parent', () => {
    const block = makeBlock(chain, afterKeys, ballotPayload(chain, afterKeys, 0));
    const wrong = { ...block, height: 5 };
    // Re-mine with the wrong height so that only the height rule can refuse it.
    let result: AddResult;
    let nonce = 0n;
    do result = chain.add({ ...wrong, nonce: nonce++ });
    while (result.status === 'invalid' && /proof of work/.test(result.reason));
    assert.match(status(result), /height 5 does not follow its parent's height 3/);
  });

  test('a replayed ballot is refused on its branch, accepted on another', () => {
    const first = extend(chain, afterKeys, ballotPayload(chain, afterKeys, 1));
    const ballot = first.block!.payload;
    assert.match(status(chain.add(makeBlock(chain, first, ballot))), /ballot replay/);
    const sibling = makeBlock(chain, afterKeys, ballot, { miner: 'someone else' });
    assert.equal(chain.add(sibling).status, 'added');
  });

  test('the block JSON round-trips and malformed blocks are refused with the field', () => {
    const block = makeBlock(chain, afterKeys, ballotPayload(chain, afterKeys, 1));
    const json = encodeBlock(genesis.group, block);
    assert.deepEqual(parseBlock(genesis.group, JSON.parse(JSON.stringify(json))), block);
    const refuses = (value: unknown, field: RegExp) =>
      assert.throws(() => parseBlock(genesis.group, value), field);
    refuses({ ...json, height: 0 }, /block\.height/);
    refuses({ ...json, height: '4' }, /block\.height/);
    refuses({ ...json, prev: json.prev.toUpperCase() }, /block\.prev/);
    refuses({ ...json, nonce: 5 }, /block\.nonce/);
    refuses({ ...json, miner: 'x'.repeat(65) }, /block\.miner/);
    refuses({ ...json, miner: 'a\nb' }, /block\.miner/);
    refuses({ ...json, payload: { kind: 'vote' } }, /block\.payload\.kind/);
    refuses({ ...json, payload: { kind: 'confirmation', extra: 1 } }, /block\.payload\.extra/);
    refuses({ ...json, payload: { ...json.payload, kind: 'confirmation' } }, /block\.payload/);
    refuses({ ...json, extra: true }, /block\.extra/);
    refuses(null, /block/);
  });
});

describe('chain: orphans', () => {
  test('blocks arriving before their parents wait, then connect in order', () => {
    const source = new Chain(genesis);
    const tips = [keyPhase(source)];
    const blocks = source.branch(tips[0]).map((m) => m.block!);
    const chain = new Chain(genesis);
    const r3 = chain.add(blocks[2]!);
    assert.deepEqual(r3.status === 'orphan' && r3.missing, source.branch(tips[0])[1]!.hash);
    assert.equal(chain.add(blocks[1]!).status, 'orphan');
    const r1 = chain.add(blocks[0]!);
    assert.equal(r1.status, 'added');
    if (r1.status !== 'added') return;
    assert.equal(r1.added.length, 3);
    assert.equal(chain.tip.hash, tips[0]!.hash);
    assert.equal(chain.orphanCount(), 0);
  });

  test('the orphan pool is bounded', () => {
    const chain = new Chain(genesis, { maxOrphans: 2 });
    const source = new Chain(genesis);
    const blocks = source.branch(keyPhase(source)).map((m) => m.block!);
    const fakeParent = { ...source.genesisMeta, hash: 'ab'.repeat(32), height: 5 };
    for (const key of [A, B, C]) chain.add(makeBlock(source, fakeParent, keyPayload(key)));
    assert.equal(chain.orphanCount(), 2);
    assert.equal(chain.add(blocks[0]!).status, 'added');
  });
});

describe('chain: forks and reorgs', () => {
  test('more work wins; equal work keeps the first seen', () => {
    const chain = new Chain(genesis);
    const a1 = extend(chain, chain.genesisMeta, keyPayload(A));
    const b1 = extend(chain, chain.genesisMeta, keyPayload(B));
    assert.equal(chain.tip, a1);
    const b2 = chain.add(makeBlock(chain, b1, keyPayload(B)));
    assert.equal(b2.status === 'added' && b2.best, true);
    assert.equal(b2.status === 'added' && b2.reorg?.fork, chain.genesisMeta);
    assert.equal(chain.tip.parent, b1);
  });

  test('a reorg across the key/vote boundary changes talliers, election key and ballot validity', () => {
    const chain = new Chain(genesis);
    const k2 = extend(chain, extend(chain, chain.genesisMeta, keyPayload(A)), keyPayload(A));
    // Branch X: third key B → talliers A, B. Branch Y: third key C → talliers A, C.
    const x3 = extend(chain, k2, keyPayload(B));
    const xVote = extend(chain, x3, ballotPayload(chain, x3, 1));
    const y3 = extend(chain, k2, keyPayload(C));
    const keyX = chain.electionOf(x3).key;
    const keyY = chain.electionOf(y3).key;
    assert.equal(keyX, genesis.group.mul(A.pk, B.pk));
    assert.equal(keyY, genesis.group.mul(A.pk, C.pk));
    assert.equal(chain.tip, xVote);

    // A ballot made for branch X is invalid on branch Y.
    assert.match(status(chain.add(makeBlock(chain, y3, xVote.block!.payload))), /payload\.ballot/);
    const y4 = extend(chain, y3, ballotPayload(chain, y3, 0));
    assert.equal(chain.tip, xVote, 'equal work: the first seen stays');
    const y5 = chain.add(makeBlock(chain, y4, ballotPayload(chain, y4, 0)));
    assert.equal(y5.status, 'added');
    if (y5.status !== 'added') return;
    assert.equal(y5.reorg?.fork, k2);
    assert.equal(y5.reorg?.from, xVote);
    const state = chain.state();
    assert.equal(state.electionKey, keyY);
    assert.deepEqual(
      state.keyElection.talliers.map((k) => k.pk),
      [A.pk, C.pk],
    );
    assert.equal(state.ballots, 2);
  });

  test('side branches are bounded: past the bound only branches near the best, at heights with few blocks, take blocks, declined before validation', () => {
    const chain = new Chain(genesis, { maxSideBlocks: 8 });
    const best = votes(chain, keyPhase(chain), [1, 0]); // height 5
    const side = () => chain.size - 1 - chain.tip.height;
    // Eight far-behind side blocks (children of the genesis) are taken while under the bound.
    for (let i = 0; i < 8; i++) extend(chain, chain.genesisMeta, keyPayload(A), { miner: `side${i}` });
    assert.equal(side(), 8);
    // Past it, a far-behind block is declined, before validation (a forged proof is not even seen).
    const forged = { ...C, pkPok: { ...C.pkPok, response: (C.pkPok.response + 1n) % genesis.group.q } };
    const far = chain.add(makeBlock(chain, chain.genesisMeta, keyPayload(forged), { miner: 'far' }));
    assert.equal(far.status, 'declined');
    assert.match(
      status(far),
      /at their bound here \(8 blocks\) and this block's branch is more than 2 blocks behind/,
    );
    assert.equal(
      chain.invalidReason(far.status === 'declined' ? far.hash : ''),
      undefined,
      'nothing remembered',
    );
    // Near the best (siblings of the tip): taken until height 5 holds MAX_AT_HEIGHT = 4 blocks.
    const parent = best.parent!;
    for (let i = 0; i < 3; i++) extend(chain, parent, ballotPayload(chain, parent, 0), { miner: `near${i}` });
    const fifth = chain.add(makeBlock(chain, parent, ballotPayload(chain, parent, 1), { miner: 'fifth' }));
    assert.match(status(fifth), /height 5 already holds 4 blocks/);
    assert.equal(side(), 11);
    // A block extending the best tip is always taken.
    const next = chain.add(makeBlock(chain, best, ballotPayload(chain, best, 1)));
    assert.equal(next.status === 'added' && next.best, true);
    // The bound is not a validity rule: the store's own blocks are replayed whatever it says.
    assert.equal(
      chain.add(makeBlock(chain, chain.genesisMeta, keyPayload(B), { miner: 'own' }), { trusted: true })
        .status,
      'added',
    );
  });

  test('past the bound, blocks squatted at one height do not keep a runner off a better branch (found in review)', () => {
    const g = testGenesis({ nTalliersBlocks: 6, nVoteBlocks: 2 });
    const { keys: ks } = new Talliers(g, 2);
    const [P, Q] = ks as [(typeof ks)[0], (typeof ks)[0]];
    const r1 = new Chain(g, { maxSideBlocks: 8 });
    const r2 = new Chain(g);
    const flood = Array.from({ length: 8 }, (_, i) =>
      makeBlock(r1, r1.genesisMeta, keyPayload(P), { miner: `flood${i}` }),
    );
    const b1 = makeBlock(r1, r1.genesisMeta, keyPayload(P), { miner: 'h1' });
    for (const c of [r1, r2]) for (const b of [b1, ...flood]) c.add(b);
    const t = r1.get(blockHash(g.group, b1))!;
    // The attacker shows r1 a block on its tip and three siblings: height 2 is full there.
    extend(r1, t, keyPayload(P), { miner: 'att-a' });
    for (let i = 0; i < 3; i++) r1.add(makeBlock(r1, t, keyPayload(Q), { miner: `att-s${i}` }));
    // The honest network's branch at height 2 and above, offered to r1 oldest first (a sync).
    const honest: Block[] = [];
    let tip = r2.get(t.hash)!;
    for (let i = 0; i < 4; i++) {
      const block = makeBlock(r2, tip, keyPayload(Q), { miner: `honest${i}` });
      r2.add(block);
      tip = r2.tip;
      honest.push(block);
    }
    assert.equal(r1.add(honest[0]!).status, 'declined', 'alone, the honest block is declined');
    // Its child gives its branch more work than r1's best: the parked block comes in with it.
    const second = r1.add(honest[1]!);
    assert.equal(second.status, 'added');
    for (const block of honest.slice(2)) r1.add(block);
    assert.equal(r1.tip.hash, r2.tip.hash);
  });

  test('past the bound, final blocks are never declined (the lower-hash rule and the rounds need them)', () => {
    const chain = new Chain(genesis, { maxSideBlocks: 2 });
    let tip = votes(chain, keyPhase(chain), [1, 0, 1, 0]); // height 7
    const parent = tip;
    for (let i = 0; i < 2; i++) extend(chain, chain.genesisMeta, keyPayload(C), { miner: `side${i}` });
    const finals = Array.from({ length: 6 }, (_, i) =>
      makeBlock(chain, parent, confirmation, { miner: `final${i}` }),
    );
    for (const block of finals) assert.equal(chain.add(block).status, 'added');
    tip = chain.tip;
    const lowest = finals.map((b) => blockHash(genesis.group, b)).sort()[0];
    assert.equal(tip.hash, lowest);
  });

  test("only the best branch's election key earns a fixed-base table; side branches' keys never do", () => {
    const chain = new Chain(genesis);
    const group = genesis.group;
    const best = votes(chain, keyPhase(chain), [1]);
    const bestKey = chain.electionOf(best).key;
    assert.equal(group.hasTable(bestKey), true);
    // Eight side branches forked at the genesis, each electing another pair of talliers (the
    // attack of issue 11, 4b: each side ballot block used to build a 17 MB table).
    const { keys: others } = new Talliers(genesis, 8);
    const sideKeys: bigint[] = [];
    for (const other of others) {
      const side = keyPhase(chain, [other, other, A]);
      sideKeys.push(chain.electionOf(side).key);
      votes(chain, side, [0]);
    }
    assert.equal(chain.tip, best, 'the side branches are shorter');
    assert.deepEqual(
      sideKeys.map((h) => group.hasTable(h)),
      sideKeys.map(() => false),
    );
    assert.equal(group.hasTable(bestKey), true, "the best branch's table survived");
  });

  test('version 2: between final blocks the lower hash leads until the talliers seal one; then nothing displaces it', () => {
    const source = new Chain(genesis);
    const v3 = votes(source, keyPhase(source), [1, 1, 0]);
    const lastA = extend(source, v3, ballotPayload(source, v3, 1));
    const lastB = extend(source, v3, ballotPayload(source, v3, 0));
    const finalA = extend(source, lastA, confirmation);
    const finalB = extend(source, lastB, confirmation);
    const [low, high] = finalA.hash < finalB.hash ? [finalA, finalB] : [finalB, finalA];
    const shared = source.branch(v3).map((m) => m.block!);
    for (const [first, second] of [
      [finalA, finalB],
      [finalB, finalA],
    ] as const) {
      const chain = new Chain(genesis);
      for (const m of [...shared.map((b) => ({ block: b })), first.parent!, first, second.parent!, second])
        assert.equal(chain.add(m.block!).status, 'added');
      assert.equal(chain.tip.hash, low.hash, 'the lower hash leads, in any arrival order');
    }
    // Sealed on the higher hash: the chain keeps it, and a lower final block arriving later is late.
    const chain = new Chain(genesis);
    for (const m of [...shared.map((b) => ({ block: b })), high.parent!, high]) chain.add(m.block!);
    chain.lock(high.hash);
    assert.equal(chain.add(low.parent!.block!).status, 'late');
    assert.equal(chain.tip.hash, high.hash);
  });

  test('version 1: a fork at the last voting height: the final tie is broken by the lower hash, in any arrival order', () => {
    const genesis = testGenesis({ version: 1 });
    const source = new Chain(genesis);
    const [a1, b1] = new Talliers(genesis, 2).keys as [typeof A, typeof A];
    const v3 = votes(source, keyPhase(source, [a1, b1, a1]), [1, 1, 0]);
    const lastA = extend(source, v3, ballotPayload(source, v3, 1));
    const lastB = extend(source, v3, ballotPayload(source, v3, 0));
    const finalA = extend(source, lastA, confirmation);
    const finalB = extend(source, lastB, confirmation);
    const winner = finalA.hash < finalB.hash ? finalA : finalB;
    const shared = source.branch(v3).map((m) => m.block!);
    for (const order of [
      [lastA, finalA, lastB, finalB],
      [lastB, finalB, lastA, finalA],
      [lastA, lastB, finalB, finalA],
    ]) {
      const chain = new Chain(genesis);
      for (const block of [...shared, ...order.map((m) => m.block!)])
        assert.equal(chain.add(block).status, 'added');
      assert.equal(chain.tip.hash, winner.hash);
      // Both final branches are known, in arrival order: factors may come for either.
      const finals = order.filter((m) => m === finalA || m === finalB).map((m) => m.hash);
      assert.deepEqual(
        chain.finalTips().map((m) => m.hash),
        finals,
      );
      assert.equal(chain.state().final, true);
      assert.equal(chain.state().ballots, 4);
      assert.deepEqual(chain.state().tallies[0]!, winner.tallies[0]!);
    }
    assert.notDeepEqual(finalA.tallies[0]!, finalB.tallies[0]!);
  });
});

/** Keys g^x and g^−x: each with a valid pk_pok (whoever knows x knows −x), their product 1. */
function inverseKeys() {
  const { group } = genesis;
  const x = systemRandomness.scalar(group.q);
  const [X, Y] = [x, group.q - x].map((s) =>
    TallierSecretKey.fromSecret(group, s).provePossession(genesis.id),
  );
  assert.equal(group.mul(X!.pk, Y!.pk), 1n);
  return [X!, Y!] as const;
}

/** A ballot for `vote` under `h` with the encryption nonce `r` (α = g^r). */
function ballotWithNonce(h: bigint, vote: 0 | 1, r: bigint) {
  const { group } = genesis;
  const rng = fixedRandomness([
    r,
    systemRandomness.scalar(group.q),
    systemRandomness.challenge(),
    systemRandomness.scalar(group.q),
  ]);
  return encryptBallot(group, genesis.id, h, vote, rng);
}

describe('chain: an election key of 1, a tally whose α is 1', () => {
  test('the block at height T is invalid when the keys it elects multiply to 1; nothing changes', () => {
    const chain = new Chain(genesis);
    const [X, Y] = inverseKeys();
    const two = keyPhase(chain, [X, Y]);
    // X, Y, X elects X and Y: h = 1 would encrypt nothing (β = g^m), so the height-3 block is refused.
    const result = chain.add(makeBlock(chain, two, keyPayload(X)));
    assert.match(status(result), /^invalid: talliers: the elected keys multiply to 1/);
    assert.equal(chain.tip, two);
    assert.equal(chain.state().phase, 'key');
    assert.equal(chain.state().electionKey, undefined);
    // On another branch the same keys are harmless when they are not both elected: X, A, X.
    let other = chain.genesisMeta;
    for (const key of [X, A, X]) other = extend(chain, other, keyPayload(key), { miner: 'other' });
    assert.equal(chain.tip, other);
    assert.equal(chain.state().electionKey, genesis.group.mul(X.pk, A.pk));
  });

  test('a ballot that brings the tally’s α to 1 (nonces r and q − r) is invalid; alone it is valid', () => {
    const chain = new Chain(genesis);
    const afterKeys = keyPhase(chain);
    const h = chain.electionOf(afterKeys).key;
    const r = systemRandomness.scalar(genesis.group.q);
    const first = extend(chain, afterKeys, { kind: 'ballot', ballot: ballotWithNonce(h, 1, r) });
    const inverse = ballotWithNonce(h, 0, genesis.group.q - r);
    const result = chain.add(makeBlock(chain, first, { kind: 'ballot', ballot: inverse }));
    assert.match(status(result), /^invalid: block\.payload\.ballot\.alpha: brings the tally’s α to 1/);
    assert.equal(chain.tip, first);
    assert.equal(chain.state().ballots, 1);
    // The same ballot is valid where it does not cancel the tally: first on a sibling branch.
    const sibling = extend(chain, afterKeys, { kind: 'ballot', ballot: inverse });
    assert.equal(sibling.ballots, 1);
  });
});
