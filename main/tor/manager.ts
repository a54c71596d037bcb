// The runner's tor: either one it starts and owns (managed), or one already running that it borrows
// through its control port (attached: a system tor, Tor Browser's). Either way the runner gets the
// SOCKS proxy for reaching peers (`socksUrl`), bootstrap progress, and one onion service whose key
// lives in the runner's data folder, so that its .onion address survives restarts.
//
// Files, all in <data folder>/tor (mode 0700): torrc and torrc-defaults (written at each start),
// data/ (tor's DataDirectory), control-port (tor writes its port there), tor.log (tor's own log, for
// the user), onion-key (the service's secret key, 0600). The cookie and the key are never logged.
import { EventEmitter } from 'node:events';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../crypto/errors';
import { parsePeerAddress } from '../net/address';
import {
  BOOTSTRAP_UNKNOWN,
  type BootstrapStatus,
  describeBootstrap,
  parseBootstrapStatus,
} from './bootstrap';
import { TorControl, type TorEvent } from './control';
import { parseArguments } from './control-protocol';
import { messageOf, TorError } from './errors';
import { findTor } from './find-tor';
import { parseCircuitStatus, type TorHealth, torHealth } from './health';
import { readOnionKey, writeOnionKey } from './onion-key';
import { prepareServiceDir, readServiceDir } from './service-dir';
import { isExpectedWarning, TorProcess } from './tor-process';
import { checkTorrcLines, defaultTemplatePath, renderTemplate, torrcValue } from './torrc';

export type { BootstrapStatus } from './bootstrap';
export type { TorCondition, TorHealth } from './health';

export interface TorManagerOptions {
  /** The runner's data folder; tor's files go in `<dataDir>/tor`. */
  readonly dataDir: string;
  /** Tor's output lines (warnings; never secrets). */
  readonly log?: (line: string) => void;
  /** Each control command (default 10 s). */
  readonly controlTimeoutMs?: number;
}

export interface StartTorOptions extends TorManagerOptions {
  /** The tor program; default: bundled under `resourcesDir`, else installed (PATH, /usr/sbin, …). */
  readonly torPath?: string;
  /** The app's resources folder, holding a bundled `tor/tor` (`tor\tor.exe` on Windows). */
  readonly resourcesDir?: string;
  /** Default: tor/torrc.template of the checkout. */
  readonly templatePath?: string;
  /** Lines appended to the torrc, e.g. a private network's DirAuthority lines. */
  readonly extraTorrcLines?: readonly string[];
  /**
   * The folder tor runs in (default: this process's): connectionTorrc's `workingDir`, the folder of
   * the transport programs its lines name relative to it.
   */
  readonly workingDir?: string;
  /** A fixed SOCKS port on 127.0.0.1; default: a free one chosen by tor. */
  readonly socksPort?: number;
  /** Until tor's control port is up (default 30 s). */
  readonly startTimeoutMs?: number;
}

export interface AttachTorOptions extends TorManagerOptions {
  /** Default 127.0.0.1. */
  readonly controlHost?: string;
  readonly controlPort: number;
  /** Default: the cookie file the tor names. */
  readonly cookieFile?: string;
  readonly password?: string;
}

export interface WaitForBootstrapOptions {
  /** Fail when the progress has not moved for this long (default 120 s). */
  readonly stallMs?: number;
  /** Fail after this long whatever the progress (default: no limit but the stall). */
  readonly timeoutMs?: number;
}

export interface PublishOptions {
  /** The port peers connect to at the .onion address (default 80). */
  readonly virtualPort?: number;
  /** Resolve once tor has uploaded the service's descriptor (default true). */
  readonly waitForUpload?: boolean;
  /** For the upload (default 180 s). */
  readonly timeoutMs?: number;
  /**
   * Managed tor only (see circuitSocketPath()): publish the service as a HiddenServiceDir that
   * forwards to this Unix socket, each connection starting with tor's PROXY header naming its
   * circuit (HiddenServiceExportCircuitID haproxy), instead of ADD_ONION to targetPort.
   */
  readonly socketPath?: string;
}

