// The control client against a scripted fake tor on 127.0.0.1: every way of authenticating, replies
// and events interleaved, timeouts, refusals and junk. The same client against a real tor is in
// tor.test.ts.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { type TorControl as Control, TorControl, type TorEvent } from './control';
import { TorError } from './errors';

const dir = mkdtempSync(path.join(tmpdir(), 'tor-control-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const cookie = randomBytes(32);
const cookieFile = path.join(dir, 'control_auth_cookie');
writeFileSync(cookieFile, cookie);

type Handler = (line: string, socket: net.Socket) => string | undefined;

interface FakeTor {
  readonly port: number;
  readonly received: string[];
  close(): Promise<void>;
}

/** A control port that answers each line with `handler` (undefined: no answer). */
async function fakeTor(methods: string, handler: Handler): Promise<FakeTor> {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    let serverNonce = Buffer.alloc(0);
    let clientNonce = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let i = buffer.indexOf('\r\n');
      while (i >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        received.push(line);
        let answer: string | undefined;
        if (line === 'PROTOCOLINFO 1') {
          answer = `250-PROTOCOLINFO 1\r\n250-AUTH METHODS=${methods} COOKIEFILE="${cookieFile}"\r\n250-VERSION Tor="0.4.9.11"\r\n250 OK\r\n`;
        } else if (line.startsWith('AUTHCHALLENGE SAFECOOKIE ')) {
          clientNonce = Buffer.from(line.split(' ')[2]!, 'hex');
          serverNonce = randomBytes(32);
          const message = Buffer.concat([cookie, clientNonce, serverNonce]);
          const hash = createHmac('sha256', 'Tor safe cookie authentication server-to-controller hash')
            .update(message)
            .digest('hex');
          answer = `250 AUTHCHALLENGE SERVERHASH=${hash} SERVERNONCE=${serverNonce.toString('hex')}\r\n`;
        } else if (line.startsWith('AUTHENTICATE') && methods.includes('SAFECOOKIE')) {
          const message = Buffer.concat([cookie, clientNonce, serverNonce]);
          const expected = createHmac('sha256', 'Tor safe cookie authentication controller-to-server hash')
            .update(message)
            .digest('hex');
          answer = line === `AUTHENTICATE ${expected}` ? '250 OK\r\n' : '515 Authentication failed\r\n';
        } else {
          answer = handler(line, socket);
        }
        if (answer !== undefined) socket.write(answer);
        i = buffer.indexOf('\r\n');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

const ok: Handler = (line) => (line.startsWith('AUTHENTICATE') ? '250 OK\r\n' : undefined);

async function withTor(
  methods: string,
  handler: Handler,
  body: (tor: FakeTor) => Promise<void>,
): Promise<void> {
  const tor = await fakeTor(methods, handler);
  try {
    await body(tor);
  } finally {
    await tor.close();
  }
}

function isTorError(kind: TorError['kind'], pattern?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof TorError, `a TorError, not ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  };
}

describe('TorControl: authentication', { timeout: 20_000 }, () => {
  test('cookie: sends the cookie file in hex', async () => {
    await withTor('COOKIE', ok, async (tor) => {
      const control = await TorControl.connect({ port: tor.port });
      assert.equal(control.torVersion, '0.4.9.11');
      assert.deepEqual(tor.received, ['PROTOCOLINFO 1', `AUTHENTICATE ${cookie.toString('hex')}`]);
      control.close();
    });
  });

  test('safecookie is preferred, and the cookie itself is never sent', async () => {
    await withTor('COOKIE,SAFECOOKIE', ok, async (tor) => {
      const control = await TorControl.connect({ port: tor.port });
      assert.equal(tor.received.length, 3);
      assert.match(tor.received[1]!, /^AUTHCHALLENGE SAFECOOKIE [0-9a-f]{64}$/);
      assert.ok(!tor.received.join('\n').includes(cookie.toString('hex')));
      control.close();
    });
  });

  test('safecookie: a port that does not know the cookie is refused before anything is sent', async () => {
    const other = path.join(dir, 'other-cookie');
    writeFileSync(other, randomBytes(32));
    await withTor('SAFECOOKIE', ok, async (tor) => {
      await assert.rejects(
        TorControl.connect({ port: tor.port, cookieFile: other }),
        isTorError('auth', /does not know the cookie/),
      );
      assert.equal(tor.received.filter((l) => l.startsWith('AUTHENTICATE')).length, 0);
    });
  });

  test('password: sent as an escaped quoted string', async () => {
    await withTor('HASHEDPASSWORD', ok, async (tor) => {
      const control = await TorControl.connect({ port: tor.port, password: 'p "w" \\ ö' });
      assert.equal(tor.received[1], 'AUTHENTICATE "p \\"w\\" \\\\ \\303\\266"');
      control.close();
    });
  });

  test('none: a bare AUTHENTICATE', async () => {
    await withTor('NULL', ok, async (tor) => {
      (await TorControl.connect({ port: tor.port })).close();
      assert.equal(tor.received[1], 'AUTHENTICATE');
    });
  });

  test('a refused password is an auth error that does not repeat the password', async () => {
    const refuse: Handler = (line, socket) => {
      if (!line.startsWith('AUTHENTICATE')) return undefined;
      socket.end('515 Authentication failed: Password did not match HashedControlPassword value\r\n');
      return undefined;
    };
    await withTor('HASHEDPASSWORD', refuse, async (tor) => {
      await assert.rejects(TorControl.connect({ port: tor.port, password: 'hunter2' }), (e: unknown) => {
        isTorError('auth', /refused the password: 515 Authentication failed/)(e);
        assert.ok(!(e as Error).message.includes('hunter2'));
        return true;
      });
    });
  });

  test('a password tor does not want, or none when it wants one, is said plainly', async () => {
    await withTor('COOKIE', ok, async (tor) => {
      await assert.rejects(
        TorControl.connect({ port: tor.port, password: 'x' }),
        isTorError('auth', /does not accept one \(it accepts COOKIE\)/),
      );
    });
    await withTor('HASHEDPASSWORD', ok, async (tor) => {
      await assert.rejects(TorControl.connect({ port: tor.port }), isTorError('auth', /give the password/));
    });
  });

  test('an unreadable cookie file is an auth error naming the file', async () => {
    await withTor('COOKIE', ok, async (tor) => {
      await assert.rejects(
        TorControl.connect({ port: tor.port, cookieFile: path.join(dir, 'missing') }),
        isTorError('auth', /cannot read tor's control cookie .*missing: ENOENT/),
      );
    });
  });
});

describe('TorControl: connecting', { timeout: 20_000 }, () => {
  test('a closed port is a connect error', async () => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    server.close();
    await once(server, 'close');
    await assert.rejects(TorControl.connect({ port }), isTorError('connect', /connection refused/));
  });

  test('something that is not tor is a protocol error', async () => {
    const server = net.createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as net.AddressInfo;
      await assert.rejects(TorControl.connect({ port }), isTorError('protocol', /not a control reply line/));
    } finally {
      server.close();
    }
  });

  test('a port that never answers times out', async () => {
    await withTor(
      'COOKIE',
      () => undefined,
      async (tor) => {
        const started = Date.now();
        await assert.rejects(
          TorControl.connect({ port: tor.port, timeoutMs: 300 }),
          isTorError('timeout', /did not answer AUTHENTICATE within 300 ms/),
        );
        assert.ok(Date.now() - started < 3000);
      },
    );
  });
});

describe('TorControl: commands and events', { timeout: 20_000 }, () => {
  const scripted: Handler = (line, socket) => {
    if (line.startsWith('AUTHENTICATE')) return '250 OK\r\n';
    if (line === 'GETINFO version net/listeners/socks config-text')
      // An event arrives between the command and its answer, as tor may do.
      return [
        '650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=10 TAG=conn_done SUMMARY="Connected to a relay"',
        '250-version=0.4.9.11',
        '250-net/listeners/socks="127.0.0.1:9050"',
        '250+config-text=',
        'SocksPort 9050',
        '.',
        '250 OK',
        '',
      ].join('\r\n');
    if (line === 'GETINFO nope') return '552 Unrecognized key "nope"\r\n';
    // Done after the client's 500 ms timeout: a service published late, or refused late.
    if (line === 'ADD_ONION NEW:ED25519-V3 Port=81,127.0.0.1:9')
      setTimeout(
        () =>
          socket.write(
            '250-ServiceID=lateaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n250-PrivateKey=ED25519-V3:c2VjcmV0\r\n250 OK\r\n',
          ),
        800,
      );
    if (line === 'ADD_ONION ED25519-V3:bGF0ZQ== Port=82,127.0.0.1:9')
      setTimeout(() => socket.write('550 Onion address collision\r\n'), 800);
    if (line.startsWith('ADD_ONION') && /Port=8[12],/.test(line)) return undefined;
    if (line.startsWith('ADD_ONION NEW:ED25519-V3'))
      return '250-ServiceID=z7k42hxplhoicuwmatoj5nt5pdct3kks4n5ldybjru7glbpasdzgjyqd\r\n250-PrivateKey=ED25519-V3:c2VjcmV0\r\n250 OK\r\n';
    if (line.startsWith('ADD_ONION ED25519-V3:'))
      return '250-ServiceID=z7k42hxplhoicuwmatoj5nt5pdct3kks4n5ldybjru7glbpasdzgjyqd\r\n250 OK\r\n';
    if (line === 'SETEVENTS STATUS_CLIENT HS_DESC CONF_CHANGED')
      return '250 OK\r\n650-CONF_CHANGED\r\n650-SocksPort=auto\r\n650 OK\r\n';
    if (line === 'SIGNAL BOGUS') return '552 Unrecognized signal code "BOGUS"\r\n';
    if (line === 'SIGNAL NEWNYM' || line === 'TAKEOWNERSHIP' || line.startsWith('DEL_ONION'))
      return '250 OK\r\n';
    if (line === 'GETINFO twice') return '250 OK\r\n250 OK\r\n';
    // Answered after the client's 500 ms timeout, and the next command after it, in order.
    if (line === 'GETINFO late') setTimeout(() => socket.write('250-late=1\r\n250 OK\r\n'), 800);
    if (line === 'GETINFO after') setTimeout(() => socket.write('250-after=2\r\n250 OK\r\n'), 900);
    return undefined;
  };

  async function connected(body: (control: Control, tor: FakeTor) => Promise<void>): Promise<void> {
    await withTor('COOKIE', scripted, async (tor) => {
      const control = await TorControl.connect({ port: tor.port, timeoutMs: 500 });
      try {
        await body(control, tor);
      } finally {
        control.close();
      }
    });
  }

  test('GETINFO reads single-line and data values; an event in between goes to listeners', async () => {
    await connected(async (control) => {
      const events: TorEvent[] = [];
      control.on('event', (e) => events.push(e));
      const info = await control.getInfo(['version', 'net/listeners/socks', 'config-text']);
      assert.deepEqual(
        [...info],
        [
          ['version', '0.4.9.11'],
          ['net/listeners/socks', '"127.0.0.1:9050"'],
          ['config-text', 'SocksPort 9050'],
        ],
      );
      assert.equal(events.length, 1);
      assert.equal(events[0]!.type, 'STATUS_CLIENT');
      assert.equal(
        events[0]!.text,
        'NOTICE BOOTSTRAP PROGRESS=10 TAG=conn_done SUMMARY="Connected to a relay"',
      );
    });
  });

  test('an error status rejects with the status; the connection stays usable', async () => {
    await connected(async (control) => {
      await assert.rejects(control.getInfo(['nope']), (e: unknown) => {
        isTorError('reply', /GETINFO failed: 552 Unrecognized key "nope"/)(e);
        assert.equal((e as TorError).status, 552);
        return true;
      });
      await assert.rejects(control.signal('BOGUS'), isTorError('reply', /552 Unrecognized signal/));
      await control.signal('NEWNYM');
      await control.takeOwnership();
    });
  });

  test('ADD_ONION: new key returned, given key reused; flags and ports on the line', async () => {
    await connected(async (control, tor) => {
      const created = await control.addOnion({ ports: [{ virtual: 80, target: '127.0.0.1:8080' }] });
      assert.deepEqual(created, {
        serviceId: 'z7k42hxplhoicuwmatoj5nt5pdct3kks4n5ldybjru7glbpasdzgjyqd',
        privateKey: 'ED25519-V3:c2VjcmV0',
      });
      const reused = await control.addOnion({
        keyBlob: 'ED25519-V3:c2VjcmV0',
        ports: [{ virtual: 80, target: '127.0.0.1:8080' }],
        flags: ['Detach'],
      });
      assert.deepEqual(reused, { serviceId: created.serviceId });
      assert.equal(tor.received.at(-1), 'ADD_ONION ED25519-V3:c2VjcmV0 Flags=Detach Port=80,127.0.0.1:8080');
      await control.delOnion(created.serviceId);
    });
  });

  test('arguments that could smuggle a second command are refused before sending', async () => {
    await connected(async (control, tor) => {
      const before = tor.received.length;
      await assert.rejects(control.signal('NEWNYM\r\nSIGNAL SHUTDOWN'), isTorError('protocol'));
      await assert.rejects(
        control.addOnion({ ports: [{ virtual: 80, target: '127.0.0.1:1 Flags=Detach' }] }),
        isTorError('protocol'),
      );
      await assert.rejects(control.addOnion({ keyBlob: 'RSA1024:abc', ports: [] }), isTorError('protocol'));
      await assert.rejects(control.getInfo(['a b']), isTorError('protocol'));
      await assert.rejects(control.request('GETINFO x\nSIGNAL HALT'), isTorError('protocol'));
      assert.equal(tor.received.length, before);
    });
  });

  test('a multi-line event arriving with a reply is delivered whole', async () => {
    await connected(async (control) => {
      const event = once(control, 'event') as Promise<[TorEvent]>;
      await control.setEvents(['STATUS_CLIENT', 'HS_DESC', 'CONF_CHANGED']);
      const [e] = await event;
      assert.equal(e.type, 'CONF_CHANGED');
      assert.deepEqual(
        e.reply.lines.map((l) => l.text),
        ['CONF_CHANGED', 'SocksPort=auto', 'OK'],
      );
    });
  });

  test('a command answered late times out for its caller; the connection stays up and the late answer goes to nobody', async () => {
    await connected(async (control) => {
      const late = control.request('GETINFO late');
      await assert.rejects(late, isTorError('timeout', /did not answer GETINFO within 500 ms/));
      assert.ok(!control.closed, 'a slow tor (a laptop asleep) is not a gone tor');
      assert.ok(control.unansweredSince !== undefined, 'still waiting for its answer');
      // Answered in order after the late one (as tor does): the late answer must not be taken for it.
      const reply = await control.request('GETINFO after', 3000);
      assert.deepEqual(
        reply.lines.map((l) => l.text),
        ['after=2', 'OK'],
      );
      assert.equal(control.unansweredSince, undefined);
      await control.signal('NEWNYM');
    });
  });

  test('an ADD_ONION that timed out and then succeeded is taken down again; one refused late is left alone', async () => {
    await connected(async (control, tor) => {
      const settled = async () => {
        const deadline = Date.now() + 3000;
        while (control.unansweredSince !== undefined) {
          assert.ok(Date.now() < deadline, `answered: ${tor.received.slice(-3).join(' | ')}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await assert.rejects(
        control.addOnion({ ports: [{ virtual: 81, target: '127.0.0.1:9' }] }),
        isTorError('timeout', /did not answer ADD_ONION within 500 ms/),
      );
      await settled();
      await assert.rejects(
        control.addOnion({ keyBlob: 'ED25519-V3:bGF0ZQ==', ports: [{ virtual: 82, target: '127.0.0.1:9' }] }),
        isTorError('timeout'),
      );
      await settled();
      await control.signal('NEWNYM'); // the connection is still in step
      assert.deepEqual(
        tor.received
          .filter((l) => /^(ADD|DEL)_ONION|^SIGNAL/.test(l))
          .map((l) => l.split(' ').slice(0, 2).join(' ')),
        [
          'ADD_ONION NEW:ED25519-V3',
          'DEL_ONION lateaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
          'ADD_ONION ED25519-V3:bGF0ZQ==',
          'SIGNAL NEWNYM',
        ],
      );
      assert.ok(!control.closed);
    });
  });

  test('an answer nobody asked for is a protocol error', async () => {
    await connected(async (control) => {
      const closed = once(control, 'close');
      await control.request('GETINFO twice');
      const [reason] = await closed;
      assert.match((reason as TorError).message, /unexpected reply: 250 OK/);
    });
  });

  test('tor going away fails pending commands as closed; close() is quiet', async () => {
    await connected(async (control, tor) => {
      const pending = control.request('GETINFO silence', 5000);
      await tor.close();
      await assert.rejects(pending, isTorError('closed'));
    });
    await connected(async (control) => {
      const closed = once(control, 'close');
      control.close();
      assert.deepEqual(await closed, [undefined]);
    });
  });
});
