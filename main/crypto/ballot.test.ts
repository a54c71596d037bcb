import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { addToTally, EMPTY_TALLY, encryptBallot, tallyBallots, type Vote, verifyBallot } from './ballot';
import { mod, modInverse } from './bigint';
import { encodeBallot, parseBallot } from './codec';
import { decryptTally, yesNoResult } from './decryption';
import { ValidationError } from './errors';
import { systemRandomness } from './random';
import { electionKey } from './tallier';
import { context, flipHex, group, talliers, weakChallenge } from './testing';
import { CHALLENGE_MODULUS } from './transcript';
import type { Ballot, ProofBranch } from './types';

const fails = (fn: () => unknown, field: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && field.test(e.field));

describe('ballots', () => {
  const { secrets, keys } = talliers(2);
  const h = electionKey(group, context, keys);
  const pks = keys.map((k) => k.pk);
  const secretSum = (secrets[0]!.exportSecret() + secrets[1]!.exportSecret()) % group.q;

  test('round trip: random votes → ballots → tally → factors → the count of ones', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Vote>(0, 1), { minLength: 0, maxLength: 6 }), (votes) => {
        const ballots = votes.map((v) => encryptBallot(group, context, h, v));
        for (const b of ballots) verifyBallot(group, context, h, parseBallot(group, encodeBallot(group, b)));
        const tally = tallyBallots(group, ballots);
        const factors = secrets.map((s) => s.decryptionFactor(context, [tally]));
        const counts = decryptTally(group, context, [tally], ballots.length, pks, factors);
        const result = yesNoResult(counts, ballots.length);
        const yes = votes.filter((v) => v === 1).length;
        assert.deepEqual(result, { yes, no: votes.length - yes, total: votes.length });
      }),
      { numRuns: 6 },
    );
  });

  test('the tally is the component-wise product', () => {
    const [a, b] = [encryptBallot(group, context, h, 1), encryptBallot(group, context, h, 0)];
    assert.deepEqual(addToTally(group, addToTally(group, EMPTY_TALLY, a), b), {
      alpha: group.mul(a.alpha, b.alpha),
      beta: group.mul(a.beta, b.beta),
    });
  });

  test('a vote other than 0 or 1 is refused at encryption', () => {
    fails(() => encryptBallot(group, context, h, 2 as Vote), /^vote$/);
  });

  test('a ballot altered to encrypt 2 (β·g) fails its proof', () => {
    const ballot = encryptBallot(group, context, h, 1);
    fails(
      () => verifyBallot(group, context, h, { ...ballot, beta: group.mul(ballot.beta, group.g) }),
      /ballot\.proof/,
    );
  });

  test('each field altered fails, naming the ballot', () => {
    const wire = encodeBallot(group, encryptBallot(group, context, h, 0));
    const other = encodeBallot(group, encryptBallot(group, context, h, 0));
    const variants = [
      { ...wire, alpha: other.alpha },
      { ...wire, beta: other.beta },
      ...[0, 1].flatMap((j) =>
        (['a', 'b', 'challenge', 'response'] as const).map((key) => {
          const proof = structuredClone(wire.proof);
          proof[j]![key] = key === 'a' || key === 'b' ? other.proof[j]![key] : flipHex(proof[j]![key]);
          return { ...wire, proof };
        }),
      ),
    ];
    assert.equal(variants.length, 10);
    for (const variant of variants)
      fails(() => verifyBallot(group, context, h, parseBallot(group, variant)), /^ballot/);
  });

  test('the batched check still names the branch whose response is wrong', () => {
    const ballot = encryptBallot(group, context, h, 0);
    for (const j of [0, 1] as const) {
      const proof = [...ballot.proof] as [ProofBranch, ProofBranch];
      proof[j] = { ...proof[j], response: (proof[j].response + 1n) % group.q };
      fails(
        () => verifyBallot(group, context, h, { ...ballot, proof }),
        new RegExp(`^ballot\\.proof\\[${j}\\]$`),
      );
    }
  });

  test('a ballot is bound to its election context and to its election key', () => {
    const ballot = encryptBallot(group, context, h, 1);
    fails(() => verifyBallot(group, new Uint8Array(32), h, ballot), /ballot\.proof/);
    fails(() => verifyBallot(group, context, keys[0]!.pk, ballot), /ballot\.proof/);
  });

  test('weak Fiat–Shamir forgery (Bernhard–Pereira–Warinschi): a ballot of a huge m passes a commitments-only hash, fails here', () => {
    // Commit first: a_j = g^w_j, b_0 = h^w_0·g^u, b_1 = h^w_1. Then, knowing c = H(commitments),
    // take c_0 = c, c_1 = 0 and choose the statement: m = −u/c, α = g^r, β = h^r·g^m.
    const { q } = group;
    const [w0, w1, u, r] = [0, 1, 2, 3].map(() => systemRandomness.scalar(q)) as [
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    const a0 = group.powG(w0);
    const b0 = group.mul(group.fixedPow(h, w0), group.powG(u));
    const a1 = group.powG(w1);
    const b1 = group.fixedPow(h, w1);
    const c = weakChallenge([a0, b0, a1, b1]);
    const m = mod(-u * modInverse(c, q), q);
    const forged: Ballot = {
      alpha: group.powG(r),
      beta: group.mul(group.fixedPow(h, r), group.powG(m)),
      proof: [
        { a: a0, b: b0, challenge: c, response: (w0 + r * c) % q },
        { a: a1, b: b1, challenge: 0n, response: w1 },
      ],
    };
    // The forgery is real: a verifier hashing only the commitments accepts it…
    const weakOk = (branch: ProofBranch, j: number) =>
      group.powG(branch.response) === group.mul(branch.a, group.pow(forged.alpha, branch.challenge)) &&
      group.mul(group.fixedPow(h, branch.response), group.powG(BigInt(j) * branch.challenge)) ===
        group.mul(branch.b, group.pow(forged.beta, branch.challenge));
    assert.equal((forged.proof[0].challenge + forged.proof[1].challenge) % CHALLENGE_MODULUS, c);
    assert.ok(forged.proof.every(weakOk), 'the weak verifier accepts');
    // …and it encrypts m ∉ {0, 1}: β / α^x = g^m.
    assert.equal(group.mul(forged.beta, group.inverse(group.pow(forged.alpha, secretSum))), group.powG(m));
    assert.ok(m > 1n);
    // The strong hash covers h, α, β, so the challenge no longer matches.
    const wire = encodeBallot(group, forged);
    fails(() => verifyBallot(group, context, h, parseBallot(group, wire)), /ballot\.proof$/);
  });
});
