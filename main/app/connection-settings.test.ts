// The engine's connection settings with a real tor kept off every network (its only authority is a
// closed port on 127.0.0.1): saving bridges and a proxy on the first screen restarts that tor with
// them (its torrc says so), a bad bridge line is refused naming the line, the proxy password is
// kept 0600 and never sent back, and the saved choice of "your own tor" is used at the next start.
// Skipped without tor.
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { ConnectionForm, ConnectionView } from '../api/contract';
import { RequestError } from '../api/errors';
import { ValidationError } from '../crypto/errors';
import { checkConnectionSettings } from '../tor/connection';
import { findInstalled } from '../tor/find-tor';
import { ISOLATED_TORRC_LINES } from '../tor/testnet';
import { Engine } from './engine';
import { connectionFromForm } from './requests';

const tor = findInstalled('tor');
const obfs4 = findInstalled('obfs4proxy') ?? findInstalled('lyrebird');
const root = mkdtempSync(path.join(os.tmpdir(), 'oe-connection-engine-'));
after(() => rmSync(root, { recursive: true, force: true }));

const FP = 'CDF2E852BF539B82BD10E27E9115A31734E378C2';
const CERT = 'qUVQ0srL1JI/vO6V6m/24anYXiJD3QP2HgzUKQtQ7GRqqUvs7P+tG43RtAqdhLOALP7DJQ';
// A closed loopback port: tor tries it and never reaches anything.
const BRIDGE = `obfs4 127.0.0.1:1 ${FP} cert=${CERT} iat-mode=0`;

const FORM: ConnectionForm = {
  tor: 'managed',
  bridges: 'none',
  customBridges: '',
  proxyType: 'none',
  proxyHost: '',
  proxyPort: '',
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

async function until(engine: Engine, done: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    const { tor } = engine.snapshot().state;
    assert.ok(Date.now() < deadline, `${what}: tor ${tor.mode} ${tor.stage} ${tor.error ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('saved on the first screen: tor starts again with the bridges and the proxy', {
  skip: !tor || !obfs4,
  timeout: 60_000,
}, async () => {
  const dataDir = path.join(root, 'first');
  const lines: string[] = [];
  const engine = await Engine.open({
    dataDir,
    version: '0.0.0-test',
    tor: { mode: 'managed', extraTorrcLines: ISOLATED_TORRC_LINES },
    defaults: { threads: 1, mining: false },
    log: (line) => lines.push(line),
  });
  try {
    await until(engine, () => engine.snapshot().state.tor.stage === 'bootstrapping', 'first tor');
    const torrc = () => readFileSync(path.join(dataDir, 'tor', 'torrc'), 'utf8');
    assert.doesNotMatch(torrc(), /UseBridges/);

    // A bad line is named by its number, beside the bridge field.
    await assert.rejects(
      engine.call('saveConnection', [
        { ...FORM, bridges: 'custom', customBridges: `${BRIDGE}\nobfs4 1.2.3.4:443` },
      ]),
      (error: unknown) =>
        error instanceof RequestError &&
        error.field === 'customBridges' &&
        /line 2 \("obfs4 1\.2\.3\.4:443"\)/.test(error.message),
    );
    await assert.rejects(
      engine.call('saveConnection', [
        { ...FORM, proxyType: 'socks5', proxyHost: '127.0.0.1', proxyPort: 'x' },
      ]),
      (error: unknown) => error instanceof RequestError && error.field === 'proxyPort',
    );

    const saved = (await engine.call('saveConnection', [
      {
        ...FORM,
        bridges: 'custom',
        customBridges: `# mine\n${BRIDGE}\n`,
        proxyType: 'socks5',
        proxyHost: '127.0.0.1',
        proxyPort: '9',
        proxyUsername: 'me',
        proxyPassword: 'pa55 w0rd',
      },
    ])) as ConnectionView;
    assert.equal(saved.pending, false, 'applied at once on the first screen');
    assert.deepEqual(saved.customBridges, [BRIDGE]);
    assert.deepEqual(saved.proxy, {
      type: 'socks5',
      host: '127.0.0.1',
      port: 9,
      username: 'me',
      passwordSaved: true,
    });
    const file = path.join(dataDir, 'connection.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    // A new tor, with the lines.
    await until(
      engine,
      () => /UseBridges 1/.test(torrc()) && engine.snapshot().state.tor.stage === 'bootstrapping',
      'tor restarted with bridges',
    );
    const text = torrc();
    assert.match(text, new RegExp(`^ClientTransportPlugin obfs4 exec \\./${path.basename(obfs4!)}$`, 'm'));
    assert.match(text, new RegExp(`^Bridge ${BRIDGE.replace(/[+/]/g, '\\$&')}$`, 'm'));
    assert.match(text, /^Socks5Proxy 127\.0\.0\.1:9$/m);
    assert.match(text, /^Socks5ProxyPassword "pa55 w0rd"$/m);
    assert.equal(statSync(path.join(dataDir, 'tor', 'torrc')).mode & 0o777, 0o600);

    // Saved again without a new password: the old one stays; it never reaches the UI or the log.
    const again = (await engine.call('saveConnection', [
      {
        ...FORM,
        bridges: 'custom',
        customBridges: BRIDGE,
        proxyType: 'socks5',
        proxyHost: '127.0.0.1',
        proxyPort: '9',
        proxyUsername: 'me',
      },
    ])) as ConnectionView;
    assert.equal(again.proxy?.passwordSaved, true);
    assert.match(readFileSync(file, 'utf8'), /pa55 w0rd/);
    const visible = JSON.stringify([
      engine.snapshot(),
      again,
      await engine.call('connectionSettings', []),
      lines,
    ]);
    assert.doesNotMatch(visible, /pa55/);
    assert.ok(
      lines.some((l) =>
        /connection settings saved: a tor of its own, with 1 bridge line of yours, through the proxy socks5:\/\/me:…@127\.0\.0\.1:9/.test(
          l,
        ),
      ),
    );
  } finally {
    await engine.close();
  }
});

