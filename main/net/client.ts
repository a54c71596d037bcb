// The peer API client (main/net/messages.ts, docs/API.md): one per runner. An onion address is
// reached through Tor's SOCKS proxy with the name resolved by Tor (socks5h), never locally: a local
// DNS lookup of an .onion name would leak it, and any other host would be reached outside Tor. A
// loopback address (test networks) is reached directly. Everything past the agent is the same code.
//
// Peers are untrusted: every response is size-limited, its shape checked, and every failure turned
// into a PeerError whose text is safe to show (peer-supplied text is truncated and stripped of
// control characters). Blocks, factors and the genesis stay `unknown` for the real parsers.
import http from 'node:http';
import type { Socket } from 'node:net';
import axios, { type AxiosInstance } from 'axios';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { checkMinerLabel } from '../chain/block';
import { MAX_ROUNDS } from '../chain/finality';
import { checkQuestions, parseQuestions } from '../chain/questions';
import { MAX_MESSAGE_BYTES } from '../chain/sizes';
import { encodeResult, exactObject, fixedHex, parseResult } from '../crypto/codec';
import { check, ValidationError } from '../crypto/errors';
import { readJson } from '../crypto/json';
import { strictUtf8, Utf8Error } from '../store/utf8';
import { baseUrl, type PeerAddress, parsePeerAddress } from './address';
import {
  type AnnounceResponse,
  API_VERSION,
  type JoinRequestResponse,
  type LobbyInfoResponse,
  type ResultResponse,
  type StatusResponse,
  type SubmitAcceptanceResponse,
  type SubmitBlockResponse,
  type SubmitCastResponse,
  type SubmitCeremonyResponse,
  type SubmitFactorResponse,
  type TicketResponse,
} from './messages';

/**
 * Largest response accepted: a GET /v1/chain page stops below 1.5 MB (api.ts, CHAIN_PAGE_BYTES);
 * the factors of a questions election stay below 6 MiB (chain/sizes.ts MAX_FACTOR_LIST_BYTES).
 */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Largest request sent: the largest body any election's server takes (chain/sizes.ts). */
export const MAX_REQUEST_BYTES = MAX_MESSAGE_BYTES;
export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * An idle kept-alive socket is closed after this long: below the server's keepAliveTimeout (5 s),
 * so the client, not the server, ends an idle connection, and a request never races the server's
 * close (a reset that used to put honest peers into backoff).
 */
const IDLE_SOCKET_MS = 4000;
/** Most addresses accepted from one GET /v1/peers. */
const MAX_PEERS = 1000;
/** Most factors (n_talliers ≤ 64). */
const MAX_FACTORS = 64;
/** Most stand-in factors: 16 threshold talliers, each standing in for the 15 others. */
const MAX_COMPENSATED = 16 * 15;
/** Acceptances a peer may list: one key election's, at most MAX_ROUNDS rounds of 64 talliers. */
const MAX_ACCEPTANCES = MAX_ROUNDS * 64;
/** Most blocks per GET /v1/chain. */
const MAX_CHAIN_BLOCKS = 100;

export interface PeerClientOptions {
  /** Tor's SOCKS proxy, `socks5h://host:port`; needed for onion addresses. */
  readonly proxy?: string;
  /** Whole-request deadline, connection included (default 30 s). */
  readonly timeoutMs?: number;
}

