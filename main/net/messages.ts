// The peer HTTP API's messages (docs/PROTOCOL.md §10): one type per request and response body.
// Blocks, factors and the genesis travel in their canonical JSON (PROTOCOL §2–§3, CRYPTO §6) and
// are validated by their own parsers; requests are checked by `parse…` in api.ts, responses by
// `parse…` in client.ts.

import type { BlockJson, CeremonyMessageJson } from '../chain/block';
import type { GenesisJson } from '../chain/genesis';
import type { QuestionJson } from '../chain/questions';
import type {
  AcceptanceJson,
  CastBallotJson,
  CiphertextJson,
  CompensatedFactorJson,
  DecryptionFactorJson,
  ElectionResultJson,
} from '../crypto/codec';

export const API_VERSION = 'onion-election/2';

/** GET /v1/status */
export interface StatusResponse {
  version: typeof API_VERSION;
  election_id: string;
  height: number;
  best: string;
  /** Cumulative work of the best chain, 64 hex digits. */
  work: string;
  phase: 'key' | 'ceremony' | 'vote' | 'confirm' | 'final';
  /** The runner's display name (its blocks' miner label); absent when it runs anonymously. */
  name?: string;
}

/** GET /v1/genesis → GenesisJson */
export type GenesisResponse = GenesisJson;

/** GET /v1/blocks/:hash */
export interface BlockResponse {
  hash: string;
  block: BlockJson;
}

/** GET /v1/chain?from=H&limit=N: the best chain from height H, at most N (≤ 100) blocks. */
export interface ChainResponse {
  best: string;
  height: number;
  blocks: BlockJson[];
}

/** POST /v1/blocks. `from`: the sender's own address, where missing ancestors can be fetched. */
export interface SubmitBlockRequest {
  block: BlockJson;
  from?: string;
}
export interface SubmitBlockResponse {
  status: 'added' | 'known' | 'orphan' | 'late';
  /** With `orphan`: the parent the receiver lacks. */
  missing?: string;
  /** With `late`: the final block the receiver keeps (the block arrived after the result). */
  final?: string;
}

/**
 * POST /v1/inventory: blocks announced by hash (1 to 16). The receiver answers with those whose
 * body it wants; the sender then POSTs each to /v1/blocks. `from`: the sender's own address.
 */
export interface InventoryRequest {
  blocks: string[];
  from?: string;
}
export interface InventoryResponse {
  wanted: string[];
}

/** GET /v1/peers */
export interface PeersResponse {
  peers: string[];
}
/** POST /v1/peers */
export interface AnnounceRequest {
  address: string;
}
export interface AnnounceResponse {
  status: 'added' | 'known';
}

/** GET /v1/acceptances: every verified acceptance of a final block held, round by round. */
export interface AcceptancesResponse {
  acceptances: AcceptanceJson[];
}
/** POST /v1/acceptances */
export interface SubmitAcceptanceRequest {
  acceptance: AcceptanceJson;
}
export interface SubmitAcceptanceResponse {
  status: 'added' | 'known';
}

/** POST /v1/ballots (per-voter rule): a voter's cast ballot, for the pool of pending ballots. */
export interface SubmitCastRequest {
  cast_ballot: CastBallotJson;
  /** The sender's own address, if it wants to say (it is then not sent back there). */
  from?: string;
}
export interface SubmitCastResponse {
  status: 'added' | 'known';
}
/** GET /v1/ballots (per-voter rule): the pending cast ballots (verified, not yet on the best chain). */
export interface PendingBallotsResponse {
  ballots: CastBallotJson[];
}

/** POST /v1/ceremony (threshold talliers): a dealing or complaint, for the ceremony's pool. */
export interface SubmitCeremonyRequest {
  message: CeremonyMessageJson;
  /** The sender's own address, if it wants to say (it is then not sent back there). */
  from?: string;
}
export interface SubmitCeremonyResponse {
  status: 'added' | 'known';
}
/** GET /v1/ceremony (threshold talliers): the pending dealings and complaints. */
export interface PendingCeremonyResponse {
  messages: CeremonyMessageJson[];
}

/** GET /v1/compensated-factors (threshold talliers): verified stand-in factors for the sealed tally. */
export interface CompensatedFactorsResponse {
  compensated_factors: CompensatedFactorJson[];
}
/** POST /v1/compensated-factors */
export interface SubmitCompensatedFactorRequest {
  compensated_factor: CompensatedFactorJson;
}

/** GET /v1/factors: the verified factors for the best chain's final tally. */
export interface FactorsResponse {
  factors: DecryptionFactorJson[];
}
/** POST /v1/factors */
export interface SubmitFactorRequest {
  factor: DecryptionFactorJson;
}
export interface SubmitFactorResponse {
  status: 'added' | 'known';
}

/**
 * GET /v1/result: the best chain's tally and result, or what it still awaits. Before the key
 * election ends, `talliers` lists the leading candidates; `tally` is null until the chain is final.
 */
export interface ResultResponse {
  final: boolean;
  height: number;
  best: string;
  ballots: number;
  /** A yes/no election's tally once final; null before, and with questions (see `tallies`). */
  tally: CiphertextJson | null;
  /** Questions with choices, once final: the tallies, one per option of every question. */
  tallies?: CiphertextJson[];
  talliers: string[];
  /**
   * Once the election key is fixed: the talliers whose keys make it (with threshold talliers, those
   * who qualified in the key ceremony) and how many of them must decrypt.
   */
  qualified?: string[];
  quorum?: number;
  awaiting: string[];
  /** `{yes, no, total}`, or `{total, counts}` for questions with choices. */
  result: ElectionResultJson | null;
  /** The final block the talliers sealed (every runner keeps it for ever), and in which round. */
  sealed: { final: string; round: number } | null;
  /** Branches offered after the chain was sealed: kept out ("arrived after the result"). */
  late_branches: { fork_height: number; height: number; tip: string; blocks: number }[];
}

/** Every error: a status code ≥ 400 and this body. Never a stack trace. */
export interface ErrorResponse {
  error: string;
}

// ── The lobby (before the election exists, docs/PROTOCOL.md §11) ─────────────────────────────

/** GET /v1/lobby: what the room is for. */
export interface LobbyInfoResponse {
  title: string;
  question: string;
  ballot_rule: 'per-block' | 'per-voter';
  /** The organizer's display name. */
  organizer: string;
  /** Admitted participants, the organizer included. */
  admitted: number;
  started: boolean;
  n_talliers: number;
  n_talliers_blocks: number;
  n_vote_blocks: number;
  confirmations: number;
  /** Threshold talliers (both or neither): any `quorum` decrypt, after a key ceremony of this many blocks. */
  quorum?: number;
  n_ceremony_blocks?: number;
  /** Questions with choices, as the genesis will ask them (absent: the one yes/no `question`). */
  questions?: QuestionJson[];
}
/** POST /v1/lobby/requests: `{name, address?, credential?}` (credential: per-voter only). */
export interface JoinRequestResponse {
  /** The bearer token this joiner polls with: only it knows it. */
  ticket: string;
  status: 'waiting' | 'admitted' | 'refused';
}
/** GET /v1/lobby/requests/:ticket */
export interface TicketResponse {
  status: 'waiting' | 'admitted' | 'refused';
  admitted: number;
  started: boolean;
  /** Admitted tickets only: who is in (names; credential public keys per-voter). */
  participants?: { name: string; credential?: string }[];
  /** Admitted tickets only, once started: the election id. */
  election?: string;
}
