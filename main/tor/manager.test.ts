// TorManager and the control client against a real tor that is kept off every network (its only
// directory authority is a closed port on 127.0.0.1): starting, the files it writes, the onion key
// across restarts, attaching, and each failure said plainly. Quick (a few seconds); the onion
// services reaching each other over a private Tor network are in tor.test.ts. Skipped without tor.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { TorControl, type TorEvent } from './control';
import { TorError } from './errors';
import { findInstalled } from './find-tor';
import { type StartTorOptions, TorManager } from './manager';
import { ISOLATED_TORRC_LINES } from './testnet';
import { TorProcess } from './tor-process';

const tor = findInstalled('tor');
const skip = tor ? false : 'tor is not installed (Debian/Ubuntu: apt-get install -y tor)';
if (skip) console.log(`manager.test.ts: skipped: ${skip}`);

const root = mkdtempSync(path.join(tmpdir(), 'tor-manager-test-'));
const started: TorManager[] = [];
after(async () => {
  for (const m of started) await m.stop();
  rmSync(root, { recursive: true, force: true });
});

let runs = 0;
async function startIsolated(options: Partial<StartTorOptions> = {}): Promise<TorManager> {
  const manager = await TorManager.start({
    dataDir: options.dataDir ?? path.join(root, `runner ${++runs}`),
    extraTorrcLines: ISOLATED_TORRC_LINES,
    ...options,
  });
  started.push(manager);
  return manager;
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

function isTorError(kind: TorError['kind'], pattern?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof TorError, `a TorError, not ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  };
}

describe('TorManager with a real tor, off the network', { skip, timeout: 120_000 }, () => {
  test('start: private files, the torrc from the template, a SOCKS port that answers', async () => {
    const manager = await startIsolated();
    const torDir = manager.torDir;
    assert.equal(manager.mode, 'managed');
    assert.match(manager.socksUrl, /^socks5h:\/\/127\.0\.0\.1:\d+$/);
    const socket = net.connect(manager.socksPort, '127.0.0.1');
    await once(socket, 'connect');
    socket.destroy();
    for (const d of [torDir, path.join(torDir, 'data')]) assert.equal(statSync(d).mode & 0o777, 0o700, d);
    const torrc = readFileSync(path.join(torDir, 'torrc'), 'utf8');
    assert.match(torrc, /^DataDirectory ".*runner \d+\/tor\/data"$/m);
    assert.match(torrc, /^SocksPort 127\.0\.0\.1:auto OnionTrafficOnly$/m);
    assert.match(torrc, new RegExp(`^__OwningControllerProcess ${process.pid}$`, 'm'));
    assert.ok(torrc.trimEnd().endsWith(ISOLATED_TORRC_LINES.at(-1)!));
    assert.ok(existsSync(manager.logFile!), "tor's log is there for the user");
    assert.ok(alive(manager.pid));
    assert.ok(manager.bootstrap.progress < 100);

    const pid = manager.pid;
    const waiting = assert.rejects(manager.waitForBootstrap(), isTorError('closed', /tor was stopped/));
    await manager.stop();
    await waiting;
    assert.ok(await waitUntil(() => !alive(pid), 5000), 'tor is gone after stop()');
    assert.ok(!existsSync(path.join(torDir, 'control-port')));
  });

  test('the onion key is made once (0600) and gives the same address after a restart', async () => {
    const dataDir = path.join(root, 'keeps-address');
    const first = await startIsolated({ dataDir });
    const service = await first.publishService(8080, { waitForUpload: false });
    assert.match(service.address, /^[a-z2-7]{56}\.onion$/);
    const keyFile = path.join(dataDir, 'tor', 'onion-key');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const key = readFileSync(keyFile, 'utf8');
    await first.stop();

    const second = await startIsolated({ dataDir });
    const again = await second.publishService(9090, { waitForUpload: false });
    assert.equal(again.address, service.address);
    assert.equal(readFileSync(keyFile, 'utf8'), key, 'the key file is left as it was');
    await second.stop();
  });

  test('circuit IDs: a HiddenServiceDir service on a Unix socket keeps the address of the onion key, both ways (issue 11, item 2)', async () => {
    // A key made by ADD_ONION, then the same runner publishing with circuit IDs: the same address.
    const dataDir = path.join(root, 'circuit ids');
    const first = await startIsolated({ dataDir });
    const added = await first.publishService(8080, { waitForUpload: false });
    await first.stop();
    const second = await startIsolated({ dataDir });
    const socketPath = second.circuitSocketPath();
    assert.equal(socketPath, path.join(dataDir, 'tor', 'peer-api.sock'));
    const service = await second.publishService(8080, { waitForUpload: false, socketPath: socketPath! });
    assert.equal(service.address, added.address);
    assert.equal(service.socketPath, socketPath);
    const options = await second.control.request('GETCONF HiddenServiceOptions');
    const lines = options.lines.map((l) => l.text);
    assert.ok(lines.includes(`HiddenServicePort=80 unix:"${socketPath}"`), lines.join(' | '));
    assert.ok(lines.includes('HiddenServiceExportCircuitID=haproxy'), lines.join(' | '));
    const serviceDir = path.join(dataDir, 'tor', 'onion-service');
    assert.equal(statSync(serviceDir).mode & 0o777, 0o700);
    assert.equal(readFileSync(path.join(serviceDir, 'hostname'), 'utf8').trim(), added.address);
    // Withdrawn: tor forgets it, and it can be published again.
    await second.removeService(service.serviceId);
    assert.deepEqual(
      (await second.control.request('GETCONF HiddenServiceOptions')).lines.map((l) => l.text),
      ['HiddenServiceOptions'],
    );
    await second.stop();

    // A new runner publishing with circuit IDs first: tor makes the key, onion-key keeps it, and
    // ADD_ONION (an attached tor, say) gives the same address from it.
    const fresh = path.join(root, 'circuit ids first');
    const third = await startIsolated({ dataDir: fresh });
    const made = await third.publishService(8080, {
      waitForUpload: false,
      socketPath: third.circuitSocketPath()!,
    });
    const keyFile = path.join(fresh, 'tor', 'onion-key');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    await third.stop();
    const fourth = await startIsolated({ dataDir: fresh });
    assert.equal((await fourth.publishService(8080, { waitForUpload: false })).address, made.address);
    await fourth.stop();
    const fifth = await startIsolated({ dataDir: fresh });
    const again = await fifth.publishService(8080, {
      waitForUpload: false,
      socketPath: fifth.circuitSocketPath()!,
    });
    assert.equal(again.address, made.address);
    await fifth.stop();
  });

  test('a service not uploaded in time is withdrawn, so that publishing again works', async () => {
    const manager = await startIsolated();
    await assert.rejects(
      manager.publishService(8080, { timeoutMs: 300 }),
      isTorError('publish', /was not published within 0 s \(tor's bootstrap: 5% \(Connecting to a relay\)\)/),
    );
    const service = await manager.publishService(8080, { waitForUpload: false });
    assert.match(service.address, /\.onion$/);
    await manager.stop();
  });

  test('a stuck bootstrap fails after the stall time with what tor said', async () => {
    const manager = await startIsolated();
    const started = Date.now();
    await assert.rejects(
      manager.waitForBootstrap({ stallMs: 1500 }),
      isTorError(
        'bootstrap-stalled',
        /^tor's bootstrap made no progress for \d s, stuck at 5% \(Connecting to a relay\); tor's last warning: .*Connection refused/,
      ),
    );
    assert.ok(Date.now() - started < 5000);
    await manager.stop();
  });

  test('tor exiting under us: an exit event, and waiters fail at once', async () => {
    const manager = await startIsolated();
    const exit = once(manager, 'exit') as Promise<[TorError]>;
    let waitError: unknown;
    const waiting = manager.waitForBootstrap().catch((e: unknown) => {
      waitError = e;
    });
    process.kill(manager.pid!, 'SIGKILL');
    const [error] = await exit;
    assert.ok(['exited', 'closed'].includes(error.kind), error.message);
    await waiting;
    assert.equal(waitError, error);
    await assert.rejects(manager.publishService(8080), (e: unknown) => e === error);
    await manager.stop();
  });

  test('a SOCKS port already in use is said plainly', async () => {
    const blocker = net.createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      const { port } = blocker.address() as net.AddressInfo;
      await assert.rejects(
        startIsolated({ socksPort: port }),
        isTorError('port-in-use', /tor could not open a port, it is in use: .*Address already in use/),
      );
    } finally {
      blocker.close();
    }
  });

  test("a torrc line tor refuses: start fails with tor's own words", async () => {
    await assert.rejects(
      startIsolated({ extraTorrcLines: [...ISOLATED_TORRC_LINES, 'NoSuchOption 1'] }),
      isTorError('start', /tor exited with code 1 before opening its control port: .*NoSuchOption/),
    );
  });

  test('tor not found', async () => {
    await assert.rejects(
      startIsolated({ torPath: path.join(root, 'no-tor-here') }),
      isTorError('not-found', /^tor not found at /),
    );
  });
});

describe('attaching to a running tor, and the control client on a real tor', {
  skip,
  timeout: 120_000,
}, () => {
  /** A tor we run as "the system tor": a password, a cookie file, its own ports. */
  async function systemTor(name: string, password?: string) {
    const dir = path.join(root, name);
    mkdirSync(path.join(dir, 'data'), { recursive: true, mode: 0o700 });
    const lines = [
      `DataDirectory ${dir}/data`,
      'SocksPort 127.0.0.1:auto',
      'ControlPort 127.0.0.1:auto',
      `ControlPortWriteToFile ${dir}/control-port`,
      `__OwningControllerProcess ${process.pid}`,
      'Log warn stdout',
      ...ISOLATED_TORRC_LINES,
      password === undefined
        ? 'CookieAuthentication 1'
        : `HashedControlPassword ${execFileSync(tor!, ['--hash-password', password, '--quiet'], { encoding: 'utf8' }).trim()}`,
    ];
    writeFileSync(path.join(dir, 'torrc'), `${lines.join('\n')}\n`);
    writeFileSync(path.join(dir, 'defaults'), '');
    return TorProcess.start({
      torPath: tor!,
      torrcFile: path.join(dir, 'torrc'),
      defaultsFile: path.join(dir, 'defaults'),
      controlPortFile: path.join(dir, 'control-port'),
    });
  }

  test('with a password; a wrong one is refused; stopping leaves that tor running', async () => {
    const { tor: system, controlPort } = await systemTor('system-password', 'correct horse');
    try {
      const dataDir = path.join(root, 'attached-password');
      await assert.rejects(
        TorManager.attach({ dataDir, controlPort, password: 'wrong' }),
        isTorError('auth', /tor refused the password: 515/),
      );
      const manager = await TorManager.attach({ dataDir, controlPort, password: 'correct horse' });
      assert.equal(manager.mode, 'attached');
      assert.match(manager.socksUrl, /^socks5h:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(manager.pid, undefined);
      const service = await manager.publishService(8080, { waitForUpload: false });
      assert.ok(existsSync(path.join(dataDir, 'tor', 'onion-key')), 'the key is kept in our data folder');
      assert.match(service.address, /\.onion$/);
      await manager.stop();
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!system.hasExited, 'an attached tor is not ours to stop');
    } finally {
      await system.stop(0);
    }
  });

  test('control client: SAFECOOKIE, GETINFO with data, ADD_ONION/DEL_ONION, SIGNAL, errors, events', async () => {
    const { tor: system, controlPort } = await systemTor('system-cookie');
    try {
      const control = await TorControl.connect({ port: controlPort });
      try {
        assert.match(control.torVersion ?? '', /^0\.4\./);
        const info = await control.getInfo(['version', 'config-text', 'net/listeners/socks']);
        assert.match(info.get('config-text')!, /^ControlPort 127\.0\.0\.1:auto$/m, 'multi-line value');
        assert.match(info.get('net/listeners/socks')!, /^"127\.0\.0\.1:\d+"$/);
        await assert.rejects(control.getInfo(['no/such/key']), isTorError('reply', /552 Unrecognized key/));

        const events: TorEvent[] = [];
        control.on('event', (e) => events.push(e));
        await control.setEvents(['STATUS_CLIENT', 'CONF_CHANGED']);
        await control.request('SETCONF ConnLimit=2000');
        assert.ok(
          await waitUntil(() => events.some((e) => e.type === 'CONF_CHANGED'), 3000),
          'a CONF_CHANGED event',
        );
        const changed = events.find((e) => e.type === 'CONF_CHANGED')!;
        assert.ok(
          changed.reply.lines.some((l) => l.text === 'ConnLimit=2000'),
          'a multi-line event',
        );

        const created = await control.addOnion({ ports: [{ virtual: 80, target: '127.0.0.1:8080' }] });
        assert.match(created.privateKey ?? '', /^ED25519-V3:[A-Za-z0-9+/]{86}==$/);
        await control.delOnion(created.serviceId);
        const reused = await control.addOnion({
          keyBlob: created.privateKey!,
          ports: [{ virtual: 80, target: '127.0.0.1:8080' }],
          flags: ['DiscardPK'],
        });
        assert.deepEqual(reused, { serviceId: created.serviceId });
        await assert.rejects(
          control.delOnion('a'.repeat(56)),
          isTorError('reply', /DEL_ONION failed: 5\d\d /),
        );
        await control.signal('NEWNYM');
        await assert.rejects(control.signal('NOSUCHSIGNAL'), isTorError('reply', /552 Unrecognized signal/));
      } finally {
        control.close();
      }
      const manager = await TorManager.attach({ dataDir: path.join(root, 'attached-cookie'), controlPort });
      await manager.stop();
    } finally {
      await system.stop(0);
    }
  });
});
