// The engine behind every UI: one runner's whole life in one object, from the first run (no
// election yet: create one or join one) through tor's bootstrap to the running election, with the
// state every UI shows kept as a snapshot and changed only by numbered events (main/api).
//
// The command line, the desktop app and the web dashboard all run a runner through this class, so
// there is one way to start tor, open the data folder and start the runner. It is transport-blind:
// Electron IPC (electron/main.ts) and HTTP (./dashboard-server.ts) both hand it `call(name, args)`
// and subscribe with `onEvent`; it validates every argument itself (./requests.ts).
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {
  ChainView,
  ConnectionForm,
  ConnectionView,
  DashboardState,
  ElectionRecordFile,
  EngineEvent,
  EngineRequests,
  JoinForm,
  JoinPreview,
  LaunchView,
  NewElectionForm,
  SequencedEvent,
  Snapshot,
  TorView,
  VoteChoice,
} from '../api/contract';
import { RequestError } from '../api/errors';
import { applyEvent } from '../api/reduce';
import type { BlockMeta } from '../chain/chain';
import { type Genesis, parseGenesis } from '../chain/genesis';
import { measureThreadHashrate } from '../chain/pow/benchmark';
import { ValidationError } from '../crypto/errors';
import { PeerClient } from '../net/client';
import { parseInvitation } from '../net/invitation';
import { Runner } from '../net/runner';
import { ElectionNode, type NodeSettings } from '../node/election-node';
import type { LobbyParams } from '../node/lobby';
import { holdsElection, holdsFile } from '../store/data-dir';
import { describeBootstrap } from '../tor/bootstrap';
import {
  builtinBridges,
  type ConnectionSettings,
  DEFAULT_CONNECTION,
  describeConnection,
  findTransport,
  readConnectionSettings,
  writeConnectionSettings,
} from '../tor/connection';
import { type BootstrapStatus, type TorHealth, TorManager } from '../tor/manager';
import type { EngineHost } from './dashboard-server';
import { HostedLobby, JoinRequest } from './lobby-session';
import { connectionFromForm, lobbyParamsFromForm, parseRequest } from './requests';
import { openTor, readTorLog, resolveTorConfig, type TorConfig, torLabel } from './tor-config';
import { RecordVerification } from './verification';
import {
  blockView,
  chainView,
  electionView,
  miningView,
  nodeVote,
  peerViews,
  receiptViews,
  reorgSummary,
  resultView,
  settingsView,
  storedBlockViews,
  torView,
} from './views';

export interface EngineOptions {
  /** The runner's data folder (created 0700 if missing). */
  readonly dataDir: string;
  /** The app's version, shown by the UI. */
  readonly version: string;
  readonly tor: TorConfig;
  /** Port of the peer API on 127.0.0.1 (default: the one saved in the folder, else any). */
  readonly port?: number;
  /** Peers to add at start (command line). */
  readonly peers?: readonly string[];
  /** Settings for the first run, before the user chooses (default name "runner", one thread per core). */
  readonly defaults?: Partial<NodeSettings>;
  /** Overrides of the saved settings at this start (command line options). */
  readonly overrides?: Partial<NodeSettings>;
  readonly syncIntervalMs?: number;
  /** Run the election the folder holds at once (default true); false: the caller calls `launch`. */
  readonly start?: boolean;
  /** Opens a folder in the system's file manager (the desktop app gives Electron's shell.openPath). */
  readonly openPath?: (folder: string) => Promise<boolean>;
  /** Progress and warnings, one line each (the command line prints them). Never secrets. */
  readonly log?: (line: string) => void;
}

/** What to run: the choice the user (or the command line) made, kept so that `retry` can redo it. */
export type LaunchChoice =
  | { readonly kind: 'create'; readonly genesis: Genesis; readonly settings: NodeSettings }
  | {
      readonly kind: 'join';
      readonly peers: readonly string[];
      readonly electionId?: string;
      readonly genesis?: Genesis;
      readonly settings: NodeSettings;
    }
  | { readonly kind: 'open'; readonly settings: Partial<NodeSettings> }
  /** Host a lobby: a new one with `params`, or the folder's (after a restart). */
  | { readonly kind: 'host'; readonly params?: LobbyParams; readonly settings?: NodeSettings }
  /** Ask an organizer's lobby to take part, or (`organizer` absent) resume the folder's request. */
  | {
      readonly kind: 'ask';
      readonly organizer?: string;
      readonly electionId?: string;
      readonly settings?: NodeSettings;
    };

/** Status lines kept from tor's log for the UI (its file may be long). */
const TOR_LOG_LINES = 200;
const POLL_MS = 2000;
/** A joiner asks the organizer how things stand this often (it also shows the joiner online). */
const LOBBY_POLL_MS = 3000;

export class Engine implements EngineHost {
  private state: DashboardState;
  private seq = 0;
  private readonly listeners = new Set<(event: SequencedEvent) => void>();
  private tor: Awaited<ReturnType<typeof openTor>> | undefined;
  private torStarting: Promise<NonNullable<Engine['tor']>> | undefined;
  private torStatus: BootstrapStatus | undefined;
  private torWarning: string | undefined;
  private runnerValue: Runner | undefined;
  private launching: Promise<void> | undefined;
  private lastLaunch: LaunchChoice | undefined;
  /** The start in progress, for `cancel`: its signal, and what it starts. */
  private launchControl: { readonly abort: AbortController; readonly kind: LaunchView['kind'] } | undefined;
  /** Look-ups in progress (previewJoin), for `cancel`. */
  private readonly lookups = new Set<AbortController>();
  /** Bumped when the engine stops its own tor (cancel): a start of that tor then ends quietly. */
  private torEpoch = 0;
  /** The tor settings the tor of `torStarting` was started with. */
  private torStartedWith: TorConfig | undefined;
  /**
   * A stop of the engine's own tor, or new connection settings being applied: a start of tor
   * meanwhile waits for it (two tors cannot share the folder, and none starts with old settings).
   */
  private torHold: Promise<void> | undefined;
  /** What tor's status says (main/tor/health.ts): the TorView's condition. */
  private torHealth: TorHealth | undefined;
  /** An attached tor's words (its log is not ours to read): bootstrap steps and warnings. */
  private readonly torLines: string[] = [];
  private lastReorg: ChainView['lastReorg'];
  /** The organizer's lobby, while hosting one. */
  private hosted: HostedLobby | undefined;
  /** A joiner's request, while waiting in a lobby. */
  private joining: JoinRequest | undefined;
  /** The request's own client: closing it ends a poll or a genesis fetch still under way. */
  private joiningClient: PeerClient | undefined;
  private lobbyTimer: NodeJS.Timeout | undefined;
  /** Re-checks the best chain's record whenever it has a result; a check settling shows it. */
  private readonly verification = new RecordVerification(() => {
    if (!this.closed) this.emitResult();
  });
  private readonly poller: NodeJS.Timeout;
  private closed = false;
  private readonly log: (line: string) => void;
  readonly maxThreads = os.availableParallelism();
  /** One mining thread's hashes per second, once measured (MiningView.threadHashrate). */
  private threadHashrate: number | undefined;

