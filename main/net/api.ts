// The peer HTTP API a runner serves (main/net/messages.ts, docs/API.md). Tor forwards the runner's
// onion service to it, so it listens on 127.0.0.1 only and every request may come from anyone:
// bodies are JSON only, small, and validated key by key before the node sees them; errors are
// `{error}` JSON without internals; connections are rate-limited and timed out.
//
// Never limit or ban by remote address: behind Tor every connection comes from 127.0.0.1, so that
// would shut out every peer at once. Limits are per connection (the socket object) and global, the
// global ones shared fairly between clients: connections, or the Tor circuit they came over when
// the runner's own tor says so (PROXY protocol, main/net/proxy-protocol.ts). When connections run
// out, the slowest or idlest one is closed to make room (main/net/connection-guard.ts).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express, { type ErrorRequestHandler, type Express, type Response } from 'express';
import { type BlockJson, encodeBlock, encodeCeremonyMessage } from '../chain/block';
import type { BlockMeta } from '../chain/chain';
import { encodeGenesis } from '../chain/genesis';
import { BASE_MESSAGE_BYTES } from '../chain/sizes';
import { toHex } from '../crypto/bigint';
import {
  encodeAcceptance,
  encodeCastBallot,
  encodeCompensatedFactor,
  encodeDecryptionFactor,
  exactObject,
  fixedHex,
} from '../crypto/codec';
import { check, ValidationError } from '../crypto/errors';
import { readJson } from '../crypto/json';
import type { ElectionNode } from '../node/election-node';
import { DiskFullError } from '../store/record-log';
import { strictUtf8 } from '../store/utf8';
import { type PeerAddress, parsePeerAddress } from './address';
import { type ConnectionCounts, ConnectionGuard } from './connection-guard';
import type {
  AcceptancesResponse,
  AnnounceResponse,
  BlockResponse,
  ChainResponse,
  CompensatedFactorsResponse,
  ErrorResponse,
  FactorsResponse,
  InventoryResponse,
  PeersResponse,
  PendingBallotsResponse,
  PendingCeremonyResponse,
  ResultResponse,
  StatusResponse,
  SubmitAcceptanceResponse,
  SubmitBlockResponse,
  SubmitCastResponse,
  SubmitCeremonyResponse,
  SubmitFactorResponse,
} from './messages';
import type { PeerBook } from './peer-book';
import { circuitOf, listenForTor, type TorListener } from './proxy-protocol';
import { DEFAULT_RATE_LIMITS, RateLimiter, type RateLimits } from './rate-limit';
import { resultOf, statusOf } from './summaries';
import { WantedBodies } from './wanted-bodies';

/** Most blocks one GET /v1/chain returns (~460 KB of ballot blocks). */
export const MAX_CHAIN_BLOCKS = 100;
/**
 * A chain page holds blocks up to this many bytes of JSON: at least 25 of the largest blocks
 * (MAX_BLOCK_JSON_BYTES), and well below a client's 2 MB response limit.
 */
export const CHAIN_PAGE_BYTES = 1536 * 1024;
/** Block hashes in one POST /v1/inventory. */
export const MAX_INVENTORY = 16;

/** Most addresses GET /v1/peers returns. */
export const MAX_PEERS_LISTED = 128;

export interface PeerApiOptions {
  readonly node: ElectionNode;
  readonly peers: PeerBook;
  /** This runner's own address, if known now (else set it later with `peers.setSelf`). */
  readonly self?: string;
  /** A pushed block's parent is missing: fetch `missingHash`, from `fromAddress` if the sender gave one. */
  readonly onOrphan?: (missingHash: string, fromAddress: string | undefined) => void;
  /** A peer that gave its address brought a block this runner took: one of its inbound peers. */
  readonly onPeerActive?: (address: string) => void;
  /** A block announced by `fromAddress` was promised by another announcer that never sent it: fetch it. */
  readonly onWithheld?: (hash: string, fromAddress: string) => void;
  /** An announcement added a new peer. */
  readonly onPeerLearned?: (address: string) => void;
  /** Where internal errors go (never to the client). */
  readonly log?: (message: string) => void;
  readonly limits?: RateLimits;
  /** More routes, after the election's (the lobby's, for joiners asking after the start). */
  readonly extra?: express.Router;
}

