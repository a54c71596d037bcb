import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { ValidationError } from '../crypto/errors';
import { baseUrl, onionAddressFromPublicKey, parsePeerAddress } from './address';

/** Published v3 addresses (the Tor Project's website, DuckDuckGo). */
const TOR_PROJECT = '2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion';
const DUCKDUCKGO = 'duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion';

/** An encoder written independently of address.ts, straight from rend-spec-v3 §6. */
function encodeOnion(publicKey: Buffer, version = 3, corruptChecksum = false): string {
  const checksum = createHash('sha3-256')
    .update(Buffer.concat([Buffer.from('.onion checksum'), publicKey, Buffer.from([version])]))
    .digest()
    .subarray(0, 2);
  if (corruptChecksum) checksum[0]! ^= 1;
  const bytes = Buffer.concat([publicKey, checksum, Buffer.from([version])]);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[Number.parseInt(bits.slice(i, i + 5), 2)];
  return `${out}.onion`;
}

function randomPublicKey(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  // The SPKI DER of an ed25519 key ends with the 32 raw key bytes.
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
}

const refused = (value: unknown, reason: RegExp) =>
  assert.throws(
    () => parsePeerAddress(value, 'peer'),
    (e: unknown) => e instanceof ValidationError && e.field === 'peer' && reason.test(e.reason),
    `${JSON.stringify(value)} should be refused with ${reason}`,
  );

describe('peer addresses', () => {
  test('published onion v3 addresses are accepted, with port 80 by default', () => {
    for (const name of [TOR_PROJECT, DUCKDUCKGO]) {
      assert.deepEqual(parsePeerAddress(name), { address: name, kind: 'onion', host: name, port: 80 });
      assert.equal(parsePeerAddress(`${name}:80`).address, name);
      assert.deepEqual(parsePeerAddress(`${name}:8080`), {
        address: `${name}:8080`,
        kind: 'onion',
        host: name,
        port: 8080,
      });
    }
    assert.equal(parsePeerAddress(TOR_PROJECT.toUpperCase()).address, TOR_PROJECT, 'lowercased');
    assert.equal(baseUrl(TOR_PROJECT), `http://${TOR_PROJECT}:80`);
  });

  test('addresses of random ed25519 keys are accepted; the encoder agrees with an independent one', () => {
    for (let i = 0; i < 5; i++) {
      const key = randomPublicKey();
      const name = encodeOnion(key);
      assert.equal(onionAddressFromPublicKey(key), name);
      assert.equal(parsePeerAddress(name).address, name);
    }
  });

  test('a wrong checksum, a wrong version or a wrong length is refused', () => {
    const key = randomPublicKey();
    refused(encodeOnion(key, 3, true), /checksum/);
    refused(encodeOnion(key, 2), /version 2/);
    // One character changed: the checksum no longer matches.
    const name = encodeOnion(key);
    const typo = `${name[0] === 'a' ? 'b' : 'a'}${name.slice(1)}`;
    refused(typo, /checksum/);
    refused('expyuzz4wqqyqhjn.onion', /v2/);
    refused(`${name.slice(0, 55)}.onion`, /56 characters/);
    refused(`${name.slice(0, 55)}1.onion`, /base32/);
    refused(`www.${name}`, /subdomains/);
    refused('.onion', /nothing before/);
  });

  test('loopback addresses need a port and are normalised', () => {
    assert.deepEqual(parsePeerAddress('127.0.0.1:8080'), {
      address: '127.0.0.1:8080',
      kind: 'loopback',
      host: '127.0.0.1',
      port: 8080,
    });
    assert.equal(parsePeerAddress('127.1.2.3:1').address, '127.1.2.3:1');
    assert.equal(parsePeerAddress('localhost:65535').address, '127.0.0.1:65535');
    assert.equal(parsePeerAddress('LocalHost:9').address, '127.0.0.1:9');
    assert.deepEqual(parsePeerAddress('[::1]:3000'), {
      address: '[::1]:3000',
      kind: 'loopback',
      host: '::1',
      port: 3000,
    });
    assert.equal(baseUrl('[::1]:3000'), 'http://[::1]:3000');
    assert.equal(baseUrl(parsePeerAddress('localhost:4000')), 'http://127.0.0.1:4000');
    refused('127.0.0.1', /needs a port/);
    refused('localhost', /needs a port/);
    refused('[::1]', /needs a port/);
  });

  test('bad ports are refused', () => {
    for (const port of ['0', '65536', '080', '-1', '1e3', '', 'http', '99999999'])
      refused(`127.0.0.1:${port}`, /port/);
    refused(`${TOR_PROJECT}:0`, /port/);
  });

  test('other hosts, IPs, schemes, paths and whitespace are refused', () => {
    refused('example.com:80', /onion v3 address .* or a loopback/);
    refused('example.com', /onion v3 address .* or a loopback/);
    refused('10.0.0.1:80', /loopback/);
    refused('192.168.1.1:8080', /loopback/);
    refused('0.0.0.0:80', /loopback/);
    refused('128.0.0.1:80', /loopback/);
    refused('127.0.0.256:80', /IPv4/);
    refused('127.0.0.01:80', /IPv4/);
    refused('[::2]:80', /loopback/);
    refused('::1:80', /brackets/);
    refused('[::1:80', /unclosed/);
    refused(`http://${TOR_PROJECT}`, /scheme/);
    refused(`${TOR_PROJECT}/v1/status`, /path/);
    refused('user@127.0.0.1:80', /user/);
    refused(` ${TOR_PROJECT}`, /whitespace/);
    refused(`${TOR_PROJECT}\n`, /whitespace/);
    refused('127.0.0.1:80 ', /whitespace/);
    refused('', /empty/);
    refused('a'.repeat(101), /longer than/);
    refused(42, /string/);
    refused(null, /string/);
  });
});
