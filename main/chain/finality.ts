// Finality (protocol version 2, docs/PROTOCOL.md §6): which final block the talliers decrypt, and
// the rule that makes it final for everyone.
//
// Every complete branch has the same work, so proof of work cannot choose between final blocks,
// and whatever a tallier decrypts must never be followed by a second decryption. The elected
// talliers of a branch therefore agree on one final block by signed acceptances, in rounds:
//
//   round 1      each tallier accepts its best final block (the first final block it saw);
//   round r + 1  once a tallier holds enough round-r acceptances to know that no block can be
//                sealed in round r (without backups: every tallier's, not all naming one block),
//                it accepts the block named most often in round r (ties: the lowest hash) — a
//                choice talliers holding the same set compute alike, so round r + 1 agrees;
//   seal         the seal quorum's acceptances in one round naming the same block: every
//                tallier's without backups; with threshold talliers a majority of the qualified
//                and at least the decryption quorum (sealQuorum), so an absent minority cannot
//                block the result and two seals in one round need a tallier who signed both.
//
// An honest tallier signs one acceptance per round and moves on only after seeing a round that
// did not agree, so no two blocks are ever sealed for one set of talliers. A runner that knows a
// seal keeps that final block for ever: later branches are kept out, whatever their hash or work.
// Talliers decrypt only a sealed block. All of this is per set of talliers, named by their election
// key (the product of their keys): branches that differ at or below height T may elect other
// talliers, and branches that elect the same ones (say a copy of the block at height T with the
// same key payload) must share their rounds, or a copy could split the talliers for ever.

import { toHex } from '../crypto/bigint';
import { check, ValidationError } from '../crypto/errors';
import type { Group } from '../crypto/group';
import { verifyAcceptance } from '../crypto/tallier';
import type { Acceptance } from '../crypto/types';
import type { BlockMeta, Chain } from './chain';
import { electionKeyHeight } from './phases';

export interface Seal {
  /** The sealed final block. */
  readonly final: BlockMeta;
  readonly round: number;
  /**
   * The round's acceptances of the sealed block, in the talliers' order: one per tallier without
   * backups, at least the seal quorum with them.
   */
  readonly acceptances: readonly Acceptance[];
}

/** What a tallier should sign next, if anything. */
export interface Duty {
  readonly final: string;
  readonly round: number;
}

type Round = Map<bigint, Acceptance>;

/**
 * Rounds are bounded: honest talliers agree in round 2 at the latest, so a key election still
 * split after this many rounds has a tallier who equivocates; it stays unsealed (such a tallier
 * could withhold its factor anyway), and a runner stores at most MAX_ROUNDS × n_talliers
 * acceptances for it.
 */
export const MAX_ROUNDS = 8;

/**
 * Acceptances that seal a final block: every tallier's without backups. With threshold talliers,
 * any `quorum` of whom decrypt, a majority of the qualified talliers and at least the quorum: two
 * seals of one round then share a tallier who signed both (an equivocation, which honest talliers
 * never sign), and an absent minority no longer blocks the seal (docs/PROTOCOL.md §6).
 */
export function sealQuorum(talliers: number, quorum: number): number {
  return quorum >= talliers ? talliers : Math.max(quorum, Math.floor(talliers / 2) + 1);
}

interface TalliersState {
  readonly talliers: readonly bigint[];
  /** Acceptances of one block in one round that seal it. */
  readonly sealQuorum: number;
  /** Acceptances by round (1, 2, …), each by tallier. */
  readonly rounds: Round[];
  seal?: Seal;
}

export class FinalityBook {
  /** By election key (hex). */
  private readonly elections = new Map<string, TalliersState>();

  constructor(
    private readonly group: Group,
    private readonly context: Uint8Array,
    private readonly chain: Chain,
  ) {}

  /** The seal of the talliers of the branch through `final`, if they sealed one (undefined below T). */
  sealOf(final: BlockMeta): Seal | undefined {
    if (final.height < electionKeyHeight(this.chain.genesis)) return undefined;
    return this.elections.get(this.electionKeyOf(final))?.seal;
  }