// ── Request bodies ───────────────────────────────────────────────────────────────────────────

/**
 * A body with exactly `keys` and, optionally, `from`: the sender's own address (where the
 * receiver may fetch what it lacks).
 */
function withFrom(
  value: unknown,
  keys: readonly string[],
): { o: Record<string, unknown>; from?: PeerAddress } {
  const hasFrom = typeof value === 'object' && value !== null && Object.hasOwn(value, 'from');
  const o = exactObject(value, 'body', hasFrom ? [...keys, 'from'] : keys);
  return hasFrom ? { o, from: parsePeerAddress(o.from, 'body.from') } : { o };
}

/** POST /v1/blocks: `{block, from?}`; the block itself is parsed by the node. */
export function parseSubmitBlockRequest(value: unknown): { block: unknown; from?: PeerAddress } {
  const { o, from } = withFrom(value, ['block']);
  return from ? { block: o.block, from } : { block: o.block };
}

/** POST /v1/inventory: `{blocks: [hash, …], from?}`, 1 to MAX_INVENTORY distinct block hashes. */
export function parseInventoryRequest(value: unknown): { blocks: string[]; from?: PeerAddress } {
  const { o, from } = withFrom(value, ['blocks']);
  check(
    Array.isArray(o.blocks) && o.blocks.length >= 1 && o.blocks.length <= MAX_INVENTORY,
    'body.blocks',
    `must be an array of 1 to ${MAX_INVENTORY} block hashes`,
  );
  const blocks = (o.blocks as unknown[]).map((h, i) => toHex(fixedHex(h, 64, `body.blocks[${i}]`), 64));
  check(new Set(blocks).size === blocks.length, 'body.blocks', 'names a block twice');
  return from ? { blocks, from } : { blocks };
}

/** POST /v1/peers: `{address}`. */
export function parseAnnounceRequest(value: unknown): { address: PeerAddress } {
  const o = exactObject(value, 'body', ['address']);
  return { address: parsePeerAddress(o.address, 'body.address') };
}

/** POST /v1/acceptances: `{acceptance}`; the acceptance itself is parsed by the node. */
export function parseSubmitAcceptanceRequest(value: unknown): { acceptance: unknown } {
  return { acceptance: exactObject(value, 'body', ['acceptance']).acceptance };
}

/** POST /v1/ballots: `{cast_ballot, from?}`; the cast ballot itself is parsed by the node. */
export function parseSubmitCastRequest(value: unknown): { cast: unknown; from?: PeerAddress } {
  const { o, from } = withFrom(value, ['cast_ballot']);
  return from ? { cast: o.cast_ballot, from } : { cast: o.cast_ballot };
}

/** POST /v1/ceremony: `{message, from?}`; the dealing or complaint itself is parsed by the node. */
export function parseSubmitCeremonyRequest(value: unknown): { message: unknown; from?: PeerAddress } {
  const { o, from } = withFrom(value, ['message']);
  return from ? { message: o.message, from } : { message: o.message };
}

/** POST /v1/compensated-factors: `{compensated_factor}`; parsed by the node. */
export function parseSubmitCompensatedRequest(value: unknown): { factor: unknown } {
  return { factor: exactObject(value, 'body', ['compensated_factor']).compensated_factor };
}

/** POST /v1/factors: `{factor}`; the factor itself is parsed by the node. */
export function parseSubmitFactorRequest(value: unknown): { factor: unknown } {
  return { factor: exactObject(value, 'body', ['factor']).factor };
}

/** GET /v1/chain's query: `from` (default 1) and `limit` (1–100, default 100), nothing else. */
export function parseChainQuery(query: Record<string, unknown>): { from: number; limit: number } {
  for (const key of Object.keys(query)) check(key === 'from' || key === 'limit', key, 'is not a parameter');
  return {
    from: queryInt(query.from, 'from', 1, 0xffffffff, 1),
    limit: queryInt(query.limit, 'limit', 1, MAX_CHAIN_BLOCKS, MAX_CHAIN_BLOCKS),
  };
}

