// How fast one mining thread of this computer hashes, measured with the miner's own scanner: what
// the new-election form plans with before anything is mined (a running miner reports its real
// rate instead). Short slices with a yield between them, so the caller's thread keeps answering.

import { NonceScanner } from './scanner';

/** A header of a typical length (the hashed prefix of a block is about this long). */
const PREFIX_BYTES = 180;
/** Nonces per slice: about 10 ms at a few million hashes a second. */
const SLICE = 1 << 15;

export interface BenchmarkOptions {
  /** How long to measure, after one slice of warm-up; default 300 ms. */
  readonly ms?: number;
  /** The clock, in ms (a test may pass its own). */
  readonly now?: () => number;
}

/**
 * Hashes per second of one thread, measured for about `ms` milliseconds. The target is 0, so no
 * nonce is ever found: every slice hashes all of its nonces, and the count is exact.
 */
export async function measureThreadHashrate(options: BenchmarkOptions = {}): Promise<number> {
  const ms = options.ms ?? 300;
  const now = options.now ?? (() => performance.now());
  const prefix = new Uint8Array(PREFIX_BYTES).map((_, i) => (i * 37 + 11) & 0xff);
  const scanner = new NonceScanner(prefix, 0n);
  // The first slice warms the JIT up and is not counted.
  let nonce = 0n;
  scanner.scan(nonce, SLICE);
  nonce += BigInt(SLICE);
  let hashed = 0;
  const start = now();
  let elapsed = 0;
  do {
    await new Promise<void>((resolve) => setImmediate(resolve));
    scanner.scan(nonce, SLICE);
    nonce += BigInt(SLICE);
    hashed += SLICE;
    elapsed = now() - start;
  } while (elapsed < ms);
  return Math.round((hashed * 1000) / Math.max(elapsed, 1e-3));
}
