// Gossip and sync: how a runner's chain meets its peers'. The runner gossips with a bounded set
// of peers (its outbound peers, chosen by itself, and its recent inbound ones): new blocks are
// announced by hash and sent only to those that want them; acceptances of a final block and
// decryption factors are pushed as soon as they are durable. A block with an unknown parent makes
// the runner fetch its ancestors from the sender; a slow background round syncs with a couple of
// outbound peers (fetch the blocks of its best chain that we lack, let fork choice decide),
// exchanges addresses and, once the chain is final, collects acceptances (until a seal) and
// factors. Nothing a peer sends is trusted: it all goes through the node's validation, and a
// misbehaving peer only earns backoff.

import { encodeBlock, encodeCeremonyMessage } from '../chain/block';
import type { CeremonyMessage } from '../chain/ceremony';
import type { AddResult, BlockMeta } from '../chain/chain';
import {
  encodeAcceptance,
  encodeCastBallot,
  encodeCompensatedFactor,
  encodeDecryptionFactor,
} from '../crypto/codec';
import type { Acceptance, CastBallot, CompensatedFactor, DecryptionFactor } from '../crypto/types';
import type { BlockSource, ElectionNode } from '../node/election-node';
import { DiskFullError } from '../store/record-log';
import { CHAIN_PAGE_BYTES } from './api';
import { type PeerClient, PeerError } from './client';
import type { PeerBook } from './peer-book';

export interface NetworkOptions {
  readonly node: ElectionNode;
  readonly client: PeerClient;
  readonly peers: PeerBook;
  /** This runner's own address, sent along so peers can fetch from it and learn it. */
  readonly self?: string;
  /** Time between sync rounds. */
  readonly syncIntervalMs?: number;
  /**
   * An onion peer that answered before has stopped answering (a timeout). Tor may be holding on
   * to a dead circuit or a stale descriptor for it (say the peer restarted); the runner asks its
   * tor for fresh circuits (NEWNYM) instead of waiting minutes for tor to notice.
   */
  readonly onOnionPeerSilent?: (peer: string) => void;
  readonly log?: (message: string) => void;
}

/** Outbound peers: chosen by this runner, the ones it gossips with and syncs from. */
export const MAX_OUTBOUND = 8;
/** Inbound peers also gossiped with: the most recent senders that gave their address. */
export const MAX_INBOUND = 8;
/** An inbound peer silent this long is no longer gossiped with. */
const INBOUND_TTL_MS = 10 * 60_000;
/** A block younger than this (by its timestamp) that becomes the best tip by a sync is relayed. */
const FRESH_SECONDS = 600;
/** Outbound peers synced in one background round. */
const SYNCS_PER_ROUND = 2;
/** Every this many rounds one outbound peer that is not the user's is rotated out. */
const ROTATE_ROUNDS = 60;
/** Blocks per GET /v1/chain request (the API's maximum). */
const CHAIN_PAGE = 100;
/**
 * A chain page below the peer's tip holds at least this many blocks of a yes/no election (25 of
 * its largest blocks fit a page's bytes); fewer when the election's blocks are larger (minPageBlocks).
 */
const MIN_PAGE_BLOCKS = 25;

/** The fewest blocks an honest page below the tip holds: as many of the largest as fit its bytes. */
export function minPageBlocks(blockBytes: number): number {
  return Math.max(1, Math.min(MIN_PAGE_BLOCKS, Math.floor(CHAIN_PAGE_BYTES / blockBytes)));
}
/** How far back a sync looks for the fork point before it walks back page by page. */
const SYNC_OVERLAP = 16;
/** Blocks lost from the log asked of one peer per sync. */
const MAX_MISSING_PER_SYNC = 8;
/** Ancestors fetched one by one for an orphan before leaving the rest to a full sync. */
const MAX_ANCESTOR_FETCH = 32;
/**
 * Blocks fetched one by one for a final block that an acceptance names (a rival branch another
 * tallier saw first): 1,000 blocks of at most 16 KiB are held in memory at most.
 */
const MAX_BRANCH_FETCH = 1000;

