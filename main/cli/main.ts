// `onion-election`: the command line. Options are parsed once for the whole line (they may stand
// before or after the command); each subcommand is a small module. Errors become one clear line
// and an exit code: 2 for usage, 1 for everything else.
import { ValidationError } from '../crypto/errors';
import { type Command, helpOf } from './command';
import { checkAccepted, parseCommandLine, UsageError } from './options';

// Each command's module is loaded only when it runs (or for the command list): `verify` need not
// load the runner, the network and the dashboard server first (~1 s under tsx).
const COMMANDS: Record<string, () => Promise<Command>> = {
  new: async () => (await import('./run')).newCommand,
  join: async () => (await import('./run')).joinCommand,
  start: async () => (await import('./run')).startCommand,
  dashboard: async () => (await import('./run')).dashboardCommand,
  status: async () => (await import('./status')).statusCommand,
  export: async () => (await import('./export')).exportCommand,
  verify: async () => (await import('./verify')).verifyCommand,
  demo: async () => (await import('./demo')).demoCommand,
};

async function usage(): Promise<string> {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const commands = await Promise.all(
    Object.entries(COMMANDS).map(async ([name, load]) => [name, await load()] as const),
  );
  const list = commands.map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: onion-election [options] <command> [options]',
    '',
    'Run an anonymous election among peers over Tor onion services: no server, no authority.',
    '',
    'Commands:',
    ...list,
    '',
    'Example: onion-election -n alice -p PEER.onion -a SELF.onion -c socks5h://localhost:9050 --vote yes new',
    'Where Tor is blocked: onion-election -n alice --builtin-bridges obfs4 new (or --bridge LINE, --bridges-file F,',
    '--builtin-bridges snowflake, --upstream-proxy URL: saved in the data folder; see `onion-election new --help`).',
    'Run `onion-election <command> --help` for the options of a command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  // `onion-election [options] --dashboard` with no command: the dashboard command.
  const [name = values.dashboard ? 'dashboard' : undefined, ...args] = positionals;
  if (name === undefined || name === 'help') {
    console.log(await usage());
    return name === undefined && !values.help ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) throw new UsageError(`unknown command "${name}"\n\n${await usage()}`);
  const command = await load();
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
