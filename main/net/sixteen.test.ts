// Sixteen runner processes, each given only the first runner's address (as people join through
// one friend's invitation), run a whole election over real HTTP on 127.0.0.1: one result, agreed
// by all, and no runner logs a failed sync or a refused block from an honest peer (issue 12).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { RunnerSpec } from '../cli/cluster';
import { clusterRunner, electionArgs, hasResult } from '../cli/cluster-testing';

const withCluster = clusterRunner('oe-sixteen-');

test('16 runners through one seed peer: one result, agreed by all, no failed request', async () => {
  const names = Array.from({ length: 16 }, (_, i) => `r${i}`);
  const specs: RunnerSpec[] = names.map((name, i) => ({
    name,
    vote: i % 3 === 0 ? 'no' : 'yes',
    peers: i === 0 ? [] : ['r0'],
  }));
  await withCluster('sixteen', specs, async (cluster) => {
    cluster.start(
      'r0',
      'new',
      electionArgs({
        title: 'Sixteen',
        talliers: 2,
        keyBlocks: 3,
        voteBlocks: 8,
        confirmations: 1,
        difficulty: '2^19',
      }),
    );
    await cluster.waitUp('r0');
    for (const n of names.slice(1)) cluster.start(n, 'join');
    const results = await cluster.waitFor(names, hasResult, 240_000);
    const first = results.get('r0')!;
    for (const [name, r] of results) {
      assert.equal(r.best, first.best, `${name} holds the same final block`);
      assert.deepEqual(r.result, first.result, `${name} has the same result`);
    }
    assert.equal(first.result!.total, 8);
    for (const name of names) {
      const log = readFileSync(cluster.member(name).log, 'utf8');
      assert.doesNotMatch(
        log,
        /sync with .*: |sent a block refused|sent a chain page/,
        `${name} logged a failure`,
      );
    }
  });
});
