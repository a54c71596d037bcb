import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onionAddressFromPublicKey } from '../../main/net/address';
import { parseInvitation } from '../../main/net/invitation';
import { explainError } from './errors';
import { checkPeerAddress, parsePeerList, readInvitation } from './validate';

const onion = onionAddressFromPublicKey(new Uint8Array(32).fill(3));

test('parsePeerList cleans up pasted links and URLs to the address the engine keeps', () => {
  const pasted = [
    `  http://${onion}/  `,
    `${onion}:80`,
    `onion-election://join/${onion}?election=${'a1'.repeat(32)}`,
    'https://127.0.0.1:7005/some/page',
    'onion-election://join/127.0.0.1%3A7006',
  ].join('\n');
  assert.deepEqual(parsePeerList(pasted), [
    { address: onion, problem: undefined },
    { address: '127.0.0.1:7005', problem: undefined },
    { address: '127.0.0.1:7006', problem: undefined },
  ]);
  // Each is what the engine's own reading (main/net/invitation.ts) gives.
  for (const { address } of parsePeerList(pasted)) assert.equal(parseInvitation(address).address, address);
});

test('parsePeerList keeps what it cannot read as typed, with the problem', () => {
  assert.deepEqual(parsePeerList('example.com:80'), [
    {
      address: 'example.com:80',
      problem:
        'That is not an address: paste the invitation link, or an address of 56 letters and digits ending in .onion (127.0.0.1:PORT for a test on this computer).',
    },
  ]);
});

test('readInvitation writes an onion address as the engine does: lowercase, :80 left out', () => {
  assert.deepEqual(readInvitation(`${onion.toUpperCase()}:80`), { address: onion });
  assert.deepEqual(readInvitation(`${onion}:8080`), { address: `${onion}:8080` });
});

test('checkPeerAddress: text that is no address says what to paste', () => {
  assert.match(checkPeerAddress('not an address')!, /^That is not an address: paste the invitation link/);
});

test('explainError: a peer out of reach in one sentence, the engine’s words kept as details', () => {
  const refused =
    'no peer gave a valid genesis (127.0.0.1:7199: genesis 127.0.0.1:7199: connection refused (is the runner running?))';
  assert.deepEqual(explainError(refused), {
    sentence: 'Nothing answered at that address. Check the address, and that the runner there is running.',
    details: refused,
  });
  assert.match(explainError('genesis x.onion: no answer within 60000 ms').sentence, /did not answer in time/);
  assert.match(
    explainError('Tor could not connect: Socks5 proxy rejected connection').sentence,
    /^Tor could not reach/,
  );
  // A message already meant for the user stays as it is, without details.
  const other = '127.0.0.1:7001 now serves another election (abcd…): not joined';
  assert.deepEqual(explainError(other), { sentence: other });
});
