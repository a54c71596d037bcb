import { BrandBar } from './components/BrandBar';
import { Dashboard } from './components/dashboard/Dashboard';
import { LobbyScreen } from './components/lobby/LobbyScreen';
import {
  ConnectingScreen,
  NoEngineScreen,
  NoTokenScreen,
  ReconnectBanner,
  TokenRefusedScreen,
} from './components/screens/AccessScreens';
import { ErrorScreen, StoppedScreen } from './components/screens/ErrorScreen';
import { StartingScreen } from './components/screens/StartingScreen';
import { ConnectionSettingsDialog } from './components/settings/ConnectionSettings';
import { SetupScreen } from './components/setup/SetupScreen';
import { useEngineStore } from './store';

export function App() {
  const link = useEngineStore((store) => store.link);
  const connected = useEngineStore((store) => store.snapshot !== null);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <BrandBar />
      {connected && link === 'reconnecting' && <ReconnectBanner />}
      <main id="main" tabIndex={-1}>
        <Screen />
      </main>
      {connected && <ConnectionSettingsDialog />}
    </>
  );
}

/** What the page shows: how it reaches the engine first, then the engine's stage. */
function Screen() {
  const access = useEngineStore((store) => store.access);
  const link = useEngineStore((store) => store.link);
  const stage = useEngineStore((store) => store.snapshot?.state.stage);
  if (access === 'no-engine') return <NoEngineScreen />;
  if (access === 'no-token') return <NoTokenScreen />;
  if (link === 'unauthorized') return <TokenRefusedScreen />;
  switch (stage) {
    case undefined:
      return <ConnectingScreen retrying={link === 'reconnecting'} />;
    case 'setup':
      return <SetupScreen />;
    case 'lobby':
      return <LobbyScreen />;
    case 'starting':
      return <StartingScreen />;
    case 'error':
      return <ErrorScreen />;
    case 'stopped':
      return <StoppedScreen />;
    case 'running':
      return <Dashboard />;
  }
}
