// The state machine both sides share: the engine keeps its snapshot with it, and a UI applies the
// events it receives with it, so the two cannot drift apart. Pure and immutable: each event returns
// a new state that shares everything it did not change (React and zustand compare by reference).
import {
  type DashboardState,
  type EngineEvent,
  MAX_WARNINGS,
  type SequencedEvent,
  type Snapshot,
} from './contract';

export function applyEvent(state: DashboardState, event: EngineEvent): DashboardState {
  switch (event.type) {
    case 'stage': {
      const { type: _, ...rest } = event;
      const next: DashboardState = { ...state, ...rest };
      if (event.error === undefined) delete (next as { error?: string }).error;
      if (event.launch === undefined) delete (next as { launch?: unknown }).launch;
      // The waiting room belongs to the lobby stage (a start, a leave or a failure ends it).
      if (event.stage !== 'lobby') delete (next as { lobby?: unknown }).lobby;
      return next;
    }
    case 'tor':
      return { ...state, tor: event.tor };
    case 'blocks':
      return { ...state, blocks: state.blocks.concat(event.blocks) };
    case 'chain':
      return { ...state, chain: event.chain };
    case 'result':
      return { ...state, result: event.result };
    case 'peers':
      return { ...state, peers: event.peers };
    case 'mining':
      return { ...state, mining: event.mining };
    case 'settings':
      return { ...state, settings: event.settings };
    case 'lobby':
      return { ...state, lobby: event.lobby };
    case 'receipts':
      return { ...state, receipts: event.receipts };
    case 'warning':
      return { ...state, warnings: [...state.warnings, event.warning].slice(-MAX_WARNINGS) };
  }
}

/** What a UI does with an event: apply it, ignore it (already in the snapshot), or resync (a gap). */
export type Applied =
  | { readonly status: 'applied'; readonly snapshot: Snapshot }
  | { readonly status: 'stale' }
  | { readonly status: 'gap'; readonly expected: number; readonly got: number };

export function applySequenced(snapshot: Snapshot, { seq, event }: SequencedEvent): Applied {
  if (seq <= snapshot.seq) return { status: 'stale' };
  if (seq !== snapshot.seq + 1) return { status: 'gap', expected: snapshot.seq + 1, got: seq };
  return { status: 'applied', snapshot: { seq, state: applyEvent(snapshot.state, event) } };
}
