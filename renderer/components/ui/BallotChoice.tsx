import { type ReactNode, useId } from 'react';
import type { QuestionForm, Selections } from '../../../main/api/contract';
import { SelectionsChoice } from './SelectionsChoice';

/** A ballot of answers as it is being chosen: the answers so far, or no ballot at all. */
export interface BallotDraft {
  /** Cast no ballot (the Abstain of a yes/no vote); the answers are kept for a change of mind. */
  readonly abstain: boolean;
  /** Per question, the options chosen so far (maybe not a valid answer yet). */
  readonly selections: Selections;
}

/** The vote a draft stands for: null to abstain, else its selections. */
export function voteOfDraft(draft: BallotDraft): Selections | null {
  return draft.abstain ? null : draft.selections;
}

/** A draft showing `vote`: its selections, or (null, or anything else) nothing chosen and abstaining. */
export function draftOfVote(vote: unknown, questions: number): BallotDraft {
  return Array.isArray(vote)
    ? { abstain: false, selections: vote as Selections }
    : { abstain: true, selections: Array.from({ length: questions }, () => []) };
}

/**
 * The vote of an election with questions with choices, where the yes/no elections show Yes / No /
 * Abstain: each question's options (SelectionsChoice), then "Abstain" (no ballot), then the hint.
 * `pristine`: the person has chosen nothing yet (a form: nothing is chosen for them).
 */
export function BallotChoice({
  legend,
  questions,
  draft,
  pristine = false,
  onChange,
  hint,
  disabled = false,
  className,
}: {
  legend: ReactNode;
  questions: readonly QuestionForm[];
  draft: BallotDraft;
  pristine?: boolean;
  onChange(draft: BallotDraft): void;
  hint?: ReactNode;
  disabled?: boolean;
  className?: string;
}) {
  const id = useId();
  const choose = (question: number, chosen: readonly number[]) =>
    onChange({
      abstain: false,
      selections: questions.map((_, q) => (q === question ? chosen : (draft.selections[q] ?? []))),
    });
  return (
    <fieldset
      className={className ? `ballot-choice ${className}` : 'ballot-choice'}
      aria-describedby={hint ? `${id}-hint` : undefined}
      disabled={disabled}
    >
      <legend className="ballot-legend">{legend}</legend>
      <SelectionsChoice
        questions={questions}
        value={draft.selections}
        onChange={choose}
        disabled={disabled || draft.abstain}
        pristine={pristine || draft.abstain}
        showProblems={!pristine && !draft.abstain}
      />
      <label className="checkbox-line abstain-check">
        <input
          className="tick"
          type="checkbox"
          checked={!pristine && draft.abstain}
          onChange={(event) => onChange({ ...draft, abstain: event.target.checked })}
        />
        <span>
          <strong>Abstain</strong>: cast no ballot
        </span>
      </label>
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </fieldset>
  );
}
