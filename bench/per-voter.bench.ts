// The per-voter rule (issue 13): how fast a cast ballot reaches every runner's pool (4 runners over
// real HTTP on 127.0.0.1), how large a block is when 50 ballots are pending, and how long the
// independent verifier takes for a record of 1,000 voters (same floor as per-block: ≤ 1.5 s).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Block, blockHash, encodeBlock, type Payload } from '../main/chain/block';
import { makeGenesis } from '../main/chain/genesis';
import { MAX_BALLOTS_PER_BLOCK } from '../main/chain/limits';
import { mine } from '../main/chain/testing';
import { addToTally, EMPTY_TALLY } from '../main/crypto/ballot';
import { encodeCastBallot } from '../main/crypto/codec';
import { CredentialSecretKey } from '../main/crypto/credential';
import { yesNoResult } from '../main/crypto/decryption';
import { decryptTally, electionKey, Group, TallierSecretKey } from '../main/crypto/index';
import type { Ballot } from '../main/crypto/types';
import { Runner } from '../main/net/runner';
import { ElectionNode } from '../main/node/election-node';
import { buildRecord } from '../main/verify/record';
import { verifyRecord } from '../main/verify/verify';
import { percentile, type Suite } from './harness';

const VOTERS = 1000;

/** A sealed, decrypted per-voter record: 1,000 voters, 8 ballots a block (built block by block). */
export function perVoterRecord(): unknown {
  const group = Group.default();
  const voters = Array.from({ length: VOTERS }, () => CredentialSecretKey.generate(group));
  const genesis = makeGenesis({
    title: 'Per-voter bench',
    question: 'Adopt?',
    group,
    ballotRule: 'per-voter',
    roster: voters.map((v) => v.publicKey),
    nTalliers: 1,
    nTalliersBlocks: 1,
    nVoteBlocks: VOTERS / MAX_BALLOTS_PER_BLOCK,
    confirmations: 1,
    target: (1n << 254n) - 1n,
    createdAt: 1_765_000_000,
  });
  const tallier = TallierSecretKey.generate(group);
  const key = tallier.provePossession(genesis.id);
  const h = electionKey(group, genesis.id, [key]);
  const blocks: Block[] = [];
  const append = (payload: Payload) => {
    const parent = blocks[blocks.length - 1];
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
  append({ kind: 'tallier_key', key, endorsement: voters[0]!.endorse(genesis.id, key) });
  let tally = EMPTY_TALLY;
  for (let i = 0; i < VOTERS; i += MAX_BALLOTS_PER_BLOCK) {
    const casts = voters
      .slice(i, i + MAX_BALLOTS_PER_BLOCK)
      .map((v, j) => v.cast(genesis.id, h, ((i + j) % 3 === 0 ? 1 : 0) as 0 | 1, 1));
    for (const c of casts) tally = addToTally(group, tally, c.ballot as Ballot);
    append({ kind: 'ballots', ballots: casts });
  }
  append({ kind: 'confirmation' });
  const final = blockHash(group, blocks.at(-1)!);
  const factor = tallier.decryptionFactor(genesis.id, [tally], final);
  const result = yesNoResult(decryptTally(group, genesis.id, [tally], VOTERS, [key.pk], [factor]), VOTERS);
  return JSON.parse(
    JSON.stringify(
      buildRecord({
        genesis,
        blocks,
        seal: [tallier.accept(genesis.id, final, 1)],
        decFactors: [factor],
        result,
      }),
    ),
  );
}

/** Four runners, fully meshed; one casts a ballot after another: ms until every pool holds it. */
async function castPropagation(): Promise<{ delays: number[]; blockBytes: number }> {
  const group = Group.default();
  const root = mkdtempSync(path.join(os.tmpdir(), 'oe-bench-per-voter-'));
  const credentials = Array.from({ length: 54 }, () => CredentialSecretKey.generate(group));
  const genesis = makeGenesis({
    title: 'Cast propagation',
    question: 'Adopt?',
    group,
    ballotRule: 'per-voter',
    roster: credentials.map((c) => c.publicKey),
    nTalliers: 1,
    nTalliersBlocks: 1,
    nVoteBlocks: 100,
    confirmations: 1,
    target: (1n << 254n) - 1n,
    createdAt: Math.floor(Date.now() / 1000) - 60,
  });
  const runners: Runner[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      const node = await ElectionNode.create(
        path.join(root, `r${i}`),
        genesis,
        { name: `r${i}`, mining: false, threads: 1 },
        { credential: credentials[i]! },
      );
      runners.push(
        await Runner.start(node, { direct: true, peers: runners.map((r) => r.self!), syncIntervalMs: 500 }),
      );
    }
    // The key block, mined by runner 0 alone: then the voting phase is open everywhere.
    const first = runners[0]!;
    first.node.startMining();
    const deadline = Date.now() + 30_000;
    while (runners.some((r) => r.node.chain.tip.height < 1) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await first.node.stopMining();
    const h = first.node.chain.electionOf(first.node.chain.tip).key;
    const delays: number[] = [];
    for (let i = 0; i < 50; i++) {
      const cast = credentials[4 + i]!.cast(genesis.id, h, 1, 1);
      const from = runners[i % 4]!;
      const started = performance.now();
      from.node.submitCast(JSON.parse(JSON.stringify(encodeCastBallot(group, cast))));
      while (runners.some((r) => r.node.casting!.pool.pendingSeq(cast.credential) === 0)) {
        if (performance.now() - started > 10_000) throw new Error('a cast ballot did not reach every pool');
        await new Promise((r) => setImmediate(r));
      }
      delays.push(performance.now() - started);
    }
    // 50 ballots pending (and the runners' own 4 casts, if any): the next block carries the 8 oldest.
    const template = first.node.template()!;
    const blockBytes = Buffer.byteLength(JSON.stringify(encodeBlock(group, { ...template, nonce: 0n })));
    return { delays, blockBytes };
  } finally {
    await Promise.all(runners.map((r) => r.close()));
    rmSync(root, { recursive: true, force: true });
  }
}

export const perVoterSuite: Suite = {
  name: 'per-voter',
  async run(report) {
    const { delays, blockBytes } = await castPropagation();
    report.metric({
      name: 'ballot_tx_propagation_ms_p50',
      value: percentile(delays, 50),
      unit: 'ms',
      note: `a cast ballot from one runner to every pool of 4 (direct, real HTTP); p95 ${percentile(delays, 95).toFixed(1)} ms`,
    });
    report.metric({
      name: 'per_voter_block_kb_at_50_pending',
      value: blockBytes / 1024,
      unit: 'KB',
      note: `the next block's JSON with 50 ballots pending: it carries ${MAX_BALLOTS_PER_BLOCK} (the protocol's bound); limit 60 KiB`,
    });
    const build = performance.now();
    const record = perVoterRecord();
    const built = (performance.now() - build) / 1000;
    const start = performance.now();
    const outcome = await verifyRecord(record, {});
    const seconds = (performance.now() - start) / 1000;
    if (outcome.status !== 'verified') throw new Error(`per-voter bench record: ${JSON.stringify(outcome)}`);
    report.metric({
      name: 'verify_1000_per_voter_ballots_s',
      value: seconds,
      unit: 's',
      note: `a record of ${VOTERS} voters (signatures and proofs in the lists' batches), default workers; floor ≤ 1.5`,
    });
    const startOne = performance.now();
    await verifyRecord(record, { workers: 0 });
    report.metric({
      name: 'verify_1000_per_voter_ballots_1core_s',
      value: (performance.now() - startOne) / 1000,
      unit: 's',
      note: 'the same, this thread alone',
    });
    report.line(`per-voter record of ${VOTERS} voters built in ${built.toFixed(1)} s`);
  },
};
