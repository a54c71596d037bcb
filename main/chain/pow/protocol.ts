// Messages between the Miner (main thread) and its workers.

/** Given to each worker at start. */
export interface WorkerInit {
  /** Int32Array over a SharedArrayBuffer; slot 0 is the generation of the job to work on. A worker
   * stops a job as soon as it sees another generation there, so replacing or cancelling a job does
   * not wait for the worker to read its messages. */
  readonly control: SharedArrayBuffer;
  /** BigInt64Array over a SharedArrayBuffer: nonces hashed so far, one slot per worker. */
  readonly counters: SharedArrayBuffer;
  readonly index: number;
  /** Nonces hashed between two looks at the generation. */
  readonly batch: number;
}

export interface WorkerJob {
  readonly generation: number;
  readonly prefix: Uint8Array;
  readonly target: bigint;
  /** This worker's slice of the nonce space: count nonces from start, wrapping at 2^64. */
  readonly start: bigint;
  readonly count: bigint;
}

export type WorkerReply =
  | { readonly type: 'found'; readonly generation: number; readonly nonce: bigint; readonly hash: Uint8Array }
  | { readonly type: 'exhausted'; readonly generation: number };
