// Proof-of-work miner throughput, against OpenSSL's native SHA-256, and the main thread's
// responsiveness while every core mines.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Miner } from '../main/chain/pow/miner';
import type { Suite } from './harness';

// A 100-byte header: the nonce's block is the only one hashed per nonce.
const PREFIX = Uint8Array.from({ length: 92 }, (_, i) => (i * 131 + 7) & 0xff);
const WARMUP_MS = 1000;
const MEASURE_MS = 3000;
const LAG_RESOLUTION_MS = 5;
const SHA_INPUT = new Uint8Array(128).fill(0x5a);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Mines a target nothing meets on `threads` workers; MH/s after a warm-up, while `during` runs. */
async function mineRate(threads: number, during?: () => void): Promise<number> {
  const miner = new Miner({ threads });
  try {
    const job = miner.mine({ prefix: PREFIX, target: 0n });
    await sleep(WARMUP_MS);
    during?.();
    const count = miner.hashCount();
    const start = performance.now();
    await sleep(MEASURE_MS);
    const rate = (miner.hashCount() - count) / (performance.now() - start) / 1000;
    miner.cancel();
    await job;
    return rate;
  } finally {
    await miner.close();
  }
}

/** OpenSSL's own single-core SHA-256 rate on 128-byte inputs, in MH/s, or null without the binary. */
async function opensslRate(): Promise<number | null> {
  try {
    const { stdout, stderr } = await promisify(execFile)('openssl', [
      'speed',
      '-seconds',
      '2',
      '-bytes',
      '128',
      'sha256',
    ]);
    // stderr: "Doing sha256 for 2s on 128 size blocks: 9940544 sha256's in 2.00s"
    const doing = /: (\d+) sha256's in ([\d.]+)s/.exec(stderr);
    if (doing) return Number(doing[1]) / Number(doing[2]) / 1e6;
    // stdout table: "sha256   659890.43k" (thousands of bytes per second)
    const table = /^sha256\s+([\d.]+)k/m.exec(stdout);
    return table ? (Number(table[1]) * 1000) / 128 / 1e6 : null;
  } catch {
    return null;
  }
}

/** node:crypto, one createHash per input: what hashing through the binding costs per call. */
function nodeCryptoRate(ms: number): number {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 1000; i++) createHash('sha256').update(SHA_INPUT).digest();
    n += 1000;
    now = performance.now();
  }
  return n / (now - start) / 1000;
}

export const minerSuite: Suite = {
  name: 'miner',
  async run(report) {
    const cores = os.availableParallelism();
    const perCore = await mineRate(1);
    report.metric({
      name: 'miner_mhs_per_core',
      value: perCore,
      unit: 'MH/s',
      note: 'one worker, 100-byte header; floor 2.5',
    });

    const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    const allCores = await mineRate(cores, () => lag.enable());
    lag.disable();
    report.metric({ name: 'miner_mhs_all_cores', value: allCores, unit: 'MH/s', note: `${cores} workers` });
    // The histogram records whole timer intervals; the lag is what exceeds the interval.
    const p99 = lag.percentile(99) / 1e6;
    report.metric({
      name: 'miner_event_loop_lag_p99_ms',
      value: Math.max(0, p99 - LAG_RESOLUTION_MS),
      unit: 'ms',
      note: `main thread while ${cores} workers mine; floor 20`,
    });

    const nodeCrypto = nodeCryptoRate(2000);
    const openssl = await opensslRate();
    if (openssl !== null) {
      report.metric({
        name: 'sha256_openssl_mhs',
        value: openssl,
        unit: 'MH/s',
        note: 'openssl speed, 128-byte inputs, one core',
      });
    } else {
      report.metric({
        name: 'sha256_openssl_mhs',
        value: nodeCrypto,
        unit: 'MH/s',
        note: 'no openssl binary: node:crypto createHash per 128-byte input instead',
      });
    }
    report.metric({
      name: 'sha256_nodecrypto_mhs',
      value: nodeCrypto,
      unit: 'MH/s',
      note: 'createHash per 128-byte input, one core',
    });

    const baseline = openssl ?? nodeCrypto;
    report.line(
      `miner per core / ${openssl !== null ? 'openssl' : 'node:crypto'} = ${(perCore / baseline).toFixed(2)} ` +
        '(the miner hashes one 64-byte block per nonce from a midstate; a 128-byte input is three blocks)',
    );
    report.line(`event loop delay p99 ${p99.toFixed(1)} ms raw, timer interval ${LAG_RESOLUTION_MS} ms`);
  },
};
