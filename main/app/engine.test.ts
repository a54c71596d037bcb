// The engine as a UI drives it: two real engines (direct transport, real data folders, real peer
// APIs on 127.0.0.1, real miners) go from the first run to a verified result through requests
// only: create, look up and join, add peers, mine, vote, export; then a restart.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { DashboardState, JoinPreview, NewElectionForm, SequencedEvent } from '../api/contract';
import { applyEvent } from '../api/reduce';
import { encodeGenesis, type Genesis } from '../chain/genesis';
import { CredentialSecretKey } from '../crypto/credential';
import { Group } from '../crypto/group';
import { onionAddressFromPublicKey } from '../net/address';
import { lobbyFront } from '../net/lobby-front-testing';
import { LobbyHost } from '../net/lobby-host';
import { Lobby } from '../node/lobby';
import { DataDir } from '../store/data-dir';
import { verifyRecord } from '../verify/verify';
import { Engine } from './engine';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-engine-'));
const engines: Engine[] = [];

async function open(name: string, port?: number): Promise<Engine> {
  const engine = await Engine.open({
    dataDir: path.join(tmp, name),
    version: '0.0.0-test',
    tor: { mode: 'off' },
    defaults: { threads: 1, mining: false },
    syncIntervalMs: 500,
    ...(port ? { port } : {}),
  });
  engines.push(engine);
  return engine;
}

/** Resolves when `done` holds for the engine's state (checked on every event), else fails in 60 s. */
function until(engine: Engine, done: (s: DashboardState) => boolean, what: string): Promise<DashboardState> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const { state } = engine.snapshot();
      if (!done(state)) return false;
      clearTimeout(timer);
      unsubscribe();
      resolve(state);
      return true;
    };
    const timer = setTimeout(() => {
      unsubscribe();
      const s = engine.snapshot().state;
      reject(
        new Error(`${what}: not within 60 s (stage ${s.stage}, height ${s.chain?.height}, ${s.error ?? ''})`),
      );
    }, 60_000);
    const unsubscribe = engine.onEvent(() => void check());
    check();
  });
}

const FORM: NewElectionForm = {
  title: 'Team lunch',
  question: 'Pizza on Friday?',
  nTalliers: 2,
  nTalliersBlocks: 4,
  nVoteBlocks: 6,
  confirmations: 1,
  difficulty: 1,
  name: 'alice',
  vote: 'yes',
};

after(async () => {
  await Promise.all(engines.map((e) => e.close()));
  rmSync(tmp, { recursive: true, force: true });
});

