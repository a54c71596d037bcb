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
import {
  ballotStatement,
  EMPTY_TALLY,
  encryptBallot,
  encryptWithNonce,
  type OneOf,
  proveOneOf,
} from '../main/crypto/ballot';
import {
  allowedSums,
  choiceBinding,
  encryptAnswers,
  sumBinding,
  sumIsProven,
  sumStatement,
} from '../main/crypto/choices';
import { discreteLogBounded, electionResult } from '../main/crypto/decryption';
import { factorStatement } from '../main/crypto/factor-proof';
import { Group } from '../main/crypto/group';
import type { Randomness } from '../main/crypto/random';
import { fixedRandomness } from '../main/crypto/random';
import { decFactorChallenge } from '../main/crypto/tallier';
import type {
  Answer,
  Answers,
  Ballot,
  Ciphertext,
  DecryptionFactor,
  ElectionResult,
  ProofBranch,
} from '../main/crypto/types';
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

/**
 * Draws named `<label>/<n>` in the order they are taken (scalars and challenges alike), except the
 * scalars `nonces` gives by draw number (an invalid variant's chosen nonce).
 */
function labelled(label: string, nonces: ReadonlyMap<number, bigint> = new Map()): Randomness {
  let next = 0;
  return {
    scalar: (q) => {
      const n = next++;
      return nonces.get(n) ?? fixedScalar(q, `choices-record/${label}/${n}`);
    },
    challenge: () => fixedChallenge(`choices-record/${label}/${next++}`),
  };
}

/**
 * The draw at which encryptAnswers takes the nonce r of `option` of `question`: four draws per
 * option (r, then its proof's w, c, t), then the question's sum proof's (w, then c and t per other
 * allowed sum).
 */
function nonceDraw(question: number, option: number): number {
  let draw = 0;
  for (const [i, rule] of rules.entries()) {
    if (i === question) return draw + 4 * option;
    draw += 4 * rule.options + (sumIsProven(rule) ? 2 * allowedSums(rule).length - 1 : 0);
  }
  throw new Error(`no question ${question}`);
}

/** The nonce r of `option` of `question` in the ballot drawn from `label`. */
const nonceOf = (label: string, question: number, option: number): bigint =>
  fixedScalar(group.q, `choices-record/${label}/${nonceDraw(question, option)}`);

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

/**
 * Tallier `i`'s factors of `tallies` for final block `final`, made from its secret key as
 * decryptionFactor makes them (the same nonce, so the same factor for the same tallies), with
 * `forge` applied to the factors before they are proven. For a tally whose α is outside G_q (an
 * invalid variant's) the factor is made to hold in Z_p^* all the same: the key x and the nonce w
 * are taken in their even representative (x or x + q, w or w + q: the same g^x and g^w), so that
 * d = α^x and b = α^w are in G_q whatever α's sign, and nonces are tried until the response s is
 * even, so that α^s = b·d^c holds for −α as for α.
 */
function factorOf(
  i: number,
  tallies: readonly Ciphertext[],
  final: string,
  forge: (factors: bigint[]) => bigint[] = (factors) => factors,
): DecryptionFactor {
  const { q } = group;
  const { secretKey, key } = talliers[i]!;
  const even = (n: bigint) => (n % 2n === 0n ? n : n + q);
  const outside = tallies.some((t) => !group.isElement(t.alpha));
  const x = even(secretKey);
  for (let attempt = 0; ; attempt++) {
    const label = `choices-record/factor/${i}${attempt === 0 ? '' : `/${attempt}`}`;
    const w = even(fixedScalar(q, label));
    const factors = forge(tallies.map((t) => group.pow(t.alpha, x)));
    const a = group.powG(w);
    const b = tallies.map((t) => group.pow(t.alpha, w));
    const challenge = decFactorChallenge(group, id, final, [
      key.pk,
      ...factorStatement(tallies, factors, a, b),
    ]);
    const response = (w + challenge * x) % q;
    if (!outside || response % 2n === 0n)
      return { pk: key.pk, final, factors, decFactorPoc: { a, b, challenge, response } };
  }
}

/** The talliers' factors (each tallier's own, from its secret key), or none. */
type Factors = (tallies: readonly Ciphertext[], final: string) => DecryptionFactor[];

