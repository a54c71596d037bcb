// App-wide state. For now only where the page runs; the election state will live here too.
import { create } from 'zustand';

export type Shell =
  | { kind: 'checking' }
  | { kind: 'browser' }
  | { kind: 'electron'; version: string }
  | { kind: 'error'; message: string };

interface AppState {
  shell: Shell;
  detectShell(): Promise<void>;
}

export const useAppStore = create<AppState>()((set) => ({
  shell: { kind: 'checking' },
  async detectShell() {
    const api = window.onionElection;
    if (!api) return set({ shell: { kind: 'browser' } });
    try {
      set({ shell: { kind: 'electron', version: await api.version() } });
    } catch (error) {
      set({ shell: { kind: 'error', message: String(error) } });
    }
  },
}));
