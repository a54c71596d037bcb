// The one API between the engine and any UI: the desktop app's renderer (over Electron IPC) and the
// headless web dashboard (over HTTP and server-sent events on 127.0.0.1). Both transports carry
// exactly these requests and events; nothing else crosses the boundary.
//
// State travels as a snapshot `{seq, state}` and then as events numbered seq+1, seq+2, …; a UI
// applies them in order with `applyEvent` (./reduce) and loads a new snapshot if it sees a gap.
// Everything here is plain JSON (no bigint, no Date): this file is compiled for Node and for the
// browser alike, so it imports nothing but plain data (the parameter limits).

/** Bumped when a request, an event or the state changes incompatibly. */
export const ENGINE_API_VERSION = 1;

// ── State ─────────────────────────────────────────────────────────────────────────────────────

/**
 * Where the engine is: no election yet (first run), in a lobby (hosting one, or waiting in one for
 * the organizer to start), opening the election, running it, failed to, or stopped: the user
 * cancelled a start, and what the data folder holds (`launch.saved`) waits for `retry`.
 */
export type EngineStage = 'setup' | 'lobby' | 'starting' | 'running' | 'error' | 'stopped';

/**
 * While starting (and once stopped): what is being started, and what the data folder already
 * holds, which stays whatever happens (Cancel included).
 */
export interface LaunchView {
  /**
   * lobby: opening the election's lobby (new or saved); ask: asking an organizer to take part
   * (or going back to waiting); join: joining a running election; open: opening the saved
   * election; start: starting the election from the lobby.
   */
  readonly kind: 'lobby' | 'ask' | 'join' | 'open' | 'start';
  /** nothing yet; the election's lobby; a request to an organizer; the election itself. */
  readonly saved: 'nothing' | 'lobby' | 'request' | 'election';
  /** The election's title, when known. */
  readonly title?: string;
}

/**
 * Who casts ballots. `per-voter`: every admitted person votes once (their last ballot counts),
 * whatever their computer. `per-block`: each block found while voting carries its finder's ballot,
 * so more computing power means more ballots (the original rule).
 */
export type BallotRuleChoice = 'per-block' | 'per-voter';

export interface LobbyParticipantView {
  /** The organizer's handle for admit/refuse. */
  readonly id: number;
  readonly name: string;
  readonly status: 'waiting' | 'admitted' | 'refused';
  /** Asked or polled in the last 20 s (joiners poll every few seconds while they wait). */
  readonly online: boolean;
  /** Per-voter: the first 16 hex digits of the credential public key. */
  readonly credential?: string;
  /** The organizer itself (first in the list). */
  readonly organizer?: boolean;
}

/** The waiting room, as the organizer or a joiner sees it. */
export interface LobbyView {
  readonly role: 'organizer' | 'joiner';
  readonly title: string;
  readonly question: string;
  readonly ballotRule: BallotRuleChoice;
  /** The organizer's display name. */
  readonly organizer: string;
  /** Organizer: the invitation link to send (onion-election://join/…). */
  readonly invitation?: string;
  /** Joiner: the organizer's address. */
  readonly address?: string;
  /** Admitted participants, the organizer included. */
  readonly admitted: number;
  /** Admitted participants online now, the organizer included. */
  readonly online: number;
  /** Organizer: every request; joiner (once admitted): everyone admitted. */
  readonly participants: readonly LobbyParticipantView[];
  /** Organizer: why Start would be refused now. */
  readonly startProblem?: string;
  /**
   * Joiner: where its request stands ('asking' before the organizer answered; 'starting' once the
   * organizer started with it in, while its runner fetches the election to join).
   */
  readonly status?: 'asking' | 'waiting' | 'admitted' | 'starting' | 'refused';
  /** Joiner: the last failure to reach the organizer, if the last poll failed. */
  readonly unreachable?: string;
  readonly nTalliers: number;
  readonly nTalliersBlocks: number;
  readonly nVoteBlocks: number;
  readonly confirmations: number;
  /** Threshold talliers: any `quorum` of the talliers decrypt. */
  readonly quorum?: number;
  /** Questions with choices the election will ask (absent: the one yes/no `question`). */
  readonly questions?: readonly QuestionForm[];
}