describe('engine', { concurrency: false }, () => {
  let alice: Engine;
  let bob: Engine;
  /** Alice's state as a UI following her events from the start rebuilds it. */
  let followed: DashboardState;

  test('starts in setup on an empty folder and refuses what needs an election', async () => {
    alice = await open('alice');
    followed = alice.snapshot().state;
    let seq = alice.snapshot().seq;
    alice.onEvent((e: SequencedEvent) => {
      assert.equal(e.seq, ++seq, 'events are numbered without gaps');
      followed = applyEvent(followed, e.event);
    });
    assert.equal(alice.snapshot().state.stage, 'setup');
    assert.equal(alice.snapshot().state.tor.mode, 'off');
    await assert.rejects(alice.call('addPeer', ['127.0.0.1:1']), /no election is running yet/);
    await assert.rejects(alice.call('exportRecord', []), /no election is running yet/);
    // How fast one thread mines here, measured for the new-election form's estimate.
    const measured = await until(alice, (s) => (s.mining.threadHashrate ?? 0) > 0, 'the hashrate measured');
    assert.ok(measured.mining.threadHashrate! > 1e4, `${measured.mining.threadHashrate} H/s`);
  });

  test('refuses malformed requests by field, writing nothing', async () => {
    const bad: [string, unknown[], RegExp][] = [
      ['createElection', [{ ...FORM, nTalliers: 0 }], /\bnTalliers: /],
      ['createElection', [{ ...FORM, difficulty: 2 ** 40 }], /\bdifficulty: /],
      ['createElection', [{ ...FORM, name: 'x'.repeat(65) }], /\bname: /],
      ['createElection', [{ ...FORM, vote: 'maybe' }], /\bvote: /],
      ['createElection', [{ ...FORM, extra: 1 }], /\bextra: is not a field/],
      ['createElection', [], /\bargs: createElection takes 1 argument/],
      ['previewJoin', ['http://example.onion'], /\bpeer: /],
      ['setThreads', [0], /\bthreads: /],
      ['setMining', ['yes'], /\bon: /],
      ['nosuch', [], /no request named/],
    ];
    for (const [name, args, message] of bad) {
      await assert.rejects(alice.call(name, args), message, name);
    }
    assert.equal(alice.hasElection(), false);
    assert.equal(alice.snapshot().state.stage, 'setup');
  });

  test('creating an election opens a lobby: nothing is mined, and start waits for enough runners', async () => {
    await alice.call('createElection', [FORM]);
    const state = await until(alice, (s) => s.stage === 'lobby', 'alice hosting');
    assert.equal(state.lobby?.role, 'organizer');
    assert.equal(state.lobby?.title, 'Team lunch');
    assert.equal(state.lobby?.invitation, `onion-election://join/${state.self}`);
    assert.equal(state.lobby?.admitted, 1);
    assert.match(state.lobby?.startProblem ?? '', /2 tallier seats but only 1 admitted runner/);
    assert.equal(alice.hasElection(), false, 'no genesis before the start');
    await assert.rejects(alice.call('startElection', []), /cannot start yet: 2 tallier seats/);
    await assert.rejects(alice.call('createElection', [FORM]), /in a lobby: leave it first/);
  });

  test('bob opens the invitation, asks to join, alice admits him and starts: both run the election', async () => {
    bob = await open('bob');
    const invitation = alice.snapshot().state.lobby!.invitation!;
    const preview = (await bob.call('previewJoin', [invitation])) as JoinPreview;
    assert.equal(preview.kind, 'lobby');
    assert.equal(preview.kind === 'lobby' && preview.organizer, 'alice');
    await bob.call('joinElection', [{ peer: invitation, electionId: '', name: 'bob', vote: 'no' }]);
    const waiting = await until(bob, (s) => s.lobby?.status === 'waiting', 'bob waiting');
    assert.equal(waiting.stage, 'lobby');
    assert.equal(waiting.lobby?.role, 'joiner');
    const asked = await until(
      alice,
      (s) => s.lobby?.participants.some((p) => p.name === 'bob') === true,
      'bob listed',
    );
    const request = asked.lobby!.participants.find((p) => p.name === 'bob')!;
    assert.deepEqual([request.status, request.online], ['waiting', true]);
    await alice.call('admitJoiner', [request.id]);
    assert.equal(alice.snapshot().state.lobby?.admitted, 2);
    assert.equal(alice.snapshot().state.lobby?.startProblem, undefined);
    await until(bob, (s) => s.lobby?.status === 'admitted', 'bob admitted');
    await alice.call('startElection', []);
    const running = await until(alice, (s) => s.stage === 'running', 'alice running');
    assert.equal(running.election?.title, 'Team lunch');
    assert.equal(running.election?.ballotRule, 'per-block');
    assert.equal(running.election?.finalHeight, 11);
    assert.equal(running.self, `127.0.0.1:${alice.runner?.port}`);
    assert.deepEqual(running.settings, { name: 'alice', vote: 'yes' });
    assert.equal(running.mining.on, false);
    const joined = await until(bob, (s) => s.stage === 'running', 'bob running');
    assert.equal(joined.election?.id, running.election?.id);
    assert.deepEqual(
      joined.peers.map((p) => p.address),
      [running.self],
    );
  });

  test('an invitation naming another election is refused, and nothing is written', async () => {
    const carol = await open('carol');
    const address = alice.snapshot().state.self!;
    await assert.rejects(
      carol.call('previewJoin', [`onion-election://join/${address}?election=${'0'.repeat(64)}`]),
      /serves another election.*not joined/,
    );
    await carol.call('joinElection', [
      { peer: address, electionId: '0'.repeat(64), name: 'carol', vote: 'no' },
    ]);
    const failed = await until(carol, (s) => s.stage === 'error', 'carol refused');
    assert.match(failed.error ?? '', /serves another election.*not joined/);
    assert.equal(carol.hasElection(), false, 'nothing written for a refused join');
    await carol.close();
  });

  test('peers, mining and votes from requests: both reach the same verified result', async () => {
    // Each adds the other, as two people do (each pastes the other's address): blocks then flow
    // both ways at once. (With one side only, the other learns of it at the next announcement,
    // 20 s away, and at this difficulty each could finish and seal an election of its own.)
    await alice.call('addPeer', [bob.snapshot().state.self!]);
    await bob.call('addPeer', [alice.snapshot().state.self!]);
    assert.ok(alice.snapshot().state.peers.some((p) => p.address === bob.snapshot().state.self));
    await alice.call('setMining', [true]);
    await bob.call('setMining', [true]);
    assert.equal(alice.snapshot().state.mining.on, true);
    const verified = (s: DashboardState) => s.result?.verification.status === 'verified';
    const [a, b] = await Promise.all([
      until(alice, verified, 'alice verified'),
      until(bob, verified, 'bob verified'),
    ]);
    assert.deepEqual(a.result?.result, b.result?.result);
    assert.equal(a.result?.result?.total, 6);
    assert.equal(a.chain?.tip, b.chain?.tip);
    assert.equal(a.chain?.phase, 'final');
    // Every ballot block on the tree is counted once, the key election was won by the two miners.
    assert.equal(
      a.chain?.candidates.filter((c) => c.elected).length,
      a.chain?.candidates.length === 1 ? 1 : 2,
    );
    assert.ok(a.result?.talliers.every((t) => t.factor === 'verified'));
    assert.equal(a.mining.idle, 'the chain is complete: nothing left to mine');
  });

  test('a UI that applied every event holds exactly the engine snapshot', () => {
    assert.deepEqual(followed, alice.snapshot().state);
  });

  test('exports a record that the independent verifier accepts', async () => {
    const file = (await alice.call('exportRecord', [])) as { fileName: string; json: string };
    assert.match(file.fileName, /^election-[0-9a-f]{12}-h11\.json$/);
    const outcome = await verifyRecord(JSON.parse(file.json), { workers: 0 });
    assert.equal(outcome.status, 'verified');
  });

  test('settings requests are saved; a restart runs the folder again with its result', async () => {
    await alice.call('setVote', [null]);
    assert.equal(alice.snapshot().state.settings.vote, null);
    await alice.call('removePeer', [bob.snapshot().state.self!]);
    await bob.call('removePeer', [alice.snapshot().state.self!]); // or bob's announcements bring him back
    await assert.rejects(alice.call('removePeer', ['127.0.0.1:9']), /not in the peer list/);
    const blocks = alice.snapshot().state.blocks.length;
    await alice.close();
    const again = await open('alice');
    const state = await until(again, (s) => s.result?.verification.status === 'verified', 'alice again');
    assert.equal(state.blocks.length, blocks);
    assert.equal(state.settings.vote, null);
    assert.equal(state.peers.length, 0);
    assert.equal(state.result?.result?.total, 6);
  });
});

