// The dashboard's state: the engine's snapshot kept current by its events (the contract's own
// reducer, so the page and the engine cannot disagree), and how the page reaches the engine.
import { create } from 'zustand';
import type { DashboardState, EngineApi, Snapshot } from '../main/api/contract';
import { applySequenced } from '../main/api/reduce';
import type { EngineSource, LinkStatus } from './transport/source';

/**
 * electron: the desktop app's preload; http: the web dashboard; no-engine: a page opened on its
 * own (file://, no preload); no-token: the web dashboard opened without the link's token.
 */
export type Access = 'electron' | 'http' | 'no-engine' | 'no-token';

interface EngineStore {
  readonly access: Access;
  readonly link: LinkStatus;
  readonly api: EngineApi | null;
  /** null until the first snapshot arrives. */
  readonly snapshot: Snapshot | null;
  /** The seq of the last event applied (or of the snapshot): what the page shows now. */
  readonly lastSeq: number;
}

export const useEngineStore = create<EngineStore>()(() => ({
  access: 'no-engine',
  link: 'connecting',
  api: null,
  snapshot: null,
  lastSeq: 0,
}));

/** Records how the page reaches no engine at all (nothing to connect). */
export function setAccess(access: 'no-engine' | 'no-token'): void {
  useEngineStore.setState({ access });
}

/**
 * Keeps the store in sync with `source`: each snapshot replaces the state, each event is applied
 * in order; an event already in the snapshot is ignored, and a gap (a lost event) loads a new
 * snapshot. Returns the function that disconnects.
 */
export function connect(source: EngineSource, access: 'electron' | 'http'): () => void {
  /** Between a gap and the new snapshot, events are dropped: the source sends them again after it. */
  let resyncing = false;
  useEngineStore.setState({ access, api: source.api });
  return source.connect({
    snapshot(snapshot) {
      resyncing = false;
      performance.mark('oe:snapshot');
      useEngineStore.setState({ snapshot, lastSeq: snapshot.seq });
    },
    event(event) {
      performance.mark('oe:event', { detail: { seq: event.seq } });
      const current = useEngineStore.getState().snapshot;
      if (!current || resyncing) return;
      const applied = applySequenced(current, event);
      if (applied.status === 'applied') {
        useEngineStore.setState({ snapshot: applied.snapshot, lastSeq: event.seq });
      } else if (applied.status === 'gap') {
        resyncing = true;
        source.resync();
      }
    },
    status(link) {
      useEngineStore.setState({ link });
    },
  });
}

/** A slice of the engine's state, for components shown only once a snapshot is in. */
export function useDashboard<T>(selector: (state: DashboardState) => T): T {
  return useEngineStore((store) => selector(store.snapshot!.state));
}

/** The engine's requests, for components shown only once connected. */
export function useApi(): EngineApi {
  return useEngineStore((store) => store.api!);
}
