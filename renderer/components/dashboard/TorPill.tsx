import type { TorView } from '../../../main/api/contract';

/** Tor's state in two words, coloured: ready, bootstrapping 45%, error, or direct (no Tor). */
export function TorPill({ tor }: { tor: TorView }) {
  const [tone, text] = torState(tor);
  return (
    <span className={`pill pill-${tone}`} title={tor.summary || undefined}>
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function torState(tor: TorView): ['ok' | 'warn' | 'bad' | 'muted', string] {
  if (tor.mode === 'off') return ['muted', 'direct (no Tor)'];
  switch (tor.stage) {
    case 'ready':
      return ['ok', 'Tor ready'];
    case 'error':
      return ['bad', 'Tor error'];
    case 'off':
      return ['muted', 'Tor off'];
    case 'publishing':
      return ['warn', 'Tor: publishing'];
    default:
      return ['warn', `Tor ${Math.round(tor.progress)}%`];
  }
}