  /** The data folder's connection settings, and whether saved ones wait for the next start or Retry. */
  private connection: ConnectionSettings = DEFAULT_CONNECTION;
  private connectionPending = false;
  /** The tor the app or the command line chose; `options.tor` is it with the connection settings applied. */
  private baseTor: TorConfig | undefined;

  private constructor(private options: EngineOptions) {
    this.log = options.log ?? (() => {});
    const defaults = { name: 'runner', mining: true, threads: this.maxThreads, ...options.defaults };
    this.state = {
      version: options.version,
      stage: 'setup',
      dataDir: path.resolve(options.dataDir),
      // The user's own tor is ready as far as this runner can tell; one of its own is not yet.
      tor: this.torView(options.tor.mode === 'external' ? 'ready' : 'starting'),
      settings: settingsView(defaults),
      mining: { on: defaults.mining, threads: defaults.threads, maxThreads: this.maxThreads, hashrate: 0 },
      peers: [],
      blocks: [],
      warnings: [],
    };
    this.poller = setInterval(() => this.poll(), POLL_MS);
    this.poller.unref();
  }

  /**
   * An engine for a data folder: it runs the election the folder holds, else waits in 'setup' for
   * a `createElection` or `joinElection` (starting tor meanwhile, so it is ready when needed).
   */
  static async open(options: EngineOptions): Promise<Engine> {
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
    const engine = new Engine(options);
    await engine.loadConnection();
    if (options.start === false) return engine;
    // No election yet: how fast this computer mines, for the new-election form's estimate.
    if (!engine.hasElection()) void engine.measureHashrate();
    if (engine.hasElection())
      void engine.launch({ kind: 'open', settings: options.overrides ?? {} }).catch(() => {});
    else if (holdsFile(options.dataDir, 'lobby')) void engine.launch({ kind: 'host' }).catch(() => {});
    else if (holdsFile(options.dataDir, 'joining')) void engine.launch({ kind: 'ask' }).catch(() => {});
    else if (engine.ownsTor()) void engine.startTor().catch(() => {});
    return engine;
  }

  /** The running runner, once the stage is 'running'. */
  get runner(): Runner | undefined {
    return this.runnerValue;
  }

  hasElection(): boolean {
    return holdsElection(this.options.dataDir);
  }

  // ── The API (EngineHost) ────────────────────────────────────────────────────────────────────

  snapshot(): Snapshot {
    return { seq: this.seq, state: this.state };
  }

