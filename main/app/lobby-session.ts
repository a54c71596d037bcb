// The lobby as the engine runs it, for each side: the organizer hosting one (its folder, its
// credential, the room, the server peers reach), and a joiner waiting in one (its folder, its
// credential, its ticket). Both keep their files in the data folder, so a restart resumes them:
// lobby.json for the organizer, joining.json (0600: the ticket is a bearer secret) for a joiner.
import type { LobbyParticipantView, LobbyView } from '../api/contract';
import type { Genesis } from '../chain/genesis';
import { encodeQuestions, parseQuestions, type Question, type QuestionJson } from '../chain/questions';
import { toHex } from '../crypto/bigint';
import { exactObject, fixedHex } from '../crypto/codec';
import { CredentialSecretKey } from '../crypto/credential';
import { check, ValidationError } from '../crypto/errors';
import { Group } from '../crypto/group';
import { parsePeerAddress } from '../net/address';
import { type PeerClient, PeerError } from '../net/client';
import { formatInvitation } from '../net/invitation';
import { askToJoin, fetchStartedGenesis, LobbyHost, type LobbyHostOptions } from '../net/lobby-host';
import type { TicketResponse } from '../net/messages';
import type { NodeSettings } from '../node/election-node';
import { Lobby, type LobbyParams } from '../node/lobby';
import { VoterJournal } from '../node/voter-journal';
import { DataDir } from '../store/data-dir';

const fingerprint = (x: bigint, group: Group) => toHex(x, group.byteWidth * 2).slice(0, 16);

/** The credential of a folder, made (and written 0600) on first use. */
async function credentialOf(dataDir: DataDir, group: Group): Promise<CredentialSecretKey> {
  const loaded = await VoterJournal.load(dataDir, group);
  if (loaded) return loaded.journal.credential;
  const credential = CredentialSecretKey.generate(group);
  await VoterJournal.create(dataDir, credential);
  return credential;
}

/** The organizer's side. */
export class HostedLobby {
  private constructor(
    private readonly dataDir: DataDir,
    readonly lobby: Lobby,
    readonly host: LobbyHost,
    readonly settings: NodeSettings,
  ) {}

  /**
   * Opens the folder's lobby, or a new one with `params` (the organizer's credential made first
   * under the per-voter rule), and serves it.
   */
  static async open(
    dir: string,
    options: {
      readonly params?: LobbyParams;
      readonly settings?: NodeSettings;
      readonly host: LobbyHostOptions;
    },
  ): Promise<HostedLobby> {
    const group = Group.default();
    const { dataDir } = await DataDir.open(dir);
    try {
      let lobby = await Lobby.load(dataDir, group);
      let settings = options.settings;
      if (!lobby) {
        if (!options.params || !settings) throw new Error('this folder holds no lobby to reopen');
        const credential =
          options.params.ballotRule === 'per-voter' ? await credentialOf(dataDir, group) : undefined;
        lobby = await Lobby.create(dataDir, group, options.params, {
          name: settings.name,
          ...(credential ? { credential: credential.publicKey } : {}),
        });
        await dataDir.save('settings', settings);
      } else {
        settings = ((await dataDir.load('settings'))?.value ?? options.settings) as NodeSettings;
      }
      const host = await LobbyHost.open(lobby, group, options.host);
      return new HostedLobby(dataDir, lobby, host, settings);
    } catch (error) {
      await dataDir.close();
      throw error;
    }
  }

  /**
   * Writes a new lobby (with the organizer's credential and settings) without serving it: the
   * engine saves the election before any wait (tor, publishing), so a cancelled or failed start
   * keeps it, and `open` serves it.
   */
  static async save(dir: string, params: LobbyParams, settings: NodeSettings): Promise<void> {
    const group = Group.default();
    const { dataDir } = await DataDir.open(dir);
    try {
      if (await Lobby.load(dataDir, group)) return;
      const credential = params.ballotRule === 'per-voter' ? await credentialOf(dataDir, group) : undefined;
      await Lobby.create(dataDir, group, params, {
        name: settings.name,
        ...(credential ? { credential: credential.publicKey } : {}),
      });
      await dataDir.save('settings', settings);
    } finally {
      await dataDir.close();
    }
  }

