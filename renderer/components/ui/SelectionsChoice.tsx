import { useId } from 'react';
import type { QuestionForm, Selections } from '../../../main/api/contract';
import { noneAllowed, ruleInWords, ruleOf, selectionCounter, selectionProblem } from '../../lib/questions';

/**
 * The answers to questions with choices, one group per question: radio buttons where at most one
 * option may be chosen (with "None" when choosing none is allowed), checkboxes otherwise. A live
 * counter says how many are chosen; once the most allowed are, the other boxes are disabled and
 * the counter says so; an answer with fewer than the minimum says what is missing. Native inputs,
 * so Tab, Space and the arrow keys work as everywhere.
 *
 * `value`: the answers as chosen so far (they may not be valid yet). `pristine`: nothing chosen by
 * the person yet, so no "None" is shown as chosen for them. `showProblems`: say what is missing
 * under each question (a form says it once the person has started to answer).
 */
export function SelectionsChoice({
  questions,
  value,
  onChange,
  disabled = false,
  pristine = false,
  showProblems = true,
}: {
  questions: readonly QuestionForm[];
  value: Selections;
  onChange(question: number, chosen: readonly number[]): void;
  disabled?: boolean;
  pristine?: boolean;
  showProblems?: boolean;
}) {
  return (
    <div className="selections">
      {questions.map((question, q) => (
        <QuestionChoice
          // The questions of an election never change; in the new-election form their order may.
          // biome-ignore lint/suspicious/noArrayIndexKey: a question is its place on the ballot
          key={q}
          number={q + 1}
          count={questions.length}
          question={question}
          chosen={value[q] ?? []}
          onChange={(chosen) => onChange(q, chosen)}
          disabled={disabled}
          pristine={pristine}
          showProblem={showProblems}
        />
      ))}
    </div>
  );
}

function QuestionChoice({
  number,
  count,
  question,
  chosen,
  onChange,
  disabled,
  pristine,
  showProblem,
}: {
  number: number;
  count: number;
  question: QuestionForm;
  chosen: readonly number[];
  onChange(chosen: readonly number[]): void;
  disabled: boolean;
  pristine: boolean;
  showProblem: boolean;
}) {
  const id = useId();
  const rule = ruleOf(question);
  const radios = rule.max === 1;
  const full = !radios && chosen.length >= rule.max;
  const problem = selectionProblem(rule, chosen.length);
  const toggle = (option: number, on: boolean) => {
    if (radios) return onChange(on ? [option] : []);
    const set = new Set(chosen);
    if (on) set.add(option);
    else set.delete(option);
    onChange([...set].sort((a, b) => a - b));
  };
  const counter = selectionCounter(rule, chosen.length);
  return (
    <fieldset
      className="question-choice"
      disabled={disabled}
      aria-describedby={`${id}-rule ${id}-count ${id}-problem`}
    >
      <legend className="question-legend">
        {count > 1 && <span className="question-number">{number}.</span>}
        {count > 1 && ' '}
        <span className="question-text">{question.question || `Question ${number}`}</span>
      </legend>
      <p className="question-rule" id={`${id}-rule`}>
        {capitalize(ruleInWords(rule))}.
      </p>
      <div className="choice-options">
        {question.options.map((label, option) => {
          const checked = chosen.includes(option);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: an option is its place in the question
            <label key={option} className="choice-option">
              <input
                className="tick"
                type={radios ? 'radio' : 'checkbox'}
                name={radios ? id : undefined}
                value={option}
                checked={checked}
                // The most allowed are chosen: the rest wait until one is unticked.
                disabled={!checked && full}
                onChange={(event) => toggle(option, event.target.checked)}
              />
              <span className="choice-label">{label || `Option ${option + 1}`}</span>
            </label>
          );
        })}
        {radios && noneAllowed(rule) && (
          <label className="choice-option choice-none">
            <input
              className="tick"
              type="radio"
              name={id}
              value="none"
              checked={!pristine && chosen.length === 0}
              onChange={() => onChange([])}
            />
            <span className="choice-label">None (a blank answer)</span>
          </label>
        )}
      </div>
      <p className={`choice-count${full ? ' full' : ''}`} id={`${id}-count`} role="status">
        {counter}
        {full && rule.max < rule.options && (
          <span className="muted"> · the most allowed: untick one to choose another</span>
        )}
      </p>
      <p className="field-error" id={`${id}-problem`}>
        {showProblem && !disabled ? problem : undefined}
      </p>
    </fieldset>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
