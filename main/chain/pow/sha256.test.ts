import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { headerDigest, headerMidstate, NONCE_SPACE, sha256 } from './sha256';
import { bytesUpTo, patternBytes, referenceDigest, referenceHeaderDigest } from './test-helpers';

const nonces = fc.bigInt({ min: 0n, max: NONCE_SPACE - 1n });

describe('sha256', () => {
  it('matches node:crypto on the standard vectors', () => {
    const abc = new TextEncoder().encode('abc');
    assert.equal(
      Buffer.from(sha256(abc)).toString('hex'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    assert.equal(
      Buffer.from(sha256(new Uint8Array())).toString('hex'),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('matches node:crypto for any input', () => {
    fc.assert(
      fc.property(bytesUpTo(300), (data) => {
        assert.deepEqual(sha256(data), referenceDigest(data));
      }),
      { numRuns: 300 },
    );
  });
});

describe('headerDigest', () => {
  it('matches node:crypto for every prefix length 0..200', () => {
    for (let length = 0; length <= 200; length++) {
      const prefix = patternBytes(length, length);
      const mid = headerMidstate(prefix);
      for (const nonce of [0n, 0xffffffffn, 0x0123456789abcdefn, NONCE_SPACE - 1n]) {
        assert.deepEqual(headerDigest(mid, nonce), referenceHeaderDigest(prefix, nonce), `length ${length}`);
      }
    }
  });

  it('matches node:crypto for random prefixes and nonces', () => {
    fc.assert(
      fc.property(bytesUpTo(200), nonces, (prefix, nonce) => {
        assert.deepEqual(headerDigest(headerMidstate(prefix), nonce), referenceHeaderDigest(prefix, nonce));
      }),
      { numRuns: 500 },
    );
  });

  it('rejects nonces outside 64 bits', () => {
    const mid = headerMidstate(new Uint8Array(10));
    assert.throws(() => headerDigest(mid, -1n), RangeError);
    assert.throws(() => headerDigest(mid, NONCE_SPACE), RangeError);
  });
});
