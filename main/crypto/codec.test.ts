import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptBallot } from './ballot';
import {
  encodeBallot,
  encodeCiphertext,
  encodeDecryptionFactor,
  encodeGroup,
  encodeTallierKey,
  parseBallot,
  parseCiphertext,
  parseDecryptionFactor,
  parseGroupParams,
  parseTallierKey,
} from './codec';
import { ValidationError } from './errors';
import { Group } from './group';
import { electionKey } from './tallier';
import { context, group, talliers } from './testing';

/** Asserts that parsing fails and names exactly `field`. */
function refuses(parse: () => unknown, field: string, reason?: RegExp): void {
  assert.throws(parse, (e: unknown) => {
    assert.ok(e instanceof ValidationError, String(e));
    assert.equal(e.field, field);
    if (reason) assert.match(e.reason, reason);
    return true;
  });
}

describe('canonical JSON', () => {
  const { secrets, keys } = talliers(1);
  const h = electionKey(group, context, keys);
  const ballot = encryptBallot(group, context, h, 1);
  const wire = encodeBallot(group, ballot);
  const factor = secrets[0]!.decryptionFactor(context, [ballot]);
  const hex = group.byteWidth * 2;

  test('encode → JSON text → parse is the identity for every object', () => {
    const viaText = <T>(v: T): unknown => JSON.parse(JSON.stringify(v));
    assert.deepEqual(parseBallot(group, viaText(wire)), ballot);
    assert.deepEqual(parseTallierKey(group, viaText(encodeTallierKey(group, keys[0]!))), keys[0]);
    assert.deepEqual(parseDecryptionFactor(group, viaText(encodeDecryptionFactor(group, factor))), factor);
    assert.deepEqual(parseCiphertext(group, viaText(encodeCiphertext(group, ballot))), {
      alpha: ballot.alpha,
      beta: ballot.beta,
    });
    const params = parseGroupParams(viaText(encodeGroup(group)));
    assert.ok(Group.fromParams(params).equals(group));
  });

  test('numbers are fixed-width lowercase hex: 512 digits for elements and scalars, 64 for challenges', () => {
    assert.equal(wire.alpha.length, hex);
    assert.equal(wire.proof[0].response.length, hex);
    assert.equal(wire.proof[0].challenge.length, 64);
    assert.match(JSON.stringify(wire), /^[^A-F]*$/);
  });

  test('non-canonical numbers are refused, naming the field', () => {
    const { alpha } = wire;
    const bad: Array<[unknown, RegExp]> = [
      [alpha.toUpperCase(), /lowercase hex/],
      [alpha.slice(1), /exactly 512/],
      [`0${alpha}`, /exactly 512/],
      [`0x${alpha.slice(2)}`, /lowercase hex/],
      [` ${alpha.slice(1)}`, /lowercase hex/],
      [Number.parseInt(alpha.slice(0, 8), 16), /string/],
      [null, /string/],
    ];
    for (const [value, reason] of bad)
      refuses(() => parseBallot(group, { ...wire, alpha: value }), 'ballot.alpha', reason);
    const challenge = wire.proof[1].challenge;
    const proof = (c: unknown) => [wire.proof[0], { ...wire.proof[1], challenge: c }];
    refuses(
      () => parseBallot(group, { ...wire, proof: proof(`${challenge}0`) }),
      'ballot.proof[1].challenge',
    );
    refuses(
      () => parseBallot(group, { ...wire, proof: proof(challenge.toUpperCase()) }),
      'ballot.proof[1].challenge',
    );
  });

  test('elements outside G_q and scalars ≥ q are refused', () => {
    const { p, q } = group;
    const h = (x: bigint) => x.toString(16).padStart(hex, '0');
    for (const x of [0n, 1n, p - 1n, group.p - group.g]) {
      refuses(() => parseBallot(group, { ...wire, beta: h(x) }), 'ballot.beta', /not an element/);
    }
    refuses(() => parseBallot(group, { ...wire, beta: 'f'.repeat(hex) }), 'ballot.beta', /not an element/); // ≥ p
    const proof = [wire.proof[0], { ...wire.proof[1], response: h(q) }];
    refuses(() => parseBallot(group, { ...wire, proof }), 'ballot.proof[1].response', /below q/);
  });

  test('shapes: missing, unknown and mistyped fields are refused', () => {
    const { beta: _beta, ...missing } = wire;
    refuses(() => parseBallot(group, missing), 'ballot.beta', /missing/);
    refuses(() => parseBallot(group, { ...wire, extra: 1 }), 'ballot.extra', /not an allowed field/);
    // A key from outside is quoted in the message: its control characters cannot reach a terminal.
    refuses(
      () => parseBallot(group, { ...wire, 'x\u001b[2J': 1 }),
      'ballot["x\\u001b[2J"]',
      /not an allowed field/,
    );
    refuses(() => parseBallot(group, [wire]), 'ballot', /JSON object/);
    refuses(() => parseBallot(group, 'ballot'), 'ballot', /JSON object/);
    refuses(() => parseBallot(group, { ...wire, proof: [wire.proof[0]] }), 'ballot.proof', /two branches/);
    refuses(
      () => parseBallot(group, { ...wire, proof: [wire.proof[0], wire.proof[1], wire.proof[1]] }),
      'ballot.proof',
    );
    const tallierWire = encodeTallierKey(group, keys[0]!);
    refuses(
      () => parseTallierKey(group, { ...tallierWire, pk_pok: { ...tallierWire.pk_pok, nonce: '00' } }),
      'tallier_key.pk_pok.nonce',
    );
  });

  test('group parameters: equal widths, no leading zero byte', () => {
    const g = encodeGroup(group);
    refuses(() => parseGroupParams({ ...g, p: `00${g.p}` }), 'group.p', /leading zero/);
    refuses(() => parseGroupParams({ ...g, g: '02' }), 'group.g', /exactly 512/);
    refuses(() => parseGroupParams({ ...g, p: 'abc' }), 'group.p');
  });
});
