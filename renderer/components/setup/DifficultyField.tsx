import { difficultyText, parseDifficulty } from '../../lib/estimate';
import { aboutDuration, formatWork } from '../../lib/format';
import { Field } from '../ui/Field';

const PRESETS = [
  { label: 'Test (instant)', value: 1 },
  { label: 'Quick ≈ 2^16', value: 2 ** 16 },
  { label: 'Normal ≈ 2^26', value: 2 ** 26 },
] as const;

/**
 * The work per block: a preset, or any number of tries (hashes) per block up to the engine's
 * limit, typed as a number or a power of two ("2^20"). `hashrate`: this computer's hashes per
 * second, when known, for how long one block takes it.
 */
export function DifficultyField({
  value,
  onChange,
  onBlur,
  error,
  hashrate,
}: {
  value: string;
  onChange(value: string): void;
  onBlur(): void;
  error: string | undefined;
  hashrate: number | undefined;
}) {
  const parsed = parseDifficulty(value);
  const hashes = 'value' in parsed ? parsed.value : undefined;
  const preset = PRESETS.find((p) => p.value === hashes);
  return (
    <Field
      label="Work per block"
      hint={
        <>
          How hard each block is to find. Harder blocks make the election slower, and harder to rewrite.
          {error === undefined && hashes !== undefined && (
            <>
              {' '}
              {hashes === 1 ? 'One try per block' : `${formatWork(hashes)} tries per block`}
              {hashrate ? `: ${aboutDuration(hashes / hashrate)} each for this computer.` : '.'}
            </>
          )}
        </>
      }
      error={error}
      className="difficulty"
    >
      {(control) => (
        <>
          <fieldset className="presets">
            <legend className="sr-only">Presets</legend>
            {PRESETS.map((p) => (
              <button
                key={p.value}
                type="button"
                className="button small"
                aria-pressed={preset === p}
                onClick={() => onChange(difficultyText(p.value))}
              >
                {p.label}
              </button>
            ))}
          </fieldset>
          <input
            {...control}
            className="mono"
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={(event) => onChange(event.target.value)}
            onBlur={onBlur}
          />
        </>
      )}
    </Field>
  );
}
