import { useEffect, useState } from 'react';
import { useDashboard } from '../../store';
import { TorCard } from '../dashboard/TorCard';
import { ConnectionSettingsButton } from '../settings/ConnectionSettings';
import { JoinElection } from './JoinElection';
import { NewElectionForm } from './NewElectionForm';

/** The first run: start a new election, or join one a participant shared. */
export function SetupScreen() {
  const [choice, setChoice] = useState<'new' | 'join'>();
  // The desktop app opened with an invitation link (or given one since): the join screen, filled in.
  const [invitation, setInvitation] = useState<string>();
  useEffect(() => {
    const app = window.onionElection;
    const open = (link: string) => {
      setInvitation(link);
      setChoice('join');
    };
    void app?.takeInvitation?.().then((link) => link && open(link));
    return app?.onInvitation?.(open);
  }, []);
  // A tor of the runner's own bootstraps while the user fills in a form: show how far it is.
  const torMode = useDashboard((state) => state.tor.mode);
  return (
    <div className="setup">
      <div className="setup-intro">
        <h1>Hold an election among peers</h1>
        <p className="lead">
          Every participant runs a runner like this one. Ballots are encrypted, counted without being opened,
          and recorded on a small chain the runners mine together over Tor. No server, no authority.
        </p>
        <p className="muted setup-connection">
          Is Tor blocked where you are, or do you use a proxy? <ConnectionSettingsButton />
        </p>
      </div>
      <div className="choices">
        <button
          type="button"
          className="choice"
          aria-pressed={choice === 'new'}
          onClick={() => setChoice('new')}
        >
          <span className="choice-title">Start a new election</span>
          <span className="choice-text">
            You set the question and the rules, then invite the people who vote with a link.
          </span>
        </button>
        <button
          type="button"
          className="choice"
          aria-pressed={choice === 'join'}
          onClick={() => setChoice('join')}
        >
          <span className="choice-title">Join an election</span>
          <span className="choice-text">Paste the invitation link (or the address) you were sent.</span>
        </button>
      </div>
      {choice === 'new' && <NewElectionForm />}
      {choice === 'join' && <JoinElection {...(invitation ? { invitation } : {})} />}
      {(torMode === 'managed' || torMode === 'attached') && <TorCard />}
    </div>
  );
}