  onEvent(listener: (event: SequencedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One request from a UI, its arguments untrusted. Rejects with a message meant for the user. */
  async call(name: string, args: unknown[]): Promise<unknown> {
    const request = parseRequest(name, args, { maxThreads: this.maxThreads });
    const handler = this.handlers[request.name] as (...a: unknown[]) => unknown;
    return handler(...request.args);
  }

  private readonly handlers: {
    [K in keyof EngineRequests]: (
      ...args: Parameters<EngineRequests[K]>
    ) => Promise<ReturnType<EngineRequests[K]>> | ReturnType<EngineRequests[K]>;
  } = {
    snapshot: () => this.snapshot(),
    createElection: (form) => this.createElection(form),
    previewJoin: (peer) => this.previewJoin(peer),
    joinElection: (form) => this.joinElection(form),
    admitJoiner: (id) => this.decideJoiner(id, 'admitted'),
    refuseJoiner: (id) => this.decideJoiner(id, 'refused'),
    startElection: () => this.startElection(),
    leaveLobby: () => this.leaveLobby(),
    retry: () => this.retry(),
    cancel: () => this.cancel(),
    addPeer: (address) => this.addPeer(address),
    removePeer: (address) => this.removePeer(address),
    setMining: (on) => this.setMining(on),
    setThreads: (threads) => this.setThreads(threads),
    setVote: (vote) => this.setVote(vote),
    torLog: () => this.torLog(),
    exportRecord: () => this.exportRecord(),
    openDataFolder: () => this.openDataFolder(),
    connectionSettings: () => this.connectionView(),
    saveConnection: (form) => this.saveConnection(form),
  };

  // ── First run ───────────────────────────────────────────────────────────────────────────────

  /**
   * Opens a lobby for a new election (its parameters validated first, nothing written before):
   * joiners ask, the organizer admits them, and `startElection` fixes the genesis.
   */
  createElection(form: NewElectionForm): void {
    this.requireSetup();
    const params = lobbyParamsFromForm(form);
    const settings = this.settingsFrom(form.name, form.vote);
    void this.launch({ kind: 'host', params, settings }).catch(() => {});
  }

  /**
   * What an invitation or address leads to: an organizer's open lobby, or a running election. It
   * waits for tor to connect first; `cancel` ends the wait (tor goes on connecting).
   */
  async previewJoin(peer: string): Promise<JoinPreview> {
    this.requireSetup();
    const invitation = parseInvitation(peer, 'peer');
    const abort = new AbortController();
    this.lookups.add(abort);
    let client: PeerClient | undefined;
    const cancelled = new Promise<never>((_, reject) =>
      abort.signal.addEventListener('abort', () => reject(new RequestError('look-up cancelled')), {
        once: true,
      }),
    );
    cancelled.catch(() => {});
    const lookup = (async () => {
      const proxy = await this.proxyFor(invitation.address);
      if (abort.signal.aborted) throw new RequestError('look-up cancelled');
      client = new PeerClient(proxy ? { proxy } : {});
      return this.lookUp(client, invitation.address, invitation.electionId);
    })();
    lookup.catch(() => {}); // once cancelled, how it ends is nobody's business
    try {
      return await Promise.race([lookup, cancelled]);
    } finally {
      this.lookups.delete(abort);
      client?.close(); // a cancelled look-up's requests end now
    }
  }

  private async lookUp(
    client: PeerClient,
    address: string,
    electionId: string | undefined,
  ): Promise<JoinPreview> {
    const lobby = await client.lobby(address).catch(() => undefined);
    if (lobby && !lobby.started)
      return {
        kind: 'lobby',
        address,
        title: lobby.title,
        question: lobby.question,
        ballotRule: lobby.ballot_rule,
        organizer: lobby.organizer,
        admitted: lobby.admitted,
        ...(lobby.questions ? { questions: lobby.questions } : {}),
      };
    const genesis = parseGenesis(await client.genesis(address));
    if (electionId !== undefined && genesis.idHex !== electionId)
      throw new RequestError(
        `${address} now serves another election (${genesis.idHex.slice(0, 16)}…): not joined`,
      );
    return { kind: 'election', address, election: electionView(genesis) };
  }

  /** Asks an organizer's open lobby to take part, or joins a running election (its id checked). */
  joinElection(form: JoinForm): void {
    this.requireSetup();
    const invitation = parseInvitation(form.peer, 'peer');
    const electionId = form.electionId || invitation.electionId;
    const settings = this.settingsFrom(form.name, form.vote);
    const choice: LaunchChoice = electionId
      ? { kind: 'join', peers: [invitation.address], electionId, settings }
      : { kind: 'ask', organizer: invitation.address, settings };
    void this.launch(choice).catch(() => {});
  }

  // ── The lobby ───────────────────────────────────────────────────────────────────────────────

  private async decideJoiner(id: number, status: 'admitted' | 'refused'): Promise<void> {
    const hosted = this.requireHosting();
    try {
      await hosted.lobby.decide(id, status);
    } catch (error) {
      throw new RequestError((error as Error).message, 'id');
    }
    this.emitLobby();
  }

  /** Fixes the genesis with everyone admitted and runs the election on the lobby's own address. */
  startElection(): void {
    const hosted = this.requireHosting();
    const problem = hosted.lobby.startProblem();
    if (problem) throw new RequestError(`cannot start yet: ${problem}`);
    if (this.launching) throw new RequestError('the runner is already starting');
    const abort = new AbortController();
    this.launchControl = { abort, kind: 'start' };
    const launch: LaunchView = { kind: 'start', saved: 'lobby', title: hosted.lobby.params.title };
    this.emit({ type: 'stage', stage: 'starting', launch });
    // Nothing here waits long (tor is up, the lobby's onion service is handed over): a cancel lets
    // it finish, then stops the runner, the election saved.
    this.launching = (async () => {
      const { genesis, handOver } = await hosted.start();
      this.hosted = undefined;
      const node = await ElectionNode.create(this.options.dataDir, genesis, hosted.settings);
      await this.startRunner(node, [], this.tor, handOver, abort.signal);
    })().then(
      () => {
        this.launching = undefined;
        this.launchControl = undefined;
      },
      (error: unknown) => {
        this.launching = undefined;
        this.launchControl = undefined;
        if (abort.signal.aborted) return this.afterCancel('start');
        const saved = this.savedInFolder();
        this.emit({
          type: 'stage',
          stage: 'error',
          error: (error as Error).message,
          launch: { ...launch, saved },
        });
      },
    );
  }

  /** Leaves the lobby: the organizer closes it (its requests forgotten), a joiner withdraws. */
  async leaveLobby(): Promise<void> {
    if (this.state.stage === 'stopped' && !this.launching) return this.discardSaved();
    if (!this.hosted && !this.joining) throw new RequestError('not in a lobby');
    clearInterval(this.lobbyTimer);
    // Forgotten before anything is awaited: a poll under way finds it left and launches nothing.
    const { hosted } = this;
    this.hosted = undefined;
    const leaving = this.dropRequest(true);
    try {
      await hosted?.close(true);
      await leaving;
    } finally {
      this.emit({ type: 'stage', stage: 'setup' }); // polled no more either way
    }
  }

  private requireHosting(): HostedLobby {
    if (!this.hosted) throw new RequestError('this runner hosts no lobby');
    return this.hosted;
  }

  /** The lobby's view, when it changed (joiners' polls come every few seconds each). */
  private emitLobby(): void {
    const view = this.hosted?.view() ?? this.joining?.view();
    if (!view || this.closed || JSON.stringify(view) === JSON.stringify(this.state.lobby)) return;
    this.emit({ type: 'lobby', lobby: view });
  }

  /** A joiner's poll: the view follows; a start with this joiner in runs the election. */
  private async pollLobby(): Promise<void> {
    const joining = this.joining;
    if (!joining || this.launching) return;
    // Left, closed or replaced meanwhile: whatever the step brought is not this engine's any more.
    const current = () => this.joining === joining && !this.closed;
    let genesis: Genesis | undefined;
    try {
      genesis = await joining.step(() => {
        if (current()) this.emitLobby();
      });
    } catch (error) {
      if (!current()) return;
      // A started genesis failing a check: not joined; the folder (still holding the request) freed.
      await this.dropRequest();
      if (this.closed || this.launching) return; // something else began meanwhile
      const message = (error as Error).message;
      this.warn(`could not join the started election: ${message}`);
      // Retry resumes the saved request (it would meet the same genesis); Cancel leads to it.
      this.lastLaunch = { kind: 'ask' };
      const launch = { kind: 'ask' as const, saved: this.savedInFolder() };
      this.emit({ type: 'stage', stage: 'error', error: message, launch });
      return;
    }
    if (!current()) return;
    // Not served yet (or not reachable): said in the lobby's view, tried again at the next poll.
    if (!genesis) return this.emitLobby();
    await this.dropRequest();
    // Quit, or another start began, meanwhile: the request is still what the folder holds.
    if (this.closed || this.launching) return;
    await this.launch({
      kind: 'join',
      peers: [joining.organizer],
      genesis,
      settings: joining.settings,
    }).catch(() => {}); // a failed launch is its own stage, said by launch
  }

  /** Stops following the joiner's request: its polls, its client, its hold on the folder. */
  private async dropRequest(remove = false): Promise<void> {
    clearInterval(this.lobbyTimer);
    const { joining, joiningClient } = this;
    this.joining = undefined;
    this.joiningClient = undefined;
    joiningClient?.close(); // a poll or fetch under way ends now, not at its 30 s deadline
    await joining?.close(remove);
  }

  /** Runs an election: `create`, `join` or `open` the data folder, then start the runner. */
  launch(choice: LaunchChoice): Promise<void> {
    if (this.launching) return Promise.reject(new RequestError('the runner is already starting'));
    this.lastLaunch = choice;
    const abort = new AbortController();
    const launch = this.launchView(choice);
    this.launchControl = { abort, kind: launch.kind };
    this.emit({ type: 'stage', stage: 'starting', launch });
    this.launching = this.run(choice, abort.signal).then(
      () => {
        this.launching = undefined;
        this.launchControl = undefined;
        // In the lobby only now: a UI seeing the stage may start or leave at once.
        if (this.hosted || this.joining) {
          const self = this.hosted?.host.self;
          this.emit({ type: 'stage', stage: 'lobby', ...(self ? { self } : {}) });
          if (this.joining) void this.pollLobby().catch(() => {});
        }
      },
      (error: unknown) => {
        // Cleared before the stage changes, so a UI reacting to 'error' may choose again at once.
        this.launching = undefined;
        this.launchControl = undefined;
        if (abort.signal.aborted) {
          this.afterCancel(launch.kind);
          throw new RequestError('the start was cancelled');
        }
        const message = (error as Error).message;
        this.log(`could not start: ${message}`);
        const saved = this.savedInFolder();
        this.emit({ type: 'stage', stage: 'error', error: message, launch: { ...launch, saved } });
        throw error;
      },
    );
    return this.launching;
  }

  /**
   * The start itself. Each step that waits long waits on tor (its bootstrap, publishing, peers
   * reached through it), so `cancel` stops tor to end it at once; a step that finishes after a
   * cancel closes what it opened (`signal`), and what it wrote in the folder stays.
   */
  private async run(choice: LaunchChoice, signal: AbortSignal): Promise<void> {
    if (choice.kind === 'host' && choice.params && choice.settings) {
      // A new election is saved before anything waits: a cancelled or failed start keeps it.
      await HostedLobby.save(this.options.dataDir, choice.params, choice.settings);
      this.lastLaunch = { kind: 'host' };
      this.emit({
        type: 'stage',
        stage: 'starting',
        launch: { kind: 'lobby', saved: 'lobby', title: choice.params.title },
      });
      // Cancelled while it was saved: cancel stopped tor already; none is started again for it.
      cancelled(signal);
    }
    // New connection settings first; the wait for tor's bootstrap has no limit: both end at a cancel.
    await untilCancelled(this.torSettled(), signal);
    const tor = this.ownsTor() ? await untilCancelled(this.startTor(), signal) : undefined;
    cancelled(signal);
    const proxy = this.options.tor.mode === 'external' ? this.options.tor.proxy : tor?.socksUrl;
    if (choice.kind === 'host') return this.host(tor, signal);
    if (choice.kind === 'ask') return this.ask(choice, proxy, signal);
    let node: ElectionNode;
    if (choice.kind === 'create') {
      node = await ElectionNode.create(this.options.dataDir, choice.genesis, choice.settings);
    } else if (choice.kind === 'join') {
      const genesis = choice.genesis ?? (await this.fetchGenesis(choice.peers, choice.electionId, proxy));
      node = await ElectionNode.create(this.options.dataDir, genesis, choice.settings);
    } else {
      node = await ElectionNode.open(this.options.dataDir, choice.settings);
    }
    const peers = [...(this.options.peers ?? []), ...(choice.kind === 'join' ? choice.peers : [])];
    await this.startRunner(node, peers, tor, undefined, signal);
  }

  /** Serves the lobby (on the tor's onion service, or 127.0.0.1 on the direct transport). */
  private async host(tor: Engine['tor'], signal: AbortSignal): Promise<void> {
    if (tor) this.setTor('publishing');
    const mode = this.options.tor.mode;
    const hosted = await HostedLobby.open(this.options.dataDir, {
      host: {
        direct: mode === 'off',
        ...(tor ? { tor } : {}),
        ...(mode === 'external' ? { self: this.options.tor.self } : {}),
        port: this.options.port ?? 0,
        onChange: () => this.emitLobby(),
        log: this.log,
      },
    });
    if (this.closed || signal.aborted) {
      await hosted.close(); // served no more, still saved
      cancelled(signal);
      return;
    }
    this.hosted = hosted;
    if (tor) this.setTor('ready');
    this.emitLobby();
  }

  /** Asks an organizer to take part (or resumes the folder's request) and polls until it starts. */
  private async ask(
    choice: Extract<LaunchChoice, { kind: 'ask' }>,
    proxy: string | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const client = new PeerClient(proxy ? { proxy } : {});
    // A cancel (or quit) ends the asking at once, not when the organizer answers.
    const hangUp = () => client.close();
    signal.addEventListener('abort', hangUp, { once: true });
    let joining: JoinRequest;
    try {
      joining = choice.organizer
        ? await JoinRequest.ask(this.options.dataDir, client, {
            organizer: choice.organizer,
            ...(choice.electionId ? { electionId: choice.electionId } : {}),
            settings: choice.settings!,
          })
        : await JoinRequest.resume(this.options.dataDir, client);
    } catch (error) {
      client.close();
      throw error;
    } finally {
      signal.removeEventListener('abort', hangUp);
    }
    if (this.closed || signal.aborted) {
      client.close();
      await joining.close(); // polled no more, still saved
      cancelled(signal);
      return;
    }
    this.joining = joining;
    this.joiningClient = client;
    this.emitLobby();
    // Not unref'd: a joiner waiting in a lobby has nothing else keeping its process alive. The
    // first poll follows at once, when the launch has settled (launch's then).
    this.lobbyTimer = setInterval(() => void this.pollLobby().catch(() => {}), LOBBY_POLL_MS);
  }

  /** Starts the runner around an opened node (on the lobby's server when one is handed over). */
  private async startRunner(
    node: ElectionNode,
    peers: readonly string[],
    tor: Engine['tor'],
    handOver?: ReturnType<HostedLobby['host']['handOver']>,
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.closed || (signal?.aborted && !handOver)) {
      await node.close();
      if (signal) cancelled(signal);
      return;
    }
    for (const warning of node.startupWarnings) this.warn(warning);
    try {
      if (tor) this.setTor('publishing');
      const port = this.options.port ?? node.settings.port ?? 0;
      this.runnerValue = await Runner.start(node, {
        peers,
        port,
        direct: this.options.tor.mode === 'off',
        ...(this.options.tor.mode === 'external'
          ? { proxy: this.options.tor.proxy, self: this.options.tor.self }
          : {}),
        ...(tor ? { tor } : {}),
        ...(this.options.syncIntervalMs ? { syncIntervalMs: this.options.syncIntervalMs } : {}),
        ...(handOver ?? {}),
        log: this.log,
      });
      this.tor = undefined; // the runner owns it now and stops it on close
      this.torStarting = undefined;
    } catch (error) {
      await node.close();
      this.tor = undefined;
      this.torStarting = undefined;
      throw error;
    }
    if (signal?.aborted) {
      // Cancelled while it started: stopped again (its tor with it), the election saved.
      const runner = this.runnerValue;
      this.runnerValue = undefined;
      await runner?.close();
      throw new RequestError('the start was cancelled');
    }
    if (tor || this.options.tor.mode === 'external') {
      // Warnings from before the service was up did not stop it (tor.log keeps them all).
      this.torWarning = undefined;
      this.setTor('ready');
    }
    this.attach(this.runnerValue);
  }

  private async fetchGenesis(
    peers: readonly string[],
    electionId: string | undefined,
    proxy: string | undefined,
  ) {
    const { genesis, from } = await Runner.fetchGenesis(peers, proxy);
    if (electionId !== undefined && genesis.idHex !== electionId) {
      throw new RequestError(
        `${from} now serves another election (${genesis.idHex.slice(0, 16)}…): not joined`,
      );
    }
    return genesis;
  }

  /**
   * After a failure: a failed start is tried again with the same choice (and a new tor if it was
   * tor that failed); a tor of this runner's that failed or exited is started again — while
   * running, by restarting the runner on its folder, so its onion service is published anew.
   */
  async retry(): Promise<void> {
    const torFailed = this.ownsTor() && this.state.tor.stage === 'error';
    // Connection settings saved meanwhile apply now (while running, only when its tor failed).
    const stage = this.state.stage;
    if (
      this.connectionPending &&
      (stage === 'setup' || stage === 'error' || stage === 'stopped' || (stage === 'running' && torFailed))
    )
      await this.reconfigure();
    if (this.state.stage === 'stopped' && !this.launching) {
      // Start again what the folder holds (the start that was cancelled).
      const next = this.resumeChoice();
      if (next) return void this.launch(next).catch(() => {});
      this.emit({ type: 'stage', stage: 'setup' });
      return;
    }
    if (this.state.stage === 'setup' && torFailed) return void this.startTor().catch(() => {});
    if (this.state.stage === 'running' && torFailed && this.runnerValue) {
      const runner = this.runnerValue;
      this.runnerValue = undefined;
      await runner.close();
      return void this.launch({ kind: 'open', settings: {} }).catch(() => {});
    }
    if (this.state.stage !== 'error') throw new RequestError('nothing to retry: nothing has failed');
    const choice = this.lastLaunch;
    if (!choice) {
      this.emit({ type: 'stage', stage: 'setup' });
      if (this.ownsTor()) void this.startTor().catch(() => {});
      return;
    }
    // A create that got as far as writing the folder is now an open.
    const next: LaunchChoice = this.hasElection()
      ? { kind: 'open', settings: 'settings' in choice ? choice.settings : {} }
      : choice;
    void this.launch(next).catch(() => {});
  }

  // ── Cancel ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Ends the long wait in progress: the look-ups (they fail with "cancelled"; tor goes on
   * connecting) and the start. Every long wait of a start waits on tor, so its tor is stopped
   * (and the steps that opened something close it); what the folder holds stays. Starting the
   * election from its lobby waits on nothing long: it finishes, then the runner stops.
   */
  async cancel(): Promise<void> {
    const lookups = [...this.lookups];
    for (const lookup of lookups) lookup.abort();
    const control = this.launchControl;
    if (control && !control.abort.signal.aborted) {
      control.abort.abort();
      this.log('cancelling the start…');
      if (control.kind !== 'start') await this.stopOwnTor();
      await this.launching?.catch(() => {});
      return;
    }
    if (lookups.length > 0) return;
    // After a failed start, a way back: to the first screen, or to what the folder holds.
    if (this.state.stage === 'error' && !this.launching && !this.runnerValue)
      return this.afterCancel(this.state.launch?.kind ?? 'open');
    throw new RequestError('nothing to cancel: nothing is waiting');
  }

