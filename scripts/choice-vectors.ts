// Known-answer vectors for questions with choices (docs/CRYPTO.md §12): a ballot answering two
// questions with fixed randomness, every proof's challenge input byte for byte, three ballots'
// tallies per option, two talliers' factors of the five tallies (one proof each) and the counts.
// `npx tsx scripts/choice-vectors.ts` rewrites docs/test-vectors/crypto-choices.json;
// main/crypto/choice-vectors.test.ts recomputes it and demands byte equality. The file lists every
// input, so another implementation can check itself without this derivation.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toHex } from '../main/crypto/bigint';
import {
  allowedSums,
  choiceBinding,
  encryptAnswers,
  type QuestionRule,
  sumBinding,
  sumStatement,
  tallyAnswers,
} from '../main/crypto/choices';
import { u32 } from '../main/crypto/framing';
import {
  decryptTally,
  encodeAnswers,
  encodeCiphertext,
  encodeDecryptionFactor,
  encodeGroup,
  encodeTallierKey,
  fixedRandomness,
  Group,
  PROOF_TAGS,
  type Randomness,
} from '../main/crypto/index';
import type { Answer, ProofBranch } from '../main/crypto/types';
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
function recordingRandomness(group: Group, label: string): { rng: Randomness; drawn: string[] } {
  const drawn: string[] = [];
  let next = 0;
  const rng: Randomness = {
    scalar: (q) => {
      const value = fixedScalar(q, `${label}/${next++}`);
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
function answerInputs(group: Group, context: Uint8Array, h: bigint, answers: readonly Answer[]) {
  const commitments = (branches: readonly ProofBranch[]): [string, bigint][] =>
    branches.flatMap((b, k): [string, bigint][] => [
      [`a_${k}`, b.a],
      [`b_${k}`, b.b],
    ]);
  return answers.map((answer, question) => {
    const rule = VECTOR_RULES[question]!;
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
    if (answer.sumProof.length === 0) return { choices, sum: null };
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
  const factors = talliers.map((t, i) => {
    const nonce = fixedScalar(q, `choices/tallier/${i}/dec_factor_poc/w`);
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
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CHOICE_VECTORS_PATH, `${JSON.stringify(buildChoiceVectors(), null, 2)}\n`);
  console.log(`wrote ${CHOICE_VECTORS_PATH}`);
}
