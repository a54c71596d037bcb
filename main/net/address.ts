// Peer addresses: what a runner may connect to. Only two kinds exist. An onion v3 address is how
// peers reach each other; a loopback address is for test networks on one machine. Anything else (a
// hostname, another IP) would make this runner connect outside Tor and reveal where it is, so it
// is refused here, before it can reach the peer book or the client.
//
// An onion v3 address is base32(pubkey (32) ‖ checksum (2) ‖ version (1) = 0x03) + ".onion", with
// checksum = SHA3-256(".onion checksum" ‖ pubkey ‖ version)[0..2] (Tor's rend-spec-v3 §6). The
// checksum catches a mistyped address before any circuit is built for it.
import { createHash } from 'node:crypto';
import { check, ValidationError } from '../crypto/errors';

export interface PeerAddress {
  /** The canonical form: lowercase, `:80` left out of onion addresses. One string per peer. */
  readonly address: string;
  readonly kind: 'onion' | 'loopback';
  /** For connecting: the onion name, `127.x.y.z`, or `::1` (without brackets). */
  readonly host: string;
  readonly port: number;
}

const ONION_LABEL_CHARS = 56;
const ONION_VERSION = 3;
const ONION_DEFAULT_PORT = 80;
/** Longer than any valid address (`[56 chars].onion:65535` is 68), short enough to refuse junk early. */
const MAX_ADDRESS_CHARS = 100;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * Validates and normalises a peer address: `<56 base32>.onion[:port]` (default port 80, checksum
 * verified), or `127.x.y.z:port`, `localhost:port` (read as 127.0.0.1), `[::1]:port`. Throws a
 * ValidationError naming `field` and saying what is wrong.
 */
export function parsePeerAddress(value: unknown, field = 'address'): PeerAddress {
  check(typeof value === 'string', field, 'must be a string');
  check(value.length > 0, field, 'is empty');
  check(value.length <= MAX_ADDRESS_CHARS, field, `is longer than ${MAX_ADDRESS_CHARS} characters`);
  check(!/\s/.test(value), field, 'must not contain whitespace');
  check(!value.includes('://'), field, 'must be a bare address (host:port) without a scheme like http://');
  check(!/[/?#@\\]/.test(value), field, 'must be a bare address (host:port) without a path, query or user');

  const { host, port } = splitHostPort(value, field);
  const lower = host.toLowerCase();
  if (lower.endsWith('.onion')) return parseOnion(lower.slice(0, -'.onion'.length), port, field);
  if (lower === 'localhost') return loopback('127.0.0.1', port, field);
  if (lower === '::1') return loopback('::1', port, field);
  if (/^127\.\d+\.\d+\.\d+$/.test(lower)) {
    const octets = lower.split('.');
    check(
      octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255),
      field,
      'is not a valid IPv4 address (octets 0–255, no leading zeros)',
    );
    return loopback(lower, port, field);
  }
  throw new ValidationError(
    field,
    'must be an onion v3 address (56 characters + ".onion") or a loopback address (127.x.y.z:port, ' +
      'localhost:port, [::1]:port); other hosts and IP addresses would be reached outside Tor',
  );
}

/** `http://host:port` for an address (a string is parsed first). */
export function baseUrl(address: PeerAddress | string): string {
  const a = typeof address === 'string' ? parsePeerAddress(address) : address;
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return `http://${host}:${a.port}`;
}

/** The onion v3 address (without port) of an ed25519 public key. */
export function onionAddressFromPublicKey(publicKey: Uint8Array): string {
  check(publicKey.length === 32, 'publicKey', 'must be 32 bytes');
  const version = Buffer.from([ONION_VERSION]);
  const bytes = Buffer.concat([publicKey, onionChecksum(publicKey, version), version]);
  return `${base32Encode(bytes)}.onion`;
}

function splitHostPort(value: string, field: string): { host: string; port: string | undefined } {
  if (value.startsWith('[')) {
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(value);
    check(m !== null, field, 'has an unclosed "[" or text after "]" that is not ":port"');
    return { host: m[1]!, port: m[2] };
  }
  const colons = value.split(':').length - 1;
  check(colons <= 1, field, 'an IPv6 address must be written in brackets, like [::1]:8080');
  const i = value.indexOf(':');
  return i < 0 ? { host: value, port: undefined } : { host: value.slice(0, i), port: value.slice(i + 1) };
}

function parsePort(port: string | undefined, field: string, fallback?: number): number {
  if (port === undefined) {
    check(fallback !== undefined, field, 'needs a port, like 127.0.0.1:8080');
    return fallback;
  }
  check(
    /^[1-9]\d{0,4}$/.test(port) && Number(port) <= 65535,
    field,
    'has an invalid port (a whole number 1–65535, no leading zeros)',
  );
  return Number(port);
}

function parseOnion(label: string, portText: string | undefined, field: string): PeerAddress {
  check(label.length > 0, field, 'has nothing before ".onion"');
  check(!label.includes('.'), field, 'must be an onion address without subdomains');
  check(
    label.length !== 16,
    field,
    'is an onion v2 address (16 characters), which Tor no longer supports; use a v3 address (56 characters)',
  );
  check(
    label.length === ONION_LABEL_CHARS,
    field,
    `must have ${ONION_LABEL_CHARS} characters before ".onion" (an onion v3 address), not ${label.length}`,
  );
  check(/^[a-z2-7]+$/.test(label), field, 'is not base32 (letters a–z and digits 2–7) before ".onion"');
  const bytes = base32Decode(label);
  const publicKey = bytes.subarray(0, 32);
  const checksum = bytes.subarray(32, 34);
  const version = bytes.subarray(34, 35);
  check(version[0] === ONION_VERSION, field, `has onion version ${version[0]}, not ${ONION_VERSION}`);
  check(
    onionChecksum(publicKey, version).equals(checksum),
    field,
    'has a wrong onion checksum: the address is mistyped or corrupted',
  );
  const port = parsePort(portText, field, ONION_DEFAULT_PORT);
  const host = `${label}.onion`;
  return { address: port === ONION_DEFAULT_PORT ? host : `${host}:${port}`, kind: 'onion', host, port };
}

function loopback(host: string, portText: string | undefined, field: string): PeerAddress {
  const port = parsePort(portText, field);
  const shown = host.includes(':') ? `[${host}]` : host;
  return { address: `${shown}:${port}`, kind: 'loopback', host, port };
}

function onionChecksum(publicKey: Uint8Array, version: Uint8Array): Buffer {
  return createHash('sha3-256')
    .update('.onion checksum')
    .update(publicKey)
    .update(version)
    .digest()
    .subarray(0, 2);
}

/** RFC 4648 base32, lowercase, for a length that is a multiple of 5 bytes (no padding). */
function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/** Decodes a base32 string whose length is a multiple of 8 characters (checked by the caller). */
function base32Decode(text: string): Buffer {
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const char of text) {
    acc = (acc << 5) | BASE32.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  return Buffer.from(out);
}