describe('engine with a tor the user runs', () => {
  test('announces the given .onion address and proxies through the given SOCKS port', async () => {
    const self = onionAddressFromPublicKey(new Uint8Array(32).fill(9));
    const engine = await Engine.open({
      dataDir: path.join(tmp, 'external'),
      version: '0.0.0-test',
      // Nothing listens there: the runner only has to start, not to reach anyone.
      tor: { mode: 'external', proxy: 'socks5h://127.0.0.1:9', self },
      defaults: { threads: 1, mining: false },
    });
    engines.push(engine);
    assert.deepEqual(
      { mode: engine.snapshot().state.tor.mode, stage: engine.snapshot().state.tor.stage },
      { mode: 'external', stage: 'ready' },
    );
    await engine.call('createElection', [{ ...FORM, name: 'erin', nTalliers: 1 }]);
    // The lobby's invitation carries the user's .onion.
    const lobby = await until(engine, (s) => s.stage === 'lobby' || s.stage === 'error', 'erin hosting');
    assert.equal(lobby.lobby?.invitation, `onion-election://join/${self}`);
    await engine.call('startElection', []);
    const state = await until(engine, (s) => s.stage === 'running' || s.stage === 'error', 'erin started');
    assert.equal(state.error, undefined);
    assert.equal(state.stage, 'running');
    assert.equal(state.self, self);
    assert.equal(state.tor.summary, 'your tor at socks5h://127.0.0.1:9');
    await assert.rejects(engine.call('previewJoin', [self]), /already holds an election/);
  });
});

