// Runs every `*.test.ts` under main/, bench/, scripts/ and renderer/ (its pure functions) with
// node:test and tsx.
// Node 20's `--test` does not expand glob patterns (Node 21 does), so the files are listed here.
// Extra arguments are passed on to node, e.g. `npm run test:unit -- --test-name-pattern=tally`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
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

const args = ['--import', 'tsx', '--test', '--test-reporter=spec', ...process.argv.slice(2), ...files];
const { status } = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(status ?? 1);
