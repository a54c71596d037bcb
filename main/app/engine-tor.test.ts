// The engine with a tor of its own that cannot bootstrap (its only bridge is a closed port on
// 127.0.0.1): the first-run state shows tor's progress and log, and closing does not wait for a
// bootstrap that will never finish. Real tor (Debian's package), nothing leaves 127.0.0.1.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { DashboardState } from '../api/contract';
import { findTor } from '../tor/find-tor';
import { Engine } from './engine';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-engine-tor-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Waits until `done` holds, for at most 30 s. */
async function until(engine: Engine, done: (s: DashboardState) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done(engine.snapshot().state)) {
    assert.ok(Date.now() < deadline, `${what}: tor stage ${engine.snapshot().state.tor.stage}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a tor stuck bootstrapping: progress and log in the state, and close() is prompt', async (t) => {
  try {
    findTor();
  } catch {
    return t.skip('tor is not installed');
  }
  const port = await closedPort();
  const engine = await Engine.open({
    dataDir: tmp,
    version: '0.0.0-test',
    tor: { mode: 'managed', extraTorrcLines: ['UseBridges 1', `Bridge 127.0.0.1:${port}`] },
  });
  try {
    const deadline = Date.now() + 30_000;
    while (engine.snapshot().state.tor.stage !== 'bootstrapping') {
      assert.ok(Date.now() < deadline, `tor stage: ${engine.snapshot().state.tor.stage}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { state } = engine.snapshot();
    assert.equal(state.stage, 'setup', 'the first-run forms stay usable while tor bootstraps');
    assert.equal(state.tor.mode, 'managed');
    assert.ok(state.tor.progress < 100);
    let log: unknown[] = [];
    while (log.length === 0 && Date.now() < deadline) {
      log = (await engine.call('torLog', [])) as string[];
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(
      log.some((line) => /Tor|Bootstrapped/.test(String(line))),
      'tor log lines',
    );
    assert.ok(
      !log.some((line) => /onion-key|cookie/i.test(String(line)) && /[0-9a-f]{64}/.test(String(line))),
    );

    // tor dies: the state says so, and retry starts a new one.
    const pids = () =>
      execFileSync('pgrep', ['-f', tmp], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    const [first] = pids();
    assert.ok(first, 'the tor process');
    process.kill(first, 'SIGKILL');
    await until(engine, (s) => s.tor.stage === 'error', 'tor error');
    assert.match(engine.snapshot().state.tor.error ?? '', /tor/i);
    await engine.call('retry', []);
    await until(engine, (s) => s.tor.stage === 'bootstrapping', 'tor again');
    assert.notEqual(pids()[0], first, 'a new tor process');
  } finally {
    const started = Date.now();
    await engine.close();
    assert.ok(Date.now() - started < 15_000, `close took ${Date.now() - started} ms`);
  }
});