describe('a lobby across restarts', () => {
  test('organizer and joiner both restart while waiting: the room and the request come back, and the election runs', async () => {
    // Direct transport stands in for the .onion, whose address outlives a restart: the organizer
    // keeps one port.
    const port = await freePort();
    let carol = await open('carol', port);
    await carol.call('createElection', [{ ...FORM, name: 'carol', ballotRule: 'per-voter' }]);
    const invitation = (await until(carol, (s) => s.stage === 'lobby', 'carol hosting')).lobby!.invitation!;
    let dave = await open('dave');
    await dave.call('joinElection', [{ peer: invitation, electionId: '', name: 'dave', vote: 'no' }]);
    await until(dave, (s) => s.lobby?.status === 'waiting', 'dave waiting');
    const asked = await until(
      carol,
      (s) => s.lobby?.participants.some((p) => p.name === 'dave') === true,
      'dave listed',
    );
    const request = asked.lobby!.participants.find((p) => p.name === 'dave')!;

    await Promise.all([carol.close(), dave.close()]);
    carol = await open('carol', port);
    dave = await open('dave');
    const room = await until(
      carol,
      (s) => s.stage === 'lobby' && s.lobby?.participants.some((p) => p.name === 'dave') === true,
      'carol hosting again',
    );
    assert.equal(room.lobby?.role, 'organizer');
    const again = room.lobby!.participants.find((p) => p.name === 'dave')!;
    assert.deepEqual([again.id, again.status, again.credential], [request.id, 'waiting', request.credential]);
    assert.ok(request.credential, 'a per-voter request carries its credential');
    const resumed = await until(dave, (s) => s.lobby?.status === 'waiting', 'dave waiting again');
    assert.equal(resumed.stage, 'lobby');
    assert.equal(resumed.lobby?.role, 'joiner');
    await until(
      carol,
      (s) => s.lobby?.participants.find((p) => p.name === 'dave')?.online === true,
      'dave online',
    );

    await carol.call('admitJoiner', [request.id]);
    await until(dave, (s) => s.lobby?.status === 'admitted', 'dave admitted');
    await carol.call('startElection', []);
    const running = await until(carol, (s) => s.stage === 'running', 'carol running');
    const joined = await until(dave, (s) => s.stage === 'running', 'dave running');
    assert.equal(joined.election?.id, running.election?.id);
    assert.equal(joined.election?.ballotRule, 'per-voter');
    // Dave's credential, made before the restarts, is on the roster: his runner checked it before
    // running (fetchStartedGenesis refuses a genesis that leaves its credential out).
    assert.equal(running.election?.voters, 2);
    assert.deepEqual(joined.settings, { name: 'dave', vote: 'no' });
  });
});

