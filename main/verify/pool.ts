// Where ballot proofs are checked: on worker threads, or in this thread when there are none. Lists
// wait in one queue; each worker, once it has started, holds at most BACKLOG of them and is sent
// the next as it answers. This thread never checks lists beside workers: while it computes, it
// cannot answer them, and they would wait. The same function (checkBallots) answers either way;
// only the scheduling differs, so the outcome does not depend on the number of workers.
import type { Worker } from 'node:worker_threads';
import type { Group } from '../crypto/group';
import { siblingModuleUrl, startWorker } from '../workers';
import { type BallotCheckInit, type BallotFailure, type CheckItem, checkBallots } from './ballots';

export interface BallotJob {
  readonly id: number;
  readonly ballots: readonly CheckItem[];
}

export interface BallotReply {
  readonly id: number;
  readonly failure: BallotFailure | null;
}

export interface BallotChecker {
  /** Queues a list: its first failing ballot, or null. Rejects only if a worker breaks down. */
  check(ballots: readonly CheckItem[]): Promise<BallotFailure | null>;
  /**
   * Every list is queued. Without workers, this thread checks them now; with workers, resolves
   * once they have all started (rejects if one could not).
   */
  finish(): Promise<void>;
  close(): Promise<void>;
  /** How many lists each worker has been given so far (none: this thread alone). */
  listsPerWorker(): readonly number[];
}

/** Where the worker entry sits: next to this module (see siblingModuleUrl). */
export function ballotWorkerUrl(): URL {
  return siblingModuleUrl(import.meta.url, 'ballot-worker');
}

/** `workers` threads beside this one (0: this thread alone); `group` is init.group's, for this thread. */
export function ballotChecker(
  group: Group,
  init: BallotCheckInit,
  workers: number,
  url?: URL,
): BallotChecker {
  return new BallotPool(group, init, workers, workers > 0 ? (url ?? ballotWorkerUrl()) : undefined);
}

/**
 * Lists a started worker holds at once: one being checked, one waiting, so that it never waits
 * for this thread (busy with a list of its own) to send the next.
 */
const BACKLOG = 2;

/**
 * The worker the next list goes to, given how many lists each holds (undefined: still starting),
 * or undefined to keep it queued: the least loaded started worker, up to BACKLOG lists each. A
 * worker is given a second list only when none is idle or still starting: otherwise the first
 * worker up would take two of a few large lists while another waited with none.
 */
export function nextWorker(held: readonly (number | undefined)[]): number | undefined {
  let least: number | undefined;
  for (const [at, lists] of held.entries()) {
    if (lists !== undefined && (least === undefined || lists < held[least]!)) least = at;
  }
  if (least === undefined || held[least]! >= BACKLOG) return undefined;
  if (held[least]! > 0 && held.includes(undefined)) return undefined;
  return least;
}

interface Job {
  readonly id: number;
  readonly ballots: readonly CheckItem[];
  readonly resolve: (failure: BallotFailure | null) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  /** Settles when the worker says it is ready, or fails to start. */
  readonly started: Promise<void>;
  ready: boolean;
  readonly held: Map<number, Job>;
  given: number;
}

class BallotPool implements BallotChecker {
  private readonly queue: Job[] = [];
  private readonly slots: Slot[];
  private nextId = 0;
  private failure: Error | null = null;
  private closing = false;

  constructor(
    private readonly group: Group,
    private readonly init: BallotCheckInit,
    count: number,
    url: URL | undefined,
  ) {
    this.slots = url ? Array.from({ length: count }, (_, index) => this.start(url, index)) : [];
  }

  check(ballots: readonly CheckItem[]): Promise<BallotFailure | null> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, ballots, resolve, reject });
      this.dispatch();
    });
  }

  async finish(): Promise<void> {
    if (this.slots.length === 0) {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        try {
          job.resolve(checkBallots(this.group, this.init, job.ballots));
        } catch (error) {
          job.reject(error as Error);
        }
      }
    }
    await Promise.all(this.slots.map((slot) => slot.started));
    if (this.failure) throw this.failure;
  }

  listsPerWorker(): readonly number[] {
    return this.slots.map((slot) => slot.given);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private start(url: URL, index: number): Slot {
    const worker = startWorker(url, this.init);
    let started: () => void = () => {};
    const slot: Slot = {
      worker,
      started: new Promise((resolve) => {
        started = resolve;
      }),
      ready: false,
      held: new Map(),
      given: 0,
    };
    worker.on('message', (reply: BallotReply | 'ready') => {
      if (reply === 'ready') {
        slot.ready = true;
        started();
      } else {
        slot.held.get(reply.id)?.resolve(reply.failure);
        slot.held.delete(reply.id);
      }
      this.dispatch();
    });
    const fail = (error: Error) => {
      this.fail(error);
      started();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closing) fail(new Error(`ballot worker ${index} exited with code ${code}`));
    });
    return slot;
  }

  /** Gives queued lists to the started workers, as nextWorker says. */
  private dispatch(): void {
    if (this.failure) return;
    while (this.queue.length > 0) {
      const at = nextWorker(this.slots.map((slot) => (slot.ready ? slot.held.size : undefined)));
      if (at === undefined) return;
      const slot = this.slots[at]!;
      const job = this.queue.shift()!;
      slot.held.set(job.id, job);
      slot.given++;
      const message: BallotJob = { id: job.id, ballots: job.ballots };
      slot.worker.postMessage(message);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const slot of this.slots) {
      for (const job of slot.held.values()) job.reject(error);
      slot.held.clear();
    }
    for (const job of this.queue.splice(0)) job.reject(error);
  }
}
