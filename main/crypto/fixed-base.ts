// Fixed-base exponentiation for the two bases of nearly every exponentiation: the generator g
// and an election key h. A table of base^(d·256^i) for every byte position i and byte value d
// turns an exponentiation into one multiplication per exponent byte: ~256 multiplications for a
// 2048-bit exponent (~1.4 ms here) instead of ~2,300 (bigint, ~16 ms) or OpenSSL's ~2 ms; and a
// 256-bit challenge costs only 32. Cost: ~17 MB and ~0.35 s to build, once per base.
//
// Side channels: table rows are selected by secret exponent bytes (nonces). JavaScript bigint
// arithmetic is not constant-time anyway; see docs/CRYPTO.md, "Threat model".

export class FixedBaseTable {
  /** rows[i][d − 1] = base^(d · 256^i) mod p, for d in 1..255. */
  private readonly rows: bigint[][];

  constructor(
    readonly base: bigint,
    private readonly p: bigint,
    /** The largest exponent size supported, in bytes. */
    readonly maxBytes: number,
  ) {
    this.rows = [];
    let rowBase = base % p; // base^(256^i)
    for (let i = 0; i < maxBytes; i++) {
      const row = [rowBase];
      for (let d = 2; d <= 255; d++) row.push((row[d - 2]! * rowBase) % p);
      this.rows.push(row);
      rowBase = (row[254]! * rowBase) % p;
    }
  }

  pow(exponent: bigint): bigint {
    if (exponent < 0n) throw new RangeError('negative exponent');
    const hex = exponent.toString(16);
    const bytes = Math.ceil(hex.length / 2);
    if (bytes > this.maxBytes) throw new RangeError(`exponent larger than ${this.maxBytes} bytes`);
    let result = 1n;
    // Byte i (little-endian position) sits at hex[len−2i−2 .. len−2i].
    for (let i = 0, end = hex.length; i < bytes; i++, end -= 2) {
      const digit = Number.parseInt(hex.slice(Math.max(0, end - 2), end), 16);
      if (digit !== 0) result = (result * this.rows[i]![digit - 1]!) % this.p;
    }
    return result;
  }
}
