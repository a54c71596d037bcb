import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptBallot, verifyBallot } from './ballot';
import { verifyBallotBatch, verifyCastBatch } from './ballot-batch';
import { CredentialSecretKey, verifyCastBallot } from './credential';
import { ValidationError } from './errors';
import { Group } from './group';
import { electionKey } from './tallier';
import { context, group, talliers } from './testing';
import type { Ballot, CastBallot } from './types';

const { q } = group;
const h = electionKey(group, context, talliers(2).keys);
const distinct = Array.from({ length: 40 }, (_, i) => encryptBallot(group, context, h, i % 3 === 0 ? 1 : 0));
/** `n` valid ballots (the distinct ones over and over: each place gets its own weights all the same). */
const valid = (n: number) => Array.from({ length: n }, (_, i) => distinct[i % distinct.length]!);

/** Branch j's response plus `t` (mod q): both of the branch's equations now fail. */
function shiftResponse(ballot: Ballot, j: 0 | 1, t: bigint): Ballot {
  const proof = [...ballot.proof] as [Ballot['proof'][0], Ballot['proof'][1]];
  proof[j] = { ...proof[j], response: (((proof[j].response + t) % q) + q) % q };
  return { ...ballot, proof };
}

/** What the one-ballot check says of `ballot`. */
function ownError(ballot: Ballot, field = 'ballot'): string {
  try {
    verifyBallot(group, context, h, ballot, field);
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  throw new Error('the ballot verifies on its own');
}

describe('ballot batches', () => {
  test('valid ballots verify as a batch: none, a few (OpenSSL per power), many (Bos–Coster)', () => {
    for (const n of [0, 1, 5, 80]) assert.equal(verifyBallotBatch(group, context, h, valid(n)), null, `${n}`);
  });

  test('the same with the pure-bigint backend', () => {
    const plain = Group.fromParams(group, { backend: 'bigint' });
    assert.equal(verifyBallotBatch(plain, context, h, valid(3)), null);
    const bad = valid(3);
    bad[1] = shiftResponse(bad[1]!, 0, 1n);
    assert.equal(verifyBallotBatch(plain, context, h, bad)?.index, 1);
  });

  test('one wrong ballot anywhere in a batch of 1,000 is found and named as the one-ballot check names it', () => {
    for (const at of [1 + Math.floor(Math.random() * 997), 999]) {
      const ballots = valid(1000);
      ballots[at] = shiftResponse(ballots[at]!, 1, 1n);
      const failure = verifyBallotBatch(group, context, h, ballots, 'block.payload.ballot');
      assert.equal(failure?.index, at);
      assert.equal(failure.error.message, ownError(ballots[at]!, 'block.payload.ballot'));
      assert.match(failure.error.message, /^block\.payload\.ballot\.proof\[1\]: fails g\^s = a·α\^c$/);
    }
  });

  test('two wrong ballots: the lower one is named', () => {
    const ballots = valid(100);
    ballots[71] = shiftResponse(ballots[71]!, 0, 5n);
    ballots[30] = shiftResponse(ballots[30]!, 1, 7n);
    assert.equal(verifyBallotBatch(group, context, h, ballots)?.index, 30);
  });

  test('errors that cancel in an unweighted product are caught by the weighted batch', () => {
    // Ballot 3's branch-0 response raised by t and ballot 8's lowered by t: each ballot is false,
    // but its challenges still hold (responses are not hashed), and in the plain product of all
    // equations g^t and g^−t (and h^t and h^−t) cancel. A verifier whose weights a prover could
    // predict (here: all 1) accepts both ballots.
    const t = 123456789n;
    const ballots = valid(12);
    ballots[3] = shiftResponse(ballots[3]!, 0, t);
    ballots[8] = shiftResponse(ballots[8]!, 0, -t);
    assert.equal(unweightedProductHolds(ballots), true, 'the unweighted product accepts them');
    const failure = verifyBallotBatch(group, context, h, ballots);
    assert.equal(failure?.index, 3);
    assert.equal(failure.error.message, 'ballot.proof[0]: fails g^s = a·α^c');
    assert.equal(ownError(ballots[8]!), 'ballot.proof[0]: fails g^s = a·α^c');
  });

  test('a bad challenge is named unless a ballot before it fails its equations', () => {
    const badChallenge = (b: Ballot): Ballot => ({ ...b, beta: group.mul(b.beta, group.g) });
    const ballots = valid(20);
    ballots[12] = badChallenge(ballots[12]!);
    let failure = verifyBallotBatch(group, context, h, ballots);
    assert.equal(failure?.index, 12);
    assert.match(failure.error.message, /^ballot\.proof: the branch challenges do not sum/);
    ballots[15] = shiftResponse(ballots[15]!, 0, 1n); // after it: still the challenge
    assert.equal(verifyBallotBatch(group, context, h, ballots)?.index, 12);
    ballots[4] = shiftResponse(ballots[4]!, 1, 1n); // before it: this one
    failure = verifyBallotBatch(group, context, h, ballots);
    assert.equal(failure?.index, 4);
    assert.equal(failure.error.message, ownError(ballots[4]!));
  });
});

/** Π over ballots and branches of both equations with every weight 1: what a naive batch checks. */
function unweightedProductHolds(ballots: readonly Ballot[]): boolean {
  let left = 1n;
  let right = 1n;
  for (const { alpha, beta, proof } of ballots) {
    for (const [j, { a, b, challenge, response }] of proof.entries()) {
      left = group.mul(left, group.mul(group.powG(response), group.pow(h, response)));
      left = group.mul(left, group.powG(BigInt(j) * challenge));
      right = group.mul(right, group.mul(group.mul(a, group.pow(alpha, challenge)), b));
      right = group.mul(right, group.pow(beta, challenge));
    }
  }
  return left === right;
}

describe('cast ballot batches (per-voter rule)', () => {
  const voters = Array.from({ length: 12 }, () => CredentialSecretKey.generate(group));
  const casts = voters.map((v, i) => v.cast(context, h, (i % 2) as 0 | 1, 1));
  const fields = casts.map((_, i) => `ballots[${i}]`);
  const ownCastError = (cast: CastBallot, field: string) => {
    try {
      verifyCastBallot(group, context, h, undefined, cast, field);
    } catch (error) {
      if (error instanceof ValidationError) return error.message;
      throw error;
    }
    throw new Error('the cast ballot verifies on its own');
  };

  test('valid casts verify as one batch, signatures and proofs together', () => {
    assert.equal(verifyCastBatch(group, context, h, undefined, casts, fields), null);
    assert.equal(verifyCastBatch(group, context, h, undefined, [], []), null);
  });

  test('a signature response changed, or a copied ballot, is named with the one-by-one error', () => {
    const forged = [...casts];
    const bad = casts[7]!;
    forged[7] = { ...bad, signature: { ...bad.signature, response: (bad.signature.response + 1n) % q } };
    const failure = verifyCastBatch(group, context, h, undefined, forged, fields);
    assert.equal(failure?.index, 7);
    assert.equal(failure?.error.message, ownCastError(forged[7]!, fields[7]!));
    assert.match(failure!.error.message, /ballots\[7\]\.signature\.response: does not satisfy/);
    // Voter 3 signs voter 2's ballot as its own: its signature holds, its proof (bound to voter 2) does not.
    const copied = [...casts];
    copied[3] = voters[3]!.sign(context, 1, casts[2]!.ballot);
    const copy = verifyCastBatch(group, context, h, undefined, copied, fields);
    assert.equal(copy?.index, 3);
    assert.match(copy!.error.message, /ballots\[3\]\.ballot\.proof/);
  });

  test('a signature shifted by +t and another by −t do not cancel (independent weights)', () => {
    const shifted = [...casts];
    const [a, b] = [casts[4]!, casts[5]!];
    shifted[4] = { ...a, signature: { ...a.signature, response: (a.signature.response + 5n) % q } };
    shifted[5] = { ...b, signature: { ...b.signature, response: (b.signature.response - 5n + q) % q } };
    assert.equal(verifyCastBatch(group, context, h, undefined, shifted, fields)?.index, 4);
  });
});
