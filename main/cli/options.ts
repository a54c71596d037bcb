// Every command-line option, parsed once for the whole command line so that options may stand
// before the command (`onion-election -n alice -p PEER new`) or after it. Each command lists the
// options it accepts; any other is refused with a clear message.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Genesis } from '../chain/genesis';
import { checkVote, type VoteChoice } from '../chain/votes';
import { ValidationError } from '../crypto/errors';

export const OPTIONS = {
  name: { type: 'string', short: 'n' },
  'data-dir': { type: 'string', short: 'd' },
  peer: { type: 'string', short: 'p', multiple: true },
  address: { type: 'string', short: 'a' },
  proxy: { type: 'string', short: 'c' },
  direct: { type: 'boolean' },
  port: { type: 'string' },
  vote: { type: 'string', multiple: true },
  'no-mining': { type: 'boolean' },
  anonymous: { type: 'boolean' },
  threads: { type: 'string' },
  title: { type: 'string' },
  question: { type: 'string', multiple: true },
  option: { type: 'string', multiple: true },
  choose: { type: 'string', multiple: true },
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
  vote: "    --vote yes|no      this runner's vote; without it, it does not mine while voting. With questions: one --vote per question, in order, naming the options chosen (labels or numbers from 1, comma-separated; none for a blank answer), e.g. --vote 'Ada,Chen' --vote 2",
  'no-mining': '    --no-mining        do not mine (follow and verify only)',
  anonymous: '    --anonymous        mine with an empty miner label (blocks do not name this runner)',
  threads: '    --threads N        mining threads (default: all cores)',
  title: '    --title TEXT       election title (default "Onion Election")',
  question:
    '    --question TEXT    the yes/no question (default "Do you agree?"); followed by --option, a question with choices (repeatable: up to 16 questions)',
  option:
    '    --option LABEL     an option of the --question before it (1 to 64 a question, 64 in all), in ballot order',
  choose:
    "    --choose RULE      how many options of the --question before it a ballot chooses: N (exactly), A-B, 'up to N', any (approval); add ' or none' to allow a blank answer (default 1)",
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
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
    tokens: true,
  });
  // --question, --option and --choose are read in order: each option belongs to the question before it.
  const order = tokens.flatMap((t) =>
    t.kind === 'option' && (t.name === 'question' || t.name === 'option' || t.name === 'choose')
      ? [{ name: t.name, value: t.value ?? '' }]
      : [],
  );
  questionTokens.set(values, order);
  return { values, positionals };
}

const questionTokens = new WeakMap<object, { name: string; value: string }[]>();

/** A question with choices as the command line gives it. */
export interface QuestionOption {
  readonly question: string;
  readonly options: string[];
  readonly min: number;
  readonly max: number;
  readonly blank: boolean;
}

/**
 * The questions of `new`: undefined for the one yes/no question (a lone --question without
 * options), else each --question with its --option labels and its --choose rule (default 1).
 */
export function questionsOption(values: Values): QuestionOption[] | undefined {
  const order = questionTokens.get(values) ?? [];
  if (!order.some((t) => t.name !== 'question')) {
    if ((values.question?.length ?? 0) > 1)
      throw new UsageError('several --question need their --option lines (a yes/no election asks one)');
    return undefined;
  }
  const questions: { question: string; options: string[]; choose?: string }[] = [];
  for (const { name, value } of order) {
    const last = questions.at(-1);
    if (name === 'question') questions.push({ question: value, options: [] });
    else if (!last) throw new UsageError(`--${name} "${value}" comes before any --question`);
    else if (name === 'option') last.options.push(value);
    else if (last.choose !== undefined) throw new UsageError(`--choose given twice for "${last.question}"`);
    else last.choose = value;
  }
  return questions.map((q) => {
    if (q.options.length === 0) throw new UsageError(`--question "${q.question}" has no --option`);
    return { question: q.question, options: q.options, ...chooseRule(q.choose ?? '1', q.options.length) };
  });
}

