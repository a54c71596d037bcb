// The command line's connection options: documented in --help, checked before anything is written
// (a bad bridge line is a usage error naming the line), saved in the data folder (0600) and used by
// the runner's own tor (a real tor kept off every network: its torrc carries the lines), never
// printing the proxy password; the existing `-a SELF.onion -c socks5h://…` form still runs.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { onionAddressFromPublicKey } from '../net/address';
import { readConnectionSettings } from '../tor/connection';
import { findInstalled } from '../tor/find-tor';
import { ISOLATED_TORRC_LINES } from '../tor/testnet';
import { parseCommandLine } from './options';
import { saveConnectionOptions } from './tor';

const bin = fileURLToPath(new URL('../../bin/onion-election.mjs', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-cli-connection-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const tor = findInstalled('tor');
const obfs4 = findInstalled('obfs4proxy') ?? findInstalled('lyrebird');

const FP = 'CDF2E852BF539B82BD10E27E9115A31734E378C2';
const CERT = 'qUVQ0srL1JI/vO6V6m/24anYXiJD3QP2HgzUKQtQ7GRqqUvs7P+tG43RtAqdhLOALP7DJQ';
const BRIDGE = `obfs4 127.0.0.1:1 ${FP} cert=${CERT} iat-mode=0`;
const onion = (byte: number) => onionAddressFromPublicKey(new Uint8Array(32).fill(byte));

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ONION_ELECTION_HOME: tmp },
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

/** Runs until `ready` matches the output, then SIGINT; resolves with the output and exit code. */
async function runUntil(args: string[], ready: (out: string) => boolean, ms = 60_000) {
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ONION_ELECTION_HOME: tmp },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + ms;
  try {
    while (!ready(out)) {
      assert.ok(Date.now() < deadline, `not ready in time:\n${out}`);
      assert.equal(child.exitCode, null, `exited early:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    child.kill('SIGINT');
  }
  return { out, code: await exited };
}

describe('connection options', () => {
  test('documented in --help', () => {
    const help = cli('new', '--help');
    assert.equal(help.code, 0);
    for (const option of [
      '--bridge LINE',
      '--bridges-file F',
      '--builtin-bridges obfs4|snowflake',
      '--no-bridges',
      '--upstream-proxy URL',
      '--upstream-proxy-password-file F',
      '--obfs4-path PATH',
    ])
      assert.ok(help.out.includes(option), option);
    assert.match(cli('--help').out, /--builtin-bridges obfs4/);
  });

  test('refused before anything is written: a bad line (named), a bad proxy, a clash of choices', () => {
    const dir = path.join(tmp, 'refused');
    const bridges = path.join(tmp, 'bridges.txt');
    writeFileSync(bridges, `# mine\n${BRIDGE}\nobfs4 1.2.3.4:443 ${FP}\n`);
    const cases: [string[], RegExp][] = [
      [['--bridge', 'obfs4 1.2.3.4'], /--bridge: line 1 \("obfs4 1\.2\.3\.4"\): .*not an address and port/],
      [['--bridges-file', bridges], /--bridges-file: line 3 \("obfs4 1\.2\.3\.4:443 .*needs its cert=/],
      [['--builtin-bridges', 'meek'], /--builtin-bridges takes obfs4 or snowflake/],
      [
        ['--upstream-proxy', 'socks4://u:pw@127.0.0.1:1080'],
        /--upstream-proxy: .*SOCKS4 proxy takes no user name/,
      ],
      [['--builtin-bridges', 'obfs4', '--bridge', BRIDGE], /choose one of/],
      [['--bridge', BRIDGE, '--direct'], /for the runner's own tor/],
      [['--bridge', BRIDGE, '-a', onion(1), '-c', 'socks5h://127.0.0.1:9050'], /own tor/],
    ];
    for (const [args, expected] of cases) {
      const run = cli('-d', dir, ...args, 'new');
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.err}`);
      assert.match(run.err, expected);
      assert.doesNotMatch(run.err, /pw@/);
    }
    assert.equal(existsSync(path.join(dir, 'connection.json')), false);
  });

  test('a damaged connection.json is not silently replaced: refused, saying what to do', async () => {
    const dir = path.join(tmp, 'damaged');
    const file = path.join(dir, 'connection.json');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const damaged = `{"tor":"managed","bridges":"custom","customBridges":["${BRIDGE}"],"bridges":"custom"}`;
    writeFileSync(file, damaged, { mode: 0o600 });
    for (const args of [
      ['--upstream-proxy', 'socks5://127.0.0.1:9'],
      ['--no-bridges'],
      ['--obfs4-path', '/usr/bin/obfs4proxy'],
    ]) {
      const run = cli('-d', dir, ...args, 'new');
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.err}`);
      assert.match(
        run.err,
        /connection settings in .*connection\.json are damaged \(connection\.json: bridges is a duplicate key.*give the whole choice to replace them \(--bridge, .*--no-bridges, and --upstream-proxy or --no-upstream-proxy\), or remove the file/,
      );
      assert.equal(readFileSync(file, 'utf8'), damaged, 'left as it was');
    }
    // Options that say everything replace it.
    const values = parseCommandLine(['--no-bridges', '--upstream-proxy', 'socks5://127.0.0.1:9']).values;
    assert.equal(
      await saveConnectionOptions(values, dir),
      'a tor of its own, with through the proxy socks5://127.0.0.1:9',
    );
  });

  test("the upstream proxy's password from a file (not the command line), never printed", async () => {
    const dir = path.join(tmp, 'password-file');
    const secret = path.join(tmp, 'proxy-password');
    writeFileSync(secret, 's3cr t\n', { mode: 0o600 });
    const values = parseCommandLine([
      '--upstream-proxy',
      'socks5://me@127.0.0.1:9',
      '--upstream-proxy-password-file',
      secret,
    ]).values;
    const line = await saveConnectionOptions(values, dir);
    assert.equal(line, 'a tor of its own, with through the proxy socks5://me:…@127.0.0.1:9');
    assert.equal((await readConnectionSettings(dir)).proxy?.password, 's3cr t');
    const refused: [string[], RegExp][] = [
      [['--upstream-proxy-password-file', secret], /goes with --upstream-proxy/],
      [
        ['--upstream-proxy', 'socks5://me:pw@127.0.0.1:9', '--upstream-proxy-password-file', secret],
        /--upstream-proxy: has a password, and another is given apart \(a file\): give it only once/,
      ],
      [
        [
          '--upstream-proxy',
          'socks5://me@127.0.0.1:9',
          '--upstream-proxy-password-file',
          path.join(tmp, 'none'),
        ],
        /--upstream-proxy-password-file: ENOENT/,
      ],
      [
        ['--upstream-proxy', 'socks4://127.0.0.1:9', '--upstream-proxy-password-file', secret],
        /SOCKS4 proxy takes no/,
      ],
    ];
    for (const [args, expected] of refused) {
      const run = cli('-d', path.join(tmp, 'password-refused'), ...args, 'new');
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.err}`);
      assert.match(run.err, expected);
      assert.doesNotMatch(run.err, /s3cr|pw@/);
    }
  });

  test('saved in the data folder and used by the runner’s own tor; the password never printed', {
    skip: !tor || !obfs4,
    timeout: 120_000,
  }, async () => {
    const dir = path.join(tmp, 'saved');
    const isolated = path.join(tmp, 'isolated.torrc');
    writeFileSync(isolated, `${ISOLATED_TORRC_LINES.join('\n')}\n`);
    const torrc = () => readFileSync(path.join(dir, 'tor', 'torrc'), 'utf8');
    const first = await runUntil(
      [
        '-d',
        dir,
        '--torrc-extra',
        isolated,
        '--bridge',
        `Bridge ${BRIDGE}`,
        '--upstream-proxy',
        'socks5://me:s3cr%20t@127.0.0.1:9',
        ...['-n', 'saved', '--difficulty', '1', 'new'],
      ],
      (out) =>
        /tor\s+started \(pid/.test(out) &&
        existsSync(path.join(dir, 'tor', 'torrc')) &&
        /UseBridges/.test(torrc()),
    );
    assert.equal(first.code, 0, first.out);
    assert.match(
      first.out,
      /connection settings saved: a tor of its own, with 1 bridge line of yours, through the proxy socks5:\/\/me:…@127\.0\.0\.1:9/,
    );
    assert.doesNotMatch(first.out, /s3cr/);
    const file = path.join(dir, 'connection.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = torrc();
    assert.match(text, new RegExp(`^ClientTransportPlugin obfs4 exec \\./${path.basename(obfs4!)}$`, 'm'));
    assert.ok(text.includes(`\nBridge ${BRIDGE}\n`));
    assert.match(text, /^Socks5ProxyPassword "s3cr t"$/m);

    // Kept for the next start without options; then forgotten with --no-….
    // (`new` again: each run is stopped while its tor connects, before the election is saved.)
    const second = await runUntil(['-d', dir, '--torrc-extra', isolated, '--difficulty', '1', 'new'], (out) =>
      /tor\s+started \(pid/.test(out),
    );
    assert.equal(second.code, 0);
    assert.match(second.out, /connection: a tor of its own, with 1 bridge line of yours/);
    const third = await runUntil(
      [
        '-d',
        dir,
        '--torrc-extra',
        isolated,
        '--no-bridges',
        '--no-upstream-proxy',
        '--difficulty',
        '1',
        'new',
      ],
      (out) => /tor\s+started \(pid/.test(out),
    );
    assert.equal(third.code, 0);
    assert.match(third.out, /connection settings saved: a tor of its own, connecting directly/);
    assert.doesNotMatch(torrc(), /UseBridges|Socks5Proxy/);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /s3cr/);
  });

  test('the existing form still runs: -n NAME -p PEER.onion -a SELF.onion -c socks5h://… new', async () => {
    const self = onion(2);
    const peer = onion(3);
    const run = await runUntil(
      ['-n', 'carol', '-p', peer, '-a', self, '-c', 'socks5h://localhost:9', '--difficulty', '1', 'new'],
      (out) => out.includes(`reachable as ${self}`),
    );
    assert.equal(run.code, 0, run.out);
    assert.equal(existsSync(path.join(tmp, 'carol', 'connection.json')), false, 'nothing saved');
  });
});
