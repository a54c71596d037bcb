import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptBallot } from '../crypto/ballot';
import { electionKey } from '../crypto/tallier';
import { context, group, talliers } from '../crypto/testing';
import { ballotChecker, nextWorker } from './pool';

const h = electionKey(group, context, talliers(1).keys);
const list = () => Array.from({ length: 3 }, (_, i) => encryptBallot(group, context, h, (i % 2) as 0 | 1));
const init = { group: { p: group.p, q: group.q, g: group.g }, context, electionKey: h };

describe('the ballot checker’s workers', () => {
  test('the next list goes to the least loaded worker, and to a busy one only when none is idle or starting', () => {
    // Regression: the first worker to start took two lists (its backlog holds two) while the
    // second, ready a moment later, got none: two workers, one worker's speed.
    assert.equal(nextWorker([0, undefined]), 0);
    assert.equal(
      nextWorker([1, undefined]),
      undefined,
      'the second worker is starting: the list waits for it',
    );
    assert.equal(nextWorker([1, 0]), 1);
    assert.equal(nextWorker([0, 0]), 0);
    assert.equal(nextWorker([1, 1]), 0, 'all busy: a second list each, for when the first is done');
    assert.equal(nextWorker([2, 1]), 1);
    assert.equal(nextWorker([2, 2]), undefined, 'every backlog full');
    assert.equal(nextWorker([undefined, undefined]), undefined);
    assert.equal(nextWorker([]), undefined);
  });

  test('started workers share the lists: each holds one before any holds two', async () => {
    // Which worker starts first, and whether the first finishes every list before the other is
    // up, depends on the machine's load (it did once in CI); the rule for a starting worker is
    // nextWorker's, tested above. Here both have started, so the dispatch is deterministic.
    const checker = ballotChecker(group, init, 2);
    try {
      await checker.finish();
      const failures = Array.from({ length: 5 }, () => checker.check(list()));
      await checker.finish();
      assert.deepEqual(await Promise.all(failures), [null, null, null, null, null]);
      const given = checker.listsPerWorker();
      assert.equal(
        given.reduce((a, b) => a + b, 0),
        5,
      );
      assert.ok(
        given.every((n) => n >= 1),
        `each worker had a list: ${given}`,
      );
    } finally {
      await checker.close();
    }
  });

  test('this thread alone checks the lists itself', async () => {
    const checker = ballotChecker(group, init, 0);
    const failure = checker.check(list());
    await checker.finish();
    assert.equal(await failure, null);
    assert.deepEqual(checker.listsPerWorker(), []);
  });
});
