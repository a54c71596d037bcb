// Builds into dist/: the Electron main process and preload (CommonJS for Node), the renderer
// (browser bundle + CSS + index.html + icon), and the command line with its worker threads. `--watch` rebuilds on change, unminified.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

process.chdir(fileURLToPath(new URL('..', import.meta.url))); // all paths below are relative to the repo root

const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: !watch,
  sourcemap: true,
  logLevel: 'info',
};

// Main and preload run in Electron's Node; `electron` is provided at runtime, never bundled.
const electron = {
  ...common,
  entryPoints: { main: 'electron/main.ts', preload: 'electron/preload.ts' },
  outdir: 'dist/electron',
  outExtension: { '.js': '.cjs' },
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  // import.meta is empty in CommonJS; the engine falls back to __dirname there (main/workers.ts).
  logOverride: { 'empty-import-meta': 'silent' },
};

// The engine's worker threads as ES modules beside a bundle that starts them (main/workers.ts finds
// them there). CommonJS dependencies bundled into ESM need a `require`, provided by the banner.
const workerEntries = {
  'miner-worker': 'main/chain/pow/miner-worker.ts',
  'ballot-worker': 'main/verify/ballot-worker.ts',
};
const esmBanner = {
  js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
};
const nodeEsm = {
  ...common,
  outExtension: { '.js': '.mjs' },
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: esmBanner,
};
const electronWorkers = { ...nodeEsm, entryPoints: workerEntries, outdir: 'dist/electron' };

// The command line and the engine's worker threads, as ES modules side by side in dist/cli (the
// engine finds its workers next to itself). bin/onion-election.mjs runs this bundle where tsx is
// not installed. CommonJS dependencies bundled into ESM need a `require`, provided by the banner.
const cli = { ...nodeEsm, entryPoints: { main: 'main/cli/main.ts', ...workerEntries }, outdir: 'dist/cli' };

/** Copies the static renderer files after every build, so --watch picks up their changes too. */
const copyStatic = {
  name: 'copy-static',
  setup(build) {
    build.onEnd(async () => {
      await copyFile('renderer/index.html', 'dist/renderer/index.html');
      await copyFile('assets/icon.svg', 'dist/renderer/icon.svg');
    });
  },
};

// An IIFE, not an ES module: index.html loads it as a classic script (see the note there).
const renderer = {
  ...common,
  entryPoints: { main: 'renderer/main.tsx' },
  outdir: 'dist/renderer',
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': JSON.stringify(watch ? 'development' : 'production') },
  plugins: [copyStatic],
};

await rm('dist/electron', { recursive: true, force: true });
await rm('dist/cli', { recursive: true, force: true });
await rm('dist/renderer', { recursive: true, force: true });
await mkdir('dist/renderer', { recursive: true });

if (watch) {
  for (const options of [electron, electronWorkers, renderer, cli])
    await (await esbuild.context(options)).watch();
} else {
  await Promise.all([electron, electronWorkers, renderer, cli].map((options) => esbuild.build(options)));
}