function queryInt(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  check(typeof value === 'string' && /^(0|[1-9]\d{0,9})$/.test(value), field, 'must be a whole number');
  const n = Number(value);
  check(n >= min && n <= max, field, `must be in [${min}, ${max}]`);
  return n;
}

// ── The app ──────────────────────────────────────────────────────────────────────────────────

export function createPeerApi(options: PeerApiOptions): Express {
  const { node, peers, log } = options;
  const { chain, genesis } = node;
  const group = genesis.group;
  const block = (meta: BlockMeta): BlockJson => encodeBlock(group, meta.block!);
  if (options.self !== undefined) peers.setSelf(options.self);
  const callback = (name: string, run: () => void) => {
    try {
      run();
    } catch (error) {
      log?.(`peer API: ${name} callback failed: ${errorText(error)}`);
    }
  };

  // Bodies up to what this election's largest block or factor needs (chain/sizes.ts).
  const { app, finish } = peerApp(options.limits, log, node.genesis.sizes.messageBytes);
  app.get('/v1/status', (_req, res) => {
    const body: StatusResponse = statusOf(node);
    res.json(body);
  });

  app.get('/v1/genesis', (_req, res) => {
    res.json(encodeGenesis(genesis));
  });

  app.get('/v1/blocks/:hash', (req, res) => {
    const hash = req.params.hash;
    fixedHex(hash, 64, 'hash');
    const meta = chain.get(hash);
    if (!meta?.block) return sendError(res, 404, 'unknown block');
    const body: BlockResponse = { hash, block: block(meta) };
    res.json(body);
  });

  app.get('/v1/chain', (req, res) => {
    const { from, limit } = parseChainQuery(req.query as Record<string, unknown>);
    const tip = chain.tip;
    const last = Math.min(tip.height, from + limit - 1);
    const metas: BlockMeta[] = [];
    for (let m = last >= from ? chain.ancestorAt(tip, last) : undefined; m && m.height >= from; ) {
      metas.push(m);
      m = m.parent ?? undefined;
    }
    // Per-voter blocks reach ~49 KB: a page stops before CHAIN_PAGE_BYTES (always ≥ 1 block), so
    // it stays below every client's response limit; the client asks again from where it stopped.
    const texts: string[] = [];
    let bytes = 0;
    for (const m of metas.reverse()) {
      const text = JSON.stringify(block(m));
      if (texts.length > 0 && bytes + text.length > CHAIN_PAGE_BYTES) break;
      texts.push(text);
      bytes += text.length;
    }
    const head: Omit<ChainResponse, 'blocks'> = { best: tip.hash, height: tip.height };
    res.type('application/json').send(`${JSON.stringify(head).slice(0, -1)},"blocks":[${texts.join(',')}]}`);
  });

  app.post('/v1/blocks', async (req, res) => {
    const request = parseSubmitBlockRequest(req.body);
    // `from` is where this runner will fetch ancestors: the same rule as for announced addresses.
    if (request.from) peers.checkLearnable(request.from, 'body.from');
    const result = await node.submitBlock(request.block, 'push', request.from?.address);
    // A sender that gave its address and brought a block this runner took becomes an inbound
    // peer: each inbound slot costs a valid new block (a proof of work), not a request.
    if (request.from && result.status === 'added')
      callback('onPeerActive', () => options.onPeerActive?.(request.from!.address));
    let body: SubmitBlockResponse;
    switch (result.status) {
      case 'invalid':
      case 'rejected':
      case 'declined':
        return sendError(res, 400, result.reason);
      case 'orphan':
        callback('onOrphan', () => options.onOrphan?.(result.missing, request.from?.address));
        body = { status: 'orphan', missing: result.missing };
        break;
      case 'late':
        body = { status: 'late', final: result.final };
        break;
      default:
        body = { status: result.status };
    }
    res.json(body);
  });

  // Announcements by hash: the receiver says which bodies it wants, each asked of one announcer
  // at a time (wanted-bodies.ts). Announcing makes nobody an inbound peer: only a useful block does.
  const wantedBodies = new WantedBodies(
    (hash) => node.chain.wants(hash),
    (hash, from) => callback('onWithheld', () => options.onWithheld?.(hash, from)),
  );
  app.post('/v1/inventory', (req, res) => {
    const request = parseInventoryRequest(req.body);
    if (request.from) peers.checkLearnable(request.from, 'body.from');
    const body: InventoryResponse = { wanted: wantedBodies.answer(request.blocks, request.from?.address) };
    res.json(body);
  });

  app.get('/v1/peers', (_req, res) => {
    // Loopback peers mean nothing to a remote peer, and it could not learn them anyway.
    const listed = peers
      .snapshot()
      .filter((p) => p.reachable !== false && (p.kind === 'onion' || peers.learnsLoopback))
      .slice(0, MAX_PEERS_LISTED)
      .map((p) => p.address);
    const body: PeersResponse = { peers: listed };
    res.json(body);
  });

  app.post('/v1/peers', (req, res) => {
    const { address } = parseAnnounceRequest(req.body);
    peers.checkLearnable(address, 'body.address');
    const outcome = peers.add(address.address, 'announce');
    if (outcome === 'full') return sendError(res, 503, 'the peer book is full');
    if (outcome === 'added') callback('onPeerLearned', () => options.onPeerLearned?.(address.address));
    const body: AnnounceResponse = { status: outcome };
    res.json(body);
  });

  // Per-voter rule: voters' cast ballots, verified into the pool and relayed (never back to the sender).
  app.post('/v1/ballots', (req, res) => {
    const request = parseSubmitCastRequest(req.body);
    if (request.from) peers.checkLearnable(request.from, 'body.from');
    const body: SubmitCastResponse = { status: node.submitCast(request.cast, request.from?.address) };
    res.json(body);
  });

  // At most a chain page's bytes of them, oldest first: with large ballots of answers (up to
  // ~385 KB each) a whole pool could be hundreds of MB. A peer learns the rest as they are pushed.
  app.get('/v1/ballots', (_req, res) => {
    const pending = node.casting?.pool.all() ?? [];
    const most = Math.max(1, Math.floor(CHAIN_PAGE_BYTES / node.genesis.sizes.castBytes));
    const body: PendingBallotsResponse = {
      ballots: pending.slice(0, most).map((p) => encodeCastBallot(group, p.cast)),
    };
    res.json(body);
  });

  // Threshold talliers: the key ceremony's dealings and complaints, verified into the pool and relayed.
  app.post('/v1/ceremony', (req, res) => {
    const request = parseSubmitCeremonyRequest(req.body);
    if (request.from) peers.checkLearnable(request.from, 'body.from');
    const body: SubmitCeremonyResponse = {
      status: node.submitCeremony(request.message, request.from?.address),
    };
    res.json(body);
  });

  app.get('/v1/ceremony', (_req, res) => {
    const body: PendingCeremonyResponse = {
      messages: (node.ceremony?.all() ?? []).map((m) => encodeCeremonyMessage(group, m)),
    };
    res.json(body);
  });

  app.get('/v1/compensated-factors', (_req, res) => {
    const state = node.resultState();
    const held = state?.sealed ? state.compensated : [];
    const body: CompensatedFactorsResponse = {
      compensated_factors: held.map((cf) => encodeCompensatedFactor(group, cf)),
    };
    res.json(body);
  });

  app.post('/v1/compensated-factors', async (req, res) => {
    const { factor } = parseSubmitCompensatedRequest(req.body);
    const body: SubmitFactorResponse = { status: await node.submitCompensated(factor) };
    res.json(body);
  });

  app.get('/v1/factors', (_req, res) => {
    const factors = node.resultState()?.factors ?? [];
    const body: FactorsResponse = { factors: factors.map((f) => encodeDecryptionFactor(group, f)) };
    res.json(body);
  });

  app.post('/v1/factors', async (req, res) => {
    const { factor } = parseSubmitFactorRequest(req.body);
    const body: SubmitFactorResponse = { status: await node.submitFactor(factor) };
    res.json(body);
  });

  app.get('/v1/acceptances', (_req, res) => {
    const body: AcceptancesResponse = {
      acceptances: node.acceptances().map((a) => encodeAcceptance(group, a)),
    };
    res.json(body);
  });

  app.post('/v1/acceptances', async (req, res) => {
    const { acceptance } = parseSubmitAcceptanceRequest(req.body);
    const body: SubmitAcceptanceResponse = { status: await node.submitAcceptance(acceptance) };
    res.json(body);
  });

  app.get('/v1/result', (_req, res) => {
    const body: ResultResponse = resultOf(node);
    res.json(body);
  });

  if (options.extra) app.use(options.extra);
  finish();
  return app;
}

