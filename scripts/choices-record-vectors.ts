// Test vectors of an election with questions with choices (PROTOCOL §2.3, CRYPTO §12): a complete,
// sealed and decrypted record (docs/test-vectors/record-choices.json) and invalid variants with
// the reason each must be refused (record-choices-invalid.json). Every key, nonce and timestamp
// comes from a fixed label, so `npx tsx scripts/choices-record-vectors.ts` rewrites both files
// identically and scripts/choices-record-vectors.test.ts checks that and the verdicts.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Block, blockHash, type Payload } from '../main/chain/block';
import { ballotRules, type Genesis, makeGenesis } from '../main/chain/genesis';
import { addToTallies, ciphertextsOf } from '../main/crypto/any-ballot';
import { EMPTY_TALLY, encryptBallot } from '../main/crypto/ballot';
import { encryptAnswers } from '../main/crypto/choices';
import { decryptTally, electionResult } from '../main/crypto/decryption';
import { Group } from '../main/crypto/group';
import type { Randomness } from '../main/crypto/random';
import { fixedRandomness } from '../main/crypto/random';
import type { Answers, Ciphertext, ElectionResult } from '../main/crypto/types';
import { buildRecord, type ElectionRecord } from '../main/verify/record';
import { fixedChallenge, fixedScalar, fixedTalliers } from './crypto-vectors';
import { type InvalidVector, variant } from './protocol-vectors';

const vectorPath = (name: string) => fileURLToPath(new URL(`../docs/test-vectors/${name}`, import.meta.url));
export const CHOICES_PATH = vectorPath('record-choices.json');
export const CHOICES_INVALID_PATH = vectorPath('record-choices-invalid.json');

const group = Group.default();
const CREATED_AT = 1_766_000_000;

export const choicesGenesis: Genesis = makeGenesis({
  title: 'Questions test vector election',
  question: '2 questions: Who should sit on the board? · Which date?',
  group,
  questions: [
    {
      text: 'Who should sit on the board?',
      options: ['Ada', 'Brian', 'Chen', 'Dana', 'Emeka'],
      min: 0,
      max: 2,
      blank: false,
    },
    { text: 'Which date?', options: ['3 May', '10 May', '17 May'], min: 1, max: 1, blank: false },
  ],
  nTalliers: 2,
  nTalliersBlocks: 2,
  nVoteBlocks: 4,
  confirmations: 1,
  target: (1n << 252n) - 1n, // one hash in 16 meets it
  createdAt: CREATED_AT,
});
const { id } = choicesGenesis;
const rules = ballotRules(choicesGenesis)!;
const { talliers, h } = fixedTalliers(group, id, 'choices-record/');
const keys = talliers.map((t) => t.key);

/** Draws named `<label>/<n>` in the order they are taken (scalars and challenges alike). */
function labelled(label: string): Randomness {
  let next = 0;
  return {
    scalar: (q) => fixedScalar(q, `choices-record/${label}/${next++}`),
    challenge: () => fixedChallenge(`choices-record/${label}/${next++}`),
  };
}

const answers = (label: string, selections: number[][]): Answers =>
  encryptAnswers(group, id, h, rules, selections, labelled(label));
const ballot = (a: Answers): Payload => ({ kind: 'ballot', ballot: a });

/** The four ballots: Ada+Chen / 10 May; Brian / 17 May; Chen / 3 May; Ada+Chen / 10 May. */
const cast = [
  answers('ballot/0', [[0, 2], [1]]),
  answers('ballot/1', [[1], [2]]),
  answers('ballot/2', [[2], [0]]),
  answers('ballot/3', [[0, 2], [1]]),
];
const honest: Payload[] = [
  { kind: 'tallier_key', key: keys[0]! },
  { kind: 'tallier_key', key: keys[1]! },
  ...cast.map(ballot),
  { kind: 'confirmation' },
];

function mineChain(payloads: readonly Payload[]): Block[] {
  const blocks: Block[] = [];
  let prev = choicesGenesis.idHex;
  for (const [i, payload] of payloads.entries()) {
    for (let nonce = 0n; ; nonce++) {
      const block = { height: i + 1, prev, timestamp: CREATED_AT + 60 * (i + 1), miner: '', payload, nonce };
      const hash = blockHash(group, block);
      if (BigInt(`0x${hash}`) <= choicesGenesis.target) {
        blocks.push(block);
        prev = hash;
        break;
      }
    }
  }
  return blocks;
}

/** A sealed, decrypted record of `blocks` (which need not be valid: the verifier decides). */
function record(blocks: Block[], claimed?: ElectionResult): ElectionRecord {
  const final = blockHash(group, blocks.at(-1)!);
  let tallies: Ciphertext[] = Array.from({ length: 8 }, () => EMPTY_TALLY);
  let ballots = 0;
  // A ballot of another shape (an invalid variant's) is left out: the verifier stops at it.
  for (const b of blocks)
    if (b.payload.kind === 'ballot' && ciphertextsOf(b.payload.ballot).length === tallies.length) {
      tallies = addToTallies(group, tallies, b.payload.ballot);
      ballots++;
    }
  const seal = talliers.map((t, i) =>
    t.secret.accept(id, final, 1, fixedRandomness([fixedScalar(group.q, `choices-record/acceptance/${i}`)])),
  );
  const factors = talliers.map((t, i) =>
    t.secret.decryptionFactor(
      id,
      tallies,
      final,
      fixedRandomness([fixedScalar(group.q, `choices-record/factor/${i}`)]),
    ),
  );
  const counts = decryptTally(
    group,
    id,
    tallies,
    ballots,
    keys.map((k) => k.pk),
    factors,
  );
  return buildRecord({
    genesis: choicesGenesis,
    blocks,
    seal,
    decFactors: factors,
    result: claimed ?? electionResult(rules, counts, ballots),
  });
}