/** A promise and the function that resolves it (Node 20 has no Promise.withResolvers). */
function latch(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * An organizer's lobby served behind a front that can rewrite its info (`shown` questions) and
 * hold its genesis (`genesisGate`), so that a joiner engine meets a liar or a slow start.
 */
async function frontedLobby(name: string, shown?: unknown) {
  const group = Group.default();
  const { dataDir } = await DataDir.open(path.join(tmp, name));
  const olga = CredentialSecretKey.generate(group);
  const lobby = await Lobby.create(
    dataDir,
    group,
    {
      title: 'Board',
      question: 'The board',
      ballotRule: 'per-voter',
      nTalliers: 2,
      nTalliersBlocks: 3,
      nVoteBlocks: 8,
      confirmations: 1,
      target: (1n << 236n) - 1n,
      questions: [{ text: 'Board?', options: ['Ada', 'Brian', 'Chen'], min: 0, max: 2, blank: false }],
    },
    { name: 'olga', credential: olga.publicKey },
  );
  const host = await LobbyHost.open(lobby, group, { direct: true });
  const asking = latch();
  const front = {
    started: undefined as Genesis | undefined,
    /** Awaited before the genesis is served; `genesisAsked` resolves when a joiner first asks. */
    genesisGate: Promise.resolve(),
    genesisAsked: asking.promise,
    /** Awaited before a request to take part is passed on. */
    askGate: Promise.resolve(),
  };
  const asked = asking.open;
  const server = await lobbyFront(host.self!, {
    genesis: async () => {
      if (front.started) asked();
      await front.genesisGate;
      return front.started
        ? { status: 200, body: JSON.stringify(encodeGenesis(front.started)) }
        : { status: 404, body: '{"error":"no such route"}' };
    },
    ...(shown ? { lobbyInfo: (info) => ({ ...info, questions: shown }) } : {}),
    beforeAsk: () => front.askGate,
  });
  return {
    front,
    lobby,
    address: server.address,
    /** Admits `who` and starts: the lobby names the election, the front serves its genesis. */
    async start(who: string) {
      await lobby.decide(lobby.participants.find((p) => p.name === who)!.id, 'admitted');
      front.started = await lobby.start();
    },
    async close() {
      server.close();
      await host.close();
      await dataDir.close().catch(() => {});
    },
  };
}

describe('a joiner whose organizer lies or is slow', () => {
  test('a started genesis failing its check: said as an error, the request kept, the folder freed', async () => {
    // A hostile organizer: its lobby info shows "choose exactly 1" (what the joiner agrees to
    // answer), its genesis asks "up to 2".
    const shown = [{ question: 'Board?', options: ['Ada', 'Brian', 'Chen'], min: 1, max: 1, blank: false }];
    const olga = await frontedLobby('liar-olga', shown);
    const jayDir = path.join(tmp, 'liar-jay');
    try {
      const jay = await open('liar-jay');
      await jay.call('joinElection', [{ peer: olga.address, electionId: '', name: 'jay', vote: null }]);
      await until(jay, (s) => s.lobby?.status === 'waiting', 'jay waiting');
      assert.deepEqual(jay.snapshot().state.lobby?.questions, shown, 'the lobby as the front showed it');
      await olga.start('jay');
      const failed = await until(jay, (s) => s.stage === 'error', 'jay refusing');
      assert.match(failed.error ?? '', /asking other questions than its lobby showed: not joined/);
      assert.ok(existsSync(path.join(jayDir, 'joining.json')), 'the request is what the folder holds');
      assert.ok(!existsSync(path.join(jayDir, 'genesis.json')), 'no election written');
      // The folder is free: the lock the request held is gone (opening it again in this process
      // would otherwise be refused as held by a live process).
      const reopened = await DataDir.open(jayDir);
      await reopened.dataDir.close();
      // A way out, said as it is: the folder keeps the request; Retry meets the same genesis again;
      // Cancel leads to the saved request, which the person withdraws.
      assert.deepEqual(failed.launch, { kind: 'ask', saved: 'request' });
      await jay.call('retry', []);
      await until(jay, (s) => s.stage === 'lobby', 'jay asking again');
      const again = await until(jay, (s) => s.stage === 'error', 'jay refusing again');
      assert.match(again.error ?? '', /asking other questions than its lobby showed/);
      await jay.call('cancel', []);
      const stopped = await until(jay, (s) => s.stage === 'stopped', 'jay stopped');
      assert.deepEqual(stopped.launch, { kind: 'ask', saved: 'request' });
      await jay.call('leaveLobby', []);
      assert.equal(jay.snapshot().state.stage, 'setup');
      assert.ok(!existsSync(path.join(jayDir, 'joining.json')), 'withdrawn');
    } finally {
      await olga.close();
    }
  });

  test('quitting while the started genesis is on its way: the quit does not wait on the organizer, the request is kept, the next start joins', async () => {
    const olga = await frontedLobby('quit-olga');
    const gate = latch();
    const release = gate.open;
    olga.front.genesisGate = gate.promise;
    const leeDir = path.join(tmp, 'quit-lee');
    try {
      const lee = await open('quit-lee');
      await lee.call('joinElection', [{ peer: olga.address, electionId: '', name: 'lee', vote: null }]);
      await until(lee, (s) => s.lobby?.status === 'waiting', 'lee waiting');
      await olga.start('lee');
      await olga.front.genesisAsked; // the fetch is under way, held by the organizer
      // The app quits: its request to the organizer ends now, not when the organizer answers.
      const quit = await Promise.race([
        lee.close().then(() => 'closed'),
        new Promise((r) => setTimeout(() => r('still waiting on the organizer'), 10_000)),
      ]);
      assert.equal(quit, 'closed');
      release();
      assert.ok(existsSync(path.join(leeDir, 'joining.json')), 'the request is kept');
      assert.ok(!existsSync(path.join(leeDir, 'genesis.json')));
      // Started again, the folder's request is resumed: the election is joined.
      const again = await open('quit-lee');
      const running = await until(again, (s) => s.stage === 'running', 'lee joined after the restart');
      assert.equal(running.election?.id, olga.front.started?.idHex);
      assert.ok(!existsSync(path.join(leeDir, 'joining.json')), 'done once the folder holds the election');
    } finally {
      release();
      await olga.close();
    }
  });

  test('cancelling while the organizer has not answered the request yet: cancelled at once', async () => {
    const olga = await frontedLobby('cancel-olga');
    const gate = latch();
    const release = gate.open;
    olga.front.askGate = gate.promise;
    try {
      const max = await open('cancel-max');
      await max.call('joinElection', [{ peer: olga.address, electionId: '', name: 'max', vote: null }]);
      await until(max, (s) => s.stage === 'starting', 'max asking');
      await new Promise((r) => setTimeout(r, 300)); // the request is with the organizer, held
      const cancelled = await Promise.race([
        max.call('cancel', []).then(() => 'cancelled'),
        new Promise((r) => setTimeout(() => r('still waiting on the organizer'), 10_000)),
      ]);
      assert.equal(cancelled, 'cancelled');
      const after = max.snapshot().state;
      assert.ok(after.stage === 'setup' || after.stage === 'stopped', after.stage);
    } finally {
      release();
      await olga.close();
    }
  });

  test('leaving while the started genesis is on its way: left, nothing launched, nothing written', async () => {
    const olga = await frontedLobby('slow-olga');
    const gate = latch();
    const release = gate.open;
    olga.front.genesisGate = gate.promise;
    const kayDir = path.join(tmp, 'slow-kay');
    try {
      const kay = await open('slow-kay');
      const stages: string[] = [];
      kay.onEvent(({ event }) => {
        if (event.type === 'stage') stages.push(event.stage);
      });
      await kay.call('joinElection', [{ peer: olga.address, electionId: '', name: 'kay', vote: null }]);
      await until(kay, (s) => s.lobby?.status === 'waiting', 'kay waiting');
      stages.length = 0; // from the lobby on
      await olga.start('kay');
      await olga.front.genesisAsked; // kay's runner is fetching the genesis, held by the front
      release(); // the genesis arrives while kay leaves
      await kay.call('leaveLobby', []);
      assert.equal(kay.snapshot().state.stage, 'setup');
      // Two polls' time: a launch would have begun by now.
      await new Promise((r) => setTimeout(r, 7_000));
      assert.equal(kay.snapshot().state.stage, 'setup');
      assert.ok(!stages.includes('starting'), `stages from the lobby on: ${stages.join(', ')}`);
      assert.ok(!existsSync(path.join(kayDir, 'joining.json')), 'the request withdrawn');
      assert.ok(!existsSync(path.join(kayDir, 'genesis.json')), 'no election written');
    } finally {
      release();
      await olga.close();
    }
  });
});

/** A TCP port free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
