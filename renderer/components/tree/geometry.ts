// The block tree's fixed geometry, shared by the list (positions) and the graph (drawing). Rows
// have one fixed height: that is what lets the list render only the rows in view.
export const ROW_HEIGHT = 40;
export const LANE_WIDTH = 16;
const GRAPH_PADDING = 4;

export function graphWidth(laneCount: number): number {
  return laneCount * LANE_WIDTH + 2 * GRAPH_PADDING;
}

/** The x of a lane's nodes. */
export function laneX(lane: number): number {
  return GRAPH_PADDING + LANE_WIDTH / 2 + lane * LANE_WIDTH;
}
