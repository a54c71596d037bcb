import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Block, blockHash, type Payload } from '../chain/block';
import { Chain } from '../chain/chain';
import type { Genesis } from '../chain/genesis';
import {
  ballotPayload,
  confirmation,
  extend,
  keyPayload,
  mine,
  Talliers,
  testGenesis,
} from '../chain/testing';
import { encryptBallot } from '../crypto/ballot';
import { toHex } from '../crypto/bigint';
import { fixedRandomness, systemRandomness } from '../crypto/random';
import { TallierSecretKey } from '../crypto/tallier';
import type { Ballot, DecryptionFactor, ElectionResult } from '../crypto/types';
import { formatOutcome } from './format';
import { buildRecord, type RecordParts } from './record';
import { type Outcome, type VerifyOptions, verifyRecord } from './verify';

const genesis = testGenesis(); // T = 3 key blocks, V = 4 ballots, C = 1 confirmation, 2 talliers
const { keys, secrets } = new Talliers(genesis, 3);
const [A, B, C] = keys as [(typeof keys)[0], (typeof keys)[0], (typeof keys)[0]];
const { group } = genesis;

/** A whole election on `g`: the given keys, then ballots, then confirmations. */
function election(g: Genesis, keyOrder: typeof keys, votes: readonly (0 | 1)[]) {
  const chain = new Chain(g);
  let tip = chain.genesisMeta;
  for (const key of keyOrder) tip = extend(chain, tip, keyPayload(key));
  for (const vote of votes) tip = extend(chain, tip, ballotPayload(chain, tip, vote));
  while (tip.height < chain.finalHeight) tip = extend(chain, tip, confirmation);
  const state = chain.state();
  return {
    blocks: chain.branch().map((m) => m.block!),
    state,
    talliers: state.keyElection.talliers,
    final: tip.hash,
  };
}

// Keys A, B, A: talliers A and B. Votes 1, 0, 1, 1.
const base = election(genesis, [A, B, A], [1, 0, 1, 1]);
const factorOf = (i: number) => secrets[i]!.decryptionFactor(genesis.id, base.state.tallies, base.final);
const factors = [factorOf(0), factorOf(1)];
const acceptanceOf = (i: number, final = base.final, round = 1) =>
  secrets[i]!.accept(genesis.id, final, round);
const seal = [acceptanceOf(0), acceptanceOf(1)];
const result: ElectionResult = { yes: 3, no: 1, total: 4 };

/** A record as it arrives: through JSON text, as the CLI reads it. */
function record(parts: Partial<RecordParts> = {}): Record<string, unknown> {
  const built = buildRecord({ genesis, blocks: base.blocks, seal, decFactors: factors, result, ...parts });
  return JSON.parse(JSON.stringify(built));
}

/** The blocks with block `i` replaced by `change` of it, re-mined from there on (prev links mended). */
function edited(
  blocks: readonly Block[],
  i: number,
  change: (block: Block) => Omit<Block, 'nonce'>,
): Block[] {
  const out = [...blocks];
  out[i] = mine(genesis, change(out[i]!));
  for (let j = i + 1; j < out.length; j++) {
    out[j] = mine(genesis, { ...out[j]!, prev: blockHash(group, out[j - 1]!) });
  }
  return out;
}

const ballotOf = (block: Block): Ballot => {
  if (block.payload.kind !== 'ballot') throw new Error(`height ${block.height} holds no ballot`);
  return block.payload.ballot as Ballot;
};
const withBallot = (block: Block, ballot: Ballot): Block => ({
  ...block,
  payload: { kind: 'ballot', ballot },
});

/** The ballot at height 5 with a field changed. */
function tamperedAt5(change: (ballot: Ballot) => Ballot): Block[] {
  return edited(base.blocks, 4, (b) => withBallot(b, change(ballotOf(b))));
}
const respondPlusOne = (ballot: Ballot, j: 0 | 1): Ballot => {
  const proof = [...ballot.proof] as [Ballot['proof'][0], Ballot['proof'][1]];
  proof[j] = { ...proof[j], response: (proof[j].response + 1n) % group.q };
  return { ...ballot, proof };
};

// In this thread, and on two workers with one ballot per list (every list boundary exercised).
const IN_THREAD: VerifyOptions = { workers: 0 };
const ON_WORKERS: VerifyOptions = { workers: 2, chunkSize: 1 };

