// Every command-line option, parsed once for the whole command line so that options may stand
// before the command (`onion-election -n alice -p PEER new`) or after it. Each command lists the
// options it accepts; any other is refused with a clear message.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const OPTIONS = {
  name: { type: 'string', short: 'n' },
  'data-dir': { type: 'string', short: 'd' },
  peer: { type: 'string', short: 'p', multiple: true },
  address: { type: 'string', short: 'a' },
  proxy: { type: 'string', short: 'c' },
  direct: { type: 'boolean' },
  port: { type: 'string' },
  vote: { type: 'string' },
  'no-mining': { type: 'boolean' },
  anonymous: { type: 'boolean' },
  threads: { type: 'string' },
  title: { type: 'string' },
  question: { type: 'string' },
  talliers: { type: 'string' },
  quorum: { type: 'string' },
  'ceremony-blocks': { type: 'string' },
  'key-blocks': { type: 'string' },
  'vote-blocks': { type: 'string' },
  confirmations: { type: 'string' },
  difficulty: { type: 'string' },
  'withhold-factor': { type: 'boolean' },
  'corrupt-share': { type: 'boolean' },
  genesis: { type: 'string' },
  'tor-path': { type: 'string' },
  'tor-control': { type: 'string' },
  'tor-cookie': { type: 'string' },
  'tor-password': { type: 'string' },
  'torrc-extra': { type: 'string' },
  bridge: { type: 'string', multiple: true },
  'bridges-file': { type: 'string' },
  'builtin-bridges': { type: 'string' },
  'no-bridges': { type: 'boolean' },
  'upstream-proxy': { type: 'string' },
  'upstream-proxy-password-file': { type: 'string' },
  'no-upstream-proxy': { type: 'boolean' },
  'obfs4-path': { type: 'string' },
  'snowflake-path': { type: 'string' },
  dashboard: { type: 'boolean' },
  'dashboard-port': { type: 'string' },
  output: { type: 'string', short: 'o' },
  tracker: { type: 'string' },
  ballots: { type: 'string' },
  lobby: { type: 'boolean' },
  'admit-all': { type: 'boolean' },
  'start-with': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type OptionName = keyof typeof OPTIONS;
export type Values = ReturnType<typeof parseCommandLine>['values'];

