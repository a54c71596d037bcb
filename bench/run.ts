// `npm run bench`: runs every suite (or those named on the command line), prints one table,
// and writes bench/results.json mapping metric names to numbers.
//
// Each suite runs in a process of its own (this file again, with `--suite NAME --out FILE`): a
// suite's imports and leftovers must not weigh on the next one's figures. Importing Playwright
// alone (the dashboard suite's) made the record verifier ~40% slower in the same process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metric, Suite } from './harness';

/** Every suite by name, in the order a full run takes them; each module is loaded only to run it. */
const suites: Record<string, () => Promise<Suite>> = {
  crypto: async () => (await import('./crypto.bench')).cryptoSuite,
  miner: async () => (await import('./miner.bench')).minerSuite,
  chain: async () => (await import('./chain.bench')).chainSuite,
  verify: async () => (await import('./verify.bench')).verifySuite,
  'per-voter': async () => (await import('./per-voter.bench')).perVoterSuite,
  threshold: async () => (await import('./threshold.bench')).thresholdSuite,
  choices: async () => (await import('./choices.bench')).choicesSuite,
  network: async () => (await import('./network.bench')).networkSuite,
  scale: async () => (await import('./scale.bench')).scaleSuite,
  fairness: async () => (await import('./fairness.bench')).fairnessSuite,
  tor: async () => (await import('./tor.bench')).torSuite,
  dashboard: async () => (await import('./dashboard.bench')).dashboardSuite,
};

interface SuiteOutput {
  readonly metrics: Metric[];
  readonly lines: string[];
}

/** In the child: runs one suite, printing each metric as it comes, and writes what it found to `out`. */
async function runOne(name: string, out: string): Promise<void> {
  const suite = await suites[name]!();
  const output: SuiteOutput = { metrics: [], lines: [] };
  await suite.run({
    metric: (m) => {
      output.metrics.push(m);
      console.log(`  ${m.name} = ${format(m.value)} ${m.unit}`);
    },
    line: (text) => output.lines.push(`[${suite.name}] ${text}`),
  });
  writeFileSync(out, JSON.stringify(output));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--suite') return runOne(args[1]!, args[3]!);
  const selected = args.length ? args : Object.keys(suites);
  const unknown = selected.filter((name) => !(name in suites));
  if (unknown.length > 0) {
    console.error(`no suite named ${unknown.join(', ')}; suites: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  console.log(
    `onion-election benchmarks — node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}`,
  );
  const metrics: Metric[] = [];
  const lines: string[] = [];
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'oe-bench-'));
  try {
    for (const name of selected) {
      console.log(`running ${name}…`);
      const out = path.join(scratch, `${name}.json`);
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), '--suite', name, '--out', out],
        { stdio: 'inherit' },
      );
      if (child.status !== 0 || !existsSync(out)) {
        console.error(`suite ${name} failed (exit ${child.status ?? child.signal})`);
        process.exitCode = 1;
        continue;
      }
      const output = JSON.parse(readFileSync(out, 'utf8')) as SuiteOutput;
      metrics.push(...output.metrics);
      lines.push(...output.lines);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  printTable(metrics);
  for (const line of lines) console.log(line);
  // Merged into the previous results, so running one suite keeps the others' figures.
  const results = fileURLToPath(new URL('./results.json', import.meta.url));
  const previous = existsSync(results)
    ? (JSON.parse(readFileSync(results, 'utf8')) as Record<string, number>)
    : {};
  const merged = { ...previous, ...Object.fromEntries(metrics.map((m) => [m.name, m.value])) };
  writeFileSync(results, `${JSON.stringify(merged, null, 2)}\n`);
  console.log(`\nwrote ${results}`);
}

function format(value: number): string {
  if (value === 0 || Math.abs(value) >= 100) return value.toFixed(1);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function printTable(metrics: readonly Metric[]): void {
  const rows = metrics.map((m) => [m.name, format(m.value), m.unit, m.note ?? '']);
  const header = ['metric', 'value', 'unit', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(`\n${line(header)}\n${widths.map((w) => '─'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
  console.log('');
}

await main();
