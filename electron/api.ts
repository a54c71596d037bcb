// The IPC contract between the sandboxed renderer and the Electron main process: the engine API
// (main/api/contract.ts), one channel per request plus one for events, and the app's version.
// Both sides import this file: keep it free of Node and DOM types.
import type { EngineApi, RequestName } from '../main/api/contract';

/** What the preload exposes to the renderer as `window.onionElection`. */
export type OnionElectionApi = EngineApi & {
  /** The app's version, from package.json. */
  version(): Promise<string>;
  /**
   * An invitation link the app was opened with (onion-election://join/…), once: the join screen
   * fills it in. null when there is none (or it was taken).
   */
  takeInvitation(): Promise<string | null>;
  /** Links opened while the app runs (a click on a link, a second launch); returns the unsubscribe. */
  onInvitation(listener: (link: string) => void): () => void;
};

/** Channel names: `engine:<request>` for requests (invoke/handle), one for events (send/on). */
export const IPC = {
  version: 'app:version',
  takeInvitation: 'app:take-invitation',
  invitation: 'app:invitation',
  events: 'engine:event',
  request: (name: RequestName) => `engine:${name}` as const,
} as const;

/**
 * What a request channel answers. Rejections do not cross IPC well (Electron rewrites their
 * message and drops their fields), so the main process answers with a value or an error here and
 * the preload turns the error back into a rejection.
 */
export type IpcReply = { readonly ok: unknown } | { readonly error: string; readonly field?: string };
