// The join form's check of invitation links (renderer/lib/validate.ts, in the browser: no Node
// crypto) against the engine's (main/net/invitation.ts): every text one accepts, the other accepts
// with the same election id, and every text the form refuses the engine refuses too.
// The engine alone verifies an onion address's checksum, so the form may let a mistyped one through.
import { expect, test } from '@playwright/test';
import { onionAddressFromPublicKey } from '../main/net/address';
import { parseInvitation } from '../main/net/invitation';
import { readInvitation } from '../renderer/lib/validate';

const onion = onionAddressFromPublicKey(new Uint8Array(32).fill(7));
const id = 'a1'.repeat(32);

const TEXTS = [
  `onion-election://join/${onion}`,
  `onion-election://join/${onion}/`,
  `onion-election://join/${onion}?election=${id}`,
  `ONION-ELECTION://join/${onion.toUpperCase()}?election=${id}`,
  `onion-election://join/${onion}:8080?election=${id}`,
  'onion-election://join/127.0.0.1:7001',
  'onion-election://join/127.0.0.1%3A7001',
  'onion-election://join/localhost:7001?election=',
  'onion-election://join/127.0.0.1:7001?election=XYZ',
  `onion-election://join/127.0.0.1:7001?election=${id.toUpperCase()}`,
  'onion-election://join/%E0%A4%A',
  'onion-election://join/',
  'onion-election://join/abc.onion',
  'onion-election://vote/127.0.0.1:7001',
  'onion-election:join/127.0.0.1:7001',
  `  ${onion}  `,
  `${onion}:80`,
  `http://${onion}/`,
  `https://${onion}/some/page?x=1`,
  'http://127.0.0.1:7001/',
  'HTTP://localhost:7001',
  'http://[::1]:7001/',
  '127.0.0.1:7001',
  '127.0.0.1',
  '127.0.0.1:0',
  '127.0.0.1:65536',
  'example.com:80',
  'ftp://127.0.0.1:7001/',
  'file:///etc/passwd',
  'abc.onion',
  `${onion.slice(0, 16)}.onion`,
  '',
  '   ',
  `onion-election://join/${'a'.repeat(300)}`,
];

test('the join form reads invitation links as the engine does', () => {
  for (const text of TEXTS) {
    let engine: { address: string; electionId?: string } | string;
    try {
      engine = parseInvitation(text, 'peer');
    } catch (error) {
      engine = (error as Error).message;
    }
    const form = readInvitation(text);
    if ('problem' in form) {
      expect(
        typeof engine,
        `${JSON.stringify(text)}: refused by the form (${form.problem}), not by the engine`,
      ).toBe('string');
    } else {
      expect(
        typeof engine,
        `${JSON.stringify(text)}: taken by the form, refused by the engine (${engine})`,
      ).toBe('object');
      // The same election id; the address as typed (the engine also makes it canonical: no :80, …).
      expect((engine as { electionId?: string }).electionId, JSON.stringify(text)).toBe(form.electionId);
    }
  }
});

test('the form lets through only what the engine alone can tell: a wrong onion checksum', () => {
  // One letter changed: the shape is right, the checksum is not.
  const typo = `${onion.slice(0, 10)}${onion[10] === 'a' ? 'b' : 'a'}${onion.slice(11)}`;
  expect(readInvitation(`onion-election://join/${typo}`)).toEqual({ address: typo });
  expect(() => parseInvitation(`onion-election://join/${typo}`, 'peer')).toThrow(/checksum/);
});