export class PeerError extends Error {
  override readonly name = 'PeerError';
  constructor(
    readonly address: string,
    readonly operation: string,
    readonly reason: string,
    /** The HTTP status, if the peer answered. */
    readonly status?: number,
    /** With a 429: how long the peer asked us to wait. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${operation} ${address}: ${reason}`);
  }
}

/** GET /v1/chain, the blocks left for `parseBlock`. */
export interface ChainPage {
  best: string;
  height: number;
  blocks: unknown[];
}

export class PeerClient {
  readonly proxy: string | undefined;
  readonly timeoutMs: number;
  private readonly http: AxiosInstance;
  /** Keep-alive matters over Tor: each new connection to an onion service costs a rendezvous. */
  private socksAgent: SocksProxyAgent | undefined;
  /** A plain agent (no proxy) for loopback peers, our own so that close() can end its sockets. */
  private readonly directAgent = new http.Agent({ keepAlive: true, maxSockets: 8, timeout: IDLE_SOCKET_MS });
  /**
   * The requests under way, each with its own controller, ended by close() (even one still waiting
   * on a Tor circuit). Not one signal of the client's joined to each request's: on Node 20 a
   * long-lived signal keeps every signal joined to it (a runner's client makes millions).
   */
  private readonly underWay = new Set<AbortController>();
  private closed = false;

  constructor(options: PeerClientOptions = {}) {
    if (options.proxy !== undefined) checkProxy(options.proxy);
    this.proxy = options.proxy;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    check(
      Number.isSafeInteger(this.timeoutMs) && this.timeoutMs > 0,
      'timeoutMs',
      'must be a positive number of milliseconds',
    );
    this.http = axios.create({
      adapter: 'http',
      // Never an HTTP(S)_PROXY from the environment: the route is chosen here and only here.
      proxy: false,
      maxRedirects: 0,
      maxContentLength: MAX_RESPONSE_BYTES,
      maxBodyLength: MAX_REQUEST_BYTES,
      decompress: false,
      // Bytes, decoded strictly here: a lossy decoding would check one text and keep another.
      responseType: 'arraybuffer',
      transformRequest: [(data) => data],
      transformResponse: [(data) => data],
      validateStatus: () => true,
      headers: { Accept: 'application/json', 'Accept-Encoding': 'identity', 'User-Agent': 'onion-election' },
    });
  }

  status(address: string): Promise<StatusResponse> {
    return this.run(address, 'status', 'GET', '/v1/status', undefined, parseStatusResponse);
  }

  /** The genesis JSON, for parseGenesis. */
  /** The organizer's lobby, before the election exists (docs/PROTOCOL.md §11). */
  lobby(address: string): Promise<LobbyInfoResponse> {
    return this.run(address, 'lobby', 'GET', '/v1/lobby', undefined, (v) => {
      const has = (key: string) => typeof v === 'object' && v !== null && Object.hasOwn(v, key);
      const threshold = has('quorum');
      const withQuestions = has('questions');
      const o = exactObject(v, 'response', [
        ...(threshold ? ['quorum', 'n_ceremony_blocks'] : []),
        ...(withQuestions ? ['questions'] : []),
        'title',
        'question',
        'ballot_rule',
        'organizer',
        'admitted',
        'started',
        'n_talliers',
        'n_talliers_blocks',
        'n_vote_blocks',
        'confirmations',
      ]);
      for (const key of [
        'n_talliers',
        'n_talliers_blocks',
        'n_vote_blocks',
        'confirmations',
        ...(threshold ? (['quorum', 'n_ceremony_blocks'] as const) : []),
      ] as const)
        check(Number.isSafeInteger(o[key]) && (o[key] as number) >= 0, `response.${key}`, 'must be a count');
      check(typeof o.title === 'string' && typeof o.question === 'string', 'response.title', 'must be text');
      check(
        o.ballot_rule === 'per-block' || o.ballot_rule === 'per-voter',
        'response.ballot_rule',
        'must be a rule',
      );
      check(typeof o.organizer === 'string', 'response.organizer', 'must be text');
      check(typeof o.admitted === 'number' && typeof o.started === 'boolean', 'response', 'malformed lobby');
      // Shown to the joiner and kept in joining.json: checked as the genesis will check them.
      if (withQuestions)
        checkQuestions(parseQuestions(o.questions, 'response.questions'), 'response.questions');
      return o as unknown as LobbyInfoResponse;
    });
  }

  /** Asks the organizer to take part; resolves with this joiner's ticket. */
  askToJoin(
    address: string,
    request: { name: string; address?: string; credential?: string },
  ): Promise<JoinRequestResponse> {
    return this.run(
      address,
      'join request',
      'POST',
      '/v1/lobby/requests',
      () => request,
      (v) => {
        const o = exactObject(v, 'response', ['ticket', 'status']);
        fixedHex(o.ticket, 32, 'response.ticket');
        check(
          o.status === 'waiting' || o.status === 'admitted' || o.status === 'refused',
          'response.status',
          'must be a status',
        );
        return o as unknown as JoinRequestResponse;
      },
    );
  }

  /** A joiner's poll of its request. */
  pollTicket(address: string, ticket: string): Promise<TicketResponse> {
    return this.run(
      address,
      'lobby ticket',
      'GET',
      `/v1/lobby/requests/${ticket}`,
      undefined,
      parseTicketResponse,
    );
  }

  genesis(address: string): Promise<unknown> {
    return this.run(address, 'genesis', 'GET', '/v1/genesis', undefined, (v) => {
      exactObject(v, 'genesis', Object.keys(v ?? {}));
      return v;
    });
  }

  /** A block's JSON (for parseBlock), or undefined if the peer does not have it. */
  block(address: string, hash: string): Promise<unknown | undefined> {
    return this.run(
      address,
      'block',
      'GET',
      () => `/v1/blocks/${hex64(hash, 'hash')}`,
      undefined,
      (v) => {
        const o = exactObject(v, 'response', ['hash', 'block']);
        check(o.hash === hash, 'response.hash', 'is not the hash asked for');
        return o.block;
      },
      () => undefined,
    );
  }

  /** Up to `limit` (≤ 100) blocks of the peer's best chain from height `from`. */
  chain(address: string, from: number, limit = MAX_CHAIN_BLOCKS): Promise<ChainPage> {
    return this.run(
      address,
      'chain',
      'GET',
      () => {
        check(Number.isSafeInteger(from) && from >= 1, 'from', 'must be a whole number ≥ 1');
        check(
          Number.isSafeInteger(limit) && limit >= 1 && limit <= MAX_CHAIN_BLOCKS,
          'limit',
          `must be in [1, ${MAX_CHAIN_BLOCKS}]`,
        );
        return `/v1/chain?from=${from}&limit=${limit}`;
      },
      undefined,
      (v) => parseChainPage(v, limit),
    );
  }

  /** Pushes a block; `from` (our own address) tells the peer where to fetch missing ancestors. */
  pushBlock(address: string, block: unknown, from?: string): Promise<SubmitBlockResponse> {
    return this.run(
      address,
      'push block',
      'POST',
      '/v1/blocks',
      () => (from === undefined ? { block } : { block, from: parsePeerAddress(from, 'from').address }),
      parseSubmitBlockResponse,
    );
  }

  /**
   * Announces blocks by hash (POST /v1/inventory); resolves with those the peer wants, a subset of
   * `hashes` (anything else in the answer is refused).
   */
  inventory(address: string, hashes: readonly string[], from?: string): Promise<string[]> {
    return this.run(
      address,
      'inventory',
      'POST',
      '/v1/inventory',
      () =>
        from === undefined
          ? { blocks: hashes }
          : { blocks: hashes, from: parsePeerAddress(from, 'from').address },
      (v) => {
        const wanted = array(exactObject(v, 'response', ['wanted']).wanted, 'response.wanted', hashes.length);
        for (const [i, hash] of wanted.entries())
          check(
            typeof hash === 'string' && hashes.includes(hash),
            `response.wanted[${i}]`,
            'was not announced',
          );
        return wanted as string[];
      },
    );
  }

  /** The peer's peer list, each address validated and normalised. */
  peers(address: string): Promise<string[]> {
    return this.run(address, 'peers', 'GET', '/v1/peers', undefined, (v) => {
      const list = array(exactObject(v, 'response', ['peers']).peers, 'response.peers', MAX_PEERS);
      return list.map((a, i) => parsePeerAddress(a, `response.peers[${i}]`).address);
    });
  }

  /** Tells the peer our own address. */
  announce(address: string, self: string): Promise<AnnounceResponse> {
    return this.run(
      address,
      'announce',
      'POST',
      '/v1/peers',
      () => ({ address: parsePeerAddress(self, 'self').address }),
      parseStatusOnly,
    );
  }

  /** The peer's verified factors for its best chain's final tally (JSON, for the node to verify). */
  factors(address: string): Promise<unknown[]> {
    return this.run(address, 'factors', 'GET', '/v1/factors', undefined, (v) =>
      array(exactObject(v, 'response', ['factors']).factors, 'response.factors', MAX_FACTORS),
    );
  }

  /** The peer's acceptances of final blocks (JSON, for the node to verify). */
  acceptances(address: string): Promise<unknown[]> {
    return this.run(address, 'acceptances', 'GET', '/v1/acceptances', undefined, (v) =>
      array(exactObject(v, 'response', ['acceptances']).acceptances, 'response.acceptances', MAX_ACCEPTANCES),
    );
  }

  pushAcceptance(address: string, acceptance: unknown): Promise<SubmitAcceptanceResponse> {
    return this.run(
      address,
      'push acceptance',
      'POST',
      '/v1/acceptances',
      () => ({ acceptance }),
      parseStatusOnly,
    );
  }

  /** Sends a voter's cast ballot (per-voter rule), saying where it comes from if `from` is given. */
  pushCast(address: string, cast: unknown, from?: string): Promise<SubmitCastResponse> {
    return this.run(
      address,
      'push ballot',
      'POST',
      '/v1/ballots',
      () => (from ? { cast_ballot: cast, from } : { cast_ballot: cast }),
      parseStatusOnly,
    );
  }

  /** Sends a dealing or complaint (threshold talliers), saying where it comes from if `from` is given. */
  pushCeremony(address: string, message: unknown, from?: string): Promise<SubmitCeremonyResponse> {
    return this.run(
      address,
      'push ceremony message',
      'POST',
      '/v1/ceremony',
      () => (from ? { message, from } : { message }),
      parseStatusOnly,
    );
  }

  /** The peer's verified stand-in factors for its sealed tally (JSON, for the node to verify). */
  compensatedFactors(address: string): Promise<unknown[]> {
    return this.run(address, 'stand-in factors', 'GET', '/v1/compensated-factors', undefined, (v) =>
      array(
        exactObject(v, 'response', ['compensated_factors']).compensated_factors,
        'response.compensated_factors',
        MAX_COMPENSATED,
      ),
    );
  }

  pushCompensated(address: string, factor: unknown): Promise<SubmitFactorResponse> {
    return this.run(
      address,
      'push stand-in factor',
      'POST',
      '/v1/compensated-factors',
      () => ({ compensated_factor: factor }),
      parseStatusOnly,
    );
  }

  pushFactor(address: string, factor: unknown): Promise<SubmitFactorResponse> {
    return this.run(address, 'push factor', 'POST', '/v1/factors', () => ({ factor }), parseStatusOnly);
  }

  result(address: string): Promise<ResultResponse> {
    return this.run(address, 'result', 'GET', '/v1/result', undefined, parseResultResponse);
  }

  /** Ends every request under way and every socket; a closed client is not used again. */
  close(): void {
    this.closed = true;
    for (const request of this.underWay) request.abort();
    this.socksAgent?.destroy();
    this.directAgent.destroy();
  }

  /**
   * One request: resolve the route, send, check the status and the shape. Every failure, ours or
   * the peer's, becomes a PeerError. `notFound` makes a 404 a value rather than an error.
   */
  private async run<T>(
    address: string,
    operation: string,
    method: 'GET' | 'POST',
    path: string | (() => string),
    body: (() => unknown) | undefined,
    parse: (value: unknown) => T,
    notFound?: () => T,
  ): Promise<T> {
    let peer: PeerAddress;
    let url: string;
    let data: string | undefined;
    try {
      peer = parsePeerAddress(address);
      url = baseUrl(peer) + (typeof path === 'string' ? path : path());
      data = body && JSON.stringify(body());
    } catch (error) {
      throw new PeerError(shown(address), operation, `invalid request: ${messageOf(error)}`);
    }
    const fail = (reason: string, status?: number, retryAfter?: number): never => {
      throw new PeerError(peer.address, operation, reason, status, retryAfter);
    };
    if (this.closed) fail('the client is closed');
    if (peer.kind === 'onion' && !this.proxy) fail('no Tor SOCKS proxy configured');
    if (data !== undefined && Buffer.byteLength(data) > MAX_REQUEST_BYTES)
      fail(`request larger than ${MAX_REQUEST_BYTES} bytes`);

    let response: { status: number; data: unknown; headers: Record<string, unknown> };
    const deadline = AbortSignal.timeout(this.timeoutMs);
    // `timeout` only bounds silence; the deadline bounds the whole exchange against a slow drip.
    const ended = new AbortController();
    deadline.addEventListener('abort', () => ended.abort(), { once: true });
    const send = () =>
      this.http.request({
        method,
        url,
        ...(data !== undefined ? { data, headers: { 'Content-Type': 'application/json' } } : {}),
        httpAgent: peer.kind === 'onion' ? this.torAgent() : this.directAgent,
        timeout: this.timeoutMs,
        signal: ended.signal,
      });
    this.underWay.add(ended);
    try {
      try {
        response = await send();
      } catch (error) {
        // A kept-alive connection the server closed just as we reused it: the request never
        // reached the peer, and every request here may be repeated (all are idempotent). Once.
        if (!isReset(error) || ended.signal.aborted) throw error;
        response = await send();
      }
    } catch (error) {
      return fail(this.describeFailure(error, peer));
    } finally {
      this.underWay.delete(ended);
    }

    const { status } = response;
    if (status === 404 && notFound) return notFound();
    if (status !== 200) {
      const retryAfter = status === 429 ? Number(response.headers['retry-after']) : Number.NaN;
      const wait = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined;
      return fail(`HTTP ${status}${peerErrorText(response.data)}`, status, wait);
    }
    let value: unknown;
    try {
      value = readJson(strictUtf8(asBytes(response.data), 'the response'), 'response');
    } catch (error) {
      return fail(
        error instanceof Utf8Error ? error.message : `invalid response: ${messageOf(error)}`,
        status,
      );
    }
    try {
      return parse(value);
    } catch (error) {
      return fail(`invalid response: ${messageOf(error)}`, status);
    }
  }

  private torAgent(): SocksProxyAgent {
    // Not its `timeout` option: socks-proxy-agent takes it as the SOCKS CONNECT deadline too, and
    // a Tor rendezvous often takes longer than an idle socket may live.
    this.socksAgent ??= closeIdleSockets(
      new SocksProxyAgent(this.proxy!, { keepAlive: true, maxSockets: 8 }),
    );
    return this.socksAgent;
  }

  private describeFailure(error: unknown, peer: PeerAddress): string {
    const e = (typeof error === 'object' && error !== null ? error : {}) as {
      code?: unknown;
      message?: unknown;
    };
    const code = typeof e.code === 'string' ? e.code : undefined;
    const message = typeof e.message === 'string' ? e.message : String(error);
    const viaTor = peer.kind === 'onion';
    if (this.closed) return 'the client was closed';
    if (code === 'ERR_CANCELED' || code === 'ECONNABORTED' || code === 'ETIMEDOUT')
      return `no answer within ${this.timeoutMs} ms`;
    if (message.includes('maxContentLength')) return `response larger than ${MAX_RESPONSE_BYTES} bytes`;
    // The socks library reports a refused proxy connection in its message only.
    if (code === 'ECONNREFUSED' || /\bECONNREFUSED\b/.test(message))
      return viaTor
        ? `the Tor SOCKS proxy at ${this.proxy} refused the connection (is Tor running?)`
        : 'connection refused (is the runner running?)';
    if (viaTor && /socks/i.test(message)) return `Tor could not connect: ${clean(message)}`;
    if (code === 'ECONNRESET' || code === 'ERR_BAD_RESPONSE') return `connection broken (${code})`;
    return clean(code ? `${code}: ${message}` : message);
  }
}

/**
 * Closes a kept-alive socket once it has been idle IDLE_SOCKET_MS: the agent keeps a socket free
 * with that timeout set, and Node's agent destroys a free socket whose timeout fires. A socket
 * reused before then gets its request's own timeout.
 */
function closeIdleSockets<A extends http.Agent>(agent: A): A {
  // Node's agent returns whether it keeps the socket (its typings say void).
  const keeper = agent as unknown as { keepSocketAlive(socket: Socket): boolean };
  const keep = keeper.keepSocketAlive.bind(agent);
  keeper.keepSocketAlive = (socket) => {
    const kept = keep(socket);
    if (kept) socket.setTimeout(IDLE_SOCKET_MS);
    return kept;
  };
  return agent;
}

/** A connection reset or closed under a request (not a refusal, not a timeout). */
function isReset(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = String((error as { message?: unknown } | null)?.message ?? '');
  return code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/.test(message);
}

// ── Response shapes ──────────────────────────────────────────────────────────────────────────

const PHASES = ['key', 'ceremony', 'vote', 'confirm', 'final'] as const;

export function parseStatusResponse(value: unknown): StatusResponse {
  const named = typeof value === 'object' && value !== null && Object.hasOwn(value, 'name');
  const o = exactObject(value, 'response', [
    'version',
    'election_id',
    'height',
    'best',
    'work',
    'phase',
    ...(named ? ['name'] : []),
  ]);
  check(o.version === API_VERSION, 'response.version', `must be "${API_VERSION}"`);
  // The rule of a block's miner label, which it is (a runner's name): 1–64 bytes of UTF-8; and,
  // since it is shown to people beside others' names, no invisible or direction-changing
  // characters (format controls such as U+202E, line separators, C1 controls) to disguise it.
  if (named) {
    checkMinerLabel(o.name, 'response.name');
    check((o.name as string).length > 0, 'response.name', 'must not be empty (leave it out instead)');
    check(
      !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(o.name as string),
      'response.name',
      'must not contain invisible or direction-changing characters',
    );
  }
  check(
    typeof o.phase === 'string' && (PHASES as readonly string[]).includes(o.phase),
    'response.phase',
    `must be one of ${PHASES.join(', ')}`,
  );
  return {
    version: API_VERSION,
    election_id: hex64(o.election_id, 'response.election_id'),
    height: count(o.height, 'response.height'),
    best: hex64(o.best, 'response.best'),
    work: hex64(o.work, 'response.work'),
    phase: o.phase as StatusResponse['phase'],
    ...(named ? { name: o.name as string } : {}),
  };
}

export function parseChainPage(value: unknown, limit = MAX_CHAIN_BLOCKS): ChainPage {
  const o = exactObject(value, 'response', ['best', 'height', 'blocks']);
  return {
    best: hex64(o.best, 'response.best'),
    height: count(o.height, 'response.height'),
    blocks: array(o.blocks, 'response.blocks', limit),
  };
}

export function parseSubmitBlockResponse(value: unknown): SubmitBlockResponse {
  const status = (value as { status?: unknown } | null)?.status;
  if (status === 'orphan') {
    const o = exactObject(value, 'response', ['status', 'missing']);
    return { status, missing: hex64(o.missing, 'response.missing') };
  }
  if (status === 'late') {
    const o = exactObject(value, 'response', ['status', 'final']);
    return { status, final: hex64(o.final, 'response.final') };
  }
  exactObject(value, 'response', ['status']);
  check(status === 'added' || status === 'known', 'response.status', 'must be added, known, orphan or late');
  return { status };
}

function parseStatusOnly(value: unknown): { status: 'added' | 'known' } {
  const { status } = exactObject(value, 'response', ['status']);
  check(status === 'added' || status === 'known', 'response.status', 'must be added or known');
  return { status };
}

export function parseResultResponse(value: unknown): ResultResponse {
  const has = (key: string) => typeof value === 'object' && value !== null && Object.hasOwn(value, key);
  const fixed = has('qualified');
  const o = exactObject(value, 'response', [
    'final',
    'height',
    'best',
    'ballots',
    'tally',
    ...(has('tallies') ? ['tallies'] : []),
    'talliers',
    ...(fixed ? ['qualified', 'quorum'] : []),
    'awaiting',
    'result',
    'sealed',
    'late_branches',
  ]);
  check(typeof o.final === 'boolean', 'response.final', 'must be true or false');
  let sealed: ResultResponse['sealed'] = null;
  if (o.sealed !== null) {
    const s = exactObject(o.sealed, 'response.sealed', ['final', 'round']);
    sealed = {
      final: hex64(s.final, 'response.sealed.final'),
      round: count(s.round, 'response.sealed.round'),
    };
  }
  const lateBranches = array(o.late_branches, 'response.late_branches', 64).map((v, i) => {
    const field = `response.late_branches[${i}]`;
    const b = exactObject(v, field, ['fork_height', 'height', 'tip', 'blocks']);
    return {
      fork_height: count(b.fork_height, `${field}.fork_height`),
      height: count(b.height, `${field}.height`),
      tip: hex64(b.tip, `${field}.tip`),
      blocks: count(b.blocks, `${field}.blocks`),
    };
  });
  let tally: ResultResponse['tally'] = null;
  if (o.tally !== null) {
    const t = exactObject(o.tally, 'response.tally', ['alpha', 'beta']);
    tally = {
      alpha: hexNumber(t.alpha, 'response.tally.alpha'),
      beta: hexNumber(t.beta, 'response.tally.beta'),
    };
  }
  const result = o.result === null ? null : encodeResult(parseResult(o.result, 'response.result'));
  const tallies =
    o.tallies === undefined
      ? undefined
      : array(o.tallies, 'response.tallies', 64).map((v, i) => {
          const t = exactObject(v, `response.tallies[${i}]`, ['alpha', 'beta']);
          return {
            alpha: hexNumber(t.alpha, `response.tallies[${i}].alpha`),
            beta: hexNumber(t.beta, `response.tallies[${i}].beta`),
          };
        });
  const keys = (v: unknown, field: string) =>
    array(v, field, MAX_FACTORS).map((k, i) => hexNumber(k, `${field}[${i}]`));
  return {
    final: o.final,
    height: count(o.height, 'response.height'),
    best: hex64(o.best, 'response.best'),
    ballots: count(o.ballots, 'response.ballots'),
    tally,
    ...(tallies ? { tallies } : {}),
    talliers: keys(o.talliers, 'response.talliers'),
    ...(fixed
      ? { qualified: keys(o.qualified, 'response.qualified'), quorum: count(o.quorum, 'response.quorum') }
      : {}),
    awaiting: keys(o.awaiting, 'response.awaiting'),
    result,
    sealed,
    late_branches: lateBranches,
  };
}

// ── Helpers ──────────────────────────────────────────────────────────────────────────────────

function checkProxy(proxy: string): void {
  let url: URL | undefined;
  try {
    url = new URL(proxy);
  } catch {}
  check(url !== undefined, 'proxy', 'must be a URL like socks5h://127.0.0.1:9050');
  check(
    url.protocol === 'socks5h:',
    'proxy',
    `must be socks5h:// (onion names resolved by Tor), not ${url.protocol}//: socks5:// and socks4 ` +
      'resolve names locally, which fails for onion addresses and leaks them',
  );
  check(url.hostname !== '' && url.port !== '', 'proxy', 'must name a host and a port');
  check(url.pathname === '' || url.pathname === '/', 'proxy', 'must not have a path');
}

function hex64(value: unknown, field: string): string {
  check(typeof value === 'string' && /^[0-9a-f]{64}$/.test(value), field, 'must be 64 lowercase hex digits');
  return value;
}

/** A group element or scalar in hex (its width is the election's, unknown here). */
function hexNumber(value: unknown, field: string): string {
  check(
    typeof value === 'string' && value.length <= 4096 && /^[0-9a-f]+$/.test(value),
    field,
    'must be lowercase hex digits',
  );
  return value;
}

function count(value: unknown, field: string): number {
  check(
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0,
    field,
    'must be a whole number ≥ 0',
  );
  return value;
}

function array(value: unknown, field: string, max: number): unknown[] {
  check(Array.isArray(value), field, 'must be an array');
  check(value.length <= max, field, `must have at most ${max} items`);
  return value;
}

/** A response body as bytes (axios hands an ArrayBuffer, or a Buffer). */
function asBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return Buffer.from(String(data ?? ''), 'utf8');
}

/** The `{error}` a peer gave with a failure status, made safe to show. */
function peerErrorText(data: unknown): string {
  try {
    const { error } = readJson(strictUtf8(asBytes(data), 'the error'), 'error') as { error?: unknown };
    return typeof error === 'string' ? `: ${clean(error)}` : '';
  } catch {
    return '';
  }
}

/** Peer-supplied text: no control characters (no terminal escapes), at most 300 characters. */
function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const plain = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return plain.length > 300 ? `${plain.slice(0, 300)}…` : plain;
}

