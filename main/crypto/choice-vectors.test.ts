// The choices vectors (docs/test-vectors/crypto-choices.json) against the code, and the code
// against the file: rebuilt byte for byte, then each listed value checked from the file alone.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { buildChoiceVectors, CHOICE_VECTORS_PATH, type HashInput } from '../../scripts/choice-vectors';
import { type ChallengeInput, challengeOf } from '../../scripts/crypto-vectors';
import { verifyAnyBallot } from './any-ballot';
import { proveOneOf, verifyOneOf } from './ballot';
import { verifyAnswersBatch, verifyCastBatch } from './ballot-batch';
import {
  allowedSums,
  checkAnswersShape,
  checkRules,
  encryptAnswers,
  type QuestionRule,
  sumBinding,
  sumIsProven,
  sumStatement,
  tallyAnswers,
  verifyAnswers,
} from './choices';
import {
  type AnswerJson,
  type CastBallotJson,
  encodeAnswers,
  encodeCiphertext,
  parseAnswers,
  parseCastBallot,
  parseDecryptionFactor,
  parseTallierKey,
} from './codec';
import {
  ballotDigest,
  ballotTracker,
  CredentialSecretKey,
  castBallotId,
  verifyBallotSignature,
  verifyCastBallot,
  voterContext,
} from './credential';
import { decryptTally } from './decryption';
import { ValidationError } from './errors';
import { Group } from './group';
import { fixedRandomness, systemRandomness } from './random';
import { electionKey, verifyPkPok } from './tallier';
import { flipHex, framedHex } from './testing';
import { CHALLENGE_MODULUS, PROOF_TAGS } from './transcript';
import type { Answer } from './types';

const fromHex = (hex: string): bigint => BigInt(`0x${hex}`);
/** A cast ballot of answers, as JSON. */
type CastAnswersJson = CastBallotJson & { answers: AnswerJson[] };
const committed = JSON.parse(readFileSync(CHOICE_VECTORS_PATH, 'utf8'));
const asciiHex = (text: string) => Buffer.from(text, 'ascii').toString('hex');
const u32Hex = (n: number) => n.toString(16).padStart(8, '0');
const sha256Hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

/** A challenge input framed as listed, hashing to its branch challenges' sum mod 2^256. */
function checkChallengeInput(input: ChallengeInput, branches: { challenge: string }[]): void {
  assert.equal(framedHex(input.fields), input.bytes);
  const sum = branches.reduce((acc, b) => acc + fromHex(b.challenge), 0n) % CHALLENGE_MODULUS;
  assert.equal(challengeOf(input), sum.toString(16).padStart(64, '0'));
}

/** A hash input's bytes from its parts, framing recomputed here: F(b) = u32be(len(b)) ‖ b, or b as it is. */
function concatenated(input: HashInput): string {
  return input.parts.map((p) => (p.framed ? u32Hex(p.bytes.length / 2) : '') + p.bytes).join('');
}

/** The value at a JSON path such as `answers[0].choices[1].proof[0].a` (`.length` of an array too). */
function valueAt(root: unknown, path: string): unknown {
  return (path.match(/[^.[\]]+/g) ?? []).reduce<unknown>(
    (at, key) => (at as Record<string, unknown>)[/^\d+$/.test(key) ? Number(key) : key],
    root,
  );
}

/** A copy of `root` with the hex value at `path` changed in its last bit. */
function flippedAt<T>(root: T, path: string): T {
  const copy = structuredClone(root);
  const keys = (path.match(/[^.[\]]+/g) ?? []).map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  const last = keys.pop()!;
  const holder = keys.reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], copy) as Record<
    string | number,
    string
  >;
  holder[last] = flipHex(holder[last]!);
  return copy;
}

/**
 * A digest input (CRYPTO §12.5) laid out from the JSON holding the answers (`root.answers`): its
 * parts' names and framing walked here from that JSON rather than taken from the script, and each
 * part's bytes the value at its path.
 */
