// A voter's runner follows its own ballot (issue 13, item 5): counted, then displaced by a reorg,
// sent again and counted on the new best chain; a revote replaces it; a restart keeps the receipts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { type Block, encodeBlock, type Payload } from '../chain/block';
import type { BlockMeta } from '../chain/chain';
import { mine, testGenesis } from '../chain/testing';
import { encodeCastBallot } from '../crypto/codec';
import { CredentialSecretKey } from '../crypto/credential';
import { Group } from '../crypto/group';
import { type Randomness, systemRandomness } from '../crypto/random';
import { PENALTY_MS, RESEND_MIN_MS, RESEND_MS } from './casting';
import { ElectionNode } from './election-node';

const root = mkdtempSync(path.join(os.tmpdir(), 'oe-casting-'));
after(() => rmSync(root, { recursive: true, force: true }));

const group = Group.default();
const me = CredentialSecretKey.generate(group);
const other = CredentialSecretKey.generate(group);
const genesis = testGenesis({
  ballotRule: 'per-voter',
  roster: [me.publicKey, other.publicKey],
  nTalliers: 1,
  nTalliersBlocks: 1,
  nVoteBlocks: 6,
  createdAt: Math.floor(Date.now() / 1000) - 3600,
});

/** Mines the node's own next block (its template) and stores it. */
async function mineOwn(node: ElectionNode): Promise<BlockMeta> {
  const template = node.template();
  assert.ok(template, 'something to mine');
  const result = await node.submitBlock(mine(genesis, template), 'self');
  assert.equal(result.status, 'added', 'reason' in result ? result.reason : result.status);
  return node.chain.tip;
}

/** A block on `parent` from someone else, carrying `payload`. */
async function mineOther(node: ElectionNode, parent: BlockMeta, payload: Payload): Promise<BlockMeta> {
  const block: Block = mine(genesis, {
    height: parent.height + 1,
    prev: parent.hash,
    timestamp: node.chain.minChildTimestamp(parent) + 5,
    miner: 'someone else',
    payload,
  });
  const result = await node.submitBlock(encodeBlock(group, block), 'push');
  assert.equal(result.status, 'added', 'reason' in result ? result.reason : result.status);
  return node.chain.get(result.status === 'added' ? result.added[0]!.hash : '')!;
}

const states = (node: ElectionNode) =>
  node.casting!.receipts().map((r) => [r.seq, r.state, r.height ?? null]);

/**
 * A rival runner (tallier `me`) mines three blocks from the genesis; `node` takes them and reorgs
 * to that branch, whose key election elected other talliers. The new best chain's election key.
 */
async function reorgToRival(node: ElectionNode, dir: string): Promise<bigint> {
  const rival = await ElectionNode.create(
    path.join(root, dir),
    genesis,
    { name: 'rival', mining: false, threads: 1 },
    { credential: me },
  );
  try {
    for (let i = 0; i < 3; i++) {
      const block = mine(genesis, rival.template()!);
      assert.equal((await rival.submitBlock(block, 'self')).status, 'added');
      assert.equal((await node.submitBlock(encodeBlock(group, block), 'push')).status, 'added');
    }
  } finally {
    await rival.close();
  }
  return node.chain.electionOf(node.chain.tip).key;
}

async function settle(node: ElectionNode): Promise<void> {
  // The voter's duty runs after each new tip; let it finish.
  await node.casting!.castIfNeeded(node.settings.vote);
}

