// The waiting room before an election (docs/PROTOCOL.md §11), held by the organizer's runner:
// nothing is mined and no genesis exists yet. Joiners' runners ask to take part (a display name,
// their address, and under the per-voter rule a credential public key); the organizer admits or
// refuses each, then starts: only then is the genesis fixed, with the roster of the admitted
// credentials (the organizer's first among equals), and handed to every admitted joiner.
//
// Kept in lobby.json (mode 0600: it holds every joiner's ticket) so that a restart keeps the room. Each
// request gets a ticket, a random bearer token only its joiner knows: it polls with it, and only
// an admitted ticket sees the other participants' names and, after the start, the election id.
import { randomBytes } from 'node:crypto';
import { checkMinerLabel } from '../chain/block';
import { type BallotRule, ballotRules, type Genesis, makeGenesis } from '../chain/genesis';
import { encodeQuestions, parseQuestions, type Question } from '../chain/questions';
import { electionSizes } from '../chain/sizes';
import { toHex } from '../crypto/bigint';
import { exactObject, fixedHex, parseHash } from '../crypto/codec';
import { check, ValidationError } from '../crypto/errors';
import type { Group } from '../crypto/group';
import type { DataDir } from '../store/data-dir';

/** Everything of the genesis but what the start fixes (the roster, the time). */
export interface LobbyParams {
  readonly title: string;
  readonly question: string;
  readonly ballotRule: BallotRule;
  readonly nTalliers: number;
  readonly nTalliersBlocks: number;
  readonly nVoteBlocks: number;
  readonly confirmations: number;
  readonly target: bigint;
  /** Threshold talliers (both or neither): any `quorum` decrypt, after a ceremony of this many blocks. */
  readonly quorum?: number;
  readonly nCeremonyBlocks?: number;
  /** Questions with choices (absent: the one yes/no `question`). */
  readonly questions?: readonly Question[];
}

export type RequestStatus = 'waiting' | 'admitted' | 'refused';

export interface Participant {
  /** A public handle for the organizer's screens (the ticket is the joiner's secret). */
  readonly id: number;
  readonly ticket: string;
  readonly name: string;
  readonly address?: string;
  readonly credential?: bigint;
  readonly status: RequestStatus;
  /** Unix ms. */
  readonly requestedAt: number;
}

/** What a joiner's poll is answered. */
export interface TicketAnswer {
  readonly status: RequestStatus;
  /** Admitted participants, the organizer included. */
  readonly admitted: number;
  /** For an admitted ticket only: everyone admitted, by name (and credential, per-voter). */
  readonly participants?: readonly { readonly name: string; readonly credential?: bigint }[];
  /** For an admitted ticket, once started: the election to fetch from the organizer. */
  readonly election?: string;
  readonly started: boolean;
}

/** Requests kept at most: the largest roster. */
export const MAX_REQUESTS = 1000;
/**
 * Requests waiting for the organizer's answer at most: anyone who has the lobby's address can ask,
 * so a flood of requests fills this, not the room (the organizer refuses some, then more may ask).
 */
export const MAX_WAITING = 100;
/** A joiner that polled within this is shown online (they poll every few seconds). */
export const ONLINE_MS = 20_000;

export class Lobby {
  /** Unix ms of each ticket's last poll: presence, not worth a write. */
  private readonly seen = new Map<string, number>();
  /** Changes are made one at a time: two requests at once must not both start from the same list. */
  private changing: Promise<unknown> = Promise.resolve();
  private perBlock: number | undefined;

  private constructor(
    private readonly dataDir: DataDir,
    private readonly group: Group,
    readonly params: LobbyParams,
    readonly organizer: { readonly name: string; readonly credential?: bigint },
    private list: readonly Participant[],
    private startedAs: string | undefined,
  ) {}

  /** Opens a lobby in a data folder that holds no election (the parameters checked first). */
  static async create(
    dataDir: DataDir,
    group: Group,
    params: LobbyParams,
    organizer: { readonly name: string; readonly credential?: bigint },
  ): Promise<Lobby> {
    checkParams(group, params);
    checkMinerLabel(organizer.name, 'name');
    check(
      params.ballotRule === 'per-block' || organizer.credential !== undefined,
      'credential',
      'the organizer of a per-voter election needs a credential',
    );
    const lobby = new Lobby(dataDir, group, params, organizer, [], undefined);
    await lobby.save();
    return lobby;
  }