/** What a pasted invitation or address leads to, shown before joining. */
export type JoinPreview =
  | {
      readonly kind: 'lobby';
      /** The organizer's address. */
      readonly address: string;
      readonly title: string;
      readonly question: string;
      readonly ballotRule: BallotRuleChoice;
      readonly organizer: string;
      readonly admitted: number;
      /** Questions with choices the election will ask (absent: the yes/no `question`). */
      readonly questions?: readonly QuestionForm[];
    }
  | { readonly kind: 'election'; readonly address: string; readonly election: ElectionView };

export interface ElectionView {
  /** The election id (SHA-256 of the genesis), 64 hex digits. */
  readonly id: string;
  readonly title: string;
  readonly question: string;
  readonly nTalliers: number;
  readonly nTalliersBlocks: number;
  readonly nVoteBlocks: number;
  readonly confirmations: number;
  /** Height T: the last key block. */
  readonly keyElectionHeight: number;
  /** The block fixing the election key: T, or with threshold talliers the ceremony's last, T + K. */
  readonly electionKeyHeight: number;
  /** Threshold talliers: any `quorum` of them decrypt the result (absent: every tallier is needed). */
  readonly quorum?: number;
  /** The last ballot block. */
  readonly lastVoteHeight: number;
  /** The height at which the tally is fixed. */
  readonly finalHeight: number;
  /** Expected hashes per block (2^256 / target), rounded. */
  readonly expectedHashes: number;
  /** Unix seconds. */
  readonly createdAt: number;
  readonly ballotRule: BallotRuleChoice;
  /** Per-voter: the registered voters (the roster's size). */
  readonly voters?: number;
  /** Questions with choices, in ballot order (absent: the one yes/no `question`). */
  readonly questions?: readonly QuestionForm[];
}

/** `ballots`: a per-voter voting block, carrying 0…8 ballots cast by voters. */
export type PayloadKind = 'tallier_key' | 'ceremony' | 'ballot' | 'ballots' | 'confirmation';

/** One block of the tree (every branch, not only the best). */
export interface BlockView {
  readonly hash: string;
  /** The parent's hash; the genesis is not listed, so height-1 blocks point at the election id. */
  readonly prev: string;
  readonly height: number;
  /** Unix seconds, as the miner wrote it. */
  readonly timestamp: number;
  readonly miner: string;
  readonly kind: PayloadKind;
  /** tallier_key: the key's fingerprint (first 16 hex digits). */
  readonly key?: string;
  /** ballot: the ciphertext's fingerprint (first 16 hex digits of α). */
  readonly ballot?: string;
  /** ballots: how many cast ballots the block carries. */
  readonly casts?: number;
  /** Mined by this runner. */
  readonly mine: boolean;
  /** When this runner stored it, ms since the epoch. */
  readonly receivedAt: number;
}

export type Phase = 'key' | 'ceremony' | 'vote' | 'confirm' | 'final';

export interface CandidateView {
  /** Fingerprint: the first 16 hex digits of the public key. */
  readonly key: string;
  readonly count: number;
  readonly lastHeight: number;
  readonly elected: boolean;
  /** In words; says when the tie rule decided. */
  readonly reason: string;
  /** This runner's own tallier key. */
  readonly mine: boolean;
  /**
   * Threshold talliers, an elected key once the key ceremony has begun: its backup pieces are on
   * the chain ('dealt'), still awaited, proven wrong by a complaint, or missed the time for them
   * (the last two exclude it from the election key).
   */
  readonly backups?: 'dealt' | 'awaited' | 'proven-wrong' | 'missed';
}

/** The best branch, as of its tip. */
export interface ChainView {
  readonly tip: string;
  readonly height: number;
  /** The phase of the next block, or 'final'. */
  readonly phase: Phase;
  readonly candidates: readonly CandidateView[];
  /** Fingerprint of the election key, once the key election is over. */
  readonly electionKey?: string;
  readonly ballots: number;
  readonly blocks: number;
  readonly orphans: number;
  /** The last reorg: when, and how many blocks it replaced. */
  readonly lastReorg?: { readonly at: number; readonly forkHeight: number; readonly replaced: number };
}

export type VerificationStatus = 'idle' | 'running' | 'verified' | 'incomplete' | 'invalid';