const honestFactors: Factors = (tallies, final) =>
  talliers.map((t, i) =>
    t.secret.decryptionFactor(
      id,
      tallies,
      final,
      fixedRandomness([fixedScalar(group.q, `choices-record/factor/${i}`)]),
    ),
  );

/**
 * A sealed record of `blocks` with `factors` of its tallies, and the result they decrypt to (or
 * `claimed`). Neither the blocks nor the factors need be valid: the verifier decides, so the counts
 * are each tally's β over the product of the factors, unchecked.
 */
function record(
  blocks: Block[],
  { claimed, factors = honestFactors }: { claimed?: ElectionResult | null; factors?: Factors } = {},
): ElectionRecord {
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
  const decFactors = factors(tallies, final);
  const counts = () =>
    tallies.map((t, k) => {
      const combined = decFactors.reduce((acc, f) => group.mul(acc, f.factors[k]!), 1n);
      return discreteLogBounded(group, group.mul(t.beta, group.inverse(combined)), ballots);
    });
  return buildRecord({
    genesis: choicesGenesis,
    blocks,
    seal,
    decFactors,
    result: claimed !== undefined ? claimed : electionResult(rules, counts(), ballots),
  });
}

/**
 * The branches of `proof` with branch `k`'s response one more (mod q). The commitments are in the
 * proof and the hash covers them, not the responses: its challenges still hold, its equations not.
 */
function bumpResponse(proof: readonly ProofBranch[], k: number): ProofBranch[] {
  return proof.map((branch, j) =>
    j === k ? { ...branch, response: (branch.response + 1n) % group.q } : branch,
  );
}

/**
 * Answer `question` of the ballot drawn from `label` with its choices `choices` (some replaced by
 * the caller) and a sum proof made anew from their nonces `nonces`, for the sum `sum`; `values`
 * are the sums the proof is made for (the rule's own, or others for a proof that must fail).
 */
function answerWith(
  question: number,
  choices: readonly Ballot[],
  nonces: readonly bigint[],
  sum: number,
  rng: Randomness,
  values: readonly number[] = allowedSums(rules[question]!),
): Answer {
  const total = nonces.reduce((a, b) => a + b, 0n) % group.q;
  const statement: OneOf = { ...sumStatement(group, rules[question]!, choices), values };
  const sumProof = proveOneOf(
    group,
    id,
    h,
    statement,
    total,
    sum,
    rng,
    sumBinding(question, rules[question]!),
  );
  return { choices, sumProof };
}

/** A 0-or-1 proof's two branches, as a Ballot holds them. */
function twoBranches(proof: readonly ProofBranch[]): Ballot['proof'] {
  if (proof.length !== 2) throw new Error(`a 0-or-1 proof has two branches, not ${proof.length}`);
  return [proof[0]!, proof[1]!];
}

/** Randomness whose challenges are even (its scalars as they are). */
const evenChallenges = (rng: Randomness): Randomness => ({
  scalar: rng.scalar,
  challenge: () => rng.challenge() & ~1n,
});

