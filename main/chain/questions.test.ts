// Questions with choices on the chain: the genesis that asks them, the sizes it allows, and the
// chain's rules on ballots of answers under both ballot rules (docs/PROTOCOL.md §2.3, §4, §7).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptAnswers, MAX_OPTIONS, MAX_QUESTIONS, tallyAnswers } from '../crypto/choices';
import { CredentialSecretKey, voterContext } from '../crypto/credential';
import { decryptTally } from '../crypto/decryption';
import { ValidationError } from '../crypto/errors';
import { systemRandomness } from '../crypto/random';
import type { Answers, CastBallot } from '../crypto/types';
import type { Payload } from './block';
import { type AddResult, type BlockMeta, Chain, MAX_SIDE_BLOCKS, MAX_SIDE_BYTES } from './chain';
import { ballotRules, encodeGenesis, parseGenesis, tallyCount } from './genesis';
import { LIMITS } from './limits';
import type { Question } from './questions';
import { BASE_BLOCK_BYTES, MAX_BLOCK_BYTES } from './sizes';
import { extend, keyPayload, makeBlock, Talliers, testGenesis } from './testing';

const board: Question = {
  text: 'Who should sit on the board?',
  options: ['Ada', 'Brian', 'Chen', 'Dana', 'Emeka'],
  min: 0,
  max: 2,
  blank: false,
};
const date: Question = {
  text: 'Which date?',
  options: ['3 May', '10 May', '17 May', '24 May', '31 May'],
  min: 1,
  max: 1,
  blank: true,
};
const questions = [board, date];
const genesis = testGenesis({ questions, nTalliers: 1, nTalliersBlocks: 1, nVoteBlocks: 4 });
const rules = ballotRules(genesis)!;

const refuses = (fn: () => unknown, field: string, message?: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ValidationError, String(e));
    assert.equal(e.field, field, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });

const status = (result: AddResult) =>
  'reason' in result ? `${result.status}: ${result.reason}` : result.status;

test("the form's limits are the proofs' (LIMITS is what the dashboard checks against)", () => {
  assert.equal(LIMITS.questions, MAX_QUESTIONS);
  assert.equal(LIMITS.optionsPerQuestion, MAX_OPTIONS);
});