  /** After a cancelled (or given up) start: the first screen, or what the folder holds ('stopped'). */
  private afterCancel(kind: LaunchView['kind']): void {
    const saved = this.savedInFolder();
    this.log(saved === 'nothing' ? 'start cancelled' : `start cancelled; the folder keeps the ${saved}`);
    if (saved === 'nothing') this.emit({ type: 'stage', stage: 'setup' });
    else {
      const title = this.state.launch?.title;
      this.emit({ type: 'stage', stage: 'stopped', launch: { kind, saved, ...(title ? { title } : {}) } });
    }
    // A tor for what comes next (a look-up, another try), as the first screen has: a fresh one,
    // with the connection settings saved during the start.
    if (this.closed) return;
    void (async () => {
      if (this.connectionPending) await this.reconfigure();
      if (this.ownsTor() && !this.closed) await this.startTor();
    })().catch(() => {});
  }

  /** What the data folder holds, from the most to the least: kept by any cancel or failure. */
  private savedInFolder(): LaunchView['saved'] {
    const dir = this.options.dataDir;
    if (this.hasElection()) return 'election';
    if (holdsFile(dir, 'lobby')) return 'lobby';
    if (holdsFile(dir, 'joining')) return 'request';
    return 'nothing';
  }

  /** Starting again what the folder holds (after a cancel): the election, the lobby, or the request. */
  private resumeChoice(): LaunchChoice | undefined {
    const last = this.lastLaunch;
    switch (this.savedInFolder()) {
      case 'election':
        return { kind: 'open', settings: last && 'settings' in last ? (last.settings ?? {}) : {} };
      case 'lobby':
        return { kind: 'host' };
      case 'request':
        return { kind: 'ask' };
      case 'nothing':
        return undefined;
    }
  }

