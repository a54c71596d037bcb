import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BLOCK_TRAVEL_SECONDS,
  difficultyText,
  electionSeconds,
  MAX_DIFFICULTY,
  networkHashrate,
  parseDifficulty,
} from './estimate';
import { aboutDuration, formatWork } from './format';

describe('parseDifficulty', () => {
  test('takes whole numbers, with digit groups, and powers of two', () => {
    assert.deepEqual(parseDifficulty('65536'), { value: 65536 });
    assert.deepEqual(parseDifficulty(' 65,536 '), { value: 65536 });
    assert.deepEqual(parseDifficulty('65 536'), { value: 65536 });
    assert.deepEqual(parseDifficulty('1_000'), { value: 1000 });
    assert.deepEqual(parseDifficulty('2^16'), { value: 2 ** 16 });
    assert.deepEqual(parseDifficulty('2 ** 20'), { value: 2 ** 20 });
    assert.deepEqual(parseDifficulty('2^0'), { value: 1 });
    assert.deepEqual(parseDifficulty('1'), { value: 1 });
    assert.deepEqual(parseDifficulty('2^34'), { value: MAX_DIFFICULTY });
  });

  test('says what it takes, and the range, when it refuses', () => {
    const problem = (text: string) => {
      const parsed = parseDifficulty(text);
      assert.ok('problem' in parsed, text);
      return parsed.problem;
    };
    assert.equal(problem('2^99'), '2^99 is more work than allowed: at most 2^34 (17,179,869,184).');
    assert.equal(problem(String(2 ** 35)), 'More work than allowed: at most 2^34 (17,179,869,184).');
    for (const text of ['lots', '1.5', '-4', '2^', '3^4', '1e6', '65,,536'])
      assert.equal(
        problem(text),
        'Not a number: type a whole number from 1 to 2^34 (17,179,869,184), like 65536 or 2^16.',
        text,
      );
    assert.match(problem('0'), /^At least 1: type a whole number from 1 to 2\^34/);
    assert.match(problem('  '), /^Required: a whole number/);
  });

  test('what the form shows reads back as the same number', () => {
    for (const value of [1, 2, 3, 1000, 2 ** 16, 2 ** 26, 3 * 2 ** 20, MAX_DIFFICULTY])
      assert.deepEqual(parseDifficulty(difficultyText(value)), { value });
    assert.equal(difficultyText(2 ** 26), '2^26');
    assert.equal(difficultyText(1), '1');
    assert.equal(difficultyText(1000), '1000');
  });
});

describe('electionSeconds', () => {
  test('each block: its work at everyone’s rate, then its travel over Tor', () => {
    // 28 blocks of 2^26 hashes at 9 MH/s: 7.46 s of work and 2 s of travel each.
    const seconds = electionSeconds(28, 2 ** 26, 9e6);
    assert.ok(Math.abs(seconds - 28 * (2 ** 26 / 9e6 + BLOCK_TRAVEL_SECONDS)) < 1e-9);
    assert.equal(aboutDuration(seconds), 'about 4 minutes');
    // One try per block: the travel is all that is left.
    assert.equal(electionSeconds(28, 1, 3e6), 28 * (1 / 3e6 + BLOCK_TRAVEL_SECONDS));
    // Twice the rate does not halve the time: the travel stays.
    assert.ok(electionSeconds(10, 2 ** 20, 2e6) > electionSeconds(10, 2 ** 20, 1e6) / 2);
  });

  test('is not a number without a rate or blocks to go on', () => {
    assert.ok(Number.isNaN(electionSeconds(28, 2 ** 26, 0)));
    assert.ok(Number.isNaN(electionSeconds(0, 2 ** 26, 1e6)));
    assert.equal(aboutDuration(electionSeconds(28, 2 ** 26, 0)), 'an unknown time');
  });
});

test('networkHashrate: the work of a block over the time between blocks', () => {
  assert.equal(networkHashrate(2 ** 16, 32), 2048);
  assert.equal(networkHashrate(2 ** 16, undefined), undefined);
  assert.equal(networkHashrate(2 ** 16, 0), undefined);
  assert.equal(networkHashrate(0, 30), undefined);
});

test('aboutDuration: plain words, singular and plural', () => {
  assert.equal(aboutDuration(0.2), 'less than a second');
  assert.equal(aboutDuration(1), 'about 1 second');
  assert.equal(aboutDuration(45), 'about 45 seconds');
  assert.equal(aboutDuration(60 * 60), 'about 60 minutes');
  assert.equal(aboutDuration(100 * 60), 'about 1 hour 40 minutes');
  assert.equal(aboutDuration(5 * 3600 + 600), 'about 5 hours');
  assert.equal(aboutDuration(3 * 86400), 'about 3 days');
});

test('formatWork: one try reads as 1, a power of two as 2^N', () => {
  assert.equal(formatWork(1), '1');
  assert.equal(formatWork(2 ** 26), '2^26 ≈ 67.1M');
});
