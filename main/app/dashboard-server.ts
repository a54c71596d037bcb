// The headless web dashboard: the renderer's files and the engine API over HTTP on 127.0.0.1, for a
// runner on a machine without a screen. Its own server, never the peer API's: peers reach the peer
// API through Tor, and nothing they send must ever reach this one.
//
//   GET  /…                 the renderer (static files; no secret in them)
//   POST /api/call/<name>   one request: {"args": [...]} → {"ok": result} | {"error", "field"?}
//   GET  /api/events        text/event-stream: "snapshot" {seq, state}, then "engine" {seq, event}
//
// Defences, because any web page the user visits can make the browser send requests to 127.0.0.1:
// - a random 256-bit token, required as `Authorization: Bearer` on every /api request (a page of
//   another origin cannot read it, and it is handed over in the URL's #fragment, which browsers
//   never send to a server);
// - the Host header must name this server by loopback address (DNS rebinding: a hostile name that
//   resolves to 127.0.0.1 carries its own name in Host);
// - an Origin header, when present, must be this server's (cross-site requests carry theirs);
// - POST bodies must be application/json (no CORS-simple form posts), at most 64 KiB.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { REQUEST_NAMES, type SequencedEvent, type Snapshot } from '../api/contract';
import { readJson } from '../crypto/json';
import { strictUtf8 } from '../store/utf8';

/** What the server needs from an engine: the real one (./engine) or a synthetic one in tests. */
export interface EngineHost {
  snapshot(): Snapshot;
  /** Runs request `name`; rejects with an error whose message is meant for the user. */
  call(name: string, args: unknown[]): Promise<unknown>;
  onEvent(listener: (event: SequencedEvent) => void): () => void;
}

export interface DashboardServerOptions {
  /** The built renderer (dist/renderer). */
  readonly rendererDir: string;
  /** On 127.0.0.1; 0 (default) picks a free port. */
  readonly port?: number;
  /** Default: 32 random bytes, hex. */
  readonly token?: string;
  readonly log?: (message: string) => void;
}

export interface DashboardServer {
  /** The address to open, token included (in the fragment). */
  readonly url: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
const KEEPALIVE_MS = 15_000;
/** Unsent event data per stream before the stream is dropped. */
const MAX_STREAM_BACKLOG_BYTES = 16 * 1024 * 1024;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};
const REQUESTS: ReadonlySet<string> = new Set(REQUEST_NAMES);

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function serveDashboard(
  host: EngineHost,
  options: DashboardServerOptions,
): Promise<DashboardServer> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const expectedAuth = Buffer.from(`Bearer ${token}`);
  const rendererDir = path.resolve(options.rendererDir);
  const streams = new Set<ServerResponse>();
  let port = 0;

  const authorised = (req: IncomingMessage) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === expectedAuth.length && timingSafeEqual(given, expectedAuth);
  };

  const checkHostAndOrigin = (req: IncomingMessage) => {
    const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    if (!allowed.includes(req.headers.host ?? '')) throw new HttpError(421, 'unexpected Host header');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowed.some((h) => origin === `http://${h}`)) {
      throw new HttpError(403, 'cross-origin request refused');
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkHostAndOrigin(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/')) {
      if (!authorised(req)) throw new HttpError(401, 'missing or wrong access token');
      if (url.pathname === '/api/events' && req.method === 'GET') return openStream(res);
      const name = /^\/api\/call\/(\w+)$/.exec(url.pathname)?.[1];
      if (name === undefined || !REQUESTS.has(name)) throw new HttpError(404, 'no such request');
      if (req.method !== 'POST') throw new HttpError(405, 'requests are POSTs');
      const args = await readArgs(req);
      let result: unknown;
      try {
        result = await host.call(name, args);
      } catch (error) {
        const field = (error as { field?: unknown }).field;
        return sendJson(res, 400, {
          error: (error as Error).message,
          ...(typeof field === 'string' ? { field } : {}),
        });
      }
      return sendJson(res, 200, { ok: result ?? null });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
    return sendFile(res, url.pathname, req.method === 'HEAD');
  }

  function openStream(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    // Subscribe before taking the snapshot: events from here on are sent after it, in order, and
    // the client drops those the snapshot already holds (seq ≤ snapshot.seq).
    const pending: SequencedEvent[] = [];
    let ready = false;
    const send = (e: SequencedEvent) => {
      // A page that stops reading (a frozen tab) must not make the engine buffer without end: drop
      // it; when it reads again it reconnects and starts over from a fresh snapshot.
      if (res.writableLength > MAX_STREAM_BACKLOG_BYTES) return void res.destroy();
      res.write(`event: engine\ndata: ${JSON.stringify(e)}\n\n`);
    };
    const unsubscribe = host.onEvent((e) => (ready ? send(e) : pending.push(e)));
    res.write(`event: snapshot\ndata: ${JSON.stringify(host.snapshot())}\n\n`);
    ready = true;
    for (const e of pending) send(e);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    streams.add(res);
    res.on('close', () => {
      clearInterval(keepalive);
      unsubscribe();
      streams.delete(res);
    });
  }

  async function sendFile(res: ServerResponse, pathname: string, headOnly: boolean): Promise<void> {
    let relative: string;
    try {
      relative = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
    } catch {
      throw new HttpError(400, 'malformed path'); // a bad %-escape is the client's fault, not ours
    }
    const file = path.resolve(rendererDir, `.${relative}`);
    if (!file.startsWith(rendererDir + path.sep)) throw new HttpError(404, 'not found');
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new HttpError(404, 'not found');
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    });
    if (headOnly) return void res.end();
    createReadStream(file).pipe(res);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (status === 500) options.log?.(`dashboard: ${(error as Error).message}`);
      if (!res.headersSent)
        sendJson(res, status, { error: status === 500 ? 'internal error' : (error as Error).message });
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readArgs(req: IncomingMessage): Promise<unknown[]> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json(\s*;|$)/i.test(type))
    throw new HttpError(415, 'the body must be application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  // Read as strictly as the peer API: bytes that are not UTF-8 are refused, never decoded into
  // U+FFFD, and a key given twice is refused rather than resolved to the last one.
  let body: unknown;
  try {
    body = readJson(strictUtf8(Buffer.concat(chunks), 'the body'), 'body');
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
  const args = (body as { args?: unknown } | null)?.args;
  if (
    typeof body !== 'object' ||
    body === null ||
    Object.keys(body).some((k) => k !== 'args') ||
    !Array.isArray(args)
  ) {
    throw new HttpError(400, 'the body must be {"args": [...]}');
  }
  return args;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}
