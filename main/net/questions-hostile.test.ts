// What a hostile peer throws at a runner of an election with questions with choices, over real
// HTTP on 127.0.0.1: ballots of the wrong form or shape, an option encrypting 2, three chosen where
// two is the most, an option's ciphertext copied from an earlier ballot, a non-element, a body far
// larger than any ballot of this election. Each gets its reason, and the runner's chain, log and
// tallies stay exactly as they were.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Block, encodeBlock, type Payload } from '../chain/block';
import { type BlockMeta, Chain } from '../chain/chain';
import { ballotRules } from '../chain/genesis';
import { extend, keyPayload, makeBlock, Talliers, testGenesis } from '../chain/testing';
import { encryptBallot } from '../crypto/ballot';
import { encryptAnswers } from '../crypto/choices';
import type { Answers } from '../crypto/types';
import { ElectionNode } from '../node/election-node';
import { createPeerApi, listenPeerApi, type PeerApiServer } from './api';
import { PeerBook } from './peer-book';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-questions-hostile-'));
const genesis = testGenesis({
  nTalliers: 1,
  nTalliersBlocks: 1,
  nVoteBlocks: 4,
  questions: [
    { text: 'Board?', options: ['Ada', 'Brian', 'Chen', 'Dana', 'Emeka'], min: 0, max: 2, blank: false },
    { text: 'Date?', options: ['3 May', '10 May', '17 May'], min: 1, max: 1, blank: false },
  ],
});
const { group, id } = genesis;
const rules = ballotRules(genesis)!;
const chain = new Chain(genesis);
const key = extend(chain, chain.genesisMeta, keyPayload(new Talliers(genesis, 1).keys[0]!));
const h = chain.electionOf(key).key;
const answers = (selections: number[][]): Answers => encryptAnswers(group, id, h, rules, selections);
const first = answers([[0, 2], [1]]);
const counted: BlockMeta = extend(chain, key, { kind: 'ballot', ballot: first });

let node: ElectionNode;
let api: PeerApiServer;
const dir = path.join(tmp, 'runner');

before(async () => {
  node = await ElectionNode.create(dir, genesis, { name: 'target', mining: false, threads: 1 });
  for (const meta of [key, counted]) await node.submitBlock(encodeBlock(group, meta.block!), 'sync');
  api = await listenPeerApi(createPeerApi({ node, peers: new PeerBook() }), { port: 0, host: '127.0.0.1' });
});
after(async () => {
  await api?.close();
  await node?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const state = () => ({
  size: node.chain.size,
  tip: node.chain.tip.hash,
  tallies: node.chain.tip.tallies,
  log: statSync(path.join(dir, 'blocks.log')).size,
});

async function postBlock(body: string): Promise<{ status: number; error: string }> {
  const response = await fetch(`http://127.0.0.1:${api.port}/v1/blocks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const json = (await response.json()) as { error?: string };
  return { status: response.status, error: json.error ?? '' };
}

const block = (payload: Payload): Block => makeBlock(chain, counted, payload, { miner: 'hostile' });
const blockText = (payload: Payload) => JSON.stringify({ block: encodeBlock(group, block(payload)) });
const withBoard = (base: Answers, choices: Answers[number]['choices']): Answers => [
  { ...base[0]!, choices },
  base[1]!,
];

describe('a runner of an election with questions, under a hostile peer', () => {
  const honest = answers([[1], [2]]);
  const other = answers([[3], [0]]);
  const entries: [string, () => string, number, RegExp][] = [
    [
      'a yes/no ballot',
      () => blockText({ kind: 'ballot', ballot: encryptBallot(group, id, h, 1) }),
      400,
      /payload.ballot: this election asks questions with choices: send answers/,
    ],
    [
      'a question left unanswered',
      () => blockText({ kind: 'ballot', ballot: [honest[0]!] }),
      400,
      /payload.answers: must answer each of the 2 questions/,
    ],
    [
      'an option missing',
      () => blockText({ kind: 'ballot', ballot: withBoard(honest, honest[0]!.choices.slice(1)) }),
      400,
      /payload.answers\[0\]\.choices: must have 5, one per option/,
    ],
    [
      'an option encrypting 2',
      () => {
        const [ada, ...rest] = honest[0]!.choices;
        return blockText({
          kind: 'ballot',
          ballot: withBoard(honest, [{ ...ada!, beta: group.mul(ada!.beta, group.g) }, ...rest]),
        });
      },
      400,
      /payload.answers\[0\]\.choices\[0\]\.proof/,
    ],
    [
      'three chosen where two is the most (each option proven 0 or 1)',
      () => {
        const two = answers([[0, 1], [2]]);
        return blockText({
          kind: 'ballot',
          ballot: withBoard(two, [
            ...two[0]!.choices.slice(0, 2),
            answers([[2], [0]])[0]!.choices[2]!,
            ...two[0]!.choices.slice(3),
          ]),
        });
      },
      400,
      /payload.answers\[0\]\.sum_proof/,
    ],
    [
      'an earlier ballot’s whole answer to one question copied in (every proof holds; the replay rule on every α)',
      () => blockText({ kind: 'ballot', ballot: [first[0]!, other[1]!] }),
      400,
      /ballot replay/,
    ],
    [
      'a choice that is not a group element',
      () => {
        // p − 1 is in range but not a quadratic residue; the block is mined, so it has its work.
        const date = honest[1]!;
        const choices = [{ ...date.choices[0]!, alpha: group.p - 1n }, ...date.choices.slice(1)];
        return blockText({ kind: 'ballot', ballot: [honest[0]!, { ...date, choices }] });
      },
      400,
      /answers\[1\]\.choices\[0\]\.alpha/,
    ],
    [
      '17 answers (more than any election asks)',
      () => {
        const parsed = JSON.parse(blockText({ kind: 'ballot', ballot: honest }));
        parsed.block.payload.answers = Array.from({ length: 17 }, () => parsed.block.payload.answers[1]);
        return JSON.stringify(parsed);
      },
      413,
      /request body larger than 65536 bytes/,
    ],
    [
      'a body far larger than any ballot of this election',
      () => JSON.stringify({ block: 'x'.repeat(200_000) }),
      413,
      /larger than 65536 bytes/,
    ],
  ];
  for (const [name, send, status, reason] of entries) {
    test(`${name}: ${status}, and nothing changes`, async () => {
      const before = state();
      const answer = await postBlock(send());
      assert.equal(answer.status, status, answer.error);
      assert.match(answer.error, reason);
      assert.deepEqual(state(), before);
    });
  }

  test('the honest ballot then goes in, and adds to every option’s tally', async () => {
    const answer = await postBlock(blockText({ kind: 'ballot', ballot: honest }));
    assert.equal(answer.status, 200, answer.error);
    assert.equal(node.chain.tip.height, counted.height + 1);
    assert.equal(node.chain.tip.tallies.length, 8);
  });
});
