// Tests' stand-in for an organizer who lies or is slow: an HTTP front on 127.0.0.1 that passes
// every request on to a real lobby, except what its hooks take over (the lobby's info rewritten,
// the genesis answered its own way, a request to take part held).
import { createServer } from 'node:http';
import type net from 'node:net';

/** The answer the front gives to GET /v1/genesis: a status and a body, or the connection cut. */
export type GenesisAnswer = { readonly status: number; readonly body: string } | 'hang up';

export interface LobbyFrontHooks {
  /** GET /v1/genesis (never passed on: the lobby does not serve it). */
  readonly genesis: () => GenesisAnswer | Promise<GenesisAnswer>;
  /** Rewrites the lobby's GET /v1/lobby answer. */
  readonly lobbyInfo?: (info: Record<string, unknown>) => Record<string, unknown>;
  /** Awaited before a request to take part (POST /v1/lobby/requests) is passed on. */
  readonly beforeAsk?: () => Promise<void>;
}

/** A front for the lobby at `lobby` (host:port): its address, and close. */
export async function lobbyFront(
  lobby: string,
  hooks: LobbyFrontHooks,
): Promise<{ readonly address: string; close(): void }> {
  const server = createServer(async (req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/v1/genesis') {
      const answer = await hooks.genesis();
      if (answer === 'hang up') return void req.socket.destroy();
      res.statusCode = answer.status;
      return void res.end(answer.body);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'POST' && req.url === '/v1/lobby/requests') await hooks.beforeAsk?.();
    try {
      const answer = await fetch(`http://${lobby}${req.url}`, {
        method: req.method!,
        headers: { 'Content-Type': 'application/json' },
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      const body = (await answer.json()) as Record<string, unknown>;
      res.statusCode = answer.status;
      const rewrite = req.url === '/v1/lobby' ? hooks.lobbyInfo : undefined;
      res.end(JSON.stringify(rewrite ? rewrite(body) : body));
    } catch {
      res.destroy(); // the lobby closed while a request was held: the test is over
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
