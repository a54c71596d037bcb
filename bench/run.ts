// `npm run bench`: runs every suite (or those named on the command line), prints one table,
// and writes bench/results.json mapping metric names to numbers.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { chainSuite } from './chain.bench';
import { cryptoSuite } from './crypto.bench';
import { dashboardSuite } from './dashboard.bench';
import { fairnessSuite } from './fairness.bench';
import type { Metric, Suite } from './harness';
import { minerSuite } from './miner.bench';
import { networkSuite } from './network.bench';
import { perVoterSuite } from './per-voter.bench';
import { scaleSuite } from './scale.bench';
import { torSuite } from './tor.bench';
import { verifySuite } from './verify.bench';

const suites: Suite[] = [
  cryptoSuite,
  minerSuite,
  chainSuite,
  verifySuite,
  perVoterSuite,
  networkSuite,
  scaleSuite,
  fairnessSuite,
  torSuite,
  dashboardSuite,
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const selected = wanted.length ? suites.filter((s) => wanted.includes(s.name)) : suites;
  if (selected.length === 0) {
    console.error(`no suite named ${wanted.join(', ')}; suites: ${suites.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  console.log(
    `onion-election benchmarks — node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}`,
  );
  const metrics: Metric[] = [];
  const lines: string[] = [];
  for (const suite of selected) {
    console.log(`running ${suite.name}…`);
    await suite.run({
      metric: (m) => {
        metrics.push(m);
        console.log(`  ${m.name} = ${format(m.value)} ${m.unit}`);
      },
      line: (text) => lines.push(`[${suite.name}] ${text}`),
    });
  }
  printTable(metrics);
  for (const line of lines) console.log(line);
  // Merged into the previous results, so running one suite keeps the others' figures.
  const path = fileURLToPath(new URL('./results.json', import.meta.url));
  const previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>) : {};
  const results = { ...previous, ...Object.fromEntries(metrics.map((m) => [m.name, m.value])) };
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path}`);
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
