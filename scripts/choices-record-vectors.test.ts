import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { blockHash, parseBlock } from '../main/chain/block';
import { ballotRules, parseGenesis } from '../main/chain/genesis';
import { addToTallies } from '../main/crypto/any-ballot';
import {
  ballotStatement,
  checkOneOfChallenge,
  EMPTY_TALLY,
  type OneOf,
  type ProofBinding,
} from '../main/crypto/ballot';
import { choiceBinding, sumBinding, sumStatement } from '../main/crypto/choices';
import { parseAcceptance, parseDecryptionFactor, parseResult } from '../main/crypto/codec';
import { discreteLogBounded, electionResult } from '../main/crypto/decryption';
import { factorStatement } from '../main/crypto/factor-proof';
import { decFactorChallenge, electionKey, verifyAcceptance, verifyPkPok } from '../main/crypto/tallier';
import type { Answers, Ciphertext, DecryptionFactor, ProofBranch } from '../main/crypto/types';
import type { ElectionRecord } from '../main/verify/record';
import { verifyRecord } from '../main/verify/verify';
import { buildChoicesVectors, CHOICES_INVALID_PATH, CHOICES_PATH } from './choices-record-vectors';
import type { InvalidVector } from './protocol-vectors';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** Fails `what` into `failed` when `fn` throws or returns false. */
function attempt(failed: string[], what: string, fn: () => unknown): void {
  try {
    if (fn() === false) failed.push(what);
  } catch {
    failed.push(what);
  }
}

/**
 * Every check of a record of this election, each on its own (none stops the others), from the
 * rules (PROTOCOL §4, §7; CRYPTO §1.1, §12) and sharing only parsing, hashing and encodings with
 * main/verify: the checks that fail, by name and place, and whether the record lacks its factors.
 * A checker that leaves out one check accepts a record whose only failure is of that check.
 */
