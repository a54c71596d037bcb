// The shared vocabulary of every benchmark suite: a suite reports named metrics, the runner
// prints them as one table and writes them to bench/results.json for later comparison.

export interface Metric {
  /** Stable key in bench/results.json, e.g. `ballot_verify_ms`. */
  readonly name: string;
  readonly value: number;
  /** Human-readable unit for the table: `ms`, `s`, `MH/s`, … */
  readonly unit: string;
  /** What was measured, and against what floor if the issue names one. */
  readonly note?: string;
}

export interface Reporter {
  metric(metric: Metric): void;
  /** Free text printed under the table: ratios, the backend in use, caveats. */
  line(text: string): void;
}

export interface Suite {
  readonly name: string;
  run(report: Reporter): Promise<void>;
}

/** Median of `runs` timings (ms) of `fn`, after `warmup` untimed calls. */
export async function medianMs(fn: () => unknown, runs: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return percentile(times, 50);
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
