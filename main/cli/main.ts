// `onion-election`: the command line. Options are parsed once for the whole line (they may stand
// before or after the command); each subcommand is a small module. Errors become one clear line
// and an exit code: 2 for usage, 1 for everything else.
import { ValidationError } from '../crypto/errors';
import { type Command, helpOf } from './command';
import { demoCommand } from './demo';
import { exportCommand } from './export';
import { checkAccepted, parseCommandLine, UsageError } from './options';
import { dashboardCommand, joinCommand, newCommand, startCommand } from './run';
import { statusCommand } from './status';
import { verifyCommand } from './verify';

const COMMANDS: Record<string, Command> = {
  new: newCommand,
  join: joinCommand,
  start: startCommand,
  dashboard: dashboardCommand,
  status: statusCommand,
  export: exportCommand,
  verify: verifyCommand,
  demo: demoCommand,
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const list = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: onion-election [options] <command> [options]',
    '',
    'Run an anonymous election among peers over Tor onion services: no server, no authority.',
    '',
    'Commands:',
    ...list,
    '',
    'Example: onion-election -n alice -p PEER.onion -a SELF.onion -c socks5h://localhost:9050 --vote yes new',
    'Run `onion-election <command> --help` for the options of a command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  // `onion-election [options] --dashboard` with no command: the dashboard command.
  const [name = values.dashboard ? 'dashboard' : undefined, ...args] = positionals;
  if (name === undefined || name === 'help') {
    console.log(usage());
    return name === undefined && !values.help ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${usage()}`);
  if (values.help) {
    console.log(helpOf(command));
    return 0;
  }
  checkAccepted(name, values, command.options);
  return command.run(values, args);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // Usage errors, validation errors and I/O errors alike: one line, no stack trace.
  const message = error instanceof ValidationError || error instanceof Error ? error.message : String(error);
  console.error(`onion-election: ${message}`);
  const usageError =
    error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.exitCode = usageError ? 2 : 1;
}