function failedChecks(record: ElectionRecord): { failed: string[]; undecrypted: boolean } {
  const genesis = parseGenesis(record.genesis);
  const { group, id } = genesis;
  const rules = ballotRules(genesis)!;
  const failed: string[] = [];
  // Trusted: membership is one of the checks below, not the parser's.
  const blocks = record.blocks.map((b) => parseBlock(group, b, 'trusted'));
  let last = genesis.idHex;
  for (const [i, block] of blocks.entries()) {
    if (block.prev !== last) failed.push(`blocks[${i}] prev`);
    last = blockHash(group, block);
    if (BigInt(`0x${last}`) > genesis.target) failed.push(`blocks[${i}] proof of work`);
  }
  const keys = blocks.flatMap((b) => (b.payload.kind === 'tallier_key' ? [b.payload.key] : []));
  for (const key of keys) attempt(failed, 'pk_pok', () => verifyPkPok(group, id, key));
  const h = electionKey(group, id, keys);

  let tallies: Ciphertext[] = rules.flatMap((rule) =>
    Array.from({ length: rule.options }, () => EMPTY_TALLY),
  );
  let ballots = 0;
  const seen = new Set<bigint>();
  for (const [i, block] of blocks.entries()) {
    if (block.payload.kind !== 'ballot') continue;
    const at = `blocks[${i}]`;
    const answers = block.payload.ballot as Answers;
    for (const [question, answer] of answers.entries()) {
      const where = `answers[${question}]`;
      const elements: [string, bigint][] = [
        ...answer.choices.flatMap((c, option): [string, bigint][] => [
          [`${where}.choices[${option}].alpha`, c.alpha],
          [`${where}.choices[${option}].beta`, c.beta],
          ...branchElements(`${where}.choices[${option}].proof`, c.proof),
        ]),
        ...branchElements(`${where}.sum_proof`, answer.sumProof),
      ];
      for (const [field, x] of elements) if (!group.isElement(x)) failed.push(`${at} membership ${field}`);
      for (const [option, { alpha }] of answer.choices.entries()) {
        if (seen.has(alpha)) failed.push(`${at} replay ${where}.choices[${option}].alpha`);
        seen.add(alpha);
      }
      const proofs: {
        statement: OneOf;
        branches: readonly ProofBranch[];
        binding: ProofBinding;
        field: string;
      }[] = [
        ...answer.choices.map((c, option) => ({
          statement: ballotStatement(c),
          branches: c.proof,
          binding: choiceBinding(question, option),
          field: `${where}.choices[${option}].proof`,
        })),
        {
          statement: sumStatement(group, rules[question]!, answer.choices),
          branches: answer.sumProof,
          binding: sumBinding(question, rules[question]!),
          field: `${where}.sum_proof`,
        },
      ];
      for (const { statement, branches, binding, field } of proofs) {
        attempt(failed, `${at} challenge ${field}`, () =>
          checkOneOfChallenge(group, id, h, statement, branches, field, binding),
        );
        for (const [k, { a, b, challenge: c, response: s }] of branches.entries()) {
          const j = BigInt(statement.values[k]!);
          if (group.powG(s) !== group.mul(a, group.pow(statement.alpha, c)))
            failed.push(`${at} g-equation ${field}[${k}]`);
          if (
            group.mul(group.pow(h, s), group.powG((j * c) % group.q)) !==
            group.mul(b, group.pow(statement.beta, c))
          )
            failed.push(`${at} h-equation ${field}[${k}]`);
        }
      }
    }
    tallies = addToTallies(group, tallies, answers);
    for (const [k, t] of tallies.entries()) if (t.alpha === 1n) failed.push(`${at} tally rule: tally ${k}`);
    ballots++;
  }

  for (const [i, json] of (record.seal ?? []).entries()) {
    const field = `seal[${i}]`;
    const acceptance = parseAcceptance(group, json, field);
    attempt(failed, `${field} signature`, () => verifyAcceptance(group, id, acceptance, field));
    if (acceptance.final !== last) failed.push(`${field} final`);
  }
  const factors = record.dec_factors.map((json, i): DecryptionFactor => {
    const field = `dec_factors[${i}]`;
    attempt(
      failed,
      `${field} membership`,
      () => void parseDecryptionFactor(group, json, field, 'untrusted', 2),
    );
    const factor = parseDecryptionFactor(group, json, field, 'trusted', 2);
    if (factor.final !== last) failed.push(`${field} final`);
    const { a, b, challenge: c, response: s } = factor.decFactorPoc;
    const statement = [factor.pk, ...factorStatement(tallies, factor.factors, a, b)];
    if (decFactorChallenge(group, id, factor.final, statement) !== c) failed.push(`${field} challenge`);
    if (group.powG(s) !== group.mul(a, group.pow(factor.pk, c))) failed.push(`${field} g-equation`);
    for (const [k, t] of tallies.entries())
      if (group.pow(t.alpha, s) !== group.mul(b[k]!, group.pow(factor.factors[k]!, c)))
        failed.push(`${field} α-equation tally ${k}`);
    return factor;
  });
  const undecrypted = factors.length === 0;
  if (undecrypted) {
    if (record.result !== null) failed.push('result');
  } else {
    if (factors.map((f) => f.pk).join() !== keys.map((k) => k.pk).join())
      failed.push('factors: one per tallier');
    attempt(failed, 'result', () => {
      const counts = tallies.map((t, k) => {
        const combined = factors.reduce((acc, f) => group.mul(acc, f.factors[k]!), 1n);
        return discreteLogBounded(group, group.mul(t.beta, group.inverse(combined)), ballots);
      });
      assert.deepEqual(parseResult(record.result, 'result'), electionResult(rules, counts, ballots));
      return true;
    });
  }
  return { failed, undecrypted };
}

function branchElements(field: string, branches: readonly ProofBranch[]): [string, bigint][] {
  return branches.flatMap((branch, k): [string, bigint][] => [
    [`${field}[${k}].a`, branch.a],
    [`${field}[${k}].b`, branch.b],
  ]);
}

