// The shape of a subcommand, and option helpers shared by several.
import os from 'node:os';
import path from 'node:path';

export interface Command {
  /** One line for the command list. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** Where a runner named `name` keeps its data unless told otherwise. */
export function defaultDataDir(name: string): string {
  const home = process.env.ONION_ELECTION_HOME ?? path.join(os.homedir(), '.onion-election');
  return path.join(home, name);
}

export const DATA_DIR_HELP = [
  '  -n, --name NAME       runner name: miner label and data folder ~/.onion-election/NAME (default "runner")',
  '  -d, --data-dir DIR    data directory (overrides the one from --name)',
].join('\n');

export const dataDirOptions = {
  name: { type: 'string', short: 'n', default: 'runner' },
  'data-dir': { type: 'string', short: 'd' },
} as const;

export function dataDirOf(values: { name?: string | undefined; 'data-dir'?: string | undefined }): string {
  return values['data-dir'] ?? defaultDataDir(values.name ?? 'runner');
}
