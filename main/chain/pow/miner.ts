// The proof-of-work miner: searches for a nonce with `sha256(prefix || nonce) <= target` on worker
// threads, one per core by default, so the thread that owns the Miner stays responsive.
//
// Each job splits the nonce space into one contiguous slice per worker, starting at a random offset
// (or `startNonce`) so that peers mining the same prefix do not repeat each other's work. Only one
// job runs at a time: a new job or `cancel()` bumps a shared generation number, which the workers
// look at between batches of hashes.

import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { siblingModuleUrl, startWorker } from '../../workers';
import type { WorkerInit, WorkerJob, WorkerReply } from './protocol';
import { checkNonce, NONCE_SPACE } from './sha256';
import { targetTopWord } from './target';

export interface MinerOptions {
  /** Worker threads to hash on; default os.availableParallelism(). */
  readonly threads?: number;
  /** The worker entry module; default `workerUrl()`. */
  readonly workerUrl?: URL;
  /** Nonces a worker hashes between looks at cancellation: a few milliseconds' worth by default. */
  readonly batch?: number;
}

export interface MineJob {
  /** The header without its nonce; the header is `prefix || nonce` (8 bytes, big-endian). */
  readonly prefix: Uint8Array;
  /** The header hash, read as a big-endian 256-bit integer, must be <= target. */
  readonly target: bigint;
  /** First nonce of the first worker's slice; random when absent. */
  readonly startNonce?: bigint;
}

export interface MineResult {
  readonly nonce: bigint;
  /** SHA-256 of `prefix || nonce`. */
  readonly hash: Uint8Array;
}

const DEFAULT_BATCH = 1 << 15;
const RATE_WINDOW_MS = 2000;
const SAMPLE_EVERY_MS = 250;

/**
 * Where the worker entry sits: next to this module (see siblingModuleUrl). A bundle laid out
 * differently can pass `MinerOptions.workerUrl` instead.
 */
export function workerUrl(): URL {
  return siblingModuleUrl(import.meta.url, 'miner-worker');
}

interface RunningJob {
  readonly generation: number;
  readonly resolve: (result: MineResult | null) => void;
  readonly reject: (error: Error) => void;
  exhausted: number;
}

export class Miner {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly control: Int32Array;
  private readonly counters: BigInt64Array;
  private generation = 0;
  private job: RunningJob | null = null;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  private sampler: ReturnType<typeof setInterval> | null = null;
  /** (time, total hashes) pairs covering the last RATE_WINDOW_MS, oldest first. */
  private samples: { t: number; n: number }[] = [];

  constructor(options: MinerOptions = {}) {
    const threads = options.threads ?? os.availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer`);
    const batch = options.batch ?? DEFAULT_BATCH;
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be a positive integer`);
    this.threads = threads;
    const control = new SharedArrayBuffer(4);
    const counters = new SharedArrayBuffer(8 * threads);
    this.control = new Int32Array(control);
    this.counters = new BigInt64Array(counters);
    const url = options.workerUrl ?? workerUrl();
    for (let index = 0; index < threads; index++) {
      const init: WorkerInit = { control, counters, index, batch };
      const worker = startWorker(url, init);
      worker.on('message', (reply: WorkerReply) => this.onReply(reply));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`miner worker ${index} exited with code ${code}`));
      });
      // Idle workers should not keep the process alive; they are ref'd while a job runs.
      worker.unref();
      this.workers.push(worker);
    }
  }

  /**
   * Mines `job`, cancelling the job in progress (whose promise resolves to null). Resolves to the
   * first nonce found, or null when cancelled or when no nonce in the space meets the target.
   */
  mine(job: MineJob): Promise<MineResult | null> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error('miner is closed'));
    const start = job.startNonce ?? randomNonce();
    try {
      checkNonce(start);
      targetTopWord(job.target); // rejects a negative target
    } catch (error) {
      return Promise.reject(error);
    }
    this.cancel();
    const generation = ++this.generation;
    Atomics.store(this.control, 0, generation);
    const prefix = Uint8Array.from(job.prefix);
    const slice = NONCE_SPACE / BigInt(this.threads);
    this.workers.forEach((worker, i) => {
      const count = i === this.threads - 1 ? NONCE_SPACE - slice * BigInt(i) : slice;
      const message: WorkerJob = {
        generation,
        prefix,
        target: job.target,
        start: (start + slice * BigInt(i)) % NONCE_SPACE,
        count,
      };
      worker.postMessage(message);
      worker.ref();
    });
    this.sample();
    this.sampler ??= setInterval(() => this.sample(), SAMPLE_EVERY_MS).unref();
    return new Promise((resolve, reject) => {
      this.job = { generation, resolve, reject, exhausted: 0 };
    });
  }

  /** Stops the job in progress, if any; its promise resolves to null. */
  cancel(): void {
    this.finish(null);
  }

  /** Hashes per second over the last couple of seconds. */
  hashrate(): number {
    this.sample();
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t <= first.t) return 0;
    return ((last.n - first.n) * 1000) / (last.t - first.t);
  }

  /** Nonces hashed by all workers since the Miner was made. */
  hashCount(): number {
    let total = 0n;
    for (let i = 0; i < this.threads; i++) total += Atomics.load(this.counters, i);
    return Number(total);
  }

  /** Cancels the job in progress and terminates the workers. */
  close(): Promise<void> {
    if (!this.closing) {
      this.cancel();
      this.closing = Promise.all(this.workers.map((worker) => worker.terminate())).then(() => undefined);
    }
    return this.closing;
  }

  private onReply(reply: WorkerReply): void {
    const job = this.job;
    if (!job || reply.generation !== job.generation) return; // a late reply to a finished job
    if (reply.type === 'found') {
      this.finish({ nonce: reply.nonce, hash: reply.hash });
    } else if (++job.exhausted === this.threads) {
      this.finish(null);
    }
  }

  private finish(result: MineResult | null): void {
    const job = this.job;
    if (!job) return;
    this.job = null;
    // A generation no job has: every worker drops what it is doing.
    Atomics.store(this.control, 0, ++this.generation);
    this.stopRunning();
    job.resolve(result);
  }

  private fail(error: Error): void {
    if (this.closing) return;
    this.failure ??= error;
    const job = this.job;
    this.job = null;
    Atomics.store(this.control, 0, ++this.generation);
    this.stopRunning();
    job?.reject(error);
    void this.close();
  }

  private stopRunning(): void {
    this.sample();
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = null;
    for (const worker of this.workers) worker.unref();
  }

  private sample(): void {
    const t = performance.now();
    this.samples.push({ t, n: this.hashCount() });
    // Keep one sample at or before the window's start so the rate spans the whole window.
    while (this.samples.length > 2 && this.samples[1]!.t <= t - RATE_WINDOW_MS) this.samples.shift();
  }
}

function randomNonce(): bigint {
  return randomBytes(8).readBigUInt64BE();
}
