// The independent verifier: a record with 1,000 ballot blocks with the default workers and in this
// thread alone, and the whole `onion-election verify` process on the 4-ballot vector record, spawned
// as a user would. Floors from issue 12, item 5: verify_1000_ballots_s ≤ 1.5 on 2 cores,
// verify_small_record_s ≤ 1.0.
import { execFile } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Block, blockHash, type Payload } from '../main/chain/block';
import { ballotRules, tallyCount } from '../main/chain/genesis';
import type { Question } from '../main/chain/questions';
import { mine, Talliers, testGenesis } from '../main/chain/testing';
import { addToTallies } from '../main/crypto/any-ballot';
import { encryptAnswers } from '../main/crypto/choices';
import { electionResult } from '../main/crypto/decryption';
import { decryptTally, EMPTY_TALLY, electionKey, encryptBallot } from '../main/crypto/index';
import { buildRecord } from '../main/verify/record';
import { type VerifyOptions, verifyRecord } from '../main/verify/verify';
import { percentile, type Suite } from './harness';

const BALLOTS = 1000;

/**
 * A complete, valid record: keys A, B, A (talliers A and B), 1,000 ballots, one confirmation, the
 * talliers' seal, both factors and the result. Built directly, block by block, not through a Chain: a Chain would
 * verify every ballot as it goes, doubling the ~5 s of encryption this takes. With `questions`,
 * each ballot answers them, its selections taken in turn from `picks`.
 */
export function buildBenchRecord(questions?: readonly Question[], picks: number[][][] = []): unknown {
  const genesis = testGenesis({
    nTalliersBlocks: 3,
    nVoteBlocks: BALLOTS,
    confirmations: 1,
    ...(questions ? { questions } : {}),
  });
  const rules = ballotRules(genesis);
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
  let tallies = Array.from({ length: tallyCount(genesis) }, () => EMPTY_TALLY);
  for (let i = 0; i < BALLOTS; i++) {
    const ballot = rules
      ? encryptAnswers(group, id, h, rules, picks[i % picks.length]!)
      : encryptBallot(group, id, h, i % 3 === 0 ? 1 : 0);
    tallies = addToTallies(group, tallies, ballot);
    append({ kind: 'ballot', ballot });
  }
  append({ kind: 'confirmation' });
  const final = blockHash(group, blocks[blocks.length - 1]!);
  const seal = secrets.map((s) => s.accept(id, final, 1));
  const decFactors = secrets.map((s) => s.decryptionFactor(id, tallies, final));
  const pks = keys.map((k) => k.pk);
  const result = electionResult(rules, decryptTally(group, id, tallies, BALLOTS, pks, decFactors), BALLOTS);
  // Through JSON text, as the command line reads a record.
  return JSON.parse(JSON.stringify(buildRecord({ genesis, blocks, seal, decFactors, result })));
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** Wall-clock seconds of `onion-election verify FILE` in a fresh process, as a user runs it. */
async function timeCommand(file: string): Promise<number> {
  const start = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, ['bin/onion-election.mjs', 'verify', file], {
    cwd: root,
  });
  const seconds = (performance.now() - start) / 1000;
  if (!stdout.startsWith('VERIFIED')) throw new Error(`${file} did not verify: ${stdout}`);
  return seconds;
}

export async function timeVerify(record: unknown, options: VerifyOptions): Promise<number> {
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
      note: `whole record, default workers (${cores} cores); floor ≤ 1.5`,
    });
    const one = await timeVerify(record, { workers: 0 });
    report.metric({
      name: 'verify_1000_ballots_1core_s',
      value: one,
      unit: 's',
      note: 'whole record, this thread alone (one batch)',
    });
    report.line(
      `1,000 ballots: ${all.toFixed(2)} s on ${cores} cores, ${one.toFixed(2)} s on one (${(one / all).toFixed(2)}×); record built in ${buildSeconds.toFixed(1)} s`,
    );

    const small = 'docs/test-vectors/record-v1.json';
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push(await timeCommand(small));
    const median = percentile(runs, 50);
    report.metric({
      name: 'verify_small_record_s',
      value: median,
      unit: 's',
      note: `\`onion-election verify ${small}\`, whole process, median of 5; floor ≤ 1.0`,
    });
    report.line(
      `small record: ${runs.map((r) => r.toFixed(2)).join(', ')} s (${(median / all).toFixed(2)}× the 1,000-ballot record in-process)`,
    );
  },
};
