// The lobby's questions with choices (issue 16): kept in lobby.json and read back, malformed ones
// refused with the field named, old files without them unchanged, and the start's capacity check
// counting the ballots a block of this election really carries.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { lobbyParamsFromForm } from '../app/requests';
import type { Question } from '../chain/questions';
import { CredentialSecretKey } from '../crypto/credential';
import { Group } from '../crypto/group';
import { DataDir } from '../store/data-dir';
import { Lobby, type LobbyParams } from './lobby';

const root = mkdtempSync(path.join(os.tmpdir(), 'oe-node-lobby-'));
after(() => rmSync(root, { recursive: true, force: true }));
const group = Group.default();
const olga = CredentialSecretKey.generate(group);

const QUESTIONS: Question[] = [
  { text: 'Board?', options: ['Ada', 'Brian', 'Chen', 'Dana', 'Emeka'], min: 0, max: 2, blank: false },
  { text: 'Date?', options: ['3 May', '10 May', '17 May'], min: 1, max: 1, blank: true },
];
const QUESTIONS_JSON = [
  { question: 'Board?', options: ['Ada', 'Brian', 'Chen', 'Dana', 'Emeka'], min: 0, max: 2, blank: false },
  { question: 'Date?', options: ['3 May', '10 May', '17 May'], min: 1, max: 1, blank: true },
];

const params: LobbyParams = {
  title: 'Club',
  question: '2 questions: Board? · Date?',
  ballotRule: 'per-voter',
  nTalliers: 1,
  nTalliersBlocks: 2,
  nVoteBlocks: 8,
  confirmations: 1,
  target: (1n << 236n) - 1n,
  questions: QUESTIONS,
};
const { questions: _, ...yesNo } = params;

/** A data folder for one case, closed after `body`. */
async function inFolder<T>(name: string, body: (dataDir: DataDir, dir: string) => Promise<T>): Promise<T> {
  const dir = path.join(root, name);
  const { dataDir } = await DataDir.open(dir);
  try {
    return await body(dataDir, dir);
  } finally {
    await dataDir.close();
  }
}

const lobbyFile = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'lobby.json'), 'utf8'));

