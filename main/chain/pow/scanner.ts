// Searches a range of nonces for one whose header hash meets a target, driving the unrolled kernel.
//
// The kernel varies only the nonce's low 32 bits, so the nonce space is cut into segments that share
// everything else: per segment the scanner hashes the constant tail block that may precede the
// block holding those bits, and the rounds of that block before the first word they touch. Where
// the nonce straddles the two tail blocks, the bits before the boundary belong to the constant
// block, so a segment is only the 2^(8·k) nonces whose k low bytes fall after it.

import { scanTail, TailKernel } from './kernel';
import {
  BLOCK_BYTES,
  checkNonce,
  compress,
  expandSchedule,
  type HeaderMidstate,
  headerDigest,
  headerMidstate,
  headerTail,
  K,
  NONCE_BYTES,
  NONCE_SPACE,
  newScratch,
  readBlock,
  runRounds,
} from './sha256';
import { meetsTarget, targetTopWord } from './target';

export interface ScanHit {
  readonly nonce: bigint;
  /** SHA-256 of `prefix || nonce`. */
  readonly hash: Uint8Array;
  /** How many nonces were hashed to find it, this one included. */
  readonly hashed: number;
}

const NONCE_MASK = NONCE_SPACE - 1n;

export class NonceScanner {
  private readonly mid: HeaderMidstate;
  private readonly target: bigint;
  private readonly target0: number;
  private readonly kernel = new TailKernel();
  private readonly scratch = newScratch();
  /** Index (0 or 1) of the tail block holding the nonce's last byte. */
  private readonly varyingBlock: number;
  /** Nonces per segment: 2^32, or fewer when the nonce straddles the tail blocks. */
  private readonly segmentSize: number;
  private readonly segmentMask: bigint;
  /** Base nonce of the segment the kernel is prepared for. */
  private segment = -1n;

  constructor(prefix: Uint8Array, target: bigint) {
    this.mid = headerMidstate(prefix);
    this.target = target;
    this.target0 = targetTopWord(target);
    const k = this.kernel;
    const nonceEnd = this.mid.rest.length + NONCE_BYTES;
    this.varyingBlock = (nonceEnd - 1) >> 6;
    // Where the nonce's low 32 bits end inside the varying block (1..64 bytes in).
    const end = nonceEnd - this.varyingBlock * BLOCK_BYTES;
    const bits = end >= 4 ? 32 : 8 * end;
    this.segmentSize = 2 ** bits;
    this.segmentMask = BigInt(this.segmentSize - 1);
    const misalign = end % 4;
    if (misalign === 0) {
      k.jA = end / 4 - 1;
      k.jB = 16;
    } else {
      // The low bytes open word jB; the high ones, if inside this block, close word jA.
      k.jB = end >> 2;
      k.shB = 32 - 8 * misalign;
      k.jA = end >= 4 ? k.jB - 1 : 16;
      k.shA = 8 * misalign;
    }
    k.start = k.jA !== 16 ? k.jA : k.jB;
    const tail = headerTail(this.mid, 0n);
    k.twoBlocks = this.varyingBlock === 0 && tail.length > BLOCK_BYTES;
    if (k.twoBlocks) {
      // The second block then holds only padding and the length, whatever the nonce.
      const w = this.scratch.w;
      readBlock(tail, BLOCK_BYTES, w);
      expandSchedule(w);
      for (let t = 0; t < 64; t++) k.kw[t] = (K[t]! + w[t]!) | 0;
    }
  }

  /** Hashes nonces start, start + 1, …, start + count - 1 (wrapping at 2^64) and returns the first
   * whose hash meets the target, or null. */
  scan(start: bigint, count: number): ScanHit | null {
    checkNonce(start);
    let nonce = start;
    let done = 0;
    while (done < count) {
      const offset = Number(nonce & this.segmentMask);
      const base = nonce - BigInt(offset);
      if (base !== this.segment) this.prepare(base);
      const n = Math.min(count - done, this.segmentSize - offset);
      let from = 0;
      while (from < n) {
        const i = scanTail(this.kernel, offset + from, n - from, this.target0);
        if (i < 0) break;
        // The first words compare <=; only the full digest can say whether the hash meets the target.
        const candidate = nonce + BigInt(from + i);
        const hash = headerDigest(this.mid, candidate, this.scratch);
        if (meetsTarget(hash, this.target)) return { nonce: candidate, hash, hashed: done + from + i + 1 };
        from += i + 1;
      }
      done += n;
      nonce = (nonce + BigInt(n)) & NONCE_MASK;
    }
    return null;
  }

  private prepare(base: bigint): void {
    const k = this.kernel;
    const { w, v } = this.scratch;
    // `base` has every nonce bit inside the varying block zero, so those words come out as the
    // constants the kernel ORs the low bits into.
    const tail = headerTail(this.mid, base);
    k.m.set(this.mid.state);
    if (this.varyingBlock === 1) compress(k.m, tail, 0, this.scratch);
    readBlock(tail, this.varyingBlock * BLOCK_BYTES, k.w);
    k.w[16] = 0;
    k.cA = k.w[k.jA]!;
    k.cB = k.w[k.jB]!;
    w.set(k.w.subarray(0, 16));
    v.set(k.m);
    runRounds(v, w, 0, k.start);
    k.setRoundState(v, k.start);
    this.segment = base;
  }
}