  /** Forgets a saved lobby that is not served (the organizer gave it up after a cancelled start). */
  static async discard(dir: string): Promise<void> {
    const { dataDir } = await DataDir.open(dir);
    try {
      await dataDir.remove('lobby');
      await dataDir.remove('voterKey');
    } finally {
      await dataDir.close();
    }
  }

  view(): LobbyView {
    const { lobby } = this;
    const group = Group.default();
    const participants: LobbyParticipantView[] = [
      {
        id: 0,
        name: lobby.organizer.name,
        status: 'admitted',
        online: true,
        organizer: true,
        ...(lobby.organizer.credential !== undefined
          ? { credential: fingerprint(lobby.organizer.credential, group) }
          : {}),
      },
      ...lobby.participants.map((p) => ({
        id: p.id,
        name: p.name,
        status: p.status,
        online: lobby.online(p),
        ...(p.credential !== undefined ? { credential: fingerprint(p.credential, group) } : {}),
      })),
    ];
    const problem = lobby.startProblem();
    return {
      role: 'organizer',
      ...paramsView(lobby.params),
      organizer: lobby.organizer.name,
      ...(this.host.self ? { invitation: formatInvitation(this.host.self) } : {}),
      admitted: lobby.admittedCount,
      online: participants.filter((p) => p.status === 'admitted' && p.online).length,
      participants,
      ...(problem ? { startProblem: problem } : {}),
    };
  }

  /**
   * Fixes the genesis and releases the folder: the caller creates the node in it and starts the
   * runner on the handed-over server.
   */
  async start(): Promise<{ genesis: Genesis; handOver: ReturnType<LobbyHost['handOver']> }> {
    const genesis = await this.lobby.start();
    await this.dataDir.close();
    return { genesis, handOver: this.host.handOver() };
  }

  /** Closes the lobby; `remove` forgets it (the organizer left), else a restart reopens it. */
  async close(remove = false): Promise<void> {
    await this.host.close();
    try {
      if (remove) {
        await this.dataDir.remove('lobby');
        await this.dataDir.remove('voterKey');
      }
    } finally {
      await this.dataDir.close().catch(() => {});
    }
  }
}

/** What a joiner keeps of its request (joining.json). */
interface JoiningFile {
  readonly organizer: string;
  readonly ticket: string;
  /** The election id the invitation named, if it named one. */
  readonly electionId?: string;
  readonly ballotRule: 'per-block' | 'per-voter';
  readonly title: string;
  readonly question: string;
  readonly organizerName: string;
  readonly nTalliers: number;
  readonly nTalliersBlocks: number;
  readonly nVoteBlocks: number;
  readonly confirmations: number;
  /** Threshold talliers: any `quorum` decrypt, after a key ceremony of this many blocks. */
  readonly quorum?: number;
  readonly nCeremonyBlocks?: number;
  /** Questions with choices, as the lobby said the genesis will ask them. */
  readonly questions?: QuestionJson[];
}

/** A joiner's side: its request, polled until the organizer starts (or refuses). */
export class JoinRequest {
  private last: TicketResponse | undefined;
  private unreachable: string | undefined;
  /** A step under way (a poll, then maybe the genesis's fetch): over Tor it can outlast the interval. */
  private stepping: Promise<Genesis | undefined> | undefined;
  /** Withdrawn or closed: no step starts, and one under way hands no genesis out. */
  private closed = false;
  /** The genesis handed out, the folder released for the node: nothing left to close. */
  private released = false;

  private constructor(
    private readonly dataDir: DataDir,
    private readonly client: PeerClient,
    private readonly file: JoiningFile,
    readonly settings: NodeSettings,
    private readonly credential: CredentialSecretKey | undefined,
  ) {}

