// Recovery after a sleep or a lost peer, over a private Tor network (127.0.0.1 only): two engines
// as the apps run them, A mining an election and B following it through Tor alone. B's tor is
// paused with SIGSTOP and resumed with SIGCONT, as a laptop's sleep does to it, then A's (a peer
// cut and back). Each time the dashboard's state says "reconnecting" meanwhile, and the runners
// come back without a restart: the same tor, the same runner, peers reachable, new blocks flowing.
//
// Before the fix, the first unanswered control command during the pause (a NEWNYM for the silent
// peer) timed out, closed the control connection, and the runner killed its own tor: 'error' until
// the user pressed Retry. Skipped without tor. One private network for the whole file (2 cores).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DashboardState, TorCondition } from '../api/contract';
import { Engine } from '../app/engine';
import { findInstalled } from './find-tor';
import { startTestnet, type Testnet } from './testnet';

const tor = findInstalled('tor');
const root = mkdtempSync(path.join(os.tmpdir(), 'oe-tor-recovery-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * Long enough for each wait to notice: its own tor silent 10 s (a sleep, then A's blocks go on
 * meanwhile), a request to a paused peer 30 s. No longer: CI time.
 */
const SLEEP_MS = 45_000;
const PAUSE_MS = 45_000;

async function until(
  engine: Engine,
  done: (s: DashboardState) => boolean,
  what: string,
  ms = 60_000,
): Promise<DashboardState> {
  const deadline = Date.now() + ms;
  while (!done(engine.snapshot().state)) {
    const { stage, tor, chain, peers, error } = engine.snapshot().state;
    assert.ok(
      Date.now() < deadline,
      `${what}: stage ${stage} ${error ?? ''}, tor ${tor.stage}/${tor.condition}, height ${chain?.height}, peers ${JSON.stringify(peers.map((p) => p.reachable))}`,
    );
    await new Promise((r) => setTimeout(r, 250));
  }
  return engine.snapshot().state;
}

const height = (engine: Engine) => engine.snapshot().state.chain?.height ?? 0;

/** Every tor condition the engine's state went through, in order, from now on. */
function conditions(engine: Engine): TorCondition[] {
  const seen: TorCondition[] = [];
  engine.onEvent(({ event }) => {
    if (event.type === 'tor' && seen.at(-1) !== event.tor.condition) seen.push(event.tor.condition);
  });
  return seen;
}

/** Pauses a process for `ms` (SIGSTOP), calling `meanwhile` while it sleeps; always resumes it. */
async function pause(pid: number, ms: number, meanwhile: () => Promise<void>): Promise<void> {
  const started = Date.now();
  process.kill(pid, 'SIGSTOP');
  try {
    await meanwhile();
    await new Promise((r) => setTimeout(r, Math.max(0, ms - (Date.now() - started))));
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

describe('recovery after a sleep or a lost peer, over Tor', { concurrency: false }, () => {
  if (!tor) console.log('recovery over Tor: skipped, tor is not installed (apt-get install tor)');
  let testnet: Testnet | undefined;
  let a: Engine | undefined;
  let b: Engine | undefined;
  before(async () => {
    if (!tor) return;
    testnet = await startTestnet({ relays: 1 });
    await testnet.waitForConsensus(180_000);
    const engine = (name: string, mining: boolean) =>
      Engine.open({
        dataDir: path.join(root, name),
        version: '0.0.0-test',
        tor: { mode: 'managed', extraTorrcLines: testnet!.clientTorrcLines },
        defaults: { threads: 1, mining },
      });
    a = await engine('a', true);
    b = await engine('b', false);
    await until(a, (s) => s.tor.condition === 'connected', 'a’s tor', 120_000);
    await a.call('createElection', [
      {
        title: 'Asleep',
        question: 'Still there after a sleep?',
        nTalliers: 1,
        nTalliersBlocks: 2,
        nVoteBlocks: 5000,
        confirmations: 0,
        difficulty: 2 ** 22,
        name: 'a',
        vote: 'yes',
        ballotRule: 'per-block',
      },
    ]);
    await until(a, (s) => s.stage === 'lobby', 'a’s lobby', 240_000);
    await a.call('startElection', []);
    const running = await until(a, (s) => s.stage === 'running', 'a running');
    await b.call('joinElection', [
      { peer: running.self, electionId: running.election!.id, name: 'b', vote: null },
    ]);
    await until(b, (s) => s.stage === 'running' && (s.chain?.height ?? 0) >= 3, 'b following a', 240_000);
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await testnet?.stop();
  });

  test('its own tor paused (as a laptop sleeps) and resumed: "reconnecting", then back without a restart', {
    skip: !tor,
    timeout: 300_000,
  }, async () => {
    const runner = b!.runner!;
    const pid = runner.tor!.pid!;
    const seen = conditions(b!);
    await pause(pid, SLEEP_MS, async () => {
      const asleep = await until(b!, (s) => s.tor.condition === 'reconnecting', 'reconnecting shown', 30_000);
      assert.equal(asleep.stage, 'running', 'the election stays on screen');
      assert.match(asleep.tor.why ?? '', /has not answered/);
      // A goes on; nothing reaches B while its tor sleeps.
      const stuckAt = height(b!);
      const target = height(a!) + 3;
      while (height(a!) < target) await new Promise((r) => setTimeout(r, 500));
      assert.equal(height(b!), stuckAt, 'no block reached B while its tor slept');
    });

    const back = await until(b!, (s) => s.tor.condition === 'connected', 'connected again', 60_000);
    assert.equal(back.tor.stage, 'ready', 'never an error');
    assert.equal(b!.runner, runner, 'the same runner: no restart');
    assert.equal(runner.tor!.pid, pid, 'the same tor');
    process.kill(pid, 0); // still alive (throws if not)
    const caughtUp = height(a!);
    await until(b!, (s) => (s.chain?.height ?? 0) >= caughtUp, 'caught up', 90_000);
    // Catching up may come from A's pushes before B's own next request to A has gone through a
    // fresh circuit: B's view of A turns reachable at that request (a sync round, every 5 s).
    await until(b!, (s) => s.peers.some((p) => p.reachable === true), 'its peer reachable again', 60_000);
    const next = height(b!) + 2;
    await until(b!, (s) => (s.chain?.height ?? 0) >= next, 'new blocks flow', 90_000);
    assert.deepEqual(seen.slice(0, 2), ['reconnecting', 'connected']);
  });

  test('a peer cut (its tor paused) and back: unreachable meanwhile, then reachable, and blocks flow', {
    skip: !tor,
    timeout: 300_000,
  }, async () => {
    const runnerA = a!.runner!;
    const pid = runnerA.tor!.pid!;
    const seenA = conditions(a!);
    const peerOfB = () => b!.snapshot().state.peers.find((p) => p.address === a!.snapshot().state.self);
    await until(b!, () => peerOfB()?.reachable === true, 'A reachable from B before the cut', 60_000);
    await pause(pid, PAUSE_MS, async () => {
      // B keeps asking A through Tor; after a request's 30 s it says A does not answer.
      const cut = await until(b!, () => peerOfB()?.reachable === false, 'A unreachable from B', PAUSE_MS);
      assert.equal(cut.tor.condition, 'connected', 'B’s own tor is fine');
      assert.ok(peerOfB()?.lastSeen, 'seen before: the dashboard says "reconnecting…" for it');
      assert.equal(cut.stage, 'running');
    });

    await until(a!, (s) => s.tor.condition === 'connected', 'A connected again', 60_000);
    assert.equal(a!.runner, runnerA, 'A was not restarted');
    await until(b!, () => peerOfB()?.reachable === true, 'A reachable from B again', 90_000);
    const next = height(a!) + 2;
    await until(b!, (s) => (s.chain?.height ?? 0) >= next, 'blocks flow from A to B again', 120_000);
    assert.deepEqual(seenA.slice(0, 2), ['reconnecting', 'connected'], 'A itself said it was reconnecting');
  });
});
