import { percent } from '../../lib/format';

/**
 * A fixed-height bar. The fill's width is a React style prop: set through the CSSOM, which the
 * page's CSP (style-src 'self') allows, unlike a style attribute in HTML.
 */
export function ProgressBar({
  value,
  max,
  label,
  tone = 'accent',
}: {
  value: number;
  max: number;
  label: string;
  tone?: 'accent' | 'ok' | 'warn' | 'bad' | 'muted';
}) {
  return (
    <div
      className={`bar bar-${tone}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={Math.min(value, max)}
    >
      <div className="bar-fill" style={{ width: `${percent(value, max)}%` }} />
    </div>
  );
}