  /** Stopped, the user gives up the saved lobby or request (never a saved election). */
  private async discardSaved(): Promise<void> {
    const saved = this.savedInFolder();
    if (saved === 'election')
      throw new RequestError('this runner holds an election: it is kept (start it again to take part)');
    if (saved === 'lobby') await HostedLobby.discard(this.options.dataDir);
    if (saved === 'request') await JoinRequest.discard(this.options.dataDir);
    this.lastLaunch = undefined;
    this.emit({ type: 'stage', stage: 'setup' });
    if (this.ownsTor() && !this.tor && !this.torStarting) void this.startTor().catch(() => {});
  }

  private launchView(choice: LaunchChoice): LaunchView {
    const saved = this.savedInFolder();
    switch (choice.kind) {
      case 'host':
        return { kind: 'lobby', saved, ...(choice.params ? { title: choice.params.title } : {}) };
      case 'ask':
        return { kind: 'ask', saved };
      case 'join':
        return { kind: 'join', saved, ...(choice.genesis ? { title: choice.genesis.title } : {}) };
      case 'create':
        return { kind: 'open', saved, title: choice.genesis.title };
      case 'open':
        return { kind: 'open', saved };
    }
  }

  /**
   * Stops the engine's own tor (not yet the runner's) on purpose: whatever waits on it fails at
   * once, and a start of it still under way ends quietly (no 'error' shown).
   */
  private async stopOwnTor(): Promise<void> {
    this.torEpoch++;
    const tor = this.tor;
    const starting = this.torStarting;
    this.tor = undefined;
    this.torStarting = undefined;
    // The next tor starts once this one has exited (a start still opening it stops it itself).
    const stopped = tor?.stop();
    if (starting) this.hold(starting);
    if (stopped) this.hold(stopped);
    await stopped;
  }

