// Connection settings: bridge lines and proxy URLs checked as untrusted input, the settings file's
// round trip (0600, no secret lost or leaked), the pluggable-transport program found as tor is, and
// the torrc lines a managed tor gets from them.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ValidationError } from '../crypto/errors';
import {
  BUILTIN_BRIDGES,
  builtinBridges,
  CONNECTION_FILE,
  checkConnectionSettings,
  DEFAULT_CONNECTION,
  describeConnection,
  findTransport,
  isPlainTransportWord,
  parseBridgeLine,
  parseBridgeLines,
  parseProxyUrl,
  readConnectionSettings,
  writeConnectionSettings,
} from './connection';
import { TorError } from './errors';
import { connectionTorrc, connectionTorrcLines } from './torrc';

const root = mkdtempSync(path.join(os.tmpdir(), 'oe-connection-'));
after(() => rmSync(root, { recursive: true, force: true }));

const CERT = 'qUVQ0srL1JI/vO6V6m/24anYXiJD3QP2HgzUKQtQ7GRqqUvs7P+tG43RtAqdhLOALP7DJQ';
const FP = 'CDF2E852BF539B82BD10E27E9115A31734E378C2';
const OBFS4 = `obfs4 127.0.0.1:4433 ${FP} cert=${CERT} iat-mode=0`;

/** A folder with executable stand-ins for programs (`name` → file). */
function programs(dir: string, names: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const name of names) {
    writeFileSync(path.join(dir, name), '#!/bin/sh\n');
    chmodSync(path.join(dir, name), 0o755);
  }
  return dir;
}