async function expectInvalid(value: unknown, pattern: RegExp, modes = [IN_THREAD]): Promise<string> {
  const outcomes = await Promise.all(modes.map((options) => verifyRecord(value, options)));
  const first = outcomes[0]!;
  assert.equal(first.status, 'invalid', formatOutcome(first));
  const error = first.status === 'invalid' ? first.error : '';
  assert.match(error, pattern);
  // The workers report exactly what the sequential pass reports.
  for (const outcome of outcomes) assert.deepEqual(outcome, first);
  return error;
}

function expectStatus(outcome: Outcome, status: Outcome['status']): void {
  assert.equal(outcome.status, status, formatOutcome(outcome));
}

describe('verifyRecord: complete and incomplete records', () => {
  test('a complete record verifies, on workers and in this thread alike', async () => {
    for (const options of [{}, ON_WORKERS, IN_THREAD, { workers: 1 }]) {
      const outcome = await verifyRecord(record(), options);
      expectStatus(outcome, 'verified');
      if (outcome.status !== 'verified') return;
      assert.deepEqual(outcome.result, result);
      const { summary } = outcome;
      assert.equal(summary.height, 8);
      assert.equal(summary.phase, 'final');
      assert.equal(summary.ballots, 4);
      assert.equal(summary.electionId, genesis.idHex);
      assert.deepEqual(summary.talliers, [
        { pk: toHex(A.pk, 512).slice(0, 16), count: 2 },
        { pk: toHex(B.pk, 512).slice(0, 16), count: 1 },
      ]);
      assert.equal(summary.tally.alpha, toHex(base.state.tallies[0]!.alpha, 512));
    }
  });

  test('the factors in any order', async () => {
    expectStatus(
      await verifyRecord(record({ decFactors: [factors[1]!, factors[0]!] }), IN_THREAD),
      'verified',
    );
  });

  test('a worker that cannot start is the verifier’s fault: a rejection, not an outcome', async () => {
    const workerUrl = new URL('./no-such-ballot-worker.js', import.meta.url);
    await assert.rejects(verifyRecord(record(), { workers: 1, workerUrl }));
  });

  test('formatOutcome: a few readable lines', async () => {
    const text = formatOutcome(await verifyRecord(record(), IN_THREAD));
    assert.match(text, /^VERIFIED\n/);
    assert.match(text, /yes 3, no 1 \(4 ballots\)/);
    assert.match(text, /height 8 of 8, final/);
    assert.match(text, /sealed: {3}every tallier accepted the last block \(round 1\)/);
    assert.ok(text.split('\n').length <= 9);
    assert.equal(
      formatOutcome({ status: 'invalid', error: 'record.format: x' }),
      'INVALID — record.format: x',
    );
  });

  test('a chain short of the final height is incomplete, and must claim no result or factors', async () => {
    for (const n of [0, 2, 3, 5, 7]) {
      const short = record({ blocks: base.blocks.slice(0, n), seal: [], decFactors: [], result: null });
      const outcome = await verifyRecord(short, IN_THREAD);
      expectStatus(outcome, 'incomplete');
      if (outcome.status !== 'incomplete') return;
      assert.equal(outcome.reason, `the chain ends at height ${n} of 8`);
      assert.equal(outcome.summary.height, n);
      assert.equal(outcome.summary.phase, n < 3 ? 'key' : n < 7 ? 'vote' : 'confirm');
      assert.equal(outcome.summary.talliers.length, n < 3 ? 0 : 2);
      assert.equal(outcome.summary.ballots, Math.max(0, Math.min(n - 3, 4)));
    }
    const blocks = base.blocks.slice(0, 7);
    await expectInvalid(
      record({ blocks, seal: [], decFactors: [] }),
      /^record\.result: must be null: the chain ends/,
    );
    await expectInvalid(record({ blocks, seal: [], result: null }), /^record\.dec_factors: must be empty/);
    await expectInvalid(record({ blocks, decFactors: [], result: null }), /^record\.seal: must be empty/);
  });

  test('a missing factor leaves it incomplete, and the result must be null', async () => {
    const outcome = await verifyRecord(record({ decFactors: [factors[0]!], result: null }), IN_THREAD);
    expectStatus(outcome, 'incomplete');
    if (outcome.status !== 'incomplete') return;
    assert.match(outcome.reason, /^1 of 2 talliers have not published a decryption factor \([0-9a-f]{16}\)/);
    assert.ok(outcome.reason.includes(toHex(B.pk, 512).slice(0, 16)));
    expectStatus(await verifyRecord(record({ decFactors: [], result: null }), IN_THREAD), 'incomplete');
    await expectInvalid(
      record({ decFactors: [factors[0]!] }),
      /^record\.result: must be null: 1 of 2 talliers/,
    );
  });

  test('the tie rule: keys A, B, B, A with one seat elect B (a first-come counter would pick A)', async () => {
    const g = testGenesis({ nTalliers: 1, nTalliersBlocks: 4, nVoteBlocks: 1, confirmations: 0 });
    const talliers = new Talliers(g, 2);
    const [a, b] = talliers.keys as [(typeof keys)[0], (typeof keys)[0]];
    const tied = election(g, [a, b, b, a], [1]);
    const factorBy = (i: number): DecryptionFactor =>
      talliers.secrets[i]!.decryptionFactor(g.id, tied.state.tallies, tied.final);
    const seal = [talliers.secrets[1]!.accept(g.id, tied.final, 1)];
    const tiedRecord = (decFactors: DecryptionFactor[]) =>
      buildRecord({ genesis: g, blocks: tied.blocks, seal, decFactors, result: { yes: 1, no: 0, total: 1 } });

    const outcome = await verifyRecord(tiedRecord([factorBy(1)]), IN_THREAD);
    expectStatus(outcome, 'verified');
    if (outcome.status !== 'verified') return;
    assert.deepEqual(outcome.summary.talliers, [{ pk: toHex(b.pk, 512).slice(0, 16), count: 2 }]);
    await expectInvalid(
      tiedRecord([factorBy(0)]),
      /^record\.dec_factors\[0\]\.pk: is not an elected tallier/,
    );
  });
});