export interface ResultView {
  /** The best branch reached the final height: the tally is fixed. */
  readonly final: boolean;
  readonly ballots: number;
  /** The talliers whose keys make the election key (with threshold talliers, the qualified ones). */
  readonly talliers: readonly {
    readonly key: string;
    /** Signed its acceptance of the best final block (of the sealing round, once sealed). */
    readonly accepted: boolean;
    /** Its own factor is in; or others stood in for it (threshold talliers); or neither yet. */
    readonly factor: 'verified' | 'stood-in' | 'awaiting';
    readonly mine: boolean;
    /** Its runner's name, as its key block's miner label gave it (self-chosen; absent if none). */
    readonly name?: string;
  }[];
  /**
   * The final block every tallier accepted: this runner keeps it for ever, and no later branch
   * can change the result. Absent until the talliers agree.
   */
  readonly seal?: { readonly final: string; readonly height: number; readonly round: number };
  /**
   * Threshold talliers with backups: any `quorum` of `talliers` decrypt; `sealQuorum` of them must
   * accept the same final block first.
   */
  readonly quorum?: number;
  readonly sealQuorum?: number;
  /**
   * This runner's own tallier key: the one final block it decrypted, why it refuses another, and
   * what it still owes the election, in words (its backup pieces, its acceptance, its factor…).
   */
  readonly myTallier?: {
    readonly decrypted?: string;
    readonly refusal?: string;
    readonly owes?: readonly string[];
    /** Threshold talliers: why the key ceremony left this runner's key out of the election key. */
    readonly leftOut?: string;
  };
  /** Branches offered after the seal: kept out ("arrived after the result"), most recent last. */
  readonly lateBranches: readonly {
    readonly forkHeight: number;
    readonly height: number;
    readonly blocks: number;
    readonly lastSeen: number;
  }[];
  /** Yes and no, or, for questions with choices, each question's standings. */
  readonly result?: YesNoResultView | ChoicesResultView;
  /** Per-voter: registered voters (turnout is `ballots` of `voters`). */
  readonly voters?: number;
  /** The record of the best chain re-checked from scratch by the independent verifier (`verify`). */
  readonly verification: {
    readonly status: VerificationStatus;
    readonly message?: string;
    /** The tip the verified record ends at. */
    readonly tip?: string;
    readonly at?: number;
  };
}

export interface PeerView {
  readonly address: string;
  readonly kind: 'onion' | 'loopback';
  /** 'cli': given by the user; 'peer'/'announce': learned from other runners. */
  readonly source: 'cli' | 'peer' | 'announce';
  /** null until tried. */
  readonly reachable: boolean | null;
  /** ms since the epoch, or null if never reached. */
  readonly lastSeen: number | null;
  readonly failures: number;
  /** The display name the peer announces in its status (self-chosen; absent if none). */
  readonly name?: string;
}

export type TorStage = 'off' | 'starting' | 'bootstrapping' | 'publishing' | 'ready' | 'error';

/**
 * Tor in plain words, what every screen tells the user (docs/TOR.md §3a, "What the user is told"):
 * connecting (with the progress); connected; unreachable, can't reach the Tor network (stuck: no
 * progress for 10 s after tor reported a problem, or for 60 s); reconnecting (it was connected,
 * and tor says its circuits stopped working, or it stopped answering: after a sleep); failed (it
 * exited or could not start: `error`); off (the direct transport).
 */
export type TorCondition = 'off' | 'connecting' | 'connected' | 'unreachable' | 'reconnecting' | 'failed';

export interface TorView {
  /** off: direct loopback transport; managed: a tor started by the runner; attached/external: the user's tor. */
  readonly mode: 'off' | 'managed' | 'attached' | 'external';
  readonly stage: TorStage;
  /** Bootstrap progress 0–100 and tor's own summary of it. */
  readonly progress: number;
  readonly summary: string;
  /** Tor's last warning. */
  readonly warning?: string;
  readonly error?: string;
  /** What the user is told (the stage says what the runner does with tor). */
  readonly condition: TorCondition;
  /** Since when (ms since the epoch) the condition holds. */
  readonly since?: number;
  /** Why tor is unreachable or reconnecting, for the details (tor's words; never the main text). */
  readonly why?: string;
}

export interface MiningView {
  readonly on: boolean;
  readonly threads: number;
  readonly maxThreads: number;
  /** Hashes per second over the last few seconds. */
  readonly hashrate: number;
  /** Why a running miner has nothing to mine, if so. */
  readonly idle?: string;
  /**
   * Hashes per second one mining thread of this computer reached in a short test when the engine
   * opened without an election: what the new-election form estimates the election's length with.
   */
  readonly threadHashrate?: number;
}

