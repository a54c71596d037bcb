import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { crc32 } from './crc32';
import { DAMAGED_SUFFIX, decodeRecords, encodeRecord, MAX_RECORD_BYTES, RecordLog } from './record-log';
import { sampleRecord, tempDir } from './testing';

/** Opens, checks there is nothing to warn about, and closes. */
async function readClean(file: string): Promise<unknown[]> {
  const { log, records, warnings } = await RecordLog.open(file);
  await log.close();
  assert.deepEqual(warnings, []);
  return records;
}

/** Writes `records` as a fresh log file; returns each record's start offset and the file's end. */
function writeLog(file: string, records: readonly unknown[]): number[] {
  const frames = records.map(encodeRecord);
  writeFileSync(file, Buffer.concat(frames));
  const offsets = [0];
  for (const frame of frames) offsets.push(offsets.at(-1)! + frame.length);
  return offsets;
}

const jsonCopy = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('RecordLog', () => {
  const dir = tempDir('log');
  let n = 0;
  const fresh = () => path.join(dir, `log-${n++}.log`);

  test('a new file opens empty; records appended over several sessions read back in order', async () => {
    const file = fresh();
    assert.deepEqual(await readClean(file), []);
    assert.equal(statSync(file).size, 0);
    const all = Array.from({ length: 3000 }, (_, i) => sampleRecord(i, i % 500));
    for (let session = 0; session < 3; session++) {
      const { log, records, warnings } = await RecordLog.open(file);
      assert.deepEqual(warnings, []);
      assert.deepEqual(records, all.slice(0, session * 1000));
      const batch = all.slice(session * 1000, session * 1000 + 1000);
      for (const r of batch.slice(0, 100)) await log.append(r);
      await log.appendMany(batch.slice(100));
      assert.equal(log.byteLength, statSync(file).size);
      await log.close();
    }
    assert.deepEqual(await readClean(file), all);
  });

  test('any JSON value survives the round trip (as its JSON form)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { maxLength: 20 }), async (values) => {
        const file = fresh();
        const { log } = await RecordLog.open(file);
        await log.appendMany(values);
        await log.close();
        assert.deepEqual(await readClean(file), values.map(jsonCopy));
      }),
      { numRuns: 50 },
    );
  });

  test('a torn last record, cut at every byte, is dropped with a warning; appends continue', async () => {
    const file = fresh();
    const records = [sampleRecord(0, 100), sampleRecord(1, 3000), sampleRecord(2, 150)];
    const offsets = writeLog(file, records);
    const whole = readFileSync(file);
    const lastStart = offsets[2]!;
    for (let cut = lastStart; cut < whole.length; cut++) {
      writeFileSync(file, whole.subarray(0, cut));
      const { log, records: read, warnings } = await RecordLog.open(file);
      assert.deepEqual(read, records.slice(0, 2), `cut at ${cut}`);
      if (cut === lastStart) assert.deepEqual(warnings, []);
      else {
        assert.equal(warnings.length, 1, `cut at ${cut}`);
        assert.match(warnings[0]!, /torn (header|body) .* in record 2 at byte \d+; kept 2 records/);
      }
      assert.equal(statSync(file).size, lastStart, 'truncated to the last good record');
      await log.append({ after: cut });
      await log.close();
      assert.deepEqual(await readClean(file), [...records.slice(0, 2), { after: cut }]);
    }
  });

  test('a flipped byte anywhere in a middle record costs that record only: the log resynchronises on the next', async () => {
    const file = fresh();
    const records = Array.from({ length: 5 }, (_, i) => sampleRecord(i, 120));
    const offsets = writeLog(file, records);
    const whole = readFileSync(file);
    const without2 = [...records.slice(0, 2), ...records.slice(3)];
    for (let at = offsets[2]!; at < offsets[3]!; at++) {
      const damaged = Buffer.from(whole);
      damaged[at]! ^= at === offsets[2] ? 0x80 : 0x5a; // 0x80 in the length's top byte: a huge length
      writeFileSync(file, damaged);
      rmSync(file + DAMAGED_SUFFIX, { force: true });
      const { log, records: read, warnings } = await RecordLog.open(file);
      assert.deepEqual(read, without2, `flip at ${at}`);
      assert.equal(warnings.length, 2, warnings.join('\n'));
      assert.match(
        warnings[0]!,
        new RegExp(
          `(checksum mismatch|implausible length \\d+|torn body \\(\\d+ of \\d+ bytes\\)) at byte ${offsets[2]}: ` +
            `skipped ${offsets[3]! - offsets[2]!} damaged bytes, up to the next record that checks out \\(record 2, at byte ${offsets[3]}\\)`,
        ),
      );
      assert.match(warnings[1]!, /kept 4 records in all; the log was rewritten without the damaged bytes/);
      // The damaged original is kept as it was; the log holds exactly the good records, and
      // appends continue after them.
      assert.deepEqual(readFileSync(file + DAMAGED_SUFFIX), damaged);
      assert.equal(statSync(file).size, whole.length - (offsets[3]! - offsets[2]!));
      await log.append({ after: at });
      await log.close();
      assert.deepEqual(await readClean(file), [...without2, { after: at }]);
    }
  });

  test('damage in several places, a damaged tail, and damage across a read chunk boundary', async () => {
    const file = fresh();
    const records = Array.from({ length: 2100 }, (_, i) => sampleRecord(i, 4500 + (i % 7)));
    const offsets = writeLog(file, records);
    const damaged = readFileSync(file);
    // Records 10 and 11 (adjacent), 1000, the one straddling the first 8 MiB chunk, and the last.
    const straddling = offsets.findIndex((o, i) => o < 8 << 20 && offsets[i + 1]! > 8 << 20);
    const hit = [10, 11, 1000, straddling, records.length - 1];
    for (const r of hit) damaged[offsets[r]! + 20]! ^= 0xff;
    writeFileSync(file, damaged);
    const { log, records: read, warnings } = await RecordLog.open(file);
    await log.close();
    const lost = new Set(hit);
    assert.deepEqual(
      read,
      records.filter((_, i) => !lost.has(i)),
    );
    // Three gaps in the middle (10–11 is one), the tail, and the rewrite.
    assert.equal(warnings.length, 5, warnings.join('\n'));
    assert.match(warnings[0]!, /checksum mismatch at byte \d+: skipped \d+ damaged bytes, .*\(record 10, /);
    assert.match(
      warnings[3]!,
      /checksum mismatch in record 2095 at byte \d+; kept 2095 records, discarded the last/,
    );
    assert.deepEqual(await readClean(file), read);
  });

  test('an inspection reports damage in the middle and at the end, and changes nothing', async () => {
    const file = fresh();
    const records = Array.from({ length: 6 }, (_, i) => sampleRecord(i, 200));
    const offsets = writeLog(file, records);
    const damaged = readFileSync(file);
    damaged[offsets[1]! + 12]! ^= 1;
    const torn = damaged.subarray(0, damaged.length - 7);
    writeFileSync(file, torn);
    const { log, records: read, warnings } = await RecordLog.open(file, { readOnly: true });
    await log.close();
    assert.deepEqual(read, [records[0], ...records.slice(2, 5)]);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /skipped \d+ damaged bytes/);
    assert.match(warnings[1]!, /torn body .* left the last \d+ bytes as they are/);
    assert.deepEqual(readFileSync(file), torn);
    assert.equal(existsSync(file + DAMAGED_SUFFIX), false);
  });

  test('an all-zero tail (left by some file systems after a crash) and a non-JSON body are refused', async () => {
    const file = fresh();
    writeLog(file, [{ a: 1 }]);
    const good = statSync(file).size;
    writeFileSync(file, Buffer.alloc(4096), { flag: 'a' });
    const opened = await RecordLog.open(file);
    await opened.log.close();
    assert.deepEqual(opened.records, [{ a: 1 }]);
    assert.match(opened.warnings[0]!, /body is not JSON in record 1/);
    assert.equal(statSync(file).size, good);

    // A correctly framed body that is not JSON: only a writer bug could produce it.
    const body = Buffer.from('{"a":');
    const header = Buffer.alloc(8);
    header.writeUInt32BE(body.length, 0);
    header.writeUInt32BE(crc32(body), 4);
    assert.equal(decodeRecords(Buffer.concat([header, body])).problem, 'body is not JSON');
  });

  test('decodeRecords refuses an absurd length without reading on', () => {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(MAX_RECORD_BYTES + 1, 0);
    const frame = encodeRecord({ ok: true });
    const result = decodeRecords(Buffer.concat([frame, header, Buffer.alloc(100)]));
    assert.deepEqual(result.records, [{ ok: true }]);
    assert.equal(result.end, frame.length);
    assert.equal(result.problem, `implausible length ${MAX_RECORD_BYTES + 1}`);
  });

  test('records cut across read chunks (a log of more than 8 MiB) are read whole', async () => {
    const file = fresh();
    const records = Array.from({ length: 2100 }, (_, i) => sampleRecord(i, 4500 + (i % 7)));
    writeLog(file, records);
    assert.ok(statSync(file).size > 8 << 20);
    assert.deepEqual(await readClean(file), records);
    // and a torn end behind a chunk boundary is still found
    truncateSync(file, statSync(file).size - 10);
    const { log, records: read, warnings } = await RecordLog.open(file);
    await log.close();
    assert.equal(read.length, records.length - 1);
    assert.equal(warnings.length, 1);
  });

  test('concurrent appends from many callers all land, whole and in call order', async () => {
    const file = fresh();
    const { log } = await RecordLog.open(file);
    const expected: unknown[] = [];
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 400; i++) {
      if (i % 5 === 0) {
        const group = [0, 1, 2].map((k) => ({ caller: i, k, pad: 'x'.repeat((i * 37) % 3000) }));
        expected.push(...group);
        pending.push(log.appendMany(group));
      } else {
        const record = { caller: i, pad: 'y'.repeat((i * 53) % 5000) };
        expected.push(record);
        pending.push(log.append(record));
      }
    }
    await Promise.all(pending);
    await log.close();
    assert.deepEqual(await readClean(file), expected);
  });

  test('unencodable and oversized records are refused up front, nothing is written', async () => {
    const file = fresh();
    const { log } = await RecordLog.open(file);
    await log.append({ before: true });
    await assert.rejects(log.append(undefined), TypeError);
    await assert.rejects(log.append({ n: 1n }), TypeError);
    await assert.rejects(log.appendMany([{ ok: 1 }, () => 0]), TypeError);
    await assert.rejects(log.append('x'.repeat(MAX_RECORD_BYTES)), RangeError);
    await log.append('x'.repeat(MAX_RECORD_BYTES - 2)); // the limit itself, with its quotes
    await log.append({ after: true });
    await log.close();
    const records = await readClean(file);
    assert.equal(records.length, 3);
    assert.deepEqual(records[2], { after: true });
  });

  test('close waits for queued appends; later appends are refused; close is idempotent', async () => {
    const file = fresh();
    const { log } = await RecordLog.open(file);
    const appends = Array.from({ length: 50 }, (_, i) => log.append({ i }));
    const closed = log.close();
    await assert.rejects(log.append({ late: true }), /is closed/);
    await Promise.all(appends);
    await closed;
    await log.close();
    assert.equal((await readClean(file)).length, 50);
  });
});