describe('verifyRecord: invalid records name the failure', () => {
  test('the record: extra or missing keys, the format string, not an object', async () => {
    await expectInvalid({ ...record(), extra: 1 }, /^record\.extra: is not an allowed field/);
    const { result: _, ...noResult } = record();
    await expectInvalid(noResult, /^record\.result: is missing/);
    await expectInvalid({ ...record(), format: 'onion-election/record/v3' }, /^record\.format: must be/);
    // A version-2 genesis in a version-1 record (which has no seal).
    const { seal: _s, ...unsealed } = record();
    await expectInvalid(
      { ...unsealed, format: 'onion-election/record/v1' },
      /^record\.genesis\.version: is 2, but the record's format is version 1/,
    );
    await expectInvalid(unsealed, /^record\.seal: is missing/);
    await expectInvalid(null, /^record: must be a JSON object/);
    await expectInvalid({ ...record(), blocks: {} }, /^record\.blocks: must be an array/);
    await expectInvalid({ ...record(), result: { ...result, total: '4' } }, /^record\.result\.total/);
  });

  test('an extra key in a block, and in a factor', async () => {
    const r = record();
    (r.blocks as Record<string, unknown>[])[2]!.surprise = true;
    await expectInvalid(r, /^record\.blocks\[2\] \(height 3\): block\.surprise: is not an allowed field/);
    const f = record();
    (f.dec_factors as Record<string, unknown>[])[1]!.surprise = true;
    await expectInvalid(f, /^record\.dec_factors\[1\]\.surprise: is not an allowed field/);
  });

  test('the genesis: a changed parameter is another election, whose blocks do not link to it', async () => {
    const r = record();
    (r.genesis as { title: string }).title = 'Another election';
    await expectInvalid(r, /^record\.blocks\[0\] \(height 1\): block\.prev: must be the hash of the genesis/);
    const bad = record();
    (bad.genesis as { n_talliers: number }).n_talliers = 0;
    await expectInvalid(bad, /^genesis\.n_talliers: must be a whole number/);
  });

  test('a tampered ballot: a proof response changed', async () => {
    const blocks = tamperedAt5((ballot) => respondPlusOne(ballot, 1));
    await expectInvalid(
      record({ blocks }),
      /^record\.blocks\[4\] \(height 5\): block\.payload\.ballot\.proof\[1\]: fails g\^s = a·α\^c/,
      [IN_THREAD, ON_WORKERS],
    );
  });

  test('a tampered ballot: β times g (an encryption of 2 with the old proof)', async () => {
    const blocks = tamperedAt5((ballot) => ({ ...ballot, beta: group.mul(ballot.beta, group.g) }));
    await expectInvalid(
      record({ blocks }),
      /^record\.blocks\[4\] \(height 5\): block\.payload\.ballot\.proof: the branch challenges do not sum/,
      [IN_THREAD, ON_WORKERS],
    );
  });

  test('a ballot element outside the group (checked on the workers, not when the block is parsed)', async () => {
    // p ≡ 3 (mod 4), so −1 is not a square and p − α is not in the group although below p.
    const blocks = tamperedAt5((ballot) => ({ ...ballot, alpha: group.p - ballot.alpha }));
    await expectInvalid(
      record({ blocks }),
      /^record\.blocks\[4\] \(height 5\): block\.payload\.ballot\.alpha: is not an element of the group/,
      [IN_THREAD, ON_WORKERS],
    );
  });

  test('a replayed ballot', async () => {
    const blocks = edited(base.blocks, 5, (b) => withBallot(b, ballotOf(base.blocks[4]!)));
    await expectInvalid(
      record({ blocks }),
      /^record\.blocks\[5\] \(height 6\): block\.payload\.ballot\.alpha: ballot replay: .* at height 5/,
      [IN_THREAD, ON_WORKERS],
    );
  });

  test('a ballot that brings the tally’s α to 1 (nonces r and q − r): no factor could ever decrypt it', async () => {
    const h = group.mul(A.pk, B.pk);
    const r = systemRandomness.scalar(group.q);
    const withNonce = (vote: 0 | 1, nonce: bigint) =>
      encryptBallot(
        group,
        genesis.id,
        h,
        vote,
        fixedRandomness([
          nonce,
          systemRandomness.scalar(group.q),
          systemRandomness.challenge(),
          systemRandomness.scalar(group.q),
        ]),
      );
    let blocks = edited(base.blocks, 3, (b) => withBallot(b, withNonce(1, r)));
    blocks = edited(blocks, 4, (b) => withBallot(b, withNonce(0, group.q - r)));
    await expectInvalid(
      record({ blocks, decFactors: [], result: null }),
      /^record\.blocks\[4\] \(height 5\): block\.payload\.ballot\.alpha: brings the tally’s α to 1/,
      [IN_THREAD, ON_WORKERS],
    );
  });

  test('an election key of 1: the block at height T, electing keys g^x and g^−x, is invalid', async () => {
    const x = systemRandomness.scalar(group.q);
    const [X, Y] = [x, group.q - x].map((s) =>
      TallierSecretKey.fromSecret(group, s).provePossession(genesis.id),
    );
    let blocks = base.blocks.slice(0, 3);
    for (const [i, key] of [X!, Y!, X!].entries())
      blocks = edited(blocks, i, (b) => ({ ...b, payload: keyPayload(key) }));
    await expectInvalid(
      record({ blocks, seal: [], decFactors: [], result: null }),
      /^record\.blocks\[2\] \(height 3\): talliers: the elected keys multiply to 1/,
    );
  });

  test('a longer record: one batch or many, in this thread or on workers, the same outcome', async () => {
    // 48 ballots, the 30th (height 33) with a wrong response: every way of cutting the ballots
    // into batches and sharing them out names it alike, and the record without it verifies alike.
    const long = testGenesis({ nVoteBlocks: 48 });
    const own = new Talliers(long, 2);
    const votes = Array.from({ length: 48 }, (_, i) => (i % 3 === 0 ? 1 : 0) as 0 | 1);
    const run = election(long, [own.keys[0]!, own.keys[1]!, own.keys[0]!], votes);
    const final = run.final;
    const sealed = own.secrets.map((s) => s.accept(long.id, final, 1));
    const factorsOf = own.secrets.map((s) => s.decryptionFactor(long.id, run.state.tallies, final));
    const outcome = { yes: 16, no: 32, total: 48 };
    const recordOf = (blocks: readonly Block[]) =>
      JSON.parse(
        JSON.stringify(
          buildRecord({ genesis: long, blocks, seal: sealed, decFactors: factorsOf, result: outcome }),
        ),
      );
    const modes: VerifyOptions[] = [IN_THREAD, { workers: 2 }, { workers: 1, chunkSize: 5 }, {}];
    const valid = await Promise.all(modes.map((options) => verifyRecord(recordOf(run.blocks), options)));
    for (const v of valid) {
      expectStatus(v, 'verified');
      assert.deepEqual(v, valid[0]);
    }
    const blocks = [...run.blocks];
    blocks[32] = mine(long, withBallot(blocks[32]!, respondPlusOne(ballotOf(blocks[32]!), 0)));
    for (let j = 33; j < blocks.length; j++)
      blocks[j] = mine(long, { ...blocks[j]!, prev: blockHash(group, blocks[j - 1]!) });
    await expectInvalid(
      recordOf(blocks),
      /^record\.blocks\[32\] \(height 33\): block\.payload\.ballot\.proof\[0\]: fails g\^s = a·α\^c$/,
      modes,
    );
  });

  test('the lowest failing height is reported, whichever thread found it', async () => {
    // Bad proofs at heights 5 and 6 (two lists, two workers) and a broken link at height 7.
    let blocks = tamperedAt5((ballot) => respondPlusOne(ballot, 0));
    blocks = edited(blocks, 5, (b) => withBallot(b, respondPlusOne(ballotOf(b), 1)));
    blocks = edited(blocks, 6, (b) => ({ ...b, prev: '00'.repeat(32) }));
    const modes = [IN_THREAD, ON_WORKERS, { workers: 1 }, { workers: 2 }];
    await expectInvalid(
      record({ blocks }),
      /^record\.blocks\[4\] \(height 5\): block\.payload\.ballot\.proof\[0\]/,
      modes,
    );
    // Without the first, the second.
    const later = edited(base.blocks, 5, (b) => withBallot(b, respondPlusOne(ballotOf(b), 1)));
    const broken = edited(later, 6, (b) => ({ ...b, prev: '00'.repeat(32) }));
    await expectInvalid(
      record({ blocks: broken }),
      /^record\.blocks\[5\] \(height 6\): block\.payload\.ballot/,
      modes,
    );
  });

  test('a wrong payload kind for the height', async () => {
    const blocks = edited(base.blocks, 3, (b) => ({ ...b, payload: confirmation }));
    await expectInvalid(
      record({ blocks }),
      /^record\.blocks\[3\] \(height 4\): block\.payload\.kind: height 4 is in the vote phase and must carry a ballot, not a confirmation/,
    );
    const key: Payload = keyPayload(C);
    const late = edited(base.blocks, 7, (b) => ({ ...b, payload: key }));
    await expectInvalid(
      record({ blocks: late }),
      /height 8 is in the confirm phase and must carry a confirmation/,
    );
  });

  test('a tampered tallier key', async () => {
    const forged = { ...B, pkPok: { ...B.pkPok, response: (B.pkPok.response + 1n) % group.q } };
    const blocks = edited(base.blocks, 1, (b) => ({ ...b, payload: keyPayload(forged) }));
    await expectInvalid(
      record({ blocks }),
      /^record\.blocks\[1\] \(height 2\): block\.payload\.tallier_key\.pk_pok\.response/,
    );
  });

  test('a broken prev link', async () => {
    const blocks = [...base.blocks];
    blocks[5] = mine(genesis, { ...blocks[5]!, prev: 'ab'.repeat(32) });
    await expectInvalid(
      record({ blocks }),
      /^record\.blocks\[5\] \(height 6\): block\.prev: must be the hash of the block at height 5/,
    );
  });

  test('a block without its proof of work', async () => {
    const blocks = [...base.blocks];
    const block = blocks[5]!;
    let nonce = block.nonce;
    do nonce++;
    while (BigInt(`0x${blockHash(group, { ...block, nonce })}`) <= genesis.target);
    blocks[5] = { ...block, nonce };
    await expectInvalid(
      record({ blocks }),
      /^record\.blocks\[5\] \(height 6\): block\.nonce: proof of work: the hash [0-9a-f]{64} is above the target/,
    );
  });

  test('a timestamp not above the median of the previous ones (the genesis counts)', async () => {
    // Before height 4: T0 (genesis), +10, +20, +30; their median is T0 + 20.
    const median = genesis.createdAt + 20;
    const blocks = edited(base.blocks, 3, (b) => ({ ...b, timestamp: median }));
    await expectInvalid(
      record({ blocks }),
      new RegExp(
        `^record\\.blocks\\[3\\] \\(height 4\\): block\\.timestamp: ${median} is not above the median ${median}`,
      ),
    );
    const ok = edited(base.blocks, 3, (b) => ({ ...b, timestamp: median + 1 }));
    const rest = edited(ok, 4, (b) => ({ ...b, timestamp: median + 2 }));
    // Heights 4 and 5 moved back in time, yet each is above its median: the chain is fine (the
    // seal and factors named the old last block, so they are re-made for the new one).
    const last = blockHash(group, rest[rest.length - 1]!);
    const outcome = await verifyRecord(
      record({
        blocks: rest,
        seal: [acceptanceOf(0, last), acceptanceOf(1, last)],
        decFactors: [0, 1].map((i) => secrets[i]!.decryptionFactor(genesis.id, base.state.tallies, last)),
      }),
      IN_THREAD,
    );
    expectStatus(outcome, 'verified');
  });

  test('heights: a block beyond the final height, a gap, a repeated block', async () => {
    const last = base.blocks[7]!;
    const beyond = mine(genesis, {
      height: 9,
      prev: blockHash(group, last),
      timestamp: last.timestamp + 10,
      miner: 'tester',
      payload: confirmation,
    });
    await expectInvalid(
      record({ blocks: [...base.blocks, beyond] }),
      /^record\.blocks\[8\] \(height 9\): block\.height: is beyond the election's final height 8/,
    );
    const gap = [...base.blocks.slice(0, 2), ...base.blocks.slice(3)];
    await expectInvalid(record({ blocks: gap }), /^record\.blocks\[2\] \(height 3\): block\.height: is 4/);
    const repeated = [...base.blocks.slice(0, 3), base.blocks[2]!];
    await expectInvalid(
      record({ blocks: repeated }),
      /^record\.blocks\[3\] \(height 4\): block\.height: is 3/,
    );
  });

  test('a wrong result', async () => {
    await expectInvalid(
      record({ result: { yes: 2, no: 2, total: 4 } }),
      /^record\.result: is yes 2, no 2, total 4, but the factors decrypt the tally to yes 3, no 1, total 4/,
    );
    await expectInvalid(record({ result: null }), /^record\.result: is null, but the factors decrypt/);
  });

  test('a factor from a non-tallier, a second factor from a tallier', async () => {
    await expectInvalid(
      record({ decFactors: [factors[0]!, factorOf(2), factors[1]!] }),
      /^record\.dec_factors\[1\]\.pk: is not an elected tallier/,
    );
    await expectInvalid(
      record({ decFactors: [factors[0]!, factors[1]!, factorOf(0)] }),
      /^record\.dec_factors\[2\]\.pk: has more than one factor/,
    );
  });

  test('a forged factor, and a factor of another tally', async () => {
    const forged = { ...factors[1]!, factors: [group.mul(factors[1]!.factors[0]!, group.g)] };
    await expectInvalid(
      record({ decFactors: [factors[0]!, forged] }),
      /^record\.dec_factors\[1\]\.dec_factor_poc\.challenge: is not the hash of the statement/,
    );
    const stale = secrets[1]!.decryptionFactor(
      genesis.id,
      [{ alpha: ballotOf(base.blocks[3]!).alpha, beta: 4n }],
      base.final,
    );
    await expectInvalid(
      record({ decFactors: [factors[0]!, stale] }),
      /^record\.dec_factors\[1\]\.dec_factor_poc/,
    );
  });
});

