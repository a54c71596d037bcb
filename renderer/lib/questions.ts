// Questions with choices (issue 16) in words, and the new-election form's checks of them. Pure
// functions, no React: the forms, the voting card, the receipts and the result card share them,
// and renderer/lib/questions.test.ts checks them without a browser.
//
// The engine checks everything again (main/chain/questions.ts, main/crypto/choices.ts,
// main/chain/votes.ts); these only let the person fix a mistake before sending it, and say the
// same rules in plain words.
import { LIMITS, type QuestionForm, type Selections } from '../../main/api/contract';
import { checkText, checkWhole } from './validate';

/** The most questions an election asks (LIMITS, the proofs' bound). */
export const MAX_QUESTIONS: number = LIMITS.questions;
/** The most options a question offers (LIMITS, the proofs' bound). */
export const MAX_OPTIONS: number = LIMITS.optionsPerQuestion;
/** The most options of all questions together: each is a tally (LIMITS.optionsInAll). */
export const MAX_OPTIONS_IN_ALL: number = LIMITS.optionsInAll;

/** What a ballot may choose in one question: between `min` and `max` of `options`, or none if `blank`. */
export interface Rule {
  readonly options: number;
  readonly min: number;
  readonly max: number;
  readonly blank: boolean;
}

export function ruleOf(question: QuestionForm): Rule {
  return { options: question.options.length, min: question.min, max: question.max, blank: question.blank };
}

/** How many options a ballot may choose, ascending: min…max, and 0 when blank. */
export function allowedCounts(rule: Rule): number[] {
  const counts = Array.from({ length: Math.max(0, rule.max - rule.min + 1) }, (_, k) => rule.min + k);
  return rule.blank && rule.min > 0 ? [0, ...counts] : counts;
}

/** Whether choosing none at all is a valid answer (min 0, or a blank answer allowed). */
export function noneAllowed(rule: Rule): boolean {
  return rule.min === 0 || rule.blank;
}

/** The rule in a few words, the way a voter reads it: "choose up to 2 of 5", "choose exactly 1 of 3, or none". */
export function ruleInWords(rule: Rule): string {
  const n = rule.options;
  let words: string;
  if (rule.min === rule.max) words = `choose exactly ${rule.min} of ${n}`;
  else if (rule.min === 0 && rule.max === n && n > 1) words = `choose any number of ${n}`;
  else if (rule.min === 0) words = `choose up to ${rule.max} of ${n}`;
  else if (rule.max === rule.min + 1) words = `choose ${rule.min} or ${rule.max} of ${n}`;
  else words = `choose ${rule.min} to ${rule.max} of ${n}`;
  return rule.blank && rule.min > 0 ? `${words}, or none` : words;
}

/** The live count beside a question's options: "1 of 2 chosen", "choose up to 2", "3 chosen". */
export function selectionCounter(rule: Rule, chosen: number): string {
  if (rule.min === rule.max) return `${chosen} of ${rule.max} chosen`;
  const approval = rule.min === 0 && rule.max === rule.options && rule.options > 1;
  if (chosen === 0)
    return approval
      ? 'choose any number'
      : rule.min === 0
        ? `choose up to ${rule.max}`
        : `choose ${rule.min} to ${rule.max}`;
  if (approval) return `${chosen} chosen`;
  return rule.min === 0
    ? `${chosen} of up to ${rule.max} chosen`
    : `${chosen} chosen (${rule.min} to ${rule.max})`;
}

/**
 * Why `chosen` options are not (yet) a valid answer, in words, or undefined when they are: fewer
 * than the minimum (unless none, when a blank answer is allowed), or more than the maximum.
 */
export function selectionProblem(rule: Rule, chosen: number): string | undefined {
  if (allowedCounts(rule).includes(chosen)) return undefined;
  if (chosen > rule.max) {
    const extra = chosen - rule.max;
    return `Too many: at most ${rule.max}. Untick ${extra} ${extra === 1 ? 'option' : 'options'}.`;
  }
  const orNone = rule.blank ? ', or none' : '';
  if (chosen === 0)
    return rule.min === rule.max ? `Choose ${rule.min}${orNone}.` : `Choose at least ${rule.min}${orNone}.`;
  const more = rule.min - chosen;
  return `Choose ${more} more: at least ${rule.min}${rule.blank ? ' (or none)' : ''}.`;
}

