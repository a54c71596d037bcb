// Worker threads for the engine (the miner, the record verifier): finding a worker's entry module
// next to the module that starts it, and starting it from TypeScript source under tsx.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * The module `baseName` beside the caller (pass the caller's `import.meta.url`): `.js` once
 * compiled or bundled (the bundler must emit the worker as its own entry point beside the caller),
 * else the `.ts` source when running under tsx. Callers bundled differently take a URL option.
 */
export function siblingModuleUrl(importMetaUrl: string | undefined, baseName: string): URL {
  // esbuild's CommonJS output leaves import.meta empty, but has __dirname: the bundle's folder,
  // which is then every bundled caller's folder too.
  const here = importMetaUrl ? new URL('.', importMetaUrl) : pathToFileURL(`${__dirname}/`);
  const candidates = ['.js', '.mjs', '.cjs', '.ts'].map((ext) => `${baseName}${ext}`);
  // In the packaged desktop app the bundles sit inside app.asar, an archive only Electron's patched
  // fs can read, not a worker's module loader: the workers are unpacked beside it
  // (electron-builder.yml, asarUnpack), so look there first.
  const unpacked = new URL(here.href.replace('/app.asar/', '/app.asar.unpacked/'));
  for (const folder of unpacked.href === here.href ? [here] : [unpacked, here]) {
    for (const name of candidates) {
      const url = new URL(name, folder);
      if (existsSync(url)) return url;
    }
  }
  throw new Error(`worker entry not found in ${here.href} (tried ${candidates.join(', ')})`);
}

/**
 * Starts a worker on `url`. A `.ts` entry (tests and benchmarks under tsx) is imported through tsx's
 * API, because Node 20 does not apply the parent's `--import tsx` module hooks inside workers.
 */
export function startWorker(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(url.href);
  const code = `import(${tsx}).then((api) => { api.register(); return import(${entry}); });`;
  return new Worker(code, { eval: true, workerData });
}
