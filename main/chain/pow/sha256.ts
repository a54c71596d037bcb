// SHA-256 (FIPS 180-4) on 32-bit integer arithmetic, and the midstate of a block header.
//
// A header is `prefix || nonce` with the nonce as the last 8 bytes (unsigned 64-bit big-endian), and
// its hash is one SHA-256 of the whole header. Every complete 64-byte block of the prefix is the same
// for all nonces, so `headerMidstate` compresses those once; a nonce then costs only the remaining
// one or two blocks. This module is the straightforward version of that tail hash (used to confirm
// candidates and by the chain to check blocks); kernel.ts is the unrolled one the miner runs.

/** Round constants: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
export const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** Initial hash value. */
export const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

export const BLOCK_BYTES = 64;
export const NONCE_BYTES = 8;
/** Largest nonce + 1. */
export const NONCE_SPACE = 1n << 64n;

/** Reads 16 big-endian words of `bytes` from `offset` into `out`. */
export function readBlock(bytes: Uint8Array, offset: number, out: Int32Array): void {
  for (let i = 0; i < 16; i++) {
    const j = offset + 4 * i;
    out[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
  }
}

/** Extends the 16 message words in w[0..16) to the full 64-word schedule. */
export function expandSchedule(w: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const x = w[t - 2]!;
    const y = w[t - 15]!;
    const s1 = ((x >>> 17) | (x << 15)) ^ ((x >>> 19) | (x << 13)) ^ (x >>> 10);
    const s0 = ((y >>> 7) | (y << 25)) ^ ((y >>> 18) | (y << 14)) ^ (y >>> 3);
    w[t] = (s1 + w[t - 7]! + s0 + w[t - 16]!) | 0;
  }
}

/** Runs rounds [from, to) on the working variables v = a..h, reading the schedule from w. */
export function runRounds(v: Int32Array, w: Int32Array, from: number, to: number): void {
  let a = v[0]!;
  let b = v[1]!;
  let c = v[2]!;
  let d = v[3]!;
  let e = v[4]!;
  let f = v[5]!;
  let g = v[6]!;
  let h = v[7]!;
  for (let t = from; t < to; t++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + (g ^ (e & (f ^ g))) + K[t]! + w[t]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) | (c & (a | b)))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  v[0] = a;
  v[1] = b;
  v[2] = c;
  v[3] = d;
  v[4] = e;
  v[5] = f;
  v[6] = g;
  v[7] = h;
}

/** Scratch space for `compress`: the 64-word schedule and the working variables. */
export interface Scratch {
  readonly w: Int32Array;
  readonly v: Int32Array;
}

export function newScratch(): Scratch {
  return { w: new Int32Array(64), v: new Int32Array(8) };
}

/** Compresses the 64-byte block at `bytes[offset..]` into `state`. */
export function compress(state: Int32Array, bytes: Uint8Array, offset: number, scratch: Scratch): void {
  const { w, v } = scratch;
  readBlock(bytes, offset, w);
  expandSchedule(w);
  v.set(state);
  runRounds(v, w, 0, 64);
  for (let i = 0; i < 8; i++) state[i] = (state[i]! + v[i]!) | 0;
}

/** The SHA-256 padding that follows a message of `length` bytes, given the bytes of its last partial
 * block: returns those bytes padded to one or two whole blocks. */
export function padTail(rest: Uint8Array, length: number): Uint8Array {
  const blocks = rest.length + 9 <= BLOCK_BYTES ? 1 : 2;
  const tail = new Uint8Array(blocks * BLOCK_BYTES);
  tail.set(rest);
  tail[rest.length] = 0x80;
  // The bit length as a 64-bit big-endian integer; lengths here stay far below 2^53 bits.
  new DataView(tail.buffer).setBigUint64(tail.length - 8, BigInt(length) * 8n);
  return tail;
}

/** The 32-byte big-endian encoding of a state. */
export function stateBytes(state: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) view.setInt32(4 * i, state[i]!);
  return out;
}

/** One-shot SHA-256, for tests and small inputs (node:crypto is faster for large ones). */
export function sha256(data: Uint8Array): Uint8Array {
  const scratch = newScratch();
  const state = IV.slice();
  const whole = data.length - (data.length % BLOCK_BYTES);
  for (let off = 0; off < whole; off += BLOCK_BYTES) compress(state, data, off, scratch);
  const tail = padTail(data.subarray(whole), data.length);
  for (let off = 0; off < tail.length; off += BLOCK_BYTES) compress(state, tail, off, scratch);
  return stateBytes(state);
}

/** A header prefix with its complete blocks already compressed. */
export interface HeaderMidstate {
  /** Chaining value after every complete 64-byte block of the prefix. */
  readonly state: Int32Array;
  /** The prefix bytes after those blocks (0..63 of them); the nonce follows them. */
  readonly rest: Uint8Array;
  /** Byte length of the whole header, nonce included. */
  readonly length: number;
}

export function headerMidstate(prefix: Uint8Array): HeaderMidstate {
  const scratch = newScratch();
  const state = IV.slice();
  const whole = prefix.length - (prefix.length % BLOCK_BYTES);
  for (let off = 0; off < whole; off += BLOCK_BYTES) compress(state, prefix, off, scratch);
  return { state, rest: prefix.slice(whole), length: prefix.length + NONCE_BYTES };
}

export function checkNonce(nonce: bigint): void {
  if (nonce < 0n || nonce >= NONCE_SPACE)
    throw new RangeError(`nonce out of the unsigned 64-bit range: ${nonce}`);
}

/** The padded tail of the header (rest of the prefix, nonce, padding): one or two blocks. */
export function headerTail(mid: HeaderMidstate, nonce: bigint): Uint8Array {
  checkNonce(nonce);
  const rest = new Uint8Array(mid.rest.length + NONCE_BYTES);
  rest.set(mid.rest);
  new DataView(rest.buffer).setBigUint64(mid.rest.length, nonce);
  return padTail(rest, mid.length);
}

/** SHA-256 of `prefix || nonce` from the prefix's midstate. */
export function headerDigest(
  mid: HeaderMidstate,
  nonce: bigint,
  scratch: Scratch = newScratch(),
): Uint8Array {
  const tail = headerTail(mid, nonce);
  const state = mid.state.slice();
  for (let off = 0; off < tail.length; off += BLOCK_BYTES) compress(state, tail, off, scratch);
  return stateBytes(state);
}
