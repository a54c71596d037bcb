// Shared fixtures for the store tests (not part of the module's API).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

/** A fresh directory under the system temp dir, removed when the enclosing suite ends. */
export function tempDir(label = 'store'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `onion-election-${label}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A record of roughly `bytes` bytes of JSON, shaped like a block (hex strings) and numbered. */
export function sampleRecord(i: number, bytes = 4500): { i: number; pad: string } {
  const unit = (i * 2654435761) >>> 0;
  return {
    i,
    pad: unit
      .toString(16)
      .padStart(8, '0')
      .repeat(Math.ceil(bytes / 8))
      .slice(0, bytes),
  };
}
