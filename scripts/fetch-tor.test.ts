// scripts/fetch-tor.mjs cannot reach the Tor Project from here, so its parts are tested on their
// own: names and URLs, the command line, which files are kept, the reading of gpg's verdict, the
// manifest; then the whole run against a local server, with a throwaway key standing in for the Tor
// Browser one (real gpg, real tar), including a tampered archive and a stranger's signature.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  buildManifest,
  bundleFileName,
  bundleUrls,
  checkGpgStatus,
  DEFAULT_VERSION,
  describePlan,
  fetchTor,
  keptPath,
  parseArgs,
  SIGNING_KEY_FINGERPRINT,
  TARGETS,
  torProgram,
} from './fetch-tor.mjs';

const script = fileURLToPath(new URL('fetch-tor.mjs', import.meta.url));

describe('names and URLs', () => {
  test('each target takes the expert bundle of its platform and processor', () => {
    const names = Object.fromEntries(Object.keys(TARGETS).map((t) => [t, bundleFileName(t, '15.0.24')]));
    assert.deepEqual(names, {
      'linux-x64': 'tor-expert-bundle-linux-x86_64-15.0.24.tar.gz',
      'linux-arm64': 'tor-expert-bundle-linux-aarch64-15.0.24.tar.gz',
      'win-x64': 'tor-expert-bundle-windows-x86_64-15.0.24.tar.gz',
      // No Windows Arm build exists: Windows 11 on Arm runs the x64 one.
      'win-arm64': 'tor-expert-bundle-windows-x86_64-15.0.24.tar.gz',
      'mac-x64': 'tor-expert-bundle-macos-x86_64-15.0.24.tar.gz',
      'mac-arm64': 'tor-expert-bundle-macos-aarch64-15.0.24.tar.gz',
    });
    assert.equal(TARGETS['linux-arm64']?.optional, true);
    assert.throws(() => bundleFileName('linux-ia32', '15.0.24'), /unknown target/);
  });

  test('the current release folder first, then the archive that keeps every release', () => {
    assert.deepEqual(bundleUrls('mac-arm64', '15.0.24'), [
      'https://dist.torproject.org/torbrowser/15.0.24/tor-expert-bundle-macos-aarch64-15.0.24.tar.gz',
      'https://archive.torproject.org/tor-package-archive/torbrowser/15.0.24/tor-expert-bundle-macos-aarch64-15.0.24.tar.gz',
    ]);
  });

  test('the program is tor.exe on Windows, tor elsewhere (what find-tor.ts looks for)', () => {
    assert.equal(torProgram('win-arm64'), 'tor.exe');
    assert.equal(torProgram('linux-x64'), 'tor');
    assert.equal(torProgram('mac-arm64'), 'tor');
  });

  test('the pinned key is the Tor Browser Developers signing key', () => {
    assert.equal(SIGNING_KEY_FINGERPRINT, 'EF6E286DDA85EA2A4BA7DE684E2C6E8793298290');
  });
});