function checkDigestLayout(input: HashInput, root: { answers: AnswerJson[] }): void {
  const group = Group.default();
  const expected: [string, boolean][] = [
    ['tag', true],
    ['answers.length', false],
  ];
  const branches = (path: string, proof: unknown[]) =>
    proof.forEach((_, j) => {
      for (const key of ['a', 'b', 'challenge', 'response']) expected.push([`${path}[${j}].${key}`, true]);
    });
  root.answers.forEach((answer, q) => {
    expected.push([`answers[${q}].choices.length`, false]);
    answer.choices.forEach((choice, o) => {
      expected.push([`answers[${q}].choices[${o}].alpha`, true], [`answers[${q}].choices[${o}].beta`, true]);
      branches(`answers[${q}].choices[${o}].proof`, choice.proof);
    });
    expected.push([`answers[${q}].sum_proof.length`, false]);
    branches(`answers[${q}].sum_proof`, answer.sum_proof);
  });
  assert.deepEqual(
    input.parts.map((p) => [p.name, p.framed]),
    expected,
  );
  for (const part of input.parts) {
    const value = part.name === 'tag' ? 'onion-election/v2/answers' : valueAt(root, part.name);
    const bytes =
      part.name === 'tag'
        ? asciiHex(value as string)
        : typeof value === 'number'
          ? u32Hex(value)
          : (value as string);
    assert.equal(part.bytes, bytes, part.name);
    if (part.name.endsWith('.challenge')) assert.equal(part.bytes.length, 64, 'a challenge as 32 bytes');
    else if (part.framed && part.name !== 'tag') assert.equal(part.bytes.length, group.byteWidth * 2);
  }
}

describe('known-answer vectors of questions with choices (docs/test-vectors/crypto-choices.json)', () => {
  const group = Group.default();
  const context = Buffer.from(committed.context, 'hex');
  const rules: QuestionRule[] = committed.questions;
  const h = fromHex(committed.election_key);

  test('recomputing every output from the listed inputs gives the committed file exactly', () => {
    assert.deepEqual(buildChoiceVectors(), committed);
  });

  test('each ballot: its listed randomness, drawn in the documented order, makes it; it verifies', () => {
    for (const ballot of committed.ballots) {
      const draws: bigint[] = ballot.randomness.map((x: string) => fromHex(x));
      const remade = encryptAnswers(group, context, h, rules, ballot.selection, fixedRandomness(draws));
      assert.deepEqual(encodeAnswers(group, remade), ballot.answers);
      verifyAnswers(group, context, h, rules, parseAnswers(group, ballot.answers));
    }
  });

  test('the first ballot’s challenge inputs: framed as listed, and hashing to the branch challenges’ sum', () => {
    const [first] = committed.ballots;
    const check = checkChallengeInput;
    first.challenge_inputs.forEach(
      (inputs: { choices: ChallengeInput[]; sum_proof: ChallengeInput }, q: number) => {
        inputs.choices.forEach((input, o) => {
          assert.deepEqual(
            input.fields.slice(5, 7).map((f) => f.bytes),
            [q, o].map((n) => n.toString(16).padStart(8, '0')),
            'bound: u32(question), u32(option)',
          );
          check(input, first.answers[q].choices[o].proof);
        });
        check(inputs.sum_proof, first.answers[q].sum_proof);
      },
    );
  });

  test('the tallies, the factors of all five under one proof each, and the counts', () => {
    const answers = committed.ballots.map((b: { answers: unknown }) => parseAnswers(group, b.answers));
    const tallies = tallyAnswers(group, rules, answers).flat();
    assert.deepEqual(
      tallies.map((t) => encodeCiphertext(group, t)),
      committed.tallies,
    );
    const factors = committed.dec_factors.map((f: { dec_factor: unknown }) =>
      parseDecryptionFactor(group, f.dec_factor, 'dec_factor', 'untrusted', 2),
    );
    const pks = committed.talliers.map((t: { tallier_key: { pk: string } }) => fromHex(t.tallier_key.pk));
    assert.deepEqual(decryptTally(group, context, tallies, answers.length, pks, factors), committed.counts);
    const expected = rules.flatMap((rule, q) =>
      Array.from(
        { length: rule.options },
        (_, o) =>
          committed.ballots.filter((b: { selection: number[][] }) => b.selection[q]!.includes(o)).length,
      ),
    );
    assert.deepEqual(committed.counts, expected);
  });
});

