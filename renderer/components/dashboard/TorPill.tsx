import type { TorView } from '../../../main/api/contract';
import { torWords } from '../../lib/tor-words';

/** Tor's state in two words, coloured: connected, connecting 45%, can't reach, reconnecting… */
export function TorPill({ tor }: { tor: TorView }) {
  const { tone, short, title } = torWords(tor);
  return (
    <span className={`pill pill-${tone}`} title={title}>
      <span className="dot" aria-hidden="true" />
      {short}
    </span>
  );
}
