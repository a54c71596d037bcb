// The control-protocol parser on reply texts recorded from tor 0.4.9 (and the spec's multi-line
// event form), fed whole and in awkward pieces.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseProtocolInfo } from './control';
import { parseArguments, quoteString, type Reply, ReplyParser, unquoteAt } from './control-protocol';
import { TorError } from './errors';

/** Recorded from tor 0.4.9.11: PROTOCOLINFO, AUTHENTICATE, GETINFO, an error, SETEVENTS, ADD_ONION, events. */
const RECORDED = [
  '250-PROTOCOLINFO 1\r\n',
  '250-AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE="/tmp/torx/d/control_auth_cookie"\r\n',
  '250-VERSION Tor="0.4.9.11"\r\n',
  '250 OK\r\n',
  '250 OK\r\n',
  '250-version=0.4.9.11\r\n',
  '250-status/bootstrap-phase=WARN BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY="Connecting to a relay" WARNING="Connection refused" REASON=CONNECTREFUSED COUNT=5 RECOMMENDATION=ignore HOSTID="BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" HOSTADDR="127.0.0.1:1"\r\n',
  '250-net/listeners/socks="127.0.0.1:43167"\r\n',
  '250+config-text=\r\n',
  'ControlPort 127.0.0.1:auto\r\n',
  'DataDirectory /tmp/torx/d\r\n',
  '..a line that began with a dot\r\n',
  '.\r\n',
  '250 OK\r\n',
  '552 Unrecognized key "nope"\r\n',
  '250-ServiceID=z7k42hxplhoicuwmatoj5nt5pdct3kks4n5ldybjru7glbpasdzgjyqd\r\n',
  '250-PrivateKey=ED25519-V3:oEkODPU4jdQbgpEsY08Yr5FRN2KZQWIELlcj5UqqpnAtFuy5hW6JKmSAqYIWVNQ7i8P/4WGvy2b1zRgC3ubX3Q==\r\n',
  '250 OK\r\n',
  '650 WARN TestingTorNetwork is set.\r\n',
  '650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"\r\n',
  // control-spec §4.1.18: a multi-line event, and one with data (§4.1.12 NS).
  '650-CONF_CHANGED\r\n',
  '650-SocksPort=127.0.0.1:9050\r\n',
  '650-ConnLimit\r\n',
  '650 OK\r\n',
  '650+NS\r\n',
  'r relay1 AAAA\r\n',
  's Fast Running\r\n',
  '.\r\n',
  '650 OK\r\n',
].join('');

function parseAll(chunks: readonly string[]): Reply[] {
  const parser = new ReplyParser();
  const replies = chunks.flatMap((c) => parser.push(Buffer.from(c, 'utf8')));
  assert.ok(parser.idle, 'nothing left over');
  return replies;
}

function checkRecorded(replies: Reply[]): void {
  assert.equal(replies.length, 9);
  const [protocolInfo, auth, getInfo, unknown, addOnion, warn, bootstrap, confChanged, ns] = replies;
  assert.deepEqual(parseProtocolInfo(protocolInfo!), {
    methods: ['COOKIE', 'SAFECOOKIE'],
    cookieFile: '/tmp/torx/d/control_auth_cookie',
    torVersion: '0.4.9.11',
  });
  assert.deepEqual(auth, { status: 250, lines: [{ status: 250, separator: ' ', text: 'OK' }] });
  assert.equal(getInfo!.lines.length, 5);
  assert.deepEqual(getInfo!.lines[3], {
    status: 250,
    separator: '+',
    text: 'config-text=',
    data: 'ControlPort 127.0.0.1:auto\nDataDirectory /tmp/torx/d\n.a line that began with a dot',
  });
  assert.equal(unknown!.status, 552);
  assert.equal(unknown!.lines[0]!.text, 'Unrecognized key "nope"');
  assert.equal(
    addOnion!.lines[0]!.text,
    'ServiceID=z7k42hxplhoicuwmatoj5nt5pdct3kks4n5ldybjru7glbpasdzgjyqd',
  );
  assert.equal(warn!.status, 650);
  assert.equal(
    bootstrap!.lines[0]!.text,
    'STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"',
  );
  assert.deepEqual(
    confChanged!.lines.map((l) => l.text),
    ['CONF_CHANGED', 'SocksPort=127.0.0.1:9050', 'ConnLimit', 'OK'],
  );
  assert.equal(ns!.lines[0]!.data, 'r relay1 AAAA\ns Fast Running');
}

