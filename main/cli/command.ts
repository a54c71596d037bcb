// The shape of a subcommand. Help text is assembled from its description and its options.
import { OPTION_HELP, type OptionName, type Values } from './options';

export interface Command {
  /** One line for the command list. */
  readonly summary: string;
  /** e.g. `onion-election [options] new` */
  readonly usage: string;
  /** Paragraphs shown by --help. */
  readonly description: string;
  readonly options: readonly OptionName[];
  /** Runs with the parsed options and the positional arguments after the command name. */
  run(values: Values, args: string[]): Promise<number>;
}

export function helpOf(command: Command): string {
  const options = command.options.map((o) => `  ${OPTION_HELP[o]}`);
  return [
    `Usage: ${command.usage}`,
    '',
    command.description,
    ...(options.length ? ['', 'Options:', ...options] : []),
  ].join('\n');
}
