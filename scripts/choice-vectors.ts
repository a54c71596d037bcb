// Known-answer vectors for questions with choices (docs/CRYPTO.md §12): a ballot answering two
// questions with fixed randomness, every proof's challenge input byte for byte, three ballots'
// tallies per option, two talliers' factors of the five tallies (one proof each) and the counts.
// Under `per_voter`, one cast ballot of answers by the per-voter rule (§9, §12.5): its credential,
// voter context, proofs' challenge inputs under that context, the answers' digest (the tracker)
// with the exact bytes hashed, the signature's challenge input, the signed cast ballot and its id.
// Under `approval`, a second election whose first question (approval: any of 3 or none) needs no
// sum proof: one ballot with its randomness, challenge inputs, its `"sum_proof": []`, and its
// digest input showing that question's raw u32(0) branch count; its talliers' factors and counts.
// `npx tsx scripts/choice-vectors.ts` rewrites docs/test-vectors/crypto-choices.json;
// main/crypto/choice-vectors.test.ts recomputes it and demands byte equality. The file lists every
// input, so another implementation can check itself without this derivation.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromBytes, toBytes, toHex } from '../main/crypto/bigint';
import {
  allowedSums,
  choiceBinding,
  encryptAnswers,
  type QuestionRule,
  sumBinding,
  sumIsProven,
  sumStatement,
  tallyAnswers,
} from '../main/crypto/choices';
import {
  ballotDigest,
  ballotTracker,
  CredentialSecretKey,
  castBallotId,
  voterContext,
} from '../main/crypto/credential';
import { u32 } from '../main/crypto/framing';
import {
  decryptTally,
  electionKey,
  encodeAnswers,
  encodeCastBallot,
  encodeCiphertext,
  encodeDecryptionFactor,
  encodeGroup,
  encodeTallierKey,
  fixedRandomness,
  Group,
  PROOF_TAGS,
  type Randomness,
  TallierSecretKey,
} from '../main/crypto/index';
import type { Answer, Answers, CastBallot, Ciphertext, ProofBranch } from '../main/crypto/types';
import { challengeInput, challengeOf, fixedChallenge, fixedScalar, fixedTalliers } from './crypto-vectors';

export const CHOICE_VECTORS_PATH = fileURLToPath(
  new URL('../docs/test-vectors/crypto-choices.json', import.meta.url),
);

/** "Choose 1 or 2 of 3", and "one of 2, or none". */
export const VECTOR_RULES: readonly QuestionRule[] = [
  { options: 3, min: 1, max: 2, blank: false },
  { options: 2, min: 1, max: 1, blank: true },
];
const SELECTIONS = [
  [[0, 2], [1]],
  [[1], []],
  [[2], [0]],
];

/** Fixed draws in the order encryptAnswers takes them, each listed: scalars and challenges by label. */
function recordingRandomness(
  group: Group,
  label: string,
  scalarOf: (q: bigint, label: string) => bigint = fixedScalar,
): { rng: Randomness; drawn: string[] } {
  const drawn: string[] = [];
  let next = 0;
  const rng: Randomness = {
    scalar: (q) => {
      const value = scalarOf(q, `${label}/${next++}`);
      drawn.push(toHex(value, group.byteWidth * 2));
      return value;
    },
    challenge: () => {
      const value = fixedChallenge(`${label}/${next++}`);
      drawn.push(toHex(value, 64));
      return value;
    },
  };
  return { rng, drawn };
}