describe('the per-voter cast ballot of answers (crypto-choices.json `per_voter`, CRYPTO §9, §12.5)', () => {
  const group = Group.default();
  const context = Buffer.from(committed.context, 'hex');
  const rules: QuestionRule[] = committed.questions;
  const h = fromHex(committed.election_key);
  const pv = committed.per_voter;
  const castJson: CastAnswersJson = pv.cast_ballot;
  const cast = parseCastBallot(group, castJson, 'cast_ballot', 'untrusted');
  const Y = fromHex(pv.credential.public_key);
  const voter = Buffer.from(pv.voter_context, 'hex');

  test('the credential Y = g^y, and its voter context hashed from the listed bytes', () => {
    assert.equal(CredentialSecretKey.fromSecret(group, fromHex(pv.credential.secret_key)).publicKey, Y);
    assert.equal(cast.credential, Y);
    const input: HashInput = pv.voter_context_input;
    assert.deepEqual(input.parts, [
      { name: 'tag', framed: true, bytes: asciiHex('onion-election/v2/voter') },
      { name: 'context', framed: true, bytes: committed.context },
      { name: 'credential', framed: true, bytes: pv.credential.public_key },
    ]);
    assert.equal(concatenated(input), input.bytes);
    assert.equal(sha256Hex(input.bytes), pv.voter_context);
    assert.equal(Buffer.from(voterContext(group, context, Y)).toString('hex'), pv.voter_context);
  });

  test('its listed randomness makes its answers under the voter context; they verify there, not under the election id', () => {
    const draws: bigint[] = pv.randomness.map((x: string) => fromHex(x));
    const remade = encryptAnswers(group, voter, h, rules, pv.selection, fixedRandomness(draws));
    assert.deepEqual(encodeAnswers(group, remade), castJson.answers);
    const answers = parseAnswers(group, castJson.answers);
    verifyAnswers(group, voter, h, rules, answers);
    assert.throws(() => verifyAnswers(group, context, h, rules, answers), ValidationError);
  });

  test('its proofs’ challenge inputs: under the voter context, framed as listed, hashing to the branch challenges’ sum', () => {
    const answers = castJson.answers;
    pv.challenge_inputs.forEach(
      (inputs: { choices: ChallengeInput[]; sum_proof: ChallengeInput }, q: number) => {
        inputs.choices.forEach((input, o) => {
          assert.deepEqual(
            input.fields.slice(0, 7).map((f) => f.bytes),
            [
              asciiHex(PROOF_TAGS.choiceProof),
              committed.group.p,
              committed.group.q,
              committed.group.g,
              pv.voter_context,
              u32Hex(q),
              u32Hex(o),
            ],
          );
          checkChallengeInput(input, answers[q]!.choices[o]!.proof);
        });
        assert.equal(inputs.sum_proof.fields[0]!.bytes, asciiHex(PROOF_TAGS.sumProof));
        assert.equal(inputs.sum_proof.fields[4]!.bytes, pv.voter_context);
        checkChallengeInput(inputs.sum_proof, answers[q]!.sum_proof);
      },
    );
  });

  test('the answers’ digest: the bytes hashed are laid out as §12.5 from the cast ballot’s values; the tracker is the digest', () => {
    const input: HashInput = pv.digest_input;
    checkDigestLayout(input, castJson);
    assert.equal(concatenated(input), input.bytes);
    assert.equal(sha256Hex(input.bytes), pv.digest);
    assert.equal(ballotDigest(group, cast.ballot).toString('hex'), pv.digest);
    assert.equal(pv.tracker, pv.digest);
    assert.equal(ballotTracker(group, cast.ballot), pv.tracker);
    // One byte changed anywhere in the input is another digest.
    for (const at of [0, input.bytes.length / 2 - 1, 4 + 25 + 4]) {
      const bytes = Buffer.from(input.bytes, 'hex');
      bytes[at]! ^= 0x01;
      assert.notEqual(sha256Hex(bytes.toString('hex')), pv.digest);
    }
  });

  test('the signature: its challenge input binds seq and the digest under the election id; s = w + c·y mod q', () => {
    const input: ChallengeInput = pv.signature_challenge_input;
    const { commitment, challenge, response } = castJson.signature;
    assert.deepEqual(
      input.fields.map((f) => [f.name, f.bytes]),
      [
        ['tag', asciiHex(PROOF_TAGS.ballotSignature)],
        ['p', committed.group.p],
        ['q', committed.group.q],
        ['g', committed.group.g],
        ['context', committed.context],
        ['seq', u32Hex(castJson.seq)],
        ['digest', pv.digest],
        ['Y', castJson.credential],
        ['a', commitment],
      ],
    );
    assert.notEqual(committed.context, pv.voter_context);
    assert.equal(pv.seq, castJson.seq);
    assert.equal(framedHex(input.fields), input.bytes);
    assert.equal(challengeOf(input), challenge);
    const [y, w, c] = [pv.credential.secret_key, pv.signature_randomness.w, challenge].map(fromHex) as [
      bigint,
      bigint,
      bigint,
    ];
    assert.equal(group.powG(w), fromHex(commitment));
    assert.ok(w + c * y >= group.q, 'the vector exercises the reduction mod q');
    assert.equal((w + c * y) % group.q, fromHex(response));
  });

  test('the cast ballot verifies (alone and in a batch), and its id is hashed from the listed bytes', () => {
    verifyCastBallot(group, context, h, rules, cast);
    assert.equal(verifyCastBatch(group, context, h, rules, [cast], ['cast_ballot']), null);
    const input: HashInput = pv.cast_ballot_id_input;
    const { commitment, challenge, response } = castJson.signature;
    assert.deepEqual(input.parts, [
      { name: 'tag', framed: true, bytes: asciiHex('onion-election/v2/cast_ballot') },
      { name: 'credential', framed: true, bytes: castJson.credential },
      { name: 'seq', framed: false, bytes: u32Hex(castJson.seq) },
      { name: 'digest', framed: true, bytes: pv.digest },
      { name: 'signature.commitment', framed: true, bytes: commitment },
      { name: 'signature.challenge', framed: true, bytes: challenge },
      { name: 'signature.response', framed: true, bytes: response },
    ]);
    assert.equal(concatenated(input), input.bytes);
    assert.equal(sha256Hex(input.bytes), pv.cast_ballot_id);
    assert.equal(castBallotId(group, cast), pv.cast_ballot_id);
  });

  test('one value of the digest input changed (each in turn), or a sum-proof branch dropped: the signature is refused', () => {
    const refused = (json: CastAnswersJson, field: string) => {
      const tampered = parseCastBallot(group, json, 'cast_ballot', 'trusted');
      assert.throws(
        () => verifyBallotSignature(group, context, tampered),
        (e: unknown) => e instanceof ValidationError && e.field === field,
      );
    };
    const values = (pv.digest_input as HashInput).parts.filter((p) => p.framed && p.name !== 'tag');
    assert.equal(values.length, 66);
    for (const part of values) refused(flippedAt(castJson, part.name), 'cast_ballot.signature.challenge');
    const dropped = structuredClone(castJson);
    dropped.answers[0]!.sum_proof.pop();
    refused(dropped, 'cast_ballot.signature.challenge');
  });

  test('the signature or what it binds changed: the cast ballot is refused', () => {
    const cases: [CastAnswersJson, string][] = [
      [flippedAt(castJson, 'signature.commitment'), 'cast_ballot.signature.challenge'],
      [flippedAt(castJson, 'signature.challenge'), 'cast_ballot.signature.challenge'],
      [flippedAt(castJson, 'signature.response'), 'cast_ballot.signature.response'],
      [flippedAt(castJson, 'credential'), 'cast_ballot.signature.challenge'],
      [{ ...castJson, seq: castJson.seq + 1 }, 'cast_ballot.signature.challenge'],
    ];
    for (const [json, field] of cases) {
      const tampered = parseCastBallot(group, json, 'cast_ballot', 'trusted');
      assert.throws(
        () => verifyCastBallot(group, context, h, rules, tampered),
        (e: unknown) => e instanceof ValidationError && e.field === field,
        field,
      );
      assert.notEqual(verifyCastBatch(group, context, h, rules, [tampered], ['cast_ballot']), null);
    }
    // Signed under the voter context instead of the election id: refused.
    assert.throws(() => verifyBallotSignature(group, voter, cast), ValidationError);
  });
});

