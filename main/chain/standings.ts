// What a result of questions with choices says (docs/PROTOCOL.md §8.3): per question, each
// option's count, its rank, whether it wins, and ties stated rather than broken. The protocol
// fixes the counts; the winners follow from them by this rule, the same in every runner, the CLI,
// the verifier and the dashboard:
//
// - a question fills `seats` places: its `max` when a ballot may choose fewer than all options
//   ("elect 2 of 5" fills 2), else 1 (approval: the most approved option);
// - an option's rank is 1 + the number of options with more votes (ties share a rank);
// - an option wins when it has votes and every option tied with it fits in the seats: a tie across
//   the last seat elects none of the tied, and is said as such.
import type { ChoicesResult, ElectionResult, YesNoResult } from '../crypto/types';
import type { Question } from './questions';

export interface OptionStanding {
  readonly option: number;
  readonly label: string;
  readonly count: number;
  /** 1 + the number of options with more votes. */
  readonly rank: number;
  readonly winner: boolean;
  /** Another option has the same count. */
  readonly tied: boolean;
}

export interface QuestionStanding {
  readonly question: string;
  /** How many options the question elects. */
  readonly seats: number;
  /** In ballot order. */
  readonly options: readonly OptionStanding[];
  /** The options tied across the last seat (none of them wins), in ballot order. */
  readonly tiedForLast: readonly number[];
  /** The outcome in words: "Ada and Chen", "Ada; Brian and Chen tie for the second place". */
  readonly outcome: string;
}

/** Places a question fills: max if a ballot may choose fewer than all options, else 1. */
export function seatsOf(question: Pick<Question, 'options' | 'max'>): number {
  return question.max < question.options.length ? question.max : 1;
}

export function standings(questions: readonly Question[], result: ChoicesResult): QuestionStanding[] {
  return questions.map((question, q) => {
    const counts = result.counts[q] ?? [];
    const seats = seatsOf(question);
    const options = question.options.map((label, option) => {
      const count = counts[option] ?? 0;
      const above = counts.filter((c) => c > count).length;
      const equal = counts.filter((c) => c === count).length;
      return {
        option,
        label,
        count,
        rank: above + 1,
        winner: count > 0 && above + equal <= seats,
        tied: equal > 1,
      };
    });
    const won = options.filter((o) => o.winner).length;
    const tiedForLast = options
      .filter((o) => !o.winner && o.count > 0 && o.rank - 1 < seats)
      .map((o) => o.option);
    return {
      question: question.text,
      seats,
      options,
      tiedForLast,
      outcome: outcome(options, won, seats, tiedForLast),
    };
  });
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth'];
const ordinal = (n: number) => ORDINALS[n - 1] ?? `${n}th`;

function list(labels: readonly string[]): string {
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

function outcome(
  options: readonly OptionStanding[],
  won: number,
  seats: number,
  tiedForLast: readonly number[],
): string {
  if (options.every((o) => o.count === 0)) return 'no option was chosen';
  const winners = options.filter((o) => o.winner).sort((a, b) => a.rank - b.rank || a.option - b.option);
  const parts = winners.length > 0 ? [list(winners.map((o) => o.label))] : [];
  if (tiedForLast.length > 0) {
    const place = won + 1;
    const open = seats - won;
    const tied = list(tiedForLast.map((i) => options[i]!.label));
    parts.push(
      open === 1 ? `${tied} tie for the ${ordinal(place)} place` : `${tied} tie for the last ${open} places`,
    );
  }
  return parts.join('; ');
}

/** A result on one line: "yes 2 · no 1", or each question's outcome ("Ada and Chen · 10 May"). */
export function describeResult(questions: readonly Question[] | undefined, result: ElectionResult): string {
  if (!('counts' in result)) return `yes ${(result as YesNoResult).yes} · no ${(result as YesNoResult).no}`;
  return standings(questions ?? [], result)
    .map((s) => s.outcome)
    .join(' · ');
}