describe('bridge lines', () => {
  test('obfs4, snowflake and plain bridges are read, with or without "Bridge", normalised', () => {
    assert.deepEqual(parseBridgeLine(`Bridge  ${OBFS4.replace(FP, FP.toLowerCase())}`), {
      transport: 'obfs4',
      address: '127.0.0.1:4433',
      fingerprint: FP,
      line: OBFS4,
    });
    assert.equal(parseBridgeLine('192.0.2.7:9001').transport, 'vanilla');
    assert.equal(parseBridgeLine(`[2001:db8::1]:443 ${FP}`).line, `[2001:db8::1]:443 ${FP}`);
    for (const line of [...BUILTIN_BRIDGES.obfs4, ...BUILTIN_BRIDGES.snowflake])
      assert.equal(parseBridgeLine(line).line, line);
  });

  test('a bad line is refused saying what is wrong', () => {
    const refused = (line: string, reason: RegExp) => assert.throws(() => parseBridgeLine(line), reason);
    refused('', /empty/);
    refused('obfs4', /not an address/);
    refused(`obfs4 1.2.3.4 ${FP} cert=${CERT} iat-mode=0`, /not an address and port/);
    refused(`obfs4 1.2.3.256:443 ${FP} cert=${CERT} iat-mode=0`, /not an address/);
    refused(`obfs4 1.2.3.4:70000 ${FP} cert=${CERT} iat-mode=0`, /not an address/);
    refused(`obfs4 1.2.3.4:443 ${FP.slice(1)} cert=${CERT} iat-mode=0`, /not a fingerprint/);
    refused(`obfs4 1.2.3.4:443 cert=${CERT} iat-mode=0`, /needs its fingerprint/);
    refused(`obfs4 1.2.3.4:443 ${FP} iat-mode=0`, /needs its cert=/);
    refused(`obfs4 1.2.3.4:443 ${FP} cert=short iat-mode=0`, /not an obfs4 certificate/);
    refused(`obfs4 1.2.3.4:443 ${FP} cert=${CERT}`, /iat-mode=/);
    refused(`obfs4 1.2.3.4:443 ${FP} cert=${CERT} iat-mode=3`, /0, 1 or 2/);
    refused(`obfs4 1.2.3.4:443 ${FP} cert=${CERT} iat-mode=0 iat-mode=1`, /given twice/);
    refused(`obfs4 1.2.3.4:443 ${FP} cert=${CERT} iat-mode=0 junk`, /not a key=value/);
    refused(`meek_lite 192.0.2.20:80 url=https://example.com/`, /not supported here/);
    refused('obfs4 1.2.3.4:443\u0000', /control character/);
    refused('1.2.3.4:443 cert=x', /takes no key=value/);
  });

  test('a key=value with a character tor would read otherwise (\\ joins the next torrc line, # cuts) is refused', () => {
    const snowflake = BUILTIN_BRIDGES.snowflake[0]!;
    for (const bad of ['fronts=a\\', 'fronts=a\\b', 'fronts=a#b', 'fronts="a"', 'fronts=a`b', 'fronts=a<b>'])
      assert.throws(
        () => parseBridgeLine(`${snowflake.replace(/ fronts=\S+/, '')} ${bad}`),
        /fronts= value has a character a bridge line cannot carry/,
        bad,
      );
    // The reviewer's probe: a trailing backslash, pasted among other lines, is refused naming its line.
    assert.throws(
      () => parseBridgeLines(`${OBFS4}\nsnowflake 192.0.2.3:80 ${FP} url=https://x/ fronts=a\\\n`),
      (error: unknown) =>
        error instanceof ValidationError &&
        /^line 2 \("snowflake 192\.0\.2\.3:80 .*cannot carry/.test(error.reason),
    );
    // URL characters are kept as they are.
    const fine = `snowflake 192.0.2.3:80 ${FP} url=https://x.example/a?b=c&d=%20e;f fronts=a.org,b.net ice=stun:s.example:3478 utls-imitate=hello_randomized-alpn~`;
    assert.equal(parseBridgeLine(fine).line, fine);
  });

  test('pasted lines: blanks and comments skipped, duplicates dropped, a bad one named by its number', () => {
    const text = `# from bridges.torproject.org\n\n${OBFS4}\r\n${OBFS4}\n  192.0.2.7:9001  \n`;
    assert.deepEqual(
      parseBridgeLines(text).map((b) => b.line),
      [OBFS4, '192.0.2.7:9001'],
    );
    assert.throws(
      () => parseBridgeLines(`${OBFS4}\nobfs4 1.2.3.4:443 nothex`),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.field === 'customBridges' &&
        /^line 2 \("obfs4 1\.2\.3\.4:443 nothex"\): /.test(error.reason),
    );
  });
});

describe('proxy URLs', () => {
  test('SOCKS4, SOCKS5 and HTTPS, with %-decoded credentials and default ports', () => {
    assert.deepEqual(parseProxyUrl('socks4://10.0.0.1:1080'), {
      type: 'socks4',
      host: '10.0.0.1',
      port: 1080,
    });
    assert.deepEqual(parseProxyUrl('socks5://al%40ice:p%3As%20s@proxy.example:9999'), {
      type: 'socks5',
      host: 'proxy.example',
      port: 9999,
      username: 'al@ice',
      password: 'p:s s',
    });
    assert.deepEqual(parseProxyUrl('https://[::1]'), { type: 'https', host: '::1', port: 443 });
    assert.deepEqual(parseProxyUrl('http://u:pw@127.0.0.1:3128'), {
      type: 'https',
      host: '127.0.0.1',
      port: 3128,
      username: 'u',
      password: 'pw',
    });
  });

  test('bad proxies are refused, and no message repeats the password', () => {
    const refused = (url: string, reason: RegExp) =>
      assert.throws(
        () => parseProxyUrl(url),
        (error: unknown) =>
          error instanceof ValidationError && reason.test(error.message) && !error.message.includes('s3cret'),
      );
    refused('ftp://1.2.3.4:21', /socks4:\/\/, socks5:\/\/ or https:\/\//);
    refused('1.2.3.4:1080', /must start with/);
    refused('socks4://u:s3cret@1.2.3.4:1080', /SOCKS4 proxy takes no user name/);
    refused('socks5://u@1.2.3.4:1080', /password/);
    refused('socks5://:s3cret@1.2.3.4:1080', /user/);
    refused('socks5://1.2.3.4:0', /port/);
    refused('socks5://1.2.3.4:1080/path', /no path/);
    refused('socks5://bad_host!:1080', /host|proxy URL/);
    refused(`socks5://${'u'.repeat(256)}:s3cret@1.2.3.4:1080`, /255 bytes/);
  });
});

describe('the settings file', () => {
  test('round trip: written 0600, read back the same; no file is the defaults', async () => {
    const dir = mkdtempSync(path.join(root, 'file-'));
    assert.deepEqual(await readConnectionSettings(dir), DEFAULT_CONNECTION);
    const settings = checkConnectionSettings({
      tor: 'managed',
      bridges: 'custom',
      customBridges: [OBFS4, `Bridge ${OBFS4}`],
      proxy: { type: 'socks5', host: '127.0.0.1', port: 1080, username: 'me', password: 'pa ss"word' },
    });
    assert.deepEqual(settings.customBridges, [OBFS4], 'the same bridge once');
    await writeConnectionSettings(dir, settings);
    const file = path.join(dir, CONNECTION_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(await readConnectionSettings(dir), settings);
    // Readable by others (copied, restored): set back to 0600 on reading.
    chmodSync(file, 0o644);
    await readConnectionSettings(dir);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('a damaged or incomplete file is refused, naming the file and the field', async () => {
    const dir = mkdtempSync(path.join(root, 'bad-'));
    const file = path.join(dir, CONNECTION_FILE);
    const refused = async (text: string, reason: RegExp) => {
      writeFileSync(file, text);
      await assert.rejects(readConnectionSettings(dir), reason);
    };
    await refused('{', /connection\.json: is not JSON/);
    await refused(
      '{"tor":"managed","bridges":"custom","customBridges":[]}',
      /customBridges: paste at least one/,
    );
    await refused('{"tor":"attached"}', /controlPort: is needed/);
    await refused('{"tor":"external","external":{"socks":"http://x:1","self":"a.onion"}}', /socksUrl/);
    await refused('{"tor":"managed","extra":1}', /extra: is not a connection setting/);
    await refused(`{"customBridges":["obfs4 nowhere"]}`, /line 1/);
  });

  test("read with the project's strict JSON reader: a duplicate key is refused, not settled silently", async () => {
    const dir = mkdtempSync(path.join(root, 'strict-'));
    writeFileSync(path.join(dir, CONNECTION_FILE), '{"tor":"managed","bridges":"obfs4","bridges":"none"}');
    await assert.rejects(
      readConnectionSettings(dir),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.field === CONNECTION_FILE &&
        /^bridges is a duplicate key.*: save the connection settings again, or delete the file$/.test(
          error.reason,
        ),
    );
  });

  test('your own tor: a SOCKS address with a control character (ESC, \\u0001) is refused', () => {
    const self = `${'a'.repeat(56)}.onion`;
    for (const socks of [
      'socks5h://127.0.0.1\u001b[31m:9050',
      'socks5h://lo\u0001calhost:9050',
      'socks5h://a\u0085b:9050',
    ])
      assert.throws(
        () => checkConnectionSettings({ tor: 'external', external: { socks, self } }),
        (error: unknown) => error instanceof ValidationError && error.field === 'socksUrl',
        JSON.stringify(socks),
      );
    for (const socks of [
      'socks5h://127.0.0.1:9050',
      'socks5h://localhost:9150/',
      'socks5h://[::1]:9050',
      'socks5h://tor-host.lan:9050',
    ])
      assert.equal(
        checkConnectionSettings({ tor: 'external', external: { socks, self } }).external?.socks,
        socks,
      );
  });

  test('descriptions name the choice, never a password', () => {
    const text = describeConnection(
      checkConnectionSettings({
        bridges: 'snowflake',
        proxy: { type: 'https', host: 'proxy.lan', port: 3128, username: 'me', password: 's3cret' },
      }),
    );
    assert.match(text, /built-in snowflake bridges, through the proxy https:\/\/me:…@proxy\.lan:3128/);
    assert.doesNotMatch(text, /s3cret/);
  });
});

describe('pluggable-transport programs', () => {
  const empty = { env: { PATH: '' }, usualDirs: [] as string[], platform: 'linux' as const };

  test('configured, else bundled (as its pt_config.json names it), else installed', () => {
    const resources = mkdtempSync(path.join(root, 'resources-'));
    const pts = programs(path.join(resources, 'tor', 'pluggable_transports'), [
      'lyrebird',
      'snowflake-client',
    ]);
    const bin = programs(path.join(root, 'bin'), ['obfs4proxy', 'snowflake-client']);
    const configured = path.join(bin, 'obfs4proxy');
    assert.deepEqual(findTransport('obfs4', { ...empty, configured, resourcesDir: resources }), {
      path: configured,
      source: 'configured',
    });
    assert.deepEqual(findTransport('obfs4', { ...empty, resourcesDir: resources }), {
      path: path.join(pts, 'lyrebird'),
      source: 'bundled',
    });
    assert.equal(
      findTransport('snowflake', { ...empty, resourcesDir: resources }).path,
      path.join(pts, 'snowflake-client'),
    );
    // A recent bundle runs snowflake with lyrebird too, and says so in pt_config.json.
    writeFileSync(
      path.join(pts, 'pt_config.json'),
      JSON.stringify({
        pluggableTransports: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: pt_config.json's own placeholders
          lyrebird: 'ClientTransportPlugin meek_lite,obfs4 exec ${pt_path}lyrebird${pt_extension}',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: pt_config.json's own placeholders
          snowflake: 'ClientTransportPlugin snowflake exec ${pt_path}lyrebird${pt_extension}',
        },
        bridges: { obfs4: [OBFS4] },
      }),
    );
    assert.equal(
      findTransport('snowflake', { ...empty, resourcesDir: resources }).path,
      path.join(pts, 'lyrebird'),
    );
    assert.deepEqual(builtinBridges('obfs4', resources), [OBFS4], "the bundle's own bridge lines");
    assert.deepEqual(builtinBridges('snowflake', resources), BUILTIN_BRIDGES.snowflake);
    assert.deepEqual(findTransport('obfs4', { ...empty, env: { PATH: bin } }), {
      path: path.join(bin, 'obfs4proxy'),
      source: 'installed',
    });
  });

  test('none found: a TorError saying what to install', () => {
    assert.throws(
      () => findTransport('obfs4', empty),
      (error: unknown) =>
        error instanceof TorError &&
        error.kind === 'not-found' &&
        /apt install obfs4proxy/.test(error.message),
    );
    assert.throws(() => findTransport('snowflake', empty), /apt install snowflake-client/);
    assert.throws(
      () => findTransport('obfs4', { ...empty, configured: '/nonexistent/obfs4' }),
      /not an executable/,
    );
  });
});

describe('torrc lines', () => {
  const bin = programs(path.join(root, 'torrc-bin'), ['obfs4proxy', 'snowflake-client']);
  const find = { env: { PATH: bin }, usualDirs: [] as string[], platform: 'linux' as const };

  test('nothing to add for a direct connection', () => {
    assert.deepEqual(connectionTorrcLines(DEFAULT_CONNECTION, find), []);
  });

  test('bridges: UseBridges, one ClientTransportPlugin a transport, one Bridge line each', () => {
    const both = connectionTorrc(
      checkConnectionSettings({
        bridges: 'custom',
        customBridges: [OBFS4, '192.0.2.7:9001', BUILTIN_BRIDGES.snowflake[0]],
      }),
      find,
    );
    // tor runs in the programs' folder and names them from there (as the Tor Browser does).
    assert.equal(both.workingDir, bin);
    const lines = both.lines;
    assert.deepEqual(lines, [
      'UseBridges 1',
      'ClientTransportPlugin obfs4 exec ./obfs4proxy',
      'ClientTransportPlugin snowflake exec ./snowflake-client',
      `Bridge ${OBFS4}`,
      'Bridge 192.0.2.7:9001',
      `Bridge ${BUILTIN_BRIDGES.snowflake[0]}`,
    ]);
    const builtin = connectionTorrcLines(checkConnectionSettings({ bridges: 'obfs4' }), find);
    assert.equal(builtin.filter((l) => l.startsWith('Bridge obfs4 ')).length, BUILTIN_BRIDGES.obfs4.length);
  });

  test('proxies: SOCKS4, SOCKS5 with credentials (quoted when needed), HTTPS with its authenticator', () => {
    const lines = (url: string) =>
      connectionTorrcLines(checkConnectionSettings({ proxy: { ...parseProxyUrl(url) } }), find);
    assert.deepEqual(lines('socks4://10.0.0.1:1080'), ['Socks4Proxy 10.0.0.1:1080']);
    assert.deepEqual(lines('socks5://me:a%20b%22c@[::1]:1080'), [
      'Socks5Proxy [::1]:1080',
      'Socks5ProxyUsername me',
      'Socks5ProxyPassword "a b\\"c"',
    ]);
    assert.deepEqual(lines('https://me:pw@proxy.lan:3128'), [
      'HTTPSProxy proxy.lan:3128',
      'HTTPSProxyAuthenticator me:pw',
    ]);
  });

  test('a program in a folder whose name has a space: named from that folder, tor started there', () => {
    // tor splits ClientTransportPlugin on spaces and unquotes nothing there: a quoted full path
    // ("/opt/Onion Election/…", "C:\\Program Files\\…") would be run as `"/opt/Onion`.
    const spaced = programs(path.join(root, 'Onion Election', 'pluggable_transports'), ['lyrebird']);
    const other = programs(path.join(root, 'other bin'), ['snowflake-client']);
    const settings = checkConnectionSettings({
      bridges: 'custom',
      customBridges: [OBFS4, BUILTIN_BRIDGES.snowflake[0]],
      obfs4Path: path.join(spaced, 'lyrebird'),
    });
    const torrc = connectionTorrc(settings, { ...find, env: { PATH: bin } });
    assert.equal(torrc.workingDir, spaced);
    assert.deepEqual(torrc.lines.slice(0, 3), [
      'UseBridges 1',
      'ClientTransportPlugin obfs4 exec ./lyrebird',
      // Another folder, without a space: by its full path.
      `ClientTransportPlugin snowflake exec ${bin}/snowflake-client`,
    ]);
    // Another folder with a space, not in the first one: neither its full path nor a relative one
    // can be written; refused naming the program.
    assert.throws(
      () =>
        connectionTorrc(
          { ...settings, snowflakePath: path.join(other, 'snowflake-client') },
          { ...find, env: { PATH: bin } },
        ),
      (error: unknown) =>
        error instanceof TorError &&
        error.message.includes(
          `the snowflake program ${path.join(other, 'snowflake-client')} cannot be named`,
        ),
    );
    // A program whose own name tor would cut is refused when configured, naming the path.
    for (const name of ['lyre bird', 'lyre#bird', 'lyre"bird', 'lyre\\bird', 'lyre\tbird'])
      assert.throws(
        () => checkConnectionSettings({ bridges: 'obfs4', obfs4Path: path.join(spaced, name) }),
        (error: unknown) =>
          error instanceof ValidationError &&
          error.field === 'obfs4Path' &&
          (name.includes('\t')
            ? error.reason === 'must not contain control characters'
            : error.reason.startsWith(`${path.join(spaced, name)}: tor cannot run a program`)),
        name,
      );
    // Windows: a backslash is a folder separator there, unquoted as tor reads it.
    assert.equal(isPlainTransportWord('.\\lyrebird.exe', 'win32'), true);
    assert.equal(isPlainTransportWord('.\\lyrebird.exe', 'linux'), false);
    assert.equal(isPlainTransportWord('C:\\Program Files\\Onion Election\\lyrebird.exe', 'win32'), false);
  });

  test('a missing transport program fails the start with what to install', () => {
    assert.throws(
      () =>
        connectionTorrcLines(checkConnectionSettings({ bridges: 'snowflake' }), {
          env: { PATH: '' },
          usualDirs: [],
        }),
      /snowflake-client/,
    );
  });
});
