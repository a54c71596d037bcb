// The lobby over the network (docs/PROTOCOL.md §11). The organizer's side: its peer API serving
// the lobby's routes (published as its onion service), handed to the runner at the start so the
// address and port stay the same. The joiner's side: ask, poll, and at the start fetch and check
// the genesis.
import type express from 'express';
import { type Genesis, parseGenesis } from '../chain/genesis';
import { toHex } from '../crypto/bigint';
import type { Group } from '../crypto/group';
import type { Lobby } from '../node/lobby';
import type { TorManager } from '../tor/manager';
import { listenPeerApi, type PeerApiServer } from './api';
import type { PeerClient } from './client';
import { createLobbyApi, lobbyRouter } from './lobby-api';
import type { TicketResponse } from './messages';

export interface LobbyHostOptions {
  readonly port?: number;
  /** No Tor: the lobby's address is 127.0.0.1:PORT. */
  readonly direct?: boolean;
  /** Publishes the lobby as this runner's onion service (the same address the election keeps). */
  readonly tor?: TorManager;
  /** The address to hand out, when the user runs their own tor. */
  readonly self?: string;
  readonly onChange?: () => void;
  readonly log?: (message: string) => void;
}

export class LobbyHost {
  private handedOver = false;

  private constructor(
    readonly lobby: Lobby,
    readonly api: PeerApiServer,
    readonly self: string | undefined,
    private readonly tor: TorManager | undefined,
    private readonly routes: express.Router,
  ) {}

  static async open(lobby: Lobby, group: Group, options: LobbyHostOptions = {}): Promise<LobbyHost> {
    const onChange = options.onChange;
    const app = createLobbyApi({
      lobby,
      group,
      ...(onChange ? { onChange } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    const torSocket = options.tor?.circuitSocketPath();
    const api = await listenPeerApi(app, {
      port: options.port ?? 0,
      host: '127.0.0.1',
      ...(torSocket ? { torSocket } : {}),
    });
    try {
      let self = options.self ?? (options.direct ? `127.0.0.1:${api.port}` : undefined);
      if (options.tor) {
        options.log?.('publishing the lobby as an onion service…');
        self = (await options.tor.publishService(api.port, torSocket ? { socketPath: torSocket } : {}))
          .address;
      }
      const routes = lobbyRouter({ lobby, group, ...(onChange ? { onChange } : {}) });
      return new LobbyHost(lobby, api, self, options.tor, routes);
    } catch (error) {
      await api.close();
      throw error;
    }
  }

  /**
   * What Runner.start takes over at the start: the listening peer API with its address, and the
   * lobby's routes to keep serving beside the election's (admitted joiners still polling).
   */
  handOver(): { service: { api: PeerApiServer; self: string | undefined }; extra: express.Router } {
    this.handedOver = true;
    return { service: { api: this.api, self: this.self }, extra: this.routes };
  }

  /** Closes the lobby's server and its tor, unless a runner took them over. */
  async close(): Promise<void> {
    if (this.handedOver) return;
    await this.api.close();
    await this.tor?.stop();
  }
}

/** A joiner's request: its name, its own address (if it has one yet) and, per-voter, its credential. */
export async function askToJoin(
  client: PeerClient,
  organizer: string,
  request: { readonly name: string; readonly self?: string; readonly credential?: bigint },
  group: Group,
): Promise<string> {
  const answer = await client.askToJoin(organizer, {
    name: request.name,
    ...(request.self ? { address: request.self } : {}),
    ...(request.credential !== undefined
      ? { credential: toHex(request.credential, group.byteWidth * 2) }
      : {}),
  });
  return answer.ticket;
}

/**
 * Once a poll says the election started (and this joiner is in): the genesis, fetched from the
 * organizer and checked — its id must be the one the organizer named (and the invitation's, if it
 * named one), and a per-voter roster must hold this joiner's credential.
 */
export async function fetchStartedGenesis(
  client: PeerClient,
  organizer: string,
  answer: TicketResponse,
  expect: { readonly electionId?: string; readonly credential?: bigint },
): Promise<Genesis> {
  if (answer.status !== 'admitted' || !answer.election)
    throw new Error('the organizer has not started an election with you in it');
  if (expect.electionId && expect.electionId !== answer.election)
    throw new Error(
      `the organizer started election ${answer.election.slice(0, 16)}…, not ${expect.electionId.slice(0, 16)}… that the invitation names`,
    );
  const genesis = parseGenesis(await client.genesis(organizer));
  if (genesis.idHex !== answer.election)
    throw new Error(
      `${organizer} serves election ${genesis.idHex.slice(0, 16)}…, not ${answer.election.slice(0, 16)}… it named: not joined`,
    );
  if (genesis.ballotRule === 'per-voter') {
    if (expect.credential === undefined || !genesis.roster.includes(expect.credential))
      throw new Error(
        "your credential is not on the election's roster: the organizer left you out at the start",
      );
    // The roster must be exactly the admitted participants' credentials, as the lobby listed them:
    // an organizer adding credentials of its own (extra ballots) is caught here.
    const listed = new Set((answer.participants ?? []).map((p) => p.credential));
    const roster = genesis.roster.map((c) => toHex(c, genesis.group.byteWidth * 2));
    if (listed.size !== roster.length || roster.some((c) => !listed.has(c)))
      throw new Error(
        `the election's roster (${roster.length} credentials) is not the admitted participants' (${listed.size}): not joined`,
      );
  }
  return genesis;
}