/** The first question whose answer is not valid, with why; undefined when every answer is. */
export function selectionsProblem(
  questions: readonly QuestionForm[],
  selections: Selections,
): { readonly question: number; readonly problem: string } | undefined {
  for (const [q, question] of questions.entries()) {
    const problem = selectionProblem(ruleOf(question), selections[q]?.length ?? 0);
    if (problem) return { question: q, problem };
  }
  return undefined;
}

/** Is `vote` one list of options per question (not 'yes'/'no')? */
export function isSelections(vote: unknown): vote is Selections {
  return Array.isArray(vote);
}

/** The labels chosen in one answer: "Ada, Chen", or "none (a blank answer)". */
export function chosenLabels(question: QuestionForm | undefined, chosen: readonly number[]): string {
  if (chosen.length === 0) return 'none';
  return chosen.map((o) => question?.options[o] ?? `option ${o + 1}`).join(', ');
}

/** Selections in words, one answer per question: "Ada, Chen · 10 May". */
export function describeSelections(
  questions: readonly QuestionForm[] | undefined,
  selections: Selections,
): string {
  return selections.map((chosen, q) => chosenLabels(questions?.[q], chosen)).join(' · ');
}

/** Two selections are the same vote. */
export function sameSelections(a: Selections | null | undefined, b: Selections | null | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ── The new-election form's questions ─────────────────────────────────────────────────────────

/**
 * The rule, as the form offers it: exactly 1; up to N; between A and B; any number (approval).
 * The numbers are kept as typed (text), as every number of the form.
 */
export type RuleKind = 'one' | 'up-to' | 'between' | 'any';

export const RULE_KINDS: readonly { readonly kind: RuleKind; readonly label: string }[] = [
  { kind: 'one', label: 'Choose exactly 1' },
  { kind: 'up-to', label: 'Choose up to N' },
  { kind: 'between', label: 'Choose between A and B' },
  { kind: 'any', label: 'Choose any number (approval)' },
];

export interface OptionDraft {
  /** Stable across reordering and removal: React's key, and what the organizer's vote holds. */
  readonly id: number;
  readonly label: string;
}

export interface QuestionDraft {
  readonly id: number;
  readonly question: string;
  readonly options: readonly OptionDraft[];
  readonly kind: RuleKind;
  /** 'up-to': N. */
  readonly upTo: string;
  /** 'between': A and B. */
  readonly min: string;
  readonly max: string;
  /** With a minimum above 0: a ballot may also choose none. */
  readonly blank: boolean;
}

/** The rule's minimum and maximum from the draft, or undefined while a number is not one. */
export function draftBounds(draft: QuestionDraft): { min: number; max: number } | undefined {
  const n = draft.options.length;
  const whole = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : undefined);
  switch (draft.kind) {
    case 'one':
      return { min: 1, max: 1 };
    case 'any':
      return { min: 0, max: n };
    case 'up-to': {
      const max = whole(draft.upTo);
      return max === undefined ? undefined : { min: 0, max };
    }
    case 'between': {
      const [min, max] = [whole(draft.min), whole(draft.max)];
      return min === undefined || max === undefined ? undefined : { min, max };
    }
  }
}

/** Whether the draft's rule has a minimum above 0 (where "a blank answer is allowed" applies). */
export function draftNeedsSome(draft: QuestionDraft): boolean {
  const bounds = draftBounds(draft);
  return draft.kind === 'one' || (draft.kind === 'between' && bounds !== undefined && bounds.min > 0);
}

/** The question as the engine takes it (labels and text trimmed), or undefined while its rule is incomplete. */
export function questionForm(draft: QuestionDraft): QuestionForm | undefined {
  const bounds = draftBounds(draft);
  if (!bounds) return undefined;
  return {
    question: draft.question.trim(),
    options: draft.options.map((o) => o.label.trim()),
    min: bounds.min,
    max: bounds.max,
    blank: bounds.min > 0 && draft.blank,
  };
}

