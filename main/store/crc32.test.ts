import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { crc32, crc32Table } from './crc32';

const ascii = (s: string) => new TextEncoder().encode(s);

/** The definition, one bit at a time: the reference the tables must match. */
function crc32Bitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Bytes with a sub-range [start, end) anywhere in them. */
const bytesAndRange = fc
  .uint8Array({ maxLength: 300 })
  .chain((bytes) =>
    fc
      .tuple(fc.nat(bytes.length), fc.nat(bytes.length))
      .map(([a, b]) => ({ bytes, start: Math.min(a, b), end: Math.max(a, b) })),
  );

test('CRC-32 (IEEE) known answers', () => {
  for (const f of [crc32, crc32Table, crc32Bitwise]) {
    assert.equal(f(ascii('123456789')), 0xcbf43926);
    assert.equal(f(new Uint8Array(0)), 0);
    assert.equal(f(ascii('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  }
  assert.equal(crc32(ascii('xx123456789yy'), 2, 11), 0xcbf43926);
});

test('the sliced table agrees with the bitwise definition on any range', () => {
  fc.assert(
    fc.property(bytesAndRange, ({ bytes, start, end }) => {
      const expected = crc32Bitwise(bytes.subarray(start, end));
      assert.equal(crc32Table(bytes, start, end), expected);
      assert.equal(crc32(bytes, start, end), expected);
    }),
    { numRuns: 500 },
  );
});

const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

test('the table agrees with zlib.crc32 (Node ≥ 20.15 / 22.2)', { skip: !zlibCrc32 }, () => {
  fc.assert(
    fc.property(bytesAndRange, ({ bytes, start, end }) => {
      assert.equal(crc32Table(bytes, start, end), zlibCrc32!(bytes.subarray(start, end)));
    }),
  );
});
