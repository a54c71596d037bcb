// The web dashboard's server in front of a real engine (direct transport, real data folder), over
// real HTTP on 127.0.0.1: the token, the Host and Origin checks, body rules, static files, and the
// event stream (a snapshot first, then every event in order, no gap, none twice).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DashboardState, SequencedEvent, Snapshot } from '../api/contract';
import { applySequenced } from '../api/reduce';
import { type DashboardServer, serveDashboard } from './dashboard-server';
import { Engine } from './engine';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-dash-'));
const rendererDir = path.join(tmp, 'renderer');
let engine: Engine;
let server: DashboardServer;

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A raw request: fetch() would not let a test set Host or omit Origin as it pleases. */
function request(
  method: string,
  route: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, method, path: route, headers, timeout: 10_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

const auth = () => ({ authorization: `Bearer ${server.token}` });
const json = { 'content-type': 'application/json' };
const call = (name: string, args: unknown[], extra: Record<string, string> = {}) =>
  request('POST', `/api/call/${name}`, { ...auth(), ...json, ...extra }, JSON.stringify({ args }));

/** Reads the event stream until `until` holds for the state built from it, or 60 s pass. */
async function follow(
  until: (state: DashboardState) => boolean,
): Promise<{ events: SequencedEvent[]; last: Snapshot }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 60_000);
  const response = await fetch(`http://127.0.0.1:${server.port}/api/events`, {
    headers: auth(),
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: SequencedEvent[] = [];
  let snapshot: Snapshot | undefined;
  let buffer = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const type = /^event: (\w+)$/m.exec(message)?.[1];
        const data = /^data: (.*)$/m.exec(message)?.[1];
        if (!type || data === undefined) continue; // a keepalive comment
        if (type === 'snapshot') {
          assert.equal(snapshot, undefined, 'one snapshot, first');
          snapshot = JSON.parse(data) as Snapshot;
          continue;
        }
        assert.ok(snapshot, 'the snapshot comes before any event');
        const event = JSON.parse(data) as SequencedEvent;
        events.push(event);
        const applied = applySequenced(snapshot, event);
        assert.equal(applied.status, 'applied', `event ${event.seq} after ${snapshot.seq}`);
        if (applied.status === 'applied') snapshot = applied.snapshot;
        if (until(snapshot.state)) return { events, last: snapshot };
      }
    }
    throw new Error('the stream ended');
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

