// Builds the desktop app into dist/: the Electron main process and preload (CommonJS for Node),
// and the renderer (browser bundle + CSS + index.html + icon). `--watch` rebuilds on change, unminified.
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
};

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
await rm('dist/renderer', { recursive: true, force: true });
await mkdir('dist/renderer', { recursive: true });

if (watch) {
  for (const options of [electron, renderer]) await (await esbuild.context(options)).watch();
} else {
  await Promise.all([esbuild.build(electron), esbuild.build(renderer)]);
}
