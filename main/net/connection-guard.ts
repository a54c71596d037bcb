// Who keeps a connection when there are too many. Node's own `server.maxConnections` refuses every
// new connection once the cap is reached, so 600 connections that never finish their headers (each
// held up to headersTimeout, then replaced) kept an honest peer out most of the time. Here the cap
// is kept by closing the connection least worth keeping instead:
//
// 1. connections that have not yet completed a request (slow headers, or nothing at all), oldest
//    first; they are also capped on their own (`maxPending`), so they never crowd out the rest;
// 2. then connections idle between requests (keep-alive), longest idle first;
// 3. never one with a request in progress; if every connection has one, the newcomer is closed.
//
// A new connection is the newest of all, so it is only closed if `maxPending` newer ones arrive
// before its headers do: an honest client's headers come in one packet, within a millisecond.
import type http from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionCaps {
  /** Connections at once. */
  readonly maxConnections: number;
  /** Connections at once that have not completed a request yet. */
  readonly maxPending: number;
}

export interface ConnectionCounts {
  readonly pending: number;
  readonly idle: number;
  readonly busy: number;
  /** Connections closed to make room, since the start. */
  readonly evicted: number;
}

export class ConnectionGuard {
  /** Never completed a request; oldest first (a Set keeps insertion order). */
  private readonly pending = new Set<Socket>();
  /** Between requests; longest idle first (re-inserted when they become idle). */
  private readonly idle = new Set<Socket>();
  /** Requests in progress, per connection (pipelining can make it more than one). */
  private readonly busy = new Map<Socket, number>();
  private evicted = 0;

  constructor(
    server: http.Server,
    private readonly caps: ConnectionCaps,
  ) {
    if (!(caps.maxPending >= 1 && caps.maxConnections >= caps.maxPending))
      throw new Error('connection caps: need 1 ≤ maxPending ≤ maxConnections');
    server.on('connection', (socket: Socket) => this.opened(socket));
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.started(req.socket);
      res.once('close', () => this.finished(req.socket));
    });
  }

  counts(): ConnectionCounts {
    return { pending: this.pending.size, idle: this.idle.size, busy: this.busy.size, evicted: this.evicted };
  }

  private opened(socket: Socket): void {
    this.pending.add(socket);
    socket.once('close', () => {
      this.pending.delete(socket);
      this.idle.delete(socket);
      this.busy.delete(socket);
    });
    if (this.pending.size > this.caps.maxPending) this.evict(this.pending);
    if (this.total() > this.caps.maxConnections && !this.evict(this.pending) && !this.evict(this.idle)) {
      // Everyone else is being served: the newcomer waits its turn elsewhere.
      this.drop(socket);
    }
  }

  private started(socket: Socket): void {
    this.pending.delete(socket);
    this.idle.delete(socket);
    this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
  }

  private finished(socket: Socket): void {
    const left = (this.busy.get(socket) ?? 1) - 1;
    if (left > 0) return void this.busy.set(socket, left);
    this.busy.delete(socket);
    if (!socket.destroyed) this.idle.add(socket);
  }

  private total(): number {
    return this.pending.size + this.idle.size + this.busy.size;
  }

  /** Closes the first (oldest) connection of `set`; false if it is empty. */
  private evict(set: Set<Socket>): boolean {
    const [oldest] = set;
    if (oldest === undefined) return false;
    this.evicted++;
    this.drop(oldest);
    return true;
  }

  private drop(socket: Socket): void {
    this.pending.delete(socket);
    this.idle.delete(socket);
    this.busy.delete(socket);
    socket.destroy();
  }
}
