import { type RefObject, useEffect, useState } from 'react';
import { copyText } from '../../lib/browser';

/**
 * Copies `text`. Where the clipboard is refused, selects the text shown in `shown` instead and
 * says to press Ctrl+C. The outcome is announced to screen readers.
 */
export function CopyButton({
  text,
  shown,
  label,
}: {
  text: string;
  shown: RefObject<HTMLElement | null>;
  label: string;
}) {
  const [outcome, setOutcome] = useState<'copied' | 'selected'>();
  useEffect(() => {
    if (!outcome) return;
    const timer = setTimeout(() => setOutcome(undefined), 2500);
    return () => clearTimeout(timer);
  }, [outcome]);
  return (
    <button
      type="button"
      className="button small ghost copy"
      aria-label={outcome ? undefined : label}
      onClick={async () => setOutcome((await copyText(text, shown.current)) ? 'copied' : 'selected')}
    >
      <span aria-live="polite">
        {outcome === 'copied' ? 'Copied ✓' : outcome === 'selected' ? 'Press Ctrl+C' : 'Copy'}
      </span>
    </button>
  );
}
