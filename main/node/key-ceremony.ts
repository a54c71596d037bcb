// The key ceremony as a runner takes part in it (threshold talliers, docs/PROTOCOL.md §5.1): a
// pool of pending dealings and complaints that any miner puts into the ceremony blocks, and this
// runner's own duties as an elected tallier: deal once, check the shares dealt to it, complain
// about a wrong one. Messages travel like cast ballots (pushed to peers, re-sent until on the
// best chain), and every one is checked against the best branch before it is pooled or relayed.
import { createHash } from 'node:crypto';
import { encodeCeremonyMessage, parseCeremonyMessage } from '../chain/block';
import {
  applyCeremony,
  type CeremonyMessage,
  type CeremonyState,
  complaintPair,
  emptyCeremony,
} from '../chain/ceremony';
import type { BlockMeta, Chain } from '../chain/chain';
import { MAX_CEREMONY_MESSAGES_PER_BLOCK } from '../chain/limits';
import { electionKeyHeight, keyElectionHeight, lastDealingHeight } from '../chain/phases';
import { ValidationError } from '../crypto/errors';
import { fixedRandomness, systemRandomness } from '../crypto/random';
import type { TallierSecretKey } from '../crypto/tallier';
import { recipientsOf, signDealing } from '../crypto/threshold';
import type { Dealing } from '../crypto/types';
import { rankingId, type TallierJournal } from './tallier-journal';

/**
 * A pending message: its id (SHA-256 of its JSON), the ranking of elected talliers it was checked
 * against (rankingId: a reorg to another ranking voids it, since its proofs bind the ranking), and
 * when it entered the pool (ms).
 */
interface Pending {
  readonly id: string;
  readonly message: CeremonyMessage;
  readonly ranking: string;
  readonly since: number;
}

/**
 * Bound on pending messages. The pool holds one message per slot (a dealer's dealing, a
 * complainer's complaint about one dealer: the first verified one stays), so an elected tallier
 * sending dealing after dealing fills only its own slot: n dealings and n·(n − 1) complaints, at
 * most 256 for 16 talliers.
 */
const MAX_PENDING = 16 * 16;

/** How often this runner re-sends its own messages that no block on the best chain carries yet (ms). */
export const CEREMONY_RESEND_MS = 3000;

export interface CeremonyHooks {
  /** A verified message entered the pool (`origin`: its sender, if a peer): relay it. */
  readonly relay: (message: CeremonyMessage, origin: string | undefined) => void;
  /** The pool changed: the miner's next block may carry more. */
  readonly changed: () => void;
  readonly warn: (message: string) => void;
  /** Testing only: deal a wrong share to the next tallier in rank (NodeSettings.corruptShare). */
  readonly corruptShare?: () => boolean;
}

export class KeyCeremony {
  /** By slot (slotOf). */
  private readonly pending = new Map<string, Pending>();
  /** When this runner last sent each of its own messages (by id). */
  private readonly sent = new Map<string, number>();
  /** Whether this key's share from each dealing (by dealer and proof challenge) is right. */
  private readonly opened = new Map<string, boolean>();