/** Questions with choices: per question, the numbers of the options chosen (from 0), ascending. */
export type Selections = readonly (readonly number[])[];

/** A vote: yes or no for the yes/no question, or the options chosen in each question. */
export interface YesNoResultView {
  readonly yes: number;
  readonly no: number;
  readonly total: number;
}

/** Questions with choices: per question, its options in ballot order, ranked, winners marked. */
export interface ChoicesResultView {
  readonly total: number;
  readonly questions: readonly {
    readonly question: string;
    /** How many options it elects (its max, or 1 for approval). */
    readonly seats: number;
    readonly options: readonly {
      readonly label: string;
      readonly count: number;
      readonly rank: number;
      readonly winner: boolean;
      readonly tied: boolean;
    }[];
    /** The outcome in words ("Ada and Chen"; "Brian and Chen tie for the second place"). */
    readonly outcome: string;
  }[];
}

export type VoteChoice = 'yes' | 'no' | Selections;

export interface SettingsView {
  /** The miner label of this runner's blocks. */
  readonly name: string;
  /** null: no vote, so this runner does not mine ballots. */
  readonly vote: VoteChoice | null;
}

export interface WarningView {
  readonly at: number;
  readonly message: string;
}

export interface DashboardState {
  readonly version: string;
  readonly stage: EngineStage;
  /** Why the stage is 'error'. */
  readonly error?: string;
  /** While starting, and once stopped: what is being started and what the folder holds. */
  readonly launch?: LaunchView;
  readonly dataDir: string;
  /** This runner's address as peers reach it (.onion, or 127.0.0.1:PORT on the direct transport). */
  readonly self?: string;
  readonly tor: TorView;
  readonly election?: ElectionView;
  readonly settings: SettingsView;
  readonly mining: MiningView;
  readonly peers: readonly PeerView[];
  /** Every block of the tree in the order this runner stored them (parents before children). */
  readonly blocks: readonly BlockView[];
  readonly chain?: ChainView;
  readonly result?: ResultView;
  /** The most recent warnings, oldest first (at most MAX_WARNINGS). */
  readonly warnings: readonly WarningView[];
  /** In the lobby stage: the waiting room. */
  readonly lobby?: LobbyView;
  /** This runner's own ballots and where each stands (per-voter: its casts; per-block: its blocks'). */
  readonly receipts?: readonly ReceiptView[];
}

/** One ballot of this runner's, for its receipt. */
export interface ReceiptView {
  /** The ballot's tracker (64 hex digits; shown by its first 16): `verify --tracker` takes it. */
  readonly tracker: string;
  /** Unknown for a block mined before this runner last started. */
  readonly vote?: VoteChoice;
  /**
   * sent: no block of the best chain holds it yet; counted: in block `height` of the best chain,
   * and counted; replaced: a later ballot of this voter counts instead; displaced: the block
   * holding it left the best chain in a reorg (sent again, per-voter).
   */
  readonly state: 'sent' | 'counted' | 'replaced' | 'displaced';
  readonly height?: number;
}

export const MAX_WARNINGS = 50;

export interface Snapshot {
  readonly seq: number;
  readonly state: DashboardState;
}

// ── Events ────────────────────────────────────────────────────────────────────────────────────

export type EngineEvent =
  | {
      readonly type: 'stage';
      readonly stage: EngineStage;
      readonly error?: string;
      readonly election?: ElectionView;
      readonly self?: string;
      readonly launch?: LaunchView;
    }
  | { readonly type: 'tor'; readonly tor: TorView }
  /** Blocks stored, in order (one, or an orphan run it connected). */
  | { readonly type: 'blocks'; readonly blocks: readonly BlockView[] }
  | { readonly type: 'chain'; readonly chain: ChainView }
  | { readonly type: 'result'; readonly result: ResultView }
  | { readonly type: 'peers'; readonly peers: readonly PeerView[] }
  | { readonly type: 'mining'; readonly mining: MiningView }
  | { readonly type: 'settings'; readonly settings: SettingsView }
  | { readonly type: 'lobby'; readonly lobby: LobbyView }
  | { readonly type: 'receipts'; readonly receipts: readonly ReceiptView[] }
  | { readonly type: 'warning'; readonly warning: WarningView };

export interface SequencedEvent {
  readonly seq: number;
  readonly event: EngineEvent;
}

