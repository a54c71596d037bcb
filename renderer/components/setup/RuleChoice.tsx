import { useId } from 'react';
import type { BallotRuleChoice } from '../../../main/api/contract';
import { BALLOT_RULES, RULE_TITLE, ruleSentence } from '../../lib/rules';

/** Who casts ballots: one radio per rule, each with its sentence (the name is the rule's title). */
export function RuleChoice({
  value,
  onChange,
}: {
  value: BallotRuleChoice;
  onChange(rule: BallotRuleChoice): void;
}) {
  const id = useId();
  return (
    <fieldset className="rule-choice">
      <legend>Who votes</legend>
      <div className="rule-options">
        {BALLOT_RULES.map((rule) => (
          <label key={rule} className="rule-option">
            <input
              type="radio"
              name={id}
              value={rule}
              required
              checked={value === rule}
              aria-labelledby={`${id}-${rule}-title`}
              aria-describedby={`${id}-${rule}-text`}
              onChange={() => onChange(rule)}
            />
            {/* One sentence, its first words (the rule's name) in bold. */}
            <span className="rule-option-text" id={`${id}-${rule}-text`}>
              <strong className="rule-option-title" id={`${id}-${rule}-title`}>
                {RULE_TITLE[rule]}
              </strong>
              {ruleSentence(rule, true).slice(RULE_TITLE[rule].length)}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