/** The challenge input of each proof of a ballot's answers, as CRYPTO §12.2 lays them out. */
function answerInputs(
  group: Group,
  context: Uint8Array,
  h: bigint,
  answers: readonly Answer[],
  rules: readonly QuestionRule[] = VECTOR_RULES,
) {
  const commitments = (branches: readonly ProofBranch[]): [string, bigint][] =>
    branches.flatMap((b, k): [string, bigint][] => [
      [`a_${k}`, b.a],
      [`b_${k}`, b.b],
    ]);
  return answers.map((answer, question) => {
    const rule = rules[question]!;
    const choices = answer.choices.map((choice, option) => {
      const binding = choiceBinding(question, option);
      const input = challengeInput(
        group,
        PROOF_TAGS.choiceProof,
        context,
        [
          ['question', u32(question)],
          ['option', u32(option)],
        ],
        [['h', h], ['alpha', choice.alpha], ['beta', choice.beta], ...commitments(choice.proof)],
      );
      const sum = (choice.proof[0].challenge + choice.proof[1].challenge) % (1n << 256n);
      if (challengeOf(input) !== toHex(sum, 64) || binding.bound.length !== 2)
        throw new Error(`choice ${question}/${option}: the layout differs from main/crypto's`);
      return input;
    });
    if (!sumIsProven(rule)) {
      if (answer.sumProof.length !== 0) throw new Error(`sum proof ${question}: not empty`);
      return { choices, sum: null };
    }
    const sums = allowedSums(rule);
    const statement = sumStatement(group, rule, answer.choices);
    const input = challengeInput(
      group,
      PROOF_TAGS.sumProof,
      context,
      [
        ['question', u32(question)],
        ['allowed_sums', Buffer.concat(sums.map(u32))],
      ],
      [
        ['h', h],
        ...answer.choices.flatMap((c, o): [string, bigint][] => [
          [`alpha_${o}`, c.alpha],
          [`beta_${o}`, c.beta],
        ]),
        ...commitments(answer.sumProof),
      ],
    );
    const total = answer.sumProof.reduce((acc, b) => acc + b.challenge, 0n) % (1n << 256n);
    if (challengeOf(input) !== toHex(total, 64) || sumBinding(question, rule).bound.length !== 2)
      throw new Error(`sum proof ${question}: the layout differs from main/crypto's`);
    if (statement.values.join() !== sums.join()) throw new Error('allowed sums differ');
    return { choices, sum: input };
  });
}

/** Each tallier's factors of all `tallies` under one proof (CRYPTO §12.3), with its challenge input. */
function decryptionFactors(
  group: Group,
  context: Uint8Array,
  final: string,
  talliers: readonly { secret: TallierSecretKey }[],
  tallies: readonly Ciphertext[],
  nonceOf: (tallier: number) => bigint,
) {
  return talliers.map((t, i) => {
    const nonce = nonceOf(i);
    const factor = t.secret.decryptionFactor(context, tallies, final, fixedRandomness([nonce]));
    const p = factor.decFactorPoc;
    const input = challengeInput(
      group,
      PROOF_TAGS.decFactorPocV2,
      context,
      [['final', Buffer.from(final, 'hex')]],
      [
        ['pk', factor.pk],
        ...tallies.flatMap((t, k): [string, bigint][] => [
          [`alpha_${k}`, t.alpha],
          [`beta_${k}`, t.beta],
          [`d_${k}`, factor.factors[k]!],
        ]),
        ['a', p.a],
        ...p.b.map((b, k): [string, bigint] => [`b_${k}`, b]),
      ],
    );
    if (challengeOf(input) !== toHex(p.challenge, 64)) throw new Error(`factor ${i}: layout differs`);
    return { nonce, factor, input };
  });
}

// ── Per-voter rule (CRYPTO §9, §12.5) ───────────────────────────────────────────────────────

/**
 * One part of a hash input that is not a Fiat–Shamir challenge's: `framed` parts enter as
 * F(bytes) = u32be(len(bytes)) ‖ bytes, the others (u32 counts and sequence numbers) as they are.
 * `name` is the part's path in the cast ballot's JSON where it has one.
 */
export interface HashPart {
  name: string;
  framed: boolean;
  bytes: string;
}

/** A hash input: its parts, and their concatenation `bytes`, whose SHA-256 is the hash. */
export interface HashInput {
  parts: HashPart[];
  bytes: string;
}

