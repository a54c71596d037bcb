// The one contract between the sandboxed renderer and the Electron main process.
// The preload implements `OnionElectionApi`, the main process answers the `IPC` channels,
// and the renderer sees the API as `window.onionElection` (type-only import there).
// Keep this file free of Node and DOM types: both tsconfigs compile it.

/** What the preload exposes to the renderer via `contextBridge`. */
export interface OnionElectionApi {
  /** The app version, from package.json. */
  version(): Promise<string>;
}

/** IPC channel names, shared by preload (`invoke`) and main (`handle`). */
export const IPC = {
  version: 'app:version',
} as const;
