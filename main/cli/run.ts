// `new`, `join`, `start` and the dashboard: the ways to run a runner, until Ctrl-C. All of them go
// through the engine (main/app/engine.ts), as the desktop app does.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import packageJson from '../../package.json' with { type: 'json' };
import { type DashboardServer, serveDashboard } from '../app/dashboard-server';
import { Engine, type LaunchChoice } from '../app/engine';
import { genesisFromForm, lobbyParamsFromForm } from '../app/requests';
import { encodeGenesis, type Genesis, LIMITS, parseGenesis } from '../chain/genesis';
import { MAX_TARGET } from '../chain/pow/target';
import { questionRules } from '../chain/questions';
import { describeSums } from '../crypto/choices';
import { ValidationError } from '../crypto/errors';
import { readJson } from '../crypto/json';
import { parsePeerAddress } from '../net/address';
import { parseInvitation } from '../net/invitation';
import type { RunnerOptions } from '../net/runner';
import type { ElectionNode, NodeSettings } from '../node/election-node';
import { holdsElection } from '../store/data-dir';
import { strictUtf8 } from '../store/utf8';
import type { Command } from './command';
import {
  dataDirOf,
  intOption,
  type OptionName,
  type QuestionOption,
  questionsOption,
  UsageError,
  type Values,
  voteFor,
} from './options';
import { attachProgress, formatResult } from './progress';
import { CONNECTION_OPTIONS, connectionChanges, saveConnectionOptions, torConfigOf } from './tor';

const VERSION = packageJson.version;

const RUN_OPTIONS: OptionName[] = [
  'name',
  'data-dir',
  'peer',
  'address',
  'proxy',
  'direct',
  'port',
  'vote',
  'no-mining',
  'anonymous',
  'threads',
  'tor-path',
  'tor-control',
  'tor-cookie',
  'tor-password',
  'torrc-extra',
  ...CONNECTION_OPTIONS,
  'withhold-factor',
  'corrupt-share',
  'dashboard',
  'dashboard-port',
];
const ELECTION_OPTIONS: OptionName[] = [
  'ballots',
  'lobby',
  'admit-all',
  'start-with',
  'title',
  'question',
  'option',
  'choose',
  'talliers',
  'quorum',
  'ceremony-blocks',
  'key-blocks',
  'vote-blocks',
  'confirmations',
  'difficulty',
];

const DEFAULT_SETTINGS: NodeSettings = { name: 'runner', mining: true, threads: os.availableParallelism() };

/** The settings the options give. The vote is not among them: it is read against the election (voteFor). */
function settingsOf(values: Values): Partial<NodeSettings> {
  return {
    // Without -n the name stays as saved (`start -d DIR` must not rename a runner); `new` and
    // `join` fall back to DEFAULT_SETTINGS' name.
    ...(values.name ? { name: values.name } : {}),
    mining: !values['no-mining'],
    ...(values.anonymous ? { anonymous: true } : {}),
    ...(values.threads ? { threads: intOption(values, 'threads', 1, [1, 256]) } : {}),
    ...(values['withhold-factor'] ? { publishFactor: false } : {}),
    ...(values['corrupt-share'] ? { corruptShare: true } : {}),
  };
}

/** Peers and transport from the options: --direct means loopback peers, else .onion through Tor. */
function networkOf(values: Values): RunnerOptions & { peers: string[] } {
  const direct = values.direct ?? false;
  const peers = (values.peer ?? []).map((p) => {
    const parsed = addressOption(p, '--peer');
    if (direct && parsed.kind === 'onion')
      throw new UsageError(`--direct takes 127.0.0.1:PORT peers, not ${p}`);
    return parsed.address;
  });
  const proxy = values.proxy;
  if (proxy !== undefined && !/^socks5h:\/\//.test(proxy)) {
    throw new UsageError(`--proxy must be socks5h://host:port (names resolved by Tor), not ${proxy}`);
  }
  const self = values.address ? addressOption(values.address, '--address').address : undefined;
  connectionChanges(values); // checked now, saved when the engine opens
  return {
    peers,
    direct,
    ...(direct || proxy === undefined ? {} : { proxy }),
    ...(self ? { self } : {}),
    port: intOption(values, 'port', 0, [0, 65535]),
  };
}

/**
 * A peer address from an option (an invitation link, http://…/ or a bare address; the link's
 * election id is kept): a bad one is a usage error (exit status 2).
 */