describe('ReplyParser', () => {
  test('parses recorded replies given in one piece', () => {
    checkRecorded(parseAll([RECORDED]));
  });

  test('parses the same replies fed byte by byte and in odd-sized pieces', () => {
    checkRecorded(parseAll([...RECORDED]));
    const pieces: string[] = [];
    for (let i = 0; i < RECORDED.length; i += 7) pieces.push(RECORDED.slice(i, i + 7));
    checkRecorded(parseAll(pieces));
  });

  test('accepts bare LF line ends and a UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('250-path=/tmp/é\n250 OK\n', 'utf8');
    const at = bytes.indexOf(0xc3) + 1; // between the two bytes of é
    const parser = new ReplyParser();
    const replies = [...parser.push(bytes.subarray(0, at)), ...parser.push(bytes.subarray(at))];
    assert.equal(replies[0]!.lines[0]!.text, 'path=/tmp/é');
  });

  test('refuses what is not the control protocol', () => {
    for (const junk of ['HTTP/1.0 200 OK\r\n', '25 OK\r\n', '250_OK\r\n', 'hello\r\n']) {
      assert.throws(
        () => new ReplyParser().push(junk),
        (e: unknown) => e instanceof TorError && e.kind === 'protocol',
        junk,
      );
    }
  });

  test('refuses an endless line', () => {
    const parser = new ReplyParser();
    const chunk = 'x'.repeat(64 * 1024);
    assert.throws(() => {
      for (let i = 0; i < 20; i++) parser.push(chunk);
    }, /longer than/);
  });
});

describe('quoted strings', () => {
  test('round-trips backslashes, quotes, line breaks and non-ASCII through quote/unquote', () => {
    for (const s of [
      '',
      'plain',
      'a "quoted" word',
      'back\\slash',
      'line\r\nbreak\ttab',
      'pässwörd ✓',
      '\u0001',
    ]) {
      const quoted = quoteString(s);
      assert.match(quoted, /^"[\x20-\x7e]*"$/, 'only printable ASCII on the wire');
      assert.deepEqual(unquoteAt(quoted, 0), { value: s, end: quoted.length });
    }
  });

  test("reads tor's octal and hex escapes as UTF-8 bytes", () => {
    // How tor writes a COOKIEFILE path containing "é" (esc_for_log escapes each byte).
    assert.equal(unquoteAt('"/home/ren\\303\\251/c"', 0).value, '/home/rené/c');
    assert.equal(unquoteAt('"\\x41\\101\\q"', 0).value, 'AAq');
  });

  test('refuses an unclosed string', () => {
    assert.throws(() => unquoteAt('"abc', 0), /not closed/);
    assert.throws(() => unquoteAt('"abc\\', 0), /not closed/);
  });
});

describe('parseArguments', () => {
  test('reads a bootstrap status line', () => {
    const args = parseArguments(
      'WARN BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY="Connecting to a relay" WARNING="Connection refused" REASON=CONNECTREFUSED HOSTADDR="127.0.0.1:1"',
    );
    assert.deepEqual(args.positional, ['WARN', 'BOOTSTRAP']);
    assert.equal(args.named.get('PROGRESS'), '5');
    assert.equal(args.named.get('SUMMARY'), 'Connecting to a relay');
    assert.equal(args.named.get('HOSTADDR'), '127.0.0.1:1');
  });

  test('reads an HS_DESC event and a list of quoted strings', () => {
    const args = parseArguments(
      'UPLOADED z7k42hxplhoicuwmatoj5nt5pdct3kks4n5ldybjru7glbpasdzgjyqd UNKNOWN $AB12~relay1 HSDIR_INDEX=0F',
    );
    assert.deepEqual(args.positional, [
      'UPLOADED',
      'z7k42hxplhoicuwmatoj5nt5pdct3kks4n5ldybjru7glbpasdzgjyqd',
      'UNKNOWN',
      '$AB12~relay1',
    ]);
    assert.deepEqual(parseArguments('"127.0.0.1:9050" "unix:/run/a b"').positional, [
      '127.0.0.1:9050',
      'unix:/run/a b',
    ]);
  });
});
