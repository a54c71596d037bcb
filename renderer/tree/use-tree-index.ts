// One TreeIndex for the whole page, shared by the block tree, the ballots list and the time
// estimate, and brought up to date by whichever renders first (update is idempotent).
import { useDashboard } from '../store';
import { TreeIndex } from './tree-index';

let shared = new TreeIndex();

/** The tree index for the current state (the component re-renders when the blocks or the tip change). */
export function useTreeIndex(): TreeIndex {
  const blocks = useDashboard((state) => state.blocks);
  const tip = useDashboard((state) => state.chain?.tip);
  // A new snapshot brings new block objects: start over rather than read it as an extension.
  if (!shared.continues(blocks)) shared = new TreeIndex();
  shared.update(blocks, tip);
  return shared;
}
