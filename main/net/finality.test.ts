// Final means final: the attacks of a miner who releases a branch at or after the final height,
// against real runner processes over real HTTP on 127.0.0.1. The attacker builds its branches with
// the project's own modules (chain, miner, ballot encryption) and pushes them to every runner.
// Before protocol version 2 each of these changed a finished result or let the attacker read a
// vote (old result − new result); now every runner keeps the sealed block, reports the branch as
// late, and no tallier decrypts a second tally.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { type Block, encodeBlock, headerPrefix, type Payload, parseBlock } from '../chain/block';
import { type BlockMeta, Chain } from '../chain/chain';
import { type Genesis, makeGenesis, parseGenesis } from '../chain/genesis';
import { Miner } from '../chain/pow/miner';
import type { LocalCluster, RunnerSpec } from '../cli/cluster';
import { clusterRunner, type ElectionSize, electionArgs, hasResult, mesh } from '../cli/cluster-testing';
import { encryptBallot } from '../crypto/ballot';
import { encodeAcceptance, encodeDecryptionFactor } from '../crypto/codec';
import { Group } from '../crypto/group';
import { TallierSecretKey } from '../crypto/tallier';
import { ElectionNode } from '../node/election-node';
import { PeerClient } from './client';
import type { ResultResponse } from './messages';