test('"use my own tor" saved: the next start uses it; a damaged file stops tor from starting', {
  skip: !tor,
  timeout: 60_000,
}, async () => {
  const dataDir = path.join(root, 'own');
  const onion = `${'a'.repeat(56)}.onion`;
  const open = () =>
    Engine.open({
      dataDir,
      version: '0.0.0-test',
      tor: { mode: 'managed', extraTorrcLines: ISOLATED_TORRC_LINES },
      defaults: { threads: 1, mining: false },
    });
  let engine = await open();
  try {
    const view = (await engine.call('saveConnection', [
      { ...FORM, tor: 'external', socksUrl: 'socks5h://127.0.0.1:9050', onionAddress: onion },
    ])) as ConnectionView;
    assert.equal(view.tor, 'external');
    assert.equal(engine.snapshot().state.tor.mode, 'external');
    assert.equal(engine.snapshot().state.tor.stage, 'ready');
  } finally {
    await engine.close();
  }
  engine = await open();
  try {
    assert.equal(engine.snapshot().state.tor.mode, 'external', 'read back at the next start');
    assert.deepEqual(((await engine.call('connectionSettings', [])) as ConnectionView).external, {
      socks: 'socks5h://127.0.0.1:9050',
      self: onion,
    });
  } finally {
    await engine.close();
  }
  // The command line's choice wins for its run, and the view says so.
  engine = await Engine.open({ dataDir, version: '0', tor: { mode: 'off' }, start: false });
  try {
    assert.equal(engine.snapshot().state.tor.mode, 'off');
    assert.match(
      ((await engine.call('connectionSettings', [])) as ConnectionView).overridden ?? '',
      /no Tor/,
    );
  } finally {
    await engine.close();
  }
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    path.join(dataDir, 'connection.json'),
    '{"tor":"managed","bridges":"custom","customBridges":["nonsense"]}',
  );
  engine = await open();
  try {
    await until(engine, () => engine.snapshot().state.tor.stage === 'error', 'refused');
    assert.match(
      engine.snapshot().state.tor.error ?? '',
      /connection settings cannot be used: connection\.json: .*line 1/,
    );
  } finally {
    await engine.close();
  }
});

