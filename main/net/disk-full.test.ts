// A runner whose data folder sits on a small tmpfs that fills up while it mines: it must stay up,
// say so, store and serve nothing it could not write, refuse peers' blocks with a 503, and resume
// by itself once space is freed. Mounting needs root (CI runs as root); elsewhere it is skipped.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { LocalCluster } from '../cli/cluster';
import { electionArgs } from '../cli/cluster-testing';
import { ElectionNode } from '../node/election-node';
import { decodeRecords } from '../store/record-log';

const root = mkdtempSync(path.join(os.tmpdir(), 'oe-disk-full-'));
const dataDir = path.join(root, 'a');
mkdirSync(dataDir, { mode: 0o700 });

/** Mounts a 2 MiB tmpfs on the runner's data folder; false where this user may not mount. */
function mountTmpfs(): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', dataDir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const mounted = mountTmpfs();
after(() => {
  if (mounted) execFileSync('umount', ['-l', dataDir], { stdio: 'ignore' });
  rmSync(root, { recursive: true, force: true });
});

/** Fills the file system holding `dir` with one file; returns its path. */
function fill(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(16 * 1024);
  try {
    for (let i = 0; i < 1024; i++) writeSync(fd, chunk);
    throw new Error('the tmpfs never filled up');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return filler;
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The hashes of the blocks in the data folder's log, as a restart would read them. */
function blocksOnDisk(): Set<string> {
  const { records } = decodeRecords(readFileSync(path.join(dataDir, 'blocks.log')));
  return new Set(
    records
      .filter((r) => (r as { type: string }).type === 'block')
      .map((r) => JSON.stringify((r as { block: unknown }).block)),
  );
}

describe('a full disk', { skip: mounted ? false : 'mounting a tmpfs needs root: skipped here' }, () => {
  test('pauses storing and mining with a message, serves only what is on disk, and resumes by itself', async () => {
    const cluster = await LocalCluster.create(root, [{ name: 'a', vote: 'yes', peers: [] }]);
    try {
      const size = { title: 'Full disk', talliers: 1, keyBlocks: 2, voteBlocks: 500, confirmations: 1 };
      cluster.start('a', 'new', electionArgs({ ...size, difficulty: '2^12' }));
      await cluster.waitUp('a');
      await cluster.waitFor(['a'], (r) => r.height >= 5, 60_000);
      const log = () => readFileSync(cluster.member('a').log, 'utf8');

      const filler = fill(dataDir);
      await until('the pause message', 30_000, () =>
        /is full: this runner stores no block/.test(log()) ? true : undefined,
      );
      // Still up, and everything it serves is on disk: its best block and the chain below it.
      const address = cluster.address('a');
      const paused = (await (await fetch(`http://${address}/v1/status`)).json()) as {
        best: string;
        height: number;
      };
      const page = (await (await fetch(`http://${address}/v1/chain?from=1&limit=100`)).json()) as {
        best: string;
        blocks: { height: number }[];
      };
      const onDisk = blocksOnDisk();
      assert.equal(page.blocks.length, paused.height);
      for (const block of page.blocks)
        assert.ok(onDisk.has(JSON.stringify(block)), `served but not on disk: ${block.height}`);
      assert.equal(page.best, paused.best);
      // Mining is paused: no block is added while the disk stays full.
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal((await cluster.status('a'))!.height, paused.height);
      // A peer's new block is refused with a 503 that does not give the folder's path away (a copy
      // of a block held is still answered "known": that costs no disk).
      const pushed = await fetch(`http://${address}/v1/blocks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ block: { ...page.blocks.at(-1), miner: 'someone else' } }),
      });
      assert.equal(pushed.status, 503);
      const refusal = (await pushed.json()) as { error: string };
      assert.match(refusal.error, /disk is full/);
      assert.ok(!refusal.error.includes(root));

      rmSync(filler);
      await until('the resume message', 30_000, () =>
        /has room again: storing and mining resumed/.test(log()) ? true : undefined,
      );
      await cluster.waitFor(['a'], (r) => r.height > paused.height + 2, 60_000);
      await cluster.stop('a');
      assert.doesNotMatch(log(), /Unhandled|at async|ENOSPC: no space left on device, write\n\s+at/);

      // What it acknowledged is all there; the failed writes left nothing half-written.
      const node = await ElectionNode.open(dataDir, {}, { inspect: true });
      try {
        assert.deepEqual(node.startupWarnings, []);
        assert.ok(node.chain.tip.height > paused.height + 2);
      } finally {
        await node.close();
      }
    } finally {
      await cluster.stopAll('SIGKILL');
    }
  });
});
