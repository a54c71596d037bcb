import { useEffect } from 'react';
import { useEngineStore } from '../../store';

/**
 * Performance marks for the benchmarks (bench/dashboard.bench.ts): rendered last inside the block
 * tree, so its effects run once the tree's render for that state has been committed.
 */
export function RenderMarks({ blocks }: { blocks: number }) {
  const seq = useEngineStore((store) => store.lastSeq);
  useEffect(() => {
    performance.mark('oe:tree-rendered', { detail: { blocks } });
  }, [blocks]);
  useEffect(() => {
    performance.mark('oe:event-rendered', { detail: { seq } });
  }, [seq]);
  return null;
}
