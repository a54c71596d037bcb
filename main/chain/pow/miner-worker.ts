// Worker-thread entry of the Miner: hashes its slice of the nonce space for each job it is sent,
// in batches, looking at the shared generation between batches so that a cancelled or replaced job
// stops within one batch.

import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInit, WorkerJob, WorkerReply } from './protocol';
import { NonceScanner } from './scanner';
import { NONCE_SPACE } from './sha256';

// Mining yields the CPU to everything else: on Linux a thread's nice value is its own, so this
// lowers only this worker, and the main thread (validating and relaying blocks, serving peers)
// preempts it. Elsewhere, or without permission, it may fail or apply to the process: no matter.
try {
  setPriority(19);
} catch {}

const init = workerData as WorkerInit;
const control = new Int32Array(init.control);
const counters = new BigInt64Array(init.counters);
const port = parentPort;
if (!port) throw new Error('miner-worker must run in a worker thread');

port.on('message', (job: WorkerJob) => {
  const reply = mine(job);
  if (reply) port.postMessage(reply);
});

function mine(job: WorkerJob): WorkerReply | null {
  if (Atomics.load(control, 0) !== job.generation) return null;
  const scanner = new NonceScanner(job.prefix, job.target);
  const batch = BigInt(init.batch);
  let nonce = job.start;
  let left = job.count;
  while (left > 0n) {
    const n = left < batch ? left : batch;
    const hit = scanner.scan(nonce, Number(n));
    Atomics.add(counters, init.index, BigInt(hit ? hit.hashed : n));
    if (hit) return { type: 'found', generation: job.generation, nonce: hit.nonce, hash: hit.hash };
    if (Atomics.load(control, 0) !== job.generation) return null;
    nonce = (nonce + n) % NONCE_SPACE;
    left -= n;
  }
  return { type: 'exhausted', generation: job.generation };
}
