import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Miner } from './miner';
import { digestValue } from './target';
import { patternBytes, referenceHeaderDigest } from './test-helpers';

// About one nonce in 4096 meets this: found in milliseconds, but only after real hashing.
const EASY = 1n << 244n;
const IMPOSSIBLE = 0n;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Miner', () => {
  const miner = new Miner({ threads: 2 });
  after(() => miner.close());

  it('finds a nonce whose header hash meets the target', async () => {
    const prefix = patternBytes(92, 1);
    const result = await miner.mine({ prefix, target: EASY });
    assert.ok(result);
    const digest = referenceHeaderDigest(prefix, result.nonce);
    assert.deepEqual(result.hash, digest);
    assert.ok(digestValue(digest) <= EASY);
  });

  it('starts from startNonce', async () => {
    const one = new Miner({ threads: 1 });
    try {
      const prefix = patternBytes(121, 2);
      const start = 0xffff_fffe_0000_0000n;
      const result = await one.mine({ prefix, target: 1n << 250n, startNonce: start });
      assert.ok(result);
      // A single worker scans upward from the start, so no earlier nonce meets the target.
      for (let nonce = start; nonce < result.nonce; nonce++) {
        assert.ok(digestValue(referenceHeaderDigest(prefix, nonce)) > 1n << 250n);
      }
    } finally {
      await one.close();
    }
  });

  it('reports a positive hashrate after mining', async () => {
    await miner.mine({ prefix: patternBytes(40), target: EASY });
    assert.ok(miner.hashCount() > 0);
    assert.ok(miner.hashrate() > 0);
  });

  it('cancel resolves null at once and stops the workers', async () => {
    const job = miner.mine({ prefix: patternBytes(80), target: IMPOSSIBLE });
    await sleep(200);
    const before = performance.now();
    miner.cancel();
    assert.equal(await job, null);
    assert.ok(performance.now() - before < 50);
    // The workers notice within a batch (milliseconds); allow for a loaded machine, but the count
    // must come to a stop.
    let count = miner.hashCount();
    for (let tries = 0; ; tries++) {
      await sleep(150);
      const now = miner.hashCount();
      if (now === count) break;
      assert.ok(tries < 20, 'workers still hashing after cancel');
      count = now;
    }
  });

  it('a new job replaces the one in progress', async () => {
    const old = miner.mine({ prefix: patternBytes(80, 1), target: IMPOSSIBLE });
    await sleep(100);
    const prefix = patternBytes(80, 2);
    const fresh = miner.mine({ prefix, target: EASY });
    assert.equal(await old, null);
    const result = await fresh;
    assert.ok(result);
    assert.ok(digestValue(referenceHeaderDigest(prefix, result.nonce)) <= EASY);
  });

  it('rejects bad jobs', async () => {
    await assert.rejects(miner.mine({ prefix: new Uint8Array(4), target: -1n }), RangeError);
    await assert.rejects(
      miner.mine({ prefix: new Uint8Array(4), target: EASY, startNonce: -1n }),
      RangeError,
    );
  });

  it('close terminates busy workers, letting the process exit', () => {
    const minerModule = new URL('./miner.ts', import.meta.url).href;
    // Without close() this would never exit: the job cannot succeed and keeps the workers busy.
    const script = `
      import { Miner } from ${JSON.stringify(minerModule)};
      const miner = new Miner({ threads: 2 });
      const job = miner.mine({ prefix: new Uint8Array(50), target: 0n });
      setTimeout(async () => {
        await miner.close();
        console.log('closed', await job);
        await miner.mine({ prefix: new Uint8Array(50), target: 1n }).catch((e) => console.log(e.message));
      }, 500);
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout, 'closed null\nminer is closed\n');
  });
});
