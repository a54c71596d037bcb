import { useId } from 'react';
import type { VoteChoice as Vote } from '../../../main/api/contract';

const OPTIONS: { value: Vote | null; label: string }[] = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
  { value: null, label: 'No vote' },
];

/** Yes / No / No vote, as a segmented radio group (arrow keys move between the options). */
export function VoteChoice({
  legend,
  value,
  onChange,
  hint,
}: {
  legend: string;
  value: Vote | null;
  onChange(vote: Vote | null): void;
  hint?: string;
}) {
  const name = useId();
  return (
    <fieldset className="segmented-field">
      <legend>{legend}</legend>
      <div className="segmented">
        {OPTIONS.map((option) => (
          <label key={option.label} className={`segment vote-${option.value ?? 'none'}`}>
            <input
              type="radio"
              name={name}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
      {hint && <p className="field-hint">{hint}</p>}
    </fieldset>
  );
}