  /** No tor of the engine's starts until `task` has settled (see `torHold`). */
  private hold(task: Promise<unknown>): void {
    const held = Promise.all([this.torHold, task]).then(
      () => {},
      () => {},
    );
    this.torHold = held;
    void held.then(() => {
      if (this.torHold === held) this.torHold = undefined;
    });
  }

  /** Once no stop of tor and no change of its settings is under way. */
  private async torSettled(): Promise<void> {
    while (this.torHold) await this.torHold;
  }

  /**
   * Uses the folder's connection settings from now on. A tor of the engine's started with other
   * settings is stopped, and waited for; a start of tor meanwhile waits, then uses the new ones.
   */
  private reconfigure(): Promise<void> {
    const before = this.torHold;
    const work = (async () => {
      await before;
      await this.loadConnection();
      const running = this.torStarting;
      if (running && JSON.stringify(this.torStartedWith) !== JSON.stringify(this.options.tor)) {
        this.log('tor       stopped: the connection settings changed');
        await this.stopOwnTor();
        await running.catch(() => {});
        this.torStatus = undefined;
        this.torWarning = undefined;
        this.torHealth = undefined;
      }
    })();
    this.hold(work);
    return work;
  }

  // ── Connection settings ─────────────────────────────────────────────────────────────────────

  /** Reads the data folder's connection settings and uses the tor they ask for from now on. */
  private async loadConnection(): Promise<void> {
    this.baseTor ??= this.options.tor;
    const base = this.baseTor;
    let tor: TorConfig;
    try {
      this.connection = await readConnectionSettings(this.options.dataDir);
      tor = resolveTorConfig(base, this.connection);
    } catch (error) {
      // Never a tor without the bridges or proxy the user asked for: its start fails, saying why.
      const problem = `the connection settings cannot be used: ${(error as Error).message}`;
      tor = base.mode === 'managed' ? { ...base, connectionProblem: problem } : base;
    }
    const before = this.options.tor.mode;
    this.options = { ...this.options, tor };
    this.connectionPending = false;
    if (tor.mode !== before) this.setTor(tor.mode === 'external' ? 'ready' : 'starting');
  }

  private connectionView(): ConnectionView {
    const s = this.connection;
    const base = this.baseTor ?? this.options.tor;
    const resourcesDir = base.mode === 'managed' ? base.resourcesDir : undefined;
    const program = (transport: 'obfs4' | 'snowflake') => {
      try {
        const configured = transport === 'obfs4' ? s.obfs4Path : s.snowflakePath;
        return findTransport(transport, { ...(resourcesDir ? { resourcesDir } : {}), configured }).path;
      } catch {
        return null;
      }
    };
    return {
      tor: s.tor,
      bridges: s.bridges,
      customBridges: s.customBridges,
      proxy: s.proxy
        ? {
            type: s.proxy.type,
            host: s.proxy.host,
            port: s.proxy.port,
            username: s.proxy.username ?? '',
            passwordSaved: s.proxy.password !== undefined,
          }
        : null,
      control: s.control
        ? { host: s.control.host, port: s.control.port, passwordSaved: s.control.password !== undefined }
        : null,
      external: s.external ?? null,
      builtin: {
        obfs4: builtinBridges('obfs4', resourcesDir).length,
        snowflake: builtinBridges('snowflake', resourcesDir).length,
      },
      transports: { obfs4: program('obfs4'), snowflake: program('snowflake') },
      pending: this.connectionPending,
      ...(base.mode === 'managed'
        ? {}
        : {
            overridden: `this runner was started to use ${torLabel(base)}: these settings apply when it is started without that`,
          }),
    };
  }

  /**
   * Saves the connection settings. With nothing running yet (the first screen, a failed or a
   * cancelled start) they apply at once: the tor of the old settings is stopped, and on the first
   * screen (or the stopped one) one with the new settings starts. Otherwise they wait for the next
   * start or Retry.
   */
  private async saveConnection(form: ConnectionForm): Promise<ConnectionView> {
    let settings: ConnectionSettings;
    try {
      settings = connectionFromForm(form, this.connection);
    } catch (error) {
      if (error instanceof ValidationError) throw new RequestError(error.message, error.field);
      throw error;
    }
    await writeConnectionSettings(this.options.dataDir, settings);
    this.connection = settings;
    this.log(`connection settings saved: ${describeConnection(settings)}`);
    const idle =
      (this.state.stage === 'setup' || this.state.stage === 'error' || this.state.stage === 'stopped') &&
      !this.launching &&
      !this.hosted &&
      !this.joining &&
      !this.runnerValue;
    if (!idle) {
      this.connectionPending = true;
      return this.connectionView();
    }
    // The new settings first, then the tor of the old ones goes (waited for: two tors cannot share
    // the folder); a look-up or a start asking for tor meanwhile waits, then gets one of the new.
    await this.reconfigure();
    const stage = this.state.stage;
    if ((stage === 'setup' || stage === 'stopped') && this.ownsTor() && !this.closed)
      void this.startTor().catch(() => {});
    else if (!this.torStarting) this.setTor(this.options.tor.mode === 'external' ? 'ready' : 'starting');
    return this.connectionView();
  }

  // ── Tor ─────────────────────────────────────────────────────────────────────────────────────

  /** A tor this engine starts or attaches to (not: the direct transport, or the user's own tor). */
  private ownsTor(): boolean {
    return this.options.tor.mode === 'managed' || this.options.tor.mode === 'attached';
  }

