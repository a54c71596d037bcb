// Cancel, and what the user is told of a tor that cannot reach the network: the engine with a tor
// of its own whose only bridge refuses every connection (a closed port on 127.0.0.1, as a blocked
// network looks). The look-up and the start wait on that tor; Cancel ends each wait, keeps what
// the folder holds, and leaves no tor process and no locked folder behind. Real tor (Debian's
// package), nothing leaves 127.0.0.1.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { ConnectionForm, ConnectionView, DashboardState, NewElectionForm } from '../api/contract';
import { testGenesis } from '../chain/testing';
import { onionAddressFromPublicKey } from '../net/address';
import { ElectionNode } from '../node/election-node';
import { DataDir } from '../store/data-dir';
import { findTor } from '../tor/find-tor';
import { Engine } from './engine';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-engine-cancel-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let torMissing = false;
try {
  findTor();
} catch {
  torMissing = true;
}

const FORM: NewElectionForm = {
  title: 'Saved while tor is stuck',
  question: 'Still there?',
  nTalliers: 1,
  nTalliersBlocks: 2,
  nVoteBlocks: 2,
  confirmations: 0,
  difficulty: 1,
  name: 'olga',
  vote: 'yes',
  ballotRule: 'per-block',
};

/** Waits until `done` holds, for at most `ms`. */
async function until(
  engine: Engine,
  done: (s: DashboardState) => boolean,
  what: string,
  ms = 30_000,
): Promise<DashboardState> {
  const deadline = Date.now() + ms;
  while (!done(engine.snapshot().state)) {
    const { stage, tor } = engine.snapshot().state;
    assert.ok(Date.now() < deadline, `${what}: stage ${stage}, tor ${tor.stage}/${tor.condition}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return engine.snapshot().state;
}

/** A port nothing listens on: tor's connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The tor processes running on `dir` (each runner's tor has its folder in its command line). */
function torsOn(dir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `${dir}/tor/torrc`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** The folder is not held by anyone (no half-open store): it opens and closes. */
async function folderFree(dir: string): Promise<void> {
  const { dataDir } = await DataDir.open(dir);
  await dataDir.close();
}

async function stuckEngine(dir: string, log?: (line: string) => void): Promise<Engine> {
  const port = await closedPort();
  return Engine.open({
    dataDir: dir,
    version: '0.0.0-test',
    tor: { mode: 'managed', extraTorrcLines: ['UseBridges 1', `Bridge 127.0.0.1:${port}`] },
    defaults: { threads: 1, mining: false },
    ...(log ? { log } : {}),
  });
}

/** Connection settings: a tor of the runner's own, direct or through a (closed) SOCKS5 proxy. */
function connectionForm(proxyPort?: number): ConnectionForm {
  return {
    tor: 'managed',
    bridges: 'none',
    customBridges: '',
    proxyType: proxyPort === undefined ? 'none' : 'socks5',
    proxyHost: proxyPort === undefined ? '' : '127.0.0.1',
    proxyPort: proxyPort === undefined ? '' : String(proxyPort),
    proxyUsername: '',
    proxyPassword: '',
    keepProxyPassword: true,
    controlHost: '',
    controlPort: '',
    controlPassword: '',
    keepControlPassword: true,
    socksUrl: '',
    onionAddress: '',
  };
}

/** The torrc of the runner's tor (written at each start). */
function torrc(dir: string): string {
  return readFileSync(path.join(dir, 'tor', 'torrc'), 'utf8');
}

/** Until one tor runs on `dir`, not one of `old`, bootstrapping: its pid. */
async function freshTor(engine: Engine, dir: string, old: readonly number[], what: string): Promise<number> {
  await until(
    engine,
    (s) => {
      const tors = torsOn(dir);
      return s.tor.stage === 'bootstrapping' && tors.length === 1 && !old.includes(tors[0]!);
    },
    `${what} (tors ${torsOn(dir).join(',')}, before ${old.join(',')})`,
  );
  return torsOn(dir)[0]!;
}

describe('a tor that cannot reach the network, and Cancel', { skip: torMissing, concurrency: false }, () => {
  test('the state says "can\'t reach" with tor\'s reason; the look-up and the start cancel; the lobby is kept', {
    timeout: 120_000,
  }, async () => {
    const dir = path.join(tmp, 'organizer');
    const engine = await stuckEngine(dir);
    try {
      // Tor's status decides it: refused connections and no progress for 10 s.
      const stuck = await until(engine, (s) => s.tor.condition === 'unreachable', 'unreachable');
      assert.equal(stuck.stage, 'setup', 'the first screen stays usable');
      assert.equal(stuck.tor.stage, 'bootstrapping', 'tor keeps trying: no time limit');
      assert.match(stuck.tor.why ?? '', /^stuck at \d+%: the connection was refused$/);
      assert.match(stuck.tor.warning ?? '', /tor: Connection refused, CONNECTREFUSED/);
      assert.ok(stuck.tor.since && stuck.tor.since <= Date.now());
      const log = (await engine.call('torLog', [])) as string[];
      assert.ok(
        log.some((line) => /Bootstrapped|Problem bootstrapping/.test(line)),
        'tor’s log is shown',
      );
      const [tor] = torsOn(dir);
      assert.ok(tor, 'its tor runs');

      // The look-up waits for tor; Cancel ends it at once, and tor goes on connecting.
      const onion = onionAddressFromPublicKey(new Uint8Array(32).fill(7));
      const lookup = engine.call('previewJoin', [onion]).then(
        () => 'answered',
        (error: Error) => error.message,
      );
      await new Promise((r) => setTimeout(r, 500));
      const cancelledAt = Date.now();
      await engine.call('cancel', []);
      assert.equal(await lookup, 'look-up cancelled');
      assert.ok(Date.now() - cancelledAt < 2000, 'at once');
      assert.deepEqual(torsOn(dir), [tor], 'the same tor, still connecting');
      await assert.rejects(engine.call('cancel', []), /nothing to cancel/);

      // The start: the new election is saved first, then waits for tor; Cancel stops that tor.
      await engine.call('createElection', [FORM]);
      const starting = await until(engine, (s) => s.launch?.saved === 'lobby', 'saved');
      assert.equal(starting.stage, 'starting');
      assert.deepEqual(starting.launch, { kind: 'lobby', saved: 'lobby', title: FORM.title });
      assert.ok(existsSync(path.join(dir, 'lobby.json')));
      await engine.call('cancel', []);
      const stopped = engine.snapshot().state;
      assert.equal(stopped.stage, 'stopped');
      assert.deepEqual(stopped.launch, { kind: 'lobby', saved: 'lobby', title: FORM.title });
      assert.equal(stopped.error, undefined, 'a cancel is not a failure');
      assert.ok(!torsOn(dir).includes(tor), 'the stuck tor is gone');
      await folderFree(dir);
      assert.ok(existsSync(path.join(dir, 'lobby.json')), 'the election (its lobby) is kept');
      // A fresh tor for what comes next, one only.
      await until(engine, (s) => s.tor.stage === 'bootstrapping', 'a fresh tor');
      assert.equal(torsOn(dir).length, 1);
      await assert.rejects(engine.call('createElection', [FORM]), /keeps a saved election/);

      // Start again: the saved lobby, waiting on tor again; cancel again; then give it up.
      await engine.call('retry', []);
      const again = await until(engine, (s) => s.stage === 'starting', 'again');
      assert.deepEqual(again.launch, { kind: 'lobby', saved: 'lobby' });
      await engine.call('cancel', []);
      assert.equal(engine.snapshot().state.stage, 'stopped');
      await engine.call('leaveLobby', []);
      assert.equal(engine.snapshot().state.stage, 'setup');
      assert.ok(!existsSync(path.join(dir, 'lobby.json')), 'given up: forgotten');
      await folderFree(dir);
    } finally {
      await engine.close();
    }
    assert.deepEqual(torsOn(dir), [], 'no tor left behind');
  });

  test('a saved election opening under a stuck tor: Cancel stops it, the election kept and not locked', {
    timeout: 60_000,
  }, async () => {
    const dir = path.join(tmp, 'voter');
    const node = await ElectionNode.create(dir, testGenesis(), { name: 'vera', mining: false, threads: 1 });
    await node.close();
    const engine = await stuckEngine(dir);
    try {
      const starting = await until(
        engine,
        (s) => s.stage === 'starting' && s.tor.stage === 'bootstrapping',
        'starting',
      );
      assert.deepEqual(starting.launch, { kind: 'open', saved: 'election' });
      await engine.call('cancel', []);
      const stopped = engine.snapshot().state;
      assert.equal(stopped.stage, 'stopped');
      assert.equal(stopped.launch?.saved, 'election');
      await assert.rejects(engine.call('leaveLobby', []), /it is kept/);
      const reopened = await ElectionNode.open(dir, {});
      assert.equal(reopened.genesis.idHex, testGenesis().idHex);
      await reopened.close();
    } finally {
      await engine.close();
    }
    assert.deepEqual(torsOn(dir), []);
  });
});

describe('connection settings saved around a cancelled start', {
  skip: torMissing,
  concurrency: false,
}, () => {
  test('saved during the start: the tor after Cancel and "Start again" use them; saved when stopped: applied at once; your own tor: no tor of ours left', {
    timeout: 120_000,
  }, async () => {
    const dir = path.join(tmp, 'reconfigured');
    const proxy = await closedPort();
    const engine = await stuckEngine(dir);
    try {
      await until(engine, (s) => s.tor.stage === 'bootstrapping', 'first tor');
      await engine.call('createElection', [FORM]);
      await until(engine, (s) => s.launch?.saved === 'lobby', 'saved');
      // While the start waits on tor, the settings wait for the next start.
      const pending = (await engine.call('saveConnection', [connectionForm(proxy)])) as ConnectionView;
      assert.equal(pending.pending, true);
      const [stuck] = torsOn(dir);
      assert.ok(stuck);
      assert.doesNotMatch(torrc(dir), /Socks5Proxy/);

      // Cancel: the fresh tor is one of the saved settings.
      await engine.call('cancel', []);
      assert.equal(engine.snapshot().state.stage, 'stopped');
      const afterCancel = await freshTor(engine, dir, [stuck], 'a fresh tor after the cancel');
      assert.match(torrc(dir), new RegExp(`^Socks5Proxy 127\\.0\\.0\\.1:${proxy}$`, 'm'));
      assert.equal(((await engine.call('connectionSettings', [])) as ConnectionView).pending, false);

      // Stopped: saved settings apply at once (back to a direct connection here).
      const direct = (await engine.call('saveConnection', [connectionForm()])) as ConnectionView;
      assert.equal(direct.pending, false);
      const directTor = await freshTor(engine, dir, [stuck, afterCancel], 'a tor of the new settings');
      assert.doesNotMatch(torrc(dir), /Socks5Proxy/);

      // Start again: with those settings, on that same tor (one tor only).
      await engine.call('retry', []);
      await until(engine, (s) => s.stage === 'starting', 'started again');
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(torsOn(dir), [directTor]);
      assert.doesNotMatch(torrc(dir), /Socks5Proxy/);
      await engine.call('cancel', []);
      const stopped = await freshTor(
        engine,
        dir,
        [stuck, afterCancel, directTor],
        'a tor after the second cancel',
      );

      // Your own tor, saved when stopped: no tor of this runner's is left running.
      const onion = onionAddressFromPublicKey(new Uint8Array(32).fill(9));
      const own = (await engine.call('saveConnection', [
        {
          ...connectionForm(),
          tor: 'external',
          socksUrl: `socks5h://127.0.0.1:${proxy}`,
          onionAddress: onion,
        },
      ])) as ConnectionView;
      assert.equal(own.pending, false);
      assert.deepEqual(torsOn(dir), [], `tor ${stopped} stopped`);
      assert.equal(engine.snapshot().state.tor.mode, 'external');
      await engine.call('leaveLobby', []);
      assert.equal(engine.snapshot().state.stage, 'setup');
      await folderFree(dir);
    } finally {
      await engine.close();
    }
    assert.deepEqual(torsOn(dir), [], 'no tor left behind');
  });

  test('"Start again" after settings saved while stopped and not yet applied: the old tor goes, the start uses the new settings', {
    timeout: 120_000,
  }, async () => {
    // Settings waiting for the next start while a tor of the old ones runs (a save while stopped
    // did that before it applied at once; a failed start keeping its tor still can): marked
    // pending by hand here, as no request leaves the stopped screen in that state any more.
    const dir = path.join(tmp, 'retry-pending');
    const proxy = await closedPort();
    const engine = await stuckEngine(dir);
    try {
      await engine.call('createElection', [FORM]);
      await until(engine, (s) => s.launch?.saved === 'lobby' && s.tor.stage === 'bootstrapping', 'starting');
      await engine.call('cancel', []);
      const old = await freshTor(engine, dir, [], 'a fresh tor after the cancel');
      const { writeConnectionSettings, readConnectionSettings } = await import('../tor/connection');
      const saved = await readConnectionSettings(dir);
      await writeConnectionSettings(dir, {
        ...saved,
        proxy: { type: 'socks5', host: '127.0.0.1', port: proxy },
      });
      (engine as unknown as { connectionPending: boolean }).connectionPending = true;
      await engine.call('retry', []);
      await until(engine, (s) => s.stage === 'starting', 'started again');
      await freshTor(engine, dir, [old], 'a tor of the new settings');
      assert.match(torrc(dir), /^Socks5Proxy /m);
      assert.equal(((await engine.call('connectionSettings', [])) as ConnectionView).pending, false);
      await engine.call('cancel', []);
    } finally {
      await engine.close();
    }
    assert.deepEqual(torsOn(dir), [], 'no tor left behind');
  });

  test('a look-up asked for while Save stops the old tor waits, then uses a tor of the new settings', {
    timeout: 60_000,
  }, async () => {
    const dir = path.join(tmp, 'save-and-lookup');
    const proxy = await closedPort();
    const onion = onionAddressFromPublicKey(new Uint8Array(32).fill(8));
    let engine: Engine | undefined;
    let lookup: Promise<string> | undefined;
    engine = await stuckEngine(dir, (line) => {
      // Saved: the old tor is being stopped now; the look-up comes in just then.
      if (line.startsWith('connection settings saved') && engine)
        queueMicrotask(() => {
          lookup = engine!.call('previewJoin', [onion]).then(
            () => 'answered',
            (error: Error) => error.message,
          );
        });
    });
    try {
      const old = await freshTor(engine, dir, [], 'first tor');
      const view = (await engine.call('saveConnection', [connectionForm(proxy)])) as ConnectionView;
      assert.equal(view.pending, false);
      assert.ok(lookup, 'the look-up was asked for during the save');
      await freshTor(engine, dir, [old], 'a tor of the new settings');
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(torsOn(dir).length, 1, 'one tor');
      assert.match(torrc(dir), new RegExp(`^Socks5Proxy 127\\.0\\.0\\.1:${proxy}$`, 'm'));
      assert.equal(
        engine.snapshot().state.tor.stage,
        'bootstrapping',
        'no error (no second tor on the folder)',
      );
      await engine.call('cancel', []);
      assert.equal(await lookup, 'look-up cancelled');
    } finally {
      await engine.close();
    }
    assert.deepEqual(torsOn(dir), [], 'no tor left behind');
  });

  test('Cancel while a new election is being saved: the start ends, the lobby is kept, later requests work', {
    timeout: 60_000,
  }, async () => {
    const dir = path.join(tmp, 'cancel-during-save');
    const engine = await stuckEngine(dir);
    try {
      const old = await freshTor(engine, dir, [], 'first tor');
      // The start saves the lobby first (the call returns while that is under way); Cancel then.
      await engine.call('createElection', [FORM]);
      assert.equal(engine.snapshot().state.launch?.saved, 'nothing', 'not saved yet');
      const cancel = engine.call('cancel', []).then(() => 'cancelled');
      const timeout = new Promise((r) => setTimeout(r, 15_000, 'cancel hung')).then(String);
      assert.equal(await Promise.race([cancel, timeout]), 'cancelled');
      const stopped = engine.snapshot().state;
      assert.equal(stopped.stage, 'stopped');
      assert.equal(stopped.launch?.saved, 'lobby');
      assert.ok(existsSync(path.join(dir, 'lobby.json')), 'the lobby is kept');
      await freshTor(engine, dir, [old], 'a fresh tor for what comes next');
      await engine.call('leaveLobby', []);
      assert.equal(engine.snapshot().state.stage, 'setup');
    } finally {
      await engine.close();
    }
    assert.deepEqual(torsOn(dir), [], 'no tor left behind');
  });
});

test('nothing waiting: cancel is refused, nothing changes', async () => {
  const engine = await Engine.open({ dataDir: path.join(tmp, 'direct'), version: '0', tor: { mode: 'off' } });
  try {
    const before = engine.snapshot();
    await assert.rejects(engine.call('cancel', []), /nothing to cancel/);
    assert.deepEqual(engine.snapshot(), before);
    assert.equal(before.state.tor.condition, 'off');
  } finally {
    await engine.close();
  }
});
