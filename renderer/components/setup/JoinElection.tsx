import { type FormEvent, useState } from 'react';
import type { ElectionView, VoteChoice as Vote } from '../../../main/api/contract';
import { errorMessage, fieldMessage } from '../../lib/errors';
import { useAction } from '../../lib/hooks';
import { checkName, checkPeerAddress } from '../../lib/validate';
import { useApi, useDashboard } from '../../store';
import { Field } from '../ui/Field';
import { VoteChoice } from '../ui/VoteChoice';
import { ElectionSummary } from './ElectionSummary';
import { formField } from './form-field';

/**
 * Joining takes two steps: look the election up at a peer and show it, then join exactly that one
 * (the engine refuses if the peer serves another election by then).
 */
export function JoinElection() {
  const api = useApi();
  const settings = useDashboard((state) => state.settings);
  const [peer, setPeer] = useState('');
  const [peerTouched, setPeerTouched] = useState(false);
  const [found, setFound] = useState<{ peer: string; election: ElectionView }>();
  const [lookupError, setLookupError] = useState<string>();
  const [name, setName] = useState(settings.name);
  const [vote, setVote] = useState<Vote | null>(settings.vote);
  const [joinError, setJoinError] = useState<{ field: 'name' | 'peer' | undefined; error: string }>();

  const peerProblem = checkPeerAddress(peer);
  const nameProblem = checkName(name);

  const lookup = useAction(async (address: string) => {
    try {
      setFound({ peer: address, election: await api.previewJoin(address) });
    } catch (error) {
      setLookupError(fieldMessage(error));
    }
  });
  const join = useAction(async (election: ElectionView, address: string) => {
    try {
      await api.joinElection({ peer: address, electionId: election.id, name, vote });
    } catch (error) {
      const field = formField(error, { name, peer });
      // Beside the name field its name goes without saying; elsewhere the message keeps it.
      setJoinError({ field, error: field === 'name' ? fieldMessage(error) : errorMessage(error) });
    }
  });

  const submitLookup = (event: FormEvent) => {
    event.preventDefault();
    setPeerTouched(true);
    if (peerProblem || lookup.pending) return;
    setLookupError(undefined);
    setFound(undefined);
    void lookup.run(peer.trim());
  };

  return (
    <section className="card form" aria-labelledby="join-heading">
      <h2 id="join-heading">Join an election</h2>
      <form className="lookup" onSubmit={submitLookup} noValidate>
        <Field
          label="A participant’s address"
          hint="Their runner’s .onion address (56 characters + .onion), or 127.0.0.1:PORT for a test on this computer."
          error={lookupError ?? (peerTouched ? peerProblem : undefined)}
        >
          {(control) => (
            <div className="input-with-button">
              <input
                {...control}
                className="mono"
                value={peer}
                spellCheck={false}
                autoComplete="off"
                onChange={(event) => {
                  setPeer(event.target.value);
                  setPeerTouched(true);
                  setFound(undefined);
                  setLookupError(undefined);
                }}
              />
              <button type="submit" className="button" disabled={peerProblem !== undefined || lookup.pending}>
                {lookup.pending ? 'Looking up…' : 'Look up'}
              </button>
            </div>
          )}
        </Field>
        <p className="form-status" role="status">
          {lookup.pending ? 'Asking the peer for its election; over Tor this can take a minute.' : ''}
        </p>
      </form>
      {found && (
        <form
          className="join"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            if (nameProblem || join.pending) return;
            setJoinError(undefined);
            void join.run(found.election, found.peer);
          }}
        >
          <p className="muted">
            <strong>{found.peer}</strong> runs this election. Check it is the one you were invited to:
          </p>
          <ElectionSummary election={found.election} />
          <Field
            label="Runner name"
            hint="The label on the blocks you mine, visible to everyone."
            error={joinError?.field === 'name' ? joinError.error : nameProblem}
          >
            {(control) => (
              <input
                {...control}
                value={name}
                autoComplete="nickname"
                onChange={(event) => setName(event.target.value)}
              />
            )}
          </Field>
          <VoteChoice
            legend="Your vote"
            value={vote}
            onChange={setVote}
            hint="Encrypted into each ballot block you mine. You can change it later."
          />
          <div className="form-actions">
            <button
              type="submit"
              className="button primary"
              disabled={nameProblem !== undefined || join.pending}
            >
              {join.pending ? 'Joining…' : 'Join this election'}
            </button>
            <p className="form-status" role="status">
              {joinError && joinError.field !== 'name' ? joinError.error : ''}
            </p>
          </div>
        </form>
      )}
    </section>
  );
}
