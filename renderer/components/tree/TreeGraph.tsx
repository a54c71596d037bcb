import type { TreeRow } from '../../tree/tree-index';
import { graphWidth, laneX, ROW_HEIGHT } from './geometry';

const MID = ROW_HEIGHT / 2;
const R = ROW_HEIGHT;

/**
 * One row's slice of the tree drawing. Each edge runs from a child's node (one row up) to its
 * parent's as one S-curve (a cubic from (xc, 0) to (xp, R) with vertical tangents), cut at the
 * row boundary: the child's row draws the first half, the parent's row the second, so every row
 * draws alone and the halves meet exactly.
 */
export function TreeGraph({
  row,
  laneCount,
  selected,
}: {
  row: TreeRow;
  laneCount: number;
  selected: string | undefined;
}) {
  return (
    <svg className="tree-graph" width={graphWidth(laneCount)} height={ROW_HEIGHT} aria-hidden="true">
      {row.up.map((edge) => {
        const xc = laneX(edge.fromLane);
        const xp = laneX(edge.toLane);
        return (
          <path
            key={`u${edge.fromLane}-${edge.toLane}`}
            className={edge.best ? 'edge best' : 'edge side'}
            d={`M${(xc + xp) / 2} 0C${(xc + 3 * xp) / 4} ${R / 8} ${xp} ${R / 4} ${xp} ${MID}`}
          />
        );
      })}
      {row.blocks.map(({ block, lane, parentLane, best }) => {
        const xc = laneX(lane);
        const xp = laneX(parentLane);
        return (
          <path
            key={`d${block.hash}`}
            className={best ? 'edge best' : 'edge side'}
            d={`M${xc} ${MID}C${xc} ${MID + R / 4} ${(3 * xc + xp) / 4} ${MID + (3 * R) / 8} ${(xc + xp) / 2} ${R}`}
          />
        );
      })}
      {row.height === 0 && (
        <rect className="node genesis" x={laneX(0) - 5} y={MID - 5} width={10} height={10} rx={2} />
      )}
      {row.blocks.map(({ block, lane, best }) => (
        <g key={block.hash}>
          {block.hash === selected && <circle className="node-ring" cx={laneX(lane)} cy={MID} r={8.5} />}
          <circle
            className={`node ${best ? 'best' : 'side'} kind-${block.kind}`}
            cx={laneX(lane)}
            cy={MID}
            r={best ? 5 : 4}
          />
        </g>
      ))}
    </svg>
  );
}