export interface OnionService {
  /** `<56 base32>.onion`, checksum verified. */
  readonly address: string;
  readonly serviceId: string;
  readonly virtualPort: number;
  /** The port on 127.0.0.1 tor forwards to (or would, without `socketPath`). */
  readonly targetPort: number;
  /** Tor forwards to this Unix socket, with a PROXY header naming each connection's circuit. */
  readonly socketPath?: string;
}

interface TorManagerEvents {
  bootstrap: [BootstrapStatus];
  /** What the user is told changed: connecting, connected, unreachable, reconnecting (./health.ts). */
  health: [TorHealth];
  /** A warning from tor (its log, or a bootstrap problem). */
  warning: [string];
  /** Tor went away while in use (never after stop()). */
  exit: [TorError];
}

export const DEFAULT_STALL_MS = 120_000;
export const DEFAULT_PUBLISH_TIMEOUT_MS = 180_000;
/** Longest Unix socket path used (sun_path holds 108 bytes on Linux, 104 on macOS, NUL included). */
const MAX_SOCKET_PATH_BYTES = 100;
/** Tor's log lines saying what a `WARN BOOTSTRAP` status event says (with a relay's address). */
const BOOTSTRAP_ECHOES = [
  /^Problem bootstrapping\./,
  /^\d+ connections have failed:$/,
  /^\s*\d+ connections died in state /,
];
/** Tor is asked how its circuits are this often: its answer, or silence, keeps `health` true. */
const PROBE_MS = 5000;
/** tor.log is moved to tor.log.1 at start once larger than this. */
const MAX_LOG_BYTES = 10 * 1024 * 1024;

export class TorManager extends EventEmitter<TorManagerEvents> {
  private status: BootstrapStatus = BOOTSTRAP_UNKNOWN;
  private progressAt = Date.now();
  private warningText: string | undefined;
  private socks: { host: string; port: number } | undefined;
  /** Services whose descriptor tor has uploaded at least once (HS_DESC UPLOADED), and why not. */
  private readonly uploaded = new Set<string>();
  private readonly uploadFailures = new Map<string, string>();
  private readonly signals = new EventEmitter<{ uploaded: [string]; gone: [TorError] }>();
  private gone: TorError | undefined;
  private stopping = false;
  /** The HiddenServiceDir service, once published. */
  private dirServiceId: string | undefined;
  /** The last bootstrap problem since the progress last moved (./health.ts). */
  private problem: { at: number; words: string } | undefined;
  /** False from CIRCUIT_NOT_ESTABLISHED (or tor answering 0) until circuits work again. */
  private circuits = { ok: true, why: undefined as string | undefined };
  private healthValue: TorHealth = { condition: 'connecting' };
  private readonly healthTimer: NodeJS.Timeout;
  private probedAt = 0;

  private constructor(
    readonly mode: 'managed' | 'attached',
    /** The control connection, for what this class does not wrap. */
    readonly control: TorControl,
    /** `<dataDir>/tor`. */
    readonly torDir: string,
    private readonly tor: TorProcess | undefined,
  ) {
    super();
    this.signals.setMaxListeners(0);
    this.healthTimer = setInterval(() => this.checkHealth(), 1000);
    this.healthTimer.unref();
    control.on('event', (event) => this.onEvent(event));
    control.on('close', (reason) => {
      this.lost(reason ?? new TorError('closed', 'the control connection to tor was closed'));
    });
    if (tor) {
      tor.onProblem = (text) => this.warn(text);
      void tor.exited.then((exit) => {
        const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
        this.lost(new TorError('exited', `tor ${how}${tor.lastProblemText()}`));
      });
    }
  }