describe('a voter follows its ballot', () => {
  test('counted, displaced by a reorg, sent again and counted again; a revote replaces it; receipts survive a restart', async () => {
    const dir = path.join(root, 'me');
    const node = await ElectionNode.create(
      dir,
      genesis,
      { name: 'me', mining: false, threads: 1, vote: 1 },
      { credential: me },
    );
    try {
      // The key block (endorsed by this voter), then the voting phase opens: the ballot is cast.
      const keyBlock = await mineOwn(node);
      await settle(node);
      assert.deepEqual(states(node), [[1, 'sent', null]]);
      assert.equal(node.casting!.pool.size, 1);

      const carrying = await mineOwn(node);
      await settle(node);
      assert.deepEqual(states(node), [[1, 'counted', carrying.height]]);
      assert.equal(node.casting!.pool.size, 0, 'counted ballots leave the pool');

      // Another miner's branch from the key block, without the ballot, becomes best: displaced.
      const b1 = await mineOther(node, keyBlock, { kind: 'ballots', ballots: [] });
      const b2 = await mineOther(node, b1, { kind: 'ballots', ballots: [] });
      assert.equal(node.chain.tip, b2);
      await settle(node);
      assert.deepEqual(states(node), [[1, 'displaced', null]]);

      // The next re-send puts it back in the pool, and the next block here counts it again.
      await node.casting!.castIfNeeded(1, Date.now() + RESEND_MS + 1);
      assert.equal(node.casting!.pool.size, 1);
      const again = await mineOwn(node);
      await settle(node);
      assert.deepEqual(states(node), [[1, 'counted', again.height]]);

      // A change of mind: a new ballot (seq 2) replaces the first.
      await node.setVote(0);
      await settle(node);
      const revote = await mineOwn(node);
      await settle(node);
      assert.deepEqual(states(node), [
        [1, 'replaced', null],
        [2, 'counted', revote.height],
      ]);
    } finally {
      await node.close();
    }
    // A restart reads the receipts back from voter-key.json.
    const reopened = await ElectionNode.open(dir, {}, { inspect: true });
    try {
      assert.deepEqual(
        reopened.casting!.receipts().map((r) => [r.seq, r.vote, r.state]),
        [
          [1, 1, 'replaced'],
          [2, 0, 'counted'],
        ],
      );
    } finally {
      await reopened.close();
    }
  });
});

describe('re-sending an uncounted ballot', () => {
  test('after a new block it goes again within a second, not after the 10 s wait', async () => {
    // Peers a block behind refuse a ballot until their voting phase opens; blocks may come every
    // second. A CI run lost two non-mining voters' ballots that waited out RESEND_MS.
    const node = await ElectionNode.create(
      path.join(root, 'resend'),
      genesis,
      { name: 'me', mining: false, threads: 1, vote: 1 },
      { credential: me },
    );
    const sent: number[] = [];
    node.on('cast', (_cast, origin) => {
      if (origin === undefined) sent.push(node.chain.tip.height);
    });
    try {
      const keyBlock = await mineOwn(node);
      const start = Date.now();
      await node.casting!.castIfNeeded(1, start);
      assert.equal(sent.length, 1, 'cast once the voting phase opens');
      await node.casting!.castIfNeeded(1, start + RESEND_MIN_MS + 1);
      assert.equal(sent.length, 1, 'no new block: no re-send before RESEND_MS');
      // Someone else's block without it: the tip moved, so it goes again after RESEND_MIN_MS.
      await mineOther(node, keyBlock, { kind: 'ballots', ballots: [] });
      await node.casting!.castIfNeeded(1, start + 100);
      assert.equal(sent.length, 1, 'never sooner than RESEND_MIN_MS');
      await node.casting!.castIfNeeded(1, start + RESEND_MIN_MS + 1);
      assert.deepEqual(sent, [keyBlock.height, keyBlock.height + 1]);
      await node.casting!.castIfNeeded(1, start + RESEND_MIN_MS + 500);
      assert.equal(sent.length, 2, 'once per new block');
      await node.casting!.castIfNeeded(1, start + RESEND_MIN_MS + 1 + RESEND_MS);
      assert.equal(sent.length, 3, 'and every RESEND_MS regardless');
    } finally {
      await node.close();
    }
  });
});