describe('a question that needs no sum proof (crypto-choices.json `approval`, CRYPTO §12.2, §12.5)', () => {
  const group = Group.default();
  const ap = committed.approval;
  const context = Buffer.from(ap.context, 'hex');
  const rules: QuestionRule[] = ap.questions;
  const h = fromHex(ap.election_key);
  const ballot = ap.ballot;
  const answersJson: AnswerJson[] = ballot.answers;
  const answers = parseAnswers(group, answersJson);
  const draws: bigint[] = ballot.randomness.map((x: string) => fromHex(x));
  const sumProofField = (q: number) => `ballot.answers[${q}].sum_proof`;
  /** Refused by every verifier of answers, naming `field`. */
  const refused = (tampered: Answer[], field: string) => {
    const named = (e: unknown) => e instanceof ValidationError && e.field === field;
    assert.throws(() => checkAnswersShape(rules, tampered, 'ballot'), named, field);
    assert.throws(() => verifyAnswers(group, context, h, rules, tampered), named, field);
    assert.throws(() => verifyAnyBallot(group, context, h, rules, tampered, 'ballot'), named, field);
    const failure = verifyAnswersBatch(group, context, h, rules, [answers, tampered]);
    assert.equal(failure?.index, 1);
    assert.equal(failure?.error.field, field);
  };

  test('the rules: the approval question allows every sum 0…3 and needs no sum proof; the other one sum', () => {
    checkRules(rules);
    assert.deepEqual(rules[0], { options: 3, min: 0, max: 3, blank: false });
    assert.deepEqual(ap.allowed_sums, rules.map(allowedSums));
    assert.deepEqual(ap.allowed_sums, [[0, 1, 2, 3], [1]]);
    assert.deepEqual(ap.needs_sum_proof, rules.map(sumIsProven));
    assert.deepEqual(ap.needs_sum_proof, [false, true]);
  });

  test('its talliers’ keys (proofs of possession, reduced mod q) and the election key', () => {
    const keys = ap.talliers.map((t: { tallier_key: unknown }) => parseTallierKey(group, t.tallier_key));
    ap.talliers.forEach((t: { secret_key: string; pk_pok_randomness: { w: string } }, i: number) => {
      const key = keys[i]!;
      verifyPkPok(group, context, key);
      const [x, w] = [t.secret_key, t.pk_pok_randomness.w].map(fromHex) as [bigint, bigint];
      assert.equal(group.powG(x), key.pk);
      assert.ok(w + key.pkPok.challenge * x >= group.q, 'the response is reduced mod q');
      assert.equal((w + key.pkPok.challenge * x) % group.q, key.pkPok.response);
    });
    assert.equal(electionKey(group, context, keys), h);
  });

  test('its listed randomness, drawn in the documented order, makes the ballot; it verifies (alone, in a batch, as either form)', () => {
    // Per option r, w, c', t; then a sum proof's w and (c, t) per other allowed sum, if needed.
    const expected = rules.reduce(
      (n, rule) => n + 4 * rule.options + (sumIsProven(rule) ? 2 * allowedSums(rule).length - 1 : 0),
      0,
    );
    assert.equal(draws.length, expected);
    assert.equal(draws.length, 21);
    const remade = encryptAnswers(group, context, h, rules, ballot.selection, fixedRandomness(draws));
    assert.deepEqual(encodeAnswers(group, remade), answersJson);
    // One draw fewer is not enough: the last is question 1's sum proof's w.
    assert.throws(
      () => encryptAnswers(group, context, h, rules, ballot.selection, fixedRandomness(draws.slice(0, -1))),
      /exhausted/,
    );
    verifyAnswers(group, context, h, rules, answers);
    verifyAnyBallot(group, context, h, rules, answers, 'ballot');
    assert.equal(verifyAnswersBatch(group, context, h, rules, [answers]), null);
    assert.throws(() => verifyAnswers(group, Buffer.alloc(32), h, rules, answers), ValidationError);
  });

  test('the ballot’s JSON: `"sum_proof": []` for the approval question, one branch for the other', () => {
    assert.deepEqual(answersJson[0]!.sum_proof, []);
    assert.equal(answersJson[1]!.sum_proof.length, 1);
    assert.match(JSON.stringify(answersJson), /^\[\{"choices":\[.*\],"sum_proof":\[\]\},\{"choices":/);
    assert.deepEqual(
      answersJson.map((a) => a.choices.length),
      rules.map((r) => r.options),
    );
  });

  test('every ciphertext and response from the listed randomness: s = w + R·c, reduced mod q', () => {
    const { q } = group;
    const reduced = (w: bigint, r: bigint, c: bigint, s: string) => {
      assert.ok(w + r * c >= q, 'the vector exercises the reduction mod q');
      assert.equal((w + r * c) % q, fromHex(s));
    };
    let at = 0;
    answersJson.forEach((answer, question) => {
      const nonces: bigint[] = [];
      answer.choices.forEach((choice, option) => {
        const [r, w, c, t] = draws.slice(at, at + 4) as [bigint, bigint, bigint, bigint];
        at += 4;
        nonces.push(r);
        const m = ballot.selection[question].includes(option) ? 1 : 0;
        assert.equal(fromHex(choice.alpha), group.powG(r));
        assert.equal(fromHex(choice.beta), group.mul(group.powG(BigInt(m)), group.pow(h, r)));
        const real = choice.proof[m]!;
        const other = choice.proof[1 - m]!;
        assert.equal(fromHex(real.a), group.powG(w));
        reduced(w, r, fromHex(real.challenge), real.response);
        assert.equal(fromHex(other.challenge), c, 'the simulated branch’s challenge is drawn');
        assert.equal(fromHex(other.a), group.powG(t));
        reduced(t, r, c, other.response);
      });
      if (!sumIsProven(rules[question]!)) return;
      // "Exactly one": one branch, the true one, its challenge the whole hash.
      const w = draws[at++]!;
      const branch = answer.sum_proof[0]!;
      assert.equal(answer.sum_proof.length, 1);
      const R = nonces.reduce((a, b) => a + b, 0n) % q;
      assert.equal(fromHex(branch.a), group.powG(w));
      reduced(w, R, fromHex(branch.challenge), branch.response);
    });
    assert.equal(at, draws.length);
  });

  test('its challenge inputs: choices bound to (question, option); none for the approval question’s sum; the other’s binds u32(1)', () => {
    const inputs: { choices: ChallengeInput[]; sum_proof: ChallengeInput | null }[] = ballot.challenge_inputs;
    assert.equal(inputs.length, 2);
    inputs.forEach((input, q) => {
      input.choices.forEach((choice, o) => {
        assert.deepEqual(
          choice.fields.slice(0, 7).map((f) => f.bytes),
          [
            asciiHex(PROOF_TAGS.choiceProof),
            committed.group.p,
            committed.group.q,
            committed.group.g,
            ap.context,
            u32Hex(q),
            u32Hex(o),
          ],
        );
        checkChallengeInput(choice, answersJson[q]!.choices[o]!.proof);
      });
    });
    assert.equal(inputs[0]!.sum_proof, null, 'no sum proof, no challenge input');
    const sum = inputs[1]!.sum_proof!;
    assert.deepEqual(
      sum.fields.map((f) => f.name),
      ['tag', 'p', 'q', 'g', 'context', 'question', 'allowed_sums', 'h']
        .concat(['alpha_0', 'beta_0', 'alpha_1', 'beta_1'])
        .concat(['a_0', 'b_0']),
    );
    assert.deepEqual(
      [0, 4, 5, 6, 7].map((k) => sum.fields[k]!.bytes),
      [asciiHex(PROOF_TAGS.sumProof), ap.context, u32Hex(1), u32Hex(1), ap.election_key],
    );
    checkChallengeInput(sum, answersJson[1]!.sum_proof);
    assert.equal(challengeOf(sum), answersJson[1]!.sum_proof[0]!.challenge, 'one branch: c_0 = c');
  });

  test('its digest: laid out as §12.5 with the raw u32(0) count of the approval question and nothing after it; the tracker', () => {
    const input: HashInput = ballot.digest_input;
    checkDigestLayout(input, { answers: answersJson });
    const names = input.parts.map((p) => p.name);
    const zero = names.indexOf('answers[0].sum_proof.length');
    assert.deepEqual(input.parts[zero], {
      name: 'answers[0].sum_proof.length',
      framed: false,
      bytes: '00000000',
    });
    assert.equal(names[zero - 1], 'answers[0].choices[2].proof[1].response');
    assert.equal(names[zero + 1], 'answers[1].choices.length');
    assert.equal(names.filter((n) => n.startsWith('answers[0].sum_proof[')).length, 0);
    assert.equal(names.filter((n) => n.startsWith('answers[1].sum_proof[')).length, 4);
    assert.equal(concatenated(input), input.bytes);
    assert.equal(sha256Hex(input.bytes), ballot.digest);
    assert.equal(ballotDigest(group, answers).toString('hex'), ballot.digest);
    assert.equal(ballot.tracker, ballot.digest);
    assert.equal(ballotTracker(group, answers), ballot.tracker);
  });

  test('the zero count omitted from the digest input, or framed: another digest', () => {
    const input: HashInput = ballot.digest_input;
    const zero = input.parts.findIndex((p) => p.name === 'answers[0].sum_proof.length');
    const omitted = { parts: input.parts.filter((_, k) => k !== zero), bytes: '' };
    omitted.bytes = concatenated(omitted);
    const offset = concatenated({ parts: input.parts.slice(0, zero), bytes: '' }).length;
    assert.equal(omitted.bytes, input.bytes.slice(0, offset) + input.bytes.slice(offset + 8));
    assert.equal(omitted.bytes.length, input.bytes.length - 8);
    assert.notEqual(sha256Hex(omitted.bytes), ballot.digest);
    const framed = { parts: input.parts.map((p, k) => (k === zero ? { ...p, framed: true } : p)), bytes: '' };
    framed.bytes = concatenated(framed);
    assert.notEqual(sha256Hex(framed.bytes), ballot.digest);
  });

  test('a sum proof on the approval answer is refused, even one whose equations hold; the other’s dropped too', () => {
    // A sound proof that the approval answer's choices add up to one of 0…3, made with its nonces.
    const rule = rules[0]!;
    const R = [0, 4, 8].reduce((acc, k) => acc + draws[k]!, 0n) % group.q;
    const statement = sumStatement(group, rule, answers[0]!.choices);
    const proof = proveOneOf(group, context, h, statement, R, 2, systemRandomness, sumBinding(0, rule));
    verifyOneOf(group, context, h, statement, proof, 'sum_proof', sumBinding(0, rule));
    const withProof: Answer[] = [{ ...answers[0]!, sumProof: proof }, answers[1]!];
    // The JSON form parses (the parser knows no rules); the verifiers refuse it by its shape.
    const json = encodeAnswers(group, withProof);
    assert.equal(json[0]!.sum_proof.length, 4);
    refused(parseAnswers(group, json), sumProofField(0));
    assert.notEqual(ballotDigest(group, withProof).toString('hex'), ballot.digest);
    // The other question's one-branch proof moved there as well: refused.
    refused([{ ...answers[0]!, sumProof: answers[1]!.sumProof }, answers[1]!], sumProofField(0));
    // And the question that needs one, with its proof dropped.
    refused([answers[0]!, { ...answers[1]!, sumProof: [] }], sumProofField(1));
  });

  test('the tallies are the ballot’s choices; the talliers’ factors of all five (reduced mod q) decrypt to its selection', () => {
    const tallies = tallyAnswers(group, rules, [answers]).flat();
    assert.deepEqual(
      tallies.map((t) => encodeCiphertext(group, t)),
      ap.tallies,
    );
    assert.deepEqual(
      ap.tallies,
      answersJson.flatMap((a) => a.choices.map(({ alpha, beta }) => ({ alpha, beta }))),
    );
    const factors = ap.dec_factors.map((f: { dec_factor: unknown }) =>
      parseDecryptionFactor(group, f.dec_factor, 'dec_factor', 'untrusted', 2),
    );
    ap.dec_factors.forEach((f: { challenge_input: ChallengeInput; randomness: { w: string } }, i: number) => {
      const factor = factors[i]!;
      assert.equal(factor.final, ap.final);
      assert.equal(framedHex(f.challenge_input.fields), f.challenge_input.bytes);
      assert.equal(fromHex(challengeOf(f.challenge_input)), factor.decFactorPoc.challenge);
      const [x, w] = [ap.talliers[i].secret_key, f.randomness.w].map(fromHex) as [bigint, bigint];
      const c = factor.decFactorPoc.challenge;
      assert.ok(w + c * x >= group.q, 'the response is reduced mod q');
      assert.equal((w + c * x) % group.q, factor.decFactorPoc.response);
    });
    const pks = ap.talliers.map((t: { tallier_key: { pk: string } }) => fromHex(t.tallier_key.pk));
    assert.deepEqual(decryptTally(group, context, tallies, 1, pks, factors), ap.counts);
    assert.deepEqual(
      ap.counts,
      rules.flatMap((rule, q) =>
        Array.from({ length: rule.options }, (_, o) => (ballot.selection[q].includes(o) ? 1 : 0)),
      ),
    );
  });
});
