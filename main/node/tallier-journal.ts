// The tallier key file and what the key has been used for. A tallier's secret decrypts one tally,
// ever, and signs one acceptance per round of the finality protocol: both promises are kept by
// writing the choice into the key file itself (atomically, fsynced, mode 0600) before anything
// signed or decrypted leaves the runner. Whatever happens next (kill -9, a reorg, a restart, a
// re-join with the same folder, a request through the API), the key file says what the key has
// already done, and the node refuses to do anything else with it.
//
//   tallier-key.json = { "secret_key": hex, "accepted": [ { election_key, round, final } … ], "decrypted": hash | null,
//                        "dealings": [ { talliers, dealing } … ] }   (threshold talliers; the key omitted when none)
//
// A dealing (threshold talliers) is public, but kept here too: the tallier deals once for a given
// ranking of elected talliers and sends that same dealing again after a restart, rather than a
// second polynomial for the same recipients.
import { chmod } from 'node:fs/promises';
import { toBytes, toHex } from '../crypto/bigint';
import {
  type DealingJson,
  encodeDealing,
  exactObject,
  fixedHex,
  parseDealing,
  parseHash,
} from '../crypto/codec';
import { check } from '../crypto/errors';
import { Framer } from '../crypto/framing';
import type { Group } from '../crypto/group';
import { TallierSecretKey } from '../crypto/tallier';
import type { Dealing } from '../crypto/types';
import type { DataDir } from '../store/data-dir';

/** A ranking of elected talliers, named by SHA-256 of their keys in order (64 hex digits). */
export function rankingId(group: Group, talliers: readonly bigint[]): string {
  const framer = new Framer().text('onion-election/v2/ranking');
  for (const pk of talliers) framer.field(toBytes(pk, group.byteWidth));
  return framer.digest().toString('hex');
}

export interface AcceptanceEntry {
  /** The election key (hex) of the talliers whose round this is. */
  readonly electionKey: string;
  readonly round: number;
  /** The accepted final block. */
  readonly final: string;
}

const FILE = 'tallier-key.json';

export class TallierJournal {
  private constructor(
    private readonly dataDir: DataDir,
    readonly key: TallierSecretKey,
    private accepted: readonly AcceptanceEntry[],
    private decryptedFinal: string | undefined,
    private dealt: ReadonlyMap<string, Dealing> = new Map(),
  ) {}

  /**
   * Loads the key file; undefined when there is none. A file that group or others can read is
   * made 0600 again, and `warnings` says so.
   */
  static async load(
    dataDir: DataDir,
    group: Group,
    options: { readonly fixMode?: boolean } = {},
  ): Promise<{ journal: TallierJournal; warnings: string[] } | undefined> {
    const stored = await dataDir.load('tallierKey');
    if (!stored) return undefined;
    const warnings: string[] = [];
    if (stored.warnings.length > 0) {
      if (options.fixMode ?? true) {
        await chmod(dataDir.file('tallierKey'), 0o600);
        warnings.push(`${FILE} was readable by other users: its mode is now 600 (only you can read it)`);
      } else warnings.push(...stored.warnings);
    }
    // Files written before the journal existed hold only the secret.
    const value = stored.value as Record<string, unknown>;
    const keys = Object.hasOwn(value ?? {}, 'accepted')
      ? ['secret_key', 'accepted', 'decrypted', ...(Object.hasOwn(value, 'dealings') ? ['dealings'] : [])]
      : ['secret_key'];
    const o = exactObject(stored.value, FILE, keys);
    const x = fixedHex(o.secret_key, group.byteWidth * 2, `${FILE}.secret_key`);
    check(Array.isArray(o.accepted ?? []), `${FILE}.accepted`, 'must be an array');
    const accepted = ((o.accepted ?? []) as unknown[]).map((entry, i) =>
      parseEntry(entry, `${FILE}.accepted[${i}]`, group.byteWidth),
    );
    const decrypted = o.decrypted == null ? undefined : parseHash(o.decrypted, `${FILE}.decrypted`);
    check(Array.isArray(o.dealings ?? []), `${FILE}.dealings`, 'must be an array');
    const dealt = new Map(
      ((o.dealings ?? []) as unknown[]).map((entry, i) => {
        const e = exactObject(entry, `${FILE}.dealings[${i}]`, ['talliers', 'dealing']);
        return [
          parseHash(e.talliers, `${FILE}.dealings[${i}].talliers`),
          parseDealing(group, e.dealing, `${FILE}.dealings[${i}].dealing`, 'trusted'),
        ] as const;
      }),
    );
    const key = TallierSecretKey.fromSecret(group, x);
    const journal = new TallierJournal(dataDir, key, accepted, decrypted, dealt);
    return { journal, warnings };
  }

