import { type FormEvent, useId, useState } from 'react';
import type { PeerView } from '../../../main/api/contract';
import { errorMessage } from '../../lib/errors';
import { formatAgo } from '../../lib/format';
import { useAction, useNow } from '../../lib/hooks';
import { parsePeerList } from '../../lib/validate';
import { plainName } from '../../lib/waits';
import { useApi, useDashboard } from '../../store';
import { Card } from '../ui/Card';

const SOURCES: Record<PeerView['source'], string> = {
  cli: 'added by you',
  peer: 'learned from a peer',
  announce: 'announced itself',
};

/** The runners this one talks to: add some by address, see which answer, remove one. */
export function PeersCard() {
  const peers = useDashboard((state) => state.peers);
  const reachable = peers.filter((p) => p.reachable).length;
  const now = useNow();
  return (
    <Card
      title="Peers"
      actions={
        <span className="muted num">
          {reachable} of {peers.length} reachable
        </span>
      }
    >
      <AddPeers />
      {peers.length === 0 ? (
        <p className="empty">No peers yet. Add the address of another participant’s runner.</p>
      ) : (
        <ul className="peer-list">
          {peers.map((peer) => (
            <PeerRow key={peer.address} peer={peer} now={now} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function AddPeers() {
  const api = useApi();
  const id = useId();
  const [text, setText] = useState('');
  /** Per address: what the check here or the engine said was wrong. */
  const [problems, setProblems] = useState<{ address: string; problem: string }[]>([]);
  const add = useAction(async (addresses: string[]) => {
    const failed: { address: string; problem: string }[] = [];
    for (const address of addresses) {
      try {
        await api.addPeer(address);
      } catch (error) {
        failed.push({ address, problem: errorMessage(error) });
      }
    }
    setProblems(failed);
    // Keep what was refused in the box, to be corrected.
    setText(failed.map((f) => f.address).join('\n'));
  });
  const parsed = parsePeerList(text);
  const invalid = parsed.filter((p) => p.problem !== undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (parsed.length === 0 || invalid.length > 0 || add.pending) return;
    void add.run(parsed.map((p) => p.address));
  };
  const shown =
    invalid.length > 0 ? invalid.map((p) => ({ address: p.address, problem: p.problem! })) : problems;
  return (
    <form className="add-peers" onSubmit={submit} noValidate>
      <label htmlFor={id}>Add peers</label>
      <div className="input-with-button">
        <textarea
          id={id}
          className="mono"
          rows={2}
          value={text}
          spellCheck={false}
          placeholder="abc…xyz.onion, one or more"
          aria-describedby={`${id}-problems`}
          aria-invalid={invalid.length > 0}
          onChange={(event) => {
            setText(event.target.value);
            setProblems([]);
          }}
        />
        <button
          type="submit"
          className="button"
          disabled={parsed.length === 0 || invalid.length > 0 || add.pending}
        >
          {add.pending ? 'Adding…' : 'Add'}
        </button>
      </div>
      <ul className="field-error problems" id={`${id}-problems`} aria-live="polite">
        {shown.map((p) => (
          <li key={p.address}>
            <span className="mono">{p.address.length > 24 ? `${p.address.slice(0, 22)}…` : p.address}</span>:{' '}
            {p.problem}
          </li>
        ))}
      </ul>
    </form>
  );
}

function PeerRow({ peer, now }: { peer: PeerView; now: number }) {
  const api = useApi();
  const remove = useAction(() => api.removePeer(peer.address));
  // A peer that answered in the last ten minutes and fails now (a sleep, a dropped connection on
  // either side) is being reconnected to: the runner keeps trying, and it usually comes back.
  const [tone, state] =
    peer.reachable === null
      ? ['muted', 'not tried yet']
      : peer.reachable
        ? ['ok', 'reachable']
        : peer.lastSeen !== null && now - peer.lastSeen < 10 * 60_000
          ? ['warn', 'reconnecting…']
          : ['bad', 'unreachable'];
  return (
    <li className="peer">
      <span className={`dot dot-${tone}`} aria-hidden="true" />
      <div className="peer-main">
        {peer.name && (
          <strong className="peer-name" title="The name this runner gives itself: anyone can choose any name">
            {plainName(peer.name)}
          </strong>
        )}
        <code className="mono peer-address" title={peer.address}>
          {peer.address}
        </code>
        <div className="peer-meta">
          <span className={`peer-state ${tone}`}>{state}</span>
          {peer.lastSeen !== null && <span>seen {formatAgo(peer.lastSeen, now)}</span>}
          {peer.failures > 0 && (
            <span>
              {peer.failures} failure{peer.failures === 1 ? '' : 's'}
            </span>
          )}
          <span>{SOURCES[peer.source]}</span>
        </div>
        {remove.error && <p className="error-text">{remove.error}</p>}
      </div>
      <button
        type="button"
        className="button small ghost"
        aria-label={`Remove peer ${peer.address}`}
        disabled={remove.pending}
        onClick={() => remove.run()}
      >
        Remove
      </button>
    </li>
  );
}
