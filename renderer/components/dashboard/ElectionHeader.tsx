import { useRef } from 'react';
import { formatCount, groupHex } from '../../lib/format';
import { RULE_TITLE, ruleSentence } from '../../lib/rules';
import { useDashboard } from '../../store';
import { CopyButton } from '../ui/CopyButton';

/** The election's title and question, its id, and the address others join this runner by. */
export function ElectionHeader() {
  const election = useDashboard((state) => state.election);
  const self = useDashboard((state) => state.self);
  const idRef = useRef<HTMLElement>(null);
  const selfRef = useRef<HTMLElement>(null);
  if (!election) return null;
  return (
    <header className="election-header">
      <h1>{election.title}</h1>
      <p className="question">{election.question}</p>
      <p className="election-rule muted" title={ruleSentence(election.ballotRule)}>
        <span className="badge accent">{RULE_TITLE[election.ballotRule]}</span>
        {election.voters !== undefined &&
          ` ${formatCount(election.voters)} registered voter${election.voters === 1 ? '' : 's'}`}
      </p>
      <dl className="identity">
        <div>
          <dt>Election</dt>
          <dd>
            {/* All 64 digits in groups of 8, as the join screen shows them: people compare them. */}
            <code className="mono id-grouped" ref={idRef}>
              {groupHex(election.id)}
            </code>
            <CopyButton text={election.id} shown={idRef} label="Copy the election id" />
          </dd>
        </div>
        <div className="identity-self">
          <dt>Your address</dt>
          <dd>
            {self ? (
              <>
                <code className="mono address" ref={selfRef}>
                  {self}
                </code>
                <CopyButton text={self} shown={selfRef} label="Copy your address" />
              </>
            ) : (
              <span className="muted">not published yet</span>
            )}
          </dd>
        </div>
      </dl>
    </header>
  );
}