  /** The lobby saved in a data folder, if there is one. */
  static async load(dataDir: DataDir, group: Group): Promise<Lobby | undefined> {
    const stored = await dataDir.load('lobby');
    if (!stored) return undefined;
    const o = exactObject(stored.value, 'lobby.json', ['params', 'organizer', 'participants', 'started']);
    const width = group.byteWidth * 2;
    const threshold = Object.hasOwn((o.params ?? {}) as object, 'quorum');
    const withQuestions = Object.hasOwn((o.params ?? {}) as object, 'questions');
    const p = exactObject(o.params, 'lobby.json.params', [
      ...(threshold ? ['quorum', 'n_ceremony_blocks'] : []),
      ...(withQuestions ? ['questions'] : []),
      'title',
      'question',
      'ballot_rule',
      'n_talliers',
      'n_talliers_blocks',
      'n_vote_blocks',
      'confirmations',
      'target',
    ]);
    const params: LobbyParams = {
      title: p.title as string,
      question: p.question as string,
      ballotRule: p.ballot_rule as BallotRule,
      nTalliers: p.n_talliers as number,
      nTalliersBlocks: p.n_talliers_blocks as number,
      nVoteBlocks: p.n_vote_blocks as number,
      confirmations: p.confirmations as number,
      target: fixedHex(p.target, 64, 'lobby.json.params.target'),
      ...(threshold ? { quorum: p.quorum as number, nCeremonyBlocks: p.n_ceremony_blocks as number } : {}),
      ...(withQuestions ? { questions: parseQuestions(p.questions, 'lobby.json.params.questions') } : {}),
    };
    checkParams(group, params);
    const org = o.organizer as { name: string; credential?: string };
    const organizer = {
      name: org.name,
      ...(org.credential
        ? { credential: fixedHex(org.credential, width, 'lobby.json.organizer.credential') }
        : {}),
    };
    check(Array.isArray(o.participants), 'lobby.json.participants', 'must be an array');
    const list = (o.participants as Record<string, unknown>[]).map(
      (q): Participant => ({
        id: q.id as number,
        ticket: q.ticket as string,
        name: q.name as string,
        ...(typeof q.address === 'string' ? { address: q.address } : {}),
        ...(typeof q.credential === 'string'
          ? { credential: fixedHex(q.credential, width, 'lobby.json.participants.credential') }
          : {}),
        status: q.status as RequestStatus,
        requestedAt: q.requested_at as number,
      }),
    );
    const started = o.started === null ? undefined : parseHash(o.started, 'lobby.json.started');
    return new Lobby(dataDir, group, params, organizer, list, started);
  }

  get participants(): readonly Participant[] {
    return this.list;
  }

  /** The election id once started. */
  get started(): string | undefined {
    return this.startedAs;
  }

  /** Admitted participants, the organizer included. */
  get admittedCount(): number {
    return 1 + this.list.filter((p) => p.status === 'admitted').length;
  }

  online(p: Participant, now = Date.now()): boolean {
    return now - (this.seen.get(p.ticket) ?? 0) < ONLINE_MS;
  }

  /**
   * A joiner asks to take part. Its name follows the miner-label rules; under the per-voter rule a
   * credential (a group element) is required and must be new here. Returns its ticket.
   */
  request(
    asked: { readonly name: unknown; readonly address?: string; readonly credential?: bigint },
    now = Date.now(),
  ): Promise<{ ticket: string; status: RequestStatus }> {
    return this.serially(() => this.add(asked, now));
  }

  private async add(
    asked: { readonly name: unknown; readonly address?: string; readonly credential?: bigint },
    now: number,
  ): Promise<{ ticket: string; status: RequestStatus }> {
    check(
      this.startedAs === undefined,
      'lobby',
      'the election has started: the lobby takes no more requests',
    );
    checkMinerLabel(asked.name, 'body.name');
    check(asked.name.length > 0, 'body.name', 'must not be empty');
    const perVoter = this.params.ballotRule === 'per-voter';
    check(
      !perVoter || asked.credential !== undefined,
      'body.credential',
      'a per-voter election needs your credential public key',
    );
    check(
      perVoter || asked.credential === undefined,
      'body.credential',
      'a per-block election takes no credential',
    );
    if (asked.credential !== undefined) {
      check(this.group.isElement(asked.credential), 'body.credential', 'is not an element of the group');
      check(
        asked.credential !== this.organizer.credential &&
          !this.list.some((p) => p.credential === asked.credential),
        'body.credential',
        'has already asked to join (the runner that asked keeps its ticket)',
      );
    }
    check(this.list.length < MAX_REQUESTS, 'lobby', `is full (${MAX_REQUESTS} requests)`);
    check(
      this.list.filter((p) => p.status === 'waiting').length < MAX_WAITING,
      'lobby',
      `has ${MAX_WAITING} requests waiting for the organizer: ask again later`,
    );
    const participant: Participant = {
      id: this.list.length + 1,
      ticket: randomBytes(16).toString('hex'),
      name: asked.name,
      ...(asked.address ? { address: asked.address } : {}),
      ...(asked.credential !== undefined ? { credential: asked.credential } : {}),
      status: 'waiting',
      requestedAt: now,
    };
    await this.save([...this.list, participant]);
    this.seen.set(participant.ticket, now);
    return { ticket: participant.ticket, status: 'waiting' };
  }

  /** A joiner's poll: its status, and (admitted) who else is in and, once started, the election. */
  poll(ticket: string, now = Date.now()): TicketAnswer | undefined {
    const p = this.list.find((x) => x.ticket === ticket);
    if (!p) return undefined;
    this.seen.set(ticket, now);
    const started = this.startedAs !== undefined;
    const base = { status: p.status, admitted: this.admittedCount, started };
    if (p.status !== 'admitted') return base;
    const everyone = [
      this.organizer,
      ...this.list
        .filter((x) => x.status === 'admitted')
        .map((x) => ({ name: x.name, credential: x.credential })),
    ].map((x) => ({ name: x.name, ...(x.credential !== undefined ? { credential: x.credential } : {}) }));
    return { ...base, participants: everyone, ...(this.startedAs ? { election: this.startedAs } : {}) };
  }

