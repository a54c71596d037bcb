import { type ReactNode, useId } from 'react';
import type { VoteChoice as Vote } from '../../../main/api/contract';

const OPTIONS: { value: Vote | null; label: string }[] = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
  { value: null, label: 'Abstain' },
];

/**
 * Yes / No / Abstain, as a segmented radio group (arrow keys move between the options), all in one
 * neutral colour: a vote is neither good nor bad. `value` undefined: nothing chosen yet (a form
 * asks for the choice: `required`). `disabled`: the vote can no longer change (`hint` says why).
 */
export function VoteChoice({
  legend,
  value,
  onChange,
  hint,
  required = false,
  disabled = false,
  className,
}: {
  legend: ReactNode;
  value: Vote | null | undefined;
  onChange(vote: Vote | null): void;
  hint?: ReactNode;
  required?: boolean;
  disabled?: boolean;
  className?: string;
}) {
  const name = useId();
  return (
    <fieldset
      className={className ? `segmented-field vote-choice ${className}` : 'segmented-field vote-choice'}
      aria-describedby={hint ? `${name}-hint` : undefined}
      disabled={disabled}
    >
      <legend>{legend}</legend>
      <div className="segmented">
        {OPTIONS.map((option) => (
          <label key={option.label} className="segment">
            <input
              type="radio"
              name={name}
              required={required}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
      {hint && (
        <p className="field-hint" id={`${name}-hint`}>
          {hint}
        </p>
      )}
    </fieldset>
  );
}