describe('a genesis with questions', () => {
  const json = encodeGenesis(genesis);

  test('round-trips through JSON; a genesis without questions is written as before', () => {
    assert.deepEqual(json.questions, [
      { question: board.text, options: board.options, min: 0, max: 2, blank: false },
      { question: date.text, options: date.options, min: 1, max: 1, blank: true },
    ]);
    const parsed = parseGenesis(JSON.parse(JSON.stringify(json)));
    assert.equal(parsed.idHex, genesis.idHex);
    assert.deepEqual(parsed.questions, questions);
    assert.equal(tallyCount(parsed), 10);
    assert.equal('questions' in encodeGenesis(testGenesis()), false);
    assert.equal(tallyCount(testGenesis()), 1);
  });

  test('every word and number of every question is in the election id', () => {
    const variants: Question[][] = [
      [{ ...board, text: 'Who should chair?' }, date],
      [{ ...board, options: ['Ada', 'Brian', 'Chen', 'Dana', 'Emeka!'] }, date],
      [{ ...board, options: ['Brian', 'Ada', 'Chen', 'Dana', 'Emeka'] }, date],
      [{ ...board, options: board.options.slice(0, 4) }, date],
      [{ ...board, min: 1 }, date],
      [{ ...board, max: 3 }, date],
      [board, { ...date, blank: false }],
      [date, board],
      [board],
    ];
    const ids = new Set([
      genesis.idHex,
      testGenesis().idHex,
      ...variants.map(
        (qs) => testGenesis({ questions: qs, nTalliers: 1, nTalliersBlocks: 1, nVoteBlocks: 4 }).idHex,
      ),
    ]);
    assert.equal(ids.size, variants.length + 2);
  });

  test('refused, naming the field: version 1, no options, an empty or control-character label, a label twice, a bad rule, too many options', () => {
    const make =
      (qs: Question[], extra = {}) =>
      () =>
        testGenesis({ questions: qs, ...extra });
    refuses(make(questions, { version: 1 }), 'genesis.questions', /version 2/);
    refuses(make([]), 'genesis.questions');
    refuses(make([{ ...board, options: [] }]), 'genesis.questions[0].options');
    refuses(make([{ ...board, text: '' }]), 'genesis.questions[0].question');
    refuses(make([board, { ...date, options: ['3 May', ''] }]), 'genesis.questions[1].options[1]');
    refuses(make([{ ...board, options: ['Ada', 'B\u0007'] }]), 'genesis.questions[0].options[1]');
    refuses(
      make([{ ...board, options: ['x'.repeat(LIMITS.optionBytes + 1)] }]),
      'genesis.questions[0].options[0]',
    );
    refuses(
      make([{ ...board, options: ['Ada', 'Brian', 'Ada'] }]),
      'genesis.questions[0].options[2]',
      /twice/,
    );
    // "é" composed and decomposed read the same to a voter.
    refuses(make([{ ...board, options: ['Andr\u00e9', 'Andre\u0301'] }]), 'genesis.questions[0].options[1]');
    refuses(make([{ ...board, min: 3, max: 2 }]), 'genesis.questions[0].min');
    refuses(make([{ ...board, max: 6 }]), 'genesis.questions[0].max');
    refuses(make([{ ...board, blank: true }]), 'genesis.questions[0].blank');
    const many = Array.from({ length: 33 }, (_, i) => `Option ${i}`);
    refuses(
      make([
        { ...board, options: many },
        { ...board, options: many },
      ]),
      'genesis.questions',
      /at most 64/,
    );
    refuses(make(Array.from({ length: 17 }, () => board)), 'genesis.questions');
  });

  test('malformed JSON is refused before anything is read', () => {
    const q = json.questions![0]!;
    refuses(() => parseGenesis({ ...json, questions: {} }), 'genesis.questions');
    refuses(() => parseGenesis({ ...json, questions: [{ ...q, extra: 1 }] }), 'genesis.questions[0].extra');
    refuses(
      () => parseGenesis({ ...json, questions: [{ ...q, options: 'Ada' }] }),
      'genesis.questions[0].options',
    );
    refuses(
      () => parseGenesis({ ...json, questions: [{ ...q, options: ['Ada', 7] }] }),
      'genesis.questions[0].options[1]',
    );
    refuses(() => parseGenesis({ ...json, questions: [{ ...q, min: '0' }] }), 'genesis.questions[0].min');
    refuses(() => parseGenesis({ ...json, questions: [{ ...q, blank: 0 }] }), 'genesis.questions[0].blank');
  });
});

