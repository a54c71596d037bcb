// The lobby over real HTTP on 127.0.0.1: requests, admission, refusal, a start refused with its
// reason, the hand-over of the organizer's address to its runner, and joiners running the
// election they waited for (issue 13, items 2 and 3); the questions a lobby shows (issue 16).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { JoinRequest } from '../app/lobby-session';
import { encodeGenesis, type Genesis } from '../chain/genesis';
import { CredentialSecretKey } from '../crypto/credential';
import { Group } from '../crypto/group';
import { ElectionNode } from '../node/election-node';
import { Lobby, type LobbyParams, MAX_WAITING } from '../node/lobby';
import { VoterJournal } from '../node/voter-journal';
import { DataDir } from '../store/data-dir';
import { PeerClient } from './client';
import { formatInvitation, invitationInArgs, parseInvitation } from './invitation';
import { type GenesisAnswer, lobbyFront } from './lobby-front-testing';
import { askToJoin, fetchStartedGenesis, LobbyHost } from './lobby-host';
import { Runner } from './runner';

const root = mkdtempSync(path.join(os.tmpdir(), 'oe-lobby-'));
after(() => rmSync(root, { recursive: true, force: true }));
const group = Group.default();
const client = new PeerClient();

const params: LobbyParams = {
  title: 'Lobby test',
  question: 'Adopt the proposal?',
  ballotRule: 'per-voter',
  nTalliers: 2,
  nTalliersBlocks: 3,
  nVoteBlocks: 8,
  confirmations: 1,
  target: (1n << 236n) - 1n, // 2^20 expected hashes
};