  /** Starts a tor of our own, configured from tor/torrc.template, and connects to it. */
  static async start(options: StartTorOptions): Promise<TorManager> {
    const found = findTor(options);
    // Full paths: tor may run in another folder (workingDir).
    const torDir = await privateDir(path.resolve(options.dataDir, 'tor'));
    const files = torFiles(torDir);
    await privateDir(files.dataDirectory);
    await rotateLog(files.logFile);
    const template = await readFile(options.templatePath ?? defaultTemplatePath(), 'utf8');
    const socksPort =
      options.socksPort === undefined ? 'auto' : String(checkPort(options.socksPort, 'socksPort'));
    const torrc = renderTemplate(template, {
      dataDirectory: torrcValue(files.dataDirectory),
      socksPort: `127.0.0.1:${socksPort}`,
      controlPortFile: torrcValue(files.controlPortFile),
      cookieFile: torrcValue(files.cookieFile),
      ownerPid: String(process.pid),
      noticeLog: torrcValue(`notice file ${files.logFile}`),
    });
    const extra = checkTorrcLines(options.extraTorrcLines ?? []);
    const text = `${torrc.trimEnd()}\n${extra.length > 0 ? `\n# Extra lines from the runner's options\n${extra.join('\n')}\n` : ''}`;
    await writeFile(files.torrcFile, text, { mode: 0o600 });
    await writeFile(files.defaultsFile, '', { mode: 0o600 });

    const log = options.log ?? (() => {});
    const { tor, controlPort } = await TorProcess.start({
      torPath: found.path,
      torrcFile: files.torrcFile,
      defaultsFile: files.defaultsFile,
      controlPortFile: files.controlPortFile,
      env: found.source === 'bundled' ? bundledEnv(found.path) : process.env,
      ...(options.workingDir === undefined ? {} : { cwd: options.workingDir }),
      ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
      onLine: (line) => log(`tor: ${line}`),
    });
    let control: TorControl | undefined;
    try {
      control = await TorControl.connect({
        port: controlPort,
        cookieFile: files.cookieFile,
        ...(options.controlTimeoutMs === undefined ? {} : { timeoutMs: options.controlTimeoutMs }),
      });
      // Ownership: tor exits when this connection ends, which the OS does for us if we crash. The
      // PID option (only there to cover the start) is then reset, as control-spec advises.
      await control.takeOwnership();
      await control.resetConf(['__OwningControllerProcess']);
      const manager = new TorManager('managed', control, torDir, tor);
      await manager.init(['STATUS_CLIENT', 'HS_DESC']);
      return manager;
    } catch (error) {
      control?.close();
      await tor.stop(0);
      throw error;
    }
  }

  /** Uses a tor that is already running (system tor, Tor Browser) through its control port. */
  static async attach(options: AttachTorOptions): Promise<TorManager> {
    const torDir = await privateDir(path.join(options.dataDir, 'tor'));
    const control = await TorControl.connect({
      port: checkPort(options.controlPort, 'controlPort'),
      ...(options.controlHost === undefined ? {} : { host: options.controlHost }),
      ...(options.cookieFile === undefined ? {} : { cookieFile: options.cookieFile }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.controlTimeoutMs === undefined ? {} : { timeoutMs: options.controlTimeoutMs }),
    });
    try {
      const manager = new TorManager('attached', control, torDir, undefined);
      // Its log is not ours to read: its warnings come as events.
      await manager.init(['STATUS_CLIENT', 'HS_DESC', 'WARN', 'ERR']);
      return manager;
    } catch (error) {
      control.close();
      throw error;
    }
  }