describe('what a genesis lets a block carry', () => {
  test("a yes/no election keeps version 1's limits: 60 KiB blocks, 8 cast ballots a block", () => {
    assert.equal(testGenesis().sizes.blockBytes, BASE_BLOCK_BYTES);
    const perVoter = testGenesis({ ballotRule: 'per-voter', roster: [4n] });
    assert.equal(perVoter.sizes.ballotsPerBlock, 8);
    assert.equal(perVoter.sizes.blockBytes, BASE_BLOCK_BYTES);
  });

  test('blocks grow to hold the largest ballot; a per-voter block carries as many as fit', () => {
    // Two questions of five: ~50 KB, in a block of the old size.
    assert.equal(genesis.sizes.blockBytes, BASE_BLOCK_BYTES);
    assert.ok(
      genesis.sizes.ballotBytes > 40_000 && genesis.sizes.ballotBytes < 56_000,
      String(genesis.sizes.ballotBytes),
    );
    const approval = testGenesis({
      questions: [
        {
          text: 'Approve?',
          options: Array.from({ length: 64 }, (_, i) => `#${i}`),
          min: 0,
          max: 64,
          blank: false,
        },
      ],
    });
    assert.ok(approval.sizes.blockBytes > approval.sizes.ballotBytes);
    assert.ok(approval.sizes.messageBytes > approval.sizes.blockBytes);
    // The largest ballot there is: 64 options, every sum from 1 to 64 proven, per-voter.
    const worst = testGenesis({
      ballotRule: 'per-voter',
      roster: [4n],
      questions: [
        {
          text: 'Rank?',
          options: Array.from({ length: 64 }, (_, i) => `#${i}`),
          min: 1,
          max: 64,
          blank: false,
        },
      ],
    });
    assert.equal(worst.sizes.ballotsPerBlock, 1);
    assert.ok(worst.sizes.blockBytes <= MAX_BLOCK_BYTES, String(worst.sizes.blockBytes));
    const five = testGenesis({ ballotRule: 'per-voter', roster: [4n], questions: [board] });
    assert.equal(five.sizes.ballotsPerBlock, 2);
    // The side blocks a runner holds before the side-branch bound applies follow the block size:
    // 1,024 of a yes/no election's, at most 64 MiB of large ones (PROTOCOL §6.1a).
    assert.equal(new Chain(testGenesis()).maxSideBlocks, MAX_SIDE_BLOCKS);
    assert.equal(new Chain(genesis).maxSideBlocks, MAX_SIDE_BLOCKS);
    const bound = new Chain(worst).maxSideBlocks;
    assert.equal(bound, Math.floor(MAX_SIDE_BYTES / worst.sizes.blockBytes));
    assert.ok(bound >= 80 && bound * worst.sizes.blockBytes <= MAX_SIDE_BYTES, String(bound));
  });

  test('the talliers’ factors of every tally must fit an answer: 16 threshold talliers and 64 options do not', () => {
    const many = {
      text: 'Approve?',
      options: Array.from({ length: 64 }, (_, i) => `#${i}`),
      min: 0,
      max: 64,
      blank: false,
    };
    // 64 talliers' factors of 64 tallies: ~4.3 MB, within the 6 MiB a list may come to.
    assert.equal(
      testGenesis({ questions: [many], nTalliers: 64, nTalliersBlocks: 64 }).sizes.factorBytes > 60_000,
      true,
    );
    // 16 threshold talliers hold up to 240 stand-in factors: 64 tallies would make ~16 MB of them.
    const threshold = { nTalliers: 16, nTalliersBlocks: 16, quorum: 9, nCeremonyBlocks: 12 };
    assert.throws(
      () => testGenesis({ questions: [many], ...threshold }),
      /genesis.n_talliers: is too many with these questions: the stand-in factors of 16 threshold talliers would come to 1\d\.\d MiB, above 6 MiB/,
    );
    assert.equal(testGenesis({ questions: [board], ...threshold }).quorum, 9);
  });

  test('the roster must fit the voting blocks at the ballots a block carries', () => {
    const roster = [4n, 9n, 16n, 25n, 36n];
    assert.throws(
      () => testGenesis({ ballotRule: 'per-voter', roster, questions: [board], nVoteBlocks: 2 }),
      /carry at most 4 ballots \(2 a block\), fewer than the 5 voters/,
    );
    assert.equal(
      testGenesis({ ballotRule: 'per-voter', roster, questions: [board], nVoteBlocks: 3 }).roster.length,
      5,
    );
  });
});

