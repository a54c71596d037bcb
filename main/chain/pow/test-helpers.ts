// Reference values for the tests, straight from node:crypto (OpenSSL).

import { createHash } from 'node:crypto';
import fc from 'fast-check';

/** `prefix || nonce` with the nonce as 8 big-endian bytes. */
export function header(prefix: Uint8Array, nonce: bigint): Uint8Array {
  const bytes = new Uint8Array(prefix.length + 8);
  bytes.set(prefix);
  new DataView(bytes.buffer).setBigUint64(prefix.length, nonce);
  return bytes;
}

export function referenceDigest(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function referenceHeaderDigest(prefix: Uint8Array, nonce: bigint): Uint8Array {
  return referenceDigest(header(prefix, nonce));
}

/** Deterministic bytes, so a failing length is easy to reproduce. */
export function patternBytes(length: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 131 + seed * 29 + 7) & 0xff);
}

/** Byte strings with a length uniform in [0, maxLength]. (`fc.uint8Array({ maxLength })` alone
 * rarely goes past ten bytes, missing the block boundaries.) */
export function bytesUpTo(maxLength: number): fc.Arbitrary<Uint8Array> {
  return fc.integer({ min: 0, max: maxLength }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
}
