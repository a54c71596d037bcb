import type { EngineApi } from '../main/api/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the page runs in a plain browser. */
    readonly onionElection?: EngineApi & { version(): Promise<string> };
  }
}
