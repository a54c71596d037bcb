// The independent verifier on a record with 1,000 ballot blocks: on every core (the default), and
// on one worker for comparison. Floor from the issue: verify_1000_ballots_s ≤ 15 on 2 cores.
import os from 'node:os';
import { type Block, blockHash, type Payload } from '../main/chain/block';
import { mine, Talliers, testGenesis } from '../main/chain/testing';
import { addToTally, decryptTally, EMPTY_TALLY, electionKey, encryptBallot } from '../main/crypto/index';
import { buildRecord } from '../main/verify/record';
import { type VerifyOptions, verifyRecord } from '../main/verify/verify';
import type { Suite } from './harness';

const BALLOTS = 1000;

/**
 * A complete, valid record: keys A, B, A (talliers A and B), 1,000 ballots, one confirmation, both
 * factors and the result. Built directly, block by block, not through a Chain: a Chain would
 * verify every ballot as it goes, doubling the ~5 s of encryption this takes.
 */
function buildBenchRecord(): unknown {
  const genesis = testGenesis({ nTalliersBlocks: 3, nVoteBlocks: BALLOTS, confirmations: 1 });
  const { group, id } = genesis;
  const { keys, secrets } = new Talliers(genesis, 2);
  const blocks: Block[] = [];
  const append = (payload: Payload) => {
    const parent = blocks[blocks.length - 1];
    const block = mine(genesis, {
      height: blocks.length + 1,
      prev: parent ? blockHash(group, parent) : genesis.idHex,
      timestamp: (parent?.timestamp ?? genesis.createdAt) + 10,
      miner: 'bench',
      payload,
    });
    blocks.push(block);
  };
  for (const key of [keys[0]!, keys[1]!, keys[0]!]) append({ kind: 'tallier_key', key });
  const h = electionKey(group, id, keys);
  let tally = EMPTY_TALLY;
  for (let i = 0; i < BALLOTS; i++) {
    const ballot = encryptBallot(group, id, h, i % 3 === 0 ? 1 : 0);
    tally = addToTally(group, tally, ballot);
    append({ kind: 'ballot', ballot });
  }
  append({ kind: 'confirmation' });
  const decFactors = secrets.map((s) => s.decryptionFactor(id, tally));
  const pks = keys.map((k) => k.pk);
  const result = decryptTally(group, id, tally, BALLOTS, pks, decFactors);
  // Through JSON text, as the command line reads a record.
  return JSON.parse(JSON.stringify(buildRecord({ genesis, blocks, decFactors, result })));
}

async function timeVerify(record: unknown, options: VerifyOptions): Promise<number> {
  const start = performance.now();
  const outcome = await verifyRecord(record, options);
  const seconds = (performance.now() - start) / 1000;
  if (outcome.status !== 'verified')
    throw new Error(`bench record did not verify: ${JSON.stringify(outcome)}`);
  return seconds;
}

export const verifySuite: Suite = {
  name: 'verify',
  async run(report) {
    const buildStart = performance.now();
    const record = buildBenchRecord();
    const buildSeconds = (performance.now() - buildStart) / 1000;
    const cores = os.availableParallelism();

    const all = await timeVerify(record, {});
    report.metric({
      name: 'verify_1000_ballots_s',
      value: all,
      unit: 's',
      note: `whole record, ${cores} ballot workers; floor ≤ 15`,
    });
    const one = await timeVerify(record, { workers: 1 });
    report.metric({
      name: 'verify_1000_ballots_1core_s',
      value: one,
      unit: 's',
      note: 'whole record, 1 ballot worker',
    });
    report.line(
      `${cores} workers: ${(one / all).toFixed(2)}× the speed of one; record built in ${buildSeconds.toFixed(1)} s`,
    );
  },
};