describe('ballots of answers on a per-block chain', () => {
  const talliers = new Talliers(genesis, 1);
  function keyed(): { chain: Chain; tip: BlockMeta; h: bigint } {
    const chain = new Chain(genesis);
    const tip = extend(chain, chain.genesisMeta, keyPayload(talliers.keys[0]!));
    return { chain, tip, h: chain.electionOf(tip).key };
  }
  const answers = (h: bigint, selections: number[][]): Answers =>
    encryptAnswers(genesis.group, genesis.id, h, rules, selections);
  const ballot = (b: Answers): Payload => ({ kind: 'ballot', ballot: b });

  test('each ballot adds to ten tallies, one per option, as tallyAnswers computes them', () => {
    const { chain, tip: start, h } = keyed();
    const cast = [answers(h, [[0, 2], [1]]), answers(h, [[], []]), answers(h, [[2], [4]])];
    let tip = start;
    for (const b of cast) tip = extend(chain, tip, ballot(b));
    assert.equal(tip.ballots, 3);
    assert.equal(tip.tallies.length, 10);
    assert.deepEqual(tip.tallies, tallyAnswers(genesis.group, rules, cast).flat());
  });

  test('refused: a yes/no ballot, a selection the question does not allow, an option moved, a copied option', () => {
    const { chain, tip, h } = keyed();
    const refuse = (payload: Payload, pattern: RegExp) =>
      assert.match(status(chain.add(makeBlock(chain, tip, payload))), pattern);
    refuse(
      { kind: 'ballot', ballot: answers(h, [[0], [1]])[0]!.choices[0]! },
      /invalid: payload.ballot: this election asks questions with choices: send answers/,
    );
    // A third selection where two is the most: each option is a proven 0 or 1, the sum is not.
    const three = answers(h, [[0, 1], [1]]);
    const other = answers(h, [[2], [1]]);
    const tooMany = [
      {
        ...three[0]!,
        choices: [
          three[0]!.choices[0]!,
          three[0]!.choices[1]!,
          other[0]!.choices[2]!,
          ...three[0]!.choices.slice(3),
        ],
      },
      three[1]!,
    ];
    refuse(ballot(tooMany), /invalid: payload.answers\[0\]\.(choices\[2\]|sum_proof)/);
    // Options swapped: each proof binds its option.
    const honest = answers(h, [[0], [3]]);
    const swapped = [
      {
        ...honest[0]!,
        choices: [honest[0]!.choices[1]!, honest[0]!.choices[0]!, ...honest[0]!.choices.slice(2)],
      },
      honest[1]!,
    ];
    refuse(ballot(swapped), /invalid: payload.answers\[0\]\.choices\[0\]\.proof/);
    // An answer moved to the other question: the proofs bind the question.
    refuse(ballot([honest[1]!, honest[0]!]), /invalid: payload.answers\[0\]/);
    // Answers where the election asks its yes/no question.
    const yesNo = testGenesis({ nTalliers: 1, nTalliersBlocks: 1 });
    const plain = new Chain(yesNo);
    const plainTip = extend(plain, plain.genesisMeta, keyPayload(new Talliers(yesNo, 1).keys[0]!));
    const foreign = encryptAnswers(yesNo.group, yesNo.id, plain.electionOf(plainTip).key, rules, [[0], [1]]);
    assert.match(
      status(plain.add(makeBlock(plain, plainTip, ballot(foreign)))),
      /invalid: payload.answers: this election asks a yes\/no question/,
    );
  });

  test('the replay rule covers every option: a ballot reusing another ballot’s α for one option is refused', () => {
    const { chain, tip: start, h } = keyed();
    const victim = answers(h, [[1], [2]]);
    const tip = extend(chain, start, ballot(victim));
    // The copier re-encrypts nothing: it takes the victim's whole answer to the second question
    // (its own first answer is fresh), which would shift the tallies by the victim's choices.
    const mine = answers(h, [[0], [0]]);
    const copy = [mine[0]!, victim[1]!];
    assert.match(status(chain.add(makeBlock(chain, tip, ballot(copy)))), /invalid: ballot replay/);
    // The same ballot twice in one branch, and one option's ciphertext used twice in a ballot.
    assert.match(status(chain.add(makeBlock(chain, tip, ballot(victim)))), /invalid: ballot replay/);
    const twice = [{ ...mine[0]!, choices: [mine[0]!.choices[1]!, ...mine[0]!.choices.slice(1)] }, mine[1]!];
    assert.match(
      status(chain.add(makeBlock(chain, tip, ballot(twice)))),
      /invalid: (ballot replay|payload\.answers)/,
    );
    // Two options of one ballot under one nonce (every proof valid): said as a repeat within the
    // block, not as a ballot already on the branch.
    let draws = 0;
    let first = 0n;
    const sameNonce = {
      scalar: (q: bigint) => {
        const value = systemRandomness.scalar(q);
        draws += 1;
        if (draws === 1) first = value;
        return draws === 4 ? first : value;
      },
      challenge: () => systemRandomness.challenge(),
    };
    // The scalars of answers in drawing order (CRYPTO §12.2): r_0, option 0's w and t (its c' is
    // a challenge), then r_1, here r_0 again.
    const shared = encryptAnswers(genesis.group, genesis.id, h, rules, [[0], [0]], sameNonce);
    assert.equal(shared[0]!.choices[0]!.alpha, shared[0]!.choices[1]!.alpha);
    assert.match(
      status(chain.add(makeBlock(chain, tip, ballot(shared)))),
      /invalid: ballot replay: an α repeats within this block's ballots/,
    );
  });
});

