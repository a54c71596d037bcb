// A per-voter election between runners over real HTTP on 127.0.0.1, with real mining: ballots
// follow voters, not hashpower (issue 13).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { makeGenesis } from '../chain/genesis';
import { CredentialSecretKey } from '../crypto/credential';
import { Group } from '../crypto/group';
import { ElectionNode, type NodeSettings } from '../node/election-node';
import { Runner } from './runner';

const root = mkdtempSync(path.join(os.tmpdir(), 'oe-per-voter-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Voter {
  readonly name: string;
  readonly vote?: 0 | 1;
  readonly mining: boolean;
  readonly threads?: number;
  readonly censor?: boolean;
}

/** Starts one runner per voter, each given the others' addresses as they come up. */
async function election(
  dir: string,
  voters: readonly Voter[],
  options: { voteBlocks: number; difficultyLog2: number },
) {
  const group = Group.default();
  const credentials = voters.map(() => CredentialSecretKey.generate(group));
  const genesis = makeGenesis({
    title: 'One person, one vote',
    question: 'Adopt the proposal?',
    group,
    ballotRule: 'per-voter',
    roster: credentials.map((c) => c.publicKey),
    nTalliers: 2,
    nTalliersBlocks: 3,
    nVoteBlocks: options.voteBlocks,
    confirmations: 1,
    target: (1n << BigInt(256 - options.difficultyLog2)) - 1n,
    createdAt: Math.floor(Date.now() / 1000) - 60,
  });
  const runners: Runner[] = [];
  for (const [i, voter] of voters.entries()) {
    const settings: NodeSettings = {
      name: voter.name,
      mining: false,
      threads: voter.threads ?? 1,
      ...(voter.vote === undefined ? {} : { vote: voter.vote }),
      ...(voter.censor ? { censorBallots: true } : {}),
    };
    const node = await ElectionNode.create(path.join(dir, voter.name), genesis, settings, {
      credential: credentials[i]!,
    });
    runners.push(
      await Runner.start(node, {
        direct: true,
        peers: runners.map((r) => r.self!),
        syncIntervalMs: 500,
      }),
    );
  }
  return {
    runners,
    credentials,
    start: () => {
      for (const [i, r] of runners.entries()) if (voters[i]!.mining) r.node.startMining();
    },
    close: () => Promise.all(runners.map((r) => r.close())),
  };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('per-voter election over HTTP', () => {
  test('one runner mines every block: each voter counts once, a revote replaces the earlier ballot, turnout is right', async () => {
    const e = await election(
      path.join(root, 'one-miner'),
      [
        { name: 'alice', vote: 1, mining: true },
        { name: 'bob', vote: 0, mining: false },
        { name: 'carol', vote: 1, mining: false },
        { name: 'dave', mining: false }, // never votes
      ],
      { voteBlocks: 12, difficultyLog2: 20 },
    );
    try {
      e.start();
      const [alice, bob, carol] = e.runners as [Runner, Runner, Runner, Runner];
      // Bob's first ballot is carried by Alice's blocks; then Bob changes his mind.
      await until('bob counted', () => bob.node.casting!.receipts().find((r) => r.state === 'counted'));
      await bob.node.setVote(1);
      const result = await until(
        'a result everywhere',
        () => {
          const results = e.runners.map((r) => r.node.resultState()?.result);
          return results.every((r) => r) ? results : undefined;
        },
        120_000,
      );
      for (const r of result) assert.deepEqual(r, { yes: 3, no: 0, total: 3 });
      // Every block was Alice's, yet she counts once.
      const miners = new Set(alice.node.chain.branch().map((m) => m.block!.miner));
      assert.deepEqual([...miners], ['alice']);
      const receipts = bob.node.casting!.receipts();
      assert.deepEqual(
        receipts.map((r) => [r.seq, r.vote, r.state]),
        [
          [1, 0, 'replaced'],
          [2, 1, 'counted'],
        ],
      );
      assert.equal(carol.node.casting!.receipts()[0]?.state, 'counted');
      assert.equal(e.runners[3]!.node.casting!.receipts().length, 0);
      assert.equal(alice.node.chain.tip.ballots, 3, 'turnout: 3 of 4 registered voters');
    } finally {
      await e.close();
    }
  });

  test('a censoring miner with half the hashpower: the ballots it leaves out get in through the others', async () => {
    const e = await election(
      path.join(root, 'censor'),
      [
        // Half the hashpower.
        { name: 'mallory', vote: 1, mining: true, censor: true },
        { name: 'bob', vote: 0, mining: true },
        { name: 'carol', vote: 0, mining: false },
        { name: 'dave', vote: 0, mining: false },
      ],
      // Blocks far slower than a block's propagation and checks (~0.5 s each), so that Bob's half of
      // the hashpower is half of the blocks even on a loaded machine, and a voting phase long
      // enough for a re-send (10 s) of a ballot that a peer still a block behind refused.
      { voteBlocks: 30, difficultyLog2: 21 },
    );
    try {
      e.start();
      const results = await until(
        'a result everywhere',
        () => {
          const all = e.runners.map((r) => r.node.resultState()?.result);
          return all.every((r) => r) ? all : undefined;
        },
        120_000,
      );
      for (const r of results) assert.deepEqual(r, { yes: 1, no: 3, total: 4 });
      const branch = e.runners[0]!.node.chain.branch().map((m) => m.block!);
      const carried = (miner: string) =>
        branch
          .filter((b) => b.miner === miner && b.payload.kind === 'ballots')
          .reduce((n, b) => n + (b.payload.kind === 'ballots' ? b.payload.ballots.length : 0), 0);
      // Mallory's blocks carried at most her own ballot; the other three came in Bob's.
      assert.ok(carried('mallory') <= 1, `mallory carried ${carried('mallory')}`);
      assert.ok(carried('bob') >= 3, `bob carried ${carried('bob')}`);
    } finally {
      await e.close();
    }
  });
});
