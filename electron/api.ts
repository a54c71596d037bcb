// The IPC contract between the sandboxed renderer and the Electron main process: the engine API
// (main/api/contract.ts), one channel per request plus one for events, and the app's version.
// Both sides import this file: keep it free of Node and DOM types.
import type { EngineApi, RequestName } from '../main/api/contract';

/** What the preload exposes to the renderer as `window.onionElection`. */
export type OnionElectionApi = EngineApi & {
  /** The app's version, from package.json. */
  version(): Promise<string>;
};

/** Channel names: `engine:<request>` for requests (invoke/handle), one for events (send/on). */
export const IPC = {
  version: 'app:version',
  events: 'engine:event',
  request: (name: RequestName) => `engine:${name}` as const,
} as const;

/**
 * What a request channel answers. Rejections do not cross IPC well (Electron rewrites their
 * message and drops their fields), so the main process answers with a value or an error here and
 * the preload turns the error back into a rejection.
 */
export type IpcReply = { readonly ok: unknown } | { readonly error: string; readonly field?: string };