/**
 * The shell every peer-facing app shares (the election's API, the lobby's): per-client and global
 * rate limits, JSON-only bodies read strictly, no caching; `finish()` adds the 404 and the error
 * handler after the routes.
 */
export function peerApp(
  limits: RateLimits | undefined,
  log: ((message: string) => void) | undefined,
  bodyBytes: number = BASE_MESSAGE_BYTES,
): { app: Express; finish: () => void } {
  const limiter = new RateLimiter(limits ?? DEFAULT_RATE_LIMITS);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    // One Tor circuit is one client however many connections (streams) it opens.
    const circuit = circuitOf(req.socket);
    const wait = limiter.check(req.socket, req.method === 'POST', circuit ?? req.socket);
    if (wait === 0) return next();
    res.set('Retry-After', String(Math.max(1, Math.ceil(wait / 1000))));
    sendError(res, 429, 'too many requests on this connection or server-wide; retry later');
  });
  app.use((req, res, next) => {
    if (req.method !== 'POST') return next();
    // Requiring JSON also keeps browsers out: a cross-site form cannot send application/json.
    if (!req.is('application/json'))
      return sendError(res, 415, 'request bodies must be JSON (Content-Type: application/json)');
    next();
  });
  // An oversize body is read to its end and discarded (bounded by requestTimeout) before the 413:
  // closing on a client still sending would reset the connection and lose the answer.
  app.use(
    express.json({
      limit: bodyBytes,
      strict: true,
      inflate: false,
      type: 'application/json',
      // Strictly, before body-parser's own decoding and JSON.parse see it: bytes that are not
      // UTF-8 (which it would decode as U+FFFD), duplicate keys, numbers like `5.0` (which
      // JSON.parse would read silently) are refused here, with the place named (readJson). What
      // readJson accepts, JSON.parse reads to the same value.
      verify: (_req, _res, buf) => {
        try {
          readJson(strictUtf8(buf, 'the request body'), 'body');
        } catch (error) {
          throw Object.assign(error as Error, { status: 400 });
        }
      },
    }),
  );

  const finish = () => {
    app.use((_req, res) => sendError(res, 404, 'no such route'));

    const onError: ErrorRequestHandler = (error, req, res, _next) => {
      const { status, message } = classify(error, bodyBytes);
      if (status >= 500) log?.(`peer API: ${req.method} ${req.path}: ${errorText(error)}`);
      if (res.headersSent) {
        req.socket.destroy();
        return;
      }
      sendError(res, status, message);
    };
    app.use(onError);
  };
  return { app, finish };
}