  constructor(
    private readonly chain: Chain,
    private readonly tallier: TallierSecretKey,
    private readonly journal: TallierJournal,
    private readonly hooks: CeremonyHooks,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** The pending messages, oldest first (for GET /v1/ceremony). */
  all(): CeremonyMessage[] {
    return [...this.pending.values()].sort((a, b) => a.since - b.since).map((p) => p.message);
  }

  /** The ceremony on the branch through `tip` so far; undefined outside the ceremony phase. */
  private stateAt(tip: BlockMeta): CeremonyState | undefined {
    const { genesis } = this.chain;
    if (tip.height < keyElectionHeight(genesis) || tip.height >= electionKeyHeight(genesis)) return undefined;
    return (
      this.chain.ceremonyOf(tip) ??
      emptyCeremony(
        genesis,
        this.chain.candidatesOf(tip).talliers.map((k) => k.pk),
      )
    );
  }

  /**
   * A message from a peer (JSON): checked as the next block on the best chain would check it,
   * pooled and relayed; 'known' if held or already on the branch. Throws a ValidationError with
   * the reason otherwise (outside the ceremony, a non-tallier, a bad proof, a complaint that
   * proves nothing…).
   */
  submit(value: unknown, origin?: string): 'added' | 'known' {
    const { group } = this.chain.genesis;
    const message = parseCeremonyMessage(group, value, 'ceremony_message', 'untrusted');
    return this.accept(message, origin);
  }

  private accept(message: CeremonyMessage, origin: string | undefined): 'added' | 'known' {
    const id = messageId(this.chain, message);
    const slot = slotOf(message);
    const held = this.pending.get(slot);
    if (held?.id === id) return 'known';
    const tip = this.chain.tip;
    const state = this.stateAt(tip);
    if (!state)
      throw new ValidationError(
        'ceremony_message',
        `the key ceremony is not under way on this runner's best chain (height ${tip.height})`,
      );
    const ranking = rankingId(this.chain.group, state.elected);
    // One message per slot: the first verified one for this ranking stays.
    if (onBranch(state, message) || held?.ranking === ranking) return 'known';
    applyCeremony(
      this.chain.group,
      this.chain.genesis,
      state,
      tip.height + 1,
      [message],
      false,
      () => 'ceremony_message',
    );
    if (!held && this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(slot, { id, message, ranking, since: Date.now() });
    this.hooks.relay(message, origin);
    this.hooks.changed();
    return 'added';
  }

  /**
   * Up to three pending messages the next block on `tip` may carry, oldest first, each checked
   * by the chain's own rules in order (proofs were verified when pooled, for this ranking).
   */
  select(tip: BlockMeta): CeremonyMessage[] {
    let state = this.stateAt(tip);
    if (!state) return [];
    const ranking = rankingId(this.chain.group, state.elected);
    const chosen: CeremonyMessage[] = [];
    for (const p of [...this.pending.values()].sort((a, b) => a.since - b.since)) {
      if (chosen.length >= MAX_CEREMONY_MESSAGES_PER_BLOCK) break;
      if (p.ranking !== ranking || onBranch(state, p.message)) continue;
      try {
        state = applyCeremony(this.chain.group, this.chain.genesis, state, tip.height + 1, [p.message], true);
        chosen.push(p.message);
      } catch {
        // Not for this block (past the dealing window, a dealing not yet on the branch): skipped.
      }
    }
    return chosen;
  }

  /**
   * Drops what the best chain carries, what was checked against another ranking (a reorg across
   * the key election), and everything once the ceremony is over.
   */
  onTip(): void {
    const state = this.stateAt(this.chain.tip);
    const ranking = state && rankingId(this.chain.group, state.elected);
    for (const [slot, p] of this.pending)
      if (!state || p.ranking !== ranking || onBranch(state, p.message)) this.pending.delete(slot);
  }

  /**
   * This runner's duties on the best chain, as an elected tallier: its dealing until one of its is
   * on the branch (the first half of the ceremony), and a complaint about each wrong share dealt to
   * it (the whole ceremony). Each is pooled, relayed, and sent again every CEREMONY_RESEND_MS
   * while no block on the best chain carries it.
   */
  async duty(): Promise<void> {
    const tip = this.chain.tip;
    const state = this.stateAt(tip);
    if (!state) return;
    const { genesis, group } = this.chain;
    const pk = this.tallier.publicKey;
    if (!state.elected.includes(pk)) return;
    const next = tip.height + 1;
    const own: CeremonyMessage[] = [];
    if (!state.dealings.has(pk) && next <= lastDealingHeight(genesis)) {
      const ranking = rankingId(group, state.elected);
      // Durable first: after a restart the same dealing goes out again, never a second polynomial.
      const dealing =
        this.journal.dealingFor(ranking) ??
        (await this.journal.recordDealing(
          ranking,
          this.hooks.corruptShare?.()
            ? wrongDealing(this.tallier, genesis.id, state.elected, state.quorum)
            : this.tallier.deal(genesis.id, state.elected, state.quorum),
        ));
      own.push({ kind: 'dealing', dealing });
    }
    for (const [dealer, { dealing }] of state.dealings) {
      if (dealer === pk) continue;
      const complained = state.complaints.some(
        (c) => c.complaint.complainer === pk && c.complaint.dealer === dealer,
      );
      if (complained || this.shareIsRight(dealing, state.elected)) continue;
      const pendingComplaint = this.pending.get(complaintSlot(pk, dealer));
      own.push(
        pendingComplaint?.message ?? {
          kind: 'complaint',
          complaint: this.tallier.complain(genesis.id, dealing),
        },
      );
    }
    for (const message of own) this.sendOwn(message);
  }

  /**
   * Whether this key's share from `dealing` is right: opened once per dealing, not on every tip
   * (also what the node asks before it owes a stand-in for the dealer).
   */
  shareIsRight(dealing: Dealing, elected: readonly bigint[]): boolean {
    const key = `${dealing.dealer.toString(16)}:${dealing.proof.challenge.toString(16)}`;
    let ok = this.opened.get(key);
    if (ok === undefined) {
      ok = this.tallier.openShare(this.chain.genesis.id, dealing, elected).ok;
      this.opened.set(key, ok);
    }
    return ok;
  }

  private sendOwn(message: CeremonyMessage): void {
    const id = messageId(this.chain, message);
    const now = Date.now();
    if (this.pending.get(slotOf(message))?.id === id) {
      if (now - (this.sent.get(id) ?? 0) < CEREMONY_RESEND_MS) return;
      this.sent.set(id, now);
      this.hooks.relay(message, undefined);
      return;
    }
    try {
      this.accept(message, undefined);
      this.sent.set(id, now);
    } catch (error) {
      this.hooks.warn(
        `key ceremony: this runner's ${message.kind} was refused here: ${(error as Error).message}`,
      );
    }
  }
}

/**
 * Testing only (NodeSettings.corruptShare): a dealing whose share for the next tallier in rank is
 * wrong, signed as a cheating dealer would (a valid proof over the corrupted ciphertext).
 */
function wrongDealing(
  tallier: TallierSecretKey,
  context: Uint8Array,
  talliers: readonly bigint[],
  quorum: number,
): Dealing {
  const { group } = tallier;
  const values = Array.from({ length: quorum + 2 }, () => systemRandomness.scalar(group.q));
  const r = values[quorum - 1]!; // deal draws a_1 … a_{t−1}, then r, then the proof's nonces
  const fair = tallier.deal(context, talliers, quorum, fixedRandomness(values));
  const recipients = recipientsOf(talliers, fair.dealer);
  const victim = talliers[(talliers.indexOf(fair.dealer) + 1) % talliers.length]!;
  const shares = fair.shares.map((e, k) => (recipients[k] === victim ? e ^ 1n : e));
  return signDealing(group, context, { ...fair, shares }, talliers, tallier.exportSecret(), r);
}

/** Is `message` already decided on the branch (its dealer dealt, or this complaint was made)? */
function onBranch(state: CeremonyState, message: CeremonyMessage): boolean {
  if (message.kind === 'dealing') return state.dealings.has(message.dealing.dealer);
  const { complainer, dealer } = message.complaint;
  return state.complaints.some((c) => c.complaint.complainer === complainer && c.complaint.dealer === dealer);
}

/** A message's place in the pool: a dealer's dealing, or a complainer's complaint about a dealer. */
function slotOf(message: CeremonyMessage): string {
  return message.kind === 'dealing'
    ? `dealing:${message.dealing.dealer.toString(16)}`
    : complaintSlot(message.complaint.complainer, message.complaint.dealer);
}

function complaintSlot(complainer: bigint, dealer: bigint): string {
  return `complaint:${complaintPair(complainer, dealer)}`;
}

function messageId(chain: Chain, message: CeremonyMessage): string {
  return createHash('sha256')
    .update(JSON.stringify(encodeCeremonyMessage(chain.group, message)))
    .digest('hex');
}
