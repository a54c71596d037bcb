// The one byte-framing used by every hash in the protocol: Fiat–Shamir challenges, block headers,
// payloads and the genesis. A field is F(b) = u32be(len(b)) ‖ b; integers of known size are
// written as fixed-width big-endian bytes. Length prefixes make every concatenation unambiguous.
import { createHash, type Hash } from 'node:crypto';

/** u32(n): n as 4 big-endian bytes (a bound field of a challenge, a count in a frame). */
export function u32(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export class Framer {
  private readonly hash: Hash = createHash('sha256');
  private readonly chunks: Uint8Array[] | undefined;

  /** `keepBytes` also collects the framed bytes (for block headers, which are mined, not just hashed). */
  constructor(keepBytes = false) {
    this.chunks = keepBytes ? [] : undefined;
  }

  private write(bytes: Uint8Array): this {
    this.hash.update(bytes);
    this.chunks?.push(bytes);
    return this;
  }

  /** F(b) = u32be(len(b)) ‖ b. */
  field(bytes: Uint8Array): this {
    return this.u32(bytes.length).write(bytes);
  }

  /** F(ASCII/UTF-8 bytes of s). */
  text(s: string): this {
    return this.field(Buffer.from(s, 'utf8'));
  }

  /** Raw bytes of a length both sides know (e.g. a 32-byte hash). */
  raw(bytes: Uint8Array): this {
    return this.write(bytes);
  }

  u32(n: number): this {
    return this.write(u32(n));
  }

  u64(n: bigint | number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    return this.write(b);
  }

  /** SHA-256 of everything written. */
  digest(): Buffer {
    return this.hash.digest();
  }

  /** Everything written, concatenated (only with keepBytes). */
  bytes(): Buffer {
    if (!this.chunks) throw new Error('this Framer does not keep its bytes');
    return Buffer.concat(this.chunks);
  }
}