type Part = [name: string, framed: boolean, bytes: Uint8Array];
const framedPart = (name: string, bytes: Uint8Array): Part => [name, true, bytes];
const u32Part = (name: string, n: number): Part => [name, false, u32(n)];
const textPart = (name: string, text: string): Part => framedPart(name, Buffer.from(text, 'ascii'));

/** Lays out a hash input from its parts, independently of main/crypto/framing.ts. */
function hashInput(parts: readonly Part[]): HashInput {
  const bytes = parts.flatMap(([, framed, b]) => {
    if (!framed) return [Buffer.from(b)];
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return [length, Buffer.from(b)];
  });
  return {
    parts: parts.map(([name, framed, b]) => ({ name, framed, bytes: Buffer.from(b).toString('hex') })),
    bytes: Buffer.concat(bytes).toString('hex'),
  };
}

/**
 * A fixed scalar in [1, q) of the group's full size. fixedScalar's are below 2^1024 (two SHA-512
 * digests), so a response w + c·x stays below q and its reduction mod q is never exercised; the
 * per-voter section draws its scalars here so that its responses are reduced.
 */
function fullScalar(q: bigint, label: string): bigint {
  const blocks = Math.ceil(q.toString(2).length / 512) + 1;
  const wide = Buffer.concat(
    Array.from({ length: blocks }, (_, i) => createHash('sha512').update(`${label}/${i}`).digest()),
  );
  return (fromBytes(wide) % (q - 1n)) + 1n;
}

const sha256Of = (input: HashInput): string =>
  createHash('sha256').update(Buffer.from(input.bytes, 'hex')).digest('hex');

/** The digest input of answers as CRYPTO §12.5 lays it out, parts named by their JSON paths. */
function answersDigestInput(group: Group, answers: Answers): HashInput {
  const w = group.byteWidth;
  const parts: Part[] = [
    textPart('tag', 'onion-election/v2/answers'),
    u32Part('answers.length', answers.length),
  ];
  const branches = (path: string, proof: readonly ProofBranch[]) =>
    proof.forEach((b, j) => {
      parts.push(
        framedPart(`${path}[${j}].a`, toBytes(b.a, w)),
        framedPart(`${path}[${j}].b`, toBytes(b.b, w)),
        framedPart(`${path}[${j}].challenge`, toBytes(b.challenge, 32)),
        framedPart(`${path}[${j}].response`, toBytes(b.response, w)),
      );
    });
  answers.forEach((answer, q) => {
    const at = `answers[${q}]`;
    parts.push(u32Part(`${at}.choices.length`, answer.choices.length));
    answer.choices.forEach((c, o) => {
      parts.push(
        framedPart(`${at}.choices[${o}].alpha`, toBytes(c.alpha, w)),
        framedPart(`${at}.choices[${o}].beta`, toBytes(c.beta, w)),
      );
      branches(`${at}.choices[${o}].proof`, c.proof);
    });
    parts.push(u32Part(`${at}.sum_proof.length`, answer.sumProof.length));
    branches(`${at}.sum_proof`, answer.sumProof);
  });
  return hashInput(parts);
}

/**
 * A voter casting answers as main/node/casting.ts does: the answers encrypted and proved under
 * voterContext(election id, Y), then signed by the credential under the election id.
 */
