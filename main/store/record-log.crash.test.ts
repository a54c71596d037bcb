// The durability promise under a real crash: a child process appends records and reports each
// acknowledged one; we SIGKILL it mid-stream, then every acknowledged record must be in the log.
// (This covers process death; power loss additionally relies on fsync, which no test here can cut.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RecordLog } from './record-log';
import { tempDir } from './testing';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./testdata/append-forever.ts', import.meta.url));
const RUNS = 4;
const RUN_TIMEOUT_MS = 8000;

/** Runs the fixture until it has acknowledged `count` more records, kills it, returns the last one. */
async function appendThenKill(file: string, count: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  let first: number | undefined;
  let last = -1;
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      const i = Number(line);
      first ??= i;
      assert.equal(i, last === -1 ? first : last + 1, 'acknowledged in order');
      last = i;
      if (i - first + 1 >= count) {
        child.kill('SIGKILL');
        break;
      }
    }
  } finally {
    clearTimeout(timer);
    child.kill('SIGKILL');
  }
  const signal = await exited;
  assert.equal(signal, 'SIGKILL', `the fixture should have been killed, not exited; stderr: ${stderr}`);
  assert.ok(first !== undefined && last - first + 1 >= count, `too few acknowledgements; stderr: ${stderr}`);
  return last;
}

test('every acknowledged append survives SIGKILL mid-stream, run after run on the same log', async () => {
  const file = path.join(tempDir('crash'), 'blocks.log');
  let acknowledged = -1;
  for (let run = 0; run < RUNS; run++) {
    acknowledged = await appendThenKill(file, 200 + Math.floor(Math.random() * 300));
    const { log, records, warnings } = await RecordLog.open(file);
    await log.close();
    // Records 0..n-1 with no gap, n past the last acknowledgement; extra unacknowledged ones are fine.
    assert.ok(
      records.length > acknowledged,
      `run ${run}: ${records.length} records, ${acknowledged} acknowledged`,
    );
    records.forEach((r, i) => {
      assert.equal((r as { i: number }).i, i);
    });
    // A torn tail, if the kill left one, was cut; the next run appends after it.
    assert.ok(warnings.length <= 1, warnings.join('\n'));
  }
});
