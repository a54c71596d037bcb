// Runners as real processes talking real HTTP on 127.0.0.1 (direct transport): whole elections,
// a crash and restart, a partition healed, a hostile peer, a tallier who never decrypts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { LocalCluster, RunnerSpec } from '../cli/cluster';
import { clusterRunner, electionArgs, hasResult, mesh } from '../cli/cluster-testing';
import { ElectionNode } from '../node/election-node';
import { verifyRecord } from '../verify/verify';
import type { ResultResponse } from './messages';

const withCluster = clusterRunner('oe-cluster-');
const election = electionArgs;

async function exportAndVerify(cluster: LocalCluster, name: string) {
  await cluster.stop(name);
  const node = await ElectionNode.open(cluster.member(name).dir, {});
  const record = node.exportRecord();
  await node.close();
  return verifyRecord(record, { workers: 1 });
}

function assertAgreement(results: Map<string, ResultResponse>): ResultResponse {
  const [first, ...rest] = [...results.values()];
  for (const r of rest) {
    assert.equal(r.best, first!.best, 'same best chain');
    assert.deepEqual(r.tally, first!.tally, 'same tally');
    assert.deepEqual(r.result, first!.result, 'same result');
  }
  assert.equal(first!.result!.total, first!.ballots);
  return first!;
}