function sendError(res: Response, status: number, message: string): void {
  const body: ErrorResponse = { error: message };
  res.status(status).json(body);
}

/** The status and a message safe to show: our validation messages, or a fixed text. */
function classify(error: unknown, bodyBytes: number): { status: number; message: string } {
  if (error instanceof ValidationError) return { status: 400, message: error.message };
  // Said without the folder's path, which is this machine's business only.
  if (error instanceof DiskFullError)
    return { status: 503, message: 'this runner stores nothing now: its disk is full' };
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    type?: unknown;
    status?: unknown;
  };
  switch (e.type) {
    case 'entity.too.large':
      return { status: 413, message: `request body larger than ${bodyBytes} bytes` };
    case 'entity.parse.failed':
      return { status: 400, message: 'malformed JSON' };
    case 'entity.not.utf8':
      return { status: 400, message: 'the request body is not valid UTF-8' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, message: 'request bodies must be uncompressed UTF-8 JSON' };
  }
  // Express's and body-parser's own client errors (a bad URL encoding, an aborted body…): their
  // status with its standard text, not their message.
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
    return { status: e.status, message: (http.STATUS_CODES[e.status] ?? 'bad request').toLowerCase() };
  return { status: 500, message: 'internal error' };
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

// ── Listening ────────────────────────────────────────────────────────────────────────────────

