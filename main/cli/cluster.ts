// Several runners as separate processes on this machine, in direct mode (loopback, no Tor) or each
// with its own tor on a private Tor network: what `onion-election demo` shows and what the
// integration tests drive. Each runner is a real
// `onion-election` process with its own data folder and peer API port; the cluster only starts,
// stops and watches them through their peer APIs.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PeerClient } from '../net/client';
import type { ResultResponse, StatusResponse } from '../net/messages';

export interface RunnerSpec {
  readonly name: string;
  readonly vote?: 'yes' | 'no';
  /** Peers, by runner name (their ports are the cluster's). */
  readonly peers: readonly string[];
  readonly extra?: readonly string[];
}

export interface Member {
  readonly spec: RunnerSpec;
  readonly port: number;
  readonly dir: string;
  readonly log: string;
  process?: ChildProcess;
  /** Over Tor: the runner's .onion address, once it has published it. */
  onion?: string | undefined;
}

export interface ClusterOptions {
  /**
   * Over Tor instead of direct: each runner starts its own tor with these extra torrc lines (a
   * private test network) and peers are named by .onion address.
   */
  readonly torrcExtra?: string;
}

/** The `onion-election` command (bin/ is two levels up from both main/cli and dist/cli). */
const BIN = fileURLToPath(new URL('../../bin/onion-election.mjs', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export class LocalCluster {
  readonly members = new Map<string, Member>();
  private readonly client = new PeerClient({ timeoutMs: 2000 });

  private constructor(
    readonly root: string,
    private readonly options: ClusterOptions,
  ) {}

  static async create(
    root: string,
    specs: readonly RunnerSpec[],
    options: ClusterOptions = {},
  ): Promise<LocalCluster> {
    const cluster = new LocalCluster(root, options);
    mkdirSync(root, { recursive: true, mode: 0o700 });
    for (const spec of specs) {
      const dir = path.join(root, spec.name);
      cluster.members.set(spec.name, {
        spec,
        port: await freePort(),
        dir,
        log: path.join(root, `${spec.name}.log`),
      });
    }
    return cluster;
  }

  member(name: string): Member {
    const m = this.members.get(name);
    if (!m) throw new Error(`no runner named ${name}`);
    return m;
  }

  /** The peer API on this machine (what the cluster itself polls). */
  address(name: string): string {
    return `127.0.0.1:${this.member(name).port}`;
  }

  /** How peers reach a runner: its .onion address over Tor, else its loopback address. */
  peerAddress(name: string): string | undefined {
    return this.options.torrcExtra ? this.member(name).onion : this.address(name);
  }

  /** Over Tor: resolves with the runner's .onion address once its log says it is reachable. */
  async waitOnion(name: string, timeoutMs = 240_000): Promise<string> {
    const m = this.member(name);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = /reachable as (\S+\.onion)/.exec(await readFile(m.log, 'utf8').catch(() => ''));
      if (found) {
        m.onion = found[1]!;
        return m.onion;
      }
      if (m.process?.exitCode != null)
        throw new Error(`${name} exited with status ${m.process.exitCode} (see ${m.log})`);
      if (Date.now() > deadline)
        throw new Error(`${name} published no onion service in ${timeoutMs / 1000} s (see ${m.log})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * Starts one runner process: `command` is new, join or start; `args` are extra options; `env`
   * extra environment variables (test hooks).
   */
  start(
    name: string,
    command: 'new' | 'join' | 'start',
    args: readonly string[] = [],
    env: Readonly<Record<string, string>> = {},
  ): ChildProcess {
    const m = this.member(name);
    // Over Tor, only peers whose onion address is known yet can be named.
    const peers = m.spec.peers.flatMap((p) => {
      const address = this.peerAddress(p);
      return address ? ['-p', address] : [];
    });
    const vote = m.spec.vote ? ['--vote', m.spec.vote] : [];
    const transport = this.options.torrcExtra ? ['--torrc-extra', this.options.torrcExtra] : ['--direct'];
    const argv = [
      BIN,
      '-n',
      name,
      '-d',
      m.dir,
      ...transport,
      '--port',
      String(m.port),
      '--threads',
      '1',
      ...vote,
      ...peers,
      ...(m.spec.extra ?? []),
      ...args,
      command,
    ];
    const child = spawn(process.execPath, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', ...env },
    });
    const out = createWriteStream(m.log, { flags: 'a' });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    m.process = child;
    return child;
  }

  /** Resolves once the runner's peer API answers (or rejects after `timeoutMs`). */
  async waitUp(name: string, timeoutMs = 30_000): Promise<StatusResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const exited = this.member(name).process?.exitCode;
      if (exited !== null && exited !== undefined)
        throw new Error(`${name} exited with status ${exited} (see ${this.member(name).log})`);
      try {
        return await this.client.status(this.address(name));
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`${name} did not come up: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  }

  async status(name: string): Promise<StatusResponse | undefined> {
    try {
      return await this.client.status(this.address(name));
    } catch {
      return undefined;
    }
  }

  async result(name: string): Promise<ResultResponse | undefined> {
    try {
      return await this.client.result(this.address(name));
    } catch {
      return undefined;
    }
  }

  /** Polls until `done` holds for every named runner's result, or rejects after `timeoutMs`. */
  async waitFor(
    names: readonly string[],
    done: (r: ResultResponse) => boolean,
    timeoutMs: number,
    onTick?: () => void,
  ): Promise<Map<string, ResultResponse>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      onTick?.();
      const results = await Promise.all(names.map(async (n) => [n, await this.result(n)] as const));
      if (results.every(([, r]) => r && done(r))) return new Map(results as [string, ResultResponse][]);
      if (Date.now() > deadline) {
        const where = results.map(([n, r]) => `${n}: height ${r?.height ?? '?'}`).join(', ');
        throw new Error(`timed out after ${timeoutMs / 1000} s (${where})`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  /** Stops a runner: SIGINT (clean shutdown), or SIGKILL to simulate a crash. */
  async stop(name: string, signal: 'SIGINT' | 'SIGKILL' = 'SIGINT'): Promise<void> {
    const child = this.member(name).process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(signal: 'SIGINT' | 'SIGKILL' = 'SIGINT'): Promise<void> {
    await Promise.all([...this.members.keys()].map((n) => this.stop(n, signal)));
  }
}
