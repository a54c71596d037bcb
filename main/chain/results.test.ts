import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptBallot, tallyBallots } from '../crypto/ballot';
import { ValidationError } from '../crypto/errors';
import { electionKey } from '../crypto/tallier';
import { FactorBook, type FinalTally } from './results';
import { Talliers, testGenesis } from './testing';

describe('decryption factors and the result', () => {
  const genesis = testGenesis();
  const { group, id } = genesis;
  const { secrets, keys } = new Talliers(genesis, 3);
  const talliers = [keys[0]!.pk, keys[1]!.pk];
  const h = electionKey(group, id, [keys[0]!, keys[1]!]);
  const branch = (votes: (0 | 1)[], final: string): FinalTally => ({
    final,
    tallies: [
      tallyBallots(
        group,
        votes.map((v) => encryptBallot(group, id, h, v)),
      ),
    ],
    ballots: votes.length,
    talliers,
  });
  const finalA = branch([1, 1, 0], 'a'.repeat(64));
  const finalB = branch([0, 0, 0, 1], 'b'.repeat(64));
  const factor = (i: number, final: FinalTally) =>
    secrets[i]!.decryptionFactor(id, final.tallies, final.final);

  test('the result waits for every tallier, then decrypts; each branch has its own', () => {
    const book = new FactorBook(group, id);
    assert.deepEqual(book.state(finalA).awaiting, talliers);
    assert.equal(book.add(finalA, factor(0, finalA)), true);
    assert.equal(
      book.add(finalA, factor(0, finalA)),
      false,
      'the same d again (with a fresh proof) is already known',
    );
    assert.deepEqual(book.state(finalA).awaiting, [talliers[1]]);
    assert.equal(book.state(finalA).result, undefined);
    book.add(finalA, factor(1, finalA));
    assert.deepEqual(book.state(finalA).result, { yes: 2, no: 1, total: 3 });

    // A reorg to branch B: A's factors do not count; B's result comes from B's own factors.
    assert.equal(book.state(finalB).result, undefined);
    for (const i of [0, 1]) book.add(finalB, factor(i, finalB));
    assert.deepEqual(book.state(finalB).result, { yes: 1, no: 3, total: 4 });
    assert.deepEqual(book.state(finalA).result, { yes: 2, no: 1, total: 3 });
  });

  test('a factor from a non-tallier, or for another tally, is refused and changes nothing', () => {
    const book = new FactorBook(group, id);
    assert.throws(
      () => book.add(finalA, factor(2, finalA)),
      (e: unknown) => e instanceof ValidationError && /not an elected tallier/.test(e.message),
    );
    assert.throws(() => book.add(finalA, factor(0, finalB)), /dec_factor\.final/);
    // The same factor relabelled for A: its proof bound B's block, so it no longer verifies.
    const relabelled = { ...factor(0, finalA), final: finalB.final };
    assert.throws(() => book.add(finalB, relabelled), /dec_factor_poc/);
    // B's factor carried to A's tally with A's name: the proof binds the tally too.
    assert.throws(() => book.add(finalA, { ...factor(0, finalB), final: finalA.final }), /dec_factor_poc/);
    assert.deepEqual(book.state(finalA).factors, []);
    assert.deepEqual(book.state(finalB).factors, []);
  });

  test('no ballots: the result is 0/0/0 and needs no factor', () => {
    const book = new FactorBook(group, id);
    const empty = { final: 'c'.repeat(64), tallies: [{ alpha: 1n, beta: 1n }], ballots: 0, talliers };
    assert.deepEqual(book.state(empty), {
      final: empty,
      factors: [],
      compensated: [],
      awaiting: [],
      result: { yes: 0, no: 0, total: 0 },
    });
  });
});