describe('lobby with questions', () => {
  test('the form’s questions reach the lobby, lobby.json keeps them and reads them back', async () => {
    const fromForm = lobbyParamsFromForm({
      title: 'Club',
      question: '2 questions: Board? · Date?',
      questions: QUESTIONS_JSON,
      ballotRule: 'per-voter',
      nTalliers: 1,
      nTalliersBlocks: 2,
      nVoteBlocks: 8,
      confirmations: 1,
      difficulty: 2 ** 20,
      name: 'olga',
      vote: null,
    });
    assert.deepEqual(fromForm.questions, QUESTIONS);
    await inFolder('kept', async (dataDir, dir) => {
      await Lobby.create(dataDir, group, fromForm, { name: 'olga', credential: olga.publicKey });
      assert.deepEqual(lobbyFile(dir).params.questions, QUESTIONS_JSON);
      const loaded = await Lobby.load(dataDir, group);
      assert.deepEqual(loaded?.params, fromForm);
    });
  });

  test('without questions nothing changes: none written, an old lobby.json reads as before', async () => {
    await inFolder('yes-no', async (dataDir, dir) => {
      await Lobby.create(dataDir, group, yesNo, { name: 'olga', credential: olga.publicKey });
      assert.ok(!Object.hasOwn(lobbyFile(dir).params, 'questions'));
      const loaded = await Lobby.load(dataDir, group);
      assert.ok(loaded && !Object.hasOwn(loaded.params, 'questions'));
      assert.deepEqual(loaded.params, yesNo);
    });
    // A file as runners wrote it before questions existed.
    await inFolder('old', async (dataDir) => {
      await dataDir.save('lobby', {
        params: {
          title: 'Old',
          question: 'Adopt?',
          ballot_rule: 'per-block',
          n_talliers: 2,
          n_talliers_blocks: 3,
          n_vote_blocks: 8,
          confirmations: 1,
          target: 'f'.repeat(64),
        },
        organizer: { name: 'olga' },
        participants: [],
        started: null,
      });
      const loaded = await Lobby.load(dataDir, group);
      assert.equal(loaded?.params.question, 'Adopt?');
      assert.equal(loaded?.params.questions, undefined);
    });
  });

  test('malformed questions are refused, the field named', async () => {
    const question = QUESTIONS_JSON[0]!;
    const refusals: [unknown, RegExp][] = [
      ['Board?', /lobby\.json\.params\.questions: must be an array of 1 to 16 questions/],
      [[], /lobby\.json\.params\.questions: must be an array/],
      [[{ ...question, options: 'Ada' }], /lobby\.json\.params\.questions\[0\]\.options: must be an array/],
      [[{ ...question, choose: 2 }], /lobby\.json\.params\.questions\[0\]\.choose: is not an allowed field/],
      [[question, { ...QUESTIONS_JSON[1], blank: 'no' }], /lobby\.json\.params\.questions\[1\]\.blank/],
      [[{ ...question, options: ['Ada', 7] }], /lobby\.json\.params\.questions\[0\]\.options\[1\]/],
      // Well-formed, but not a rule a genesis takes: refused by the genesis check.
      [[{ ...question, max: 6 }], /questions\[0\]\.max: must not exceed the number of options/],
    ];
    await inFolder('malformed', async (dataDir) => {
      await Lobby.create(dataDir, group, params, { name: 'olga', credential: olga.publicKey });
      const good = (await dataDir.load('lobby'))!.value as { params: Record<string, unknown> };
      for (const [questions, reason] of refusals) {
        await dataDir.save('lobby', { ...good, params: { ...good.params, questions } });
        await assert.rejects(Lobby.load(dataDir, group), reason, JSON.stringify(questions));
      }
    });
    await inFolder('refused', async (dataDir) => {
      const twice = { ...QUESTIONS[0]!, options: ['Ada', 'Ada'] };
      await assert.rejects(
        Lobby.create(
          dataDir,
          group,
          { ...params, questions: [twice] },
          { name: 'olga', credential: olga.publicKey },
        ),
        /questions\[0\]\.options\[1\]: is listed twice/,
      );
    });
  });

  test('the start counts the ballots this election’s blocks carry: 2 a block with five options', async () => {
    const board = [QUESTIONS[0]!];
    await inFolder('capacity', async (dataDir) => {
      const lobby = await Lobby.create(
        dataDir,
        group,
        { ...params, questions: board, nVoteBlocks: 1 },
        { name: 'olga', credential: olga.publicKey },
      );
      for (const name of ['jay', 'kim']) {
        await lobby.request({ name, credential: CredentialSecretKey.generate(group).publicKey });
        await lobby.decide(lobby.participants.at(-1)!.id, 'admitted');
      }
      const problem = '1 voting blocks carry at most 2 ballots (2 a block), fewer than the 3 voters';
      assert.equal(lobby.startProblem(), problem);
      await assert.rejects(lobby.start(), new RegExp(`start: ${problem.replace(/[()]/g, '\\$&')}`));
      assert.equal(lobby.started, undefined);
    });
    await inFolder('capacity-ok', async (dataDir) => {
      // Two blocks carry the three voters; the genesis asks what the lobby said.
      const lobby = await Lobby.create(
        dataDir,
        group,
        { ...params, questions: board, nVoteBlocks: 2 },
        { name: 'olga', credential: olga.publicKey },
      );
      for (const name of ['jay', 'kim']) {
        await lobby.request({ name, credential: CredentialSecretKey.generate(group).publicKey });
        await lobby.decide(lobby.participants.at(-1)!.id, 'admitted');
      }
      assert.equal(lobby.startProblem(), undefined);
      const genesis = await lobby.start();
      assert.deepEqual(genesis.questions, board);
      assert.equal(genesis.sizes.ballotsPerBlock, 2);
      assert.equal(genesis.roster.length, 3);
    });
    await inFolder('capacity-yes-no', async (dataDir) => {
      // A yes/no ballot is small: one block carries eight.
      const lobby = await Lobby.create(
        dataDir,
        group,
        { ...yesNo, nVoteBlocks: 1 },
        { name: 'olga', credential: olga.publicKey },
      );
      for (const name of ['jay', 'kim']) {
        await lobby.request({ name, credential: CredentialSecretKey.generate(group).publicKey });
        await lobby.decide(lobby.participants.at(-1)!.id, 'admitted');
      }
      assert.equal(lobby.startProblem(), undefined);
    });
  });
});