  /** Starts (or attaches to) tor once and waits for its bootstrap; the UI follows its progress. */
  private startTor(): Promise<NonNullable<Engine['tor']>> {
    // Not while a tor is stopping or new settings are applied: then, with those settings.
    if (this.torHold)
      return this.torHold.then(() => {
        if (this.closed) throw new Error('closed');
        return this.startTor();
      });
    const config = this.options.tor;
    if (config.mode === 'off' || config.mode === 'external') throw new Error('no tor to start');
    if (this.torStarting) return this.torStarting;
    const epoch = this.torEpoch;
    const starting = (async () => {
      this.torStatus = undefined;
      this.torWarning = undefined;
      this.torHealth = undefined;
      this.setTor('starting');
      const tor = await openTor(config, this.options.dataDir, this.log);
      if (epoch !== this.torEpoch) {
        await tor.stop(); // stopped on purpose (cancel) while it was starting
        throw new Error('tor was stopped');
      }
      this.tor = tor;
      tor.on('bootstrap', (status) => {
        this.torStatus = status;
        if (status.warning) this.torWarning = status.warning;
        if (config.mode === 'attached') this.torLine(`bootstrap ${describeBootstrap(status)}`);
        this.setTor(this.state.tor.stage === 'starting' ? 'bootstrapping' : this.state.tor.stage);
      });
      tor.on('warning', (warning) => {
        this.torWarning = warning;
        if (config.mode === 'attached') this.torLine(`[warn] ${warning}`);
        this.setTor(this.state.tor.stage);
      });
      tor.on('health', (health) => {
        const before = this.torHealth?.condition ?? 'connecting';
        this.torHealth = health;
        if (health.condition !== before)
          this.log(`tor       ${health.condition}${health.why ? `: ${health.why}` : ''}`);
        this.setTor(this.state.tor.stage === 'starting' ? 'bootstrapping' : this.state.tor.stage);
        // Back after a pause (a sleep, a lost network): the peers are tried again at once.
        if (before === 'reconnecting' && health.condition === 'connected') this.runnerValue?.reconnected();
      });
      tor.on('exit', (error) => {
        this.setTor('error', error.message);
        this.warn(`tor: ${error.message}`);
      });
      this.setTor('bootstrapping');
      try {
        // No time limit: while stuck, the state says tor can't reach the network (and why), and
        // tor keeps trying, so a network that comes back is used; the user may cancel meanwhile.
        await tor.waitForBootstrap({ stallMs: Number.POSITIVE_INFINITY });
      } catch (error) {
        await tor.stop();
        throw error;
      }
      if (this.closed) {
        await tor.stop();
        throw new Error('closed');
      }
      this.setTor('ready');
      return tor;
    })().catch((error: unknown) => {
      if (this.torStarting === starting) {
        this.torStarting = undefined;
        this.tor = undefined;
      }
      // Stopped on purpose: not a failure to show (a fresh tor may be starting already).
      if (epoch === this.torEpoch) this.setTor('error', (error as Error).message);
      throw error;
    });
    this.torStarting = starting;
    this.torStartedWith = config;
    return starting;
  }

  /** An attached tor's words, for the Tor log panel (its own log is that tor's). */
  private torLine(text: string): void {
    this.torLines.push(`${new Date().toISOString().slice(11, 19)} ${text}`);
    if (this.torLines.length > TOR_LOG_LINES) this.torLines.shift();
  }

  private async proxyFor(peer: string): Promise<string | undefined> {
    await this.torSettled(); // new connection settings first
    const config = this.options.tor;
    this.refuseOnionWithoutTor(peer, 'peer');
    if (config.mode === 'off') return undefined;
    if (config.mode === 'external') return config.proxy;
    return (await this.startTor()).socksUrl;
  }

  /** On the direct transport there is no SOCKS proxy: a .onion peer could never be reached. */
  private refuseOnionWithoutTor(address: string, field: string): void {
    if (this.options.tor.mode === 'off' && address.trim().toLowerCase().endsWith('.onion')) {
      throw new RequestError(
        'this runner uses the direct transport (no Tor): it cannot reach .onion peers',
        field,
      );
    }
  }

  private setTor(stage: TorView['stage'], error?: string): void {
    // Still failed: the error stays with the stage until tor starts again.
    const kept = stage === 'error' && error === undefined ? this.state.tor.error : error;
    const view = this.torView(stage, kept);
    if (JSON.stringify(view) !== JSON.stringify(this.state.tor)) this.emit({ type: 'tor', tor: view });
  }

  private torView(stage: TorView['stage'], error?: string): TorView {
    const config = this.options.tor;
    const status =
      config.mode === 'external' ? { progress: 100, tag: 'done', summary: torLabel(config) } : this.torStatus;
    const view = torView(config.mode, config.mode === 'off' ? 'off' : stage, status, {
      warning: this.torWarning,
      error,
      health: this.torHealth,
    });
    // Since when it holds (this.state is not there yet in the constructor).
    const before = (this.state as DashboardState | undefined)?.tor;
    const since = before?.condition === view.condition ? before.since : Date.now();
    return since === undefined ? view : { ...view, since };
  }

  /**
   * The last lines of tor's log (tor writes no secrets there): a managed tor's log file, there
   * even once that tor is gone (it says why); an attached tor's words to this runner.
   */
  async torLog(): Promise<string[]> {
    const config = this.options.tor;
    if (config.mode === 'managed')
      return readTorLog(TorManager.logFileOf(this.options.dataDir), TOR_LOG_LINES);
    if (config.mode === 'attached') return [...this.torLines];
    return [];
  }

  // ── Running ─────────────────────────────────────────────────────────────────────────────────

  /** Follows the runner: every change becomes an event. */
  private attach(runner: Runner): void {
    const { node } = runner;
    node.on('block', (meta: BlockMeta, source) => {
      const mine = source === 'self';
      this.emit({ type: 'blocks', blocks: [blockView(node, meta, mine, Date.now())] });
    });
    node.on('tip', (_tip, reorg) => {
      if (reorg) this.lastReorg = reorgSummary(reorg);
      this.emit({ type: 'chain', chain: chainView(node, this.lastReorg) });
      this.emitResult();
      this.emitMining();
      this.emitReceipts();
    });
    node.on('block', () => this.emitReceipts());
    node.on('cast', (_cast, origin) => {
      if (origin === undefined) this.emitReceipts();
    });
    node.on('factor', () => this.emitResult());
    node.on('acceptance', () => this.emitResult());
    node.on('sealed', () => this.emitResult());
    node.on('late', () => this.emitResult());
    node.on('result', () => this.emitResult());
    node.on('warning', (message) => this.warn(message));
    // The whole state first, then the stage: a UI never shows 'running' with empty panels.
    this.emit({ type: 'settings', settings: settingsView(node.settings) });
    this.emit({ type: 'blocks', blocks: storedBlockViews(node) });
    this.emit({ type: 'chain', chain: chainView(node, undefined) });
    this.emitResult();
    this.emitMining();
    this.emitPeers();
    this.emitReceipts();
    this.emit({
      type: 'stage',
      stage: 'running',
      election: electionView(node.genesis),
      ...(runner.self ? { self: runner.self } : {}),
    });
  }

