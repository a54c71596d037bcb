// Questions with choices in a per-voter election over the command line (issue 16): the organizer's
// `new --ballots per-voter` opens a lobby that carries the questions to the genesis it starts, two
// friends `join` with the invitation link and answer with --vote lines naming options (labels or
// numbers), one without mining; every runner prints the same result per question, and the exported
// record verifies with the counts cast.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PeerClient } from '../net/client';
import { clusterRunner, hasResult } from './cluster-testing';

const run = clusterRunner('oe-cli-questions-lobby-');
const BIN = fileURLToPath(new URL('../../bin/onion-election.mjs', import.meta.url));
const cli = (...args: string[]) => promisify(execFile)(process.execPath, [BIN, ...args]);

const QUESTIONS = [
  ...['--question', 'Board?', '--option', 'Ada', '--option', 'Brian', '--option', 'Chen'],
  ...['--option', 'Dana', '--option', 'Emeka', '--choose', 'up to 2'],
  ...['--question', 'Date?', '--option', '3 May', '--option', '10 May', '--option', '17 May'],
];
const vote = (board: string, date: string) => ['--vote', board, '--vote', date];

/** The result as a runner printed it: each question's lines, up to its outcome. */
function printedResult(log: string): string | undefined {
  return /\n( {2}RESULT[\s\S]*→ 3 May)\n/.exec(log)?.[1];
}

describe('questions with choices in a lobby, over the command line', () => {
  test('the lobby carries the questions to the genesis; votes by label and number; same result everywhere, verified', async () => {
    const specs = [
      { name: 'olga', peers: [], extra: vote('Ada,Chen', '3 May') },
      { name: 'jay', peers: [], extra: vote('ada', '2') },
      { name: 'kim', peers: [], extra: ['--no-mining', ...vote('Brian, chen', '1')] },
    ];
    await run('lobby', specs, async (cluster) => {
      // Both questions make 8 options: one cast ballot a block, so 3 voters need 3 voting blocks.
      cluster.start('olga', 'new', [
        ...['--ballots', 'per-voter', '--start-with', '3', '--admit-all', '--title', 'Club'],
        ...QUESTIONS,
        ...['--talliers', '2', '--key-blocks', '3', '--vote-blocks', '16', '--confirmations', '1'],
        ...['--difficulty', '2^21'],
      ]);
      const organizer = `127.0.0.1:${cluster.members.get('olga')!.port}`;
      const client = new PeerClient({ timeoutMs: 2000 });
      const deadline = Date.now() + 30_000;
      let info = await client.lobby(organizer).catch(() => undefined);
      while (!info) {
        assert.ok(Date.now() < deadline, 'the lobby never came up');
        await new Promise((r) => setTimeout(r, 200));
        info = await client.lobby(organizer).catch(() => undefined);
      }
      // Joiners see what they will be asked before they ask to join.
      assert.deepEqual(
        info.questions?.map((q) => [q.question, q.options.length, q.min, q.max, q.blank]),
        [
          ['Board?', 5, 0, 2, false],
          ['Date?', 3, 1, 1, false],
        ],
      );
      const invitation = `onion-election://join/${organizer}`;
      cluster.start('jay', 'join', ['-p', invitation]);
      cluster.start('kim', 'join', ['-p', invitation]);

      const names = ['olga', 'jay', 'kim'];
      const results = await cluster.waitFor(names, hasResult, 180_000);
      const counts = [
        [2, 1, 2, 0, 0],
        [2, 1, 0],
      ];
      for (const [name, r] of results) {
        assert.deepEqual(r.result, { total: 3, counts }, name);
        assert.equal(r.ballots, 3, `${name}: turnout`);
      }
      // Each runner prints the result once it has it: the same lines everywhere.
      const logs = () => names.map((n) => readFileSync(cluster.members.get(n)!.log, 'utf8'));
      const printDeadline = Date.now() + 20_000;
      while (!logs().every((log) => printedResult(log))) {
        assert.ok(Date.now() < printDeadline, 'a runner did not print the result');
        await new Promise((r) => setTimeout(r, 200));
      }
      // A joiner's terminal follows its request to the start.
      for (const log of logs().slice(1)) {
        assert.match(log, /lobby {5}asking olga to take part/);
        assert.match(log, /lobby {5}olga started the election: joining it…/);
      }
      const printed = logs().map((log) => printedResult(log)!);
      for (const [i, p] of printed.entries())
        assert.equal(p, printed[0], `${names[i]} printed another result`);
      const shown = printed[0]!;
      assert.match(shown, /RESULT {2}Board\?/);
      assert.match(shown, /✓ {3}2 {2}Ada/);
      assert.match(shown, / {4}1 {2}Brian/);
      assert.match(shown, /✓ {3}2 {2}Chen/);
      assert.match(shown, / {4}0 {2}Emeka/);
      assert.match(shown, /→ Ada and Chen/);
      assert.match(shown, /Date\?/);
      assert.match(shown, /✓ {3}2 {2}3 May/);
      assert.match(shown, / {4}1 {2}10 May/);

      await cluster.stopAll();
      const file = path.join(cluster.root, 'kim-record.json');
      await cli('-d', cluster.members.get('kim')!.dir, 'export', '-o', file);
      const record = JSON.parse(readFileSync(file, 'utf8'));
      assert.deepEqual(record.result, { total: 3, counts });
      assert.deepEqual(
        record.genesis.questions.map((q: { question: string }) => q.question),
        ['Board?', 'Date?'],
      );
      assert.equal(record.genesis.roster.length, 3);
      const verified = await cli('verify', file);
      assert.match(verified.stdout, /^VERIFIED/);
      assert.match(verified.stdout, /result: {3}Ada and Chen · 3 May \(3 ballots\)/);
    });
  });
});
