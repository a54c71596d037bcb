// `new`, `join` and `start`: the three ways to run a runner, until Ctrl-C.

import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { encodeGenesis, type Genesis, makeGenesis, parseGenesis } from '../chain/genesis';
import { MAX_TARGET } from '../chain/pow/target';
import { Group } from '../crypto/group';
import { parsePeerAddress } from '../net/address';
import { Runner, type RunnerOptions } from '../net/runner';
import { ElectionNode, type NodeSettings } from '../node/election-node';
import type { Command } from './command';
import { dataDirOf, intOption, type OptionName, UsageError, type Values, voteOption } from './options';
import { attachProgress, formatResult } from './progress';
import { openTor } from './tor';

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
  'threads',
  'tor-path',
  'tor-control',
  'tor-cookie',
  'tor-password',
  'torrc-extra',
  'withhold-factor',
];
const ELECTION_OPTIONS: OptionName[] = [
  'title',
  'question',
  'talliers',
  'key-blocks',
  'vote-blocks',
  'confirmations',
  'difficulty',
];

const DEFAULT_SETTINGS: NodeSettings = { name: 'runner', mining: true, threads: os.availableParallelism() };

function settingsOf(values: Values): Partial<NodeSettings> {
  const vote = voteOption(values);
  return {
    name: values.name ?? 'runner',
    mining: !values['no-mining'],
    ...(vote === undefined ? {} : { vote }),
    ...(values.threads ? { threads: intOption(values, 'threads', 1, [1, 256]) } : {}),
    ...(values['withhold-factor'] ? { publishFactor: false } : {}),
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
  return {
    peers,
    direct,
    ...(direct || proxy === undefined ? {} : { proxy }),
    ...(self ? { self } : {}),
    port: intOption(values, 'port', 0, [0, 65535]),
  };
}

/** A peer address from an option: a bad one is a usage error (exit status 2). */
function addressOption(value: string, option: string) {
  try {
    return parsePeerAddress(value, option);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function genesisOf(values: Values): Genesis {
  const difficulty = intOption(values, 'difficulty', 2 ** 26, [1, 2 ** 34]);
  return makeGenesis({
    title: values.title ?? 'Onion Election',
    question: values.question ?? 'Do you agree?',
    group: Group.default(),
    nTalliers: intOption(values, 'talliers', 3, [1, 64]),
    nTalliersBlocks: intOption(values, 'key-blocks', 6, [1, 10_000]),
    nVoteBlocks: intOption(values, 'vote-blocks', 20, [1, 100_000]),
    confirmations: intOption(values, 'confirmations', 2, [0, 1000]),
    target: difficulty === 1 ? MAX_TARGET : MAX_TARGET / BigInt(difficulty),
    createdAt: Math.floor(Date.now() / 1000),
  });
}

export function describeElection(genesis: Genesis): string {
  const g = encodeGenesis(genesis);
  const expected = Number(MAX_TARGET / genesis.target);
  return [
    `  election  "${g.title}": ${g.question}`,
    `  id        ${genesis.idHex}`,
    `  phases    ${g.n_talliers_blocks} key blocks → ${g.n_talliers} talliers · ${g.n_vote_blocks} ballot blocks · ${g.confirmations} confirmation${g.confirmations === 1 ? '' : 's'}`,
    `  work      ~${expected >= 2 ** 20 ? `2^${Math.log2(expected).toFixed(1)}` : expected} hashes per block`,
  ].join('\n');
}

/**
 * Starts the runner's tor (unless --direct or a tor run by the user), then `open` (which creates
 * or opens the node), then runs until SIGINT/SIGTERM, printing progress; shuts down cleanly.
 */
async function run(
  values: Values,
  network: RunnerOptions,
  open: (proxy: string | undefined) => Promise<ElectionNode>,
): Promise<number> {
  const dir = dataDirOf(values);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tor = await openTor(values, dir, (line) => console.log(line));
  let node: ElectionNode;
  try {
    node = await open(network.proxy ?? tor?.socksUrl);
  } catch (error) {
    await tor?.stop();
    throw error;
  }
  return runUntilStopped(node, { ...network, ...(tor ? { tor } : {}) });
}

/** Runs until SIGINT/SIGTERM, printing progress; shuts down cleanly. */
async function runUntilStopped(node: ElectionNode, network: RunnerOptions): Promise<number> {
  const runner = await Runner.start(node, { ...network, log: (m) => console.log(`  · ${m}`) });
  console.log(`  runner    ${node.settings.name} · data ${node.dataDir.path}`);
  console.log(
    `  peer API  127.0.0.1:${runner.port}${runner.self ? ` · reachable as ${runner.self}` : ' · no --address: peers learn of this runner only if it is given to them'}`,
  );
  if (node.settings.vote === undefined)
    console.log('  note      no --vote given: this runner will not mine during the voting phase');
  for (const warning of node.startupWarnings) console.log(`  warning   ${warning}`);
  console.log('  Ctrl-C stops the runner.\n');
  attachProgress(runner);
  const done = node.resultState();
  if (done?.result) console.log(formatResult(done));
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
  await runner.close();
  console.log('stopped.');
  return 0;
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
    const settings = { ...DEFAULT_SETTINGS, ...settingsOf(values) };
    console.log(`onion-election · new election\n${describeElection(genesis)}`);
    return run(values, network, () => ElectionNode.create(dataDirOf(values), genesis, settings));
  },
};

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
    return run(values, network, async (proxy) => {
      const { genesis, from } = values.genesis
        ? { genesis: parseGenesis(JSON.parse(await readFile(values.genesis, 'utf8'))), from: values.genesis }
        : await Runner.fetchGenesis(network.peers, proxy);
      console.log(`onion-election · joining the election from ${from}\n${describeElection(genesis)}`);
      return ElectionNode.create(dataDirOf(values), genesis, settings);
    });
  },
};

export const startCommand: Command = {
  summary: 'run the election of an existing data folder again',
  usage: 'onion-election [options] start',
  description: 'Reopens a data folder (after a stop or a crash), catches up with its peers and runs.',
  options: RUN_OPTIONS,
  async run(values) {
    const network = networkOf(values);
    return run(values, network, async () => {
      const node = await ElectionNode.open(dataDirOf(values), settingsOf(values));
      console.log(`onion-election · resuming\n${describeElection(node.genesis)}`);
      return node;
    });
  },
};
