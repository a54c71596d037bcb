import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readJsonFile, writeFileAtomic, writeJsonFile } from './atomic-file';
import { tempDir } from './testing';

const POSIX = process.platform !== 'win32';
const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('atomic files', () => {
  const dir = tempDir('atomic');

  test('write replaces the whole file and leaves no temporary file behind', async () => {
    const file = path.join(dir, 'a.json');
    await writeJsonFile(file, { v: 1 });
    await writeJsonFile(file, { v: 2, list: [1, 2, 3] });
    assert.equal(readFileSync(file, 'utf8'), '{\n  "v": 2,\n  "list": [\n    1,\n    2,\n    3\n  ]\n}\n');
    assert.deepEqual(await readJsonFile(file), { value: { v: 2, list: [1, 2, 3] }, warnings: [] });
    await writeFileAtomic(file, new Uint8Array([0x5b, 0x5d]));
    assert.deepEqual((await readJsonFile(file))?.value, []);
    assert.deepEqual(readdirSync(dir), ['a.json']);
  });

  test('a failed write leaves the old content and no temporary file', async () => {
    const sub = path.join(dir, 'fail');
    mkdirSync(sub);
    const target = path.join(sub, 'is-a-directory');
    mkdirSync(target); // renaming a file over a directory fails
    await assert.rejects(writeFileAtomic(target, 'x'));
    assert.deepEqual(readdirSync(sub), ['is-a-directory']);
    await assert.rejects(writeFileAtomic(path.join(dir, 'missing', 'x.json'), 'x'), { code: 'ENOENT' });
    await assert.rejects(writeJsonFile(path.join(sub, 'u.json'), undefined), TypeError);
    assert.deepEqual(readdirSync(sub), ['is-a-directory']);
  });

  test('a secret is created 0600, even over a looser file', { skip: !POSIX }, async () => {
    const file = path.join(dir, 'secret.json');
    writeFileSync(file, '{}', { mode: 0o644 });
    chmodSync(file, 0o644);
    await writeJsonFile(file, { sk: 'x' }, { mode: 0o600 });
    assert.equal(modeOf(file), 0o600);
    assert.deepEqual(await readJsonFile(file, { secret: true }), { value: { sk: 'x' }, warnings: [] });
  });

  test('reading a secret that others can access warns (and still reads); non-secrets do not', {
    skip: !POSIX,
  }, async () => {
    const file = path.join(dir, 'loose.json');
    await writeJsonFile(file, { sk: 'y' }, { mode: 0o600 });
    for (const mode of [0o640, 0o604, 0o620]) {
      chmodSync(file, mode);
      const read = await readJsonFile(file, { secret: true });
      assert.deepEqual(read?.value, { sk: 'y' });
      assert.equal(read?.warnings.length, 1);
      assert.match(
        read!.warnings[0]!,
        new RegExp(`accessible by other users \\(mode 0${mode.toString(8)}\\).*chmod 600`),
      );
      assert.deepEqual((await readJsonFile(file))?.warnings, []);
    }
  });

  test('a missing file reads as undefined; a non-JSON one is refused by name', async () => {
    assert.equal(await readJsonFile(path.join(dir, 'nothing.json')), undefined);
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{"a":');
    await assert.rejects(readJsonFile(file), (e: Error) => e.message.startsWith(`${file} is not valid JSON`));
    // Bytes that are not UTF-8 are refused, not read as U+FFFD; a byte-order mark is not JSON.
    const raw = path.join(dir, 'raw.json');
    writeFileSync(raw, Buffer.concat([Buffer.from('{"title":"a'), Buffer.from([0xff]), Buffer.from('"}')]));
    await assert.rejects(readJsonFile(raw), new RegExp(`${raw} is not valid UTF-8`));
    writeFileSync(raw, '\ufeff{"title":"a"}');
    await assert.rejects(readJsonFile(raw), /is not valid JSON/);
    // Protocol JSON: no key twice, integers in plain decimal (JSON.parse would read both).
    writeFileSync(raw, '{"title":"a","title":"b"}');
    await assert.rejects(readJsonFile(raw), /is not valid JSON: raw\.json\.title: is a duplicate key/);
    writeFileSync(raw, '{"n_talliers":3.0}');
    await assert.rejects(readJsonFile(raw), /raw\.json\.n_talliers: 3\.0 is not an integer in plain decimal/);
  });
});
