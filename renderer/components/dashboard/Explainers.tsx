// Two short explanations a voter can open from the dashboard, in plain words. What they say follows
// docs/CRYPTO.md §8 and §10 (what each party can learn) and the verifier (README: `verify`).
import type { BallotRuleChoice } from '../../../main/api/contract';

/** "How your vote stays private": what is hidden, from whom, and what is not, under the rule. */
export function PrivacyExplainer({
  rule,
  questions = false,
}: {
  rule: BallotRuleChoice;
  questions?: boolean;
}) {
  return (
    <details className="explainer privacy-explainer">
      <summary>How your vote stays private</summary>
      <div className="explainer-body">
        <p>
          Your runner locks your vote before it leaves this computer. The lock is the election key, made from
          the keys of the <em>key holders</em> (the runners chosen in the first blocks). Along with it goes a
          proof that the ballot holds{' '}
          {questions
            ? 'an answer each question allows (each option chosen or not, and no more of them than allowed)'
            : 'one vote, Yes or No'}
          , without saying which.
        </p>
        <p>
          Ballots are never opened one by one. They are added up while still locked, and only the total
          {questions ? ' of each option' : ''} is unlocked: each key holder unlocks their part of it and
          proves they did it honestly, and the total appears only once all of them have. Each key holder
          unlocks one total, ever.
        </p>
        <p>
          <strong>What others can see.</strong>{' '}
          {rule === 'per-voter'
            ? 'Everyone can see which voter’s credential (a code, not a name) cast each ballot, and how many times it was changed — not what it says. The organizer and the people admitted know whose credential is whose, so they can tell whether you voted, never how.'
            : 'Everyone can see which runner found each voting block, so how many ballots each runner put in (more computing power, more ballots) — not what they say.'}{' '}
          Your runner talks to the others only through Tor, which hides where your computer is.
        </p>
        <p>
          <strong>The limits.</strong> If every key holder worked together against the rules, they could read
          ballots; one honest key holder is enough to stop that. In a very small election, the total itself
          can give votes away (a unanimous result shows everyone’s). And a program spying on this computer
          could see your choice.
        </p>
      </div>
    </details>
  );
}

/** "What Verified means", and how to check the record yourself. */
export function VerifiedExplainer() {
  return (
    <details className="explainer verified-explainer">
      <summary>What “Verified” means</summary>
      <div className="explainer-body">
        <p>
          <strong>Verified</strong> means this runner checked the whole record of the election again, from the
          start, with a separate checker: every block and its work, every ballot’s proof that it holds one
          vote, which ballots count under the ballot rule, the key holders’ acceptance of the final block, and
          their proofs that the total was unlocked honestly. The result shown is the one those checks give.
        </p>
        <p>
          It does not ask you to trust this runner. Export the record, then check it on any computer with the
          app installed:
        </p>
        <pre className="mono command">onion-election verify record.json</pre>
        <p>
          It answers “verified”, “incomplete” (something is still missing, such as a key holder’s part of the
          result) or “invalid” (with the reason). Add <code className="mono">--tracker</code> and the first
          digits of your ballot’s tracker to check that your own ballot is counted.
        </p>
      </div>
    </details>
  );
}