  /** Tor's SOCKS proxy for reaching peers: `socks5h://127.0.0.1:PORT` (names resolved by tor). */
  get socksUrl(): string {
    const { host, port } = this.socks!;
    return `socks5h://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  get socksPort(): number {
    return this.socks!.port;
  }

  get bootstrap(): BootstrapStatus {
    return this.status;
  }

  /** The last warning tor gave (log line or bootstrap problem), if any. */
  get lastWarning(): string | undefined {
    return this.warningText;
  }

  /** Where a managed tor of the runner with this data folder keeps its log (there once it is gone). */
  static logFileOf(dataDir: string): string {
    return torFiles(path.join(dataDir, 'tor')).logFile;
  }

  /** Tor's own log (managed mode). */
  get logFile(): string | undefined {
    return this.tor ? torFiles(this.torDir).logFile : undefined;
  }

  get pid(): number | undefined {
    return this.tor?.pid;
  }

  /** What the user is told: connecting, connected, unreachable or reconnecting (./health.ts). */
  get health(): TorHealth {
    return this.healthValue;
  }

  /** Resolves when tor reports 100%; rejects when it stalls, exits, or `timeoutMs` passes. */
  waitForBootstrap(options: WaitForBootstrapOptions = {}): Promise<void> {
    if (this.gone) return Promise.reject(this.gone);
    if (this.status.progress >= 100) return Promise.resolve();
    const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    const started = Date.now();
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: TorError) => {
        clearInterval(timer);
        this.off('bootstrap', onBootstrap);
        this.signals.off('gone', finish);
        if (error) reject(error);
        else resolve();
      };
      const onBootstrap = (status: BootstrapStatus) => {
        if (status.progress >= 100) finish();
      };
      const timer = setInterval(
        () => {
          const now = Date.now();
          const quiet = now - Math.max(this.progressAt, started);
          if (quiet >= stallMs)
            finish(
              new TorError(
                'bootstrap-stalled',
                `tor's bootstrap made no progress for ${Math.round(quiet / 1000)} s, stuck at ` +
                  `${describeBootstrap(this.status)}${this.warningSuffix()}`,
              ),
            );
          else if (options.timeoutMs !== undefined && now - started >= options.timeoutMs)
            finish(
              new TorError(
                'timeout',
                `tor did not bootstrap within ${options.timeoutMs} ms, at ${describeBootstrap(this.status)}` +
                  this.warningSuffix(),
              ),
            );
        },
        Math.max(10, Math.min(1000, stallMs / 4)),
      );
      this.on('bootstrap', onBootstrap);
      this.signals.on('gone', finish);
    });
  }

  /**
   * Where the peer API should listen for this tor (`<dataDir>/tor/peer-api.sock`) so that each
   * connection's circuit is known, or undefined where that cannot be: an attached tor (its onion
   * services are not ours to configure with SETCONF, which would replace the ones it has, and it
   * may not reach our folder), Windows (tor has no Unix socket targets there), or a data folder
   * whose path is too long for a Unix socket. Those publish with ADD_ONION and the peer API shares
   * its limits per connection.
   */
  circuitSocketPath(): string | undefined {
    if (this.mode !== 'managed' || process.platform === 'win32') return undefined;
    const socketPath = torFiles(this.torDir).apiSocket;
    return Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH_BYTES ? socketPath : undefined;
  }

  /**
   * Publishes this runner's onion service: peers reaching `<address>:virtualPort` are forwarded to
   * 127.0.0.1:targetPort (or to `options.socketPath`, with circuit IDs). The key is
   * `<dataDir>/tor/onion-key`, made on first use, so the address is the same at every start. The
   * service ends with the control connection (stop()), when tor does.
   */
  async publishService(targetPort: number, options: PublishOptions = {}): Promise<OnionService> {
    if (this.gone) throw this.gone;
    const virtualPort = checkPort(options.virtualPort ?? 80, 'virtualPort');
    checkPort(targetPort, 'targetPort');
    if (options.socketPath !== undefined) return this.publishServiceDir(targetPort, virtualPort, options);
    const keyFile = torFiles(this.torDir).onionKeyFile;
    const key = await readOnionKey(keyFile);
    const added = await this.control.addOnion({
      keyBlob: key ?? 'NEW:ED25519-V3',
      ports: [{ virtual: virtualPort, target: `127.0.0.1:${targetPort}` }],
    });
    const { serviceId } = added;
    this.uploaded.delete(serviceId);
    this.uploadFailures.delete(serviceId);
    try {
      if (key === undefined) {
        if (added.privateKey === undefined)
          throw new TorError('protocol', 'ADD_ONION returned no key to keep');
        await writeOnionKey(keyFile, added.privateKey);
      }
      const service: OnionService = { address: onionAddress(serviceId), serviceId, virtualPort, targetPort };
      if (options.waitForUpload ?? true)
        await this.waitForUpload(service, options.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS);
      return service;
    } catch (error) {
      // A service we cannot stand behind is withdrawn, so that a retry starts clean.
      await this.control.delOnion(serviceId).catch(() => {});
      throw error;
    }
  }

  /** Withdraws a published service. */
  async removeService(serviceId: string): Promise<void> {
    if (serviceId === this.dirServiceId) {
      await this.control.resetConf(['HiddenServiceDir']);
      this.dirServiceId = undefined;
    } else {
      await this.control.delOnion(serviceId);
    }
  }

  /**
   * The service as a HiddenServiceDir (service-dir.ts says why), set with SETCONF: tor then writes
   * a PROXY header naming the circuit before each connection's data. The only service of a
   * managed tor, so SETCONF replacing every HiddenService option is what we want.
   */
  private async publishServiceDir(
    targetPort: number,
    virtualPort: number,
    options: PublishOptions,
  ): Promise<OnionService> {
    if (this.mode !== 'managed')
      throw new TorError('publish', 'an attached tor publishes with ADD_ONION: no circuit IDs (socketPath)');
    const socketPath = options.socketPath!;
    const files = torFiles(this.torDir);
    const key = await readOnionKey(files.onionKeyFile);
    await prepareServiceDir(files.serviceDir, key);
    this.uploaded.clear();
    this.uploadFailures.clear();
    await this.control.setConf([
      ['HiddenServiceDir', files.serviceDir],
      ['HiddenServicePort', `${virtualPort} unix:${torrcValue(socketPath)}`],
      ['HiddenServiceExportCircuitID', 'haproxy'],
    ]);
    try {
      const { blob, address } = await readServiceDir(files.serviceDir);
      if (key === undefined) await writeOnionKey(files.onionKeyFile, blob);
      else if (blob !== key) throw new TorError('publish', 'tor did not load the onion key it was given');
      const serviceId = address.slice(0, -'.onion'.length);
      this.dirServiceId = serviceId;
      const service: OnionService = { address, serviceId, virtualPort, targetPort, socketPath };
      if (options.waitForUpload ?? true)
        await this.waitForUpload(service, options.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS);
      return service;
    } catch (error) {
      // As with ADD_ONION: a service we cannot stand behind is withdrawn, so a retry starts clean.
      this.dirServiceId = undefined;
      await this.control.resetConf(['HiddenServiceDir']).catch(() => {});
      throw error;
    }
  }

  /**
   * SIGNAL NEWNYM: new streams get new circuits, and tor forgets what it cached about onion
   * services (descriptors, introduction points, pending rendezvous). Worth sending when an onion
   * peer that answered before stops answering: seen on the test network, a peer that connected
   * while the other end restarted waited on a dead rendezvous for minutes, every retry joining it,
   * until NEWNYM (tor accepts one every 10 s; more are delayed).
   */
  async newCircuits(): Promise<void> {
    if (this.gone) throw this.gone;
    await this.control.signal('NEWNYM');
  }

  /** Ends the control connection; a managed tor then exits (killed if it lingers). */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.healthTimer);
    // Anyone still waiting (bootstrap, an upload) is told, and later calls fail plainly.
    this.gone ??= new TorError('closed', 'tor was stopped');
    this.signals.emit('gone', this.gone);
    this.control.close();
    await this.tor?.stop(5000);
  }

  private async init(events: readonly string[]): Promise<void> {
    await this.control.setEvents(events);
    const info = await this.control.getInfo(['net/listeners/socks', 'status/bootstrap-phase']);
    this.socks = pickSocks(info.get('net/listeners/socks') ?? '');
    const status = parseBootstrapStatus(info.get('status/bootstrap-phase') ?? '');
    if (status) this.update(status);
  }

  private waitForUpload(service: OnionService, timeoutMs: number): Promise<void> {
    const { serviceId } = service;
    if (this.uploaded.has(serviceId)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: TorError) => {
        clearTimeout(timer);
        this.signals.off('uploaded', onUploaded);
        this.signals.off('gone', finish);
        if (error) reject(error);
        else resolve();
      };
      const onUploaded = (id: string) => {
        if (id === serviceId) finish();
      };
      const timer = setTimeout(() => {
        const failure = this.uploadFailures.get(serviceId);
        finish(
          new TorError(
            'publish',
            `the onion service ${service.address} was not published within ${Math.round(timeoutMs / 1000)} s ` +
              `(tor's bootstrap: ${describeBootstrap(this.status)}` +
              `${failure ? `; last upload failure: ${failure}` : ''})${this.warningSuffix()}`,
          ),
        );
      }, timeoutMs);
      this.signals.on('uploaded', onUploaded);
      this.signals.on('gone', finish);
    });
  }

  private onEvent(event: TorEvent): void {
    if (event.type === 'STATUS_CLIENT') {
      const status = parseBootstrapStatus(event.text);
      if (status) this.update(status);
      const circuits = parseCircuitStatus(event.text);
      if (circuits) {
        this.circuits = { ok: circuits.circuits, why: circuits.why };
        this.checkHealth();
      }
    } else if (event.type === 'HS_DESC') {
      // HS_DESC UPLOADED <service id> <auth> <hsdir> …; FAILED … REASON=…
      const { positional, named } = parseArguments(event.text);
      const [action, serviceId] = positional;
      if (serviceId === undefined) return;
      if (action === 'UPLOADED') {
        this.uploaded.add(serviceId);
        this.signals.emit('uploaded', serviceId);
      } else if (action === 'FAILED') {
        this.uploadFailures.set(serviceId, named.get('REASON') ?? 'unknown reason');
      }
    } else if (event.type === 'WARN' || event.type === 'ERR') {
      this.warn(event.text);
    }
  }

  /** Bootstrap progress only moves forward; a stale answer that arrives late is ignored. */
  private update(status: BootstrapStatus): void {
    if (status.progress < this.status.progress) return;
    const moved = status.progress > this.status.progress;
    if (moved) {
      this.progressAt = Date.now();
      this.problem = undefined;
      // 100 % means tor completed a circuit (its CIRCUIT_ESTABLISHED may come just before or after).
      if (status.progress >= 100) this.circuits = { ok: true, why: undefined };
    }
    if (status.problem) this.problem = { at: Date.now(), words: status.problem.words };
    const newWarning = status.warning !== undefined && status.warning !== this.status.warning;
    this.status = status;
    if (moved || newWarning) this.emit('bootstrap', status);
    if (newWarning) this.warn(status.warning!);
    this.checkHealth();
  }

  /**
   * Re-decides `health` (every second, and on every status from tor), and asks tor how its
   * circuits are every few seconds: a tor that does not answer is asleep (SIGSTOP, a laptop's
   * sleep), which nothing else would show, since a stopped tor says nothing.
   */
  private checkHealth(): void {
    if (this.gone || this.stopping) return;
    const now = Date.now();
    if (now - this.probedAt >= PROBE_MS && this.control.unansweredSince === undefined) {
      this.probedAt = now;
      const bootstrapped = this.status.progress >= 100;
      this.control.getInfo(['status/circuit-established']).then(
        (info) => {
          // Before 100 % tor has no circuit yet by definition: only the bootstrap counts then.
          const ok = info.get('status/circuit-established') === '1';
          if (bootstrapped && ok !== this.circuits.ok)
            this.circuits = ok ? { ok, why: undefined } : { ok, why: 'no working circuit' };
          this.checkHealth();
        },
        () => {}, // unanswered: the silence itself is the news (unansweredSince)
      );
    }
    const unanswered = this.control.unansweredSince;
    const health = torHealth(
      {
        progress: this.status.progress,
        progressAt: this.progressAt,
        ...(this.problem ? { problem: this.problem } : {}),
        circuits: this.circuits.ok,
        ...(this.circuits.why ? { circuitsWhy: this.circuits.why } : {}),
        ...(unanswered !== undefined ? { unansweredSince: unanswered } : {}),
      },
      now,
    );
    if (health.condition === this.healthValue.condition && health.why === this.healthValue.why) return;
    this.healthValue = health;
    this.emit('health', health);
  }

  private warn(text: string): void {
    // Tor logs its bootstrap problems too: the status events say them better (./bootstrap.ts).
    if (isExpectedWarning(text) || BOOTSTRAP_ECHOES.some((p) => p.test(text))) return;
    this.warningText = text.slice(0, 500);
    this.emit('warning', this.warningText);
  }

  private warningSuffix(): string {
    return this.warningText ? `; tor's last warning: ${this.warningText}` : '';
  }

  /** Tor or its control connection went away: everyone waiting is told, once. */
  private lost(error: TorError): void {
    if (this.stopping || this.gone) return;
    this.gone = error;
    clearInterval(this.healthTimer);
    this.control.close();
    void this.tor?.stop(0);
    this.signals.emit('gone', error);
    this.emit('exit', error);
  }
}

