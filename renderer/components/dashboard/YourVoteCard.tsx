import { useRequested } from '../../lib/hooks';
import { useApi, useDashboard } from '../../store';
import { Card } from '../ui/Card';
import { VoteChoice } from '../ui/VoteChoice';
import { PrivacyExplainer } from './Explainers';

/**
 * The voter's choice, first on a narrow screen: Yes, No or Abstain, changeable until voting ends and
 * locked after, with how it stays private.
 */
export function YourVoteCard() {
  const api = useApi();
  const vote = useDashboard((state) => state.settings.vote);
  const question = useDashboard((state) => state.election?.question);
  const rule = useDashboard((state) => state.election?.ballotRule ?? 'per-block');
  const phase = useDashboard((state) => state.chain?.phase);
  const voted = useRequested(vote, (value) => api.setVote(value));
  // After the last voting block no ballot is counted any more: the choice is kept as it was.
  const over = phase === 'confirm' || phase === 'final';
  return (
    <Card title="Your vote" className="vote-card">
      <VoteChoice
        legend={<span className="vote-question">{question}</span>}
        value={voted.value}
        onChange={voted.set}
        disabled={over}
        hint={
          over
            ? 'Voting has ended: your vote can no longer change.'
            : rule === 'per-voter'
              ? 'Your one ballot, cast when voting opens. Choosing again casts a new ballot that replaces the earlier one, until voting ends.'
              : 'Goes into each voting block your runner finds from now on; ballots already on the chain keep theirs. If you abstain, your runner sits the voting blocks out and mines the others.'
        }
      />
      <p className="error-text" role="status">
        {voted.error}
      </p>
      <PrivacyExplainer rule={rule} />
    </Card>
  );
}
