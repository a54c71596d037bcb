// The peers a runner knows and when to try each again. Bounded, because addresses arrive from other
// peers and anyone can announce thousands of them; a peer that fails waits exponentially longer
// (1 s doubling to 5 min, with jitter so that retries do not synchronise), and one success resets it.
import { ValidationError } from '../crypto/errors';
import { type PeerAddress, parsePeerAddress } from './address';

/** Where an address came from: the command line (the user's choice), a peer list, an announcement. */
export type PeerSource = 'cli' | 'peer' | 'announce';

export interface PeerInfo {
  readonly address: string;
  readonly kind: PeerAddress['kind'];
  readonly source: PeerSource;
  /** null until it has been tried. */
  readonly reachable: boolean | null;
  /** Last success, ms since the epoch; null if never. */
  readonly lastSeen: number | null;
  /** Consecutive failures since the last success. */
  readonly failures: number;
  /** When it may be tried again, ms since the epoch. */
  readonly nextAttemptAt: number;
  /** The display name its status last announced, if any (self-chosen: for people, not for trust). */
  readonly name?: string;
}

export interface PeerBookOptions {
  /** At most this many peers (default 128). */
  readonly capacity?: number;
  /** This runner's own address: never stored. */
  readonly self?: string;
  /**
   * Accept loopback addresses learned from other peers (source 'peer' or 'announce'). By default
   * refused once this runner's own address is an onion one: a remote peer could otherwise make it
   * send requests to services on its own machine. (Allowed while the own address is unknown or
   * loopback: a test network.)
   */
  readonly learnLoopback?: boolean;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Injectable for tests. */
  readonly now?: () => number;
  readonly random?: () => number;
}

export type AddOutcome = 'added' | 'known' | 'full';

const JITTER = 0.2;

interface Entry {
  address: string;
  kind: PeerAddress['kind'];
  source: PeerSource;
  reachable: boolean | null;
  lastSeen: number | null;
  failures: number;
  nextAttemptAt: number;
  name?: string;
}

export class PeerBook {
  readonly capacity: number;
  private readonly peers = new Map<string, Entry>();
  private selfAddress: PeerAddress | undefined;
  private readonly learnLoopback: boolean | undefined;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(options: PeerBookOptions = {}) {
    this.capacity = options.capacity ?? 128;
    this.learnLoopback = options.learnLoopback;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    if (options.self !== undefined) this.setSelf(options.self);
  }

  /** This runner's address, once known (a listening port or an onion service may come later). */
  get self(): string | undefined {
    return this.selfAddress?.address;
  }

  setSelf(address: string | undefined): void {
    this.selfAddress = address === undefined ? undefined : parsePeerAddress(address, 'self');
    if (this.selfAddress) this.peers.delete(this.selfAddress.address);
  }

  isSelf(address: string): boolean {
    return this.selfAddress !== undefined && normalise(address) === this.selfAddress.address;
  }

  get size(): number {
    return this.peers.size;
  }

  has(address: string): boolean {
    const key = normalise(address);
    return key !== undefined && this.peers.has(key);
  }

  /**
   * Adds an address (validated; a ValidationError if it is not a peer address, or a loopback one
   * learned from outside a test network). This runner's own address is 'known' and never stored.
   * When the book is full, a learned peer that is not known to be reachable makes room (the most
   * failures, then the longest unseen); 'cli' peers are never evicted, and only a 'cli' newcomer
   * evicts a reachable peer. 'full' if nobody can make room.
   */
  add(address: string, source: PeerSource): AddOutcome {
    const parsed = parsePeerAddress(address);
    if (parsed.address === this.selfAddress?.address) return 'known';
    if (source !== 'cli') this.checkLearnable(parsed);
    const known = this.peers.get(parsed.address);
    if (known) {
      if (source === 'cli') known.source = 'cli';
      return 'known';
    }
    if (this.peers.size >= this.capacity) {
      const victim = this.evictionCandidate(source === 'cli');
      if (!victim) return 'full';
      this.peers.delete(victim.address);
    }
    this.peers.set(parsed.address, {
      address: parsed.address,
      kind: parsed.kind,
      source,
      reachable: null,
      lastSeen: null,
      failures: 0,
      nextAttemptAt: 0,
    });
    return 'added';
  }