export class Network {
  private readonly node: ElectionNode;
  private readonly client: PeerClient;
  readonly peers: PeerBook;
  private readonly self: string | undefined;
  private readonly intervalMs: number;
  private readonly log: (message: string) => void;
  private readonly onOnionPeerSilent: ((peer: string) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private rounds = 0;
  private closed = false;
  /** The peers this runner chose to gossip with (refreshOutbound). */
  private readonly outbound = new Set<string>();
  /** Peers that recently brought us blocks we took, with when (most recent last). */
  private readonly inbound = new Map<string, number>();
  /** When each peer was last picked for a background sync. */
  private readonly lastSynced = new Map<string, number>();
  /** Syncs in flight, by peer: one at a time per peer. */
  private readonly syncing = new Map<string, Promise<void>>();
  private readonly onBlock = (meta: BlockMeta, source: BlockSource, origin: string | undefined) =>
    this.relayBlock(meta, source, origin);
  private readonly onFactor = (factor: DecryptionFactor) =>
    this.relay((peer) =>
      this.client.pushFactor(peer, encodeDecryptionFactor(this.node.genesis.group, factor)),
    );
  /** A cast ballot entered the pool: pushed on to every gossip peer but its sender. */
  private readonly onCast = (cast: CastBallot, origin: string | undefined) => {
    const json = encodeCastBallot(this.node.genesis.group, cast);
    this.relay((peer) => this.client.pushCast(peer, json, this.self), origin);
  };
  /** A dealing or complaint entered the pool: pushed on to every gossip peer but its sender. */
  private readonly onCeremony = (message: CeremonyMessage, origin: string | undefined) => {
    const json = encodeCeremonyMessage(this.node.genesis.group, message);
    this.relay((peer) => this.client.pushCeremony(peer, json, this.self), origin);
  };
  private readonly onCompensated = (cf: CompensatedFactor) =>
    this.relay((peer) =>
      this.client.pushCompensated(peer, encodeCompensatedFactor(this.node.genesis.group, cf)),
    );
  private readonly onAcceptance = (acceptance: Acceptance) =>
    this.relay((peer) =>
      this.client.pushAcceptance(peer, encodeAcceptance(this.node.genesis.group, acceptance)),
    );

  constructor(options: NetworkOptions) {
    this.node = options.node;
    this.client = options.client;
    this.peers = options.peers;
    this.self = options.self;
    this.intervalMs = options.syncIntervalMs ?? 5000;
    this.log = options.log ?? (() => {});
    this.onOnionPeerSilent = options.onOnionPeerSilent;
  }

  start(): void {
    this.node.on('block', this.onBlock);
    this.node.on('factor', this.onFactor);
    this.node.on('acceptance', this.onAcceptance);
    this.node.on('cast', this.onCast);
    this.node.on('ceremony', this.onCeremony);
    this.node.on('compensated', this.onCompensated);
    this.refreshOutbound();
    this.scheduleRound(0);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.node.off('block', this.onBlock);
    this.node.off('factor', this.onFactor);
    this.node.off('acceptance', this.onAcceptance);
    this.node.off('cast', this.onCast);
    this.node.off('ceremony', this.onCeremony);
    this.node.off('compensated', this.onCompensated);
    await this.round;
    await Promise.allSettled(this.syncing.values());
  }

  /** Runs a background round now (start-up, reconnect, a peer added by hand). */
  syncNow(): Promise<void> {
    clearTimeout(this.timer);
    this.scheduleRound(0);
    return this.round ?? Promise.resolve();
  }

  private scheduleRound(delay: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.round = this.runRound().finally(() => {
        this.round = undefined;
        this.scheduleRound(this.intervalMs);
      });
    }, delay);
    this.timer.unref?.();
  }

  /**
   * One round, a slow background check: a couple of this runner's outbound peers (the least
   * recently synced first) are synced; every fourth round they also exchange addresses. New
   * blocks arrive by announcement (relayBlock), and a block with an unknown parent makes the
   * runner fetch its ancestors at once, so polling every peer is not needed to keep up.
   */
  private async runRound(): Promise<void> {
    const exchange = this.rounds++ % 4 === 0;
    const due = this.refreshOutbound();
    const chosen = [...this.outbound]
      .filter((p) => due.has(p))
      .sort((a, b) => (this.lastSynced.get(a) ?? 0) - (this.lastSynced.get(b) ?? 0))
      .slice(0, SYNCS_PER_ROUND);
    // Every fourth round a "feeler": one due peer outside the outbound set, at random, so that a
    // runner whose outbound peers all lie to it still meets the rest of the network.
    const outside = exchange ? [...due].filter((p) => !this.outbound.has(p)) : [];
    if (outside.length > 0) chosen.push(outside[Math.floor(Math.random() * outside.length)]!);
    for (const peer of chosen) this.lastSynced.set(peer, Date.now());
    const all = Promise.allSettled(
      chosen.map(async (peer) => {
        await this.syncWith(peer);
        if (exchange) await this.exchangePeers(peer);
      }),
    );
    // A slow peer must not hold up the others: the next round starts after one interval at the
    // latest (a sync still running then is not started twice; syncWith joins it).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.intervalMs)))]);
    clearTimeout(timer);
  }

  /**
   * The outbound peers (docs/PROTOCOL.md §10, "Gossip and sync"): at most MAX_OUTBOUND, chosen
   * by this runner, never by its peers. The peers the user gave come first (anchors: an attacker
   * filling the book with its own addresses cannot push them out), then peers that answered
   * before, then the rest, at random within each class. A peer in backoff leaves the set, and
   * every ROTATE_ROUNDS rounds one peer that is not the user's is swapped for another, so that
   * the overlay keeps mixing and no set of peers holds a runner for ever. Returns the due peers.
   */
  private refreshOutbound(): Set<string> {
    const due = new Set(this.peers.due(Date.now()));
    const info = new Map(this.peers.snapshot().map((p) => [p.address, p]));
    for (const peer of this.outbound) if (!info.has(peer) || !due.has(peer)) this.outbound.delete(peer);
    if (this.rounds % ROTATE_ROUNDS === 0) {
      const rotatable = [...this.outbound].filter((p) => info.get(p)?.source !== 'cli');
      if (rotatable.length > 0 && due.size > this.outbound.size)
        this.outbound.delete(rotatable[Math.floor(Math.random() * rotatable.length)]!);
    }
    const rank = (p: string) => {
      const peer = info.get(p)!;
      return peer.source === 'cli' ? 0 : peer.reachable ? 1 : 2;
    };
    const candidates = [...due]
      .filter((p) => !this.outbound.has(p))
      .map((p) => ({ p, rank: rank(p), shuffle: Math.random() }))
      .sort((a, b) => a.rank - b.rank || a.shuffle - b.shuffle);
    for (const { p, rank } of candidates) {
      if (this.outbound.size >= MAX_OUTBOUND) {
        // A peer the user gave takes the place of a learned one: a book filled with an attacker's
        // addresses never keeps the user's own peers out for long.
        const learned =
          rank === 0 ? [...this.outbound].find((o) => info.get(o)?.source !== 'cli') : undefined;
        if (learned === undefined) break;
        this.outbound.delete(learned);
      }
      this.outbound.add(p);
    }
    return due;
  }

  /** A peer that gave its address and brought a block this runner took: an inbound peer. */
  noteInbound(address: string): void {
    if (address === this.self) return;
    this.inbound.delete(address);
    this.inbound.set(address, Date.now());
    if (this.inbound.size > MAX_INBOUND) this.inbound.delete(this.inbound.keys().next().value!);
  }

  /**
   * Whom this runner gossips with: its outbound peers and its most recent inbound ones (each
   * bounded), not every peer it knows: what a runner sends per block is bounded by its degree,
   * not by the size of the network.
   */
  gossipPeers(): string[] {
    const now = Date.now();
    const peers = new Set(this.outbound);
    for (const [address, at] of this.inbound) {
      if (now - at > INBOUND_TTL_MS) this.inbound.delete(address);
      else peers.add(address);
    }
    return [...peers];
  }

  /**
   * Brings our chain up to a peer's: if its best block is unknown here, fetch its best chain from
   * a little below our height (walking back a page at a time until the blocks connect), and hand
   * every block to the node. Then, on a final chain, fetch the factors we lack.
   */
  syncWith(peer: string): Promise<void> {
    const running = this.syncing.get(peer);
    if (running) return running;
    const sync = this.doSync(peer).finally(() => this.syncing.delete(peer));
    this.syncing.set(peer, sync);
    return sync;
  }

  private async doSync(peer: string): Promise<void> {
    try {
      const status = await this.client.status(peer);
      if (status.election_id !== this.node.genesis.idHex) {
        this.peers.markFailure(peer);
        this.log(`peer ${peer} runs another election (${status.election_id.slice(0, 12)}…): ignored`);
        return;
      }
      this.peers.markSuccess(peer);
      this.peers.setName(peer, status.name);
      if (!this.node.chain.has(status.best)) await this.fetchChain(peer, status.height, status.best);
      await this.fetchMissingFromLog(peer);
      if (this.node.chain.state().final) {
        // Acceptances first: a factor is taken only for a block sealed here.
        if (!this.node.seal()) await this.fetchAcceptances(peer);
        await this.fetchFactors(peer);
      }
    } catch (error) {
      // Our own disk is full: not the peer's fault; the node said so, and syncs again once resumed.
      if (error instanceof DiskFullError) return;
      const before = this.peers.snapshot().find((p) => p.address === peer);
      this.peers.markFailure(peer);
      this.log(`sync with ${peer}: ${(error as Error).message}`);
      const silent = error instanceof PeerError && error.reason.startsWith('no answer within');
      if (silent && before?.kind === 'onion' && before.reachable === true) this.onOnionPeerSilent?.(peer);
    }
  }

  /**
   * Fetches the peer's best chain from a little below our height. The peer must make progress:
   * each page holds the heights asked for, one by one, and the whole sync is bounded by the
   * heights an election has. A page that breaks this, a refused block, or a sync that brings
   * nothing while the peer's claimed best block stays unknown marks the peer failing (it backs
   * off), so a lying peer costs one bounded sync, not a core.
   */
  private async fetchChain(peer: string, peerHeight: number, peerBest: string): Promise<void> {
    const finalHeight = this.node.chain.finalHeight;
    const top = Math.min(peerHeight, finalHeight);
    let from = Math.max(1, Math.min(this.node.chain.tip.height, top) + 1 - SYNC_OVERLAP);
    // Walking back to the fork and forward again visits each height at most twice; a page holds at
    // least `fewest` blocks unless it reaches the peer's tip.
    const fewest = minPageBlocks(this.node.genesis.sizes.blockBytes);
    const maxPages = 2 * Math.ceil(finalHeight / fewest) + 2;
    let added = 0;
    let declined = false;
    const failed = (why: string) => {
      this.peers.markFailure(peer);
      this.log(`peer ${peer}: ${why}`);
    };
    for (let pages = 0; pages < maxPages && !this.closed; pages++) {
      const page = await this.client.chain(peer, from, CHAIN_PAGE);
      const heights = page.blocks.map((b) => (b as { height?: unknown } | null)?.height);
      if (!heights.every((h, i) => h === from + i)) {
        return failed(`sent a chain page whose heights do not run from ${from} one by one`);
      }
      const first = page.blocks[0] as { prev?: unknown } | undefined;
      if (!first) break;
      // The page does not connect to anything we have: the fork is further back.
      if (from > 1 && typeof first.prev === 'string' && !this.node.chain.has(first.prev)) {
        from = Math.max(1, from - CHAIN_PAGE);
        continue;
      }
      for (const block of page.blocks) {
        const result = await this.node.submitBlock(block, 'sync');
        // Our chain is sealed and the peer's branch is not it: the peer will learn the seal from us.
        if (result.status === 'late') return;
        // Side branches are at their bound here: not the peer's fault. The next blocks of the page
        // may bring this one in (their branch has more work), so go on.
        if (result.status === 'declined') {
          declined = true;
          continue;
        }
        if (result.status === 'invalid' || result.status === 'rejected') {
          return failed(`sent a block refused as ${result.status}: ${result.reason}`);
        }
        // An orphan on a block declined just before (parked) is no fault of the page.
        if (result.status === 'orphan' && !declined) return failed('sent a chain page that does not connect');
        if (result.status === 'added') added++;
      }
      // The peer's tip reached, or the page cut by size (CHAIN_PAGE_BYTES): ask on from there.
      if (from + page.blocks.length > Math.min(page.height, finalHeight)) break;
      if (page.blocks.length < fewest) return failed('sent a chain page cut short below its tip');
      from += page.blocks.length;
    }
    if (added === 0 && !declined && !this.node.chain.has(peerBest)) {
      failed(`claims a best block ${peerBest.slice(0, 12)}… that its chain never brought`);
    }
  }

  /** The parent of an orphan that `from` (or else any peer) sent us: fetch ancestors until it connects. */
  async fetchAncestors(missing: string, from: string | undefined): Promise<void> {
    const source = from ?? this.peers.list()[0];
    if (!source) return;
    let wanted: string | undefined = missing;
    for (let i = 0; wanted && i < MAX_ANCESTOR_FETCH && !this.closed; i++) {
      if (this.node.chain.has(wanted)) return;
      let block: unknown;
      try {
        block = await this.client.block(source, wanted);
      } catch (error) {
        this.peers.markFailure(source);
        this.log(`fetching block ${wanted.slice(0, 12)}… from ${source}: ${(error as Error).message}`);
        return;
      }
      if (block === undefined) break;
      let result: AddResult;
      try {
        result = await this.node.submitBlock(block, 'sync');
      } catch (error) {
        // Called without a waiting caller (a pushed orphan): nothing may escape. A malformed
        // block is the source's fault; a full disk is ours, and said by the node.
        if (error instanceof DiskFullError) return;
        this.peers.markFailure(source);
        this.log(`block ${wanted.slice(0, 12)}… from ${source} refused: ${(error as Error).message}`);
        return;
      }
      wanted = result.status === 'orphan' ? result.missing : undefined;
      if (result.status === 'invalid') return;
    }
    // Deeper than a few blocks: a full sync with that peer finds the fork point faster.
    if (wanted) await this.syncWith(source);
  }

  /**
   * The peer's acceptances, round by round. One that names a final block we lack (the peer's
   * tallier saw another branch first) needs that block: fetch it, with its ancestors, first.
   */
  private async fetchAcceptances(peer: string): Promise<void> {
    for (const acceptance of await this.client.acceptances(peer)) {
      const final = (acceptance as { final?: unknown } | null)?.final;
      if (typeof final === 'string' && /^[0-9a-f]{64}$/.test(final) && !this.node.chain.has(final)) {
        await this.fetchBranch(final, peer);
      }
      try {
        await this.node.submitAcceptance(acceptance);
      } catch (error) {
        this.log(`peer ${peer} sent a refused acceptance: ${(error as Error).message}`);
      }
    }
  }

  /**
   * The branch ending in `tip`, which may be off the peer's best chain (so a chain sync would not
   * bring it): walked back one block at a time until it meets a block held, at most
   * MAX_BRANCH_FETCH blocks, then submitted oldest first. Stops at the first block the peer does
   * not have or that is refused: a made-up hash costs one request. Never starts another sync (it
   * runs inside one).
   */
  private async fetchBranch(tip: string, peer: string): Promise<void> {
    const blocks: unknown[] = [];
    for (let wanted = tip; !this.node.chain.has(wanted) && !this.closed; ) {
      if (blocks.length >= MAX_BRANCH_FETCH) {
        this.log(
          `the branch of ${tip.slice(0, 12)}… from ${peer} is deeper than ${MAX_BRANCH_FETCH} blocks: not fetched`,
        );
        return;
      }
      const block = await this.client.block(peer, wanted);
      const prev = (block as { prev?: unknown } | undefined)?.prev;
      if (block === undefined || typeof prev !== 'string') return;
      blocks.push(block);
      wanted = prev;
    }
    for (const block of blocks.reverse()) {
      const result = await this.node.submitBlock(block, 'sync');
      if (result.status !== 'added' && result.status !== 'known') {
        this.log(
          `peer ${peer} sent a block refused as ${result.status}${'reason' in result ? `: ${result.reason}` : ''}`,
        );
        return;
      }
    }
  }

  /**
   * Blocks lost to damage in the log that stored blocks still wait for: each asked of this peer
   * with its branch (a few per sync; one the peer lacks costs one request).
   */
  private async fetchMissingFromLog(peer: string): Promise<void> {
    const missing = this.node.missingFromLog.filter((hash) => !this.node.chain.has(hash));
    for (const hash of missing.slice(0, MAX_MISSING_PER_SYNC)) await this.fetchBranch(hash, peer);
  }

  private async fetchFactors(peer: string): Promise<void> {
    if (this.node.resultState()?.awaiting.length === 0) return;
    for (const factor of await this.client.factors(peer)) {
      try {
        await this.node.submitFactor(factor);
      } catch (error) {
        this.log(`peer ${peer} sent a refused factor: ${(error as Error).message}`);
      }
    }
    if (!this.node.ceremony || this.node.resultState()?.awaiting.length === 0) return;
    for (const cf of await this.client.compensatedFactors(peer)) {
      try {
        await this.node.submitCompensated(cf);
      } catch (error) {
        this.log(`peer ${peer} sent a refused stand-in factor: ${(error as Error).message}`);
      }
    }
  }

  private async exchangePeers(peer: string): Promise<void> {
    try {
      if (this.self) await this.client.announce(peer, this.self);
      for (const address of await this.client.peers(peer)) {
        try {
          this.peers.add(address, 'peer');
        } catch (error) {
          // One refused address (e.g. loopback from a peer) must not end the exchange.
          this.log(`peer ${peer} listed a refused address: ${(error as Error).message}`);
        }
      }
    } catch (error) {
      this.log(`peer exchange with ${peer}: ${(error as Error).message}`);
    }
  }

  /**
   * Announces a block mined here or pushed to us to each gossip peer but the one it came from,
   * by hash (POST /v1/inventory), and sends the body only to those that want it: each body
   * crosses each link at most once. Peers that lack its parent fetch it from us. Blocks pulled by
   * a sync are not relayed: whoever has them serves them.
   */
  private relayBlock(meta: BlockMeta, source: BlockSource, origin: string | undefined): void {
    // A block a sync brought is relayed only if it is a fresh best tip (one that arrived out of
    // order, its parent fetched after it): a catch-up of old blocks is not news to anyone.
    const fresh = meta === this.node.chain.tip && Date.now() / 1000 - meta.timestamp < FRESH_SECONDS;
    if (source === 'sync' && !fresh) return;
    const json = encodeBlock(this.node.genesis.group, meta.block!);
    this.relay(async (peer) => {
      const wanted = await this.client.inventory(peer, [meta.hash], this.self);
      if (wanted.includes(meta.hash)) await this.client.pushBlock(peer, json, this.self);
    }, origin);
  }

  /**
   * Pushes to every gossip peer, best effort. Any answer shows the peer alive (a refusal too: it may lack
   * a block or an earlier round for now, and the sync rounds make up for it). A failed push
   * changes nothing: only syncs decide a peer's backoff. Counting every failed push there would
   * leave a peer that restarted (a crash, a sleep) untried for minutes after a burst of gossip.
   */
  private relay(push: (peer: string) => Promise<unknown>, except?: string): void {
    for (const peer of this.gossipPeers()) {
      if (peer === except) continue;
      push(peer)
        .then(() => this.peers.markSuccess(peer))
        .catch((error: unknown) => {
          if (error instanceof PeerError && error.status !== undefined && error.status < 500) {
            this.peers.markSuccess(peer);
          }
        });
    }
  }
}
