// Shared fixtures for the crypto tests (not part of the library's API).
import { createHash, randomBytes } from 'node:crypto';
import { fromBytes, toBytes } from './bigint';
import { Group } from './group';
import { TallierSecretKey } from './tallier';
import type { TallierPublicKey } from './types';

export const group = Group.default();
export const context = new Uint8Array(randomBytes(32));

export function talliers(n: number): { secrets: TallierSecretKey[]; keys: TallierPublicKey[] } {
  const secrets = Array.from({ length: n }, () => TallierSecretKey.generate(group));
  return { secrets, keys: secrets.map((s) => s.provePossession(context)) };
}

/** Helios' weak Fiat–Shamir: a hash of the commitments alone, as the forgery tests need it. */
export function weakChallenge(values: readonly bigint[]): bigint {
  const hash = createHash('sha256');
  for (const v of values) hash.update(toBytes(v, group.byteWidth));
  return fromBytes(hash.digest());
}

/**
 * F(b_1) ‖ … ‖ F(b_n) in hex, F(b) = u32be(len(b)) ‖ b, from a vector file's listed fields: the
 * framing recomputed here, not taken from the code that wrote the file.
 */
export function framedHex(fields: readonly { readonly bytes: string }[]): string {
  const framed = fields.map((f) => {
    const bytes = Buffer.from(f.bytes, 'hex');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  });
  return Buffer.concat(framed).toString('hex');
}

/** Flips the lowest bit of a fixed-width hex string, keeping it canonical in form. */
export function flipHex(hex: string): string {
  const last = Number.parseInt(hex.at(-1)!, 16) ^ 1;
  return hex.slice(0, -1) + last.toString(16);
}