describe('runners on a network', { concurrency: 1 }, () => {
  test('four runners complete an election, agree on tally and result, and every export verifies', async () => {
    const names = ['a', 'b', 'c', 'd'];
    await withCluster('four', mesh(names, ['yes', 'no', 'yes', 'yes']), async (cluster) => {
      cluster.start(
        'a',
        'new',
        election({
          title: 'Integration',
          talliers: 2,
          keyBlocks: 3,
          voteBlocks: 6,
          confirmations: 1,
          difficulty: '2^19',
        }),
      );
      await cluster.waitUp('a');
      for (const n of names.slice(1)) cluster.start(n, 'join');
      const results = await cluster.waitFor(names, hasResult, 120_000);
      const agreed = assertAgreement(results);
      assert.equal(agreed.ballots, 6);
      for (const n of names) {
        const outcome = await exportAndVerify(cluster, n);
        assert.equal(outcome.status, 'verified', `${n}: ${JSON.stringify(outcome).slice(0, 200)}`);
        assert.deepEqual(outcome.status === 'verified' && outcome.result, agreed.result);
      }
    });
  });

  test('a runner killed with SIGKILL during voting restarts, catches up, and ends with the same result', async () => {
    const names = ['a', 'b', 'c'];
    await withCluster('crash', mesh(names, ['yes', 'no', 'no']), async (cluster) => {
      cluster.start(
        'a',
        'new',
        election({
          title: 'Crash',
          talliers: 1,
          keyBlocks: 2,
          voteBlocks: 12,
          confirmations: 1,
          difficulty: '2^20',
        }),
      );
      await cluster.waitUp('a');
      for (const n of names.slice(1)) cluster.start(n, 'join');
      await cluster.waitFor(['c'], (r) => r.height >= 5, 60_000);
      const before = (await cluster.status('c'))!;
      await cluster.stop('c', 'SIGKILL');
      cluster.start('c', 'start');
      const back = await cluster.waitUp('c');
      assert.ok(back.height >= before.height - 1, `restarted at ${back.height}, had ${before.height}`);
      const results = await cluster.waitFor(names, hasResult, 120_000);
      assertAgreement(results);
      assert.match(readFileSync(cluster.member('c').log, 'utf8'), /resuming/);
    });
  });

  test('a 2|2 partition, both halves mining, then healed: all converge on one branch and one result', async () => {
    const specs: RunnerSpec[] = [
      { name: 'a', vote: 'yes', peers: ['b'] },
      { name: 'b', vote: 'yes', peers: ['a'] },
      { name: 'c', vote: 'no', peers: ['d'] },
      { name: 'd', vote: 'no', peers: ['c'] },
    ];
    await withCluster('partition', specs, async (cluster) => {
      cluster.start(
        'a',
        'new',
        election({
          title: 'Partition',
          talliers: 1,
          keyBlocks: 3,
          voteBlocks: 20,
          confirmations: 2,
          difficulty: '2^20',
        }),
      );
      await cluster.waitUp('a');
      cluster.start('b', 'join');
      // c and d never hear of a and b: they take the genesis from a file, as if sent by mail.
      const genesis = path.join(cluster.member('a').dir, 'genesis.json');
      cluster.start('c', 'join', ['--genesis', genesis]);
      cluster.start('d', 'join', ['--genesis', genesis]);
      // Healed well before the final height (25): a half that reached it and sealed before hearing
      // of the other keeps its sealed block for ever (by design), and the halves would disagree.
      // One half may start a few seconds ahead (its processes come up first), so heal early.
      await cluster.waitFor(['a', 'b', 'c', 'd'], (r) => r.height >= 4, 90_000);
      const halves = await Promise.all(['a', 'd'].map((n) => cluster.status(n)));
      // Heal: tell each half about the other.
      const { PeerClient } = await import('./client');
      const client = new PeerClient({ timeoutMs: 5000 });
      await client.announce(cluster.address('a'), cluster.address('c'));
      await client.announce(cluster.address('c'), cluster.address('a'));
      const results = await cluster.waitFor(['a', 'b', 'c', 'd'], hasResult, 120_000);
      assertAgreement(results);
      assert.notEqual(halves[0]?.best, halves[1]?.best, 'the halves mined apart');
      const logs = ['a', 'b', 'c', 'd'].map((n) => readFileSync(cluster.member(n).log, 'utf8')).join('\n');
      assert.match(logs, /reorg: switched branch/);
    });
  });

  test('a hostile peer: every bad message is refused with a reason, and the honest runners finish correctly', async () => {
    const names = ['a', 'b', 'c'];
    await withCluster('hostile', mesh(names, ['yes', 'no', 'yes']), async (cluster) => {
      cluster.start(
        'a',
        'new',
        election({
          title: 'Hostile',
          talliers: 2,
          keyBlocks: 3,
          voteBlocks: 40,
          confirmations: 1,
          difficulty: '2^20',
        }),
      );
      await cluster.waitUp('a');
      for (const n of names.slice(1)) cluster.start(n, 'join');
      await cluster.waitFor(['a'], (r) => r.height >= 5, 60_000);
      const target = cluster.address('a');
      const answers = await attack(target);
      for (const [what, status, body] of answers) {
        assert.ok(status >= 400 && status < 500, `${what}: answered ${status}`);
        assert.ok(typeof body.error === 'string' && body.error.length > 0, `${what}: no reason`);
        assert.doesNotMatch(body.error, /\n\s+at /, `${what}: a stack trace`);
      }
      const reasons = Object.fromEntries(answers.map(([what, , body]) => [what, body.error]));
      assert.match(reasons['bad proof of work']!, /proof of work/);
      assert.match(reasons['forged ballot']!, /ballot/);
      assert.match(reasons['replayed ballot']!, /replay/);
      assert.match(reasons['wrong-phase payload']!, /must carry a ballot/);
      const results = await cluster.waitFor(names, hasResult, 120_000);
      const agreed = assertAgreement(results);
      // The correct result: every ballot block's miner voted as configured (a and c yes, b no).
      const { PeerClient, PeerError } = await import('./client');
      // The flood may have left the runner's global bucket empty: wait as it asks (429 Retry-After).
      const chainOf = async (attempt = 0): Promise<{ blocks: unknown[] }> => {
        try {
          return await new PeerClient().chain(target, 1, 100);
        } catch (error) {
          if (!(error instanceof PeerError) || error.status !== 429 || attempt >= 10) throw error;
          await new Promise((r) => setTimeout(r, (error.retryAfterSeconds ?? 1) * 1000));
          return chainOf(attempt + 1);
        }
      };
      const blocks = (await chainOf()).blocks as {
        miner: string;
        payload: { kind: string };
      }[];
      const ballots = blocks.filter((b) => b.payload.kind === 'ballot');
      const yes = ballots.filter((b) => b.miner === 'a' || b.miner === 'c').length;
      assert.deepEqual(agreed.result, { yes, no: ballots.length - yes, total: ballots.length });
    });
  });

  test('a tallier that never publishes its factor: every runner shows the result awaiting it, nothing hangs', async () => {
    const names = ['x', 'y', 'z'];
    await withCluster('withhold', mesh(names, ['yes', 'yes', 'no']), async (cluster) => {
      // x mines the key election alone, so it is the only tallier, and it withholds its factor.
      cluster.start(
        'x',
        'new',
        election({
          title: 'Withheld',
          talliers: 1,
          keyBlocks: 2,
          voteBlocks: 4,
          confirmations: 1,
          difficulty: '2^18',
        }).concat('--withhold-factor'),
      );
      await cluster.waitUp('x');
      await cluster.waitFor(['x'], (r) => r.height >= 2, 60_000);
      for (const n of names.slice(1)) cluster.start(n, 'join');
      // The log line follows the seal (x's acceptance reaching each runner), not the final height:
      // wait for the seal everywhere, then a while longer to see that nothing moves or hangs.
      const waiting = await cluster.waitFor(names, (r) => r.final && r.sealed !== null, 90_000);
      await new Promise((r) => setTimeout(r, 3000));
      for (const n of names) {
        const r = (await cluster.result(n))!;
        assert.ok(r, `${n} stopped answering`);
        assert.equal(r.result, null);
        assert.deepEqual(r.awaiting, waiting.get('x')!.talliers);
      }
      const log = readFileSync(cluster.member('y').log, 'utf8');
      assert.match(log, /awaiting the factor of 1 tallier/);
    });
  });

  test('a flipped byte in the middle of blocks.log costs one record: the rest is kept, the lost block fetched again', async () => {
    const names = ['a', 'b'];
    // b follows without mining, so its log holds a's chain in order, with no side blocks of its own.
    const specs = mesh(names, ['yes', 'no']).map((s) =>
      s.name === 'b' ? { ...s, extra: ['--no-mining'] } : s,
    );
    await withCluster('damaged-log', specs, async (cluster) => {
      cluster.start(
        'a',
        'new',
        election({
          title: 'Damaged log',
          talliers: 1,
          keyBlocks: 2,
          voteBlocks: 6,
          confirmations: 1,
          difficulty: '2^18',
        }),
      );
      await cluster.waitUp('a');
      cluster.start('b', 'join');
      const done = await cluster.waitFor(names, hasResult, 120_000);
      await cluster.stop('b');
      // Damage one byte inside the body of b's fourth block record (the first is the genesis's child).
      const file = path.join(cluster.member('b').dir, 'blocks.log');
      const bytes = readFileSync(file);
      const starts: number[] = [];
      for (let at = 0; at < bytes.length; at += 8 + bytes.readUInt32BE(at)) starts.push(at);
      const victim = starts[3]!;
      const victimLength = 8 + bytes.readUInt32BE(victim);
      bytes[victim + 40]! ^= 0x20;
      writeFileSync(file, bytes);

      cluster.start('b', 'start');
      await cluster.waitUp('b');
      const healed = await cluster.waitFor(
        ['b'],
        (r) => r.result !== null && r.best === done.get('a')!.best,
        60_000,
      );
      assert.deepEqual(healed.get('b')!.result, done.get('a')!.result);
      const log = readFileSync(cluster.member('b').log, 'utf8');
      assert.match(
        log,
        new RegExp(`checksum mismatch at byte ${victim}: skipped ${victimLength} damaged bytes`),
      );
      assert.match(
        log,
        /stored blocks wait for blocks lost from the log; the missing blocks are fetched again/,
      );
      assert.ok(existsSync(`${file}.damaged`), 'the damaged file is kept');

      // Everything is on disk again: the next start finds a whole chain and nothing to say.
      await cluster.stop('b');
      const node = await ElectionNode.open(cluster.member('b').dir, {}, { inspect: true });
      try {
        assert.deepEqual(node.startupWarnings, []);
        assert.equal(node.chain.tip.hash, done.get('a')!.best);
      } finally {
        await node.close();
      }
    });
  });
});