const withCluster = clusterRunner('oe-finality-');
const client = new PeerClient({ timeoutMs: 10_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The options of `new`: a small election at an easy difficulty (blocks in tens of ms). */
const election = (title: string, e: Omit<ElectionSize, 'title' | 'difficulty'>) =>
  electionArgs({ title, ...e, difficulty: '2^16' });

/** Every runner has the same sealed block, tally and result; returns it. */
function assertOneResult(results: Map<string, ResultResponse>): ResultResponse {
  const [first, ...rest] = [...results.values()];
  assert.ok(first?.sealed, 'sealed');
  for (const r of rest) {
    assert.equal(r.best, first.best, 'same best chain');
    assert.deepEqual(r.sealed, first.sealed, 'same seal');
    assert.deepEqual(r.result, first.result, 'same result');
  }
  assert.equal(first.best, first.sealed!.final, 'the best chain ends in the sealed block');
  return first;
}

/** What each tallier's key file says it decrypted (the names of the runners that are talliers). */
function decryptedBy(cluster: LocalCluster, names: readonly string[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const n of names) {
    const file = JSON.parse(readFileSync(path.join(cluster.member(n).dir, 'tallier-key.json'), 'utf8'));
    out.set(n, file.decrypted);
  }
  return out;
}

/** The factors every runner holds: each must name the sealed block, one per tallier. */
async function assertOneFactorPerTallier(cluster: LocalCluster, names: readonly string[], sealed: string) {
  for (const n of names) {
    const factors = (await client.factors(cluster.address(n))) as { pk: string; final: string }[];
    assert.ok(factors.length > 0, `${n} holds factors`);
    assert.equal(new Set(factors.map((f) => f.pk)).size, factors.length, `${n}: one factor per tallier`);
    for (const f of factors) assert.equal(f.final, sealed, `${n}: every factor decrypts the sealed block`);
  }
}

/** An attacker with the project's modules: it follows a runner's chain and mines branches of its own. */
class Attacker {
  readonly miner = new Miner({ threads: 1 });
  private constructor(
    readonly genesis: Genesis,
    readonly chain: Chain,
  ) {}

  static async following(address: string): Promise<Attacker> {
    const genesis = parseGenesis(await client.genesis(address));
    const chain = new Chain(genesis);
    for (let from = 1; ; from += 100) {
      const page = await client.chain(address, from, 100);
      for (const json of page.blocks) chain.add(parseBlock(genesis.group, json));
      if (page.blocks.length < 100) break;
    }
    return new Attacker(genesis, chain);
  }

  /** Mines a block with `payload` on `parent`; `backdate` stamps it as early as the rules allow. */
  async mine(parent: BlockMeta, payload: Payload, options: { label?: string; backdate?: boolean } = {}) {
    const earliest = this.chain.minChildTimestamp(parent);
    const unmined = {
      height: parent.height + 1,
      prev: parent.hash,
      timestamp: options.backdate ? earliest : Math.max(earliest, Math.floor(Date.now() / 1000)),
      miner: options.label ?? 'mallory',
      payload,
    };
    const found = await this.miner.mine({
      prefix: headerPrefix(this.genesis.group, unmined),
      target: this.genesis.target,
    });
    const block: Block = { ...unmined, nonce: found!.nonce };
    const added = this.chain.add(block);
    assert.equal(added.status, 'added', 'reason' in added ? added.reason : added.status);
    return (added as { added: readonly BlockMeta[] }).added[0]!;
  }

  ballot(parent: BlockMeta, vote: 0 | 1): Payload {
    const h = this.chain.electionOf(parent).key;
    return { kind: 'ballot', ballot: encryptBallot(this.genesis.group, this.genesis.id, h, vote) };
  }

  /**
   * The vote-reading branch: fork just below the victim's ballot at `victimHeight`, copy the later
   * ballots (the replay rule allows it: they are not on this branch), add one ballot of known vote,
   * confirm up to the final height, and grind the final block below `belowHash` (the old rule's
   * tie-break) when given.
   */
  async readingBranch(victimHeight: number, belowHash?: string): Promise<BlockMeta[]> {
    const honest = this.chain.branch();
    const lastVote = this.genesis.nTalliersBlocks + this.genesis.nVoteBlocks;
    let tip = honest[victimHeight - 2]!;
    const branch: BlockMeta[] = [];
    for (const m of honest.slice(victimHeight, lastVote)) {
      tip = await this.mine(tip, m.block!.payload);
      branch.push(tip);
    }
    tip = await this.mine(tip, this.ballot(tip, 1));
    branch.push(tip);
    const final = this.chain.finalHeight;
    while (tip.height < final - 1) {
      tip = await this.mine(tip, { kind: 'confirmation' });
      branch.push(tip);
    }
    const parent = tip;
    for (let i = 0; i < 64; i++) {
      const last =
        parent.height + 1 === final && parent.height + 1 <= lastVote
          ? await this.mine(parent, this.ballot(parent, 1), { label: `grind ${i}` })
          : await this.mine(parent, { kind: 'confirmation' }, { label: `grind ${i}` });
      if (!belowHash || last.hash < belowHash) {
        branch.push(last);
        return branch;
      }
    }
    throw new Error('no final block below the honest one in 64 tries');
  }

  async push(to: readonly string[], blocks: readonly BlockMeta[]) {
    const answers: string[] = [];
    for (const address of to)
      for (const m of blocks) {
        const answer = await client.pushBlock(address, encodeBlock(this.genesis.group, m.block!));
        answers.push(answer.status);
      }
    return answers;
  }

  close() {
    return this.miner.close();
  }
}

describe('final means final (real runners, real HTTP)', { concurrency: 1 }, () => {
  test('the vote-reading attack: a ground final branch released after the result changes nothing and reveals nothing', async () => {
    const names = ['a', 'b', 'c'];
    await withCluster('reading', mesh(names, ['yes', 'no', 'yes']), async (cluster) => {
      cluster.start(
        'a',
        'new',
        election('Reading', { talliers: 2, keyBlocks: 2, voteBlocks: 6, confirmations: 1 }),
      );
      await cluster.waitUp('a');
      for (const n of names.slice(1)) cluster.start(n, 'join');
      const before = assertOneResult(await cluster.waitFor(names, hasResult, 120_000));
      const talliers = before.talliers.length;
      const attacker = await Attacker.following(cluster.address('a'));
      try {
        const victim = attacker.genesis.nTalliersBlocks + 2;
        const branch = await attacker.readingBranch(victim, before.best);
        const addresses = names.map((n) => cluster.address(n));
        const answers = await attacker.push(addresses, branch);
        assert.ok(
          answers.every((s) => s === 'late'),
          `every block kept out: ${answers.join(',')}`,
        );
        await sleep(4000); // time for any tallier to misbehave
        const after = assertOneResult(await cluster.waitFor(names, hasResult, 10_000));
        assert.equal(after.best, before.best);
        assert.deepEqual(after.result, before.result, 'the result is unchanged');
        for (const n of names) {
          const r = (await cluster.result(n))!;
          // (An honest rival final block mined while the talliers sealed may be listed too.)
          const reported = r.late_branches.find((b) => b.tip === branch[branch.length - 1]!.hash);
          assert.ok(reported, `${n} reports the late branch`);
          assert.equal(reported.fork_height, victim - 1);
          assert.equal(reported.blocks, branch.length);
          assert.match(readFileSync(cluster.member(n).log, 'utf8'), /kept out: arrived after the result/);
        }
        await assertOneFactorPerTallier(cluster, names, before.best);
        const decrypted = [...decryptedBy(cluster, names).values()].filter((d) => d !== null);
        assert.equal(decrypted.length, talliers);
        assert.ok(
          decrypted.every((d) => d === before.best),
          'each tallier decrypted the sealed block only',
        );
      } finally {
        await attacker.close();
      }
    });
  });

  test('a rival final block released before the talliers seal, with confirmations = 0: one seal, one result, one factor per tallier', async () => {
    const names = ['a', 'b', 'c'];
    await withCluster('settling', mesh(names, ['yes', 'no', 'no']), async (cluster) => {
      cluster.start(
        'a',
        'new',
        election('Settling', { talliers: 2, keyBlocks: 2, voteBlocks: 6, confirmations: 0 }),
      );
      await cluster.waitUp('a');
      for (const n of names.slice(1)) cluster.start(n, 'join');
      // As soon as a runner is at the final height, release a rival final block (a different
      // last ballot): it races the talliers' acceptances.
      await cluster.waitFor(['a'], (r) => r.final, 120_000);
      const attacker = await Attacker.following(cluster.address('a'));
      try {
        const lastVote = attacker.chain.tip.parent!;
        const rival = await attacker.mine(lastVote, attacker.ballot(lastVote, 1));
        const answers = await attacker.push(
          names.map((n) => cluster.address(n)),
          [rival],
        );
        assert.ok(
          answers.every((s) => s !== 'orphan'), // added, late, or known (gossip got there first)
          answers.join(','),
        );
        const results = await cluster.waitFor(names, hasResult, 60_000);
        const sealed = assertOneResult(results);
        await assertOneFactorPerTallier(cluster, names, sealed.best);
        const decrypted = [...decryptedBy(cluster, names).values()].filter((d) => d !== null);
        assert.ok(decrypted.length >= 1 && decrypted.every((d) => d === sealed.best));
      } finally {
        await attacker.close();
      }
    });
  });

  test('a whole-election rewrite from height 1, backdated, ground and sealed by its own tallier, is kept out', async () => {
    const names = ['a', 'b'];
    await withCluster('rewrite', mesh(names, ['yes', 'yes']), async (cluster) => {
      cluster.start(
        'a',
        'new',
        election('Rewrite', { talliers: 2, keyBlocks: 2, voteBlocks: 4, confirmations: 1 }),
      );
      await cluster.waitUp('a');
      cluster.start('b', 'join');
      const before = assertOneResult(await cluster.waitFor(names, hasResult, 120_000));
      const attacker = await Attacker.following(cluster.address('a'));
      try {
        const { genesis } = attacker;
        // The attacker's own key is its branch's only tallier: it can seal and decrypt alone.
        const key = TallierSecretKey.generate(genesis.group);
        let tip = attacker.chain.genesisMeta;
        const branch: BlockMeta[] = [];
        while (tip.height < attacker.chain.finalHeight) {
          const height = tip.height + 1;
          const payload: Payload =
            height <= genesis.nTalliersBlocks
              ? { kind: 'tallier_key', key: key.provePossession(genesis.id) }
              : height <= genesis.nTalliersBlocks + genesis.nVoteBlocks
                ? attacker.ballot(tip, 0)
                : { kind: 'confirmation' };
          tip = await attacker.mine(tip, payload, { backdate: true });
          branch.push(tip);
        }
        assert.ok(tip.timestamp < branch[0]!.timestamp + 60, 'backdated to the genesis time');
        const state = attacker.chain.state(tip);
        const acceptance = key.accept(genesis.id, tip.hash, 1);
        const factor = key.decryptionFactor(genesis.id, state.tallies, tip.hash);
        for (const n of names) {
          const address = cluster.address(n);
          const answers = await attacker.push([address], branch);
          assert.ok(
            answers.every((s) => s === 'late'),
            answers.join(','),
          );
          await assert.rejects(
            client.pushAcceptance(address, encodeAcceptance(genesis.group, acceptance)),
            /not a block this runner holds/,
          );
          await assert.rejects(
            client.pushFactor(address, encodeDecryptionFactor(genesis.group, factor)),
            /not a final block this runner holds/,
          );
        }
        const after = assertOneResult(await cluster.waitFor(names, hasResult, 10_000));
        assert.deepEqual(after.result, before.result);
        assert.equal(after.best, before.best);
        // (An honest rival final block mined while the talliers sealed may be listed too.)
        assert.equal(after.late_branches.find((b) => b.tip === tip.hash)?.fork_height, 0);
      } finally {
        await attacker.close();
      }
    });
  });

  test('a 2|2 partition with a tallier in each half: both reach the final height, nobody decrypts; healed, one result and one factor per tallier', async () => {
    const specs: RunnerSpec[] = [
      { name: 'a', vote: 'yes', peers: ['b'] },
      { name: 'b', vote: 'yes', peers: ['a'] },
      { name: 'c', vote: 'no', peers: ['d'] },
      { name: 'd', vote: 'no', peers: ['c'] },
    ];
    await withCluster('partition', specs, async (cluster) => {
      // One key election for all four (a's key, then c's), written into each data folder before
      // the runners start: then each half votes on its own.
      const genesis = makeGenesis({
        title: 'Partition',
        question: 'Adopt the proposal?',
        group: Group.default(),
        nTalliers: 2,
        nTalliersBlocks: 2,
        nVoteBlocks: 6,
        confirmations: 1,
        target: (1n << 240n) - 1n,
        createdAt: Math.floor(Date.now() / 1000) - 60,
      });
      const nodes = new Map<string, ElectionNode>();
      for (const spec of specs) {
        const m = cluster.member(spec.name);
        nodes.set(
          spec.name,
          await ElectionNode.create(m.dir, genesis, {
            name: spec.name,
            vote: spec.vote === 'yes' ? 1 : 0,
            mining: true,
            threads: 1,
          }),
        );
      }
      const keyed = new Chain(genesis);
      const miner = new Miner({ threads: 1 });
      let tip = keyed.genesisMeta;
      for (const who of ['a', 'c']) {
        const unmined = {
          height: tip.height + 1,
          prev: tip.hash,
          timestamp: keyed.minChildTimestamp(tip),
          miner: who,
          payload: { kind: 'tallier_key' as const, key: nodes.get(who)!.tallierKey },
        };
        const found = await miner.mine({
          prefix: headerPrefix(genesis.group, unmined),
          target: genesis.target,
        });
        const added = keyed.add({ ...unmined, nonce: found!.nonce });
        tip = (added as { added: readonly BlockMeta[] }).added[0]!;
      }
      await miner.close();
      for (const node of nodes.values()) {
        for (const m of keyed.branch()) await node.submitBlock(encodeBlock(genesis.group, m.block!), 'sync');
        await node.close();
      }
      for (const spec of specs) cluster.start(spec.name, 'start');
      const all = specs.map((s) => s.name);
      await Promise.all(all.map((n) => cluster.waitUp(n)));
      await cluster.waitFor(all, (r) => r.final, 120_000);
      await sleep(5000); // each half's tallier has long accepted its own block
      const halves = await Promise.all(all.map((n) => cluster.result(n)));
      assert.notEqual(halves[0]!.best, halves[2]!.best, 'the halves reached different final blocks');
      for (const r of halves) {
        assert.equal(r!.sealed, null, 'no seal with one tallier in each half');
        assert.equal(r!.result, null);
      }
      assert.deepEqual(
        [...decryptedBy(cluster, all).values()],
        [null, null, null, null],
        'nobody decrypted during the partition',
      );
      // Heal.
      await client.announce(cluster.address('a'), cluster.address('c'));
      await client.announce(cluster.address('c'), cluster.address('a'));
      const healed = assertOneResult(await cluster.waitFor(all, hasResult, 90_000));
      await assertOneFactorPerTallier(cluster, all, healed.best);
      const decrypted = decryptedBy(cluster, all);
      assert.equal(decrypted.get('a'), healed.best);
      assert.equal(decrypted.get('c'), healed.best);
    });
  });

  test('a tallier killed between recording its choice and publishing its factor publishes for the same block after restart', async () => {
    const specs: RunnerSpec[] = [
      { name: 'x', vote: 'yes', peers: ['y'] },
      { name: 'y', vote: 'no', peers: ['x'] },
    ];
    await withCluster('crash', specs, async (cluster) => {
      // x only serves the election; y mines every block, so y is the only tallier, and y dies
      // (SIGKILL, from a test hook) right after its choice is on disk, before its factor leaves.
      cluster.start(
        'x',
        'new',
        election('Crash', { talliers: 1, keyBlocks: 2, voteBlocks: 4, confirmations: 1 }).concat(
          '--no-mining',
        ),
      );
      await cluster.waitUp('x');
      cluster.start('y', 'join', [], { ONION_ELECTION_TEST_CRASH_AFTER_DECRYPTION_CHOICE: '1' });
      const y = cluster.member('y');
      const deadline = Date.now() + 120_000;
      while (y.process!.exitCode === null && y.process!.signalCode === null) {
        assert.ok(Date.now() < deadline, 'y did not reach its decryption');
        await sleep(200);
      }
      assert.equal(y.process!.signalCode, 'SIGKILL');
      const chosen = decryptedBy(cluster, ['y']).get('y');
      assert.match(chosen ?? '', /^[0-9a-f]{64}$/, 'the choice was on disk before the factor');
      const x = (await cluster.result('x'))!;
      assert.equal(x.result, null, 'no factor left y before it died');
      assert.deepEqual(await client.factors(cluster.address('x')), []);
      cluster.start('y', 'start');
      const done = assertOneResult(await cluster.waitFor(['x', 'y'], hasResult, 60_000));
      assert.equal(
        done.best,
        chosen,
        'after restart, the factor decrypts the block recorded before the crash',
      );
      await assertOneFactorPerTallier(cluster, ['x', 'y'], chosen!);
      assert.equal(decryptedBy(cluster, ['y']).get('y'), chosen);
    });
  });
});
