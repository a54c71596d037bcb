// A private Tor network on 127.0.0.1 for tests: three directory authorities and one to three relays,
// each its own tor process, made fresh in a temporary folder at every start. Nothing in it knows the
// public network: TestingTorNetwork only runs with our own DirAuthority lines, and every address is
// loopback. Client tors (a TorManager) join it with `clientTorrcLines`.
//
// Fresh every time because a network does not survive a restart: its certificates and consensus
// timing go stale, and restarted nodes looked fine for seconds, then failed most requests.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { findInstalled, findTor } from './find-tor';
import { defaultTemplatePath, renderTemplate, torrcValue } from './torrc';

const run = promisify(execFile);

export interface TestnetOptions {
  /** Plain relays besides the 3 authorities: 1 to 3 (default 1, enough for onion services). */
  readonly relays?: number;
  /** Seconds between consensus votes: 20 (the default, seen stable) or down to 10 (faster to start). */
  readonly votingIntervalSeconds?: number;
  readonly torPath?: string;
  readonly torGencertPath?: string;
  /** Keep the folder after stop(), for reading the nodes' logs. */
  readonly keep?: boolean;
  /**
   * Also an obfs4 bridge (`bridge1`): a relay outside the consensus, reached through obfs4proxy on
   * its own 127.0.0.1 port. Its line for clients: `bridgeLine()`.
   */
  readonly bridge?: boolean;
  /** The obfs4 program of the bridge (default: obfs4proxy, else lyrebird, installed). */
  readonly obfs4Path?: string;
}

export interface TestnetNode {
  readonly nickname: string;
  readonly role: 'authority' | 'relay' | 'bridge';
  readonly orPort: number;
  /** The bridge only: its obfs4 port on 127.0.0.1. */
  readonly obfs4Port: number | undefined;
  /** Authorities only. */
  readonly dirPort: number | undefined;
  readonly dir: string;
  readonly pid: number | undefined;
}

export interface Testnet {
  /** The temporary folder holding every node's data and `notice.log`. */
  readonly dir: string;
  readonly nodes: readonly TestnetNode[];
  /** What a client tor needs to use this network and nothing else (TorManager's extraTorrcLines). */
  readonly clientTorrcLines: readonly string[];
  /**
   * Resolves once an authority's consensus lists every node as running (the authorities as HSDirs):
   * the moment to start clients (default limit 120 s).
   */
  waitForConsensus(timeoutMs?: number): Promise<void>;
  /**
   * With `bridge`: the bridge's line, `obfs4 127.0.0.1:PORT FINGERPRINT cert=… iat-mode=0`, once
   * obfs4proxy has written it (pt_state/obfs4_bridgeline.txt) and tor its fingerprint.
   */
  bridgeLine(timeoutMs?: number): Promise<string>;
  /** SIGHUP to the relays: they retry their directory fetches at once instead of backing off. */
  hupRelays(): void;
  /** Kills every process of the network and removes its folder (unless `keep`). */
  stop(): Promise<void>;
}

/**
 * For a tor that must stay off every network: its only directory authority is a closed port on
 * 127.0.0.1, so it never connects anywhere and bootstraps no further than 5%. Enough to test
 * starting, the control port, onion keys and failures without a test network.
 */
export const ISOLATED_TORRC_LINES: readonly string[] = [
  'TestingTorNetwork 1',
  'UseDefaultFallbackDirs 0',
  `DirAuthority nowhere orport=1 no-v2 v3ident=${'A'.repeat(40)} 127.0.0.1:1 ${'B'.repeat(40)}`,
];

const AUTHORITIES = 3;

