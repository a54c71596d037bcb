// Proof-of-work targets: a digest meets a target when, read as a big-endian 256-bit integer, it is
// no greater than the target.

/** The easiest possible target: every digest meets it. */
export const MAX_TARGET = (1n << 256n) - 1n;

/** A 32-byte digest as a big-endian unsigned integer. */
export function digestValue(digest: Uint8Array): bigint {
  let value = 0n;
  for (const byte of digest) value = (value << 8n) | BigInt(byte);
  return value;
}

export function meetsTarget(digest: Uint8Array, target: bigint): boolean {
  return digestValue(digest) <= target;
}

/** The target's top 32 bits (unsigned), which the first word of a meeting digest cannot exceed. */
export function targetTopWord(target: bigint): number {
  if (target < 0n) throw new RangeError('a target cannot be negative');
  return target >= MAX_TARGET ? 0xffffffff : Number(target >> 224n);
}