export interface ServerLimits {
  /** The whole request (headers and body) must arrive within this (ms). */
  readonly requestTimeout: number;
  /** The headers must arrive within this (ms); a client that never finishes them is cut off. */
  readonly headersTimeout: number;
  /** An idle keep-alive connection is closed after this (ms). */
  readonly keepAliveTimeout: number;
  /** A connection with no traffic at all (e.g. a client not reading its response) is closed (ms). */
  readonly socketTimeout: number;
  readonly maxHeadersCount: number;
  readonly maxHeaderBytes: number;
  /** Connections at once; past it the slowest or idlest is closed (connection-guard.ts). */
  readonly maxConnections: number;
  /** Connections at once that have not completed a request (slow headers). */
  readonly maxPendingConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  requestTimeout: 10_000,
  headersTimeout: 5_000,
  keepAliveTimeout: 5_000,
  socketTimeout: 30_000,
  maxHeadersCount: 64,
  maxHeaderBytes: 16 * 1024,
  maxConnections: 512,
  maxPendingConnections: 128,
};

export interface ListenOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Always 127.0.0.1: Tor forwards the onion service here, and nothing else may reach it. */
  readonly host?: '127.0.0.1';
  readonly limits?: Partial<ServerLimits>;
  /**
   * A Unix socket for the runner's own tor only (its folder must be private): every connection
   * there starts with tor's PROXY header naming the circuit (HiddenServiceExportCircuitID). Never
   * a TCP port: anyone on the machine could connect to one and claim any circuit.
   */
  readonly torSocket?: string;
}

export interface PeerApiServer {
  readonly port: number;
  readonly host: '127.0.0.1';
  readonly server: http.Server;
  /** The Unix socket tor is forwarded to, if one was asked for. */
  readonly torSocket: string | undefined;
  /** Connections now, by state, and how many were closed to make room. */
  connections(): ConnectionCounts;
  /**
   * Serves `app` from now on, on the same port, socket and onion service: the lobby hands its
   * server to the election's API when the organizer starts (connections already open keep theirs).
   */
  serve(app: Express): void;
  /** Stops listening and closes every connection, idle or not. */
  close(): Promise<void>;
}

export async function listenPeerApi(app: Express, options: ListenOptions): Promise<PeerApiServer> {
  if (options.host !== undefined && options.host !== '127.0.0.1')
    throw new Error('the peer API listens on 127.0.0.1 only');
  const limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  let handler: Express = app;
  const server = http.createServer(
    {
      requestTimeout: limits.requestTimeout,
      headersTimeout: limits.headersTimeout,
      keepAliveTimeout: limits.keepAliveTimeout,
      // Node checks the two timeouts above only this often (30 s by default).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeout),
      maxHeaderSize: limits.maxHeaderBytes,
    },
    (req, res) => handler(req, res),
  );
  server.maxHeadersCount = limits.maxHeadersCount;
  // Not server.maxConnections: it refuses newcomers at the cap, which is what slow clients want.
  const guard = new ConnectionGuard(server, {
    maxConnections: limits.maxConnections,
    maxPending: limits.maxPendingConnections,
  });
  server.setTimeout(limits.socketTimeout, (socket) => socket.destroy());
  server.on('clientError', onClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: '127.0.0.1', exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let torListener: TorListener | undefined;
  try {
    if (options.torSocket !== undefined)
      torListener = await listenForTor(server, options.torSocket, {
        headerTimeoutMs: limits.headersTimeout,
        maxPending: limits.maxPendingConnections,
      });
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  return {
    port,
    host: '127.0.0.1',
    server,
    torSocket: options.torSocket,
    connections: () => guard.counts(),
    serve: (next: Express) => {
      handler = next;
    },
    close: async () => {
      await Promise.all([
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
        torListener?.close(),
      ]);
    },
  };
}

/**
 * Errors before express sees a request (unparseable HTTP, oversized headers, timeouts): answer in
 * JSON like everything else, then drop the connection, as Node does by default.
 */
function onClientError(error: Error & { code?: string }, socket: Socket): void {
  // A response already under way on this socket must not be corrupted by a second one.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
    const status =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({ error: (http.STATUS_CODES[status] ?? 'bad request').toLowerCase() });
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
}
