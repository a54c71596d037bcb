// Where ballot proofs are checked: on worker threads, or in this thread when there are none. Lists
// wait in one queue; each worker, once it has started, holds at most BACKLOG of them and is sent
// the next as it answers. This thread never checks lists beside workers: while it computes, it
// cannot answer them, and they would wait. The same function (checkBallots) answers either way;
// only the scheduling differs, so the outcome does not depend on the number of workers.
import type { Worker } from 'node:worker_threads';
import type { Group } from '../crypto/group';
import { siblingModuleUrl, startWorker } from '../workers';
import { type BallotCheckInit, type BallotFailure, checkBallots } from './ballots';

export interface BallotJob {
  readonly id: number;
  readonly ballots: readonly unknown[];
}

export interface BallotReply {
  readonly id: number;
  readonly failure: BallotFailure | null;
}

export interface BallotChecker {
  /** Queues a list: its first failing ballot, or null. Rejects only if a worker breaks down. */
  check(ballots: readonly unknown[]): Promise<BallotFailure | null>;
  /**
   * Every list is queued. Without workers, this thread checks them now; with workers, resolves
   * once they have all started (rejects if one could not).
   */
  finish(): Promise<void>;
  close(): Promise<void>;
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

interface Job {
  readonly id: number;
  readonly ballots: readonly unknown[];
  readonly resolve: (failure: BallotFailure | null) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  /** Settles when the worker says it is ready, or fails to start. */
  readonly started: Promise<void>;
  ready: boolean;
  readonly held: Map<number, Job>;
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

  check(ballots: readonly unknown[]): Promise<BallotFailure | null> {
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

  /** Gives queued lists to the started workers, up to BACKLOG each. */
  private dispatch(): void {
    if (this.failure) return;
    for (const slot of this.slots) {
      while (slot.ready && slot.held.size < BACKLOG && this.queue.length > 0) {
        const job = this.queue.shift()!;
        slot.held.set(job.id, job);
        const message: BallotJob = { id: job.id, ballots: job.ballots };
        slot.worker.postMessage(message);
      }
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
