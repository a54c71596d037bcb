// The lobby's peer routes (docs/PROTOCOL.md §11): what a joiner's runner asks the organizer's
// before the election exists. Served alone while the room is open (createLobbyApi, with the peer
// API's limits and strict JSON), and beside the election's routes after the start, so that admitted
// joiners still polling learn the election id.
import express, { type Express } from 'express';
import { encodeQuestions } from '../chain/questions';
import { toHex } from '../crypto/bigint';
import { exactObject, fixedHex, parseElement } from '../crypto/codec';
import type { Group } from '../crypto/group';
import type { Lobby } from '../node/lobby';
import { parsePeerAddress } from './address';
import { peerApp } from './api';
import type { JoinRequestResponse, LobbyInfoResponse, TicketResponse } from './messages';
import type { RateLimits } from './rate-limit';

export interface LobbyApiOptions {
  readonly lobby: Lobby;
  readonly group: Group;
  /** A request arrived or a joiner polled: the organizer's screens follow. */
  readonly onChange?: () => void;
}

/** POST /v1/lobby/requests: `{name, address?, credential?}`. */
export function parseJoinRequest(
  group: Group,
  value: unknown,
): { name: unknown; address?: string; credential?: bigint } {
  const keys = [
    'name',
    ...['address', 'credential'].filter(
      (k) => typeof value === 'object' && value !== null && Object.hasOwn(value, k),
    ),
  ];
  const o = exactObject(value, 'body', keys);
  return {
    name: o.name,
    ...(o.address !== undefined ? { address: parsePeerAddress(o.address, 'body.address').address } : {}),
    ...(o.credential !== undefined
      ? { credential: parseElement(group, o.credential, 'body.credential') }
      : {}),
  };
}

export function lobbyRouter(options: LobbyApiOptions): express.Router {
  const { lobby, group } = options;
  const width = group.byteWidth * 2;
  const router = express.Router();

  router.get('/v1/lobby', (_req, res) => {
    const { params } = lobby;
    const body: LobbyInfoResponse = {
      title: params.title,
      question: params.question,
      ballot_rule: params.ballotRule,
      organizer: lobby.organizer.name,
      admitted: lobby.admittedCount,
      started: lobby.started !== undefined,
      n_talliers: params.nTalliers,
      n_talliers_blocks: params.nTalliersBlocks,
      n_vote_blocks: params.nVoteBlocks,
      confirmations: params.confirmations,
      ...(params.quorum !== undefined
        ? { quorum: params.quorum, n_ceremony_blocks: params.nCeremonyBlocks! }
        : {}),
      // What joiners will be asked, before they ask to join.
      ...(params.questions !== undefined ? { questions: encodeQuestions(params.questions) } : {}),
    };
    res.json(body);
  });

  router.post('/v1/lobby/requests', async (req, res) => {
    const asked = parseJoinRequest(group, req.body);
    const body: JoinRequestResponse = await lobby.request(asked);
    options.onChange?.();
    res.json(body);
  });

  router.get('/v1/lobby/requests/:ticket', (req, res) => {
    const ticket = toHex(fixedHex(req.params.ticket, 32, 'ticket'), 32);
    const answer = lobby.poll(ticket);
    if (!answer) return void res.status(404).json({ error: 'no such ticket' });
    options.onChange?.();
    const body: TicketResponse = {
      status: answer.status,
      admitted: answer.admitted,
      started: answer.started,
      ...(answer.participants
        ? {
            participants: answer.participants.map((p) => ({
              name: p.name,
              ...(p.credential !== undefined ? { credential: toHex(p.credential, width) } : {}),
            })),
          }
        : {}),
      ...(answer.election ? { election: answer.election } : {}),
    };
    res.json(body);
  });
  return router;
}

/** The lobby's own peer API, while no election exists. */
export function createLobbyApi(
  options: LobbyApiOptions & { readonly limits?: RateLimits; readonly log?: (message: string) => void },
): Express {
  const { app, finish } = peerApp(options.limits, options.log);
  app.use(lobbyRouter(options));
  finish();
  return app;
}
