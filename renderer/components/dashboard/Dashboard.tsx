import { BlockTree } from '../tree/BlockTree';
import { BallotsCard } from './BallotsCard';
import { CandidatesCard } from './CandidatesCard';
import { ElectionHeader } from './ElectionHeader';
import { MiningCard } from './MiningCard';
import { PeersCard } from './PeersCard';
import { PhaseCard } from './PhaseCard';
import { ReceiptsCard } from './ReceiptsCard';
import { ResultCard } from './ResultCard';
import { RunnerCard } from './RunnerCard';
import { TorCard } from './TorCard';
import { YourVoteCard } from './YourVoteCard';

/**
 * The running election. Two columns on wide screens: what the election is doing on the left
 * (progress, result, the chain itself), what this runner is doing on the right, the voter's own
 * vote on top of it. On a narrow screen one column, the vote first.
 */
export function Dashboard() {
  return (
    <div className="dashboard">
      <ElectionHeader />
      <div className="columns">
        <div className="column vote-column">
          <YourVoteCard />
        </div>
        <div className="column main-column">
          <PhaseCard />
          <ResultCard />
          <BlockTree />
          <BallotsCard />
        </div>
        <div className="column side-column">
          <MiningCard />
          <ReceiptsCard />
          <PeersCard />
          <CandidatesCard />
          <TorCard />
          <RunnerCard />
        </div>
      </div>
    </div>
  );
}