const QUESTIONS_JSON = [
  { question: 'Board?', options: ['Ada', 'Brian', 'Chen', 'Dana', 'Emeka'], min: 0, max: 2, blank: false },
  { question: 'Date?', options: ['3 May', '10 May', '17 May'], min: 1, max: 1, blank: true },
];
const QUESTIONS = QUESTIONS_JSON.map(({ question, ...rest }) => ({ text: question, ...rest }));

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('lobby', () => {
  test('invitation links: made, read back, and pasted the ways people paste them', () => {
    const onion = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion';
    const id = 'ab'.repeat(32);
    assert.equal(formatInvitation(onion), `onion-election://join/${onion}`);
    assert.deepEqual(parseInvitation(formatInvitation(onion, id)), { address: onion, electionId: id });
    assert.deepEqual(parseInvitation(`  ${onion}  `), { address: onion });
    assert.deepEqual(parseInvitation(`http://${onion}/`), { address: onion });
    assert.deepEqual(parseInvitation('onion-election://join/127.0.0.1:4000'), { address: '127.0.0.1:4000' });
    assert.throws(() => parseInvitation(`onion-election://join/${onion}?election=xyz`), /election id/);
    assert.throws(() => parseInvitation('https://example.com/'), /onion v3 address/);
    assert.throws(() => parseInvitation('ftp://x'), /onion-election:\/\/ link/);
    assert.throws(() => parseInvitation('onion-election://join/%zz'), /malformed %-escape/);
    // How a clicked link reaches the desktop app on Windows and Linux: among its arguments.
    assert.equal(
      invitationInArgs(['/opt/app', '--flag', `onion-election://join/${onion}`]),
      `onion-election://join/${onion}`,
    );
    assert.equal(invitationInArgs(['/opt/app', 'onion-election://join/not-an-address']), undefined);
    assert.equal(invitationInArgs(['/opt/app']), undefined);
  });

  test('start is refused while the parameters cannot work, with the reason', async () => {
    const { dataDir } = await DataDir.open(path.join(root, 'impossible'));
    try {
      const organizer = CredentialSecretKey.generate(group);
      const lobby = await Lobby.create(
        dataDir,
        group,
        { ...params, nTalliers: 3, nTalliersBlocks: 2 },
        { name: 'olga', credential: organizer.publicKey },
      );
      await assert.rejects(lobby.start(), /3 tallier seats need at least as many key blocks \(there are 2\)/);
      const seats = await Lobby.create(
        dataDir,
        group,
        { ...params, nTalliers: 2 },
        { name: 'olga', credential: organizer.publicKey },
      );
      await assert.rejects(
        seats.start(),
        /2 tallier seats but only 1 admitted runner: admit more, or lower the seats/,
      );
      assert.equal(seats.started, undefined, 'nothing started');
    } finally {
      await dataDir.close();
    }
  });

  test('a flood of requests fills only the waiting list: once the organizer answers, others may ask', async () => {
    const { dataDir } = await DataDir.open(path.join(root, 'flood'));
    try {
      const lobby = await Lobby.create(
        dataDir,
        group,
        { ...params, ballotRule: 'per-block' },
        { name: 'olga' },
      );
      for (let i = 0; i < MAX_WAITING; i++) await lobby.request({ name: `bot${i}` });
      await assert.rejects(
        lobby.request({ name: 'alice' }),
        /100 requests waiting for the organizer: ask again later/,
      );
      await lobby.decide(1, 'refused');
      assert.equal((await lobby.request({ name: 'alice' })).status, 'waiting');
    } finally {
      await dataDir.close();
    }
  });

  test('questions: the lobby info shows them, a joiner keeps them, malformed ones are refused by name', async () => {
    const organizerDir = path.join(root, 'questions-olga');
    const { dataDir } = await DataDir.open(organizerDir);
    const olga = CredentialSecretKey.generate(group);
    const lobby = await Lobby.create(
      dataDir,
      group,
      { ...params, questions: QUESTIONS },
      { name: 'olga', credential: olga.publicKey },
    );
    const host = await LobbyHost.open(lobby, group, { direct: true });
    const organizer = host.self!;
    try {
      assert.deepEqual(await client.lobby(organizer), {
        title: 'Lobby test',
        question: 'Adopt the proposal?',
        ballot_rule: 'per-voter',
        organizer: 'olga',
        admitted: 1,
        started: false,
        n_talliers: 2,
        n_talliers_blocks: 3,
        n_vote_blocks: 8,
        confirmations: 1,
        questions: QUESTIONS_JSON,
      });
      // The joiner keeps what it will be asked in joining.json, and reads it back after a restart.
      const joinerDir = path.join(root, 'questions-jay');
      const settings = { name: 'jay', mining: true, threads: 1 };
      const asked = await JoinRequest.ask(joinerDir, client, { organizer, settings });
      await asked.close();
      const file = path.join(joinerDir, 'joining.json');
      const joining = JSON.parse(readFileSync(file, 'utf8'));
      assert.deepEqual(joining.questions, QUESTIONS_JSON);
      await (await JoinRequest.resume(joinerDir, client)).close();
      writeFileSync(file, JSON.stringify({ ...joining, questions: [{ ...QUESTIONS_JSON[0], max: '2' }] }));
      await assert.rejects(
        JoinRequest.resume(joinerDir, client),
        /joining\.json\.questions\[0\]\.max: must be a number/,
      );
    } finally {
      await host.close();
      await dataDir.close();
    }

    // A lobby info whose questions are malformed, or not what a genesis takes, is refused.
    const info = {
      title: 'Lobby test',
      question: 'Adopt?',
      ballot_rule: 'per-voter',
      organizer: 'olga',
      admitted: 1,
      started: false,
      n_talliers: 2,
      n_talliers_blocks: 3,
      n_vote_blocks: 8,
      confirmations: 1,
    };
    let served: unknown = info;
    const fake = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(served));
    });
    fake.listen(0, '127.0.0.1');
    await new Promise((r) => fake.once('listening', r));
    const address = `127.0.0.1:${(fake.address() as { port: number }).port}`;
    try {
      // Without questions, as every lobby before them: read as before.
      assert.deepEqual(await client.lobby(address), info);
      const refusals: [unknown, RegExp][] = [
        [{ question: 'Board?' }, /response\.questions: must be an array/],
        [[{ ...QUESTIONS_JSON[0], options: 'Ada' }], /response\.questions\[0\]\.options: must be an array/],
        [[{ ...QUESTIONS_JSON[0], extra: 1 }], /response\.questions\[0\]\.extra: is not an allowed field/],
        [
          [QUESTIONS_JSON[0], { ...QUESTIONS_JSON[1], options: ['3 May', '\u001b[2J'] }],
          /response\.questions\[1\]\.options\[1\]/,
        ],
        [
          [{ ...QUESTIONS_JSON[0], max: 6 }],
          /response\.questions\[0\]\.max: must not exceed the number of options/,
        ],
      ];
      for (const [questions, reason] of refusals) {
        served = { ...info, questions };
        await assert.rejects(client.lobby(address), reason, JSON.stringify(questions));
      }
    } finally {
      fake.close();
    }
  });

  test('a joiner polling between the start and its runner serving the genesis keeps waiting, then joins', async () => {
    // The organizer's lobby says "started" as soon as the genesis is fixed; its runner serves the
    // genesis a moment later (the node is made first). A joiner polling in between, or finding the
    // organizer unreachable then, must not give up: it keeps its request and tries again.
    const organizerDir = path.join(root, 'window-olga');
    const { dataDir } = await DataDir.open(organizerDir);
    const olga = CredentialSecretKey.generate(group);
    await VoterJournal.create(dataDir, olga);
    const lobby = await Lobby.create(dataDir, group, params, { name: 'olga', credential: olga.publicKey });
    const host = await LobbyHost.open(lobby, group, { direct: true });
    const organizer = host.self!;
    const joinerDir = path.join(root, 'window-jay');
    let runner: Runner | undefined;
    try {
      const jay = await JoinRequest.ask(joinerDir, client, {
        organizer,
        settings: { name: 'jay', mining: false, threads: 1 },
      });
      await lobby.decide(lobby.participants.find((p) => p.name === 'jay')!.id, 'admitted');
      const genesis = await lobby.start();
      await dataDir.close();

      const early = await jay.poll();
      assert.equal(early?.election, genesis.idHex, 'the lobby names the election at once');
      assert.equal(await jay.finish(early!), undefined, 'no genesis served yet: not joined, not failed');
      // Reachable, only not serving it yet: no failure to show, the wait said as such.
      assert.equal(jay.view().unreachable, undefined);
      assert.equal(jay.view().status, 'starting');
      assert.ok(readFileSync(path.join(joinerDir, 'joining.json')), 'the request is kept');

      const node = await ElectionNode.create(organizerDir, genesis, {
        name: 'olga',
        mining: false,
        threads: 1,
      });
      runner = await Runner.start(node, { direct: true, ...host.handOver(), syncIntervalMs: 500 });
      const theirs = await jay.finish((await jay.poll())!);
      assert.equal(theirs?.idHex, genesis.idHex);
      // The request stays until the folder holds the election: a quit before then loses nothing.
      assert.ok(readFileSync(path.join(joinerDir, 'joining.json')));
      const jayNode = await ElectionNode.create(joinerDir, theirs!, {
        name: 'jay',
        mining: false,
        threads: 1,
      });
      await jayNode.close();
      assert.throws(() => readFileSync(path.join(joinerDir, 'joining.json')), /ENOENT/);
    } finally {
      await runner?.close();
      await host.close();
      await dataDir.close().catch(() => {});
    }
  });

  test('a genesis answer that fails: a refusal or no answer is said and tried again; a 200 that is no genesis ends it', async () => {
    const organizerDir = path.join(root, 'flaky-olga');
    const { dataDir } = await DataDir.open(organizerDir);
    const olga = CredentialSecretKey.generate(group);
    await VoterJournal.create(dataDir, olga);
    const lobby = await Lobby.create(dataDir, group, params, { name: 'olga', credential: olga.publicKey });
    const host = await LobbyHost.open(lobby, group, { direct: true });
    let genesisAnswer: GenesisAnswer = {
      status: 503,
      body: '{"error":"busy"}',
    };
    const front = await lobbyFront(host.self!, { genesis: () => genesisAnswer });
    const organizer = front.address;
    const joinerDir = path.join(root, 'flaky-jay');
    try {
      const jay = await JoinRequest.ask(joinerDir, client, {
        organizer,
        settings: { name: 'jay', mining: false, threads: 1 },
      });
      await lobby.decide(lobby.participants.find((p) => p.name === 'jay')!.id, 'admitted');
      await lobby.start();
      assert.equal(await jay.step(), undefined, 'a 503: not joined, not failed');
      assert.match(jay.view().unreachable ?? '', /fetching the election's genesis: HTTP 503/);
      assert.equal(jay.view().status, 'starting');
      genesisAnswer = 'hang up';
      assert.equal(await jay.step(), undefined, 'no answer: not joined, not failed');
      assert.match(jay.view().unreachable ?? '', /fetching the election's genesis: /);
      assert.ok(readFileSync(path.join(joinerDir, 'joining.json')), 'the request is kept');
      // The organizer answered, with something that is no genesis: that is its answer.
      genesisAnswer = { status: 200, body: '{"genesis": ' };
      await assert.rejects(jay.step(), /genesis .*: invalid response/);
      genesisAnswer = { status: 200, body: JSON.stringify({ version: 2 }) };
      await assert.rejects(jay.step(), /genesis/);
      assert.ok(
        readFileSync(path.join(joinerDir, 'joining.json')),
        'not joined: the request is what the folder holds',
      );
      await jay.close();
      // Closed: steps do nothing.
      assert.equal(await jay.step(), undefined);
    } finally {
      front.close();
      await host.close();
      await dataDir.close().catch(() => {});
    }
  });

  test('an organizer whose lobby showed other questions than its genesis asks: the joiner refuses to join', async () => {
    // A hostile organizer: its lobby info shows the board question as "choose exactly 1", its
    // genesis asks "up to 2" (a voter who agreed to one form must not be run in another election).
    const organizerDir = path.join(root, 'swap-olga');
    const { dataDir } = await DataDir.open(organizerDir);
    const olga = CredentialSecretKey.generate(group);
    const lobby = await Lobby.create(
      dataDir,
      group,
      { ...params, questions: QUESTIONS },
      { name: 'olga', credential: olga.publicKey },
    );
    const host = await LobbyHost.open(lobby, group, { direct: true });
    let started: Genesis | undefined;
    const shown = [{ ...QUESTIONS_JSON[0], min: 1, max: 1 }, QUESTIONS_JSON[1]];
    // In front of the real lobby: the info rewritten, the genesis served once started, the rest passed on.
    const front = await lobbyFront(host.self!, {
      genesis: () =>
        started
          ? { status: 200, body: JSON.stringify(encodeGenesis(started)) }
          : { status: 404, body: '{"error":"no such route"}' },
      lobbyInfo: (info) => ({ ...info, questions: shown }),
    });
    const organizer = front.address;
    const joinerDir = path.join(root, 'swap-jay');
    try {
      const jay = await JoinRequest.ask(joinerDir, client, {
        organizer,
        settings: { name: 'jay', mining: false, threads: 1 },
      });
      assert.deepEqual(
        JSON.parse(readFileSync(path.join(joinerDir, 'joining.json'), 'utf8')).questions,
        shown,
      );
      await lobby.decide(lobby.participants.find((p) => p.name === 'jay')!.id, 'admitted');
      started = await lobby.start();
      const answer = await jay.poll();
      assert.equal(answer?.election, started.idHex);
      await assert.rejects(jay.finish(answer!), /asking other questions than its lobby showed: not joined/);
      // Nothing joined: the request is still what the folder holds, no election in it.
      assert.ok(readFileSync(path.join(joinerDir, 'joining.json')));
      assert.throws(() => readFileSync(path.join(joinerDir, 'genesis.json')), /ENOENT/);
      await jay.close();
    } finally {
      front.close();
      await host.close();
      await dataDir.close().catch(() => {});
    }
  });

  test('joiners ask, one is refused, two are admitted, the organizer starts, and the election runs with the same address', async () => {
    // The organizer: a folder with its credential and the lobby, served on 127.0.0.1.
    const organizerDir = path.join(root, 'olga');
    const { dataDir } = await DataDir.open(organizerDir);
    const olga = CredentialSecretKey.generate(group);
    await VoterJournal.create(dataDir, olga);
    const lobby = await Lobby.create(dataDir, group, params, { name: 'olga', credential: olga.publicKey });
    const host = await LobbyHost.open(lobby, group, { direct: true });
    const runners: Runner[] = [];
    try {
      const invitation = formatInvitation(host.self!);
      const organizer = parseInvitation(invitation).address;
      const info = await client.lobby(organizer);
      assert.deepEqual(info, {
        title: 'Lobby test',
        question: 'Adopt the proposal?',
        ballot_rule: 'per-voter',
        organizer: 'olga',
        admitted: 1,
        started: false,
        n_talliers: 2,
        n_talliers_blocks: 3,
        n_vote_blocks: 8,
        confirmations: 1,
      });

      const joiners = ['jay', 'kim', 'mallory'].map((name) => ({
        name,
        credential: CredentialSecretKey.generate(group),
      }));
      const tickets = await Promise.all(
        joiners.map((j) =>
          askToJoin(client, organizer, { name: j.name, credential: j.credential.publicKey }, group),
        ),
      );
      // Asked at once: all three kept (one at a time), in whatever order they came.
      assert.deepEqual(lobby.participants.map((p) => [p.name, p.status]).sort(), [
        ['jay', 'waiting'],
        ['kim', 'waiting'],
        ['mallory', 'waiting'],
      ]);
      assert.ok(
        lobby.participants.every((p) => lobby.online(p)),
        'each joiner shows online after asking',
      );
      // Asking twice with one credential is refused (the first ticket stays the only one).
      await assert.rejects(
        askToJoin(
          client,
          organizer,
          { name: 'jay again', credential: joiners[0]!.credential.publicKey },
          group,
        ),
        /already asked/,
      );
      // A waiting joiner sees no names.
      assert.equal((await client.pollTicket(organizer, tickets[0]!)).participants, undefined);

      const idOf = (name: string) => lobby.participants.find((p) => p.name === name)!.id;
      await lobby.decide(idOf('mallory'), 'refused');
      await lobby.decide(idOf('jay'), 'admitted');
      await lobby.decide(idOf('kim'), 'admitted');
      const refused = await client.pollTicket(organizer, tickets[2]!);
      assert.deepEqual(refused, { status: 'refused', admitted: 3, started: false });
      const admitted = await client.pollTicket(organizer, tickets[0]!);
      assert.deepEqual(admitted.participants?.map((p) => p.name).sort(), ['jay', 'kim', 'olga']);

      const genesis = await lobby.start();
      assert.equal(genesis.roster.length, 3);
      assert.ok(!genesis.roster.includes(joiners[2]!.credential.publicKey));
      await dataDir.close();

      // The organizer's runner takes over the lobby's server: same address, lobby routes kept.
      const node = await ElectionNode.create(organizerDir, genesis, {
        name: 'olga',
        mining: true,
        threads: 1,
        vote: 1,
      });
      runners.push(await Runner.start(node, { direct: true, ...host.handOver(), syncIntervalMs: 500 }));
      assert.equal(runners[0]!.self, organizer);

      // Admitted joiners learn the election, fetch and check its genesis, and run it.
      for (const [i, j] of joiners.slice(0, 2).entries()) {
        const answer = await client.pollTicket(organizer, tickets[i]!);
        assert.equal(answer.election, genesis.idHex);
        const theirs = await fetchStartedGenesis(client, organizer, answer, {
          credential: j.credential.publicKey,
        });
        // A roster that is not the admitted participants' credentials (an organizer adding one of
        // its own, an extra ballot) is refused: here the answer lists one participant fewer.
        const fewer = { ...answer, participants: answer.participants!.slice(1) };
        await assert.rejects(
          fetchStartedGenesis(client, organizer, fewer, { credential: j.credential.publicKey }),
          /roster \(3 credentials\) is not the admitted participants' \(2\)/,
        );
        // An invitation naming another election is refused.
        await assert.rejects(
          fetchStartedGenesis(client, organizer, answer, {
            electionId: 'cd'.repeat(32),
            credential: j.credential.publicKey,
          }),
          /not cdcdcdcd.* that the invitation names/,
        );
        const joinerNode = await ElectionNode.create(
          path.join(root, j.name),
          theirs,
          { name: j.name, mining: false, threads: 1, vote: 0 },
          { credential: j.credential },
        );
        runners.push(
          await Runner.start(joinerNode, { direct: true, peers: [organizer], syncIntervalMs: 500 }),
        );
      }
      // The refused joiner learns nothing of the election.
      const stillRefused = await client.pollTicket(organizer, tickets[2]!);
      assert.equal(stillRefused.election, undefined);
      await assert.rejects(
        fetchStartedGenesis(client, organizer, stillRefused, {}),
        /has not started an election with you in it/,
      );

      const results = await until(
        'the result everywhere',
        () => {
          const all = runners.map((r) => r.node.resultState()?.result);
          return all.every((r) => r) ? all : undefined;
        },
        120_000,
      );
      for (const r of results) assert.deepEqual(r, { yes: 1, no: 2, total: 3 });
    } finally {
      await Promise.all(runners.map((r) => r.close()));
      await host.close();
      await dataDir.close().catch(() => {});
    }
  });
});
