import assert from 'node:assert/strict';
import { getDiffieHellman } from 'node:crypto';
import { describe, test } from 'node:test';
import { fromBytes, jacobi } from './bigint';
import { ValidationError } from './errors';
import { Group, RFC3526_MODP_2048 } from './group';
import { group } from './testing';

// Safe primes small enough to validate instantly (the validator's own logic is size-independent).
const SMALL = { p: 1019n, q: 509n, g: 4n }; // 1019 = 2·509 + 1, both prime
const tiny = (params: { p: bigint; q: bigint; g: bigint }) => Group.fromParams(params, { minBits: 8 });

function rejects(params: { p: bigint; q: bigint; g: bigint }, field: string, minBits = 8): void {
  assert.throws(
    () => Group.fromParams(params, { minBits }),
    (e: unknown) => e instanceof ValidationError && e.field === field,
  );
}

describe('group', () => {
  test('the default group is RFC 3526 group 14, as Node ships it, with g generating G_q', () => {
    assert.equal(RFC3526_MODP_2048.p, fromBytes(getDiffieHellman('modp14').getPrime()));
    assert.equal(group.p, 2n * group.q + 1n);
    assert.equal(jacobi(group.g, group.p), 1);
    assert.equal(group.pow(group.g, group.q), 1n);
    assert.equal(group.byteWidth, 256);
  });

  test('a valid custom group is accepted, including a full-size one (RFC 3526 with g = 4)', () => {
    assert.equal(tiny(SMALL).byteWidth, 2);
    const custom = Group.fromParams({ ...RFC3526_MODP_2048, g: 4n });
    assert.equal(custom.g, 4n);
  });

  test('custom parameters are refused with the field that is wrong', () => {
    rejects({ ...SMALL, g: 1n }, 'group.g');
    rejects({ ...SMALL, g: 2n }, 'group.g'); // 2 is a non-residue mod 1019
    rejects({ ...SMALL, g: SMALL.p - 1n }, 'group.g');
    rejects({ ...SMALL, g: SMALL.p + 4n }, 'group.g');
    rejects({ p: 1019n, q: 508n, g: 4n }, 'group.q'); // p ≠ 2q + 1
    rejects({ p: 1031n, q: 515n, g: 4n }, 'group.q'); // 515 = 5·103
    rejects({ p: 1043n, q: 521n, g: 4n }, 'group.p'); // q = 521 prime, p = 7·149
    rejects(SMALL, 'group.p', 2048); // too small for real use
  });

  test('membership: 0, 1, p − 1, p, p + 5 and a non-residue are refused; residues accepted', () => {
    const { p } = group;
    for (const x of [0n, 1n, p - 1n, p, p + 5n, -4n]) assert.equal(group.isElement(x), false, `x = ${x}`);
    let nonResidue = 3n;
    while (jacobi(nonResidue, p) !== -1) nonResidue++;
    assert.equal(group.isElement(nonResidue), false);
    assert.equal(group.isElement(group.g), true);
    assert.equal(group.isElement(group.powG(12345n)), true);
    assert.equal(group.isElement(p - group.g), false); // −g is a non-residue since −1 is one
  });

  test('scalars are exactly [0, q)', () => {
    assert.equal(group.isScalar(0n), true);
    assert.equal(group.isScalar(group.q - 1n), true);
    assert.equal(group.isScalar(group.q), false);
    assert.equal(group.isScalar(-1n), false);
  });

  test('fixed-base powers agree with the backend, and a g^−c shortcut with the inverse', () => {
    const e = group.q - 12345678901234567890n;
    assert.equal(group.powG(e), group.pow(group.g, e));
    assert.equal(group.mul(group.powGInverse(99n), group.powG(99n)), 1n);
    const h = group.powG(777n);
    assert.equal(group.fixedPow(h, e), group.pow(h, e));
    assert.equal(group.hasTable(h), false, 'a key nobody kept gets no table');
    group.keepTable(h);
    assert.equal(group.fixedPow(h, e), group.pow(h, e));
    assert.equal(group.hasTable(h), true);
  });

  test('with tablesAfter, a base earns its table only after that many exponentiations', () => {
    const counted = group.withTablesAfter(3);
    const e = group.q - 987654321n;
    for (let i = 0; i < 3; i++) {
      assert.equal(counted.powG(e), group.pow(group.g, e));
      assert.equal(counted.hasTable(counted.g), false);
    }
    assert.equal(counted.powG(e), group.pow(group.g, e));
    assert.equal(counted.hasTable(counted.g), true, 'built at the fourth');
    const h = group.powG(4242n);
    for (let i = 0; i < 5; i++) assert.equal(counted.fixedPow(h, e), group.pow(h, e));
    assert.equal(counted.hasTable(h), false, 'a key nobody kept never gets one');
  });

  test('only the two most recently kept election keys hold tables', () => {
    const keys = [11n, 12n, 13n].map((x) => group.powG(x));
    for (const h of keys) {
      group.keepTable(h);
      group.fixedPow(h, 5n);
    }
    assert.deepEqual(
      keys.map((h) => group.hasTable(h)),
      [false, true, true],
    );
    group.keepTable(keys[1]!); // kept again: the most recent, nothing rebuilt or dropped
    assert.deepEqual(
      keys.map((h) => group.hasTable(h)),
      [false, true, true],
    );
    assert.equal(group.hasTable(group.g), true, "g's table is never dropped");
  });
});
