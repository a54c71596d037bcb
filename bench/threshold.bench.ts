// Threshold talliers (issue 15): the key ceremony among five runners over real HTTP on 127.0.0.1,
// the cost of each ceremony object and of a stand-in factor, and the verifier on a record of 1,000
// ballots whose talliers 4 and 5 are missing at the end (stand-ins for both), against the same
// record decrypted by every tallier.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Block, blockHash, type Payload } from '../main/chain/block';
import { makeGenesis } from '../main/chain/genesis';
import { mine } from '../main/chain/testing';
import { addToTally, EMPTY_TALLY, encryptBallot } from '../main/crypto/ballot';
import { decryptWithQuorum, yesNoResult } from '../main/crypto/decryption';
import { electionKey, Group, TallierSecretKey } from '../main/crypto/index';
import { verifyCompensatedFactor, verifyComplaint, verifyDealing } from '../main/crypto/threshold';
import type { Dealing } from '../main/crypto/types';
import { Runner } from '../main/net/runner';
import { ElectionNode } from '../main/node/election-node';
import { buildRecord } from '../main/verify/record';
import { verifyRecord } from '../main/verify/verify';
import { medianMs, type Suite } from './harness';

const N = 5;
const QUORUM = 3;
const BALLOTS = 1000;

/**
 * A sealed, decrypted record: 5 talliers (keys at 1–5), a 4-block ceremony (every tallier deals),
 * 1,000 ballots, a confirmation. `missing` talliers publish no factor: the first 3 stand in.
 */
function thresholdRecord(missing: number): unknown {
  const group = Group.default();
  const genesis = makeGenesis({
    title: 'Threshold bench',
    question: 'Adopt?',
    group,
    nTalliers: N,
    nTalliersBlocks: N,
    quorum: QUORUM,
    nCeremonyBlocks: 4,
    nVoteBlocks: BALLOTS,
    confirmations: 1,
    target: (1n << 254n) - 1n,
    createdAt: 1_766_000_000,
  });
  const { id } = genesis;
  const talliers = Array.from({ length: N }, () => TallierSecretKey.generate(group));
  const keys = talliers.map((t) => t.provePossession(id));
  const pks = keys.map((k) => k.pk);
  const dealings = talliers.map((t) => t.deal(id, pks, QUORUM));
  const blocks: Block[] = [];
  const append = (payload: Payload) => {
    const parent = blocks.at(-1);
    blocks.push(
      mine(genesis, {
        height: blocks.length + 1,
        prev: parent ? blockHash(group, parent) : genesis.idHex,
        timestamp: (parent?.timestamp ?? genesis.createdAt) + 10,
        miner: '',
        payload,
      }),
    );
  };
  for (const key of keys) append({ kind: 'tallier_key', key });
  const dealing = (d: Dealing) => ({ kind: 'dealing' as const, dealing: d });
  append({ kind: 'ceremony', messages: dealings.slice(0, 3).map(dealing) });
  append({ kind: 'ceremony', messages: dealings.slice(3).map(dealing) });
  append({ kind: 'ceremony', messages: [] });
  append({ kind: 'ceremony', messages: [] });
  const h = electionKey(group, id, keys);
  let tally = EMPTY_TALLY;
  for (let i = 0; i < BALLOTS; i++) {
    const ballot = encryptBallot(group, id, h, i % 3 === 0 ? 1 : 0);
    tally = addToTally(group, tally, ballot);
    append({ kind: 'ballot', ballot });
  }
  append({ kind: 'confirmation' });
  const final = blockHash(group, blocks.at(-1)!);
  const present = talliers.slice(0, N - missing);
  const seal = present.map((t) => t.accept(id, final, 1));
  const decFactors = present.map((t) => t.decryptionFactor(id, [tally], final));
  const compensatedFactors = talliers
    .slice(N - missing)
    .flatMap((_, k) =>
      talliers
        .slice(0, QUORUM)
        .map((t) => t.compensatedFactor(id, dealings[N - missing + k]!, pks, [tally], final)),
    );
  const setup = {
    elected: pks,
    qualified: pks,
    quorum: QUORUM,
    dealings: new Map(dealings.map((d) => [d.dealer, d])),
  };
  const result = yesNoResult(
    decryptWithQuorum(group, id, [tally], BALLOTS, setup, decFactors, compensatedFactors),
    BALLOTS,
  );
  return JSON.parse(
    JSON.stringify(buildRecord({ genesis, blocks, seal, decFactors, compensatedFactors, result })),
  );
}

async function timeVerify(record: unknown, workers?: number): Promise<number> {
  const start = performance.now();
  const outcome = await verifyRecord(record, workers === undefined ? {} : { workers });
  const seconds = (performance.now() - start) / 1000;
  if (outcome.status !== 'verified')
    throw new Error(`bench record did not verify: ${JSON.stringify(outcome)}`);
  return seconds;
}

/**
 * Five runners, fully meshed over real HTTP: each mines one key block alone (five talliers), then
 * nobody mines until every runner's pool holds the five dealings; then one miner completes the
 * 4-block ceremony. Seconds from the last key block on every runner to the dealings in every pool,
 * and to the election key fixed on every runner.
 */
