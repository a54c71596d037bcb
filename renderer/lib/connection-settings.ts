// Where a screen sends the user who needs bridges or a proxy: the connection settings. The screen
// that holds them registers how to open it (`useConnectionSettings.setState({ open })`); until one
// does, the Tor screens name "Connection settings" in words and show no button.
import { create } from 'zustand';

export const useConnectionSettings = create<{ readonly open?: (() => void) | undefined }>(() => ({}));
