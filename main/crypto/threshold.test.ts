import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptBallot, tallyBallots } from './ballot';
import { fromBytes, toBytes } from './bigint';
import { decryptWithQuorum, type Quorum, yesNoResult } from './decryption';
import { ValidationError } from './errors';
import { fixedRandomness, systemRandomness } from './random';
import { electionKey, TallierSecretKey } from './tallier';
import { context, group, talliers } from './testing';
import {
  combineCompensated,
  lagrangeAtZero,
  publicShare,
  recipientsOf,
  signDealing,
  verifyCompensatedFactor,
  verifyComplaint,
  verifyDealing,
} from './threshold';
import type { CompensatedFactor, Dealing } from './types';

const fails = (fn: () => unknown, reason: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && reason.test(e.message));

const FINAL = 'ab'.repeat(32);
const OTHER_FINAL = 'cd'.repeat(32);

describe('threshold talliers: 3 of 5', () => {
  const { secrets, keys } = talliers(5);
  const pks = keys.map((k) => k.pk);
  const t = 3;
  const dealings = secrets.map((s) => s.deal(context, pks, t));
  const h = electionKey(group, context, keys);
  const votes = [1, 0, 1, 1, 0, 1, 1] as const;
  const tally = tallyBallots(
    group,
    votes.map((v) => encryptBallot(group, context, h, v)),
  );
  const setup: Quorum = {
    elected: pks,
    qualified: pks,
    quorum: t,
    dealings: new Map(dealings.map((d) => [d.dealer, d])),
  };
  const stand = (helper: number, missing: number, final = FINAL): CompensatedFactor =>
    secrets[helper]!.compensatedFactor(context, dealings[missing]!, pks, [tally], final);

  test('every dealing verifies and every recipient opens a share that matches the commitments', () => {
    for (const [i, d] of dealings.entries()) {
      verifyDealing(group, context, d, pks, t);
      assert.equal(d.commitments.length, t - 1);
      assert.equal(d.shares.length, 4);
      for (const [j, s] of secrets.entries()) {
        if (j === i) continue;
        const opened = s.openShare(context, d, pks);
        assert.ok(opened.ok);
        assert.equal(group.powG(opened.share), publicShare(group, d, j + 1));
      }
    }
  });

  test('any 3 shares of a key give the key back (Lagrange at 0), 2 do not', () => {
    const d = dealings[0]!;
    const shareOf = (j: number) => {
      const opened = secrets[j]!.openShare(context, d, pks);
      assert.ok(opened.ok);
      return opened.share;
    };
    for (const subset of [
      [1, 2, 3],
      [2, 3, 4],
      [1, 3, 4],
    ]) {
      const lambdas = lagrangeAtZero(
        subset.map((j) => j + 1),
        group.q,
      );
      const x = subset.reduce((acc, j, k) => (acc + lambdas[k]! * shareOf(j)) % group.q, 0n);
      assert.equal(group.powSecret(x), pks[0]);
    }
    const two = lagrangeAtZero([2, 3], group.q);
    const x2 = (two[0]! * shareOf(1) + two[1]! * shareOf(2)) % group.q;
    assert.notEqual(group.powSecret(x2), pks[0]);
  });

  test('two talliers missing: three stand-ins each give the same result as all five factors', () => {
    const all = secrets.map((s) => s.decryptionFactor(context, [tally], FINAL));
    const full = decryptWithQuorum(group, context, [tally], votes.length, setup, all, []);
    assert.deepEqual(yesNoResult(full, votes.length), { yes: 5, no: 2, total: 7 });
    // Talliers 3 and 4 (indices 4 and 5) are gone; 0, 1 and 2 stand in for each.
    const present = all.slice(0, 3);
    const compensated = [0, 1, 2].flatMap((helper) => [stand(helper, 3), stand(helper, 4)]);
    assert.deepEqual(
      decryptWithQuorum(group, context, [tally], votes.length, setup, present, compensated),
      full,
    );
    // The combination equals the missing tallier's own factor, whichever three stand in.
    const others = [stand(0, 3), stand(1, 3), stand(2, 3)];
    assert.deepEqual(combineCompensated(group, pks, others, t), all[3]!.factors);
    assert.deepEqual(
      combineCompensated(group, pks, [stand(2, 0), stand(4, 0), stand(1, 0)], t),
      all[0]!.factors,
    );
  });

  test('with only two present, the result is refused as missing, naming how many', () => {
    const present = [0, 1].map((i) => secrets[i]!.decryptionFactor(context, [tally], FINAL));
    const compensated = [0, 1].flatMap((helper) => [stand(helper, 2), stand(helper, 3), stand(helper, 4)]);
    fails(
      () => decryptWithQuorum(group, context, [tally], votes.length, setup, present, compensated),
      /3 qualified tallier\(s\) have neither a factor nor 3 stand-in factors/,
    );
  });

  test('forged, moved or misattributed stand-in factors are refused', () => {
    const good = stand(0, 3);
    verifyCompensatedFactor(group, context, [tally], good, dealings[3]!, pks);
    const check = (cf: CompensatedFactor, dealing: Dealing = dealings[3]!) =>
      verifyCompensatedFactor(group, context, [tally], cf, dealing, pks);
    fails(() => check({ ...good, factors: [group.mul(good.factors[0]!, group.g)] }), /challenge/);
    fails(() => check({ ...good, final: OTHER_FINAL }), /challenge/);
    fails(() => check({ ...good, pk: pks[1]! }), /challenge/);
    fails(() => check(good, dealings[4]!), /not the dealing/);
    fails(() => check({ ...good, missing: pks[0]!, pk: pks[0]! }, dealings[0]!), /itself/);
    const outsider = TallierSecretKey.generate(group).publicKey;
    fails(() => check({ ...good, pk: outsider }), /not an elected tallier/);
    // A stand-in made with a share that is not the one committed to: a prover who knows some s'
    // with the right proof for α^s' still fails, since the statement is the committed g^s.
    const liar = TallierSecretKey.fromSecret(group, 12345n);
    const forged = liar.decryptionFactor(context, [tally], FINAL);
    fails(() => check({ ...good, factors: forged.factors, proof: forged.decFactorPoc }), /challenge/);
    // Two stand-ins from one helper for one missing tallier.
    fails(
      () => decryptWithQuorum(group, context, [tally], votes.length, setup, [], [good, good]),
      /more than one factor for this tallier/,
    );
  });

  test('a factor or stand-in from a tallier who did not qualify is refused', () => {
    const narrow: Quorum = { ...setup, qualified: pks.slice(0, 4) };
    fails(
      () => decryptWithQuorum(group, context, [tally], 7, narrow, [], [stand(4, 0)]),
      /compensated_factors\[0\]\.pk: is not a qualified tallier/,
    );
    fails(
      () =>
        decryptWithQuorum(
          group,
          context,
          [tally],
          7,
          narrow,
          [secrets[4]!.decryptionFactor(context, [tally], FINAL)],
          [],
        ),
      /dec_factors\[0\]\.pk: is not a qualified tallier/,
    );
  });
});