  /**
   * Checks and keeps an acceptance. Throws a ValidationError naming the reason: an unknown or
   * non-final block, a signer who is not a tallier of its branch, a bad signature, a second and
   * different acceptance by the same tallier in the same round (equivocation), or a round that may
   * not start yet. Returns 'known' for an acceptance already held (the same statement).
   */
  add(acceptance: Acceptance, field = 'acceptance', options: { trusted?: boolean } = {}): 'added' | 'known' {
    if (this.check(acceptance, field, options) === 'known') return 'known';
    this.keep(acceptance);
    return 'added';
  }

  /**
   * Every check `add` makes, keeping nothing: 'new' means `keep` may take it (a runner writes it
   * to disk in between, so that nothing is held, served or counted towards a seal before it is
   * durable). Throws as `add` does.
   */
  check(acceptance: Acceptance, field = 'acceptance', options: { trusted?: boolean } = {}): 'new' | 'known' {
    const final = this.chain.get(acceptance.final);
    check(final !== undefined, `${field}.final`, 'is not a block this runner holds (send the block first)');
    check(
      final.height === this.chain.finalHeight,
      `${field}.final`,
      `is at height ${final.height}, not the final height ${this.chain.finalHeight}`,
    );
    const state = this.stateOf(final);
    check(state.talliers.includes(acceptance.pk), `${field}.pk`, 'is not an elected tallier of that branch');
    const r = acceptance.round;
    check(r <= MAX_ROUNDS, `${field}.round`, `must be at most ${MAX_ROUNDS}`);
    const earlier = state.rounds[r - 1]?.get(acceptance.pk);
    if (earlier && sameSignature(earlier, acceptance)) return 'known';
    // Checked before any answer that depends on what is held: an unsigned forgery learns nothing.
    if (!options.trusted) verifyAcceptance(this.group, this.context, acceptance, field);
    if (earlier) {
      if (earlier.final === acceptance.final) return 'known';
      throw new ValidationError(
        field,
        `equivocation: this tallier already accepted ${earlier.final.slice(0, 16)}… in round ${r}`,
      );
    }
    if (state.seal) {
      check(r <= state.seal.round, `${field}.round`, `comes after the seal in round ${state.seal.round}`);
    }
    if (r > 1) {
      // Round r starts only after a complete round r − 1 that did not agree: this bounds what a
      // tallier can make a runner store to one acceptance per round that really happened.
      const previous = state.rounds[r - 2];
      check(
        previous !== undefined && cannotSeal(previous, state),
        `${field}.round`,
        `round ${r} has not started here: round ${r - 1} may still seal a block, or it did`,
      );
    }
    return 'new';
  }

  /** Keeps an acceptance `check` found new (nothing changed in between), sealing once a block has the seal quorum. */
  keep(acceptance: Acceptance): void {
    const state = this.stateOf(this.chain.get(acceptance.final)!);
    const r = acceptance.round;
    let round = state.rounds[r - 1];
    if (!round) {
      round = new Map();
      state.rounds[r - 1] = round;
    }
    round.set(acceptance.pk, acceptance);
    const named = [...round.values()].filter((a) => a.final === acceptance.final);
    if (named.length >= state.sealQuorum && !state.seal) {
      state.seal = {
        final: this.chain.get(acceptance.final)!,
        round: r,
        acceptances: state.talliers.flatMap((pk) => {
          const a = round!.get(pk);
          return a && a.final === acceptance.final ? [a] : [];
        }),
      };
    }
  }

  /**
   * The acceptances held in the key election through `final`, round by round (the order in which
   * a receiver can take them): at most MAX_ROUNDS × n_talliers.
   */
  acceptancesOf(final: BlockMeta): Acceptance[] {
    if (final.height < electionKeyHeight(this.chain.genesis)) return [];
    return (
      this.elections.get(this.electionKeyOf(final))?.rounds.flatMap((round) => [...round.values()]) ?? []
    );
  }

  /** What tallier `pk` signed in `round` of the key election through `final`, if held. */
  signedBy(pk: bigint, final: BlockMeta, round: number): Acceptance | undefined {
    return this.stateOf(final).rounds[round - 1]?.get(pk);
  }

