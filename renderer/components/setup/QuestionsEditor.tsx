import { type KeyboardEvent, useEffect, useId, useRef } from 'react';
import { LIMITS } from '../../../main/api/contract';
import { formatCount } from '../../lib/format';
import {
  draftNeedsSome,
  draftRuleInWords,
  MAX_OPTIONS,
  MAX_OPTIONS_IN_ALL,
  MAX_QUESTIONS,
  type OptionDraft,
  type QuestionDraft,
  questionField,
  RULE_KINDS,
  type RuleKind,
} from '../../lib/questions';
import { Field } from '../ui/Field';

/** The new-election form's two kinds of election: the original yes/no question, or questions with choices. */
export type ElectionKind = 'yes-no' | 'questions';

/** A yes/no question, or questions with choices: one radio each, with its sentence (as RuleChoice). */
export function KindChoice({ value, onChange }: { value: ElectionKind; onChange(kind: ElectionKind): void }) {
  const id = useId();
  const kinds: { kind: ElectionKind; title: string; text: string }[] = [
    { kind: 'yes-no', title: 'A yes/no question', text: ': everyone answers Yes or No (or abstains).' },
    {
      kind: 'questions',
      title: 'Questions with choices',
      text: `: up to ${MAX_QUESTIONS} questions, each with its options; voters choose one, several or any number of them.`,
    },
  ];
  return (
    <fieldset className="rule-choice kind-choice">
      <legend>What is asked</legend>
      <div className="rule-options">
        {kinds.map(({ kind, title, text }) => (
          <label key={kind} className="rule-option">
            <input
              type="radio"
              name={id}
              value={kind}
              checked={value === kind}
              aria-labelledby={`${id}-${kind}-title`}
              aria-describedby={`${id}-${kind}-text`}
              onChange={() => onChange(kind)}
            />
            <span className="rule-option-text" id={`${id}-${kind}-text`}>
              <strong className="rule-option-title" id={`${id}-${kind}-title`}>
                {title}
              </strong>
              {text}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** A question as the form starts it: no text, two empty options, choose exactly one. */
export function newQuestion(newId: () => number): QuestionDraft {
  return {
    id: newId(),
    question: '',
    options: [
      { id: newId(), label: '' },
      { id: newId(), label: '' },
    ],
    kind: 'one',
    upTo: '2',
    min: '1',
    max: '2',
    blank: false,
  };
}

/** Moves item `from` of a list by `by` places (−1 up, +1 down). */
function moved<T>(list: readonly T[], from: number, by: number): T[] {
  const to = from + by;
  if (to < 0 || to >= list.length) return [...list];
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
}

/**
 * What the form's question fields need from it: `errorOf(field, touchKey)` the error to show at a
 * field (questionField's names; `touchKey` names the input across reordering: shown once it was
 * touched), and `touch(key)` when an input is left.
 */
export interface QuestionFields {
  errorOf(field: string, touchKey: string): string | undefined;
  touch(key: string): void;
}

/**
 * The questions with choices of a new election: add, reorder and remove questions; per question
 * its text, its options (add, reorder, remove; at least one) and the rule in plain words, with a
 * live sentence ("choose up to 2 of 5"). The limits (16 questions, 64 options each, 64 in all)
 * are shown, and the buttons that would pass them are disabled with the reason beside them.
 */
export function QuestionsEditor({
  questions,
  onChange,
  newId,
  fields,
}: {
  questions: readonly QuestionDraft[];
  onChange(questions: QuestionDraft[]): void;
  newId(): number;
  fields: QuestionFields;
}) {
  const inAll = questions.reduce((n, q) => n + q.options.length, 0);
  const allFull = inAll >= MAX_OPTIONS_IN_ALL;
  /** An input to focus once rendered: a new question's text, or a new option. */
  const focusNext = useRef<string>(undefined);
  useEffect(() => {
    if (!focusNext.current) return;
    document.querySelector<HTMLElement>(`[data-focus="${focusNext.current}"]`)?.focus();
    focusNext.current = undefined;
  });
  const update = (index: number, question: QuestionDraft) =>
    onChange(questions.map((q, i) => (i === index ? question : q)));
  const add = () => {
    const question = newQuestion(newId);
    // The new question's options count too: one if only one more fits.
    const room = MAX_OPTIONS_IN_ALL - inAll;
    const fitted = room >= 2 ? question : { ...question, options: question.options.slice(0, 1) };
    focusNext.current = `question-text-${fitted.id}`;
    onChange([...questions, fitted]);
  };
  const tooMany = questions.length >= MAX_QUESTIONS;
  return (
    <div className="questions-editor">
      <ol className="question-list">
        {questions.map((question, q) => (
          <li key={question.id}>
            <QuestionEditor
              index={q}
              count={questions.length}
              question={question}
              onChange={(next) => update(q, next)}
              onMove={(by) => onChange(moved(questions, q, by))}
              onRemove={() => onChange(questions.filter((_, i) => i !== q))}
              newId={newId}
              optionsFull={allFull}
              fields={fields}
              focus={(id) => {
                focusNext.current = id;
              }}
            />
          </li>
        ))}
      </ol>
      <div className="questions-add">
        <button type="button" className="button" onClick={add} disabled={tooMany || allFull}>
          + Add a question
        </button>
        <p className="field-hint questions-limits" role="status">
          {formatCount(questions.length)} of {MAX_QUESTIONS} questions · {formatCount(inAll)} of{' '}
          {MAX_OPTIONS_IN_ALL} options in all
          {tooMany
            ? `: no more questions (${MAX_QUESTIONS} at most).`
            : allFull
              ? `: no more options in all (each option is counted on its own, and ballots grow with them).`
              : '.'}
        </p>
      </div>
      <p className="field-error" role={fields.errorOf('questions', '') ? 'alert' : undefined}>
        {fields.errorOf('questions', '')}
      </p>
    </div>
  );
}

function QuestionEditor({
  index,
  count,
  question,
  onChange,
  onMove,
  onRemove,
  newId,
  optionsFull,
  fields,
  focus,
}: {
  index: number;
  count: number;
  question: QuestionDraft;
  onChange(question: QuestionDraft): void;
  onMove(by: number): void;
  onRemove(): void;
  newId(): number;
  optionsFull: boolean;
  fields: QuestionFields;
  focus(id: string): void;
}) {
  const headingId = useId();
  const number = index + 1;
  const key = (part: string) => `${question.id}:${part}`;
  const errorOf = (part: string, touchKey: string) =>
    fields.errorOf(questionField(index, part), key(touchKey));
  const set = (change: Partial<QuestionDraft>) => onChange({ ...question, ...change });
  const setOptions = (options: OptionDraft[]) => set({ options });
  const full = question.options.length >= MAX_OPTIONS;
  const addOption = (after = question.options.length - 1) => {
    if (full || optionsFull) return;
    const option = { id: newId(), label: '' };
    const options = [...question.options];
    options.splice(after + 1, 0, option);
    focus(`option-${option.id}`);
    setOptions(options);
  };
  const sentence = draftRuleInWords(question);
  const needsSome = draftNeedsSome(question);
  const listError = errorOf('options', 'options');
  const textError = errorOf('question', 'question');
  return (
    // A group named "Question 2 of 3" (never just "Question 2": that is its text field's label).
    <fieldset className="question-editor" aria-label={`Question ${number} of ${count}`}>
      {/* The heading is the text field's label: "Question 2" (and, beside it, "of 3"). */}
      <div className="question-editor-head">
        <h3 id={headingId}>
          <label htmlFor={`${headingId}-text`}>Question {number}</label>
          {count > 1 && <span className="muted"> of {count}</span>}
        </h3>
        <div className="item-tools">
          <button
            type="button"
            className="button small ghost"
            aria-label={`Move question ${number} up`}
            title="Move up"
            disabled={index === 0}
            onClick={() => onMove(-1)}
          >
            ↑
          </button>
          <button
            type="button"
            className="button small ghost"
            aria-label={`Move question ${number} down`}
            title="Move down"
            disabled={index === count - 1}
            onClick={() => onMove(1)}
          >
            ↓
          </button>
          <button
            type="button"
            className="button small ghost"
            aria-label={`Remove question ${number}`}
            disabled={count === 1}
            title={count === 1 ? 'An election with choices asks at least one question' : undefined}
            onClick={onRemove}
          >
            Remove
          </button>
        </div>
      </div>
      <input
        id={`${headingId}-text`}
        data-focus={`question-text-${question.id}`}
        aria-describedby={`${headingId}-hint ${headingId}-error`}
        aria-invalid={textError !== undefined}
        value={question.question}
        autoComplete="off"
        placeholder="What this question asks"
        onChange={(event) => set({ question: event.target.value })}
        onBlur={() => fields.touch(key('question'))}
      />
      <p className="field-hint" id={`${headingId}-hint`}>
        What voters are asked (at most {LIMITS.questionBytes} bytes).
      </p>
      <p className="field-error" id={`${headingId}-error`} role={textError ? 'alert' : undefined}>
        {textError}
      </p>
      <div className="options-editor">
        <p className="options-heading" id={`${headingId}-options`}>
          Options{' '}
          <span className="muted">
            · {formatCount(question.options.length)} of {MAX_OPTIONS}
          </span>
        </p>
        <ol className="option-list" aria-labelledby={`${headingId}-options`}>
          {question.options.map((option, o) => {
            const error = errorOf(`options[${o}]`, `o${option.id}`);
            const inputId = `option-${option.id}`;
            const label = `Option ${o + 1} of question ${number}`;
            return (
              <li key={option.id} className="option-row">
                <span className="option-number" aria-hidden="true">
                  {o + 1}.
                </span>
                <input
                  id={inputId}
                  data-focus={inputId}
                  aria-label={label}
                  aria-invalid={error !== undefined}
                  aria-describedby={`${inputId}-error`}
                  value={option.label}
                  autoComplete="off"
                  // Checked as typed, not on leaving: an error appearing on blur would move the
                  // buttons below under the pointer (a new option left empty is said in the status).
                  onChange={(event) => {
                    fields.touch(key(`o${option.id}`));
                    setOptions(
                      question.options.map((x) =>
                        x.id === option.id ? { ...x, label: event.target.value } : x,
                      ),
                    );
                  }}
                  // Enter adds an option below (and goes to it), as in a list editor.
                  onKeyDown={(event: KeyboardEvent<HTMLInputElement>) => {
                    if (event.key !== 'Enter') return;
                    event.preventDefault();
                    addOption(o);
                  }}
                />
                <span className="item-tools">
                  <button
                    type="button"
                    className="button small ghost"
                    aria-label={`Move option ${o + 1} of question ${number} up`}
                    title="Move up"
                    disabled={o === 0}
                    onClick={() => setOptions(moved(question.options, o, -1))}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="button small ghost"
                    aria-label={`Move option ${o + 1} of question ${number} down`}
                    title="Move down"
                    disabled={o === question.options.length - 1}
                    onClick={() => setOptions(moved(question.options, o, 1))}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="button small ghost"
                    aria-label={`Remove option ${o + 1} of question ${number}`}
                    title={question.options.length === 1 ? 'A question has at least one option' : 'Remove'}
                    disabled={question.options.length === 1}
                    onClick={() => setOptions(question.options.filter((x) => x.id !== option.id))}
                  >
                    ✕
                  </button>
                </span>
                <p
                  className="field-error option-error"
                  id={`${inputId}-error`}
                  role={error ? 'alert' : undefined}
                >
                  {error}
                </p>
              </li>
            );
          })}
        </ol>
        <div className="options-add">
          <button
            type="button"
            className="button small"
            disabled={full || optionsFull}
            onClick={() => addOption()}
            aria-label={`Add an option to question ${number}`}
          >
            + Add an option
          </button>
          {(full || optionsFull) && (
            <span className="field-hint" role="status">
              {full
                ? `No more: ${MAX_OPTIONS} options at most.`
                : `No more: ${MAX_OPTIONS_IN_ALL} options in all at most.`}
            </span>
          )}
        </div>
        {listError && (
          <p className="field-error" role="alert">
            {listError}
          </p>
        )}
      </div>
      <RuleEditor
        question={question}
        set={set}
        errorOf={errorOf}
        touch={(part) => fields.touch(key(part))}
        needsSome={needsSome}
      />
      <p className="rule-sentence" aria-live="polite">
        {sentence ? (
          <>
            Voters <strong>{sentence}</strong>.
          </>
        ) : (
          <span className="muted">Give the numbers to see the rule in words.</span>
        )}
      </p>
    </fieldset>
  );
}

/**
 * How many options a voter chooses, in plain words: a select of the four kinds, the numbers the
 * kind needs, and "A blank answer (none) is allowed" when the minimum is above 0.
 */
function RuleEditor({
  question,
  set,
  errorOf,
  touch,
  needsSome,
}: {
  question: QuestionDraft;
  set(change: Partial<QuestionDraft>): void;
  errorOf(part: string, touchKey: string): string | undefined;
  touch(part: string): void;
  needsSome: boolean;
}) {
  const n = question.options.length;
  const whole = (part: 'upTo' | 'min' | 'max') => ({
    inputMode: 'numeric' as const,
    autoComplete: 'off',
    value: question[part],
    onChange: (event: { target: { value: string } }) => set({ [part]: event.target.value }),
    onBlur: () => touch(part),
  });
  // For the kinds without numbers, the engine's refusal of min or max (if any) shows under the select.
  const ruleError =
    question.kind === 'one' || question.kind === 'any'
      ? (errorOf('min', 'kind') ?? errorOf('max', 'kind') ?? errorOf('blank', 'kind'))
      : undefined;
  return (
    <div className="rule-editor">
      <div className="rule-row">
        <Field label="What a voter may choose" className="rule-kind" error={ruleError}>
          {(control) => (
            <select
              {...control}
              value={question.kind}
              onChange={(event) => {
                const kind = event.target.value as RuleKind;
                // Sensible numbers for the kind just chosen: up to 2 (or all); between 1 and 2.
                const upTo = question.upTo.trim() === '' ? String(Math.min(2, n)) : question.upTo;
                set({ kind, upTo });
              }}
            >
              {RULE_KINDS.map(({ kind, label }) => (
                <option key={kind} value={kind}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {question.kind === 'up-to' && (
          <Field
            label="N (at most)"
            className="rule-number"
            hint={`From 1 to ${n}.`}
            error={errorOf('max', 'upTo')}
          >
            {(control) => <input {...control} {...whole('upTo')} />}
          </Field>
        )}
        {question.kind === 'between' && (
          <>
            <Field
              label="A (at least)"
              className="rule-number"
              hint={`From 0 to ${n}.`}
              error={errorOf('min', 'min')}
            >
              {(control) => <input {...control} {...whole('min')} />}
            </Field>
            <Field
              label="B (at most)"
              className="rule-number"
              hint={`From 1 to ${n}.`}
              error={errorOf('max', 'max')}
            >
              {(control) => <input {...control} {...whole('max')} />}
            </Field>
          </>
        )}
      </div>
      {needsSome && (
        <div className="blank-check">
          <label className="checkbox-line">
            <input
              className="tick"
              type="checkbox"
              checked={question.blank}
              onChange={(event) => set({ blank: event.target.checked })}
            />
            <span>A blank answer (none) is allowed</span>
          </label>
          <p className="field-error">{question.kind === 'between' ? errorOf('blank', 'blank') : undefined}</p>
        </div>
      )}
    </div>
  );
}
