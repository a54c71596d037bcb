// The ballot rules (issue 13) in words, the same everywhere the UI names them.
import type { BallotRuleChoice } from '../../main/api/contract';

export const BALLOT_RULES: readonly BallotRuleChoice[] = ['per-voter', 'per-block'];

/** A short name, for badges and headings. */
export const RULE_TITLE: Record<BallotRuleChoice, string> = {
  'per-voter': 'One vote per person',
  'per-block': 'One vote per block found',
};

/**
 * The rule in one plain sentence. `organizer`: said to the person who admits the voters ("everyone
 * you admit"); otherwise said to a participant.
 */
export function ruleSentence(rule: BallotRuleChoice, organizer = false): string {
  if (rule === 'per-voter')
    return `One vote per person: everyone ${organizer ? 'you admit' : 'the organizer admits'} votes once; their last choice counts.`;
  return 'One vote per block found: each block mined while voting carries its finder’s ballot, so more computing power casts more ballots.';
}

/** What the vote a person chooses becomes, under each rule (beside the vote's choice). */
export function voteHint(rule: BallotRuleChoice): string {
  return rule === 'per-voter'
    ? 'Your ballot, cast when voting opens. You can change your mind until voting ends: your last choice counts.'
    : 'Locked (encrypted) into each voting block your runner finds. You can change it until voting ends.';
}