describe('command line', () => {
  test('defaults: every target, the pinned release', () => {
    assert.deepEqual(parseArgs([]), {
      version: DEFAULT_VERSION,
      targets: Object.keys(TARGETS),
      dryRun: false,
      withPt: true,
      keyFile: undefined,
      help: false,
    });
  });

  test('options, as --name value or --name=value', () => {
    const options = parseArgs([
      '--version',
      '14.5.8',
      '--only=linux-x64, win-arm64,linux-x64',
      '--dry-run',
      '--with-pt',
      '--key-file',
      'tor.asc',
    ]);
    assert.equal(options.version, '14.5.8');
    assert.deepEqual(options.targets, ['linux-x64', 'win-arm64']);
    assert.equal(options.dryRun, true);
    assert.equal(options.withPt, true);
    assert.equal(parseArgs(['--without-pt']).withPt, false, 'the pluggable transports left out');
    assert.equal(options.keyFile, 'tor.asc');
    assert.equal(parseArgs(['--version=16.0a7']).version, '16.0a7');
  });

  test('refuses what it does not know, and versions that are not versions', () => {
    assert.throws(() => parseArgs(['--only', 'linux-riscv64']), /unknown target/);
    assert.throws(() => parseArgs(['--only', ',']), /at least one/);
    assert.throws(() => parseArgs(['--version', '../../etc']), /not a Tor Browser version/);
    assert.throws(() => parseArgs(['--version']), /needs a value/);
    assert.throws(() => parseArgs(['--version', '--dry-run']), /needs a value/);
    assert.throws(() => parseArgs(['--verbose']), /unknown argument --verbose/);
    assert.throws(() => parseArgs(['--dry-run=no']), /--dry-run takes no value/);
  });

  test('--dry-run prints the plan and fetches nothing', () => {
    const run = spawnSync(process.execPath, [script, '--dry-run', '--only', 'linux-x64,win-arm64'], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /EF6E286DDA85EA2A4BA7DE684E2C6E8793298290/);
    assert.match(
      run.stdout,
      /https:\/\/dist\.torproject\.org\/torbrowser\/[\d.]+\/tor-expert-bundle-linux-x86_64-[\d.]+\.tar\.gz/,
    );
    assert.match(run.stdout, /win-arm64: tor-expert-bundle-windows-x86_64-/);
    assert.doesNotMatch(run.stdout, /mac-/);
    assert.equal(describePlan(parseArgs(['--only', 'mac-x64']), 'vendor/tor').split('\n').length, 5);
  });

  test('a bad argument exits with 1 and says why', () => {
    const run = spawnSync(process.execPath, [script, '--only', 'nope'], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /fetch-tor: --only nope: unknown target/);
  });
});

describe('what is kept from a bundle', () => {
  test('tor and its libraries; not tor-gencert, GeoIP data, debug symbols or (by default) transports', () => {
    const kept = (file: string, withPt = false) => keptPath(file, { withPt });
    assert.equal(kept('tor/tor'), 'tor');
    assert.equal(kept('./tor/tor.exe'), 'tor.exe');
    assert.equal(kept('tor/libssl.so.3'), 'libssl.so.3');
    assert.equal(kept('tor/libevent-2.1.so.7'), 'libevent-2.1.so.7');
    assert.equal(kept('tor/libevent-2.1.7.dylib'), 'libevent-2.1.7.dylib');
    assert.equal(kept('tor/zlib1.dll'), 'zlib1.dll');
    assert.equal(kept('docs/tor.txt'), 'docs/tor.txt');
    assert.equal(kept('tor/tor-gencert'), null);
    assert.equal(kept('tor/tor-gencert.exe'), null);
    assert.equal(kept('data/geoip'), null);
    assert.equal(kept('data/geoip6'), null);
    assert.equal(kept('debug/tor'), null);
    assert.equal(kept('tor/pluggable_transports/lyrebird'), null);
    assert.equal(kept('tor/pluggable_transports/lyrebird', true), 'pluggable_transports/lyrebird');
    assert.equal(
      kept('tor/pluggable_transports/pt_config.json', true),
      'pluggable_transports/pt_config.json',
    );
  });
});