function shown(address: unknown): string {
  return typeof address === 'string' ? clean(address).slice(0, 100) : String(address);
}

function messageOf(error: unknown): string {
  return error instanceof ValidationError || error instanceof Error ? error.message : String(error);
}

/** A ticket answer from an organizer, checked (credentials are checked when the genesis comes). */
export function parseTicketResponse(value: unknown): TicketResponse {
  const keys = [
    'status',
    'admitted',
    'started',
    ...['participants', 'election'].filter(
      (k) => typeof value === 'object' && value !== null && Object.hasOwn(value, k),
    ),
  ];
  const o = exactObject(value, 'response', keys);
  check(
    o.status === 'waiting' || o.status === 'admitted' || o.status === 'refused',
    'response.status',
    'must be waiting, admitted or refused',
  );
  check(
    typeof o.admitted === 'number' && Number.isSafeInteger(o.admitted) && o.admitted >= 1,
    'response.admitted',
    'must be a count',
  );
  check(typeof o.started === 'boolean', 'response.started', 'must be true or false');
  const participants =
    o.participants === undefined
      ? undefined
      : (() => {
          check(
            Array.isArray(o.participants) && o.participants.length <= 1001,
            'response.participants',
            'must be an array',
          );
          return (o.participants as unknown[]).map((p, i) => {
            const q = exactObject(
              p,
              `response.participants[${i}]`,
              Object.hasOwn(p as object, 'credential') ? ['name', 'credential'] : ['name'],
            );
            check(
              typeof q.name === 'string' && q.name.length <= 64,
              `response.participants[${i}].name`,
              'must be a short string',
            );
            check(
              q.credential === undefined || typeof q.credential === 'string',
              `response.participants[${i}].credential`,
              'must be hex',
            );
            return {
              name: q.name as string,
              ...(q.credential !== undefined ? { credential: q.credential as string } : {}),
            };
          });
        })();
  if (o.election !== undefined) fixedHex(o.election, 64, 'response.election');
  return {
    status: o.status as TicketResponse['status'],
    admitted: o.admitted as number,
    started: o.started as boolean,
    ...(participants ? { participants } : {}),
    ...(o.election !== undefined ? { election: o.election as string } : {}),
  };
}