  private requireRunner(): Runner {
    if (!this.runnerValue) throw new RequestError('no election is running yet: start or join one first');
    return this.runnerValue;
  }

  private requireSetup(): void {
    if (this.hosted || this.joining) throw new RequestError('this runner is in a lobby: leave it first');
    if (this.state.stage === 'stopped')
      throw new RequestError('this runner keeps a saved election: start it again, or give it up first');
    if (this.hasElection() || this.state.stage === 'running' || this.launching) {
      throw new RequestError('this data folder already holds an election');
    }
  }

  async addPeer(address: string): Promise<void> {
    const runner = this.requireRunner();
    this.refuseOnionWithoutTor(address, 'address');
    try {
      await runner.addPeer(address);
    } catch (error) {
      throw new RequestError((error as Error).message, 'address');
    }
    this.emitPeers();
  }

  async removePeer(address: string): Promise<void> {
    const runner = this.requireRunner();
    if (!(await runner.removePeer(address)))
      throw new RequestError(`${address} is not in the peer list`, 'address');
    this.emitPeers();
  }

  async setMining(on: boolean): Promise<void> {
    const { node } = this.requireRunner();
    if (on) node.startMining();
    else await node.stopMining();
    await node.updateSettings({ mining: on });
    this.emitMining();
  }

  async setThreads(threads: number): Promise<void> {
    const { node } = this.requireRunner();
    await node.updateSettings({ threads });
    this.emitMining();
  }

  async setVote(vote: VoteChoice | null): Promise<void> {
    const { node } = this.requireRunner();
    await node.setVote(vote === null ? undefined : nodeVote(vote));
    this.emit({ type: 'settings', settings: settingsView(node.settings) });
    this.emitMining();
  }

  exportRecord(): ElectionRecordFile {
    const { node } = this.requireRunner();
    const record = node.exportRecord();
    return {
      fileName: `election-${node.genesis.idHex.slice(0, 12)}-h${node.chain.tip.height}.json`,
      json: `${JSON.stringify(record, null, 2)}\n`,
    };
  }

  async openDataFolder(): Promise<{ path: string; opened: boolean }> {
    const folder = this.state.dataDir;
    const opened = (await this.options.openPath?.(folder).catch(() => false)) ?? false;
    return { path: folder, opened };
  }

  private emitResult(): void {
    const runner = this.runnerValue;
    if (!runner) return;
    this.verification.update(runner.node);
    this.emit({ type: 'result', result: resultView(runner.node, this.verification.view) });
  }

  /** This runner's receipts, when they changed. */
  private emitReceipts(): void {
    const runner = this.runnerValue;
    if (!runner) return;
    const receipts = receiptViews(runner.node);
    if (JSON.stringify(receipts) !== JSON.stringify(this.state.receipts ?? []))
      this.emit({ type: 'receipts', receipts });
  }

  private emitMining(): void {
    const runner = this.runnerValue;
    if (runner)
      this.emit({ type: 'mining', mining: miningView(runner.node, this.maxThreads, this.threadHashrate) });
  }

  private emitPeers(): void {
    const runner = this.runnerValue;
    if (runner) this.emit({ type: 'peers', peers: peerViews(runner.peers.snapshot()) });
  }

  /** Hashrate and peer reachability change without an event of their own: poll, emit on change. */
  private poll(): void {
    // Joiners going offline change the organizer's view without a request of theirs.
    if (this.hosted) this.emitLobby();
    const runner = this.runnerValue;
    if (!runner || this.closed) return;
    const peers = peerViews(runner.peers.snapshot());
    if (JSON.stringify(peers) !== JSON.stringify(this.state.peers)) this.emit({ type: 'peers', peers });
    const mining = miningView(runner.node, this.maxThreads, this.threadHashrate);
    if (JSON.stringify(mining) !== JSON.stringify(this.state.mining)) this.emit({ type: 'mining', mining });
  }

  private async measureHashrate(): Promise<void> {
    const rate = await measureThreadHashrate().catch(() => undefined);
    if (!rate || this.closed) return;
    this.threadHashrate = rate;
    this.emit({ type: 'mining', mining: { ...this.state.mining, threadHashrate: rate } });
  }

  private warn(message: string): void {
    this.log(`warning: ${message}`);
    this.emit({ type: 'warning', warning: { at: Date.now(), message } });
  }

  private emit(event: EngineEvent): void {
    this.state = applyEvent(this.state, event);
    const sequenced = { seq: ++this.seq, event };
    for (const listener of this.listeners) {
      try {
        listener(sequenced);
      } catch (error) {
        this.log(`an event listener failed: ${(error as Error).message}`);
      }
    }
  }

  /** A new runner's settings: the form's name and vote over the start's overrides and defaults. */
  private settingsFrom(name: string, vote: VoteChoice | null): NodeSettings {
    const { defaults, overrides } = this.options;
    const base: NodeSettings = { mining: true, threads: this.maxThreads, ...defaults, ...overrides, name };
    const { vote: _, ...rest } = base;
    return vote === null ? rest : { ...rest, vote: nodeVote(vote) };
  }

  /** Stops everything: the runner (and the tor it owns), or a tor still bootstrapping. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.torEpoch++; // its tor is stopped on purpose from here on: no 'error' for it
    for (const lookup of this.lookups) lookup.abort();
    // Asking an organizer to take part: ended now, not when it answers (the request file is kept).
    if (this.launchControl?.kind === 'ask') this.launchControl.abort.abort();
    clearInterval(this.poller);
    clearInterval(this.lobbyTimer);
    const { hosted } = this;
    this.hosted = undefined;
    const dropping = this.dropRequest();
    await hosted?.close();
    await dropping;
    // A tor still bootstrapping is stopped first, so a start waiting on it fails at once.
    await this.tor?.stop();
    await this.launching?.catch(() => {});
    await this.verification.settled();
    await this.runnerValue?.close();
    await (await this.torStarting?.catch(() => undefined))?.stop();
    this.listeners.clear();
  }
}

/** `promise`, or the start's cancel if that comes first. */
function untilCancelled<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RequestError('the start was cancelled'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Ends a start that was cancelled (after a step that finished anyway closed what it opened). */
function cancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new RequestError('the start was cancelled');
}