describe("gpg's verdict", () => {
  const primary = SIGNING_KEY_FINGERPRINT;
  const subkey = '1107 75B5 D101 FB36 BC6C 911B EB77 4491 D9FF 06E2'.replaceAll(' ', '');
  const validsig = (signer: string, primaryKey: string) =>
    `[GNUPG:] VALIDSIG ${signer} 2025-11-01 1761955200 0 4 0 1 10 00 ${primaryKey}`;
  const good = [
    '[GNUPG:] NEWSIG',
    `[GNUPG:] KEY_CONSIDERED ${primary} 0`,
    '[GNUPG:] SIG_ID abc 2025-11-01 1761955200',
    `[GNUPG:] GOODSIG EB774491D9FF06E2 Tor Browser Developers (signing key) <torbrowser@torproject.org>`,
    validsig(subkey, primary),
    '[GNUPG:] TRUST_UNDEFINED 0 pgp',
  ].join('\n');

  test('a good signature by a subkey of the pinned key is accepted (unknown trust is fine)', () => {
    assert.equal(checkGpgStatus(good), subkey);
  });

  test('refused: another key, bad, erroneous, expired or revoked, missing, or doubled signatures', () => {
    const stranger = 'A'.repeat(40);
    const cases: Array<[string, RegExp]> = [
      [good.replace(validsig(subkey, primary), validsig(stranger, stranger)), /not the Tor Browser key/],
      [`[GNUPG:] BADSIG EB774491D9FF06E2 Tor Browser Developers\n${good}`, /BADSIG/],
      ['[GNUPG:] ERRSIG EB774491D9FF06E2 1 10 00 1761955200 9 -', /ERRSIG/],
      ['[GNUPG:] NO_PUBKEY EB774491D9FF06E2', /NO_PUBKEY/],
      [`${good}\n[GNUPG:] EXPKEYSIG EB774491D9FF06E2 Tor Browser Developers`, /EXPKEYSIG/],
      [`${good}\n[GNUPG:] REVKEYSIG EB774491D9FF06E2 Tor Browser Developers`, /REVKEYSIG/],
      [`${good}\n[GNUPG:] EXPSIG EB774491D9FF06E2 Tor Browser Developers`, /EXPSIG/],
      [good.replace(/^\[GNUPG:\] GOODSIG.*$/m, ''), /no good signature/],
      [`${good}\n${validsig(subkey, primary)}`, /2 valid signatures/],
      ['', /no good signature/],
    ];
    for (const [status, error] of cases) assert.throws(() => checkGpgStatus(status), error, status);
  });
});

describe('manifest', () => {
  test('records the release, the source, the key and every file, files sorted', () => {
    const manifest = buildManifest({
      target: 'linux-x64',
      version: '15.0.24',
      url: 'https://dist.torproject.org/torbrowser/15.0.24/tor-expert-bundle-linux-x86_64-15.0.24.tar.gz',
      archiveSha256: 'a'.repeat(64),
      signingKey: 'B'.repeat(40),
      files: { tor: '1'.repeat(64), 'libcrypto.so.3': '2'.repeat(64) },
    });
    assert.deepEqual(manifest, {
      target: 'linux-x64',
      torBrowserVersion: '15.0.24',
      bundle: 'tor-expert-bundle-linux-x86_64-15.0.24.tar.gz',
      url: 'https://dist.torproject.org/torbrowser/15.0.24/tor-expert-bundle-linux-x86_64-15.0.24.tar.gz',
      archiveSha256: 'a'.repeat(64),
      signature: { verifiedWith: 'gpg', primaryKey: SIGNING_KEY_FINGERPRINT, signingKey: 'B'.repeat(40) },
      files: { 'libcrypto.so.3': '2'.repeat(64), tor: '1'.repeat(64) },
    });
    assert.deepEqual(Object.keys(manifest.files), ['libcrypto.so.3', 'tor']);
  });
});

// ─── The whole run, offline ──────────────────────────────────────────────────────────────────────

const hasTools = ['gpg', 'gpgconf', 'tar'].every((tool) => spawnSync(tool, ['--version']).status === 0);

