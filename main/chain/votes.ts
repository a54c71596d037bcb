// What a voter chooses, before it is encrypted: yes (1) or no (0) for the yes/no question, or,
// for questions with choices, the options chosen in each question (indices into its labels).
// The one place that knows how a choice becomes a ballot of the election's form.
import { encryptBallot } from '../crypto/ballot';
import { allowedSums, describeSums, encryptAnswers } from '../crypto/choices';
import { check } from '../crypto/errors';
import { type Randomness, systemRandomness } from '../crypto/random';
import type { AnyBallot } from '../crypto/types';
import { ballotRules, type Genesis } from './genesis';

/** Per question, the indices of the options chosen, ascending. */
export type Selections = readonly (readonly number[])[];

/** A voter's choice: 0 or 1 for the yes/no question, or selections for questions with choices. */
export type VoteChoice = 0 | 1 | Selections;

/**
 * Checks that `vote` is a choice this election allows (throws ValidationError naming the place):
 * 0 or 1 for a yes/no question; otherwise one list per question, each of distinct option indices
 * in ascending order, as many as the question allows.
 */
export function checkVote(genesis: Genesis, vote: unknown, field = 'vote'): asserts vote is VoteChoice {
  const rules = ballotRules(genesis);
  if (!rules) {
    check(vote === 0 || vote === 1, field, 'must be 0 (no) or 1 (yes)');
    return;
  }
  check(
    Array.isArray(vote) && vote.length === rules.length,
    field,
    `must list the options chosen in each of the ${rules.length} question${rules.length === 1 ? '' : 's'}`,
  );
  for (const [q, rule] of rules.entries()) {
    const chosen = (vote as unknown[])[q];
    const where = `${field}[${q}]`;
    check(Array.isArray(chosen), where, 'must be a list of option numbers');
    for (const [i, option] of (chosen as unknown[]).entries()) {
      check(
        typeof option === 'number' && Number.isInteger(option) && option >= 0 && option < rule.options,
        `${where}[${i}]`,
        `must be an option number from 0 to ${rule.options - 1}`,
      );
      check(i === 0 || (chosen as number[])[i - 1]! < option, where, 'must list each option once, in order');
    }
    check(
      allowedSums(rule).includes((chosen as unknown[]).length),
      where,
      `chooses ${(chosen as unknown[]).length}; the question allows ${describeSums(rule)}`,
    );
  }
}

/** Does the election allow this choice? (checkVote without the reason.) */
export function allowsVote(genesis: Genesis, vote: unknown): vote is VoteChoice {
  try {
    checkVote(genesis, vote);
    return true;
  } catch {
    return false;
  }
}

/**
 * Encrypts a choice under election key h into a ballot of the election's form, its proofs made
 * under `context` (the election id, or a per-voter voter context).
 */
export function encryptVote(
  genesis: Genesis,
  context: Uint8Array,
  h: bigint,
  vote: VoteChoice,
  rng: Randomness = systemRandomness,
): AnyBallot {
  checkVote(genesis, vote);
  const rules = ballotRules(genesis);
  if (!rules) return encryptBallot(genesis.group, context, h, vote as 0 | 1, rng);
  return encryptAnswers(genesis.group, context, h, rules, vote as Selections, rng);
}

/** Are two choices the same? */
export function sameVote(a: VoteChoice | undefined, b: VoteChoice | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A choice in words: "yes", "no", or each question's chosen labels ("Ada, Chen · 10 May"). */
export function describeVote(genesis: Genesis, vote: VoteChoice): string {
  if (vote === 0 || vote === 1) return vote === 1 ? 'yes' : 'no';
  const questions = genesis.questions ?? [];
  return vote
    .map((chosen, q) =>
      chosen.length === 0 ? '(none)' : chosen.map((o) => questions[q]?.options[o] ?? `#${o}`).join(', '),
    )
    .join(' · ');
}
