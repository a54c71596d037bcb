// A voter's credential file (per-voter rule): the credential's secret and every ballot this voter
// cast, in order, each written (atomically, fsynced, mode 0600) before it leaves the runner. The
// file is what lets a restarted runner show its receipts and re-send a ballot no block carries yet,
// and it keeps sequence numbers rising: a cast after a crash never reuses a number.
//
//   voter-key.json = { "credential_secret": hex,
//                      "casts": [ { "vote": 0 | 1, "election_key": hex, "cast": cast ballot JSON } … ] }
//
// The secret and the votes never leave this file (the vote is this voter's to know, and is shown
// only to it); the cast ballots are public once sent (they go into blocks).
import { chmod } from 'node:fs/promises';
import type { VoteChoice } from '../chain/votes';
import { toHex } from '../crypto/bigint';
import { encodeCastBallot, exactObject, fixedHex, parseCastBallot } from '../crypto/codec';
import { CredentialSecretKey } from '../crypto/credential';
import { check } from '../crypto/errors';
import type { Group } from '../crypto/group';
import type { CastBallot } from '../crypto/types';

/** One ballot this voter cast: its vote, the election key it was encrypted under, the ballot. */
export interface OwnCast {
  readonly vote: VoteChoice;
  readonly electionKey: bigint;
  readonly cast: CastBallot;
}

import type { DataDir } from '../store/data-dir';

const FILE = 'voter-key.json';

export class VoterJournal {
  private constructor(
    private readonly dataDir: DataDir,
    readonly credential: CredentialSecretKey,
    private castList: readonly OwnCast[],
  ) {}

  /** Loads the credential file; undefined when there is none (this runner is not a voter). */
  static async load(
    dataDir: DataDir,
    group: Group,
    options: { readonly fixMode?: boolean } = {},
  ): Promise<{ journal: VoterJournal; warnings: string[] } | undefined> {
    const stored = await dataDir.load('voterKey');
    if (!stored) return undefined;
    const warnings: string[] = [];
    if (stored.warnings.length > 0) {
      if (options.fixMode ?? true) {
        await chmod(dataDir.file('voterKey'), 0o600);
        warnings.push(`${FILE} was readable by other users: its mode is now 600 (only you can read it)`);
      } else warnings.push(...stored.warnings);
    }
    const o = exactObject(stored.value, FILE, ['credential_secret', 'casts']);
    const x = fixedHex(o.credential_secret, group.byteWidth * 2, `${FILE}.credential_secret`);
    check(Array.isArray(o.casts), `${FILE}.casts`, 'must be an array');
    const casts = (o.casts as unknown[]).map((c, i) => parseOwnCast(group, c, `${FILE}.casts[${i}]`));
    return { journal: new VoterJournal(dataDir, CredentialSecretKey.fromSecret(group, x), casts), warnings };
  }

  /** Writes a credential into a data folder that has none (a joiner's, before the election starts). */
  static async create(dataDir: DataDir, credential: CredentialSecretKey): Promise<VoterJournal> {
    const journal = new VoterJournal(dataDir, credential, []);
    await journal.save([]);
    return journal;
  }

  get casts(): readonly OwnCast[] {
    return this.castList;
  }

  /** The last ballot cast, if any. */
  get latest(): OwnCast | undefined {
    return this.castList[this.castList.length - 1];
  }

  /** The highest sequence number this voter used, 0 before its first ballot. */
  get lastSeq(): number {
    return this.latest?.cast.seq ?? 0;
  }

  /** Records, durably, a ballot about to be sent; its sequence number must be new. */
  async recordCast(own: OwnCast): Promise<void> {
    if (own.cast.seq <= this.lastSeq)
      throw new Error(`sequence number ${own.cast.seq} was already used (last: ${this.lastSeq})`);
    const casts = [...this.castList, own];
    await this.save(casts);
    this.castList = casts;
  }

  private save(casts: readonly OwnCast[]): Promise<void> {
    const { group } = this.credential;
    const width = group.byteWidth * 2;
    return this.dataDir.save('voterKey', {
      credential_secret: toHex(this.credential.exportSecret(), width),
      casts: casts.map((c) => ({
        vote: c.vote,
        election_key: toHex(c.electionKey, width),
        cast: encodeCastBallot(group, c.cast),
      })),
    });
  }
}

function parseOwnCast(group: Group, value: unknown, field: string): OwnCast {
  const o = exactObject(value, field, ['vote', 'election_key', 'cast']);
  // This runner's own file: the form only (the genesis checked the choice before it was cast).
  const selections = (v: unknown) =>
    Array.isArray(v) && v.every((q) => Array.isArray(q) && q.every((o) => Number.isSafeInteger(o) && o >= 0));
  check(
    o.vote === 0 || o.vote === 1 || selections(o.vote),
    `${field}.vote`,
    'must be 0, 1 or the options chosen in each question',
  );
  return {
    vote: o.vote as VoteChoice,
    electionKey: fixedHex(o.election_key, group.byteWidth * 2, `${field}.election_key`),
    // Written by this runner after it signed it: the group test is skipped, as for the block log.
    cast: parseCastBallot(group, o.cast, `${field}.cast`, 'trusted'),
  };
}
