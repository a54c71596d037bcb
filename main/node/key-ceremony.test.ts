// A tallier's runner through the key ceremony and the threshold decryption, with the other four
// talliers played by this test: it deals once (kept in its key file), its dealing goes into the
// ceremony blocks its miner builds, and once three of five seal the final block it publishes its
// factor and stand-ins for every other tallier whose factor is missing, then owes nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { encodeBlock, encodeCeremonyMessage, type Payload } from '../chain/block';
import { mine, Talliers, testGenesis } from '../chain/testing';
import { encryptVote } from '../chain/votes';
import { encryptBallot } from '../crypto/ballot';
import { encodeAcceptance, encodeDecryptionFactor } from '../crypto/codec';
import { ElectionNode } from './election-node';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-key-ceremony-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// Keys at 1–5, the ceremony at 6–9 (dealings at 6–7), ballots at 10–12, the confirmation at 13.
const yesNo = testGenesis({
  nTalliers: 5,
  nTalliersBlocks: 5,
  quorum: 3,
  nCeremonyBlocks: 4,
  nVoteBlocks: 3,
  createdAt: Math.floor(Date.now() / 1000) - 3600,
});
// The same with two questions (5 + 3 options): every factor and stand-in covers 8 tallies.
const questions = testGenesis({
  ...yesNo,
  questions: [
    { text: 'Board?', options: ['A', 'B', 'C', 'D', 'E'], min: 0, max: 2, blank: false },
    { text: 'Date?', options: ['3 May', '10 May', '17 May'], min: 1, max: 1, blank: false },
  ],
});

async function until(done: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a threshold tallier’s runner', () => {
  for (const genesis of [yesNo, questions]) {
    const kind = genesis.questions ? 'questions with choices' : 'a yes/no question';
    test(`deals once, is sealed with 3 of 5, publishes its factor and stand-ins, then owes nothing (${kind})`, async () => {
      const { group, id } = genesis;
      const dir = path.join(tmp, `runner-${genesis.questions ? 'questions' : 'yes-no'}`);
      const node = await ElectionNode.create(dir, genesis, { name: 'me', mining: false, threads: 1 });
      try {
        const others = new Talliers(genesis, 4);
        const submit = async (payload: Payload) => {
          const tip = node.chain.tip;
          const block = mine(genesis, {
            height: tip.height + 1,
            prev: tip.hash,
            timestamp: node.chain.minChildTimestamp(tip),
            miner: 'test',
            payload,
          });
          const result = await node.submitBlock(encodeBlock(group, block), 'push');
          assert.equal(
            result.status,
            'added',
            `${result.status}: ${'reason' in result ? result.reason : ''}`,
          );
        };
        for (const key of [node.tallierKey, ...others.keys]) await submit({ kind: 'tallier_key', key });
        const elected = node.chain.candidatesOf(node.chain.tip).talliers.map((k) => k.pk);
        assert.equal(elected.length, 5);
        // The runner deals by itself, into its pool, and says it owes the blocks that carry it.
        await until(() => (node.ceremony?.size ?? 0) === 1, 'its own dealing in the pool');
        assert.match(node.tallierOwes().join(' '), /its backup pieces/);
        const stored = JSON.parse(readFileSync(path.join(dir, 'tallier-key.json'), 'utf8'));
        assert.equal(stored.dealings.length, 1, 'its dealing is kept in its key file');
        const theirs = others.secrets.map((s) => s.deal(id, elected, 3));
        for (const dealing of theirs)
          assert.equal(
            node.submitCeremony(encodeCeremonyMessage(group, { kind: 'dealing', dealing })),
            'added',
          );
        // Its miner's template carries three of them, then the other two.
        for (let height = 6; height <= 9; height++) await submit(node.template()!.payload);
        const branch = node.chain.electionOf(node.chain.tip);
        assert.equal(branch.qualified.length, 5, 'every dealing made it');
        assert.deepEqual(node.tallierOwes(), []);
        for (const vote of [
          [[0, 2], [1]],
          [[1], [0]],
          [[], [1]],
        ])
          await submit({
            kind: 'ballot',
            ballot: genesis.questions
              ? encryptVote(genesis, id, branch.key, vote)
              : encryptBallot(group, id, branch.key, vote[0]!.length > 0 ? 1 : 0),
          });
        await submit({ kind: 'confirmation' });
        const final = node.chain.tip;
        // Two others accept; the runner's own acceptance (after the settling time) makes the seal.
        for (const s of others.secrets.slice(0, 2))
          await node.submitAcceptance(encodeAcceptance(group, s.accept(id, final.hash, 1)));
        await until(() => node.seal() !== undefined, 'the seal', 20_000);
        await until(
          () => (node.resultState()?.compensated.length ?? 0) >= 4,
          'its stand-ins for the four others',
        );
        assert.deepEqual(node.tallierOwes(), [], 'it owes nothing once its factor and stand-ins are out');
        // Two others' factors: with the runner's own, three present; the result needs no more.
        const { tallies } = node.chain.finalTally()!;
        for (const s of others.secrets.slice(0, 2))
          await node.submitFactor(encodeDecryptionFactor(group, s.decryptionFactor(id, tallies, final.hash)));
        const state = node.resultState()!;
        assert.equal(state.awaiting.length, 2, 'the two absent talliers: one stand-in each so far');
        assert.deepEqual(node.tallierOwes(), []);
        const tallyCount = genesis.questions ? 8 : 1;
        assert.equal(tallies.length, tallyCount);
        for (const f of state.factors) assert.equal(f.factors.length, tallyCount);
        for (const cf of state.compensated) assert.equal(cf.factors.length, tallyCount);
      } finally {
        await node.close();
      }
    });
  }
});
