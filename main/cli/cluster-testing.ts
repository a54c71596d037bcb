// What the tests that drive whole clusters of runner processes share: the options of a small
// election, a full mesh of peers, a temporary root cleaned up after the file, and a cluster that
// is always stopped (SIGKILL), whatever the test does.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import type { ResultResponse } from '../net/messages';
import { LocalCluster, type RunnerSpec } from './cluster';

export interface ElectionSize {
  readonly title: string;
  readonly talliers: number;
  readonly keyBlocks: number;
  readonly voteBlocks: number;
  readonly confirmations: number;
  /** Expected hashes per block, as `new` takes it (e.g. 2^16). */
  readonly difficulty: string;
}

/** The options of `new` for a small election. */
export function electionArgs(e: ElectionSize): string[] {
  return [
    ...['--title', e.title, '--talliers', String(e.talliers), '--key-blocks', String(e.keyBlocks)],
    ...['--vote-blocks', String(e.voteBlocks), '--confirmations', String(e.confirmations)],
    ...['--difficulty', e.difficulty],
  ];
}

/** Every runner named, each with a vote and every other runner as a peer. */
export const mesh = (names: readonly string[], votes: readonly ('yes' | 'no')[]): RunnerSpec[] =>
  names.map((name, i) => ({ name, vote: votes[i]!, peers: names.filter((n) => n !== name) }));

export const hasResult = (r: ResultResponse) => r.result !== null;

/**
 * Runs `body` with a new cluster under a temporary root (one per test file, removed after it);
 * the cluster's processes are killed afterwards, whatever happened.
 */
export function clusterRunner(prefix: string) {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => rmSync(root, { recursive: true, force: true }));
  return async <T>(name: string, specs: RunnerSpec[], body: (c: LocalCluster) => Promise<T>): Promise<T> => {
    const cluster = await LocalCluster.create(path.join(root, name), specs);
    try {
      return await body(cluster);
    } catch (error) {
      // The runners' own words, for a failure seen only in CI (their folders are removed after).
      for (const spec of specs) {
        const log = await readFile(cluster.member(spec.name).log, 'utf8').catch(() => '');
        console.error(`--- ${name}/${spec.name}.log, last lines:\n${log.split('\n').slice(-40).join('\n')}`);
      }
      throw error;
    } finally {
      await cluster.stopAll('SIGKILL');
    }
  };
}
