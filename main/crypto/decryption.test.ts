import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptBallot, tallyBallots } from './ballot';
import { mod, modInverse } from './bigint';
import { encodeDecryptionFactor, parseDecryptionFactor } from './codec';
import { decryptTally, discreteLogBounded, verifyDecryptionFactor, yesNoResult } from './decryption';
import { ValidationError } from './errors';
import { systemRandomness } from './random';
import { electionKey } from './tallier';
import { context, flipHex, group, talliers, weakChallenge } from './testing';
import type { DecryptionFactor } from './types';

const fails = (fn: () => unknown, field: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && field.test(e.field));

describe('decryption factors and the result', () => {
  const { secrets, keys } = talliers(3);
  const h = electionKey(group, context, keys);
  const pks = keys.map((k) => k.pk);
  const votes = [1, 0, 1, 1, 0] as const;
  const tally = tallyBallots(
    group,
    votes.map((v) => encryptBallot(group, context, h, v)),
  );
  const factors = secrets.map((s) => s.decryptionFactor(context, [tally]));

  test('honest factors verify and decrypt to the count', () => {
    for (const f of factors) verifyDecryptionFactor(group, context, [tally], f);
    const counts = decryptTally(group, context, [tally], votes.length, pks, factors);
    assert.deepEqual(yesNoResult(counts, votes.length), { yes: 3, no: 2, total: 5 });
    assert.deepEqual(decryptTally(group, context, [tally], 5, pks, [...factors].reverse()), [3]);
  });

  test('each field altered fails', () => {
    const wire = encodeDecryptionFactor(group, factors[0]!);
    const other = encodeDecryptionFactor(group, factors[1]!);
    const variants = [
      { ...wire, pk: other.pk },
      { ...wire, factor: other.factor },
      { ...wire, dec_factor_poc: { ...wire.dec_factor_poc, a: other.dec_factor_poc.a } },
      { ...wire, dec_factor_poc: { ...wire.dec_factor_poc, b: other.dec_factor_poc.b } },
      {
        ...wire,
        dec_factor_poc: { ...wire.dec_factor_poc, challenge: flipHex(wire.dec_factor_poc.challenge) },
      },
      {
        ...wire,
        dec_factor_poc: { ...wire.dec_factor_poc, response: flipHex(wire.dec_factor_poc.response) },
      },
    ];
    for (const v of variants) {
      fails(
        () => verifyDecryptionFactor(group, context, [tally], parseDecryptionFactor(group, v)),
        /^dec_factor/,
      );
    }
  });

  test('a factor for another tally or another election context fails', () => {
    const otherTally = { alpha: group.mul(tally.alpha, group.g), beta: tally.beta };
    fails(() => verifyDecryptionFactor(group, context, [otherTally], factors[0]!), /dec_factor_poc/);
    fails(() => verifyDecryptionFactor(group, new Uint8Array(32), [tally], factors[0]!), /dec_factor_poc/);
  });

  test('−α^x is refused: not a group element on the wire, and not a valid factor even unparsed', () => {
    const negated: DecryptionFactor = { ...factors[0]!, factors: [group.p - factors[0]!.factors[0]!] };
    const wire = encodeDecryptionFactor(group, negated);
    fails(() => parseDecryptionFactor(group, wire), /^dec_factor\.factor$/);
    fails(() => verifyDecryptionFactor(group, context, [tally], negated), /dec_factor_poc/);
  });

  test('weak Fiat–Shamir forgery: a factor d ≠ α^x passes a commitments-only hash, fails here', () => {
    // Commit a = g^w, b = α^v with v ≠ w; after c = H(a, b), answer s = w + c·x honestly and
    // choose d = α^x·α^((w−v)/c): then α^s = b·d^c although d is not α^x.
    const { q } = group;
    const secret = secrets[0]!;
    const x = secret.exportSecret();
    const [w, v] = [systemRandomness.scalar(q), systemRandomness.scalar(q)];
    const a = group.powG(w);
    const b = group.pow(tally.alpha, v);
    const c = weakChallenge([a, b]);
    const s = (w + c * x) % q;
    const shift = mod((w - v) * modInverse(c, q), q);
    const d = group.mul(group.pow(tally.alpha, x), group.pow(tally.alpha, shift));
    assert.notEqual(d, group.pow(tally.alpha, x));
    assert.equal(group.powG(s), group.mul(a, group.pow(secret.publicKey, c)), 'weak check 1 passes');
    assert.equal(group.pow(tally.alpha, s), group.mul(b, group.pow(d, c)), 'weak check 2 passes');
    const forged: DecryptionFactor = {
      pk: secret.publicKey,
      factors: [d],
      decFactorPoc: { a, b: [b], challenge: c, response: s },
    };
    fails(
      () =>
        verifyDecryptionFactor(
          group,
          context,
          [tally],
          parseDecryptionFactor(group, encodeDecryptionFactor(group, forged)),
        ),
      /dec_factor_poc\.challenge/,
    );
  });

  test('the result awaits every elected tallier, once, and no one else', () => {
    fails(() => decryptTally(group, context, [tally], 5, pks, factors.slice(1)), /^dec_factors$/);
    fails(
      () => decryptTally(group, context, [tally], 5, pks, [...factors, factors[0]!]),
      /dec_factors\[3\]\.pk/,
    );
    fails(() => decryptTally(group, context, [tally], 5, pks.slice(1), factors), /dec_factors\[0\]\.pk/);
    assert.deepEqual(yesNoResult(decryptTally(group, context, [tally], 0, pks, []), 0), {
      yes: 0,
      no: 0,
      total: 0,
    });
  });

  test('bounded discrete log finds every m in range and refuses beyond the bound', () => {
    for (const bound of [0, 1, 2, 7, 100]) {
      for (let m = 0; m <= bound; m++)
        assert.equal(discreteLogBounded(group, group.powG(BigInt(m)), bound), m);
      fails(() => discreteLogBounded(group, group.powG(BigInt(bound + 1)), bound), /^tally$/);
    }
    assert.equal(discreteLogBounded(group, group.powG(9999n), 10_000), 9999);
  });
});