describe('web dashboard server', { concurrency: false }, () => {
  before(async () => {
    mkdirSync(rendererDir);
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Onion Election</title>');
    writeFileSync(path.join(rendererDir, 'main.js'), 'console.log(1)');
    writeFileSync(path.join(tmp, 'secret.txt'), 'not for the browser');
    engine = await Engine.open({
      dataDir: path.join(tmp, 'runner'),
      version: '0.0.0-test',
      tor: { mode: 'off' },
      defaults: { threads: 1 },
    });
    server = await serveDashboard(engine, { rendererDir });
  });
  after(async () => {
    await server.close();
    await engine.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('prints a URL on 127.0.0.1 carrying a 256-bit token in its fragment', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
  });

  test('serves the renderer without a token, and nothing outside its folder', async () => {
    const index = await request('GET', '/');
    assert.equal(index.status, 200);
    assert.match(index.headers['content-type'] ?? '', /^text\/html/);
    assert.equal(index.headers['x-frame-options'], 'DENY');
    assert.equal((await request('GET', '/main.js')).status, 200);
    assert.equal((await request('GET', '/%E0%A4%A')).status, 400, 'a malformed %-escape');
    for (const route of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/nope.js']) {
      const reply = await request('GET', route);
      assert.equal(reply.status, 404, route);
      assert.doesNotMatch(reply.body, /not for the browser/);
    }
  });

  test('refuses API requests without the right token', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: server.token }]) {
      const reply = await request('POST', '/api/call/snapshot', { ...headers, ...json }, '{"args":[]}');
      assert.equal(reply.status, 401);
      assert.doesNotMatch(reply.body, /"seq"/);
    }
    assert.equal((await request('GET', '/api/events')).status, 401);
  });

  test('refuses a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    const rebound = await request(
      'POST',
      '/api/call/snapshot',
      { ...auth(), ...json, host: 'evil.example:80' },
      '{"args":[]}',
    );
    assert.equal(rebound.status, 421);
    assert.equal((await request('GET', '/', { host: `evil.example:${server.port}` })).status, 421);
    const crossSite = await call('snapshot', [], { origin: 'http://evil.example' });
    assert.equal(crossSite.status, 403);
    const sameSite = await call('snapshot', [], { origin: `http://127.0.0.1:${server.port}` });
    assert.equal(sameSite.status, 200);
    const localhost = await call('snapshot', [], { host: `localhost:${server.port}` });
    assert.equal(localhost.status, 200);
  });

  test('requests are JSON POSTs of {"args": [...]} to a known name', async () => {
    const form = await request(
      'POST',
      '/api/call/snapshot',
      { ...auth(), 'content-type': 'text/plain' },
      '{"args":[]}',
    );
    assert.equal(form.status, 415);
    assert.equal((await request('GET', '/api/call/snapshot', auth())).status, 405);
    assert.equal((await call('format', [])).status, 404);
    assert.equal(
      (await request('POST', '/api/call/snapshot', { ...auth(), ...json }, '{"args":')).status,
      400,
    );
    assert.equal(
      (await request('POST', '/api/call/snapshot', { ...auth(), ...json }, '{"args":[],"x":1}')).status,
      400,
    );
    // Strict like the peer API: a key given twice, or bytes that are not UTF-8, are refused.
    const twice = await request(
      'POST',
      '/api/call/snapshot',
      { ...auth(), ...json },
      '{"args":[],"args":[]}',
    );
    assert.equal(twice.status, 400);
    assert.match(twice.body, /duplicate key/);
    const notUtf8 = await request(
      'POST',
      '/api/call/addPeer',
      { ...auth(), ...json },
      Buffer.concat([Buffer.from('{"args":["'), Buffer.from([0xff]), Buffer.from('"]}')]),
    );
    assert.equal(notUtf8.status, 400);
    assert.match(notUtf8.body, /not valid UTF-8/);
    const big = JSON.stringify({ args: ['x'.repeat(70_000)] });
    assert.equal((await request('POST', '/api/call/addPeer', { ...auth(), ...json }, big)).status, 413);
  });

  test('a refused request names the form field and changes nothing', async () => {
    const before = (JSON.parse((await call('snapshot', [])).body) as { ok: Snapshot }).ok;
    assert.equal(before.state.stage, 'setup');
    const reply = await call('createElection', [
      {
        title: '',
        question: 'Q?',
        nTalliers: 1,
        nTalliersBlocks: 2,
        nVoteBlocks: 2,
        confirmations: 0,
        difficulty: 1,
        name: 'alice',
        vote: 'yes',
      },
    ]);
    assert.equal(reply.status, 400);
    assert.deepEqual(JSON.parse(reply.body), { error: 'title: must not be empty', field: 'title' });
    const threads = await call('setThreads', [1]);
    assert.equal(threads.status, 400);
    assert.match(JSON.parse(threads.body).error, /no election is running yet/);
    const after = (JSON.parse((await call('snapshot', [])).body) as { ok: Snapshot }).ok;
    assert.deepEqual(after, before);
    assert.equal(engine.hasElection(), false, 'nothing written');
  });

  test('cancel over HTTP: a look-up waiting on a silent runner ends at once, and nothing else is waiting', async () => {
    // A runner that takes the connection and never answers (the look-up's own limit is 30 s).
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const peer = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
      const lookup = call('previewJoin', [peer]);
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      const cancelled = await call('cancel', []);
      assert.equal(cancelled.status, 200);
      const reply = await lookup;
      assert.equal(reply.status, 400);
      assert.deepEqual(JSON.parse(reply.body), { error: 'look-up cancelled' });
      assert.ok(Date.now() - started < 2000, 'at once');
      const again = await call('cancel', []);
      assert.equal(again.status, 400);
      assert.match(JSON.parse(again.body).error, /nothing to cancel/);
      assert.equal(engine.snapshot().state.stage, 'setup');
    } finally {
      silent.close();
    }
  });

  test('the event stream: a snapshot, then every event in order, up to the verified result', async () => {
    const watching = follow((s) => s.result?.verification.status === 'verified');
    // Let the stream open (and take its snapshot) before the election starts.
    await new Promise((r) => setTimeout(r, 200));
    const reply = await call('createElection', [
      {
        title: 'Lunch',
        question: 'Pizza?',
        nTalliers: 1,
        nTalliersBlocks: 2,
        nVoteBlocks: 3,
        confirmations: 1,
        difficulty: 1,
        name: 'alice',
        vote: 'yes',
      },
    ]);
    assert.equal(reply.status, 200, reply.body);
    assert.deepEqual(JSON.parse(reply.body), { ok: null });
    // A lobby first: the organizer starts it (alone: one tallier seat).
    for (let i = 0; i < 100 && engine.snapshot().state.stage !== 'lobby'; i++)
      await new Promise((r) => setTimeout(r, 50));
    const started = await call('startElection', []);
    assert.equal(started.status, 200, started.body);
    const { events, last } = await watching;
    const kinds = new Set(events.map((e) => e.event.type));
    for (const kind of ['stage', 'lobby', 'blocks', 'chain', 'result'])
      assert.ok(kinds.has(kind as never), kind);
    // What a client built from the stream is what the engine holds.
    const engineNow = engine.snapshot();
    assert.ok(engineNow.seq >= last.seq);
    assert.equal(last.state.blocks.length, 6);
    assert.deepEqual(last.state.result?.result, { yes: 3, no: 0, total: 3 });
    assert.equal(last.state.election?.title, 'Lunch');
    assert.equal(last.state.self, `127.0.0.1:${engine.runner?.port}`);
  });
});