  /**
   * What tallier `pk` should accept next in the key election through `best` (its best final
   * block), given the round it last signed there (0: none). Undefined when there is nothing to
   * sign (not a tallier there, sealed, or waiting for the others' acceptances).
   */
  duty(pk: bigint, best: BlockMeta, lastRound: number): Duty | undefined {
    if (best.height !== this.chain.finalHeight) return undefined;
    const state = this.stateOf(best);
    if (!state.talliers.includes(pk) || state.seal || lastRound >= MAX_ROUNDS) return undefined;
    if (lastRound === 0) return { final: this.firstChoice(state, best), round: 1 };
    const round = state.rounds[lastRound - 1];
    if (!round || !cannotSeal(round, state)) return undefined;
    return { final: choose(round), round: lastRound + 1 };
  }

  /**
   * Round 1: the best final block, unless at least two talliers already accepted another one, more
   * than accepted the best: then that one (the most named; between equals, the lower hash). It
   * matters with backups: a round split among the present talliers stays open while absent ones
   * could still decide it, so a tallier coming late (a restart) joins the block the others agree
   * on rather than split them and wait for the absent. Not one acceptance, nor a tie: a single
   * tallier (dishonest, or first by chance) must not steer the others off their best chain.
   */
  private firstChoice(state: TalliersState, best: BlockMeta): string {
    const first = state.rounds[0];
    if (!first || first.size < 2) return best.hash;
    const named = (hash: string) => [...first.values()].filter((a) => a.final === hash).length;
    const most = choose(first);
    const agreeing = named(most);
    return agreeing >= 2 && agreeing > named(best.hash) ? most : best.hash;
  }

  /** The round `pk` last signed in the key election through `final` (0: none), from what is held. */
  lastRound(pk: bigint, final: BlockMeta): number {
    const rounds = this.stateOf(final).rounds;
    for (let r = rounds.length; r >= 1; r--) if (rounds[r - 1]?.has(pk)) return r;
    return 0;
  }

  /**
   * The election key of the branch through `meta` (at or above height T), in hex: it names the
   * branch's set of talliers, and so the rounds they share.
   */
  electionKeyOf(meta: BlockMeta): string {
    return toHex(this.chain.electionOf(meta).key, this.chain.group.byteWidth * 2);
  }

  private stateOf(final: BlockMeta): TalliersState {
    const key = this.electionKeyOf(final);
    let state = this.elections.get(key);
    if (!state) {
      const { qualified, quorum } = this.chain.electionOf(final);
      state = { talliers: qualified, sealQuorum: sealQuorum(qualified.length, quorum), rounds: [] };
      this.elections.set(key, state);
    }
    return state;
  }
}

function sameSignature(a: Acceptance, b: Acceptance): boolean {
  return (
    a.final === b.final &&
    a.signature.commitment === b.signature.commitment &&
    a.signature.challenge === b.signature.challenge &&
    a.signature.response === b.signature.response
  );
}

/**
 * A round is over, without a seal, once no block can gather the seal's acceptances in it even
 * with every tallier not yet heard from: only then may the next round start. (Without backups:
 * every tallier's acceptance is in and they do not all agree.)
 */
function cannotSeal(round: Round, state: TalliersState): boolean {
  const unheard = state.talliers.length - round.size;
  const counts = new Map<string, number>();
  for (const a of round.values()) counts.set(a.final, (counts.get(a.final) ?? 0) + 1);
  return [...counts.values()].every((count) => count + unheard < state.sealQuorum);
}

/** The block named most often in a round; between equals, the lowest hash. */
export function choose(round: Round): string {
  const counts = new Map<string, number>();
  for (const a of round.values()) counts.set(a.final, (counts.get(a.final) ?? 0) + 1);
  let best: [string, number] | undefined;
  for (const entry of counts) {
    if (!best || entry[1] > best[1] || (entry[1] === best[1] && entry[0] < best[0])) best = entry;
  }
  return best![0];
}
