// Runs every `*.test.ts` under main/, bench/, scripts/ and renderer/ (its pure functions) with
// node:test and tsx.
// Node 20's `--test` does not expand glob patterns (Node 21 does), so the files are listed here.
// Extra arguments are passed on to node, e.g. `npm run test:unit -- --test-name-pattern=tally`.
//
// Two rounds. First, side by side, the files that start a private Tor network of their own
// (`startTestnet(`): they spend minutes waiting on tor's clocks (consensus votes, descriptor
// uploads, a paused peer's timeouts), not on the CPU, so together they take about as long as the
// longest. Alone: beside CPU-bound tests their tors and runners starved (an onion service not
// published in 240 s, seen once), which is what "real over fake" costs on two cores. Then every
// other file, one at a time, as node's runner does on two cores.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const files = ['main', 'bench', 'scripts', 'renderer']
  .filter((dir) => existsSync(dir))
  .flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.test.ts'))
      .map((file) => path.join(dir, file)),
  );
const torNetworks = files.filter((file) => readFileSync(file, 'utf8').includes('startTestnet('));
const rest = files.filter((file) => !torNetworks.includes(file));

/** One node:test run of `list`, `concurrency` files at a time; its exit status. */
function run(list, concurrency) {
  if (list.length === 0) return 0;
  const args = [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${concurrency}`,
    ...process.argv.slice(2),
    ...list,
  ];
  return spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;
}

const first = run(torNetworks, torNetworks.length);
const second = run(rest, 1);
process.exit(first || second);
