// `npm run typecheck`: every TypeScript project of the repository. The desktop shell's (electron/)
// needs Electron's type declarations, which come with the `electron` package, an optional
// dependency: a plain `npm ci` on a machine that cannot reach Electron's binary download drops it
// (README, "No access to Electron's download"). Then that project alone is skipped, and says so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Whether the optional `electron` package, with its type declarations, is installed. */
function electronTypes() {
  try {
    const pkg = createRequire(import.meta.url).resolve('electron/package.json');
    return existsSync(path.join(path.dirname(pkg), 'electron.d.ts'));
  } catch {
    return false;
  }
}

const projects = ['tsconfig.json', 'renderer/tsconfig.json', 'e2e/tsconfig.json'];
if (electronTypes()) projects.push('electron/tsconfig.json');
else if (process.env.CI) {
  // CI installs electron's package (without its binary: .ci/run): a shell left unchecked there
  // would be a silent gap.
  console.error('typecheck: the `electron` package is missing, so electron/ cannot be checked');
  process.exit(1);
} else
  console.log(
    'typecheck: electron/ skipped: the optional `electron` package is not installed (its binary download failed?); `npm install electron` to check it',
  );
for (const project of projects) {
  const { status } = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