describe('ballots of answers cast under the per-voter rule', () => {
  const group = genesis.group;
  const voters = Array.from({ length: 3 }, () => CredentialSecretKey.generate(group));
  const perVoter = testGenesis({
    ballotRule: 'per-voter',
    roster: voters.map((v) => v.publicKey),
    questions: [board],
    nTalliers: 1,
    nTalliersBlocks: 1,
    nVoteBlocks: 4,
  });
  const boardRules = ballotRules(perVoter)!;
  const talliers = new Talliers(perVoter, 1);
  const castAnswers = (voter: CredentialSecretKey, h: bigint, chosen: number[], seq = 1): CastBallot =>
    voter.sign(
      perVoter.id,
      seq,
      encryptAnswers(group, voterContext(group, perVoter.id, voter.publicKey), h, boardRules, [chosen]),
    );

  test('a revote replaces the voter’s answers in every option’s tally; a block carries at most 2', () => {
    const chain = new Chain(perVoter);
    let tip = extend(chain, chain.genesisMeta, {
      ...keyPayload(talliers.keys[0]!),
      endorsement: voters[0]!.endorse(perVoter.id, talliers.keys[0]!),
    } as Payload);
    const h = chain.electionOf(tip).key;
    const first = [castAnswers(voters[0]!, h, [0, 1]), castAnswers(voters[1]!, h, [1])];
    assert.match(
      status(
        chain.add(
          makeBlock(chain, tip, { kind: 'ballots', ballots: [...first, castAnswers(voters[2]!, h, [])] }),
        ),
      ),
      /invalid: block.payload.ballots: carries 3 cast ballots; a block of this election carries at most 2/,
    );
    tip = extend(chain, tip, { kind: 'ballots', ballots: first });
    const revote = castAnswers(voters[0]!, h, [4], 2);
    tip = extend(chain, tip, { kind: 'ballots', ballots: [revote] });
    assert.equal(tip.ballots, 2);
    // The tallies are the two counted ballots' product (the replaced ballot divided out), exactly.
    const counted = [first[1]!.ballot as Answers, revote.ballot as Answers];
    assert.deepEqual(tip.tallies, tallyAnswers(group, boardRules, counted).flat());
    const factor = talliers.secrets[0]!.decryptionFactor(perVoter.id, tip.tallies, tip.hash);
    const counts = decryptTally(group, perVoter.id, tip.tallies, 2, [talliers.keys[0]!.pk], [factor]);
    assert.deepEqual(counts, [0, 1, 0, 0, 1]);
  });

  test('a cast of the wrong form, or proven under another voter’s context, is refused', () => {
    const chain = new Chain(perVoter);
    const tip = extend(chain, chain.genesisMeta, {
      ...keyPayload(talliers.keys[0]!),
      endorsement: voters[0]!.endorse(perVoter.id, talliers.keys[0]!),
    } as Payload);
    const h = chain.electionOf(tip).key;
    const yesNo = voters[1]!.cast(perVoter.id, h, 1, 1);
    assert.match(
      status(chain.add(makeBlock(chain, tip, { kind: 'ballots', ballots: [yesNo] }))),
      /invalid: block.payload.ballots\[0\].ballot: this election asks questions with choices/,
    );
    // Voter 2 signs voter 1's answers: its signature holds, the proofs (voter 1's context) do not.
    const theirs = castAnswers(voters[1]!, h, [2]);
    const stolen = voters[2]!.sign(perVoter.id, 1, theirs.ballot);
    assert.match(
      status(chain.add(makeBlock(chain, tip, { kind: 'ballots', ballots: [stolen] }))),
      /invalid: block.payload.ballots\[0\].answers\[0\]\.choices\[0\]\.proof/,
    );
  });
});