describe('threshold talliers: dealings and complaints', () => {
  const { secrets, keys } = talliers(4);
  const pks = keys.map((k) => k.pk);
  const t = 3;

  /** A cheating dealer: a valid proof over shares it corrupted for recipient `victim` (its slot). */
  function cheatingDealing(dealerIndex: number, victim: number): Dealing {
    const dealer = secrets[dealerIndex]!;
    const coefficients = [group.q - 7n, 11n];
    const r = 99991n;
    const rng = fixedRandomness([...coefficients, r, 5n, 6n]);
    const honest = dealer.deal(context, pks, t, rng);
    const slot = recipientsOf(pks, honest.dealer).indexOf(pks[victim]!);
    const shares = honest.shares.map((e, k) => (k === slot ? e ^ 1n : e));
    return signDealing(
      group,
      context,
      { ...honest, shares },
      pks,
      dealer.exportSecret(),
      r,
      systemRandomness,
    );
  }

  test('a wrong share: the dealing still verifies, its recipient finds it wrong and proves it', () => {
    const bad = cheatingDealing(0, 2);
    verifyDealing(group, context, bad, pks, t);
    const opened = secrets[2]!.openShare(context, bad, pks);
    assert.equal(opened.ok, false);
    assert.ok(secrets[1]!.openShare(context, bad, pks).ok, 'the other shares are right');
    const complaint = secrets[2]!.complain(context, bad);
    verifyComplaint(group, context, bad, pks, complaint);
    // The complaint proves it to anyone: stand-in factors from that share cannot be made.
    assert.throws(() => secrets[2]!.compensatedFactor(context, bad, pks, [{ alpha: 4n, beta: 4n }], FINAL));
  });

  test('a share decrypting to a number ≥ q is wrong too', () => {
    const dealer = secrets[1]!;
    const r = 424242n;
    const honest = dealer.deal(context, pks, t, fixedRandomness([3n, 4n, r, 5n, 6n]));
    const slot = 0;
    const recipient = recipientsOf(pks, honest.dealer)[slot]!;
    const key = secrets[pks.indexOf(recipient)]!;
    // Replace the plaintext by q + 1 under the same keystream: e' = e ⊕ share ⊕ (q + 1).
    const opened = key.openShare(context, honest, pks);
    assert.ok(opened.ok);
    const w = group.byteWidth;
    const e = toBytes(honest.shares[slot]!, w);
    const mask = toBytes(opened.share ^ (group.q + 1n), w);
    const shares = [...honest.shares];
    shares[slot] = fromBytes(Buffer.from(e.map((b, k) => b ^ mask[k]!)));
    const bad = signDealing(group, context, { ...honest, shares }, pks, dealer.exportSecret(), r);
    const reopened = key.openShare(context, bad, pks);
    assert.deepEqual(reopened, { ok: false, reason: 'the share decrypts to a number not below q' });
    verifyComplaint(group, context, bad, pks, key.complain(context, bad));
  });

  test('a complaint against a right share, a forged key or a non-recipient is refused', () => {
    const dealing = secrets[0]!.deal(context, pks, t);
    const honestComplaint = secrets[1]!.complain(context, dealing);
    fails(() => verifyComplaint(group, context, dealing, pks, honestComplaint), /proves nothing/);
    const bad = cheatingDealing(0, 1);
    const complaint = secrets[1]!.complain(context, bad);
    verifyComplaint(group, context, bad, pks, complaint);
    fails(
      () =>
        verifyComplaint(group, context, bad, pks, {
          ...complaint,
          sharedKey: group.mul(complaint.sharedKey, group.g),
        }),
      /challenge/,
    );
    // Someone else's complaint, or the dealer's about itself.
    fails(
      () => verifyComplaint(group, context, bad, pks, { ...complaint, complainer: pks[2]! }),
      /challenge/,
    );
    fails(
      () => verifyComplaint(group, context, bad, pks, secrets[0]!.complain(context, bad)),
      /not a recipient/,
    );
    const outsider = TallierSecretKey.generate(group);
    fails(
      () => verifyComplaint(group, context, bad, pks, outsider.complain(context, bad)),
      /not a recipient/,
    );
    // A complaint about another dealing.
    fails(() => verifyComplaint(group, context, dealing, pks, complaint), /challenge|proves nothing/);
  });

  test('every field of a dealing is bound by its proof; forms are checked', () => {
    const dealing = secrets[3]!.deal(context, pks, t);
    const check = (d: Dealing, list = pks, quorum = t) => verifyDealing(group, context, d, list, quorum);
    check(dealing);
    const bump = (x: bigint) => group.mul(x, group.g);
    fails(
      () => check({ ...dealing, commitments: [bump(dealing.commitments[0]!), dealing.commitments[1]!] }),
      /challenge/,
    );
    fails(() => check({ ...dealing, ephemeral: bump(dealing.ephemeral) }), /challenge/);
    fails(
      () => check({ ...dealing, shares: [dealing.shares[0]! ^ 1n, ...dealing.shares.slice(1)] }),
      /challenge/,
    );
    fails(
      () => check({ ...dealing, proof: { ...dealing.proof, keyResponse: dealing.proof.keyResponse + 1n } }),
      /a_x/,
    );
    fails(
      () =>
        check({
          ...dealing,
          proof: { ...dealing.proof, ephemeralResponse: dealing.proof.ephemeralResponse + 1n },
        }),
      /a_r/,
    );
    fails(() => check(dealing, pks, 2), /must hold 1 commitment/);
    fails(
      () => check(dealing, [...pks.slice(0, 3), TallierSecretKey.generate(group).publicKey, pks[3]!]),
      /must hold one encrypted share/,
    );
    // The same dealing on a branch whose talliers are ranked otherwise: the recipients are bound.
    fails(() => check(dealing, [pks[1]!, pks[0]!, pks[2]!, pks[3]!]), /challenge/);
    fails(() => check(dealing, pks.slice(0, 3)), /not an elected tallier|must hold one/);
    // A copy of someone's dealing under another dealer's key.
    fails(() => check({ ...dealing, dealer: pks[0]! }), /challenge/);
  });

  test('a quorum of 1 shares the key itself; a quorum of n needs everyone', () => {
    const one = secrets[0]!.deal(context, pks, 1);
    assert.equal(one.commitments.length, 0);
    const opened = secrets[1]!.openShare(context, one, pks);
    assert.ok(opened.ok);
    assert.equal(group.powSecret(opened.share), pks[0]);
    const all = secrets[0]!.deal(context, pks, 4);
    verifyDealing(group, context, all, pks, 4);
    assert.equal(all.commitments.length, 3);
  });

  test('the dealing never holds the secret: no field equals x', () => {
    const dealing = secrets[0]!.deal(context, pks, t);
    const x = secrets[0]!.exportSecret();
    const values = [
      ...dealing.commitments,
      dealing.ephemeral,
      ...dealing.shares,
      ...Object.values(dealing.proof),
    ];
    assert.ok(!values.includes(x));
  });
});