  /** A new key, not yet written: `persist` writes it (the caller first checks it may). */
  static fresh(dataDir: DataDir, group: Group): TallierJournal {
    return new TallierJournal(dataDir, TallierSecretKey.generate(group), [], undefined);
  }

  /** Loads the key file, or makes and writes a new key when there is none. */
  static async open(dataDir: DataDir, group: Group): Promise<TallierJournal> {
    const loaded = await TallierJournal.load(dataDir, group);
    if (loaded) return loaded.journal;
    const journal = TallierJournal.fresh(dataDir, group);
    await journal.persist();
    return journal;
  }

  /** Writes the key file as it stands (a fresh key's first write). */
  persist(): Promise<void> {
    return this.save(this.accepted, this.decryptedFinal);
  }

  /** Threshold talliers: the dealing this key made for the ranking `ranking` (rankingId), if any. */
  dealingFor(ranking: string): Dealing | undefined {
    return this.dealt.get(ranking);
  }

  /** Records, durably, the dealing this key makes for a ranking; the first one stays. */
  async recordDealing(ranking: string, dealing: Dealing): Promise<Dealing> {
    const held = this.dealt.get(ranking);
    if (held) return held;
    const dealt = new Map(this.dealt).set(ranking, dealing);
    await this.save(this.accepted, this.decryptedFinal, dealt);
    this.dealt = dealt;
    return dealing;
  }

  /** The final block whose tally this key decrypted, if it did. */
  get decrypted(): string | undefined {
    return this.decryptedFinal;
  }

  /** Every acceptance this key signed, in order. */
  get entries(): readonly AcceptanceEntry[] {
    return this.accepted;
  }

  /** The last round this key signed among the talliers of `electionKey` (0: none). */
  lastRound(electionKey: string): number {
    return this.accepted.reduce((r, e) => (e.electionKey === electionKey && e.round > r ? e.round : r), 0);
  }

  /** What this key accepted in `round` among the talliers of `electionKey`, if anything. */
  acceptedIn(electionKey: string, round: number): string | undefined {
    return this.accepted.find((e) => e.electionKey === electionKey && e.round === round)?.final;
  }

  /**
   * Records, durably, that this key accepts `final` in `round` among the talliers of `electionKey`. Refuses a different
   * block for a round already signed (that would be equivocation); the same one again is a no-op.
   */
  async recordAcceptance(entry: AcceptanceEntry): Promise<void> {
    const earlier = this.acceptedIn(entry.electionKey, entry.round);
    if (earlier === entry.final) return;
    if (earlier !== undefined)
      throw new Error(
        `this tallier already accepted ${earlier} in round ${entry.round}; it never signs another`,
      );
    // Written first, adopted after: a failed write (a full disk) leaves nothing half-promised.
    const accepted = [...this.accepted, entry];
    await this.save(accepted, this.decryptedFinal);
    this.accepted = accepted;
  }

  /**
   * Records, durably, that this key decrypts the tally of final block `final`. Throws if it
   * already decrypted another: a tallier decrypts one tally, ever.
   */
  async recordDecryption(final: string): Promise<void> {
    if (this.decryptedFinal === final) return;
    if (this.decryptedFinal !== undefined)
      throw new Error(
        `this tallier decrypted the tally of block ${this.decryptedFinal.slice(0, 16)}…; it never decrypts another (asked for ${final.slice(0, 16)}…)`,
      );
    await this.save(this.accepted, final);
    this.decryptedFinal = final;
  }

  private save(
    accepted: readonly AcceptanceEntry[],
    decrypted: string | undefined,
    dealt: ReadonlyMap<string, Dealing> = this.dealt,
  ): Promise<void> {
    const { group } = this.key;
    const dealings: { talliers: string; dealing: DealingJson }[] = [...dealt].map(([talliers, dealing]) => ({
      talliers,
      dealing: encodeDealing(group, dealing),
    }));
    return this.dataDir.save('tallierKey', {
      secret_key: toHex(this.key.exportSecret(), group.byteWidth * 2),
      accepted: accepted.map((e) => ({ election_key: e.electionKey, round: e.round, final: e.final })),
      decrypted: decrypted ?? null,
      ...(dealings.length > 0 ? { dealings } : {}),
    });
  }
}

function parseEntry(value: unknown, field: string, width: number): AcceptanceEntry {
  const o = exactObject(value, field, ['election_key', 'round', 'final']);
  check(
    typeof o.round === 'number' && Number.isSafeInteger(o.round) && o.round >= 1,
    `${field}.round`,
    'must be a whole number ≥ 1',
  );
  return {
    electionKey: toHex(fixedHex(o.election_key, width * 2, `${field}.election_key`), width * 2),
    round: o.round as number,
    final: parseHash(o.final, `${field}.final`),
  };
}
