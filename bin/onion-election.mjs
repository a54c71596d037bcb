#!/usr/bin/env node
// The `onion-election` command. In a checkout (after `npm ci`) it runs the TypeScript sources
// through tsx, so there is nothing to build; without tsx it runs the bundle from `npm run build`.
import { existsSync } from 'node:fs';

const source = new URL('../main/cli/main.ts', import.meta.url);
const bundle = new URL('../dist/cli/main.mjs', import.meta.url);
let tsx;
try {
  tsx = await import('tsx/esm/api');
} catch {
  tsx = undefined;
}
if (tsx && existsSync(source)) {
  tsx.register();
  await import(source.href);
} else if (existsSync(bundle)) {
  await import(bundle.href);
} else {
  console.error(
    'onion-election: neither tsx (run `npm ci`) nor a built bundle (run `npm run build`) was found',
  );
  process.exit(1);
}
