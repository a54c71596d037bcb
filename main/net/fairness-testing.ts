// Attacks on the peer API's connections and rate limits, over real loopback sockets, and an honest
// peer (the real PeerClient) measured while they run. Shared by main/net/fairness.test.ts and the
// `fairness` bench suite, so that both measure the same thing. Every socket and timer an attack
// opens is ended by its stop(); every loop is bounded by its duration.
import net from 'node:net';
import { PeerClient } from './client';

export interface Attack {
  /** Connections opened so far (reconnections included). */
  readonly opened: () => number;
  /** Answers with status 200 the attack received. */
  readonly served: () => number;
  stop(): Promise<void>;
}

/**
 * Slowloris: `connections` sockets each sending a request's headers one byte every `byteEveryMs`,
 * never finishing them; a socket the server closes is replaced `reconnectMs` later (an attacker
 * wants its sockets held). The pause bounds the churn: at once, the sockets the server turns away
 * came straight back, thousands a second, and filled the machine's ephemeral ports with TIME_WAIT.
 */
export function slowloris(port: number, connections: number, byteEveryMs = 500, reconnectMs = 1000): Attack {
  const sockets = new Set<net.Socket>();
  let opened = 0;
  let stopped = false;
  const head = 'GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: ';
  const open = () => {
    if (stopped) return;
    opened++;
    const socket = net.connect(port, '127.0.0.1');
    sockets.add(socket);
    let sent = 0;
    const timer = setInterval(() => {
      // One byte at a time, first the request line, then a header value that never ends.
      socket.write(sent < head.length ? head[sent]! : 'a');
      sent++;
    }, byteEveryMs);
    socket.on('connect', () => socket.write(head[sent++]!));
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      sockets.delete(socket);
      setTimeout(open, reconnectMs);
    });
  };
  for (let i = 0; i < connections; i++) open();
  return { opened: () => opened, served: () => 0, stop: () => stopAll(sockets, () => (stopped = true)) };
}

/**
 * Saturation: `connections` keep-alive sockets each sending `perSecond` GET /v1/status (just under
 * the per-connection limit), pipelined, answers read and discarded.
 */
export function saturate(port: number, connections: number, perSecond: number): Attack {
  const sockets = new Set<net.Socket>();
  let opened = 0;
  let served = 0;
  let stopped = false;
  const request = 'GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n';
  const open = () => {
    if (stopped) return;
    opened++;
    const socket = net.connect(port, '127.0.0.1');
    sockets.add(socket);
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      timer = setInterval(() => socket.write(request), 1000 / perSecond);
    });
    // Status lines counted per chunk: one split across two chunks is missed (rare, and only ever
    // an undercount of what the attack got).
    socket.on('data', (chunk: Buffer) => {
      served += chunk.toString('latin1').split('HTTP/1.1 200 ').length - 1;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      sockets.delete(socket);
      setTimeout(open, 10);
    });
  };
  for (let i = 0; i < connections; i++) open();
  return { opened: () => opened, served: () => served, stop: () => stopAll(sockets, () => (stopped = true)) };
}

async function stopAll(sockets: Set<net.Socket>, markStopped: () => void): Promise<void> {
  markStopped();
  for (const socket of sockets) socket.destroy();
  // 'close' handlers run on a later tick; they see `stopped` and open nothing.
  await new Promise((resolve) => setImmediate(resolve));
}

export interface HonestOutcome {
  readonly served: number;
  readonly asked: number;
  /** What went wrong with the others (status or error text), counted. */
  readonly failures: Record<string, number>;
}

/**
 * An honest peer: the real PeerClient asking GET /v1/status every `everyMs`, `count` times (a
 * runner syncing asks about once a second; this is twice that). Served means a valid answer.
 */
export async function honestPeer(
  port: number,
  count: number,
  everyMs: number,
  timeoutMs = 5000,
): Promise<HonestOutcome> {
  const client = new PeerClient({ timeoutMs });
  const failures: Record<string, number> = {};
  let served = 0;
  try {
    const asks: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      asks.push(
        client.status(`127.0.0.1:${port}`).then(
          () => {
            served++;
          },
          (error: unknown) => {
            const e = error as { status?: number; message?: string };
            const key = e.status !== undefined ? String(e.status) : (e.message ?? String(error)).slice(-60);
            failures[key] = (failures[key] ?? 0) + 1;
          },
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    await Promise.all(asks);
  } finally {
    client.close();
  }
  return { served, asked: count, failures };
}
