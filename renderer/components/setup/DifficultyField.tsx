import { formatDuration, formatWork } from '../../lib/format';
import { MAX_DIFFICULTY } from '../../lib/validate';
import { Field } from '../ui/Field';

const PRESETS = [
  { label: 'Test (instant)', value: 1 },
  { label: 'Quick ≈ 2^16', value: 2 ** 16 },
  { label: 'Normal ≈ 2^26', value: 2 ** 26 },
] as const;

/** The work per block: a preset, or any number of expected hashes up to the engine's limit. */
export function DifficultyField({
  value,
  onChange,
  onBlur,
  error,
  coreHashrate,
}: {
  value: string;
  onChange(value: string): void;
  onBlur(): void;
  error: string | undefined;
  coreHashrate: number;
}) {
  const preset = PRESETS.find((p) => String(p.value) === value);
  const hashes = Number(value);
  const hint =
    error === undefined && hashes >= 1
      ? `${formatWork(hashes)} hashes per block: about ${formatDuration(hashes / coreHashrate)} on one laptop core.`
      : `Expected hashes per block, 1 to 2^${Math.log2(MAX_DIFFICULTY)}.`;
  return (
    <Field label="Difficulty" hint={hint} error={error} className="difficulty">
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
                onClick={() => onChange(String(p.value))}
              >
                {p.label}
              </button>
            ))}
          </fieldset>
          <input
            {...control}
            inputMode="numeric"
            autoComplete="off"
            value={value}
            onChange={(event) => onChange(event.target.value)}
            onBlur={onBlur}
          />
        </>
      )}
    </Field>
  );
}
