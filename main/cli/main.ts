// `onion-election`: the command line. Each subcommand is a small module; this file parses the
// command name, prints help, and turns errors into one clear line and an exit code.
import { ValidationError } from '../crypto/errors';
import type { Command } from './command';
import { exportCommand } from './export';
import { verifyCommand } from './verify';

const COMMANDS: Record<string, Command> = { export: exportCommand, verify: verifyCommand };

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const list = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: onion-election <command> [options]',
    '',
    'Run an anonymous election among peers over Tor onion services.',
    '',
    'Commands:',
    ...list,
    '',
    'Run `onion-election <command> --help` for the options of a command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`onion-election: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  return command.run(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // Usage errors (from parseArgs), validation errors and I/O errors: one line, no stack trace.
  const message = error instanceof ValidationError || error instanceof Error ? error.message : String(error);
  console.error(`onion-election: ${message}`);
  process.exitCode = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
}
