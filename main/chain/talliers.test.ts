import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TallierPublicKey } from '../crypto/types';
import { electTalliers } from './talliers';

// The rule only compares keys, so stand-in keys with distinct pk values suffice here.
const key = (pk: bigint) =>
  ({ pk, pkPok: { commitment: 2n, challenge: 0n, response: 0n } }) as TallierPublicKey;
const [A, B, C, D] = [11n, 22n, 33n, 44n].map(key) as [
  TallierPublicKey,
  TallierPublicKey,
  TallierPublicKey,
  TallierPublicKey,
];
const chainOf = (...keys: TallierPublicKey[]) => keys.map((k, i) => ({ height: i + 1, key: k }));
const elected = (keys: TallierPublicKey[], n: number) =>
  electTalliers(chainOf(...keys), n).talliers.map((k) => k.pk);

describe('tallier election', () => {
  test('the most seen keys win', () => {
    assert.deepEqual(elected([A, B, A, C, A, B], 2), [A.pk, B.pk]);
  });

  test('tie at the boundary: the key whose last appearance came first wins', () => {
    // A×2; B and C once each: B last at 2, C at 4.
    assert.deepEqual(elected([A, B, A, C], 2), [A.pk, B.pk]);
    assert.deepEqual(elected([A, C, A, B], 2), [A.pk, C.pk]);
  });

  test('tie on count with interleaved appearances: last appearance decides, not first', () => {
    // A at 1 and 4, B at 2 and 3: both twice; B's last (3) is before A's (4).
    assert.deepEqual(elected([A, B, B, A], 1), [B.pk]);
    assert.deepEqual(elected([B, A, A, B], 1), [A.pk]);
  });

  test('a three-way tie fills the seats in order of last appearance', () => {
    assert.deepEqual(elected([C, A, B, D, D], 3), [D.pk, C.pk, A.pk]);
  });

  test('fewer distinct keys than seats: all of them are talliers', () => {
    assert.deepEqual(elected([A, A, A], 3), [A.pk]);
    assert.deepEqual(elected([], 2), []);
  });

  test('the explanation says when the tie rule decided', () => {
    const { candidates } = electTalliers(chainOf(A, B, A, C), 2);
    assert.match(candidates[0]!.reason, /^elected: 2 appearances$/);
    assert.match(candidates[1]!.reason, /^elected on the tie rule: 1 appearance, last at height 2/);
    assert.match(candidates[2]!.reason, /^not elected on the tie rule: 1 appearance, last at height 4/);
    assert.equal(candidates[2]!.elected, false);
  });

  test('appearance order of the input does not matter', () => {
    const shuffled = chainOf(A, B, B, A).reverse();
    assert.deepEqual(
      electTalliers(shuffled, 1).talliers.map((k) => k.pk),
      [B.pk],
    );
  });
});