// ── Requests ──────────────────────────────────────────────────────────────────────────────────

export interface NewElectionForm {
  readonly title: string;
  readonly question: string;
  readonly nTalliers: number;
  readonly nTalliersBlocks: number;
  readonly nVoteBlocks: number;
  readonly confirmations: number;
  /** Expected hashes per block (the work of one block). */
  readonly difficulty: number;
  readonly name: string;
  readonly vote: VoteChoice | null;
  /** Who casts ballots (default per-block, the original rule; the app's form proposes per-voter). */
  readonly ballotRule?: BallotRuleChoice;
  /**
   * Threshold talliers: any `quorum` of the elected talliers decrypt (with `ceremonyBlocks`, the
   * key ceremony's blocks). Absent: every tallier is needed, as in the original protocol.
   */
  readonly quorum?: number;
  readonly ceremonyBlocks?: number;
  /**
   * Questions with choices (absent: the one yes/no `question`). With them, `question` introduces
   * the election and each ballot answers every question.
   */
  readonly questions?: readonly QuestionForm[];
}

/** One question with choices: its text, its options' labels, how many a ballot chooses. */
export interface QuestionForm {
  readonly question: string;
  readonly options: readonly string[];
  /** At least this many options chosen (0: none is fine)… */
  readonly min: number;
  /** …and at most this many. */
  readonly max: number;
  /** With min > 0: a ballot may also choose none. */
  readonly blank: boolean;
}

export interface JoinForm {
  /** The organizer or a peer: an invitation link, a .onion, http://….onion/, or 127.0.0.1:PORT. */
  readonly peer: string;
  /**
   * The id the user confirmed after `previewJoin` (or the invitation named): joining fails if the
   * peer serves another. Empty when joining an organizer's lobby (no election exists yet).
   */
  readonly electionId: string;
  readonly name: string;
  readonly vote: VoteChoice | null;
}

/**
 * How this runner reaches the Tor network (the data folder's connection.json). Passwords never
 * leave the engine: a view says only whether one is saved.
 */
export interface ConnectionView {
  /** managed: a tor of this runner's own; attached: a running tor, by its control port; external: your own tor's SOCKS port and onion service. */
  readonly tor: 'managed' | 'attached' | 'external';
  /** none: connect directly; obfs4/snowflake: the built-in bridges; custom: the pasted lines. */
  readonly bridges: 'none' | 'obfs4' | 'snowflake' | 'custom';
  readonly customBridges: readonly string[];
  readonly proxy: {
    readonly type: 'socks4' | 'socks5' | 'https';
    readonly host: string;
    readonly port: number;
    readonly username: string;
    readonly passwordSaved: boolean;
  } | null;
  readonly control: { readonly host: string; readonly port: number; readonly passwordSaved: boolean } | null;
  readonly external: { readonly socks: string; readonly self: string } | null;
  /** How many built-in bridges of each kind there are. */
  readonly builtin: { readonly obfs4: number; readonly snowflake: number };
  /** The program each transport would run, or null when none is found (the UI says what to install). */
  readonly transports: { readonly obfs4: string | null; readonly snowflake: string | null };
  /** Saved, but this run still uses the previous settings: they apply at the next start or Retry. */
  readonly pending: boolean;
  /** Why the settings do not decide this run's tor (the command line chose one). */
  readonly overridden?: string;
}

/** The connection-settings form: every input as text; fields of the choices not made are ignored. */
export interface ConnectionForm {
  readonly tor: 'managed' | 'attached' | 'external';
  readonly bridges: 'none' | 'obfs4' | 'snowflake' | 'custom';
  /** Bridge lines, one a line (blank lines and # comments are skipped). */
  readonly customBridges: string;
  readonly proxyType: 'none' | 'socks4' | 'socks5' | 'https';
  readonly proxyHost: string;
  readonly proxyPort: string;
  readonly proxyUsername: string;
  /** Empty with `keepProxyPassword`: the saved one stays, for the same type, host and port only. */
  readonly proxyPassword: string;
  readonly keepProxyPassword: boolean;
  readonly controlHost: string;
  readonly controlPort: string;
  readonly controlPassword: string;
  readonly keepControlPassword: boolean;
  /** external: socks5h://host:port */
  readonly socksUrl: string;
  /** external: this runner's own .onion address. */
  readonly onionAddress: string;
}