/** The processes running `program` (Linux: /proc/PID/exe). */
function running(program: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/exe`) === program;
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('the app installed in a folder whose name has a space: tor starts and runs its bundled obfs4 program', {
  skip: !tor || !obfs4 || process.platform !== 'linux',
  timeout: 60_000,
}, async () => {
  // As an installer lays it out (/opt/Onion Election/resources/tor/pluggable_transports/lyrebird),
  // with a copy of the installed obfs4 program as the bundled one.
  const resourcesDir = path.join(root, 'Onion Election', 'resources');
  const ptDir = path.join(resourcesDir, 'tor', 'pluggable_transports');
  mkdirSync(ptDir, { recursive: true });
  const lyrebird = path.join(ptDir, 'lyrebird');
  copyFileSync(obfs4!, lyrebird);
  const dataDir = path.join(root, 'spaced');
  const engine = await Engine.open({
    dataDir,
    version: '0.0.0-test',
    tor: { mode: 'managed', resourcesDir, extraTorrcLines: ISOLATED_TORRC_LINES },
    defaults: { threads: 1, mining: false },
  });
  try {
    await until(engine, () => engine.snapshot().state.tor.stage === 'bootstrapping', 'first tor');
    const view = (await engine.call('saveConnection', [
      { ...FORM, bridges: 'custom', customBridges: BRIDGE },
    ])) as ConnectionView;
    assert.equal(view.transports.obfs4, lyrebird, 'the bundled program');
    const torrc = () => readFileSync(path.join(dataDir, 'tor', 'torrc'), 'utf8');
    await until(
      engine,
      () => /UseBridges 1/.test(torrc()) && engine.snapshot().state.tor.stage === 'bootstrapping',
      'tor restarted with the bridge',
    );
    assert.match(torrc(), /^ClientTransportPlugin obfs4 exec \.\/lyrebird$/m);
    // tor launched the program: it runs, and tor's log says no launch failed.
    await until(engine, () => running(lyrebird).length > 0, 'the bundled lyrebird running');
    const log = readFileSync(path.join(dataDir, 'tor', 'tor.log'), 'utf8');
    assert.doesNotMatch(log, /Could not launch managed proxy|Managed proxy .*(failed|died|terminated)/i);
    assert.equal(engine.snapshot().state.tor.error, undefined);
  } finally {
    await engine.close();
  }
  for (let i = 0; i < 50 && running(lyrebird).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(running(lyrebird), [], 'stopped with tor');
});

test('a saved password goes only to the proxy (or control port) it was saved for', () => {
  const saved = checkConnectionSettings({
    proxy: { type: 'https', host: 'proxy.lan', port: 3128, username: 'me', password: 's3cret' },
    control: { host: '127.0.0.1', port: 9151, password: 'c0ntrol' },
  });
  const proxy = {
    ...FORM,
    proxyType: 'https' as const,
    proxyHost: 'proxy.lan',
    proxyPort: '3128',
    proxyUsername: 'me',
  };
  // The same proxy, password left empty: kept.
  assert.equal(connectionFromForm(proxy, saved).proxy?.password, 's3cret');
  assert.equal(connectionFromForm({ ...proxy, proxyHost: ' proxy.lan ' }, saved).proxy?.password, 's3cret');
  // Another host, port or type: dropped (HTTPS takes no password), or asked for (SOCKS5 needs one).
  for (const other of [{ proxyHost: 'evil.example' }, { proxyPort: '8080' }]) {
    const settings = connectionFromForm({ ...proxy, ...other }, saved);
    assert.equal(settings.proxy?.password, undefined, JSON.stringify(other));
    assert.doesNotMatch(JSON.stringify(settings), /s3cret/);
  }
  assert.throws(
    () => connectionFromForm({ ...proxy, proxyType: 'socks5', proxyPort: '3128' }, saved),
    (error: unknown) => error instanceof ValidationError && error.field === 'proxyPassword',
  );
  // A new password for the new proxy is taken.
  assert.equal(
    connectionFromForm({ ...proxy, proxyHost: 'other.lan', proxyPassword: 'n3w' }, saved).proxy?.password,
    'n3w',
  );
  // The control port's password likewise.
  const attached = { ...FORM, tor: 'attached' as const, controlHost: '127.0.0.1', controlPort: '9151' };
  assert.equal(connectionFromForm(attached, saved).control?.password, 'c0ntrol');
  assert.equal(connectionFromForm({ ...attached, controlHost: '' }, saved).control?.password, 'c0ntrol');
  assert.equal(connectionFromForm({ ...attached, controlPort: '9051' }, saved).control?.password, undefined);
  assert.equal(
    connectionFromForm({ ...attached, controlHost: '10.0.0.2' }, saved).control?.password,
    undefined,
  );
});
