// The key ceremony of threshold talliers (docs/PROTOCOL.md §5.1): what a branch's ceremony blocks
// hold, which of their messages are valid, and who qualifies. Shared by the runner (chain.ts) and
// the independent verifier, so that both decide alike.
//
// Rules, at heights T+1 … T+K (K = n_ceremony_blocks):
// - a dealing by an elected tallier, at most one per tallier on a branch, at heights ≤ T + ⌈K/2⌉
//   (the second half leaves its recipients time to complain);
// - a complaint by a recipient against a dealing in an earlier block of the branch, at most one per
//   (complainer, dealer), valid only if it proves the share wrong (threshold.ts);
// - at T+K the qualified talliers are those who dealt and were proven wrong by no complaint, if
//   there are at least t of them; the election key is their product and any t decrypt. With fewer,
//   every elected tallier's key, as without a ceremony, and every tallier's factor is needed
//   (keyHolders says why).
import { check } from '../crypto/errors';
import type { Group } from '../crypto/group';
import { verifyComplaint, verifyDealing } from '../crypto/threshold';
import type { Complaint, Dealing } from '../crypto/types';
import type { Genesis } from './genesis';
import { lastDealingHeight } from './phases';

export type CeremonyMessage =
  | { readonly kind: 'dealing'; readonly dealing: Dealing }
  | { readonly kind: 'complaint'; readonly complaint: Complaint };

export interface CeremonyState {
  /** The branch's elected talliers in rank order (a tallier's index is its position + 1). */
  readonly elected: readonly bigint[];
  /** t for this branch: the genesis's quorum, or fewer if fewer talliers were elected. */
  readonly quorum: number;
  /** Each dealer's dealing and the height of its block. */
  readonly dealings: ReadonlyMap<bigint, { readonly dealing: Dealing; readonly height: number }>;
  /** Every complaint, in chain order, with its height. Each one proved its dealer wrong. */
  readonly complaints: readonly { readonly complaint: Complaint; readonly height: number }[];
  /** Dealers proven wrong. */
  readonly convicted: ReadonlySet<bigint>;
  /**
   * Dealt and not proven wrong, in rank order: the qualified talliers once the ceremony is over,
   * if there are enough of them (keyHolders).
   */
  readonly standing: readonly bigint[];
}

/** The quorum of a branch that elected `elected` talliers. */
export function branchQuorum(genesis: Genesis, elected: number): number {
  return Math.min(genesis.quorum ?? elected, elected);
}

/** A ceremony with nothing in it yet: the state the first ceremony block builds on. */
export function emptyCeremony(genesis: Genesis, elected: readonly bigint[]): CeremonyState {
  return {
    elected,
    quorum: branchQuorum(genesis, elected.length),
    dealings: new Map(),
    complaints: [],
    convicted: new Set(),
    standing: [],
  };
}

/**
 * Checks the messages of a ceremony block at `height` on a branch whose ceremony so far is
 * `before`, and returns the state after it. Throws a ValidationError naming the message and the
 * rule. `trusted` (blocks this runner validated and stored) skips the proofs, not the rules.
 */
export function applyCeremony(
  group: Group,
  genesis: Genesis,
  before: CeremonyState,
  height: number,
  messages: readonly CeremonyMessage[],
  trusted = false,
  /** How message i is named in errors. */
  fieldOf: (i: number) => string = (i) => `block.payload.messages[${i}]`,
): CeremonyState {
  const dealings = new Map(before.dealings);
  const complaints = [...before.complaints];
  const convicted = new Set(before.convicted);
  const { elected, quorum } = before;
  const complained = new Set(
    before.complaints.map(({ complaint: c }) => complaintPair(c.complainer, c.dealer)),
  );
  for (const [i, message] of messages.entries()) {
    const at = fieldOf(i);
    if (message.kind === 'dealing') {
      const { dealing } = message;
      check(
        height <= lastDealingHeight(genesis),
        `${at}.dealing`,
        `dealings go into heights up to ${lastDealingHeight(genesis)}, the ceremony's first half`,
      );
      check(
        elected.includes(dealing.dealer),
        `${at}.dealing.dealer`,
        'is not an elected tallier of this branch',
      );
      check(!dealings.has(dealing.dealer), `${at}.dealing.dealer`, 'has dealt already on this branch');
      if (!trusted) verifyDealing(group, genesis.id, dealing, elected, quorum, `${at}.dealing`);
      dealings.set(dealing.dealer, { dealing, height });
    } else {
      const { complaint } = message;
      const dealt = before.dealings.get(complaint.dealer);
      check(
        dealt !== undefined,
        `${at}.complaint.dealer`,
        'has no dealing in an earlier block of this branch',
      );
      check(
        elected.includes(complaint.complainer),
        `${at}.complaint.complainer`,
        'is not an elected tallier of this branch',
      );
      const pair = complaintPair(complaint.complainer, complaint.dealer);
      check(
        !complained.has(pair),
        `${at}.complaint`,
        'this tallier has complained about this dealer already',
      );
      if (!trusted) verifyComplaint(group, genesis.id, dealt.dealing, elected, complaint, `${at}.complaint`);
      complained.add(pair);
      complaints.push({ complaint, height });
      convicted.add(complaint.dealer);
    }
  }
  const standing = elected.filter((pk) => dealings.has(pk) && !convicted.has(pk));
  return { elected, quorum, dealings, complaints, convicted, standing };
}

/** One name for a (complainer, dealer) pair: at most one complaint each, on a branch or in a pool. */
export function complaintPair(complainer: bigint, dealer: bigint): string {
  return `${complainer.toString(16)}:${dealer.toString(16)}`;
}

/**
 * Who makes the election key once the ceremony is over, and how many of them must decrypt. The
 * talliers standing (dealt, not proven wrong) if at least `quorum` of them are: then any `quorum`
 * of them decrypt, and a coalition of fewer than `quorum` never holds every key of the product.
 * Otherwise every elected tallier, each one needed, as without a ceremony: were the key the product
 * of fewer than `quorum` standing talliers (say, the only ones whose dealings reached the chain,
 * because the honest ones' were late or left out by miners), those few alone could read every
 * ballot.
 */
export function keyHolders(state: CeremonyState): { qualified: readonly bigint[]; quorum: number } {
  if (state.standing.length >= state.quorum) {
    const quorum = Math.min(state.quorum, state.standing.length);
    return { qualified: state.standing, quorum };
  }
  return { qualified: state.elected, quorum: state.elected.length };
}