  remove(address: string): boolean {
    const key = normalise(address);
    return key !== undefined && this.peers.delete(key);
  }

  /** The display name the peer's status announced (undefined: none, which forgets an old one). */
  setName(address: string, name: string | undefined): void {
    const entry = this.entry(address);
    if (!entry) return;
    if (name === undefined) delete entry.name;
    else entry.name = name;
  }

  /** A request to the peer succeeded: it is reachable and may be tried again at once. */
  markSuccess(address: string, now = this.now()): void {
    const entry = this.entry(address);
    if (!entry) return;
    entry.reachable = true;
    entry.lastSeen = now;
    entry.failures = 0;
    entry.nextAttemptAt = now;
  }

  /** A request failed: wait base·2^(failures−1), capped, minus up to 20% jitter. */
  markFailure(address: string, now = this.now()): void {
    const entry = this.entry(address);
    if (!entry) return;
    entry.reachable = false;
    entry.failures++;
    const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(entry.failures - 1, 30));
    entry.nextAttemptAt = now + Math.round(delay * (1 - JITTER * this.random()));
  }

  /**
   * Every peer may be tried again now: the network is back (after a sleep, or tor reconnected),
   * so the waits that failures through it earned no longer say anything. Failures are kept.
   */
  retryAll(now = this.now()): void {
    for (const entry of this.peers.values()) entry.nextAttemptAt = Math.min(entry.nextAttemptAt, now);
  }

  /** Peers whose next attempt is due, the longest waiting first. */
  due(now = this.now()): string[] {
    return [...this.peers.values()]
      .filter((e) => e.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
      .map((e) => e.address);
  }

  /**
   * The addresses the user gave (command line, dashboard): the only ones a runner saves for its
   * next start. Learned ones are relearned; saving them would let a flood of announcements become
   * permanent, never-evicted peers.
   */
  given(): string[] {
    return [...this.peers.values()].filter((e) => e.source === 'cli').map((e) => e.address);
  }

  /** Every address, in the order added. */
  list(): string[] {
    return [...this.peers.keys()];
  }

  /** A copy of every entry, for status displays. */
  snapshot(): PeerInfo[] {
    return [...this.peers.values()].map((e) => ({ ...e }));
  }

  private entry(address: string): Entry | undefined {
    const key = normalise(address);
    return key === undefined ? undefined : this.peers.get(key);
  }

  /** Whether loopback addresses may come from other peers (see PeerBookOptions.learnLoopback). */
  get learnsLoopback(): boolean {
    return this.learnLoopback ?? this.selfAddress?.kind !== 'onion';
  }

  /**
   * Throws a ValidationError for an address a remote peer may not make this runner connect to:
   * a loopback one, unless this is a loopback test network.
   */
  checkLearnable(address: PeerAddress, field = 'address'): void {
    if (address.kind === 'loopback' && !this.learnsLoopback)
      throw new ValidationError(
        field,
        'a loopback address is only accepted from the command line or in a loopback test network',
      );
  }

  /** The worst learned peer; a reachable one only for a 'cli' newcomer (the user's choice). */
  private evictionCandidate(forCli: boolean): Entry | undefined {
    let worst: Entry | undefined;
    for (const e of this.peers.values()) {
      if (e.source === 'cli' || (!forCli && e.reachable === true)) continue;
      if (!worst || worse(e, worst)) worst = e;
    }
    return worst;
  }
}

/** More failures is worse; then the longer unseen (never seen is the longest). Ties: the older stays worse. */
function worse(a: Entry, b: Entry): boolean {
  if (a.failures !== b.failures) return a.failures > b.failures;
  return (a.lastSeen ?? -1) < (b.lastSeen ?? -1);
}

function normalise(address: string): string | undefined {
  try {
    return parsePeerAddress(address).address;
  } catch {
    return undefined;
  }
}