export async function startTestnet(options: TestnetOptions = {}): Promise<Testnet> {
  const relays = options.relays ?? 1;
  if (!Number.isInteger(relays) || relays < 1 || relays > 3) throw new Error('relays must be 1, 2 or 3');
  const votingInterval = options.votingIntervalSeconds ?? 20;
  if (!Number.isInteger(votingInterval) || votingInterval < 10)
    throw new Error('votingIntervalSeconds must be ≥ 10');
  // Tor wants vote delay + distribution delay below half the interval: 4 s each at 20 s, 2 s at 10 s.
  const voteDelay = Math.min(4, Math.floor((votingInterval / 2 - 1) / 2));
  const torPath = options.torPath ?? findTor().path;
  const gencert = options.torGencertPath ?? findInstalled('tor-gencert');
  if (!gencert) throw new Error('tor-gencert not found: it comes with tor (Debian/Ubuntu: apt install tor)');
  const obfs4 = options.bridge
    ? (options.obfs4Path ?? findInstalled('obfs4proxy') ?? findInstalled('lyrebird'))
    : undefined;
  if (options.bridge && !obfs4)
    throw new Error('obfs4proxy not found: the test bridge needs it (Debian/Ubuntu: apt install obfs4proxy)');
  const bridges = options.bridge ? 1 : 0;

  const dir = await mkdtemp(path.join(tmpdir(), 'onion-election-testnet-'));
  const children: ChildProcess[] = [];
  const killAll = () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  // Last resort if the test process ends without stop(): no tor may outlive it (the nodes also
  // watch our PID, but only every few seconds).
  process.on('exit', killAll);
  try {
    const templates = await readTemplates();
    // An ORPort for every node, a DirPort for each authority (relays are not directory caches),
    // an obfs4 port for the bridge.
    const nodeCount = AUTHORITIES + relays + bridges;
    const ports = await freePorts(nodeCount + AUTHORITIES + bridges);
    const specs = Array.from({ length: nodeCount }, (_, i) => {
      const role =
        i < AUTHORITIES
          ? ('authority' as const)
          : i < AUTHORITIES + relays
            ? ('relay' as const)
            : ('bridge' as const);
      const nickname =
        role === 'authority'
          ? `auth${i + 1}`
          : role === 'relay'
            ? `relay${i - AUTHORITIES + 1}`
            : `bridge${i - AUTHORITIES - relays + 1}`;
      const orPort = ports[i]!;
      const dirPort = role === 'authority' ? ports[nodeCount + i]! : undefined;
      const obfs4Port = role === 'bridge' ? ports[nodeCount + AUTHORITIES]! : undefined;
      return { role, nickname, orPort, dirPort, obfs4Port, dir: path.join(dir, nickname) };
    });
    const empty = path.join(dir, 'empty-torrc');
    await writeFile(empty, '');

    const dirAuthorities: string[] = [];
    for (const spec of specs) {
      await mkdir(path.join(spec.dir, 'keys'), { recursive: true, mode: 0o700 });
      if (spec.role !== 'authority') continue;
      const v3ident = await makeAuthorityKeys(gencert, spec.dir, spec.dirPort!);
      const fingerprint = await relayFingerprint(torPath, empty, spec);
      dirAuthorities.push(
        `DirAuthority ${spec.nickname} orport=${spec.orPort} no-v2 v3ident=${v3ident} 127.0.0.1:${spec.dirPort} ${fingerprint}`,
      );
    }

    const nodes: TestnetNode[] = [];
    for (const spec of specs) {
      const values = {
        dataDirectory: torrcValue(spec.dir),
        nickname: spec.nickname,
        orPort: String(spec.orPort),
        dirPort: String(spec.dirPort ?? 0),
        ownerPid: String(process.pid),
        noticeLog: torrcValue(`notice file ${path.join(spec.dir, 'notice.log')}`),
        votingInterval: String(votingInterval),
        voteDelay: String(voteDelay),
        ...(spec.role === 'bridge'
          ? { obfs4Port: String(spec.obfs4Port), obfs4proxy: torrcValue(obfs4!) }
          : {}),
      };
      const torrc = [
        renderTemplate(templates.common, values),
        renderTemplate(templates[spec.role], values),
        ...dirAuthorities,
        '',
      ].join('\n');
      const torrcFile = path.join(spec.dir, 'torrc');
      await writeFile(torrcFile, torrc);
      // Tor's output before its log opens (configuration errors) goes to a file beside the log.
      const out = openSync(path.join(spec.dir, 'stdout.log'), 'a');
      const child = spawn(torPath, ['--defaults-torrc', empty, '-f', torrcFile, '--RunAsDaemon', '0'], {
        stdio: ['ignore', out, out],
      });
      closeSync(out);
      children.push(child);
      nodes.push({ ...spec, pid: child.pid });
    }
    await Promise.all(specs.map((spec, i) => waitForListening(spec.orPort, children[i]!, spec.dir)));

    const clientTorrcLines = [...templateLines(templates.client), ...dirAuthorities];
    let stopped: Promise<void> | undefined;
    return {
      dir,
      nodes,
      clientTorrcLines,
      // The bridge is not in the consensus (it publishes no descriptor).
      waitForConsensus: (timeoutMs = 120_000) =>
        waitForConsensus(
          specs[0]!.dirPort!,
          specs.filter((s) => s.role !== 'bridge'),
          timeoutMs,
        ),
      bridgeLine: async (timeoutMs = 60_000) => {
        const bridge = specs.find((s) => s.role === 'bridge');
        if (!bridge) throw new Error('this test network has no bridge (startTestnet({ bridge: true }))');
        return readBridgeLine(bridge.dir, bridge.obfs4Port!, timeoutMs);
      },
      hupRelays: () => {
        for (const [i, child] of children.entries())
          if (specs[i]!.role === 'relay' && child.exitCode === null) child.kill('SIGHUP');
      },
      stop: () => {
        stopped ??= stopAll(children, killAll).then(async () => {
          process.off('exit', killAll);
          if (!options.keep) await rm(dir, { recursive: true, force: true });
        });
        return stopped;
      },
    };
  } catch (error) {
    await stopAll(children, killAll);
    process.off('exit', killAll);
    if (!options.keep) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function readTemplates() {
  const read = (name: string) => readFile(defaultTemplatePath(`testnet/${name}.torrc`), 'utf8');
  return {
    common: await read('common'),
    authority: await read('authority'),
    relay: await read('relay'),
    bridge: await read('bridge'),
    client: await read('client'),
  };
}

/** The option lines of a fragment: no comments, no blank lines. */
function templateLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * The bridge's line for clients: obfs4proxy writes `Bridge obfs4 <IP ADDRESS>:<PORT> <FINGERPRINT>
 * cert=… iat-mode=0` into pt_state/obfs4_bridgeline.txt once tor has started it; the fingerprint is
 * tor's (the `fingerprint` file of its data folder).
 */
async function readBridgeLine(dir: string, port: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const template = await readFile(path.join(dir, 'pt_state', 'obfs4_bridgeline.txt'), 'utf8').catch(
      () => '',
    );
    const fingerprint = await readFile(path.join(dir, 'fingerprint'), 'utf8').catch(() => '');
    const line = /^Bridge obfs4 <IP ADDRESS>:<PORT> <FINGERPRINT> (cert=\S+ iat-mode=\d)\s*$/m.exec(template);
    const fp = /^\S+ ([0-9A-F]{40})\s*$/m.exec(fingerprint);
    if (line && fp) return `obfs4 127.0.0.1:${port} ${fp[1]} ${line[1]}`;
    await sleep(200);
  }
  throw new Error(`the test bridge wrote no obfs4 bridge line within ${timeoutMs} ms (${dir})`);
}

/** The authority's v3 identity: `tor-gencert` makes its keys (empty passphrase on stdin). */
async function makeAuthorityKeys(gencert: string, dir: string, dirPort: number): Promise<string> {
  const keys = path.join(dir, 'keys');
  const certificate = path.join(keys, 'authority_certificate');
  const child = spawn(
    gencert,
    [
      '--create-identity-key',
      '--passphrase-fd',
      '0',
      '-m',
      '12',
      '-a',
      `127.0.0.1:${dirPort}`,
      '-i',
      path.join(keys, 'authority_identity_key'),
      '-s',
      path.join(keys, 'authority_signing_key'),
      '-c',
      certificate,
    ],
    { stdio: ['pipe', 'ignore', 'pipe'], cwd: dir },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin.end('\n');
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`tor-gencert failed (${code}): ${stderr.trim()}`);
  const m = /^fingerprint ([0-9A-F]{40})$/m.exec(readFileSync(certificate, 'utf8'));
  if (!m) throw new Error(`no fingerprint in ${certificate}`);
  return m[1]!;
}

/** The relay identity fingerprint of a node, made by `tor --list-fingerprint` in its data folder. */
async function relayFingerprint(
  torPath: string,
  empty: string,
  spec: { dir: string; orPort: number; nickname: string },
): Promise<string> {
  await run(
    torPath,
    [
      '--defaults-torrc',
      empty,
      '-f',
      empty,
      '--list-fingerprint',
      '--DataDirectory',
      spec.dir,
      '--ORPort',
      `127.0.0.1:${spec.orPort}`,
      '--Nickname',
      spec.nickname,
      '--ContactInfo',
      'nobody@example.invalid',
      '--Log',
      'err stderr',
    ],
    { timeout: 30_000 },
  );
  const m = /^\S+ ([0-9A-F]{40})$/m.exec(await readFile(path.join(spec.dir, 'fingerprint'), 'utf8'));
  if (!m) throw new Error(`no fingerprint for ${spec.nickname}`);
  return m[1]!;
}

/** `count` distinct ports free on 127.0.0.1 right now (held together so none is picked twice). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      servers.push(server);
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** Waits until a node accepts connections on its ORPort (it has read its torrc and started). */
async function waitForListening(port: number, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const output = await readFile(path.join(dir, 'stdout.log'), 'utf8').catch(() => '');
      const problem = output
        .split('\n')
        .filter((l) => /\[(warn|err)\]/.test(l) && !/see warnings above/.test(l));
      throw new Error(`a testnet node exited at start (${dir}): ${problem.at(-1) ?? output.slice(-300)}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`a testnet node did not open its ORPort ${port} within 20 s (${dir})`);
}

