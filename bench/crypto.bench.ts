// Crypto benchmarks: the exponentiation backend against its OpenSSL floor, and the election
// operations, one core. Floors from the issue: ballot_encrypt_ms ≤ 10, ballot_verify_ms ≤ 10;
// issue 12, item 5: ballot_verify_batch_modexps ≤ 1.0. The Jacobi symbol (the membership test
// on every element received) against its textbook reference: jacobi_2048_us, jacobi_speedup.
import { createDiffieHellman, randomBytes } from 'node:crypto';
import { verifyBallotBatch } from '../main/crypto/ballot-batch';
import { jacobi, jacobiEuclid, toBytes } from '../main/crypto/bigint';
import { FixedBaseTable } from '../main/crypto/fixed-base';
import {
  addToTally,
  type Ballot,
  createPowBackend,
  EMPTY_TALLY,
  electionKey,
  encodeBallot,
  encodeDecryptionFactor,
  encodeTallierKey,
  encryptBallot,
  Group,
  parseBallot,
  parseDecryptionFactor,
  parseTallierKey,
  systemRandomness,
  TallierSecretKey,
  verifyBallot,
  verifyDecryptionFactor,
  verifyPkPok,
} from '../main/crypto/index';
import { medianMs, type Suite } from './harness';

export const cryptoSuite: Suite = {
  name: 'crypto',
  async run(report) {
    const group = Group.default();
    const { p, q } = group;
    const width = group.byteWidth;
    const scalar = () => systemRandomness.scalar(q);
    const element = () => group.powG(scalar());

    // The raw OpenSSL floor: one reused DH object, as bare as it gets.
    const dh = createDiffieHellman(toBytes(p, width), toBytes(2n, 1));
    const x = element();
    const e = scalar();
    const xBytes = toBytes(x, width);
    const eBytes = toBytes(e, width);
    const openssl = await medianMs(() => {
      dh.setPrivateKey(eBytes);
      dh.computeSecret(xBytes);
    }, 200);
    const backendMs = await medianMs(() => group.pow(x, e), 200);
    const bigint = createPowBackend(p, 'bigint');
    const bigintMs = await medianMs(() => bigint.pow(x, e), 10, 1);
    group.powG(1n); // build g's table outside the timings
    const fixedMs = await medianMs(() => group.powG(e), 200);
    report.metric({
      name: 'modexp_ms',
      value: backendMs,
      unit: 'ms',
      note: `backend: ${group.backend.name}`,
    });
    report.metric({
      name: 'modexp_openssl_ms',
      value: openssl,
      unit: 'ms',
      note: 'raw DH computeSecret: the floor',
    });
    report.metric({ name: 'modexp_bigint_ms', value: bigintMs, unit: 'ms', note: 'pure-bigint fallback' });
    report.metric({
      name: 'modexp_fixed_base_ms',
      value: fixedMs,
      unit: 'ms',
      note: 'g^e from the byte-window table',
    });
    const buildMs = await medianMs(() => new FixedBaseTable(x, p, width), 3, 0);
    report.metric({ name: 'fixed_base_table_build_ms', value: buildMs, unit: 'ms', note: 'one base' });
    report.metric({
      name: 'fixed_base_break_even_exps',
      value: buildMs / (backendMs - fixedMs),
      unit: 'exps',
      note: 'full exponentiations by one base before its table pays (FIXED_BASE_BREAK_EVEN)',
    });

    // Membership tests as parsing runs them: half members (squares), half not (their negatives,
    // −1 being a non-residue modulo p ≡ 3 mod 4), in random order.
    const symbols = Array.from({ length: 200 }, (_, i) => {
      const square = (scalar() * scalar()) % p;
      return i % 2 === 0 || square === 0n ? square : p - square;
    }).sort(() => Math.random() - 0.5);
    for (const v of symbols) {
      if (jacobi(v, p) !== jacobiEuclid(v, p)) throw new Error('bench: jacobi disagrees with its reference');
    }
    const jacobiMs = await medianMs(() => {
      for (const v of symbols) jacobi(v, p);
    }, 30);
    const euclidMs = await medianMs(
      () => {
        for (const v of symbols) jacobiEuclid(v, p);
      },
      5,
      1,
    );
    report.metric({
      name: 'jacobi_2048_us',
      value: (jacobiMs * 1000) / symbols.length,
      unit: 'µs',
      note: 'mean per symbol modulo the group prime, members and non-members',
    });
    report.metric({
      name: 'jacobi_speedup',
      value: euclidMs / jacobiMs,
      unit: '×',
      note: `over the textbook reference (jacobiEuclid), ${((euclidMs * 1000) / symbols.length).toFixed(0)} µs a symbol`,
    });

    const context = new Uint8Array(randomBytes(32));
    const talliers = [0, 1, 2].map(() => TallierSecretKey.generate(group));
    const keys = talliers.map((t) => t.provePossession(context));
    const h = electionKey(group, context, keys);
    group.keepTable(h); // as the chain does for its best branch's key
    encryptBallot(group, context, h, 0); // build h's table outside the timings

    const keyJson = JSON.stringify(encodeTallierKey(group, keys[0]!));
    const pokMs = await medianMs(
      () => verifyPkPok(group, context, parseTallierKey(group, JSON.parse(keyJson))),
      100,
    );
    report.metric({ name: 'pok_verify_ms', value: pokMs, unit: 'ms', note: 'parse (membership) + verify' });

    let vote: 0 | 1 = 0;
    const encryptMs = await medianMs(() => {
      vote = vote === 0 ? 1 : 0;
      return encryptBallot(group, context, h, vote);
    }, 100);
    report.metric({ name: 'ballot_encrypt_ms', value: encryptMs, unit: 'ms', note: 'floor ≤ 10' });

    const ballots: Ballot[] = Array.from({ length: 1000 }, (_, i) =>
      encryptBallot(group, context, h, i % 3 === 0 ? 1 : 0),
    );
    const wire = ballots.map((b) => JSON.stringify(encodeBallot(group, b)));
    let next = 0;
    const verifyMs = await medianMs(() => {
      const json = wire[next++ % wire.length]!;
      verifyBallot(group, context, h, parseBallot(group, JSON.parse(json)));
    }, 100);
    report.metric({
      name: 'ballot_verify_ms',
      value: verifyMs,
      unit: 'ms',
      note: 'parse (membership) + verify; floor ≤ 10',
    });

    // The record verifier's path: parse (with the membership tests) and check 1,000 as one batch,
    // in a group that builds no table for h, as the verifier's.
    const verifier = group.withTablesAfter(Number.POSITIVE_INFINITY);
    const batchStart = performance.now();
    const parsed = wire.map((json) => parseBallot(verifier, JSON.parse(json)));
    const parseMs = performance.now() - batchStart;
    if (verifyBallotBatch(verifier, context, h, parsed) !== null) throw new Error('bench batch failed');
    const batchMs = (performance.now() - batchStart) / wire.length;
    const proofMs = batchMs - parseMs / wire.length;
    report.metric({
      name: 'ballot_verify_batch_modexps',
      value: batchMs / backendMs,
      unit: 'modexps',
      note: `per ballot in a batch of 1,000: parse (membership) + proof, ${batchMs.toFixed(2)} ms; floor ≤ 1.0`,
    });
    report.metric({
      name: 'ballot_verify_batch_proof_modexps',
      value: proofMs / backendMs,
      unit: 'modexps',
      note: `the same, the proof alone (challenge hash + share of the batch), ${proofMs.toFixed(2)} ms`,
    });

    const tallyStart = performance.now();
    let tally = EMPTY_TALLY;
    for (const json of wire) {
      const ballot = parseBallot(group, JSON.parse(json));
      verifyBallot(group, context, h, ballot);
      tally = addToTally(group, tally, ballot);
    }
    const tallyMs = performance.now() - tallyStart;
    report.metric({
      name: 'tally_1000_ms',
      value: tallyMs,
      unit: 'ms',
      note: 'parse, verify and add 1,000 ballots',
    });

    const factorJson = JSON.stringify(
      encodeDecryptionFactor(group, talliers[0]!.decryptionFactor(context, [tally])),
    );
    const decMs = await medianMs(
      () =>
        verifyDecryptionFactor(group, context, [tally], parseDecryptionFactor(group, JSON.parse(factorJson))),
      100,
    );
    report.metric({
      name: 'dec_factor_verify_ms',
      value: decMs,
      unit: 'ms',
      note: 'parse (membership) + verify',
    });

    report.line(`backend ${group.backend.name}: ${(backendMs / openssl).toFixed(2)}× the raw OpenSSL time`);
    report.line(
      `bigint fallback: ${(bigintMs / openssl).toFixed(1)}× OpenSSL; fixed-base table: ${(fixedMs / openssl).toFixed(2)}× OpenSSL`,
    );
    report.line(
      `ballot encrypt ${(encryptMs / backendMs).toFixed(1)} modexps, verify ${(verifyMs / backendMs).toFixed(1)} modexps worth, ${(batchMs / backendMs).toFixed(2)} in a batch of 1,000 (${(verifyMs / batchMs).toFixed(1)}× faster; membership tests ${(parseMs / wire.length / backendMs).toFixed(2)} of it)`,
    );
  },
};