function buildPerVoter(group: Group, context: Uint8Array, h: bigint) {
  const { q } = group;
  const w = group.byteWidth;
  const hex = (x: bigint) => toHex(x, w * 2);
  const secret = fullScalar(q, 'choices/per_voter/credential');
  const credential = CredentialSecretKey.fromSecret(group, secret);
  const Y = credential.publicKey;
  const selection = [[1, 2], [0]];
  const seq = 1;

  const voter = voterContext(group, context, Y);
  const voterInput = hashInput([
    textPart('tag', 'onion-election/v2/voter'),
    framedPart('context', context),
    framedPart('credential', toBytes(Y, w)),
  ]);
  if (sha256Of(voterInput) !== Buffer.from(voter).toString('hex'))
    throw new Error('voter context: the layout differs from main/crypto’s');

  const { rng, drawn } = recordingRandomness(group, 'choices/per_voter/ballot', fullScalar);
  const answers = encryptAnswers(group, voter, h, VECTOR_RULES, selection, rng);
  const inputs = answerInputs(group, voter, h, answers);

  const digest = ballotDigest(group, answers);
  const digestInput = answersDigestInput(group, answers);
  if (sha256Of(digestInput) !== digest.toString('hex'))
    throw new Error('answers digest: the layout differs from main/crypto’s');

  const nonce = fullScalar(q, 'choices/per_voter/signature/w');
  const cast: CastBallot = credential.sign(context, seq, answers, fixedRandomness([nonce]));
  const signatureInput = challengeInput(
    group,
    PROOF_TAGS.ballotSignature,
    context,
    [
      ['seq', u32(seq)],
      ['digest', digest],
    ],
    [
      ['Y', Y],
      ['a', cast.signature.commitment],
    ],
  );
  if (challengeOf(signatureInput) !== toHex(cast.signature.challenge, 64))
    throw new Error('ballot signature: the layout differs from main/crypto’s');

  const id = castBallotId(group, cast);
  const idInput = hashInput([
    textPart('tag', 'onion-election/v2/cast_ballot'),
    framedPart('credential', toBytes(Y, w)),
    u32Part('seq', seq),
    framedPart('digest', digest),
    framedPart('signature.commitment', toBytes(cast.signature.commitment, w)),
    framedPart('signature.challenge', toBytes(cast.signature.challenge, 32)),
    framedPart('signature.response', toBytes(cast.signature.response, w)),
  ]);
  if (sha256Of(idInput) !== id) throw new Error('cast ballot id: the layout differs from main/crypto’s');

  return {
    description:
      'One cast ballot of answers under the per-voter rule (docs/CRYPTO.md §9, §12.5), in this ' +
      'election (context, election_key, questions above); it is not among `ballots` and not in ' +
      'the tallies. The credential Y = g^y. Its voter context is SHA-256(voter_context_input.bytes). ' +
      'The answers are encrypted with `randomness` (drawn in the order of §12.2) and every proof ' +
      'made under the voter context in place of the election id: `challenge_inputs`, per question, ' +
      'as the first ballot’s above. The digest is SHA-256(digest_input.bytes) and the tracker is ' +
      'the digest in hex. The signature (randomness w) is made under the election id (`context`), ' +
      'not the voter context; its challenge input is laid out as crypto-v2.json’s. A hash input’s ' +
      '`bytes` is the concatenation, part by part, of F(part) = u32be(len(part)) ‖ part for a ' +
      'framed part and of the part itself otherwise (u32 counts and the sequence number); each ' +
      'part is named by its path in cast_ballot where it has one. cast_ballot_id is ' +
      'SHA-256(cast_ballot_id_input.bytes).',
    credential: { secret_key: hex(secret), public_key: hex(Y) },
    voter_context_input: voterInput,
    voter_context: Buffer.from(voter).toString('hex'),
    selection,
    randomness: drawn,
    challenge_inputs: inputs.map((x) => ({ choices: x.choices, sum_proof: x.sum })),
    digest_input: digestInput,
    digest: digest.toString('hex'),
    tracker: ballotTracker(group, answers),
    seq,
    signature_randomness: { w: hex(nonce) },
    signature_challenge_input: signatureInput,
    cast_ballot: encodeCastBallot(group, cast),
    cast_ballot_id_input: idInput,
    cast_ballot_id: id,
  };
}

// ── A question that needs no sum proof (CRYPTO §12, §12.2, §12.5) ───────────────────────────

/**
 * Approval voting (any of 3, or none: every sum 0…3 allowed, so no sum proof), then "exactly one
 * of 2" (one allowed sum: a sum proof of a single branch, its challenge the whole hash).
 */