export interface ElectionRecordFile {
  /** A suggested file name. */
  readonly fileName: string;
  /** The record, as the `export` command writes it. */
  readonly json: string;
}

/**
 * Every request, as `name(argument): result`. Each transport exposes one async function per entry;
 * the engine validates every argument (it may come from a page it does not trust).
 */
export interface EngineRequests {
  snapshot(): Snapshot;
  /**
   * First run: open a lobby for a new election (nothing is mined until `startElection`), or, when
   * the engine was told to start at once (the command line), create and run it.
   */
  createElection(form: NewElectionForm): void;
  /** First run: what an invitation or address leads to (a lobby, or a running election). */
  previewJoin(peer: string): JoinPreview;
  /** First run: ask to join an organizer's lobby (then wait), or join a running election. */
  joinElection(form: JoinForm): void;
  /** Organizer: admit a join request (by its id). */
  admitJoiner(id: number): void;
  /** Organizer: refuse a join request. */
  refuseJoiner(id: number): void;
  /** Organizer: fix the genesis with everyone admitted and start mining; refused with the reason when it cannot work. */
  startElection(): void;
  /**
   * Leave the lobby (organizer: close it; joiner: withdraw), back to the first screen; once
   * stopped, the same for the saved lobby or request (a saved election is never thrown away).
   */
  leaveLobby(): void;
  /** After a failed start (tor, a peer): try again with the same choice; once stopped: start again. */
  retry(): void;
  /**
   * Stops the long wait in progress: a look-up (each `previewJoin` waiting then fails with
   * "cancelled"), or the start (tor connecting, the lobby or the runner opening, a peer asked).
   * What the folder holds is kept: the stage goes back to 'setup' when it holds nothing yet,
   * else to 'stopped'. After a failed start ('error'), the same way back. Refused when nothing
   * is waiting.
   */
  cancel(): void;
  addPeer(address: string): void;
  removePeer(address: string): void;
  setMining(on: boolean): void;
  setThreads(threads: number): void;
  setVote(vote: VoteChoice | null): void;
  /** The last lines of tor's log (empty without a managed tor). Never holds secrets. */
  torLog(): readonly string[];
  exportRecord(): ElectionRecordFile;
  /** Opens the data folder in the system's file manager where there is one (the desktop app). */
  openDataFolder(): { readonly path: string; readonly opened: boolean };
  /** How this runner reaches the Tor network (bridges, a proxy, or your own tor). */
  connectionSettings(): ConnectionView;
  /**
   * Saves the connection settings (refused with the field when one is wrong). On the first screen
   * they apply at once (this runner's tor starts again with them); otherwise at the next start or Retry.
   */
  saveConnection(form: ConnectionForm): ConnectionView;
}

export type RequestName = keyof EngineRequests;
export type RequestArg<K extends RequestName> = Parameters<EngineRequests[K]>;
export type RequestResult<K extends RequestName> = ReturnType<EngineRequests[K]>;

/** The request names, for transports that expose one function per request. */
export const REQUEST_NAMES = [
  'snapshot',
  'createElection',
  'previewJoin',
  'joinElection',
  'admitJoiner',
  'refuseJoiner',
  'startElection',
  'leaveLobby',
  'retry',
  'cancel',
  'addPeer',
  'removePeer',
  'setMining',
  'setThreads',
  'setVote',
  'torLog',
  'exportRecord',
  'openDataFolder',
  'connectionSettings',
  'saveConnection',
] as const satisfies readonly RequestName[];

/** What a UI holds: every request as an async function, plus the event stream. */
export type EngineApi = {
  readonly [K in RequestName]: (...args: RequestArg<K>) => Promise<Awaited<RequestResult<K>>>;
} & {
  /** Calls `listener` with every event from now on; returns the unsubscribe function. */
  onEvent(listener: (event: SequencedEvent) => void): () => void;
};

/** A request refused: the message is for the user (it names the field when a field is wrong). */
export interface RequestFailure {
  readonly error: string;
  readonly field?: string;
}

// Compile-time check that REQUEST_NAMES lists every request.
type Unlisted = Exclude<RequestName, (typeof REQUEST_NAMES)[number]>;
const everyRequestListed: Unlisted extends never ? true : Unlisted = true;
void everyRequestListed;

export { LIMITS, MAX_MINER_LABEL_BYTES } from '../chain/limits';