describe('the pool after a reorg, and the tally rule (review findings)', () => {
  const fixedFirst = (r: bigint): Randomness => {
    let used = false;
    return {
      scalar: (q) => {
        if (used) return systemRandomness.scalar(q);
        used = true;
        return r;
      },
      challenge: () => systemRandomness.challenge(),
    };
  };

  test('a ballot answered "already on the best chain" is taken again after a reorg drops its block', async () => {
    const node = await ElectionNode.create(
      path.join(root, 'reorg-pool'),
      genesis,
      { name: 'r', mining: false, threads: 1 },
      { credential: other },
    );
    try {
      const keyBlock = await mineOwn(node);
      const key = node.chain.electionOf(keyBlock).key;
      const cast = me.cast(genesis.id, key, 1, 1);
      const json = encodeCastBallot(group, cast);
      await mineOther(node, keyBlock, { kind: 'ballots', ballots: [cast] });
      assert.equal(node.submitCast(json), 'known', 'a late copy: its voter is counted with it');
      const b1 = await mineOther(node, keyBlock, { kind: 'ballots', ballots: [] });
      await mineOther(node, b1, { kind: 'ballots', ballots: [] });
      assert.equal(node.chain.countedCast(me.publicKey), undefined, 'the reorg dropped it');
      assert.equal(node.submitCast(json), 'added', 'the re-sent ballot goes in again');
      const template = node.template()!;
      assert.equal(template.payload.kind === 'ballots' && template.payload.ballots.length, 1);
    } finally {
      await node.close();
    }
  });

  test('a forged signature is refused again for the same reason; a ballot bringing the tally’s α to 1 is left out of blocks', async () => {
    const third = CredentialSecretKey.generate(group);
    const g3 = testGenesis({
      ballotRule: 'per-voter',
      roster: [me.publicKey, other.publicKey, third.publicKey],
      nTalliers: 1,
      nTalliersBlocks: 1,
      nVoteBlocks: 6,
      createdAt: Math.floor(Date.now() / 1000) - 3600,
    });
    const node = await ElectionNode.create(
      path.join(root, 'alpha-one'),
      g3,
      { name: 'r', mining: false, threads: 1 },
      { credential: third },
    );
    try {
      await node.submitBlock(mine(g3, node.template()!), 'self');
      const key = node.chain.electionOf(node.chain.tip).key;
      const r = 123456789n;
      const first = me.cast(g3.id, key, 1, 1, fixedFirst(r));
      assert.equal(node.submitCast(encodeCastBallot(group, first)), 'added');
      await node.submitBlock(mine(g3, node.template()!), 'self');
      assert.equal(node.chain.tip.tallies[0]!.alpha, group.powG(r));
      // The other voter's nonce is q − r: with it the tally's α would be 1, which no block may make.
      const inverse = other.cast(g3.id, key, 0, 1, fixedFirst(group.q - r));
      assert.equal(node.submitCast(encodeCastBallot(group, inverse)), 'added', 'valid on its own');
      const template = node.template()!;
      assert.equal(template.payload.kind === 'ballots' && template.payload.ballots.length, 0);
      assert.equal((await node.submitBlock(mine(g3, template), 'self')).status, 'added', 'the chain goes on');
      // A forged signature is refused the second time with the same reason.
      const forged = { ...encodeCastBallot(group, third.cast(g3.id, key, 1, 1)) };
      forged.signature = {
        ...forged.signature,
        response: `${forged.signature.response.slice(0, -1)}${forged.signature.response.endsWith('0') ? '1' : '0'}`,
      };
      assert.throws(() => node.submitCast(forged), /signature/);
      assert.throws(() => node.submitCast(forged), /signature/);
    } finally {
      await node.close();
    }
  });
  test('what earns no wait (a forged signature, a credential off the roster, a copy of a ballot already refused) and what does (an element outside the group)', async () => {
    const node = await ElectionNode.create(
      path.join(root, 'no-penalty'),
      genesis,
      { name: 'r', mining: false, threads: 1 },
      { credential: other },
    );
    try {
      await node.submitBlock(mine(genesis, node.template()!), 'self');
      const key = node.chain.electionOf(node.chain.tip).key;
      const casting = node.casting!;
      const t = Date.now();
      // Anyone can send a ballot naming `me` with a broken signature, or one signed by a credential
      // off the roster: neither may cost `me` anything.
      const forged = { ...encodeCastBallot(group, me.cast(genesis.id, group.g, 1, 1)) };
      forged.signature = {
        ...forged.signature,
        response: `${forged.signature.response.slice(0, -1)}${forged.signature.response.endsWith('0') ? '1' : '0'}`,
      };
      assert.throws(() => casting.submit(forged, 'peer', t), /signature/);
      const stranger = CredentialSecretKey.generate(group);
      const offRoster = encodeCastBallot(group, stranger.cast(genesis.id, group.g, 1, 1));
      assert.throws(() => casting.submit(offRoster, 'peer', t), /not on the election's roster/);
      const good = (seq: number) => encodeCastBallot(group, me.cast(genesis.id, key, 1, seq));
      assert.equal(casting.submit(good(2), 'peer', t + 1), 'added', 'no wait for me');

      // A copy of a ballot already refused for its proofs costs a hash and does not lengthen the
      // wait: a relay (or someone replaying it) sending it again is not a new failure.
      const bad = encodeCastBallot(group, other.cast(genesis.id, group.g, 1, 1));
      assert.throws(() => casting.submit(bad, 'peer', t), /cast_ballot\.ballot\.proof/);
      for (const at of [t + 1, t + PENALTY_MS - 1, t + PENALTY_MS + 1])
        assert.throws(
          () => casting.submit(bad, 'peer', at),
          /cast_ballot\.ballot\.proof/,
          'the same refusal',
        );
      const otherGood = encodeCastBallot(group, other.cast(genesis.id, key, 0, 2));
      assert.equal(
        casting.submit(otherGood, 'peer', t + PENALTY_MS),
        'added',
        'the first wait only, not doubled',
      );

      // A signed ballot with an element outside the group is a fault of its signer like a failed
      // proof: remembered, and it earns the wait (else a voter could fill the memory for free).
      const honest = me.cast(genesis.id, key, 1, 3);
      const alpha = (honest.ballot as { alpha: bigint }).alpha;
      const outside = me.sign(genesis.id, 4, {
        ...honest.ballot,
        alpha: group.p - alpha,
      } as typeof honest.ballot);
      assert.throws(() => casting.submit(encodeCastBallot(group, outside), 'peer', t), /alpha/);
      assert.throws(
        () => casting.submit(encodeCastBallot(group, me.cast(genesis.id, key, 1, 5)), 'peer', t + 1),
        /its ballots are not checked for \d+ s more/,
      );
    } finally {
      await node.close();
    }
  });

  test("the memory of failed proofs cannot be flushed with junk; a voter's ballot made under another branch's key earns it nothing", async () => {
    const node = await ElectionNode.create(
      path.join(root, 'penalty-replay'),
      genesis,
      { name: 'r', mining: false, threads: 1 },
      { credential: other },
    );
    try {
      await node.submitBlock(mine(genesis, node.template()!), 'self');
      const key = node.chain.electionOf(node.chain.tip).key;
      const casting = node.casting!;
      const t = Date.now();
      const bad = encodeCastBallot(group, other.cast(genesis.id, group.g, 1, 1));
      assert.throws(() => casting.submit(bad, 'peer', t), /cast_ballot\.ballot\.proof/);
      // Ten thousand ballots off the roster (one made, its seq changed: each a new id) would have
      // pushed the failed proof out of a memory that kept every refusal.
      const stranger = encodeCastBallot(
        group,
        CredentialSecretKey.generate(group).cast(genesis.id, key, 1, 1),
      );
      for (let seq = 1; seq <= 10_001; seq++)
        assert.throws(() => casting.submit({ ...stranger, seq }, 'peer', t), /not on the election's roster/);
      // Resent after the wait, the failed ballot is refused from memory: no second failure, no doubling.
      assert.throws(() => casting.submit(bad, 'peer', t + PENALTY_MS), /cast_ballot\.ballot\.proof/);
      const otherGood = encodeCastBallot(group, other.cast(genesis.id, key, 0, 2));
      assert.equal(casting.submit(otherGood, 'peer', t + PENALTY_MS + 1), 'added');

      // `me` votes under this key; then a reorg brings other talliers (another key) and voids it.
      const mine1 = encodeCastBallot(group, me.cast(genesis.id, key, 1, 1));
      assert.equal(casting.submit(mine1, 'peer', t), 'added');
      const rivalKey = await reorgToRival(node, 'penalty-replay-rival');
      assert.notEqual(rivalKey, key);
      // Someone replays `me`'s ballot under the old key: it fails here, but it holds under the key
      // of the other branch this runner holds: no fault of me's; me's new ballot goes in at once.
      assert.throws(() => casting.submit(mine1, 'peer', t + 1), /cast_ballot\.ballot\.proof/);
      const mine2 = encodeCastBallot(group, me.cast(genesis.id, rivalKey, 1, 2));
      assert.equal(casting.submit(mine2, 'peer', t + 2), 'added');
      // Excused once per voter and key: ballot after ballot made under a branch someone keeps at
      // the key's height is no longer a mistake.
      const underOld = encodeCastBallot(group, me.cast(genesis.id, key, 1, 3));
      assert.throws(() => casting.submit(underOld, 'peer', t + 3), /cast_ballot\.ballot\.proof/);
      const mine4 = encodeCastBallot(group, me.cast(genesis.id, rivalKey, 1, 4));
      assert.throws(() => casting.submit(mine4, 'peer', t + 4), /not checked for \d+ s more/);
    } finally {
      await node.close();
    }
  });

  test('a voter whose signed ballot fails its proofs is not heard for a while, doubling; its next good ballot is taken after', async () => {
    // Only the credential's holder can sign: without the wait, each new signed ballot with bad
    // proofs (one signature's work) would cost every runner a full proof check.
    const node = await ElectionNode.create(
      path.join(root, 'penalty'),
      genesis,
      { name: 'r', mining: false, threads: 1 },
      { credential: other },
    );
    try {
      await node.submitBlock(mine(genesis, node.template()!), 'self');
      const key = node.chain.electionOf(node.chain.tip).key;
      const casting = node.casting!;
      // Signed by `me`, encrypted and proven under another key: the proofs fail under this chain's.
      const bad = (seq: number) => encodeCastBallot(group, me.cast(genesis.id, group.g, 1, seq));
      const good = (seq: number) => encodeCastBallot(group, me.cast(genesis.id, key, 1, seq));
      const t = Date.now();
      assert.throws(() => casting.submit(bad(1), 'peer', t), /cast_ballot\.ballot\.proof/);
      // A new ballot, even a good one, is not checked during the wait: refused before its proofs.
      for (const [value, at] of [
        [bad(2), t + 1],
        [good(3), t + PENALTY_MS - 1],
      ] as const)
        assert.throws(
          () => casting.submit(value, 'peer', at),
          /cast_ballot: this voter's last ballot failed its proofs: its ballots are not checked for \d+ s more/,
        );
      // The other voter is not concerned.
      assert.equal(
        casting.submit(encodeCastBallot(group, other.cast(genesis.id, key, 0, 1)), 'peer', t + 1),
        'added',
      );
      // After the wait, another bad one: the wait doubles.
      assert.throws(() => casting.submit(bad(4), 'peer', t + PENALTY_MS), /cast_ballot\.ballot\.proof/);
      assert.throws(() => casting.submit(good(5), 'peer', t + 2 * PENALTY_MS), /not checked for \d+ s more/);
      // Then a good ballot is taken, and the slate is clean.
      assert.equal(casting.submit(good(6), 'peer', t + 3 * PENALTY_MS), 'added');
      assert.throws(() => casting.submit(bad(7), 'peer', t + 3 * PENALTY_MS), /cast_ballot\.ballot\.proof/);
      assert.throws(() => casting.submit(good(8), 'peer', t + 4 * PENALTY_MS - 1), /not checked/);

      // The wait belongs to the key it was earned under: a reorg to a branch with another election
      // key (a fork at the key's height, where an honest voter's ballot fails too) forgets it.
      const rivalKey = await reorgToRival(node, 'penalty-rival');
      assert.notEqual(rivalKey, key, 'the reorg changed the election key');
      const underRival = encodeCastBallot(group, me.cast(genesis.id, rivalKey, 1, 9));
      assert.equal(casting.submit(underRival, 'peer', t + 4 * PENALTY_MS - 1), 'added');
    } finally {
      await node.close();
    }
  });
});