describe('a whole run against a local mirror', { skip: !hasTools && 'needs gpg and tar' }, () => {
  const VERSION = '15.0.24';
  let work: string;
  let server: Server;
  let base: string;
  /** What the local server serves, by path. */
  const files = new Map<string, Buffer>();
  let fingerprint: string;
  let keyFile: string;
  const homes: string[] = [];

  function gpg(home: string, ...args: string[]): string {
    const run = spawnSync('gpg', ['--homedir', home, '--batch', '--no-tty', ...args], { encoding: 'utf8' });
    assert.equal(run.status, 0, `gpg ${args.join(' ')}: ${run.stderr}`);
    return run.stdout;
  }

  /** A key made like the Tor Browser one: a certifying primary key and a signing subkey. */
  async function makeKey(name: string): Promise<{ home: string; fingerprint: string }> {
    const home = path.join(work, `gnupg-${name}`);
    await mkdir(home, { mode: 0o700 });
    homes.push(home);
    gpg(
      home,
      '--passphrase',
      '',
      '--quick-gen-key',
      `${name} <${name}@example.invalid>`,
      'ed25519',
      'cert',
      'never',
    );
    const fpr = /^fpr:{9}([0-9A-F]{40}):/m.exec(gpg(home, '--with-colons', '--list-keys'))![1]!;
    gpg(home, '--passphrase', '', '--quick-add-key', fpr, 'ed25519', 'sign', 'never');
    return { home, fingerprint: fpr };
  }

  function sign(home: string, file: string): void {
    gpg(
      home,
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      '',
      '--armor',
      '--detach-sign',
      '--output',
      `${file}.asc`,
      file,
    );
  }

  /** An expert bundle laid out as the Tor Project's, with files to keep and files to leave. */
  async function makeBundle(name: string, bundleName: string): Promise<string> {
    const src = path.join(work, `src-${name}`);
    const layout: Record<string, string> = {
      'tor/tor': '#!/bin/sh\necho tor\n',
      'tor/libssl.so.3': 'ssl',
      'tor/libcrypto.so.3': 'crypto',
      'tor/libevent-2.1.so.7': 'event',
      'tor/tor-gencert': 'gencert',
      'tor/pluggable_transports/lyrebird': 'lyrebird',
      'tor/pluggable_transports/pt_config.json': '{}',
      'data/geoip': 'geoip',
      'data/geoip6': 'geoip6',
      'debug/tor': 'symbols',
    };
    for (const [file, content] of Object.entries(layout)) {
      await mkdir(path.dirname(path.join(src, file)), { recursive: true });
      await writeFile(path.join(src, file), content, { mode: file === 'tor/tor' ? 0o755 : 0o644 });
    }
    const archive = path.join(work, bundleName);
    const tar = spawnSync('tar', ['-czf', archive, '-C', src, 'tor', 'data', 'debug'], { encoding: 'utf8' });
    assert.equal(tar.status, 0, tar.stderr);
    return archive;
  }

  /** Serves `archive` (and its .asc) on the second mirror only, as for a superseded release. */
  async function publish(archive: string): Promise<void> {
    const name = path.basename(archive);
    files.set(`/archive/${VERSION}/${name}`, await readFile(archive));
    files.set(`/archive/${VERSION}/${name}.asc`, await readFile(`${archive}.asc`));
  }

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'fetch-tor-test-'));
    server = createServer((req, res) => {
      const body = files.get(req.url ?? '');
      res.writeHead(body ? 200 : 404).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const key = await makeKey('tor-browser-stand-in');
    fingerprint = key.fingerprint;
    keyFile = path.join(work, 'key.asc');
    await writeFile(keyFile, gpg(key.home, '--armor', '--export', fingerprint));
    const archive = await makeBundle('good', bundleFileName('linux-x64', VERSION));
    sign(key.home, archive);
    await publish(archive);
  });

  after(async () => {
    server?.close();
    for (const home of homes) spawnSync('gpgconf', ['--homedir', home, '--kill', 'all']);
    if (work) await rm(work, { recursive: true, force: true });
  });

  const run = (outDir: string, targets: string[], extra: { fingerprint?: string } = {}) =>
    fetchTor({
      version: VERSION,
      targets,
      keyFile,
      outDir,
      mirrors: [`${base}/dist`, `${base}/archive`],
      fingerprint: extra.fingerprint ?? fingerprint,
      log: () => {},
    });

  test('verifies, unpacks what is kept, writes the manifest; an absent optional bundle is skipped', async () => {
    const outDir = path.join(work, 'vendor-ok', 'tor');
    // A stale tor of another release for linux-arm64 must not survive the run.
    await mkdir(path.join(outDir, 'linux-arm64'), { recursive: true });
    await writeFile(path.join(outDir, 'linux-arm64', 'tor'), 'old');
    await run(outDir, ['linux-x64', 'linux-arm64']);

    assert.deepEqual((await readdir(outDir)).sort(), ['linux-x64']);
    const dir = path.join(outDir, 'linux-x64');
    assert.deepEqual((await readdir(dir)).sort(), [
      'MANIFEST.json',
      'libcrypto.so.3',
      'libevent-2.1.so.7',
      'libssl.so.3',
      'pluggable_transports',
      'tor',
    ]);
    // The pluggable transports, where main/tor/connection.ts looks for them (kept by default).
    assert.deepEqual((await readdir(path.join(dir, 'pluggable_transports'))).sort(), [
      'lyrebird',
      'pt_config.json',
    ]);
    assert.ok(((await stat(path.join(dir, 'tor'))).mode & 0o111) !== 0, 'tor is executable');
    const manifest = JSON.parse(await readFile(path.join(dir, 'MANIFEST.json'), 'utf8'));
    const name = bundleFileName('linux-x64', VERSION);
    assert.equal(manifest.torBrowserVersion, VERSION);
    assert.equal(manifest.url, `${base}/archive/${VERSION}/${name}`, 'found on the second mirror');
    const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    assert.equal(manifest.archiveSha256, sha256(files.get(`/archive/${VERSION}/${name}`)!));
    assert.equal(manifest.signature.primaryKey, fingerprint);
    assert.notEqual(manifest.signature.signingKey, fingerprint, 'signed by the subkey');
    for (const [file, digest] of Object.entries(manifest.files as Record<string, string>))
      assert.equal(digest, sha256(await readFile(path.join(dir, file))), file);
    assert.ok(!existsSync(path.join(dir, 'tor-gencert')));
  });

  test('a tampered archive is refused and nothing is written', async () => {
    const outDir = path.join(work, 'vendor-tampered', 'tor');
    const name = bundleFileName('linux-x64', VERSION);
    const good = files.get(`/archive/${VERSION}/${name}`)!;
    const tampered = Buffer.from(good);
    const at = tampered.length >> 1; // one bit, mid-archive
    tampered.writeUInt8(tampered.readUInt8(at) ^ 1, at);
    files.set(`/archive/${VERSION}/${name}`, tampered);
    try {
      await assert.rejects(run(outDir, ['linux-x64']), /signature refused: BADSIG/);
    } finally {
      files.set(`/archive/${VERSION}/${name}`, good);
    }
    assert.deepEqual(await readdir(outDir), [], 'no target folder, no leftover work folder');
  });

  test("a signature by any other key is refused, even with that key's file given", async () => {
    const stranger = await makeKey('stranger');
    const outDir = path.join(work, 'vendor-stranger', 'tor');
    const name = bundleFileName('mac-arm64', VERSION);
    const archive = await makeBundle('stranger', name);
    sign(stranger.home, archive);
    await publish(archive);
    // The pinned key signed nothing here: the stranger's signature cannot be checked against it.
    await assert.rejects(run(outDir, ['mac-arm64']), /signature refused: (NO_PUBKEY|ERRSIG)/);
    // And a key file holding the stranger's key is refused before any download.
    const strangerKey = path.join(work, 'stranger.asc');
    await writeFile(strangerKey, gpg(stranger.home, '--armor', '--export', stranger.fingerprint));
    await assert.rejects(
      fetchTor({
        version: VERSION,
        targets: ['mac-arm64'],
        keyFile: strangerKey,
        outDir,
        mirrors: [`${base}/archive`],
        fingerprint,
        log: () => {},
      }),
      /the key obtained is not/,
    );
    assert.deepEqual(await readdir(outDir), []);
  });

  test('a required bundle on no mirror is an error', async () => {
    const outDir = path.join(work, 'vendor-missing', 'tor');
    await assert.rejects(
      run(outDir, ['win-x64']),
      /win-x64: tor-expert-bundle-windows-x86_64-15\.0\.24\.tar\.gz is on no mirror/,
    );
  });
});
