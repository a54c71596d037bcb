// One vote per person over the command line, as three people would run it: the organizer opens a
// lobby with `new --ballots per-voter`, two friends `join` with the invitation link, everyone
// admitted is a voter whatever their hashpower (one of them does not mine at all), and each
// process's result and `status` agree (issue 13).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PeerClient } from '../net/client';
import { clusterRunner, hasResult } from './cluster-testing';

const run = clusterRunner('oe-cli-per-voter-');
const BIN = fileURLToPath(new URL('../../bin/onion-election.mjs', import.meta.url));

describe('per-voter election over the command line', () => {
  test('a lobby, invitation links, and one vote per person: the non-miner counts as much as the miners', async () => {
    const specs = [
      { name: 'olga', vote: 'yes' as const, peers: [] },
      { name: 'jay', vote: 'no' as const, peers: [] },
      { name: 'kim', vote: 'yes' as const, peers: [], extra: ['--no-mining'] },
    ];
    await run('lobby', specs, async (cluster) => {
      cluster.start('olga', 'new', [
        ...['--ballots', 'per-voter', '--start-with', '3', '--admit-all'],
        ...['--talliers', '2', '--key-blocks', '3', '--vote-blocks', '24', '--confirmations', '1'],
        ...['--difficulty', '2^21'],
      ]);
      const organizer = `127.0.0.1:${cluster.members.get('olga')!.port}`;
      const client = new PeerClient({ timeoutMs: 2000 });
      const deadline = Date.now() + 30_000;
      while (!(await client.lobby(organizer).catch(() => undefined))) {
        assert.ok(Date.now() < deadline, 'the lobby never came up');
        await new Promise((r) => setTimeout(r, 200));
      }
      const invitation = `onion-election://join/${organizer}`;
      cluster.start('jay', 'join', ['-p', invitation]);
      cluster.start('kim', 'join', ['-p', invitation]);
      const results = await cluster.waitFor(['olga', 'jay', 'kim'], hasResult, 120_000);
      for (const [name, r] of results) {
        assert.deepEqual(r.result, { yes: 2, no: 1, total: 3 }, name);
        assert.equal(r.ballots, 3, `${name}: turnout`);
      }
      await cluster.stopAll();
      const { stdout } = await promisify(execFile)(process.execPath, [
        BIN,
        '-d',
        cluster.members.get('kim')!.dir,
        'status',
      ]);
      assert.match(stdout, /ballots {3}one vote per person: 3 registered voters/);
      assert.match(stdout, /turnout {3}3 of 3 registered voters cast a ballot/);
      assert.match(stdout, /your ballot [0-9a-f]{16}… yes · counted in block \d+/);
    });
  });
});
