import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DataDir } from './data-dir';
import { tempDir } from './testing';

const POSIX = process.platform !== 'win32';
const modeOf = (file: string) => statSync(file).mode & 0o777;

/** A node process that stays alive until killed. */
function sleeper(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

/** The pid of a process that has exited: a stale lock's owner. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('DataDir', () => {
  const base = tempDir('datadir');
  let n = 0;
  const fresh = () => path.join(base, `runner-${n++}`);

  test('creates the directory 0700 (parents too) and the tallier key 0600', async () => {
    const dir = path.join(fresh(), 'nested', 'data');
    const { dataDir, warnings } = await DataDir.open(dir);
    assert.deepEqual(warnings, []);
    assert.equal(dataDir.path, dir);
    if (POSIX) assert.equal(modeOf(dir), 0o700);
    await dataDir.save('tallierKey', { sk: 'secret' });
    await dataDir.save('settings', { port: 1 });
    if (POSIX) assert.equal(modeOf(dataDir.file('tallierKey')), 0o600);
    assert.equal(path.basename(dataDir.file('tallierKey')), 'tallier-key.json');
    assert.equal(path.basename(dataDir.file('genesis')), 'genesis.json');
    assert.equal(path.basename(dataDir.file('blocks')), 'blocks.log');
    await dataDir.close();
  });

  test('JSON files round trip; a missing one loads as undefined', async () => {
    const { dataDir } = await DataDir.open(fresh());
    assert.equal(await dataDir.load('genesis'), undefined);
    const genesis = { difficulty: 20, talliers: 3, nested: [{ a: null }] };
    await dataDir.save('genesis', genesis);
    await dataDir.save('settings', { a: 1 });
    await dataDir.save('settings', { a: 2 });
    assert.deepEqual(await dataDir.load('genesis'), { value: genesis, warnings: [] });
    assert.deepEqual((await dataDir.load('settings'))?.value, { a: 2 });
    await dataDir.close();
    await assert.rejects(dataDir.load('settings'), /is closed/);
  });

  test('a loose tallier key and a loose directory are reported', { skip: !POSIX }, async () => {
    const dir = fresh();
    const first = await DataDir.open(dir);
    await first.dataDir.save('tallierKey', { sk: 'k' });
    await first.dataDir.close();
    chmodSync(dir, 0o755);
    chmodSync(path.join(dir, 'tallier-key.json'), 0o644);
    const { dataDir, warnings } = await DataDir.open(dir);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /accessible by other users \(mode 0755\).*chmod 700/);
    const key = await dataDir.load('tallierKey');
    assert.deepEqual(key?.value, { sk: 'k' });
    assert.match(
      key!.warnings[0]!,
      /tallier-key\.json holds a secret but is accessible by other users \(mode 0644\)/,
    );
    await dataDir.close();
  });

  test('the lock refuses a second opener while the first lives, in this process or another', async () => {
    const dir = fresh();
    const { dataDir } = await DataDir.open(dir);
    assert.equal(readFileSync(dataDir.file('lock'), 'utf8'), `${process.pid}\n`);
    await assert.rejects(DataDir.open(dir), {
      message: new RegExp(
        `^data directory ${escapeRegExp(dir)} is in use by process ${process.pid} \\(this one\\)`,
      ),
    });
    await dataDir.close();
    assert.equal(existsSync(path.join(dir, 'LOCK')), false, 'close removes the lock');

    const other = sleeper();
    try {
      await new Promise((resolve) => other.on('spawn', resolve));
      writeFileSync(path.join(dir, 'LOCK'), `${other.pid}\n`);
      await assert.rejects(DataDir.open(dir), {
        message: new RegExp(`^data directory ${escapeRegExp(dir)} is in use by process ${other.pid};`),
      });
      assert.equal(
        readFileSync(path.join(dir, 'LOCK'), 'utf8'),
        `${other.pid}\n`,
        'a live lock is left alone',
      );
    } finally {
      other.kill('SIGKILL');
    }
  });

  test('a stale lock (dead pid, or no pid at all) is taken over with a warning', async () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o700 });
    const dead = await deadPid();
    for (const [content, who] of [
      [`${dead}\n`, `process ${dead}`],
      ['', 'an unreadable lock'],
    ] as const) {
      writeFileSync(path.join(dir, 'LOCK'), content);
      const { dataDir, warnings } = await DataDir.open(dir);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, new RegExp(`took over the lock left by ${who}`));
      assert.equal(readFileSync(dataDir.file('lock'), 'utf8'), `${process.pid}\n`);
      assert.deepEqual(readdirSync(dir), ['LOCK'], 'no moved-aside lock left behind');
      await dataDir.close();
    }
  });

  test('the block log opens inside it and is closed with it; leftover temp files are removed', async () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(path.join(dir, 'tallier-key.json.tmp-123-abcd'), '{"half":');
    writeFileSync(path.join(dir, 'unrelated.tmp-1'), 'kept');
    const { dataDir } = await DataDir.open(dir);
    assert.deepEqual(readdirSync(dir).sort(), ['LOCK', 'unrelated.tmp-1']);
    const [first, second] = await Promise.allSettled([dataDir.openBlockLog(), dataDir.openBlockLog()]);
    assert.equal(second.status, 'rejected');
    assert.match(String(second.reason), /already open/);
    assert.equal(first.status, 'fulfilled');
    const { log, records } = first.value;
    assert.deepEqual(records, []);
    const appended = log.append({ height: 0 });
    await dataDir.close();
    await appended;
    await assert.rejects(log.append({ height: 1 }), /is closed/);
    const again = await DataDir.open(dir);
    assert.deepEqual((await again.dataDir.openBlockLog()).records, [{ height: 0 }]);
    await again.dataDir.close();
  });

  test('a path that is a file is refused', async () => {
    const file = path.join(base, 'plain-file');
    writeFileSync(file, '');
    await assert.rejects(DataDir.open(file), /is not a directory|EEXIST|ENOTDIR/);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
