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
import { testGenesis } from '../chain/testing';
import { parseCommandLine, questionsOption, UsageError, voteFor } from './options';
import { genesisOf } from './run';

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
    // What `new` checks before it writes anything, in this process (a process each takes ~1 s)…
    for (const [args, reason] of refusals) {
      const { values } = parseCommandLine(['--direct', ...args, ...SMALL, 'new']);
      assert.throws(
        () => voteFor(genesisOf(values), values),
        (e: unknown) => e instanceof UsageError && reason.test(e.message),
        args.join(' '),
      );
    }
    // …and as a person meets it: exit status 2, the reason, and no folder written.
    const [args, reason] = refusals.at(-1)!;
    const run = cli('-d', dir, '--direct', ...args, ...SMALL, 'new');
    assert.equal(run.code, 2, run.err);
    assert.match(run.err, reason);
    assert.throws(() => readFileSync(path.join(dir, 'genesis.json')), /ENOENT/);
  });
});

describe('--vote and --choose, read against the questions', () => {
  const genesis = testGenesis({
    questions: [
      { text: 'Room?', options: ['10', '3', 'None', 'Annex'], min: 0, max: 2, blank: false },
      { text: 'Lunch?', options: ['soup', 'Soup!', 'Pasta'], min: 1, max: 1, blank: true },
    ],
  });
  const vote = (...lines: string[]) =>
    voteFor(genesis, parseCommandLine(lines.flatMap((l) => ['--vote', l])).values);

  test('labels (any case), numbers from 1, and none for a blank answer', () => {
    assert.deepEqual(vote('annex', 'pasta'), [[3], [2]]);
    assert.deepEqual(vote('4', '3'), [[3], [2]]);
    assert.deepEqual(vote('', 'none'), [[], []]);
  });

  test('what could mean two options is refused rather than guessed', () => {
    // "3" is option 2's label and option 3's number; "None" is an option of the first question.
    assert.throws(() => vote('3', 'soup'), /"3" is both the label of option 2 and the number of option 3/);
    assert.deepEqual(vote('10', 'soup'), [[0], [0]]); // no option 10: the label
    assert.deepEqual(vote('none', 'soup'), [[2], [0]]); // the option labelled None
    assert.deepEqual(vote('1', 'SOUP!'), [[0], [1]]);
  });

  test("'up to N or none' is 'up to N': a blank answer is allowed already", () => {
    const values = parseCommandLine([
      ...['--question', 'Q?', '--option', 'a', '--option', 'b', '--option', 'c'],
      ...['--choose', 'up to 2 or none'],
    ]).values;
    assert.deepEqual(questionsOption(values), [
      { question: 'Q?', options: ['a', 'b', 'c'], min: 0, max: 2, blank: false },
    ]);
  });
});