  /** The organizer admits or refuses a request (by its public id). */
  decide(id: number, status: 'admitted' | 'refused'): Promise<void> {
    return this.serially(() => this.setStatus(id, status));
  }

  private async setStatus(id: number, status: 'admitted' | 'refused'): Promise<void> {
    check(this.startedAs === undefined, 'lobby', 'the election has started');
    const index = this.list.findIndex((p) => p.id === id);
    check(index >= 0, 'id', 'no such request');
    const list = [...this.list];
    list[index] = { ...list[index]!, status };
    await this.save(list);
  }

  /** Why starting now cannot work, in words, or undefined. */
  startProblem(): string | undefined {
    const { params } = this;
    const runners = this.admittedCount;
    if (params.nTalliers > params.nTalliersBlocks)
      return `${params.nTalliers} tallier seats need at least as many key blocks (there are ${params.nTalliersBlocks})`;
    if (params.nTalliers > runners)
      return `${params.nTalliers} tallier seats but only ${runners} admitted runner${runners === 1 ? '' : 's'}: admit more, or lower the seats`;
    if (params.ballotRule === 'per-voter') {
      // The genesis' own capacity: big ballots (many options) fit fewer to a block.
      const perBlock = this.ballotsPerBlock();
      if (params.nVoteBlocks * perBlock < runners)
        return `${params.nVoteBlocks} voting blocks carry at most ${params.nVoteBlocks * perBlock} ballots (${perBlock} a block), fewer than the ${runners} voters`;
    }
    return undefined;
  }

  /**
   * Fixes the genesis (now, with the admitted credentials as roster) and closes the room; waiting
   * requests are refused. Throws ValidationError with the reason when it cannot work.
   */
  start(now = Date.now()): Promise<Genesis> {
    return this.serially(() => this.fix(now));
  }

  private async fix(now: number): Promise<Genesis> {
    check(this.startedAs === undefined, 'lobby', 'the election has already started');
    const problem = this.startProblem();
    if (problem) throw new ValidationError('start', problem);
    const admitted = this.list.filter((p) => p.status === 'admitted');
    const roster =
      this.params.ballotRule === 'per-voter'
        ? [this.organizer.credential!, ...admitted.map((p) => p.credential!)]
        : [];
    const genesis = makeGenesis({
      ...this.params,
      group: this.group,
      roster,
      createdAt: Math.floor(now / 1000),
    });
    const list = this.list.map((p) => (p.status === 'waiting' ? { ...p, status: 'refused' as const } : p));
    this.startedAs = genesis.idHex;
    await this.save(list);
    return genesis;
  }

  /** Cast ballots a per-voter block of this election carries (asked on every view: kept). */
  private ballotsPerBlock(): number {
    this.perBlock ??= electionSizes(this.group, ballotRules(this.params), true).ballotsPerBlock;
    return this.perBlock;
  }

  private serially<T>(job: () => Promise<T>): Promise<T> {
    const run = this.changing.then(job);
    this.changing = run.catch(() => {});
    return run;
  }

  private async save(list: readonly Participant[] = this.list): Promise<void> {
    const width = this.group.byteWidth * 2;
    const { params, organizer } = this;
    await this.dataDir.save('lobby', {
      params: {
        title: params.title,
        question: params.question,
        ballot_rule: params.ballotRule,
        n_talliers: params.nTalliers,
        n_talliers_blocks: params.nTalliersBlocks,
        n_vote_blocks: params.nVoteBlocks,
        confirmations: params.confirmations,
        target: toHex(params.target, 64),
        ...(params.quorum !== undefined
          ? { quorum: params.quorum, n_ceremony_blocks: params.nCeremonyBlocks }
          : {}),
        ...(params.questions !== undefined ? { questions: encodeQuestions(params.questions) } : {}),
      },
      organizer: {
        name: organizer.name,
        ...(organizer.credential !== undefined ? { credential: toHex(organizer.credential, width) } : {}),
      },
      participants: list.map((p) => ({
        id: p.id,
        ticket: p.ticket,
        name: p.name,
        ...(p.address ? { address: p.address } : {}),
        ...(p.credential !== undefined ? { credential: toHex(p.credential, width) } : {}),
        status: p.status,
        requested_at: p.requestedAt,
      })),
      started: this.startedAs ?? null,
    });
    this.list = list;
  }
}

/** The parameters' own rules: those of a genesis (a per-voter one checked with its roster at the start). */
function checkParams(group: Group, params: LobbyParams): void {
  check(
    params.ballotRule === 'per-block' || params.ballotRule === 'per-voter',
    'ballot_rule',
    'must be "per-block" or "per-voter"',
  );
  makeGenesis({ ...params, ballotRule: 'per-block', roster: [], group, createdAt: 0 });
}