/** The paths at which two JSON values differ, leaf by leaf. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) =>
      differences(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
      ),
    );
  }
  return a === b ? [] : [path];
}

describe('questions-with-choices test vectors (docs/test-vectors/record-choices*.json)', () => {
  const valid = read(CHOICES_PATH);
  const invalid = read(CHOICES_INVALID_PATH);
  const byName = new Map<string, InvalidVector>(invalid.map((v: InvalidVector) => [v.name, v]));

  test('regenerating them from their fixed inputs gives the committed files exactly', () => {
    const built = buildChoicesVectors();
    assert.deepEqual(built.valid, valid);
    assert.deepEqual(built.invalid, invalid);
  });

  test('the valid record verifies, with every option’s count, and says who won', async () => {
    for (const workers of [0, 2]) {
      const outcome = await verifyRecord(valid, { workers });
      assert.equal(outcome.status, 'verified', JSON.stringify(outcome).slice(0, 300));
      if (outcome.status !== 'verified') return;
      assert.deepEqual(outcome.result, {
        total: 4,
        counts: [
          [2, 1, 3, 0, 0],
          [1, 2, 1],
        ],
      });
    }
    const { formatOutcome } = await import('../main/verify/format');
    const text = formatOutcome(await verifyRecord(valid, { workers: 0 }));
    assert.match(text, /result: {3}Chen and Ada · 10 May \(4 ballots\)/);
  });

  test('every invalid variant is refused for its stated reason', async () => {
    assert.ok(invalid.length >= 17);
    assert.equal(new Set(invalid.map((v: { name: string }) => v.name)).size, invalid.length);
    for (const vector of invalid) {
      const outcome = await verifyRecord(vector.record, { workers: 0 });
      assert.equal(outcome.status, 'invalid', `${vector.name}: ${JSON.stringify(outcome).slice(0, 300)}`);
      if (outcome.status === 'invalid')
        assert.ok(outcome.error.includes(vector.error), `${vector.name}: ${outcome.error}`);
    }
  });

  // What each of these variants breaks, and nothing else: a checker leaving out that one check
  // accepts it (or, for the tally rule, finds it merely undecrypted).
  const onlyFailure: Record<string, string[]> = {
    'option-proof-response-changed': [
      'blocks[2] g-equation answers[0].choices[0].proof[0]',
      'blocks[2] h-equation answers[0].choices[0].proof[0]',
    ],
    'sum-proof-response-changed': [
      'blocks[2] g-equation answers[0].sum_proof[0]',
      'blocks[2] h-equation answers[0].sum_proof[0]',
    ],
    'factor-forged-for-one-option': ['dec_factors[0] α-equation tally 1'],
    'alpha-not-a-group-member': ['blocks[2] membership answers[0].choices[0].alpha'],
    'alpha-twice-in-one-ballot': ['blocks[2] replay answers[0].choices[1].alpha'],
    'option-tally-alpha-one': ['blocks[5] tally rule: tally 2'],
    'option-encrypting-two-fresh-proof': ['blocks[3] h-equation answers[0].choices[1].proof[1]'],
    'three-chosen-fresh-sum-proof': ['blocks[2] h-equation answers[0].sum_proof[2]'],
  };

  test('the valid record passes every check, each on its own', () => {
    assert.deepEqual(failedChecks(valid), { failed: [], undecrypted: false });
  });

  test('each variant aimed at one check fails that check and no other (hashes, work and the rest hold)', () => {
    for (const [name, expected] of Object.entries(onlyFailure)) {
      const vector = byName.get(name);
      assert.ok(vector, name);
      assert.deepEqual(
        failedChecks(vector.record),
        { failed: expected, undecrypted: name === 'option-tally-alpha-one' },
        name,
      );
    }
  });

  test('those variants differ from the valid record only where they say (besides re-mining and its seal and factors)', () => {
    const group = parseGenesis(valid.genesis).group;
    const hex = (x: bigint) => x.toString(16).padStart(group.byteWidth * 2, '0');
    /** The differences in the blocks' payloads, every other block the same but for its nonce and link. */
    const payloadChanges = (name: string, height: number) => {
      const changed = byName.get(name)!.record;
      assert.deepEqual(changed.blocks.slice(0, height - 1), valid.blocks.slice(0, height - 1), name);
      const diff = differences(valid.blocks, changed.blocks).filter(
        (path) => !/^\[\d+\]\.(nonce|prev)$/.test(path),
      );
      assert.ok(
        diff.every((path) => path.startsWith(`[${height - 1}].payload.answers`)),
        `${name}: ${diff}`,
      );
      return { changed, diff: diff.map((path) => path.slice(`[${height - 1}].payload.`.length)) };
    };
    const only = (diff: string[], prefixes: string[], name: string) =>
      assert.ok(
        diff.every((path) => prefixes.some((prefix) => path.startsWith(prefix))) &&
          prefixes.every((prefix) => diff.some((path) => path.startsWith(prefix))),
        `${name}: ${diff.join(', ')}`,
      );
    const ballotAt = (record: ElectionRecord, height: number) =>
      (
        record.blocks[height - 1]!.payload as unknown as {
          answers: { choices: { alpha: string; beta: string }[] }[];
        }
      ).answers;

    for (const name of ['option-proof-response-changed', 'sum-proof-response-changed']) {
      const { changed, diff } = payloadChanges(name, 3);
      const field = name.startsWith('option') ? 'answers[0].choices[0].proof[0]' : 'answers[0].sum_proof[0]';
      assert.deepEqual(diff, [`${field}.response`], name);
      assert.deepEqual(changed.result, valid.result);
    }

    // The forged factor: the same chain and seal, B's factor unchanged; A's factor of tally 1 is
    // the valid one times g^−2, with its challenge and response made again (a and b unchanged).
    const forged = byName.get('factor-forged-for-one-option')!.record;
    assert.deepEqual(forged.blocks, valid.blocks);
    assert.deepEqual(forged.seal, valid.seal);
    assert.deepEqual(forged.dec_factors[1], valid.dec_factors[1]);
    assert.deepEqual(differences(valid.dec_factors[0], forged.dec_factors[0]), [
      'factors[1]',
      'dec_factor_poc.challenge',
      'dec_factor_poc.response',
    ]);
    const factorOf = (r: ElectionRecord) =>
      BigInt(`0x${(r.dec_factors[0] as { factors: string[] }).factors[1]}`);
    assert.equal(factorOf(forged), group.mul(factorOf(valid), group.powGInverse(2n)));
    assert.deepEqual(forged.result, {
      total: 4,
      counts: [
        [2, 3, 3, 0, 0],
        [1, 2, 1],
      ],
    });

    {
      const name = 'alpha-not-a-group-member';
      const { changed, diff } = payloadChanges(name, 3);
      only(
        diff,
        ['answers[0].choices[0].alpha', 'answers[0].choices[0].proof', 'answers[0].sum_proof'],
        name,
      );
      const alpha = (r: ElectionRecord) => BigInt(`0x${ballotAt(r, 3)[0]!.choices[0]!.alpha}`);
      assert.equal(alpha(changed), group.p - alpha(valid));
      assert.deepEqual(changed.result, valid.result);
    }
    {
      const name = 'alpha-twice-in-one-ballot';
      const { changed, diff } = payloadChanges(name, 3);
      only(diff, ['answers[0].choices[1].', 'answers[0].sum_proof'], name);
      const [ada, brian] = ballotAt(changed, 3)[0]!.choices;
      assert.equal(brian!.alpha, ada!.alpha);
      assert.deepEqual(changed.result, valid.result);
    }
    {
      const name = 'option-tally-alpha-one';
      const { changed, diff } = payloadChanges(name, 6);
      only(diff, ['answers[0].choices[2].', 'answers[0].sum_proof'], name);
      const chen = [3, 4, 5, 6].map((height) =>
        BigInt(`0x${ballotAt(changed, height)[0]!.choices[2]!.alpha}`),
      );
      assert.equal(
        chen.reduce((acc, alpha) => group.mul(acc, alpha), 1n),
        1n,
      );
      assert.deepEqual(changed.dec_factors, []);
      assert.equal(changed.result, null);
      assert.equal(changed.seal!.length, 2);
    }
    for (const [name, height, option] of [
      ['option-encrypting-two-fresh-proof', 4, 1],
      ['three-chosen-fresh-sum-proof', 3, 3],
    ] as const) {
      const { changed, diff } = payloadChanges(name, height);
      only(
        diff,
        [`answers[0].choices[${option}].beta`, `answers[0].choices[${option}].proof`, 'answers[0].sum_proof'],
        name,
      );
      // The same nonce: α unchanged, β one factor g more (a count one higher).
      const choice = (r: ElectionRecord) => ballotAt(r, height)[0]!.choices[option]!;
      assert.equal(choice(changed).alpha, choice(valid).alpha);
      assert.equal(hex(group.mul(BigInt(`0x${choice(valid).beta}`), group.g)), choice(changed).beta);
    }
    assert.deepEqual(byName.get('option-encrypting-two-fresh-proof')!.record.result, {
      total: 4,
      counts: [
        [2, 2, 3, 0, 0],
        [1, 2, 1],
      ],
    });
    assert.deepEqual(byName.get('three-chosen-fresh-sum-proof')!.record.result, {
      total: 4,
      counts: [
        [2, 1, 3, 1, 0],
        [1, 2, 1],
      ],
    });
  });
});
