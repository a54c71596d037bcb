// One tor process: started with a torrc we wrote, watched until it writes its control port file,
// its output read for the warnings that explain a failure, and stopped by its PID.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { TorError } from './errors';

export interface TorProcessOptions {
  readonly torPath: string;
  readonly torrcFile: string;
  /** An empty file: a user's or distribution's torrc-defaults must not change our tor. */
  readonly defaultsFile: string;
  readonly controlPortFile: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The folder tor runs in (default: this process's); every file above must be a full path then. */
  readonly cwd?: string;
  /** Until the control port file appears (default 30 s). */
  readonly startTimeoutMs?: number;
  /** Each line tor prints (its warnings, and its notices before the log file opens). */
  readonly onLine?: (line: string) => void;
}

export interface TorExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Warnings tor prints in every private network or when run as root: true, but never the reason
 * something failed, so they are not kept as "the last warning".
 */
const EXPECTED_WARNINGS = [
  /^You are running Tor as root/,
  /^TestingTorNetwork is set/,
  /^You have used DirAuthority or AlternateDirAuthority/,
  /^Your log may contain sensitive information/,
];

/** A warning that says nothing about why something failed. */
export function isExpectedWarning(text: string): boolean {
  return EXPECTED_WARNINGS.some((p) => p.test(text));
}

export class TorProcess {
  /** The last warning or error tor printed, without its time stamp. */
  lastProblem: string | undefined;
  /** Told each warning or error tor prints (except expected ones). */
  onProblem: ((text: string) => void) | undefined;
  readonly exited: Promise<TorExit>;
  private exit: TorExit | undefined;
  /** The last few warnings, for explaining a failed start. */
  private readonly problems: string[] = [];

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** Starts tor and waits for its control port; on any failure the process is gone. */
  static async start(options: TorProcessOptions): Promise<{ tor: TorProcess; controlPort: number }> {
    await rm(options.controlPortFile, { force: true }); // a stale file would name a dead port
    const child = spawn(
      options.torPath,
      ['--defaults-torrc', options.defaultsFile, '-f', options.torrcFile, '--RunAsDaemon', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: options.env ?? process.env,
        windowsHide: true,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      },
    );
    const tor = new TorProcess(child);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      // Always drained: a full pipe would block tor.
      createInterface({ input: stream }).on('line', (line) => tor.read(line, options.onLine));
    }
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    try {
      while (Date.now() < deadline) {
        const port = await readControlPort(options.controlPortFile);
        if (port !== undefined) return { tor, controlPort: port };
        const outcome = await Promise.race([tor.exited, spawnError, sleep(100).then(() => undefined)]);
        if (outcome instanceof Error)
          throw new TorError('start', `cannot run ${options.torPath}: ${outcome.message}`);
        if (outcome !== undefined) {
          // Let the last lines of output arrive before explaining the exit with them.
          await sleep(50);
          throw tor.startFailure(outcome);
        }
      }
      throw new TorError(
        'timeout',
        `tor did not open its control port within ${options.startTimeoutMs ?? 30_000} ms${tor.lastProblemText()}`,
      );
    } catch (error) {
      await tor.stop(2000);
      throw error;
    }
  }

  /** Ends tor: waits `graceMs` for it to exit on its own, then SIGTERM, then SIGKILL. */
  async stop(graceMs = 5000): Promise<TorExit> {
    if (this.exit) return this.exit;
    if (this.child.pid === undefined) return { code: null, signal: null }; // it never started
    // Unreferenced timers: a finished race must not keep the process alive for the rest of the wait.
    const waited = await Promise.race([this.exited, sleep(graceMs, undefined, { ref: false })]);
    if (waited) return waited;
    this.child.kill('SIGTERM');
    const terminated = await Promise.race([this.exited, sleep(3000, undefined, { ref: false })]);
    if (terminated) return terminated;
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** ": tor's last warning: …", or nothing. */
  lastProblemText(): string {
    return this.lastProblem ? `; tor's last warning: ${this.lastProblem}` : '';
  }

  private read(line: string, onLine: ((line: string) => void) | undefined): void {
    onLine?.(line);
    const m = /\[(warn|err)\] (.*)$/.exec(line);
    // "Reading config failed--see warnings above." only points at the line that explains.
    if (!m || isExpectedWarning(m[2]!) || /see warnings above/i.test(m[2]!)) return;
    this.lastProblem = m[2]!.slice(0, 500);
    this.problems.push(this.lastProblem);
    if (this.problems.length > 5) this.problems.shift();
    this.onProblem?.(this.lastProblem);
  }

  private startFailure(exit: TorExit): TorError {
    const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
    const inUse = this.problems.find((p) => /Address already in use/i.test(p));
    if (inUse) return new TorError('port-in-use', `tor could not open a port, it is in use: ${inUse}`);
    const locked = this.problems.find((p) =>
      /another Tor process is running with the same data directory/i.test(p),
    );
    if (locked)
      return new TorError('start', `another tor is already using this runner's tor folder: ${locked}`);
    return new TorError(
      'start',
      `tor ${how} before opening its control port: ${this.lastProblem ?? 'it printed no warning'}`,
    );
  }
}

/** `PORT=127.0.0.1:9051` from ControlPortWriteToFile; undefined until tor has written it. */
async function readControlPort(file: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^PORT=(?:127\.0\.0\.1|\[::1\]):(\d{1,5})$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}
