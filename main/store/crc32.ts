// CRC-32 (IEEE 802.3, the polynomial of zlib, gzip and PNG), guarding each record of a log
// against torn writes and flipped bits. zlib.crc32 computes the same function natively but exists
// only from Node 20.15 / 22.2, and the runner supports any Node ≥ 20, so a table is the fallback.
import zlib from 'node:zlib';

// Slicing-by-8: TABLE[k·256 + n] is the CRC of byte n followed by k zero bytes, so eight input
// bytes take eight lookups and one step instead of eight dependent steps. Measured here: 45 MB in
// 36 ms, against 99 ms one byte at a time. 8 KiB of table.
const TABLE = (() => {
  const table = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  for (let i = 256; i < table.length; i++) {
    const previous = table[i - 256]!;
    table[i] = table[previous & 0xff]! ^ (previous >>> 8);
  }
  return table;
})();

/** CRC-32 of `bytes[start, end)` in pure JavaScript; the function `crc32` falls back to. */
export function crc32Table(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = TABLE;
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const x = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[0x700 + (x & 0xff)]! ^
      t[0x600 + ((x >>> 8) & 0xff)]! ^
      t[0x500 + ((x >>> 16) & 0xff)]! ^
      t[0x400 + (x >>> 24)]! ^
      t[0x300 + bytes[i + 4]!]! ^
      t[0x200 + bytes[i + 5]!]! ^
      t[0x100 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

// Typed as optional: @types/node declares it, but Node 20.0–20.14 do not have it.
const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** CRC-32 of `bytes[start, end)` as an unsigned 32-bit number; crc32('123456789') = 0xcbf43926. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (native === undefined) return crc32Table(bytes, start, end);
  return native(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
}