export const APPROVAL_RULES: readonly QuestionRule[] = [
  { options: 3, min: 0, max: 3, blank: false },
  { options: 2, min: 1, max: 1, blank: false },
];

/**
 * A second election asking APPROVAL_RULES, every scalar full-width (fullScalar): its two talliers,
 * one ballot under the election id with its challenge inputs and digest input, and the talliers'
 * factors of that ballot's five tallies with the counts.
 */
function buildApproval(group: Group) {
  const { q } = group;
  const w = group.byteWidth;
  const hex = (x: bigint) => toHex(x, w * 2);
  const context = createHash('sha256').update('onion-election test vector election id, approval').digest();
  const final = createHash('sha256').update('onion-election test vector final block, approval').digest('hex');
  const talliers = [0, 1].map((i) => {
    const secretKey = fullScalar(q, `choices/approval/tallier/${i}/secret_key`);
    const nonce = fullScalar(q, `choices/approval/tallier/${i}/pk_pok/w`);
    const secret = TallierSecretKey.fromSecret(group, secretKey);
    return { secret, secretKey, nonce, key: secret.provePossession(context, fixedRandomness([nonce])) };
  });
  const h = electionKey(
    group,
    context,
    talliers.map((t) => t.key),
  );
  const selection = [[0, 2], [1]];
  const { rng, drawn } = recordingRandomness(group, 'choices/approval/ballot', fullScalar);
  const answers = encryptAnswers(group, context, h, APPROVAL_RULES, selection, rng);
  const inputs = answerInputs(group, context, h, answers, APPROVAL_RULES);
  const digest = ballotDigest(group, answers);
  const digestInput = answersDigestInput(group, answers);
  if (sha256Of(digestInput) !== digest.toString('hex'))
    throw new Error('answers digest: the layout differs from main/crypto’s');
  const tallies = tallyAnswers(group, APPROVAL_RULES, [answers]).flat();
  const factors = decryptionFactors(group, context, final, talliers, tallies, (i) =>
    fullScalar(q, `choices/approval/tallier/${i}/dec_factor_poc/w`),
  );
  const counts = decryptTally(
    group,
    context,
    tallies,
    1,
    talliers.map((t) => t.key.pk),
    factors.map((f) => f.factor),
  );
  return {
    description:
      'A second election (its own context, talliers and election key; the group above) whose first ' +
      'question needs no sum proof (docs/CRYPTO.md §12): approval voting, any of 3 options or none ' +
      '(min 0, max 3: every sum 0…3 allowed), so its `sum_proof` is [] and no sum-proof randomness ' +
      'is drawn for it; its second question is "exactly one of 2" (one allowed sum, so a sum proof of ' +
      'one branch, whose challenge is the whole hash). Every scalar (secret keys and nonces) is ' +
      'full-width, so responses are reduced mod q. One ballot, made under the election id ' +
      '(`context`) with `randomness` drawn in the order of §12.2 (per question, per option: r, w, ' +
      'c’, t; then question 1’s sum proof: w); `challenge_inputs` per question as the first ballot’s ' +
      'above, `sum_proof` null for the approval question (no proof, no hash). Its digest (§12.5) is ' +
      'SHA-256(digest_input.bytes), laid out as per_voter.digest_input: the approval answer ' +
      'contributes the raw count u32(0) (`answers[0].sum_proof.length`) and nothing after it. The ' +
      'tracker is the digest in hex. The tallies are this one ballot’s (its five choices, question ' +
      'by question, option by option); the two talliers’ factors of all five (§12.3) and the counts ' +
      'follow.',
    context: context.toString('hex'),
    final,
    questions: APPROVAL_RULES,
    allowed_sums: APPROVAL_RULES.map(allowedSums),
    needs_sum_proof: APPROVAL_RULES.map(sumIsProven),
    talliers: talliers.map((t) => ({
      secret_key: hex(t.secretKey),
      pk_pok_randomness: { w: hex(t.nonce) },
      tallier_key: encodeTallierKey(group, t.key),
    })),
    election_key: hex(h),
    ballot: {
      selection,
      randomness: drawn,
      answers: encodeAnswers(group, answers),
      challenge_inputs: inputs.map((x) => ({ choices: x.choices, sum_proof: x.sum })),
      digest_input: digestInput,
      digest: digest.toString('hex'),
      tracker: ballotTracker(group, answers),
    },
    tallies: tallies.map((t) => encodeCiphertext(group, t)),
    dec_factors: factors.map((f, i) => ({
      tallier: i,
      randomness: { w: hex(f.nonce) },
      challenge_input: f.input,
      dec_factor: encodeDecryptionFactor(group, f.factor),
    })),
    counts,
  };
}

