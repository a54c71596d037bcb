import type { OnionElectionApi } from '../electron/api';

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the page runs in a plain browser. */
    readonly onionElection?: OnionElectionApi;
  }
}