export function buildChoicesVectors(): { valid: ElectionRecord; invalid: InvalidVector[] } {
  const valid = record(mineChain(honest));
  /** The honest chain with the ballot at `height` replaced. */
  const chainWith = (height: number, payload: Payload) => {
    const changed = [...honest];
    changed[height - 1] = payload;
    return mineChain(changed);
  };
  const at = (height: number, payload: Payload) => record(chainWith(height, payload));
  const [first, second, third] = cast as [Answers, Answers, Answers];
  const board = first[0]!;
  const other = answers('other', [[1, 3], [2]]);
  const withBoard = (choices: Answers[number]['choices'], base: Answers = first): Answers => [
    { ...base[0]!, choices },
    base[1]!,
  ];
  const { p, q } = group;
  /** Every option's nonce of `question` in the ballot drawn from `label`. */
  const noncesOf = (label: string, question: number) =>
    Array.from({ length: rules[question]!.options }, (_, option) => nonceOf(label, question, option));

  // The first ballot with Ada's α replaced by p − α (β as it is), its proof and the question's sum
  // proof made anew over it with even challenges, drawing from `non-member/<n>` until the hash
  // makes every challenge even too.
  const nonMember = ((): Answers => {
    const r = noncesOf('ballot/0', 0);
    const flipped = { alpha: p - board.choices[0]!.alpha, beta: board.choices[0]!.beta };
    for (let attempt = 0; ; attempt++) {
      const rng = evenChallenges(labelled(`non-member/${attempt}`));
      const proof = proveOneOf(group, id, h, ballotStatement(flipped), r[0]!, 1, rng, choiceBinding(0, 0));
      const answer = answerWith(
        0,
        [{ ...flipped, proof: twoBranches(proof) }, ...board.choices.slice(1)],
        r,
        2,
        rng,
      );
      if ([...proof, ...answer.sumProof].every((branch) => branch.challenge % 2n === 0n))
        return [answer, first[1]!];
    }
  })();
  // The first ballot again, its Brian (draw nonceDraw(0, 1)) encrypted with Ada's nonce.
  const sharedAlpha = encryptAnswers(
    group,
    id,
    h,
    rules,
    [[0, 2], [1]],
    labelled('ballot/0', new Map([[nonceDraw(0, 1), nonceOf('ballot/0', 0, 0)]])),
  );
  // The last ballot, its Chen encrypted with the nonce that cancels the three earlier Chens'.
  const earlierChen = ['ballot/0', 'ballot/1', 'ballot/2'].reduce((sum, l) => sum + nonceOf(l, 0, 2), 0n);
  const tallyOne = encryptAnswers(
    group,
    id,
    h,
    rules,
    [[0, 2], [1]],
    labelled('ballot/3', new Map([[nonceDraw(0, 2), (q - (earlierChen % q)) % q]])),
  );
  // The second ballot's Brian as 2 (β·g), proven as if 0 or 2 were the values: branch 0 a true
  // simulation for β, branch 1 the real branch for 2, which fails the verifier's j = 1 only in h.
  const brianTwice = ((): Answers => {
    const r = noncesOf('ballot/1', 0);
    const brian = second[0]!.choices[1]!;
    const beta = group.mul(brian.beta, group.g);
    const statement: OneOf = { alpha: brian.alpha, beta, values: [0, 2], hashed: [brian.alpha, beta] };
    const proof = proveOneOf(group, id, h, statement, r[1]!, 2, labelled('two'), choiceBinding(0, 1));
    const choices = second[0]!.choices.map((c, k) =>
      k === 1 ? { alpha: brian.alpha, beta, proof: twoBranches(proof) } : c,
    );
    return [answerWith(0, choices, r, 2, labelled('two/sum')), second[1]!];
  })();
  // The first ballot with Dana chosen too (her nonce, so her α, unchanged), its sum proof made as
  // if 0, 1 or 3 were allowed: the real branch, for 3, fails the verifier's j = 2 only in h.
  const threeChosen = ((): Answers => {
    const r = noncesOf('ballot/0', 0);
    const dana = encryptWithNonce(group, id, h, 1, r[3]!, labelled('three'), choiceBinding(0, 3));
    const choices = board.choices.map((c, k) => (k === 3 ? dana : c));
    return [answerWith(0, choices, r, 3, labelled('three/sum'), [0, 1, 3]), first[1]!];
  })();
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
          claimed: {
            total: 4,
            counts: [
              [2, 1, 3, 0, 0],
              [1, 1, 0],
            ],
          },
        }),
      ),
      // Each of the variants below breaks one check only: its hashes hold, and a checker leaving
      // out the check named finds nothing else wrong with it (the last two, h^s = b·(β/g^j)^c only).
      variant(
        'option-proof-response-changed',
        'an option’s 0-or-1 proof satisfies its equations, not only its challenge (CRYPTO §12.2, §4): the proof carries its commitments a, b, so with the first option’s branch-0 response one more, its challenges still sum to the hash of the same statement and commitments, and only that branch’s g^s = a·α^c and h^s = b·β^c fail',
        'record.blocks[2] (height 3): block.payload.answers[0].choices[0].proof[0]: fails g^s = a·α^c',
        at(
          3,
          ballot(
            withBoard([
              { ...board.choices[0]!, proof: twoBranches(bumpResponse(board.choices[0]!.proof, 0)) },
              ...board.choices.slice(1),
            ]),
          ),
        ),
      ),
      variant(
        'sum-proof-response-changed',
        'a question’s sum proof satisfies its equations, not only its challenge (CRYPTO §12.2): with the first question’s sum-proof branch-0 response one more, its challenges still sum to the hash of the same statement and commitments, and only that branch’s equations fail',
        'record.blocks[2] (height 3): block.payload.answers[0].sum_proof[0]: fails g^s = a·α^c',
        at(3, ballot([{ ...board, sumProof: bumpResponse(board.sumProof, 0) }, first[1]!])),
      ),
      variant(
        'factor-forged-for-one-option',
        'a tallier’s factors are proven for every tally (CRYPTO §12.3): A’s factor of Brian’s tally is divided by g², and its proof made again with A’s key and nonce over the forged factors (the challenge is the hash of that statement, g^s = a·pk^c and α^s = b·d^c for every other tally hold; only tally 1’s fails); the seal and B’s factor are the valid record’s, and the result claimed is what the forged factors decrypt to, Brian 3 (“Brian and Chen”), so the factor proof refuses it before the result is compared',
        'record.dec_factors[0].dec_factor_poc: fails α^s = b·d^c for tally 1',
        record(mineChain(honest), {
          factors: (tallies, final) => [
            factorOf(0, tallies, final, (d) =>
              d.map((factor, k) => (k === 1 ? group.mul(factor, group.powGInverse(2n)) : factor)),
            ),
            ...honestFactors(tallies, final).slice(1),
          ],
        }),
      ),
      variant(
        'alpha-not-a-group-member',
        'every element of a ballot is a member of G_q (PROTOCOL §4 rule 2, CRYPTO §1.1): the first option’s α is p − α, in (1, p) but a non-residue, of order 2q. Everything else holds in Z_p^*: the block is re-mined, the option’s proof and its question’s sum proof are made anew over it with even challenges ((p − α)^c = α^c), and the factors with even exponents (their factors and commitments are members, and they decrypt the valid result); only the membership test refuses it',
        'record.blocks[2] (height 3): block.payload.answers[0].choices[0].alpha: is not an element of the group',
        record(chainWith(3, ballot(nonMember)), {
          factors: (tallies, final) => talliers.map((_, i) => factorOf(i, tallies, final)),
        }),
      ),
      variant(
        'alpha-twice-in-one-ballot',
        'the replay rule covers every option’s α within one ballot too (PROTOCOL §4 rule 8): the first ballot’s Brian (a 0) encrypted with Ada’s nonce, so that both options have the same α; every proof is valid',
        'record.blocks[2] (height 3): block.payload.answers: ballot replay: an α repeats within height 3',
        at(3, ballot(sharedAlpha)),
      ),
      variant(
        'option-tally-alpha-one',
        'the tally rule holds for each option’s tally (PROTOCOL §4 rule 8): the last ballot’s Chen is encrypted (with a valid proof) under the nonce q − (r₃ + r₄ + r₅) mod q, r_h being the nonce of Chen’s choice at height h, so the product of Chen’s α over heights 3–6 is 1; the seal is valid, and no factor of Chen’s tally can exist (it would be 1, not a group element), so the record has none and claims no result',
        'record.blocks[5] (height 6): block.payload.answers: brings the tally’s α to 1',
        record(chainWith(6, ballot(tallyOne)), { factors: () => [], claimed: null }),
      ),
      variant(
        'option-encrypting-two-fresh-proof',
        'an option’s proof shows it encrypts 0 or 1 (CRYPTO §12.2): the second ballot’s Brian encrypts 2, with a proof made anew whose challenges and g^s = a·α^c hold, and whose branch 0 is a valid simulation; only branch 1’s h^s = b·(β/g)^c fails. The sum proof is valid (2 is allowed), and the result counts Brian twice',
        'record.blocks[3] (height 4): block.payload.answers[0].choices[1].proof[1]: fails h^s = b·(β/g^1)^c',
        at(4, ballot(brianTwice)),
      ),
      variant(
        'three-chosen-fresh-sum-proof',
        'the sum of a question’s selections is one it allows (CRYPTO §12.2): the first ballot also chooses Dana (a valid 0-or-1 proof), three of at most two, with a sum proof made anew whose challenges and g^s = a·α^c hold, branches 0 and 1 valid simulations; only branch 2’s h^s = b·(β/g²)^c fails',
        'record.blocks[2] (height 3): block.payload.answers[0].sum_proof[2]: fails h^s = b·(β/g^2)^c',
        at(3, ballot(threeChosen)),
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