/** --choose: N, A-B, 'up to N' or any, and ' or none' for a blank answer. */
function chooseRule(raw: string, options: number): { min: number; max: number; blank: boolean } {
  const text = raw.trim().toLowerCase();
  const blank = / or none$/.test(text);
  const rule = text.replace(/ or none$/, '');
  const range =
    /^(\d+)$/
      .exec(rule)
      ?.slice(1, 2)
      .map(Number)
      .flatMap((n) => [n, n]) ??
    /^(\d+)-(\d+)$/.exec(rule)?.slice(1, 3).map(Number) ??
    /^up[ -]to[ -](\d+)$/
      .exec(rule)
      ?.slice(1, 2)
      .map(Number)
      .flatMap((n) => [0, n]) ??
    (rule === 'any' ? [0, options] : undefined);
  if (!range) throw new UsageError(`--choose takes N, A-B, 'up to N' or any (and ' or none'), not "${raw}"`);
  const [min, max] = range as [number, number];
  // With a minimum of 0 a blank answer is allowed already: 'up to 2 or none' says it twice.
  return { min, max, blank: blank && min > 0 };
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

/** A single --vote as a yes/no vote: 1, 0, or undefined when it is not yes/no/1/0. */
function yesNoVote(values: Values): 0 | 1 | undefined {
  const given = values.vote ?? [];
  if (given.length !== 1) return undefined;
  const raw = given[0]!.toLowerCase();
  if (raw === 'yes' || raw === '1') return 1;
  if (raw === 'no' || raw === '0') return 0;
  return undefined;
}

/**
 * The --vote lines for this election: yes/no, or per question the options chosen, by label
 * (any case) or by number from 1; "none" for no option. Throws UsageError for what does not fit.
 */
export function voteFor(genesis: Genesis, values: Values): VoteChoice | undefined {
  const given = values.vote ?? [];
  if (given.length === 0) return undefined;
  if (!genesis.questions) {
    const yesNo = yesNoVote(values);
    if (yesNo === undefined) throw new UsageError(`--vote takes yes or no, not "${given.join('", "')}"`);
    return yesNo;
  }
  const questions = genesis.questions;
  if (given.length !== questions.length)
    throw new UsageError(
      `this election asks ${questions.length} question${questions.length === 1 ? '' : 's'}: give one --vote for each, in order (${given.length} given)`,
    );
  const vote = questions.map((q, i) => {
    const text = given[i]!.trim();
    const listed = q.options.map((o, j) => `${j + 1} ${o}`).join(', ');
    const lower = (s: string) => s.toLowerCase();
    if (text === '' || (lower(text) === 'none' && !q.options.some((o) => lower(o) === 'none'))) return [];
    const chosen = text.split(',').map((part) => {
      const name = part.trim();
      // A label exactly, else the one label equal to it but for case; a number names by position.
      const exact = q.options.indexOf(name);
      const folded = q.options.flatMap((o, j) => (lower(o) === lower(name) ? [j] : []));
      const byLabel = exact >= 0 ? exact : folded.length === 1 ? folded[0]! : -1;
      const n = /^\d+$/.test(name) ? Number(name) : Number.NaN;
      const byNumber = n >= 1 && n <= q.options.length ? n - 1 : -1;
      if (byLabel >= 0 && byNumber >= 0 && byLabel !== byNumber)
        throw new UsageError(
          `--vote "${text}": "${name}" is both the label of option ${byLabel + 1} and the number of option ${byNumber + 1} of "${q.text}"; name it the other way (${listed})`,
        );
      if (byLabel >= 0 || byNumber >= 0) return byLabel >= 0 ? byLabel : byNumber;
      throw new UsageError(
        `--vote "${text}": "${name}" is not an option of "${q.text}" (${listed}${folded.length > 1 ? '; labels differing only in case: give the exact label or its number' : ''})`,
      );
    });
    return [...new Set(chosen)].sort((a, b) => a - b);
  });
  try {
    checkVote(genesis, vote);
  } catch (error) {
    if (error instanceof ValidationError) {
      const q = /^vote\[(\d+)\]/.exec(error.field)?.[1];
      const where = q === undefined ? '' : ` for "${questions[Number(q)]!.text}"`;
      throw new UsageError(`--vote${where}: ${error.reason}`);
    }
    throw error;
  }
  return vote;
}
