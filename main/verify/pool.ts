// Where ballot proofs are checked: on worker threads, or in this thread for `workers: 0`. Either way
// the same function (checkBallots) answers, one list at a time; only the scheduling differs.
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
  /** The first failing ballot of the list, or null. Rejects only if a worker breaks down. */
  check(ballots: readonly unknown[]): Promise<BallotFailure | null>;
  close(): Promise<void>;
}

/** Where the worker entry sits: next to this module (see siblingModuleUrl). */
export function ballotWorkerUrl(): URL {
  return siblingModuleUrl(import.meta.url, 'ballot-worker');
}

/** `workers` threads, or this thread for 0; `group` is the Group of `init.group`, for this thread. */
export function ballotChecker(
  group: Group,
  init: BallotCheckInit,
  workers: number,
  url?: URL,
): BallotChecker {
  if (workers === 0) {
    return {
      // async: a thrown bug becomes a rejection, as it would from a worker.
      check: async (ballots) => checkBallots(group, init, ballots),
      close: async () => {},
    };
  }
  return new WorkerPool(init, workers, url ?? ballotWorkerUrl());
}

/**
 * Lists go to the workers in turn, as soon as they are made: each worker's message queue is its
 * backlog, so no reply has to come back before the next list goes out, and the calling thread
 * can run its own checks through the whole chain without yielding.
 */
class WorkerPool implements BallotChecker {
  private readonly workers: Worker[];
  private readonly pending = new Map<
    number,
    { resolve: (failure: BallotFailure | null) => void; reject: (error: Error) => void }
  >();
  private nextId = 0;
  private failure: Error | null = null;
  private closing = false;

  constructor(init: BallotCheckInit, count: number, url: URL) {
    this.workers = Array.from({ length: count }, (_, index) => {
      const worker = startWorker(url, init);
      worker.on('message', (reply: BallotReply) => {
        const job = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        job?.resolve(reply.failure);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`ballot worker ${index} exited with code ${code}`));
      });
      return worker;
    });
  }

  check(ballots: readonly unknown[]): Promise<BallotFailure | null> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const job: BallotJob = { id, ballots };
      worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
  }
}
