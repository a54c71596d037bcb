// Virtualisation for long lists of fixed-height rows: only the rows in view (plus a margin) are
// rendered, so a tree of 5,000 blocks costs the DOM of a few dozen rows.
import { type RefObject, useLayoutEffect, useRef, useState } from 'react';

export interface VirtualWindow<E extends HTMLElement> {
  /** For the scroll container. */
  readonly ref: RefObject<E | null>;
  /** The first and last row index to render (last < first when there are none). */
  readonly first: number;
  readonly last: number;
}

export function useVirtualRows<E extends HTMLElement = HTMLDivElement>(
  count: number,
  rowHeight: number,
  overscan = 8,
): VirtualWindow<E> {
  const ref = useRef<E>(null);
  // Only the rows in view go into state, so scrolling within them renders nothing.
  const [range, setRange] = useState({ start: 0, end: 20 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const start = Math.floor(element.scrollTop / rowHeight);
      const end = Math.ceil((element.scrollTop + element.clientHeight) / rowHeight);
      setRange((old) => (old.start === start && old.end === end ? old : { start, end }));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    element.addEventListener('scroll', measure, { passive: true });
    return () => {
      observer.disconnect();
      element.removeEventListener('scroll', measure);
    };
  }, [rowHeight]);
  return {
    ref,
    first: Math.max(0, range.start - overscan),
    last: Math.min(count - 1, range.end + overscan),
  };
}

/** Scrolls `element` the least needed for row `index` to be in full view. */
export function scrollRowIntoView(element: HTMLElement, index: number, rowHeight: number): void {
  const top = index * rowHeight;
  if (top < element.scrollTop) element.scrollTop = top;
  else if (top + rowHeight > element.scrollTop + element.clientHeight)
    element.scrollTop = top + rowHeight - element.clientHeight;
}