/** One line of help per option, in the order commands list them. */
export const OPTION_HELP: Record<OptionName, string> = {
  name: '-n, --name NAME        runner name: miner label, data folder ~/.onion-election/NAME (default "runner")',
  'data-dir': '-d, --data-dir DIR     data folder (instead of the one from --name)',
  peer: '-p, --peer ADDRESS     a peer or an invitation: xxx.onion (through Tor), onion-election://join/…, or 127.0.0.1:PORT (--direct); repeatable',
  address:
    "-a, --address ADDRESS  this runner's own .onion address, told to peers (--direct: 127.0.0.1:PORT)",
  proxy:
    '-c, --proxy URL        a tor you run yourself: its SOCKS proxy, socks5h://host:port (with -a; a proxy between your tor and the network is --upstream-proxy)',
  direct: '    --direct           no Tor: peers are 127.0.0.1:PORT on this machine (demos, tests)',
  port: '    --port PORT        port of the peer API on 127.0.0.1 (default: any free port)',
  vote: "    --vote yes|no      this runner's vote; without it, it does not mine while voting",
  'no-mining': '    --no-mining        do not mine (follow and verify only)',
  anonymous: '    --anonymous        mine with an empty miner label (blocks do not name this runner)',
  threads: '    --threads N        mining threads (default: all cores)',
  title: '    --title TEXT       election title (default "Onion Election")',
  question: '    --question TEXT    the yes/no question (default "Do you agree?")',
  talliers: '    --talliers N       talliers to elect (default 3)',
  quorum:
    '    --quorum T         any T of the talliers decrypt: backups for absent ones (default: all needed)',
  'ceremony-blocks':
    '    --ceremony-blocks N  with --quorum: blocks of the key ceremony, dealings in the first half (default 6)',
  'key-blocks': '    --key-blocks N     blocks of the key election (default 6)',
  'vote-blocks': '    --vote-blocks N    blocks of the voting phase: one ballot each (default 20)',
  confirmations: '    --confirmations N  blocks after the last ballot before the tally is fixed (default 2)',
  difficulty: '    --difficulty N     expected hashes per block, e.g. 2^26 (default 2^26)',
  'withhold-factor': '    --withhold-factor  (testing) never publish this tallier’s decryption factor',
  'corrupt-share':
    '    --corrupt-share    (testing) deal a wrong key share to the next tallier (threshold talliers)',
  genesis: '    --genesis FILE     join from a genesis.json received out of band, not from a peer',
  'tor-path': '    --tor-path PATH    the tor program to start (default: bundled, else tor on PATH)',
  'tor-control':
    '    --tor-control HOST:PORT  use an existing tor (system tor, Tor Browser) through its control port',
  'tor-cookie': '    --tor-cookie FILE  its control cookie (default: the file that tor names)',
  'tor-password': '    --tor-password PW  its control password, instead of a cookie',
  'torrc-extra': '    --torrc-extra FILE extra torrc lines for the started tor (e.g. a private test network)',
  bridge:
    "    --bridge LINE      reach Tor through this bridge (obfs4 IP:PORT FINGERPRINT cert=… iat-mode=0, snowflake …, or IP:PORT); repeatable; saved in the data folder's connection settings",
  'bridges-file':
    '    --bridges-file F   bridge lines from a file, one a line (# comments and blank lines skipped); saved',
  'builtin-bridges':
    "    --builtin-bridges obfs4|snowflake  the Tor Browser's built-in bridges of that kind (for a censored network); saved",
  'no-bridges': '    --no-bridges       connect to Tor directly again (forget the saved bridges)',
  'upstream-proxy':
    '    --upstream-proxy URL  reach Tor through a proxy: socks4://HOST:PORT, socks5://[USER:PASSWORD@]HOST:PORT or https://[USER:PASSWORD@]HOST:PORT; saved (the file is 0600)',
  'upstream-proxy-password-file':
    "    --upstream-proxy-password-file F  the upstream proxy's password, read from file F (its first line), not given in the URL where others could see it in the list of processes; saved",
  'no-upstream-proxy': '    --no-upstream-proxy  forget the saved upstream proxy',
  'obfs4-path':
    '    --obfs4-path PATH  the obfs4 program (default: bundled lyrebird, else lyrebird or obfs4proxy installed); saved',
  'snowflake-path':
    '    --snowflake-path PATH  the snowflake program (default: bundled, else snowflake-client installed); saved',
  dashboard:
    '    --dashboard        serve the web dashboard on 127.0.0.1 and print its address (with an access token)',
  'dashboard-port': '    --dashboard-port N port of the web dashboard (default: any free port)',
  output: '-o, --output FILE      write to FILE instead of standard output',
  tracker: "    --tracker T        a ballot's tracker (its receipt, 16+ hex digits): is that ballot counted?",
  ballots:
    "    --ballots RULE     per-voter: each admitted person votes once (their last ballot counts); per-block (default): each block found while voting carries its finder's ballot",
  lobby:
    '    --lobby            open a waiting room first (per-voter always does): joiners ask, you admit, then start',
  'admit-all': '    --admit-all        (lobby) admit every request as it arrives',
  'start-with': '    --start-with N     (lobby) start once N runners are admitted, you included',
  help: '-h, --help             this help',
};

export function parseCommandLine(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Refuses options the command does not take. */
export function checkAccepted(command: string, values: Values, accepted: readonly OptionName[]): void {
  for (const key of Object.keys(values) as OptionName[]) {
    if (key !== 'help' && !accepted.includes(key)) {
      throw new UsageError(`${command} does not take --${key} (see onion-election ${command} --help)`);
    }
  }
}

export function dataDirOf(values: Values): string {
  if (values['data-dir']) return path.resolve(values['data-dir']);
  const home = process.env.ONION_ELECTION_HOME ?? path.join(os.homedir(), '.onion-election');
  return path.join(home, values.name ?? 'runner');
}

/** A whole number in [min, max] from an option, accepting 2^k too. */
export function intOption(
  values: Values,
  key: OptionName,
  fallback: number,
  [min, max]: [number, number],
): number {
  const raw = values[key];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string') throw new UsageError(`--${key} takes a number`);
  const power = /^2\^(\d{1,2})$/.exec(raw);
  const n = power ? 2 ** Number(power[1]) : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${key} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return n;
}

export function voteOption(values: Values): 0 | 1 | undefined {
  const raw = values.vote?.toLowerCase();
  if (raw === undefined) return undefined;
  if (raw === 'yes' || raw === '1') return 1;
  if (raw === 'no' || raw === '0') return 0;
  throw new UsageError(`--vote takes yes or no, not "${values.vote}"`);
}