  /** Asks `organizer` (whose lobby is open) to take part, and records the ticket. */
  static async ask(
    dir: string,
    client: PeerClient,
    request: { readonly organizer: string; readonly electionId?: string; readonly settings: NodeSettings },
  ): Promise<JoinRequest> {
    const group = Group.default();
    const info = await client.lobby(request.organizer);
    check(!info.started, 'peer', 'this organizer has already started; its lobby takes no more requests');
    const { dataDir } = await DataDir.open(dir);
    try {
      const credential = info.ballot_rule === 'per-voter' ? await credentialOf(dataDir, group) : undefined;
      const ticket = await askToJoin(
        client,
        request.organizer,
        { name: request.settings.name, ...(credential ? { credential: credential.publicKey } : {}) },
        group,
      );
      const file: JoiningFile = {
        organizer: request.organizer,
        ticket,
        ...(request.electionId ? { electionId: request.electionId } : {}),
        ballotRule: info.ballot_rule,
        title: info.title,
        question: info.question,
        organizerName: info.organizer,
        nTalliers: info.n_talliers,
        nTalliersBlocks: info.n_talliers_blocks,
        nVoteBlocks: info.n_vote_blocks,
        confirmations: info.confirmations,
        ...(info.quorum !== undefined
          ? { quorum: info.quorum, nCeremonyBlocks: info.n_ceremony_blocks! }
          : {}),
        ...(info.questions !== undefined ? { questions: info.questions } : {}),
      };
      await dataDir.save('joining', file);
      await dataDir.save('settings', request.settings);
      return new JoinRequest(dataDir, client, file, request.settings, credential);
    } catch (error) {
      await dataDir.close();
      throw error;
    }
  }

  /** The request a folder's joining.json records (after a restart). */
  static async resume(dir: string, client: PeerClient): Promise<JoinRequest> {
    const group = Group.default();
    const { dataDir } = await DataDir.open(dir);
    try {
      const stored = await dataDir.load('joining');
      if (!stored) throw new Error('this folder holds no request to a lobby');
      const keys = ['organizer', 'ticket', 'ballotRule', 'title', 'question', 'organizerName'];
      const counts = ['nTalliers', 'nTalliersBlocks', 'nVoteBlocks', 'confirmations'];
      const withId = Object.hasOwn((stored.value ?? {}) as object, 'electionId');
      const withQuestions = Object.hasOwn((stored.value ?? {}) as object, 'questions');
      if (Object.hasOwn((stored.value ?? {}) as object, 'quorum')) counts.push('quorum', 'nCeremonyBlocks');
      const o = exactObject(stored.value, 'joining.json', [
        ...keys,
        ...counts,
        ...(withId ? ['electionId'] : []),
        ...(withQuestions ? ['questions'] : []),
      ]);
      if (withQuestions) parseQuestions(o.questions, 'joining.json.questions');
      parsePeerAddress(o.organizer, 'joining.json.organizer');
      fixedHex(o.ticket, 32, 'joining.json.ticket');
      if (withId) fixedHex(o.electionId, 64, 'joining.json.electionId');
      check(
        o.ballotRule === 'per-block' || o.ballotRule === 'per-voter',
        'joining.json.ballotRule',
        'must be a ballot rule',
      );
      for (const key of ['title', 'question', 'organizerName'])
        check(typeof o[key] === 'string', `joining.json.${key}`, 'must be text');
      for (const key of counts)
        check(
          Number.isSafeInteger(o[key]) && (o[key] as number) >= 0,
          `joining.json.${key}`,
          'must be a count',
        );
      const settings = (await dataDir.load('settings'))?.value as NodeSettings;
      const credential = (await VoterJournal.load(dataDir, group))?.journal.credential;
      return new JoinRequest(dataDir, client, o as unknown as JoiningFile, settings, credential);
    } catch (error) {
      await dataDir.close();
      throw error;
    }
  }

  get organizer(): string {
    return this.file.organizer;
  }

  /**
   * One poll and, once the organizer started with this joiner in, the genesis (the folder then
   * released for the node). One step at a time: a step asked for while one is under way, or after
   * close, does nothing. `polled` is called once the poll's answer is in the view.
   */
  step(polled: () => void = () => {}): Promise<Genesis | undefined> {
    if (this.closed || this.stepping) return Promise.resolve(undefined);
    const run = async () => {
      const answer = await this.poll();
      if (this.closed) return undefined;
      polled();
      if (!answer?.election || answer.status !== 'admitted') return undefined;
      return this.finish(answer);
    };
    this.stepping = run().finally(() => {
      this.stepping = undefined;
    });
    return this.stepping;
  }

  /** Asks the organizer how things stand; a failure to reach it is kept for the view, not thrown. */
  async poll(): Promise<TicketResponse | undefined> {
    try {
      this.last = await this.client.pollTicket(this.file.organizer, this.file.ticket);
      this.unreachable = undefined;
    } catch (error) {
      this.unreachable = (error as Error).message;
    }
    return this.last;
  }