function torFiles(torDir: string) {
  return {
    torrcFile: path.join(torDir, 'torrc'),
    defaultsFile: path.join(torDir, 'torrc-defaults'),
    dataDirectory: path.join(torDir, 'data'),
    controlPortFile: path.join(torDir, 'control-port'),
    cookieFile: path.join(torDir, 'data', 'control_auth_cookie'),
    logFile: path.join(torDir, 'tor.log'),
    onionKeyFile: path.join(torDir, 'onion-key'),
    /** The HiddenServiceDir: tor's copy of the key, and the files it derives from it. */
    serviceDir: path.join(torDir, 'onion-service'),
    /** The peer API's Unix socket for this tor (connections with a PROXY header). */
    apiSocket: path.join(torDir, 'peer-api.sock'),
  };
}

/** Creates `dir` (and parents) and makes it 0700: tor refuses a DataDirectory others can read. */
async function privateDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await chmod(dir, 0o700);
  return dir;
}

async function rotateLog(file: string): Promise<void> {
  try {
    if ((await stat(file)).size > MAX_LOG_BYTES) await rename(file, `${file}.1`);
  } catch {
    // No log yet.
  }
}

/** A bundled tor on Linux carries its libraries (libevent, OpenSSL) beside it. */
function bundledEnv(torPath: string): NodeJS.ProcessEnv {
  if (process.platform !== 'linux') return process.env;
  const dir = path.dirname(torPath);
  const current = process.env.LD_LIBRARY_PATH;
  return { ...process.env, LD_LIBRARY_PATH: current ? `${dir}:${current}` : dir };
}

/** The first TCP SOCKS listener in `"127.0.0.1:9050" "unix:/run/tor/socks"`; a wildcard means loopback. */
export function pickSocks(listeners: string): { host: string; port: number } {
  for (const listener of parseArguments(listeners).positional) {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(listener);
    if (!m) continue;
    const port = Number(m[3]);
    if (m[2] !== undefined) return { host: m[2] === '0.0.0.0' ? '127.0.0.1' : m[2], port };
    return { host: m[1] === '::' ? '::1' : m[1]!, port };
  }
  throw new TorError(
    'start',
    `tor has no SOCKS port to reach peers through (listeners: ${listeners || 'none'}); set SocksPort in its torrc`,
  );
}

function onionAddress(serviceId: string): string {
  try {
    return parsePeerAddress(`${serviceId}.onion`, 'ServiceID').address;
  } catch (error) {
    throw new TorError('protocol', `tor gave an invalid onion address: ${messageOf(error)}`);
  }
}

function checkPort(port: number, name: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ValidationError(name, 'must be a port number from 1 to 65535');
  return port;
}
