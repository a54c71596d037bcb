// A real runner process for end-to-end tests: `onion-election --direct --dashboard` on a fresh data
// folder, its web dashboard URL (with the access token) read from what it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/onion-election.mjs', import.meta.url));

export interface DashboardRunner {
  readonly name: string;
  readonly dataDir: string;
  /** http://127.0.0.1:PORT/#token=… */
  readonly url: string;
  /** Everything it printed so far. */
  output(): string;
  /** SIGINT, then SIGKILL after 10 s; removes its data folder. */
  stop(): Promise<void>;
}

export async function startDashboardRunner(
  name: string,
  args: readonly string[] = [],
): Promise<DashboardRunner> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `oe-e2e-${name}-`));
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, '-d', dataDir, '--direct', '--threads', '1', ...args, '--dashboard'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = /dashboard (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64})/.exec(out)?.[1];
    if (url) return { name, dataDir, url, output: () => out, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${name}: no dashboard URL (exit ${child.exitCode}):\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