export function buildChoicesVectors(): { valid: ElectionRecord; invalid: InvalidVector[] } {
  const valid = record(mineChain(honest));
  /** The honest chain with the ballot at `height` replaced. */
  const at = (height: number, payload: Payload) => {
    const changed = [...honest];
    changed[height - 1] = payload;
    return record(mineChain(changed));
  };
  const [first, second, third] = cast as [Answers, Answers, Answers];
  const board = first[0]!;
  const other = answers('other', [[1, 3], [2]]);
  const withBoard = (choices: Answers[number]['choices'], base: Answers = first): Answers => [
    { ...base[0]!, choices },
    base[1]!,
  ];
  // Ada encrypting 2 (β·g): no 0-or-1 proof can hold for it.
  const two = { ...board.choices[0]!, beta: group.mul(board.choices[0]!.beta, group.g) };
  return {
    valid,
    invalid: [
      variant(
        'option-encrypting-two',
        'each option encrypts 0 or 1 with its proof (CRYPTO §12.2): a selection of 2 has none',
        'record.blocks[2] (height 3): block.payload.answers[0].choices[0].proof',
        at(3, ballot(withBoard([two, ...board.choices.slice(1)]))),
      ),
      variant(
        'three-chosen-of-at-most-two',
        'the sum of a question’s selections is one it allows (CRYPTO §12.2): each option proven 0 or 1, the sum proof fails for three',
        'record.blocks[2] (height 3): block.payload.answers[0].sum_proof',
        // Ada and Chen, plus another ballot's Brian (a valid choice at question 0, option 1).
        at(3, ballot(withBoard([board.choices[0]!, other[0]!.choices[1]!, ...board.choices.slice(2)]))),
      ),
      variant(
        'no-date-chosen',
        'a question with min 1 and no blank answer cannot be left unanswered (CRYPTO §12.2): each date proven 0 or 1, the sum proof fails for none',
        'record.blocks[4] (height 5): block.payload.answers[1].sum_proof',
        // The third ballot's 3 May (a 1) replaced by a 0 of another ballot at the same place.
        at(
          5,
          ballot([
            third[0]!,
            { ...third[1]!, choices: [other[1]!.choices[0]!, ...third[1]!.choices.slice(1)] },
          ]),
        ),
      ),
      variant(
        'proof-moved-between-options',
        'an option’s proof binds its question and option (CRYPTO §12.2): two options swapped',
        'record.blocks[2] (height 3): block.payload.answers[0].choices[0].proof',
        at(3, ballot(withBoard([board.choices[1]!, board.choices[0]!, ...board.choices.slice(2)]))),
      ),
      variant(
        'proof-moved-between-questions',
        'an option’s proof binds its question (CRYPTO §12.2): another ballot’s first choice of the second question put first in the first question',
        'record.blocks[2] (height 3): block.payload.answers[0].choices[0].proof',
        at(3, ballot(withBoard([other[1]!.choices[0]!, ...board.choices.slice(1)]))),
      ),
      variant(
        'question-unanswered',
        'a ballot answers every question (CRYPTO §12.2)',
        'record.blocks[2] (height 3): block.payload.answers: must answer each of the 2 questions',
        at(3, ballot([board])),
      ),
      variant(
        'yes-no-ballot',
        'an election with questions takes answers, not a yes/no ballot (PROTOCOL §2.3, §4 rule 8)',
        'this election asks questions with choices',
        at(3, { kind: 'ballot', ballot: encryptBallot(group, id, h, 1, labelled('yes-no')) }),
      ),
      variant(
        'copied-choice',
        'the replay rule covers every option’s α (PROTOCOL §4 rule 8): a ballot carrying an earlier ballot’s whole answer to the first question (its choices and sum proof, each proof valid) beside a fresh answer to the second',
        'record.blocks[3] (height 4): block.payload.answers: ballot replay',
        at(4, ballot([board, second[1]!])),
      ),
      variant(
        'result-miscounted',
        'the result is the decrypted counts, option by option (PROTOCOL §7)',
        'record.result',
        record(mineChain(honest), {
          total: 4,
          counts: [
            [2, 1, 3, 0, 0],
            [1, 1, 0],
          ],
        }),
      ),
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const write = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  const built = buildChoicesVectors();
  write(CHOICES_PATH, built.valid);
  write(CHOICES_INVALID_PATH, built.invalid);
  console.log(`wrote ${CHOICES_PATH}, ${CHOICES_INVALID_PATH}`);
}