describe('verifyRecord: the seal and the final block (version 2)', () => {
  test('no seal yet: incomplete, and no factor may be there', async () => {
    const outcome = await verifyRecord(record({ seal: [], decFactors: [], result: null }), IN_THREAD);
    expectStatus(outcome, 'incomplete');
    assert.equal(
      outcome.status === 'incomplete' && outcome.reason,
      'the talliers have not sealed the final block yet',
    );
    await expectInvalid(
      record({ seal: [], result: null }),
      /^record\.dec_factors: must be empty: talliers decrypt only a sealed/,
    );
  });

  test('a seal is every tallier, once, in one round, naming the last block, each signature valid', async () => {
    await expectInvalid(
      record({ seal: [seal[0]!] }),
      /^record\.seal: lacks the acceptance of 1 of 2 talliers/,
    );
    await expectInvalid(
      record({ seal: [seal[0]!, seal[0]!] }),
      /^record\.seal\[1\]\.pk: has more than one acceptance/,
    );
    await expectInvalid(
      record({ seal: [seal[0]!, acceptanceOf(2)] }),
      /^record\.seal\[1\]\.pk: is not an elected tallier/,
    );
    await expectInvalid(
      record({ seal: [seal[0]!, acceptanceOf(1, base.final, 2)] }),
      /^record\.seal\[1\]\.round: is 2: a seal is one round \(1\)/,
    );
    // The round is signed: changing it breaks the signature.
    await expectInvalid(
      record({ seal: [seal[0]!, { ...seal[1]!, round: 2 }] }),
      /^record\.seal\[1\]\.signature\.challenge/,
    );
    await expectInvalid(
      record({ seal: [acceptanceOf(0, base.final, 9), acceptanceOf(1, base.final, 9)] }),
      /^record\.seal\[0\]\.round: must be at most 8/,
    );
    // One tallier's genuine acceptance of a rival (a split round 1 is public) is no evidence that
    // the talliers sealed another branch: a plain mismatch, not "replaced".
    const error = await expectInvalid(
      record({ seal: [seal[0]!, acceptanceOf(1, 'cd'.repeat(32))] }),
      /^record\.seal\[1\]\.final: names block cdcdcdcdcdcdcdcd…, not [0-9a-f]{16}…: a seal names the chain's last block$/,
    );
    assert.doesNotMatch(error, /replaced|released/);
    // A made-up acceptance naming another block is refused for its signature, not taken as a sign
    // that the talliers sealed another branch.
    await expectInvalid(
      record({ seal: [seal[0]!, { ...seal[1]!, final: 'ab'.repeat(32) }] }),
      /^record\.seal\[1\]\.signature\.challenge/,
    );
    await expectInvalid(
      record({ seal: [seal[0]!, { ...seal[1]!, pk: A.pk }] }),
      /^record\.seal\[1\]\.(pk: has more than one|signature)/,
    );
    const forged = {
      ...seal[1]!,
      signature: { ...seal[1]!.signature, response: (seal[1]!.signature.response + 1n) % group.q },
    };
    await expectInvalid(record({ seal: [seal[0]!, forged] }), /^record\.seal\[1\]\.signature\.response/);
    // A seal made for another election (same blocks, another context) does not verify here.
    const other = testGenesis({ title: 'Another election' });
    await expectInvalid(
      record({ seal: [seal[0]!, secrets[1]!.accept(other.id, base.final, 1)] }),
      /^record\.seal\[1\]\.signature\.challenge/,
    );
  });

  test('a chain replaced after the result: seal and factors name another final block, and verify says so', async () => {
    // Another last block (a late branch at the final height), with the seal and factors of the original.
    const replaced = edited(base.blocks, 7, (b) => ({ ...b, miner: 'mallory' }));
    const error = await expectInvalid(
      record({ blocks: replaced }),
      /^record\.seal\[0\]\.final: accepts final block [0-9a-f]{16}…, but this chain ends in [0-9a-f]{16}…: .*released after the result/,
    );
    assert.ok(error.includes(base.final.slice(0, 16)));
    // Its own seal, with the factors still naming the original block.
    const last = blockHash(group, replaced[7]!);
    await expectInvalid(
      record({ blocks: replaced, seal: [acceptanceOf(0, last), acceptanceOf(1, last)] }),
      /^record\.dec_factors\[0\]\.final: names final block [0-9a-f]{16}…, not [0-9a-f]{16}…, the sealed final block of this chain/,
    );
    // A factor relabelled with the new block: its proof bound the old one.
    await expectInvalid(
      record({
        blocks: replaced,
        seal: [acceptanceOf(0, last), acceptanceOf(1, last)],
        decFactors: [
          { ...factors[0]!, final: last },
          { ...factors[1]!, final: last },
        ],
      }),
      /^record\.dec_factors\[0\]\.dec_factor_poc\.challenge: is not the hash of the statement/,
    );
  });

  test('a factor without the final block it decrypts (the version-1 form) is refused in a version-2 record', async () => {
    const r = record();
    delete (r.dec_factors as Record<string, unknown>[])[0]!.final;
    await expectInvalid(r, /^record\.dec_factors\[0\]\.final: is missing/);
  });
});