/**
 * The field of a question (as the engine names it, so its refusals land at the same place):
 * `questions[0].question`, `questions[0].options[2]`, `questions[0].min`, `questions[0].max`,
 * `questions[0].options` (the list), or `questions` (all of them).
 */
export function questionField(question: number, part?: string): string {
  return part === undefined ? `questions[${question}]` : `questions[${question}].${part}`;
}

/**
 * Every problem of the questions, keyed by field (questionField). Labels must be distinct as a
 * voter reads them (Unicode composition aside), as the engine requires.
 */
export function questionErrors(drafts: readonly QuestionDraft[]): Record<string, string> {
  const errors: Record<string, string> = {};
  if (drafts.length < 1 || drafts.length > MAX_QUESTIONS)
    errors.questions = `From 1 to ${MAX_QUESTIONS} questions, please.`;
  const inAll = drafts.reduce((n, d) => n + d.options.length, 0);
  if (inAll > MAX_OPTIONS_IN_ALL)
    errors.questions = `At most ${MAX_OPTIONS_IN_ALL} options in all (there are ${inAll}): each one is counted separately, and ballots grow with them.`;
  for (const [q, draft] of drafts.entries()) {
    const text = checkText(draft.question, LIMITS.questionBytes);
    if (text) errors[questionField(q, 'question')] = text;
    const n = draft.options.length;
    if (n < 1) errors[questionField(q, 'options')] = 'Add at least one option.';
    if (n > MAX_OPTIONS) errors[questionField(q, 'options')] = `At most ${MAX_OPTIONS} options.`;
    const seen = new Map<string, number>();
    for (const [o, option] of draft.options.entries()) {
      const field = questionField(q, `options[${o}]`);
      const problem = checkText(option.label, LIMITS.optionBytes);
      if (problem) {
        errors[field] = problem;
        continue;
      }
      const key = option.label.trim().normalize('NFC');
      const first = seen.get(key);
      if (first !== undefined) errors[field] = `Listed twice: option ${first + 1} says the same.`;
      else seen.set(key, o);
    }
    const most = Math.max(1, n);
    if (draft.kind === 'up-to') {
      const problem = checkWhole(draft.upTo, [1, most]);
      if (problem)
        errors[questionField(q, 'max')] = n > 0 && problem.startsWith('Between') ? upToProblem(n) : problem;
    } else if (draft.kind === 'between') {
      const min = checkWhole(draft.min, [0, most]);
      const max = checkWhole(draft.max, [1, most]);
      if (min) errors[questionField(q, 'min')] = min;
      if (max) errors[questionField(q, 'max')] = max;
      if (!min && !max && Number(draft.min) > Number(draft.max))
        errors[questionField(q, 'min')] = `At most ${Number(draft.max)}, the maximum.`;
    }
  }
  return errors;
}

function upToProblem(options: number): string {
  return options === 1
    ? 'Only 1: there is one option.'
    : `From 1 to ${options}: there are ${options} options.`;
}

/**
 * The election's introduction when the organizer gives none: the one question's text, or the
 * questions listed, as much as fits (main/cli/run.ts introduces them the same way).
 */
export function defaultIntroduction(texts: readonly string[]): string {
  const clean = texts.map((t) => t.trim()).filter(Boolean);
  if (clean.length === 1) return clean[0]!;
  let intro = `${clean.length} questions: ${clean.join(' · ')}`;
  const bytes = (text: string) => new TextEncoder().encode(text).length;
  while (bytes(intro) > LIMITS.questionBytes) intro = `${[...intro].slice(0, -2).join('')}…`;
  return intro;
}

/** A question's rule in words from its draft, for the form's live sentence ("choose up to 2 of 5"). */
export function draftRuleInWords(draft: QuestionDraft): string | undefined {
  const form = questionForm(draft);
  if (!form || form.options.length === 0) return undefined;
  const rule = ruleOf(form);
  if (rule.max < 1 || rule.max > rule.options || rule.min > rule.max) return undefined;
  return ruleInWords(rule);
}
