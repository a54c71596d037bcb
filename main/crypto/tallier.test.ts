import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { encodeTallierKey, parseTallierKey } from './codec';
import { ValidationError } from './errors';
import { electionKey, TallierSecretKey, verifyPkPok } from './tallier';
import { context, flipHex, group, talliers } from './testing';

const fails = (fn: () => unknown, field: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && field.test(e.field));

describe('tallier keys and pk_pok', () => {
  const { secrets, keys } = talliers(3);

  test('an honest pk_pok verifies, through its canonical JSON too', () => {
    for (const key of keys) verifyPkPok(group, context, key);
    const wire = JSON.parse(JSON.stringify(encodeTallierKey(group, keys[0]!)));
    verifyPkPok(group, context, parseTallierKey(group, wire));
  });

  test('each field altered: the proof fails, or the value is no longer a group element', () => {
    const wire = encodeTallierKey(group, keys[0]!);
    const variants = [
      { ...wire, pk: encodeTallierKey(group, keys[1]!).pk },
      {
        ...wire,
        pk_pok: { ...wire.pk_pok, commitment: encodeTallierKey(group, keys[1]!).pk_pok.commitment },
      },
      { ...wire, pk_pok: { ...wire.pk_pok, challenge: flipHex(wire.pk_pok.challenge) } },
      { ...wire, pk_pok: { ...wire.pk_pok, response: flipHex(wire.pk_pok.response) } },
    ];
    for (const variant of variants) {
      fails(() => verifyPkPok(group, context, parseTallierKey(group, variant)), /^tallier_key|^pk_pok/);
    }
  });

  test('a proof made for another election context fails', () => {
    fails(() => verifyPkPok(group, new Uint8Array(32), keys[0]!), /pk_pok\.challenge/);
  });

  test('a public key claimed without its secret (rogue key g^x / Π others) cannot carry a pk_pok', () => {
    const attacker = TallierSecretKey.generate(group);
    const others = keys[0]!.pk * keys[1]!.pk;
    const rogue = group.mul(attacker.publicKey, group.inverse(others % group.p));
    const borrowed = attacker.provePossession(context).pkPok;
    fails(
      () => electionKey(group, context, [keys[0]!, keys[1]!, { pk: rogue, pkPok: borrowed }]),
      /talliers\[2\]/,
    );
  });

  test('the election key is the product of the keys, refusing duplicates', () => {
    const h = electionKey(group, context, keys);
    assert.equal(h, group.mul(group.mul(keys[0]!.pk, keys[1]!.pk), keys[2]!.pk));
    fails(() => electionKey(group, context, [keys[0]!, keys[0]!]), /talliers\[1\]\.pk/);
    fails(() => electionKey(group, context, []), /talliers/);
  });

  test('the secret key never prints or serialises by accident, and restores exactly', () => {
    const secret = secrets[0]!;
    const x = secret.exportSecret().toString(16);
    assert.ok(!inspect(secret).includes(x));
    assert.ok(!inspect(secret, { showHidden: true, depth: 5 }).includes(x.slice(0, 20)));
    assert.throws(() => JSON.stringify({ secret }), /never serialised/);
    assert.equal(TallierSecretKey.fromSecret(group, secret.exportSecret()).publicKey, secret.publicKey);
    assert.throws(() => TallierSecretKey.fromSecret(group, 0n), ValidationError);
    assert.throws(() => TallierSecretKey.fromSecret(group, group.q), ValidationError);
  });

  test('secret exponents (the key, every nonce) never go through the variable-time fixed-base table', () => {
    const powG = group.powG;
    const used: bigint[] = [];
    // Record every exponent that reaches the table while the key works.
    group.powG = (exponent: bigint) => {
      used.push(exponent);
      return powG.call(group, exponent);
    };
    try {
      const key = TallierSecretKey.generate(group);
      const proven = key.provePossession(context);
      const tally = { alpha: group.powSecret(5n), beta: group.powSecret(7n) };
      key.decryptionFactor(context, [tally], 'ab'.repeat(32));
      key.accept(context, 'ab'.repeat(32), 1);
      // Threshold talliers: the polynomial, the ephemeral, and a share received (opened, and used
      // to stand in for its dealer) are secrets too.
      const other = TallierSecretKey.generate(group);
      group.powG = powG;
      const talliers = [key.publicKey, other.publicKey];
      const dealing = other.deal(context, talliers, 2);
      group.powG = (exponent: bigint) => {
        used.push(exponent);
        return powG.call(group, exponent);
      };
      key.deal(context, talliers, 2);
      assert.ok(key.openShare(context, dealing, talliers).ok);
      key.compensatedFactor(context, dealing, talliers, [tally], 'ab'.repeat(32));
      key.complain(context, dealing);
      assert.equal(used.length, 0, 'no secret exponent reached powG');
      verifyPkPok(group, context, proven); // verification (public exponents) may use the table
      assert.ok(used.length > 0);
    } finally {
      group.powG = powG;
    }
  });
});
