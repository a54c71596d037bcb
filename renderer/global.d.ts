import type { EngineApi } from '../main/api/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the page runs in a plain browser. */
    readonly onionElection?: EngineApi & {
      version(): Promise<string>;
      /** An invitation link the app was opened with, once (the desktop app only). */
      takeInvitation?(): Promise<string | null>;
      /** Invitation links opened while the app runs. */
      onInvitation?(listener: (link: string) => void): () => void;
    };
  }
}