async function ceremonyOverHttp(): Promise<{ spread: number; fixed: number }> {
  const group = Group.default();
  const root = mkdtempSync(path.join(os.tmpdir(), 'oe-bench-threshold-'));
  const genesis = makeGenesis({
    title: 'Ceremony bench',
    question: 'Adopt?',
    group,
    nTalliers: N,
    nTalliersBlocks: N,
    quorum: QUORUM,
    nCeremonyBlocks: 4,
    nVoteBlocks: 10,
    confirmations: 1,
    target: (1n << 254n) - 1n,
    createdAt: Math.floor(Date.now() / 1000) - 60,
  });
  const runners: Runner[] = [];
  const until = async (done: () => boolean, what: string) => {
    const deadline = Date.now() + 60_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  try {
    for (let i = 0; i < N; i++) {
      const node = await ElectionNode.create(path.join(root, `r${i}`), genesis, {
        name: `r${i}`,
        mining: false,
        threads: 1,
      });
      runners.push(
        await Runner.start(node, { direct: true, peers: runners.map((r) => r.self!), syncIntervalMs: 500 }),
      );
    }
    // Runner i finds key block i + 1 (one block each, mined here from its own template).
    for (const [i, runner] of runners.entries()) {
      await runner.node.submitBlock(mine(genesis, runner.node.template()!), 'self');
      await until(() => runners.every((r) => r.node.chain.tip.height >= i + 1), `key block ${i + 1}`);
    }
    const start = performance.now();
    await until(() => runners.every((r) => (r.node.ceremony?.size ?? 0) >= N), 'five dealings in every pool');
    const spread = (performance.now() - start) / 1000;
    runners[0]!.node.startMining();
    await until(
      () =>
        runners.every(
          (r) => r.node.chain.tip.height >= N + 4 && r.node.chain.state().qualified?.length === N,
        ),
      'the election key on every runner',
    );
    const fixed = (performance.now() - start) / 1000;
    await runners[0]!.node.stopMining();
    return { spread, fixed };
  } finally {
    for (const r of runners) await r.close();
    rmSync(root, { recursive: true, force: true });
  }
}

export const thresholdSuite: Suite = {
  name: 'threshold',
  async run(report) {
    const { spread, fixed } = await ceremonyOverHttp();
    report.metric({
      name: 'ceremony_s',
      value: fixed,
      unit: 's',
      note: `5 talliers, quorum 3, direct HTTP: last key block → key fixed on all 5 (4 ceremony blocks mined by one runner at an easy target)`,
    });
    report.metric({
      name: 'ceremony_dealings_spread_s',
      value: spread,
      unit: 's',
      note: 'last key block → all five dealings made, verified and in every pool',
    });

    const group = Group.default();
    const context = new Uint8Array(32).fill(7);
    const talliers = Array.from({ length: N }, () => TallierSecretKey.generate(group));
    const pks = talliers.map((t) => t.publicKey);
    const dealing = talliers[3]!.deal(context, pks, QUORUM);
    const tally = { alpha: group.powG(12345n), beta: group.powG(678n) };
    const final = 'ab'.repeat(32);
    const standIn = talliers[0]!.compensatedFactor(context, dealing, pks, [tally], final);
    const complaint = talliers[0]!.complain(context, dealing); // proves nothing: timed up to its last check
    const figures = {
      dealing_make_ms: await medianMs(() => talliers[3]!.deal(context, pks, QUORUM), 15),
      dealing_verify_ms: await medianMs(() => verifyDealing(group, context, dealing, pks, QUORUM), 15),
      share_open_ms: await medianMs(() => talliers[0]!.openShare(context, dealing, pks), 15),
      complaint_verify_ms: await medianMs(() => {
        try {
          verifyComplaint(group, context, dealing, pks, complaint);
        } catch {}
      }, 15),
      compensated_factor_make_ms: await medianMs(
        () => talliers[0]!.compensatedFactor(context, dealing, pks, [tally], final),
        15,
      ),
      compensated_factor_verify_ms: await medianMs(
        () => verifyCompensatedFactor(group, context, [tally], standIn, dealing, pks),
        15,
      ),
    };
    for (const [name, value] of Object.entries(figures))
      report.metric({ name, value, unit: 'ms', note: '5 talliers, quorum 3, one thread, median of 15' });

    const full = thresholdRecord(0);
    const twoMissing = thresholdRecord(2);
    const plain = await timeVerify(full);
    const compensated = await timeVerify(twoMissing);
    report.metric({
      name: 'verify_1000_ballots_2_compensated_s',
      value: compensated,
      unit: 's',
      note: 'threshold record, 2 of 5 talliers compensated (6 stand-in factors), default workers',
    });
    report.metric({
      name: 'verify_1000_ballots_all_talliers_s',
      value: plain,
      unit: 's',
      note: 'the same election decrypted by all 5 talliers',
    });
    report.line(
      `ceremony: dealings spread in ${spread.toFixed(2)} s, key fixed in ${fixed.toFixed(2)} s; verify with 2 compensated ${compensated.toFixed(2)} s vs all 5 ${plain.toFixed(2)} s (${(compensated / plain).toFixed(2)}×)`,
    );
  },
};
