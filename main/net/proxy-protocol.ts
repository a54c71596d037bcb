// The PROXY protocol header tor writes when an onion service has `HiddenServiceExportCircuitID
// haproxy`: before a client's first byte, one line naming the circuit the stream came over,
//
//   PROXY TCP6 fc00:dead:beef:4dad::AAAA:BBBB ::1 <AAAA·2^16+BBBB & 0xffff> <virtual port>\r\n
//
// the circuit's global identifier being the last 32 bits of the first address (tor's
// export_hs_client_circuit_id: `%x:%x` of its two halves, lowercase hex without leading zeros; the
// source port is its low 16 bits, 1 when a stream has no circuit). One circuit is one Tor client,
// however many streams (connections) it opens, so the peer API shares its global limits by circuit.
//
// Only tor may speak here: the listener is a Unix socket in the runner's private tor folder, never
// a TCP port (anyone on the machine could reach that and claim any circuit). The header is parsed
// strictly (this exact form, at most 107 bytes, within a time limit); anything else closes the
// connection without a word, since whatever sent it is not tor.
import { lstat, rm } from 'node:fs/promises';
import type http from 'node:http';
import net from 'node:net';

/** PROXY v1's own bound on a header line, CRLF included. */
export const MAX_PROXY_HEADER_BYTES = 107;

const HEADER =
  /^PROXY TCP6 fc00:dead:beef:4dad::([1-9a-f][0-9a-f]{0,3}|0):([1-9a-f][0-9a-f]{0,3}|0) ::1 (0|[1-9]\d{0,4}) (0|[1-9]\d{0,4})\r\n$/;

/** The circuit's global identifier in a header line (CRLF included), or undefined if it is not tor's. */
export function parseProxyHeader(line: string): number | undefined {
  if (line.length > MAX_PROXY_HEADER_BYTES) return undefined;
  const m = HEADER.exec(line);
  if (!m) return undefined;
  const circuit = Number.parseInt(m[1]!, 16) * 0x10000 + Number.parseInt(m[2]!, 16);
  const sourcePort = Number(m[3]);
  const virtualPort = Number(m[4]);
  if (sourcePort > 65535 || virtualPort < 1 || virtualPort > 65535) return undefined;
  // Tor's source port is the circuit's low 16 bits (1 for a stream without a circuit, id 0).
  if (sourcePort !== (circuit === 0 ? 1 : circuit & 0xffff)) return undefined;
  return circuit;
}

/** The PROXY header for `circuit`, as tor writes it (for tests). */
export function formatProxyHeader(circuit: number, virtualPort = 80): string {
  const sourcePort = circuit === 0 ? 1 : circuit & 0xffff;
  return `PROXY TCP6 fc00:dead:beef:4dad::${(circuit >>> 16).toString(16)}:${(circuit & 0xffff).toString(16)} ::1 ${sourcePort} ${virtualPort}\r\n`;
}

const circuits = new WeakMap<object, string>();

/** The client key of a connection tor brought (`circuit:<id>`), undefined for any other. */
export function circuitOf(socket: object): string | undefined {
  return circuits.get(socket);
}

export interface TorListenerOptions {
  /** The header must arrive within this (ms); tor writes it at once. */
  readonly headerTimeoutMs: number;
  /** Connections whose header has not arrived yet, at once. */
  readonly maxPending: number;
}

export interface TorListener {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Listens on the Unix socket `path` for tor; each connection's PROXY header is read and checked,
 * then the connection is handed to `server` as if it had connected there, its circuit recorded.
 * A stale socket file from a crash is replaced; anything else at `path` is an error.
 */
export async function listenForTor(
  server: http.Server,
  path: string,
  options: TorListenerOptions,
): Promise<TorListener> {
  if (process.platform === 'win32') throw new Error('the tor listener needs a Unix socket');
  await removeStaleSocket(path);
  const waiting = new Set<net.Socket>();
  const listener = net.createServer({ pauseOnConnect: true }, (socket) => {
    if (waiting.size >= options.maxPending) return void socket.destroy();
    waiting.add(socket);
    readHeader(socket, options.headerTimeoutMs, (circuit, rest) => {
      waiting.delete(socket);
      if (circuit === undefined) return void socket.destroy();
      circuits.set(socket, `circuit:${circuit}`);
      if (rest.length > 0) socket.unshift(rest);
      server.emit('connection', socket);
      socket.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen({ path, exclusive: true }, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of waiting) socket.destroy();
        // Connections already handed over are the HTTP server's to close.
        listener.close(() => resolve());
      }),
  };
}

/** Reads up to the header's CRLF, at most MAX_PROXY_HEADER_BYTES, within `timeoutMs`. */
function readHeader(
  socket: net.Socket,
  timeoutMs: number,
  done: (circuit: number | undefined, rest: Buffer) => void,
): void {
  let buffered = Buffer.alloc(0);
  let finished = false;
  const finish = (circuit: number | undefined, rest: Buffer) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
    socket.pause();
    done(circuit, rest);
  };
  const timer = setTimeout(() => finish(undefined, Buffer.alloc(0)), timeoutMs);
  const onClose = () => finish(undefined, Buffer.alloc(0));
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n');
    const length = end === -1 ? buffered.length : end + 2;
    if (length > MAX_PROXY_HEADER_BYTES) return finish(undefined, Buffer.alloc(0));
    if (end === -1) return;
    finish(parseProxyHeader(buffered.subarray(0, length).toString('latin1')), buffered.subarray(length));
  };
  socket.on('data', onData);
  socket.on('close', onClose);
  socket.on('error', () => {});
  socket.resume();
}

async function removeStaleSocket(path: string): Promise<void> {
  try {
    if (!(await lstat(path)).isSocket()) throw new Error(`${path} exists and is not a socket`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await rm(path);
}