/** What a hostile peer sends; each answer as [what, HTTP status, body]. */
async function attack(address: string): Promise<[string, number, { error?: string }][]> {
  const { Chain } = await import('../chain/chain');
  const { parseGenesis } = await import('../chain/genesis');
  const { parseBlock, encodeBlock, headerPrefix } = await import('../chain/block');
  const { Miner } = await import('../chain/pow/miner');
  const { PeerClient } = await import('./client');
  const client = new PeerClient();
  const genesis = parseGenesis(await client.genesis(address));
  const chain = new Chain(genesis);
  for (const json of (await client.chain(address, 1, 100)).blocks) chain.add(parseBlock(genesis.group, json));
  const tip = chain.tip;
  const miner = new Miner({ threads: 1 });
  const mined = async (payload: import('../chain/block').Payload, parent = tip) => {
    const unmined = {
      height: parent.height + 1,
      prev: parent.hash,
      timestamp: Math.floor(Date.now() / 1000),
      miner: 'mallory',
      payload,
    };
    const found = await miner.mine({ prefix: headerPrefix(genesis.group, unmined), target: genesis.target });
    return encodeBlock(genesis.group, { ...unmined, nonce: found!.nonce });
  };
  const url = `http://${address}/v1/blocks`;
  const post = async (
    what: string,
    body: string,
    type = 'application/json',
  ): Promise<[string, number, { error?: string }]> => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
    return [what, response.status, (await response.json()) as { error?: string }];
  };
  const existing = chain.branch().find((m) => m.block?.payload.kind === 'ballot')!.block!.payload;
  const { encryptBallot } = await import('../crypto/ballot');
  const honest = encryptBallot(genesis.group, genesis.id, chain.electionOf(tip).key, 1);
  const forged = { ...honest, beta: genesis.group.mul(honest.beta, genesis.group.g) };
  const answers = [
    await post('malformed JSON', '{"block": '),
    await post('oversized body', JSON.stringify({ block: 'x'.repeat(100_000) })),
    await post('not JSON', 'hello', 'text/plain'),
    await post('extra keys', JSON.stringify({ block: {}, evil: true })),
    await post(
      'bad proof of work',
      JSON.stringify({ block: { ...(await mined({ kind: 'confirmation' })), nonce: 'ffffffffffffffff' } }),
    ),
    await post('forged ballot', JSON.stringify({ block: await mined({ kind: 'ballot', ballot: forged }) })),
    await post('replayed ballot', JSON.stringify({ block: await mined(existing) })),
    await post('wrong-phase payload', JSON.stringify({ block: await mined({ kind: 'confirmation' }) })),
  ];
  await miner.close();
  // A flood on the status route: some are turned away (429, or their connection closed when 400
  // connections without an answered request exceed the server's share for them), and the runner
  // keeps answering.
  const flood = await Promise.all(
    Array.from({ length: 400 }, () =>
      fetch(`http://${address}/v1/status`)
        .then((r) => r.status)
        .catch(() => 'closed' as const),
    ),
  );
  const turnedAway = flood.some((s) => s === 429 || s === 'closed');
  answers.push([
    'flood',
    turnedAway ? 429 : 499,
    { error: turnedAway ? 'rate limited' : 'nothing turned away in the flood' },
  ]);
  return answers;
}
