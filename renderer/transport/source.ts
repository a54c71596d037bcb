// How the store receives the engine's state, whatever carries it: a snapshot, then the events
// numbered after it, and a fresh snapshot on request when the store sees a gap in the numbers.
import type { EngineApi, SequencedEvent, Snapshot } from '../../main/api/contract';

/** 'unauthorized': the web dashboard's access token was refused; nothing will fix it but a new link. */
export type LinkStatus = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

export interface SourceSink {
  snapshot(snapshot: Snapshot): void;
  event(event: SequencedEvent): void;
  status(status: LinkStatus): void;
}

export interface EngineSource {
  readonly api: EngineApi;
  /** Starts delivering to `sink`; returns the function that stops it. */
  connect(sink: SourceSink): () => void;
  /** Delivers a new snapshot (then the events after it): the store saw a gap in the events. */
  resync(): void;
}

/**
 * A source over any EngineApi (the Electron preload's): subscribe first, then ask for the
 * snapshot, holding back the events that arrive meanwhile; once it is in, pass on only the held
 * events it does not already contain. No event can fall between the snapshot and the stream.
 */
export function apiSource(api: EngineApi): EngineSource {
  let sink: SourceSink | undefined;
  let held: SequencedEvent[] | undefined;
  /** Bumped by each load, so an older snapshot that answers late is dropped. */
  let generation = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  function load(): void {
    const mine = ++generation;
    held = [];
    clearTimeout(retryTimer);
    api.snapshot().then(
      (snapshot) => {
        if (mine !== generation || !sink) return;
        const pending = held ?? [];
        held = undefined;
        sink.snapshot(snapshot);
        sink.status('live');
        for (const event of pending) if (event.seq > snapshot.seq) sink.event(event);
      },
      () => {
        if (mine !== generation || !sink) return;
        sink.status('reconnecting');
        retryTimer = setTimeout(load, 1000);
      },
    );
  }

  return {
    api,
    connect(next) {
      sink = next;
      sink.status('connecting');
      const unsubscribe = api.onEvent((event) => {
        if (held) held.push(event);
        else sink?.event(event);
      });
      load();
      return () => {
        generation++;
        clearTimeout(retryTimer);
        unsubscribe();
        sink = undefined;
      };
    },
    resync: load,
  };
}
