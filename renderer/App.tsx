import { useEffect } from 'react';
import { type Shell, useAppStore } from './store';

const PHASES = [
  {
    title: 'Key election',
    text: 'Each block mined carries its miner’s tallier key. The most-seen keys become the talliers, and their product is the election key: no single tallier can decrypt a ballot.',
  },
  {
    title: 'Voting',
    text: 'Each block mined carries one ballot: a vote of 0 or 1 encrypted under the election key, with a proof that it is one of the two. Peers talk only through Tor onion services.',
  },
  {
    title: 'Result',
    text: 'The ballots multiply into an encrypted tally. Each tallier publishes a proven decryption share of that total — never of an individual vote — and every peer checks and decrypts the result.',
  },
] as const;

export function App() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <img className="app-logo" src="./icon.svg" alt="" width="40" height="40" />
        <div>
          <h1>Onion Election</h1>
          <p className="tagline">An anonymous election among peers over Tor — no server, no authority.</p>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <section aria-labelledby="phases-heading">
          <h2 id="phases-heading">How an election runs</h2>
          <ol className="phases">
            {PHASES.map((phase) => (
              <li key={phase.title} className="card">
                <h3>{phase.title}</h3>
                <p>{phase.text}</p>
              </li>
            ))}
          </ol>
        </section>
        <EnvironmentPanel />
      </main>
    </>
  );
}

function EnvironmentPanel() {
  const shell = useAppStore((state) => state.shell);
  const detectShell = useAppStore((state) => state.detectShell);
  useEffect(() => {
    void detectShell();
  }, [detectShell]);

  return (
    <section className="card environment" aria-labelledby="environment-heading">
      <h2 id="environment-heading">Environment</h2>
      <p role="status">{summary(shell)}</p>
    </section>
  );
}

function summary(shell: Shell): string {
  switch (shell.kind) {
    case 'checking':
      return 'Checking…';
    case 'browser':
      return 'Running in a web browser: a preview only, the desktop bridge is not available.';
    case 'electron':
      return `Running in the desktop app (Electron), version ${shell.version}.`;
    case 'error':
      return `The desktop bridge failed: ${shell.message}`;
  }
}
