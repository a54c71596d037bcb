// The small pieces around tor that need no tor: torrc writing, finding the program, the onion key
// file, reading bootstrap lines, SOCKS listeners and consensus documents.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseBootstrapStatus } from './bootstrap';
import { TorError } from './errors';
import { findTor } from './find-tor';
import { pickSocks } from './manager';
import { readOnionKey, writeOnionKey } from './onion-key';
import { consensusFlags } from './testnet';
import { checkTorrcLines, defaultTemplatePath, renderTemplate, torrcValue } from './torrc';

const dir = mkdtempSync(path.join(tmpdir(), 'tor-units-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const KEY = `ED25519-V3:${Buffer.alloc(64, 7).toString('base64')}`;

describe('torrc', () => {
  test('values: plain ones as they are, others quoted with escapes, control characters refused', () => {
    assert.equal(torrcValue('/home/ann/.onion-election/a/tor/data'), '/home/ann/.onion-election/a/tor/data');
    assert.equal(torrcValue('/home/ann/My Elections/tor'), '"/home/ann/My Elections/tor"');
    assert.equal(torrcValue('C:\\Users\\Ann "A"\\tor'), '"C:\\\\Users\\\\Ann \\"A\\"\\\\tor"');
    assert.throws(() => torrcValue('/tmp/a\nControlPort 9999'), /control character/);
  });

  test('templates: fields filled, ## notes dropped, a missing field is an error', () => {
    assert.equal(renderTemplate('## note {{x}}\n# kept\nA {{a}}\n', { a: '1' }), '# kept\nA 1\n');
    assert.throws(() => renderTemplate('A {{b}}', {}), /no value for \{\{b\}\}/);
  });

  test('the shipped template has every field the manager fills, and nothing else', () => {
    const template = readFileSync(defaultTemplatePath(), 'utf8');
    const values = {
      dataDirectory: 'D',
      socksPort: '127.0.0.1:auto',
      controlPortFile: 'F',
      cookieFile: 'C',
      ownerPid: '1',
      noticeLog: 'L',
    };
    const torrc = renderTemplate(template, values);
    for (const line of [
      'DataDirectory D',
      'SocksPort 127.0.0.1:auto OnionTrafficOnly',
      'ControlPort 127.0.0.1:auto',
      'ControlPortWriteToFile F',
      'CookieAuthentication 1',
      '__OwningControllerProcess 1',
      'Log L',
    ])
      assert.ok(torrc.split('\n').includes(line), line);
  });

  test('extra lines: one option each', () => {
    assert.deepEqual(checkTorrcLines(['  TestingTorNetwork 1 ', 'A\tb']), ['TestingTorNetwork 1', 'A\tb']);
    assert.throws(() => checkTorrcLines(['A 1\nControlPort 1']), /line 1 contains a line break/);
  });
});

describe('findTor', () => {
  const fake = (file: string) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, 0o755);
    return file;
  };
  const bin = path.join(dir, 'bin');
  const resources = path.join(dir, 'resources');
  const none = { env: { PATH: path.join(dir, 'empty') }, platform: 'linux' as const, usualDirs: [] };

  test('configured, then bundled, then installed', () => {
    const installed = fake(path.join(bin, 'tor'));
    const bundled = fake(path.join(resources, 'tor', 'tor'));
    const env = { PATH: `/nowhere:${bin}` };
    assert.deepEqual(findTor({ env, usualDirs: [] }), { path: installed, source: 'installed' });
    assert.deepEqual(findTor({ env, resourcesDir: resources }), { path: bundled, source: 'bundled' });
    assert.deepEqual(findTor({ env, resourcesDir: resources, torPath: installed }), {
      path: installed,
      source: 'configured',
    });
  });

  test('not found: says how to install it, and where it looked', () => {
    assert.throws(
      () => findTor({ ...none, resourcesDir: path.join(dir, 'no-resources') }),
      (e: unknown) =>
        e instanceof TorError &&
        e.kind === 'not-found' &&
        /^tor not found: install it \(Debian\/Ubuntu: apt install tor;/.test(e.message) &&
        e.message.includes('no-resources'),
    );
    const notExecutable = path.join(dir, 'not-executable');
    writeFileSync(notExecutable, '');
    assert.throws(
      () => findTor({ ...none, torPath: notExecutable }),
      /tor not found at .*not-executable \(torPath\): not an executable file/,
    );
  });
});

describe('onion key file', () => {
  test('written once with mode 0600, read back; never overwritten', async () => {
    const file = path.join(dir, 'onion-key');
    assert.equal(await readOnionKey(file), undefined);
    await writeOnionKey(file, KEY);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(await readOnionKey(file), KEY);
    await assert.rejects(writeOnionKey(file, KEY), /appeared while a new key was being saved/);
  });

  test('a readable-by-others key is made private again; a damaged one is refused plainly', async () => {
    const file = path.join(dir, 'onion-key-2');
    writeFileSync(file, `${KEY}\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    assert.equal(await readOnionKey(file), KEY);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    writeFileSync(file, 'ED25519-V3:short');
    await assert.rejects(readOnionKey(file), /is not an onion key .*move it away to get a new address/);
  });
});

describe('reading what tor says', () => {
  test('bootstrap lines, with and without a warning', () => {
    assert.deepEqual(parseBootstrapStatus('NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"'), {
      progress: 100,
      tag: 'done',
      summary: 'Done',
    });
    assert.deepEqual(
      parseBootstrapStatus(
        'WARN BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY="Connecting to a relay" WARNING="Connection refused" REASON=CONNECTREFUSED COUNT=5 RECOMMENDATION=ignore HOSTID="BBBB" HOSTADDR="127.0.0.1:1"',
      ),
      {
        progress: 5,
        tag: 'conn',
        summary: 'Connecting to a relay',
        warning:
          'the connection was refused (tor: Connection refused, CONNECTREFUSED), 5 times, at 127.0.0.1:1',
        problem: {
          reason: 'CONNECTREFUSED',
          words: 'the connection was refused',
          torWords: 'Connection refused',
          count: 5,
          recommendation: 'ignore',
          host: '127.0.0.1:1',
        },
      },
    );
    assert.equal(parseBootstrapStatus('NOTICE CIRCUIT_ESTABLISHED'), undefined);
    assert.equal(parseBootstrapStatus('NOTICE BOOTSTRAP PROGRESS=101 TAG=x'), undefined);
  });

  test('the SOCKS listener: the first TCP one; a wildcard address means loopback', () => {
    assert.deepEqual(pickSocks('"127.0.0.1:9050"'), { host: '127.0.0.1', port: 9050 });
    assert.deepEqual(pickSocks('"unix:/run/tor/socks" "0.0.0.0:9150"'), { host: '127.0.0.1', port: 9150 });
    assert.deepEqual(pickSocks('"[::]:9050"'), { host: '::1', port: 9050 });
    assert.throws(() => pickSocks(''), /tor has no SOCKS port/);
  });

  test("a consensus: each node's flags", () => {
    const consensus = [
      'network-status-version 3',
      'r auth1 AAAA BBBB 2026-01-01 00:00:00 127.0.0.1 5000 5001',
      's Authority Fast Guard HSDir Running V2Dir Valid',
      'r relay1 CCCC DDDD 2026-01-01 00:00:00 127.0.0.1 5002 0',
      's Fast Running Valid',
    ].join('\n');
    const flags = consensusFlags(consensus);
    assert.deepEqual([...flags.keys()], ['auth1', 'relay1']);
    assert.ok(flags.get('auth1')!.has('HSDir'));
    assert.deepEqual([...flags.get('relay1')!], ['Fast', 'Running', 'Valid']);
  });
});