  /**
   * Once started with this joiner in: the checked genesis, and the folder released for the node.
   * Undefined (the request kept, to try again at the next poll) while the organizer cannot be
   * reached or does not serve the genesis yet: its lobby names the election a moment before its
   * runner serves it, and a circuit may fail right then. A genesis that fails a check throws.
   */
  async finish(answer: TicketResponse): Promise<Genesis | undefined> {
    let genesis: Genesis;
    try {
      genesis = await fetchStartedGenesis(this.client, this.file.organizer, answer, {
        ...(this.file.electionId ? { electionId: this.file.electionId } : {}),
        ...(this.credential ? { credential: this.credential.publicKey } : {}),
      });
    } catch (error) {
      // A 200 that is no genesis is the organizer's answer, not a passing failure: not joined.
      if (!(error instanceof PeerError) || error.status === 200) throw error;
      // A 404: reachable, its runner not serving yet (no failure to show); else a failure to reach.
      this.unreachable =
        error.status === 404 ? undefined : `fetching the election's genesis: ${error.reason}`;
      return undefined;
    }
    // Withdrawn while the genesis was on its way: the request stays what the folder holds.
    if (this.closed) return undefined;
    // What the lobby showed is what this person agreed to answer: the genesis must ask the same.
    // Both sides in the one encoding (a lobby may have written its keys in any order).
    const canonical = (questions: readonly Question[] | undefined) =>
      JSON.stringify(questions ? encodeQuestions(questions) : null);
    const shown = this.file.questions
      ? parseQuestions(this.file.questions, 'joining.json.questions')
      : undefined;
    if (canonical(genesis.questions) !== canonical(shown))
      throw new ValidationError(
        'genesis.questions',
        'the organizer started an election asking other questions than its lobby showed: not joined',
      );
    // joining.json stays until the node's folder holds the genesis (ElectionNode.create removes
    // it): an app quitting or a start cancelled before then finds the request, not nothing.
    await this.dataDir.close();
    this.released = true;
    return genesis;
  }

  view(): LobbyView {
    const last = this.last;
    return {
      role: 'joiner',
      title: this.file.title,
      question: this.file.question,
      ballotRule: this.file.ballotRule,
      organizer: this.file.organizerName,
      address: this.file.organizer,
      admitted: last?.admitted ?? 1,
      online: 0,
      participants: (last?.participants ?? []).map((p, i) => ({
        id: i,
        name: p.name,
        status: 'admitted' as const,
        online: false,
        ...(p.credential ? { credential: p.credential.slice(0, 16) } : {}),
      })),
      status: !last ? 'asking' : last.status === 'admitted' && last.election ? 'starting' : last.status,
      ...(this.unreachable ? { unreachable: this.unreachable } : {}),
      nTalliers: this.file.nTalliers,
      nTalliersBlocks: this.file.nTalliersBlocks,
      nVoteBlocks: this.file.nVoteBlocks,
      confirmations: this.file.confirmations,
      ...(this.file.quorum !== undefined ? { quorum: this.file.quorum } : {}),
      ...(this.file.questions !== undefined ? { questions: this.file.questions } : {}),
    };
  }

  /** Forgets a saved request that is not being polled (given up after a cancelled start). */
  static async discard(dir: string): Promise<void> {
    const { dataDir } = await DataDir.open(dir);
    try {
      await dataDir.remove('joining');
    } finally {
      await dataDir.close();
    }
  }

  /**
   * Stops polling, after the step under way (the folder is not released under it); `remove`
   * withdraws: forgets the request (the organizer sees the joiner go offline).
   */
  async close(remove = false): Promise<void> {
    this.closed = true;
    await this.stepping?.catch(() => {});
    // The genesis was handed out just as this joiner left: the folder is free, the request in it.
    if (this.released) return remove ? JoinRequest.discard(this.dataDir.path) : undefined;
    try {
      if (remove) await this.dataDir.remove('joining');
    } finally {
      await this.dataDir.close().catch(() => {});
    }
  }
}

function paramsView(params: LobbyParams) {
  return {
    title: params.title,
    question: params.question,
    ballotRule: params.ballotRule,
    nTalliers: params.nTalliers,
    nTalliersBlocks: params.nTalliersBlocks,
    nVoteBlocks: params.nVoteBlocks,
    confirmations: params.confirmations,
    ...(params.quorum !== undefined ? { quorum: params.quorum } : {}),
    ...(params.questions !== undefined ? { questions: encodeQuestions(params.questions) } : {}),
  };
}
