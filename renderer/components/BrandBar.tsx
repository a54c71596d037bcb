import { useEngineStore } from '../store';
import { TorPill } from './dashboard/TorPill';

/** The top bar on every screen: the app's name, its version, and Tor's state once known. */
export function BrandBar() {
  const version = useEngineStore((store) => store.snapshot?.state.version);
  const tor = useEngineStore((store) =>
    store.snapshot?.state.stage === 'setup' ? undefined : store.snapshot?.state.tor,
  );
  return (
    <header className="brand-bar">
      <div className="brand">
        <img className="brand-logo" src="./icon.svg" alt="" width="28" height="28" />
        <span className="brand-name">Onion Election</span>
        {version && <span className="brand-version">v{version}</span>}
      </div>
      {tor && <TorPill tor={tor} />}
    </header>
  );
}