function addressOption(value: string, option: string) {
  try {
    const invitation = parseInvitation(value, option);
    return { ...parsePeerAddress(invitation.address, option), electionId: invitation.electionId };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The election form from the options (the desktop app fills the same form). */
function formOf(values: Values) {
  const rule = values.ballots ?? 'per-block';
  if (rule !== 'per-block' && rule !== 'per-voter')
    throw new UsageError(`--ballots takes per-voter or per-block, not "${rule}"`);
  const questions = questionsOption(values);
  return {
    title: values.title ?? 'Onion Election',
    question: questions ? introOf(questions) : (values.question?.[0] ?? 'Do you agree?'),
    ...(questions ? { questions } : {}),
    nTalliers: intOption(values, 'talliers', 3, [1, 64]),
    nTalliersBlocks: intOption(values, 'key-blocks', 6, [1, 10_000]),
    nVoteBlocks: intOption(values, 'vote-blocks', 20, [1, 100_000]),
    confirmations: intOption(values, 'confirmations', 2, [0, 1000]),
    difficulty: intOption(values, 'difficulty', 2 ** 26, [1, 2 ** 34]),
    ballotRule: rule as 'per-block' | 'per-voter',
    name: values.name ?? DEFAULT_SETTINGS.name,
    vote: null,
    ...thresholdOf(values),
  };
}

/**
 * With questions the genesis' `question` introduces them: the one question's text, or the texts
 * of several, as much as fits.
 */
function introOf(questions: readonly QuestionOption[]): string {
  if (questions.length === 1) return questions[0]!.question;
  let intro = `${questions.length} questions: ${questions.map((q) => q.question).join(' · ')}`;
  while (Buffer.byteLength(intro, 'utf8') > LIMITS.questionBytes)
    intro = `${[...intro].slice(0, -2).join('')}…`;
  return intro;
}

/** --quorum T (and --ceremony-blocks N, default 6): threshold talliers; neither: all needed. */
function thresholdOf(values: Values): { quorum?: number; ceremonyBlocks?: number } {
  if (values.quorum === undefined) {
    if (values['ceremony-blocks'] !== undefined) throw new UsageError('--ceremony-blocks needs --quorum');
    return {};
  }
  return {
    quorum: intOption(values, 'quorum', 1, [...LIMITS.thresholdTalliers]),
    ceremonyBlocks: intOption(values, 'ceremony-blocks', 6, [...LIMITS.nCeremonyBlocks]),
  };
}

export function genesisOf(values: Values): Genesis {
  try {
    return genesisFromForm(formOf(values));
  } catch (error) {
    // The counts and the difficulty were range-checked as options above: what the genesis can still
    // refuse is --title or --question, whose form fields have the options' names.
    if (error instanceof ValidationError) throw new UsageError(`--${error.field}: ${error.reason}`);
    throw error;
  }
}

/** The built dashboard: dist/renderer, beside dist/cli when bundled, else in the checkout. */
export function builtDashboard(): string | undefined {
  for (const candidate of ['../renderer/', '../../dist/renderer/']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path.join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

function rendererDir(): string {
  const dir = builtDashboard();
  if (!dir) throw new Error('the dashboard is not built: run `npm run build` first');
  return dir;
}

export function describeElection(genesis: Genesis): string {
  const g = encodeGenesis(genesis);
  const expected = Number(MAX_TARGET / genesis.target);
  return [
    `  election  "${g.title}": ${g.question}`,
    ...(genesis.questions ?? []).flatMap((q, i) => [
      `  question ${i + 1}  ${q.text} (choose ${describeSums(questionRules([q])[0]!)})`,
      ...q.options.map((label, j) => `              ${j + 1}. ${label}`),
    ]),
    `  id        ${genesis.idHex}`,
    `  phases    ${g.n_talliers_blocks} key blocks → ${g.n_talliers} talliers${g.quorum !== undefined ? ` · ${g.n_ceremony_blocks} key-backup blocks (any ${g.quorum} talliers decrypt)` : ''} · ${g.n_vote_blocks} ballot blocks · ${g.confirmations} confirmation${g.confirmations === 1 ? '' : 's'}`,
    `  work      ~${expected >= 2 ** 20 ? `2^${Math.log2(expected).toFixed(1)}` : expected} hashes per block`,
    genesis.ballotRule === 'per-voter'
      ? `  ballots   one vote per person: ${genesis.roster.length} registered voter${genesis.roster.length === 1 ? '' : 's'}, each one's last ballot counts`
      : '  ballots   one per block found while voting (more computing power, more ballots)',
  ].join('\n');
}

/**
 * Runs a runner through the engine until SIGINT/SIGTERM: tor (unless --direct or the user's own),
 * then `choice` (create, join or open the data folder), then the network; prints progress and, with
 * --dashboard, serves the web dashboard. Shuts down cleanly.
 */
async function run(
  values: Values,
  network: ReturnType<typeof networkOf>,
  choice: LaunchChoice,
): Promise<number> {
  const engine = await openEngine(values, network, { start: false });
  // Ctrl-C while tor connects (which may take long: the start waits for a network that comes back)
  // stops it cleanly too: tor stopped, the data folder unlocked, exit 0.
  let interrupted = false;
  const stop = () => {
    interrupted = true;
    void engine.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await engine.launch(choice);
  } catch (error) {
    await engine.close();
    if (interrupted) return 0;
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (interrupted) {
    await engine.close();
    return 0;
  }
  return runUntilStopped(engine, values);
}

/** The engine for the options: data folder, tor, peer API port, peers. Nothing runs yet. */
export async function openEngine(
  values: Values,
  network: ReturnType<typeof networkOf>,
  options: { start: boolean },
): Promise<Engine> {
  const saved = await saveConnectionOptions(values, dataDirOf(values));
  if (saved) console.log(`  tor       connection settings saved: ${saved}`);
  const engine = await Engine.open({
    dataDir: dataDirOf(values),
    version: VERSION,
    tor: await torConfigOf(values),
    peers: network.peers,
    ...(values.port ? { port: network.port } : {}),
    defaults: DEFAULT_SETTINGS,
    overrides: settingsOf(values),
    start: options.start,
    log: (line) =>
      console.log(line.startsWith('tor') || line.startsWith('warning') ? `  ${line}` : `  · ${line}`),
  });
  printTorProgress(engine);
  return engine;
}

function printTorProgress(engine: Engine): void {
  let shown = -1;
  engine.onEvent(({ event }) => {
    if (event.type !== 'tor' || event.tor.mode === 'off' || event.tor.stage !== 'bootstrapping') return;
    if (event.tor.progress === shown) return;
    shown = event.tor.progress;
    console.log(`  tor       ${String(shown).padStart(3)}% ${event.tor.summary}`);
  });
}

/** The --vote lines, read against the runner's election (its questions), as its vote. */
async function applyVote(node: ElectionNode, values: Values): Promise<void> {
  const vote = voteFor(node.genesis, values);
  if (vote !== undefined) await node.setVote(vote);
}

/** Runs until SIGINT/SIGTERM, printing progress; shuts down cleanly. */
async function runUntilStopped(engine: Engine, values: Values): Promise<number> {
  const runner = engine.runner;
  let dashboard: DashboardServer | undefined;
  try {
    if (runner) {
      const { node } = runner;
      // Votes naming options are read against the election, known only now when joining.
      await applyVote(node, values);
      console.log(`  runner    ${node.settings.name} · data ${node.dataDir.path}`);
      console.log(
        `  peer API  127.0.0.1:${runner.port}${runner.self ? ` · reachable as ${runner.self}` : ' · no --address: peers learn of this runner only if it is given to them'}`,
      );
      if (node.settings.vote === undefined)
        console.log('  note      no --vote given: this runner will not mine during the voting phase');
    }
    if (values.dashboard) {
      dashboard = await startDashboard(engine, values);
      console.log(`  dashboard ${dashboard.url}`);
      console.log('            (open it in a browser on this machine; the link carries its access token)');
    }
    console.log('  Ctrl-C stops the runner.\n');
    if (runner) {
      attachProgress(runner);
      const done = runner.node.resultState();
      if (done?.result) console.log(formatResult(done, runner.node.genesis));
    } else {
      // Dashboard-only start on an empty folder: progress is printed once the user starts a runner.
      engine.onEvent(({ event }) => {
        if (event.type === 'stage' && event.stage === 'running' && engine.runner) {
          console.log(
            `  running   ${event.election?.title ?? ''} · reachable as ${event.self ?? '(unknown)'}`,
          );
          attachProgress(engine.runner);
          // A lobby's joiner learns the questions only now: its --vote lines are read against them.
          applyVote(engine.runner.node, values).catch((error: unknown) =>
            console.log(
              `  error     ${(error as Error).message}: no vote is cast (set it from --dashboard, or start again with other --vote)`,
            ),
          );
        }
        if (event.type === 'stage' && event.stage === 'error') console.log(`  error     ${event.error}`);
      });
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    console.log('\nstopping…');
  } finally {
    await dashboard?.close();
    await engine.close();
  }
  console.log('stopped.');
  return 0;
}

async function startDashboard(engine: Engine, values: Values): Promise<DashboardServer> {
  return serveDashboard(engine, {
    rendererDir: rendererDir(),
    port: intOption(values, 'dashboard-port', 0, [0, 65535]),
    log: (line) => console.log(`  ${line}`),
  });
}

export const newCommand: Command = {
  summary: 'create a new election and run it',
  usage: 'onion-election [options] new',
  description:
    'Creates an election with the given parameters in a new data folder, then runs: starts its tor and\nonion service, serves peers, mines, votes, and decrypts if elected tallier.',
  options: [...RUN_OPTIONS, ...ELECTION_OPTIONS],
  async run(values) {
    // Every option is checked before anything is written to disk.
    const genesis = genesisOf(values);
    const network = networkOf(values);
    const vote = voteFor(genesis, values);
    const settings = { ...DEFAULT_SETTINGS, ...settingsOf(values), ...(vote === undefined ? {} : { vote }) };
    const lobby = values.lobby || values.ballots === 'per-voter';
    if (!lobby) {
      if (values['admit-all'] || values['start-with'])
        throw new UsageError(
          '--admit-all and --start-with belong to a lobby (--lobby, or --ballots per-voter)',
        );
      console.log(`onion-election · new election\n${describeElection(genesis)}`);
      return run(values, network, { kind: 'create', genesis, settings });
    }
    const startWith = values['start-with'] ? intOption(values, 'start-with', 1, [1, 1000]) : undefined;
    if (startWith === undefined && !values.dashboard)
      throw new UsageError(
        'a lobby is run from the dashboard (--dashboard), or with --start-with N (and --admit-all)',
      );
    const params = lobbyParamsFromForm(formOf(values));
    console.log(
      `onion-election · new election: a lobby first (${params.ballotRule === 'per-voter' ? 'one vote per person' : 'one ballot per block found'})`,
    );
    const engine = await openEngine(values, network, { start: false });
    try {
      await engine.launch({ kind: 'host', params, settings });
    } catch (error) {
      await engine.close();
      throw error;
    }
    followLobby(engine, { admitAll: values['admit-all'] ?? false, ...(startWith ? { startWith } : {}) });
    return runUntilStopped(engine, values);
  },
};

/**
 * Prints the lobby as it fills (the invitation first, then each request), admits every request
 * with --admit-all, and starts once --start-with runners are admitted and the parameters work.
 */
function followLobby(engine: Engine, options: { admitAll: boolean; startWith?: number }): void {
  const shown = new Map<number, string>();
  let started = false;
  const look = () => {
    const lobby = engine.snapshot().state.lobby;
    if (lobby?.role !== 'organizer' || started) return;
    for (const p of lobby.participants) {
      if (p.organizer || shown.get(p.id) === p.status) continue;
      shown.set(p.id, p.status);
      console.log(
        `  lobby     #${p.id} ${p.name}: ${p.status}${p.credential ? ` (credential ${p.credential}…)` : ''}`,
      );
      if (p.status === 'waiting' && options.admitAll) void engine.call('admitJoiner', [p.id]).catch(() => {});
    }
    if (options.startWith !== undefined && lobby.admitted >= options.startWith && !lobby.startProblem) {
      started = true;
      console.log(`  lobby     ${lobby.admitted} admitted: starting`);
      void engine.call('startElection', []).catch((error: unknown) => {
        started = false;
        console.log(`  lobby     could not start: ${(error as Error).message}`);
      });
    }
  };
  const invitation = engine.snapshot().state.lobby?.invitation;
  console.log(`  invite    ${invitation ?? "(no address: give joiners this runner's address)"}`);
  console.log(
    options.startWith === undefined
      ? '  lobby     admit requests and start from the dashboard'
      : `  lobby     starts once ${options.startWith} runner${options.startWith === 1 ? ' is' : 's are'} admitted, you included${options.admitAll ? ' (every request admitted)' : ''}`,
  );
  engine.onEvent(({ event }) => {
    if (event.type === 'lobby') look();
  });
  look();
}

/** A joiner's lobby, as it goes: asked, waiting (how many admitted), admitted, refused. */
function followRequest(engine: Engine): void {
  let last = '';
  engine.onEvent(({ event }) => {
    if (event.type !== 'lobby' || event.lobby.role !== 'joiner') return;
    const l = event.lobby;
    const line = {
      asking: `asking ${l.organizer} to take part`,
      waiting: `waiting for ${l.organizer} to admit this runner and start (${l.admitted} admitted)`,
      admitted: `admitted: waiting for ${l.organizer} to start (${l.admitted} admitted)`,
      starting: `${l.organizer} started the election: joining it…`,
      refused: `${l.organizer} did not admit this runner`,
    }[l.status ?? 'asking'];
    const shown = l.unreachable ? `${line} · cannot reach ${l.organizer} now: ${l.unreachable}` : line;
    if (shown !== last) console.log(`  lobby     ${shown}`);
    last = shown;
  });
}

export const joinCommand: Command = {
  summary: "join a peer's election: fetch its genesis and run",
  usage: 'onion-election [options] -p PEER join',
  description:
    "Fetches the election's genesis from the first peer that answers (or reads it from --genesis),\nshows its id and parameters, creates a data folder for it and runs.",
  options: [...RUN_OPTIONS, 'genesis'],
  async run(values) {
    const network = networkOf(values);
    const settings = { ...DEFAULT_SETTINGS, ...settingsOf(values) };
    if (!values.genesis && network.peers.length === 0) {
      throw new UsageError('join needs a --peer to fetch the election from (or --genesis FILE)');
    }
    const genesis = values.genesis
      ? parseGenesis(readJson(strictUtf8(await readFile(values.genesis), values.genesis), 'genesis'))
      : undefined;
    console.log(`onion-election · joining the election from ${values.genesis ?? network.peers.join(', ')}`);
    if (genesis) {
      console.log(describeElection(genesis));
      return run(values, network, { kind: 'join', peers: network.peers, settings, genesis });
    }
    // An organizer's open lobby is asked; a running election is joined (the link's id checked).
    const first = (values.peer ?? [])[0]!;
    const { electionId } = addressOption(first, '--peer');
    const engine = await openEngine(values, network, { start: false });
    try {
      const preview = await engine.previewJoin(first);
      if (preview.kind === 'lobby') {
        console.log(
          `  lobby     "${preview.title}": ${preview.question} · organized by ${preview.organizer} · ${preview.ballotRule === 'per-voter' ? 'one vote per person' : 'one ballot per block found'}`,
        );
        followRequest(engine);
        await engine.launch({ kind: 'ask', organizer: preview.address, settings });
      } else {
        await engine.launch({
          kind: 'join',
          peers: network.peers,
          settings,
          ...(electionId ? { electionId } : {}),
        });
      }
    } catch (error) {
      await engine.close();
      throw error;
    }
    return runUntilStopped(engine, values);
  },
};

export const startCommand: Command = {
  summary: 'run the election of an existing data folder again',
  usage: 'onion-election [options] start',
  description: 'Reopens a data folder (after a stop or a crash), catches up with its peers and runs.',
  options: RUN_OPTIONS,
  async run(values) {
    const network = networkOf(values);
    if (!holdsElection(dataDirOf(values))) {
      throw new Error(`${dataDirOf(values)} holds no election (genesis.json is missing): use new or join`);
    }
    console.log('onion-election · resuming');
    return run(values, network, { kind: 'open', settings: settingsOf(values) });
  },
};

export const dashboardCommand: Command = {
  summary: 'serve the web dashboard: start or join an election from a browser, or watch this one',
  usage: 'onion-election [options] --dashboard  (or: onion-election [options] dashboard)',
  description: [
    "Serves the desktop app's dashboard on 127.0.0.1 and prints its address with an access token.",
    'If the data folder holds an election, the runner runs it; otherwise the dashboard offers to',
    'start a new election or join one. `new`, `join` and `start` take --dashboard too.',
  ].join('\n'),
  options: RUN_OPTIONS,
  async run(values) {
    const network = networkOf(values);
    const engine = await openEngine(values, network, { start: true });
    console.log(`onion-election · dashboard · data ${dataDirOf(values)}`);
    return runUntilStopped(engine, { ...values, dashboard: true });
  },
};
