// Questions with choices over the command line, as a person would type them: `new` with
// --question/--option/--choose and one --vote per question runs a whole election (a real process,
// no Tor), prints each question's result with its winners, and its record verifies; what does not
// fit is refused before anything is written.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/onion-election.mjs', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-questions-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

const QUESTIONS = [
  ...['--question', 'Who should sit on the board?'],
  ...['--option', 'Ada', '--option', 'Brian', '--option', 'Chen', '--option', 'Dana', '--option', 'Emeka'],
  ...['--choose', 'up to 2'],
  ...['--question', 'Which date?', '--option', '3 May', '--option', '10 May', '--option', '17 May'],
  ...['--choose', '1 or none'],
];
const SMALL = ['--talliers', '1', '--key-blocks', '2', '--vote-blocks', '3', '--confirmations', '1'];

describe('questions with choices on the command line', () => {
  test('new: the questions are shown, the votes name options, the result names the winners, the record verifies', async () => {
    const dir = path.join(tmp, 'club');
    const child = spawn(
      process.execPath,
      [bin, '-d', dir, '-n', 'alice', '--direct', '--title', 'Club', ...QUESTIONS, ...SMALL].concat([
        '--difficulty',
        '2^10',
        '--vote',
        'ada, 3',
        '--vote',
        '10 may',
        'new',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      const deadline = Date.now() + 90_000;
      while (!/every proof checked/.test(out)) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `no result: ${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      child.kill('SIGINT');
      await once(child, 'exit');
    }
    assert.match(out, /question 1 {2}Who should sit on the board\? \(choose 0 to 2\)/);
    assert.match(out, /question 2 {2}Which date\? \(choose none, or exactly 1\)/);
    assert.match(out, / {14}5\. Emeka/);
    // Three ballots, each for Ada and Chen, and 10 May.
    assert.match(out, /✓ {3}3 {2}Ada/);
    assert.match(out, / {4}0 {2}Brian/);
    assert.match(out, /✓ {3}3 {2}Chen/);
    assert.match(out, /→ Ada and Chen/);
    assert.match(out, /✓ {3}3 {2}10 May/);

    const status = cli('-d', dir, 'status');
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /result {4}Ada and Chen · 10 May · total 3/);
    const file = path.join(tmp, 'club.json');
    assert.equal(cli('-d', dir, 'export', '-o', file).code, 0);
    const record = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(record.result, {
      total: 3,
      counts: [
        [3, 0, 3, 0, 0],
        [0, 3, 0],
      ],
    });
    assert.equal(record.genesis.questions[1].blank, true);
    const verified = cli('verify', file);
    assert.equal(verified.code, 0, verified.out + verified.err);
    assert.match(verified.out, /^VERIFIED/);
    assert.match(verified.out, /result: {3}Ada and Chen · 10 May \(3 ballots\)/);
  });

  test('refused before anything is written, each with its reason', () => {
    const dir = path.join(tmp, 'never');
    const refusals: [string[], RegExp][] = [
      [
        ['--option', 'Ada', '--question', 'Board?', '--option', 'Brian'],
        /--option "Ada" comes before any --question/,
      ],
      [['--question', 'Board?', '--question', 'Date?'], /several --question need their --option/],
      [
        ['--question', 'Board?', '--option', 'Ada', '--question', 'Date?'],
        /--question "Date\?" has no --option/,
      ],
      [
        ['--question', 'Board?', '--option', 'Ada', '--option', 'Brian', '--choose', 'most'],
        /--choose takes N/,
      ],
      [
        ['--question', 'Board?', '--option', 'Ada', '--option', 'Brian', '--choose', '3'],
        /max: must not exceed the number of options/,
      ],
      [['--question', 'Board?', '--option', 'Ada', '--option', 'Ada'], /options\[1\]: is listed twice/],
      [[...QUESTIONS, '--vote', 'Ada'], /asks 2 questions: give one --vote for each, in order \(1 given\)/],
      [
        [...QUESTIONS, '--vote', 'Ada,Zoe', '--vote', '1'],
        /"Zoe" is not an option of "Who should sit on the board\?" \(1 Ada, 2 Brian/,
      ],
      [
        [...QUESTIONS, '--vote', 'Ada,Brian,Chen', '--vote', '1'],
        /--vote for "Who should sit on the board\?": chooses 3; the question allows 0 to 2/,
      ],
      [[...QUESTIONS, '--vote', 'yes', '--vote', '1'], /"yes" is not an option/],
    ];
    for (const [args, reason] of refusals) {
      const run = cli('-d', dir, '--direct', ...args, ...SMALL, 'new');
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.err}`);
      assert.match(run.err, reason);
    }
    assert.throws(() => readFileSync(path.join(dir, 'genesis.json')), /ENOENT/);
  });
});