export function buildChoiceVectors(group: Group = Group.default()): unknown {
  const { q } = group;
  const hex = (x: bigint) => toHex(x, group.byteWidth * 2);
  const context = createHash('sha256').update('onion-election test vector election id, choices').digest();
  const final = createHash('sha256').update('onion-election test vector final block, choices').digest('hex');
  const { talliers, h } = fixedTalliers(group, context, 'choices/');
  const ballots = SELECTIONS.map((selection, i) => {
    const { rng, drawn } = recordingRandomness(group, `choices/ballot/${i}`);
    const answers = encryptAnswers(group, context, h, VECTOR_RULES, selection, rng);
    return { selection, drawn, answers, inputs: answerInputs(group, context, h, answers) };
  });
  const tallies = tallyAnswers(
    group,
    VECTOR_RULES,
    ballots.map((b) => b.answers),
  ).flat();
  const factors = decryptionFactors(group, context, final, talliers, tallies, (i) =>
    fixedScalar(q, `choices/tallier/${i}/dec_factor_poc/w`),
  );
  const counts = decryptTally(
    group,
    context,
    tallies,
    ballots.length,
    talliers.map((t) => t.key.pk),
    factors.map((f) => f.factor),
  );
  return {
    description:
      'Known-answer vectors for questions with choices (docs/CRYPTO.md §12): each ballot answers ' +
      'two questions (3 options, choose 1 or 2; 2 options, choose 1 or none), its randomness listed ' +
      'in the order encryptAnswers draws it (§12.2), the first ballot’s choice proofs and sum proofs with their ' +
      'challenge inputs (the branch challenges sum to its SHA-256 mod 2^256); the five tallies ' +
      '(question by question, option by option), two talliers’ factors of all five under one proof ' +
      '(§12.3) with their challenge inputs, and the counts. Numbers are fixed-width lowercase hex; ' +
      'challenge inputs as in crypto-v2.json.',
    group: encodeGroup(group),
    context: context.toString('hex'),
    final,
    questions: VECTOR_RULES,
    talliers: talliers.map((t) => ({
      secret_key: hex(t.secretKey),
      pk_pok_randomness: { w: hex(t.nonce) },
      tallier_key: encodeTallierKey(group, t.key),
    })),
    election_key: hex(h),
    ballots: ballots.map((b, i) => ({
      selection: b.selection,
      randomness: b.drawn,
      answers: encodeAnswers(group, b.answers),
      // Every ballot's layout is checked here; the first's is listed (the others repeat it).
      ...(i === 0
        ? { challenge_inputs: b.inputs.map((x) => ({ choices: x.choices, sum_proof: x.sum })) }
        : {}),
    })),
    tallies: tallies.map((t) => encodeCiphertext(group, t)),
    dec_factors: factors.map((f, i) => ({
      tallier: i,
      randomness: { w: hex(f.nonce) },
      challenge_input: f.input,
      dec_factor: encodeDecryptionFactor(group, f.factor),
    })),
    counts,
    per_voter: buildPerVoter(group, context, h),
    approval: buildApproval(group),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CHOICE_VECTORS_PATH, `${JSON.stringify(buildChoiceVectors(), null, 2)}\n`);
  console.log(`wrote ${CHOICE_VECTORS_PATH}`);
}