/**
 * Polls an authority until its current consensus lists every node as running and valid, and every
 * authority as an HSDir (relays are not directory caches here, so never HSDirs). Only then is the
 * network ready for onion services: the first consensus usually holds the authorities alone (a
 * relay publishes its descriptor only once it has a consensus), and a client that bootstraps on it
 * backs off from fetching the later relays' descriptors for minutes.
 */
async function waitForConsensus(
  dirPort: number,
  nodes: readonly { nickname: string; role: TestnetNode['role'] }[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = 'no consensus yet';
  while (Date.now() < deadline) {
    const consensus = await httpGet(dirPort, '/tor/status-vote/current/consensus');
    if (consensus !== undefined) {
      const flags = consensusFlags(consensus);
      const missing = nodes.filter(({ nickname, role }) => {
        const f = flags.get(nickname);
        return !f?.has('Running') || !f.has('Valid') || (role === 'authority' && !f.has('HSDir'));
      });
      if (missing.length === 0) return;
      seen = `the consensus lacks ${missing.map((n) => n.nickname).join(', ')}`;
    }
    await sleep(500);
  }
  throw new Error(`the test network was not ready within ${timeoutMs} ms: ${seen}`);
}

/** Each node's flags in a consensus document (`r nickname …` then `s Flag Flag …`). */
export function consensusFlags(consensus: string): Map<string, Set<string>> {
  const flags = new Map<string, Set<string>>();
  let nickname: string | undefined;
  for (const line of consensus.split('\n')) {
    if (line.startsWith('r ')) nickname = line.split(' ')[1];
    else if (line.startsWith('s ') && nickname !== undefined) {
      flags.set(nickname, new Set(line.slice(2).split(' ')));
      nickname = undefined;
    }
  }
  return flags;
}

/** The body of a 200 answer from a node's DirPort, or undefined (404 before the first vote, …). */
function httpGet(port: number, urlPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 5000 }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve(undefined);
        return;
      }
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve(body));
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/** SIGTERM (tor exits at once), then SIGKILL for any still there after 5 s. */
async function stopAll(children: readonly ChildProcess[], killAll: () => void): Promise<void> {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  const exits = running.map((c) => once(c, 'exit'));
  for (const child of running) child.kill('SIGTERM');
  const done = await Promise.race([Promise.all(exits).then(() => true), sleep(5000, false, { ref: false })]);
  if (!done) {
    killAll();
    await Promise.all(exits);
  }
}
