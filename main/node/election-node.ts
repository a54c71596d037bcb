// An election runner without its network: the data directory, the chain rebuilt from it, the
// tallier key, the miner building the payload each phase needs, decryption factors and the result.
// Everything that changes state goes through here, is validated first, and is made durable before
// it is announced (events), so a listener that relays an event never relays what a crash loses.
import { EventEmitter } from 'node:events';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Block, blockHash, encodeBlock, headerPrefix, type Payload, parseBlock } from '../chain/block';
import type { CeremonyMessage } from '../chain/ceremony';
import { type AddResult, type BlockMeta, Chain, type Reorg } from '../chain/chain';
import { FinalityBook, type Seal } from '../chain/finality';
import { ballotRules, encodeGenesis, type Genesis, hasThreshold, parseGenesis } from '../chain/genesis';
import { electionKeyHeight, keyElectionHeight, lastDealingHeight } from '../chain/phases';
import { Miner } from '../chain/pow/miner';
import { FactorBook, type FinalTally, type ResultState } from '../chain/results';
import { expectedPayload } from '../chain/rules';
import { allowsVote, checkVote, encryptVote, type VoteChoice } from '../chain/votes';
import { toHex } from '../crypto/bigint';
import {
  encodeAcceptance,
  encodeCompensatedFactor,
  encodeDecryptionFactor,
  encodeResult,
  exactObject,
  parseAcceptance,
  parseCompensatedFactor,
  parseDecryptionFactor,
} from '../crypto/codec';
import { ballotTracker, type CredentialSecretKey } from '../crypto/credential';
import { ValidationError } from '../crypto/errors';
import type { TallierSecretKey } from '../crypto/tallier';
import type {
  Acceptance,
  AnyBallot,
  CastBallot,
  CompensatedFactor,
  DecryptionFactor,
  Endorsement,
  TallierPublicKey,
} from '../crypto/types';
import { DataDir } from '../store/data-dir';
import { DiskFullError, isDiskFull, type RecordLog } from '../store/record-log';
import { buildRecord, type ElectionRecord } from '../verify/record';
import { Casting } from './casting';
import { CEREMONY_RESEND_MS, KeyCeremony } from './key-ceremony';
import { TallierJournal } from './tallier-journal';
import { VoterJournal } from './voter-journal';

export interface NodeSettings {
  /** This runner's name: the miner label of its blocks (unless `anonymous`) and its name in a lobby. */
  readonly name: string;
  /** Mine with an empty miner label: nothing in the blocks says which runner found them. */
  readonly anonymous?: boolean;
  /**
   * The vote each ballot carries (0/1, or the options chosen in each question); without one the
   * runner does not mine in the voting phase.
   */
  readonly vote?: VoteChoice;
  readonly mining: boolean;
  /** Mining worker threads. */
  readonly threads: number;
  /** Peers to reconnect to on the next start. */
  readonly peers?: readonly string[];
  /** The peer API's port on 127.0.0.1 when last started (for `status` while running). */
  readonly port?: number;
  /**
   * This runner's tallier public key (hex), kept beside the secret so that a lost key file is
   * noticed: a new key is refused once the old one stands on the chain.
   */
  readonly tallierPk?: string;
  /**
   * false: an elected tallier that withholds its decryption factor. Only for testing how everyone
   * else copes (the result then waits for it); a real tallier always publishes.
   */
  readonly publishFactor?: boolean;
  /**
   * true: a tallier whose dealing (threshold talliers) carries a wrong share for the next tallier
   * in rank. Only for testing that the wrong share is proven and its dealer excluded.
   */
  readonly corruptShare?: boolean;
  /**
   * true: a miner whose voting blocks carry only this runner's own ballot (per-voter rule). Only
   * for testing that censored voters get in through other miners; a real miner carries them all.
   */
  readonly censorBallots?: boolean;
}

/** Mined here, pushed by a peer, or pulled from a peer while syncing (not relayed again). */
export type BlockSource = 'self' | 'push' | 'sync';

export interface NodeEvents {
  /** A block was stored (after it was made durable); `origin`: the peer it came from, if known. */
  block: [meta: BlockMeta, source: BlockSource, origin: string | undefined];
  /** The best tip moved; `reorg` when it left the previous branch. */
  tip: [tip: BlockMeta, reorg: Reorg | undefined];
  /** A verified factor was stored: relay it. */
  factor: [factor: DecryptionFactor];
  /** Threshold talliers: a verified stand-in factor was stored: relay it. */
  compensated: [factor: CompensatedFactor];
  /** Threshold talliers: a verified dealing or complaint entered the pool (`origin`: its sender): relay it. */
  ceremony: [message: CeremonyMessage, origin: string | undefined];
  /** Per-voter rule: a verified cast ballot entered the pool (`origin`: its sender, if a peer): relay it. */
  cast: [cast: CastBallot, origin: string | undefined];
  /** A verified acceptance of a final block was stored (after it was made durable): relay it. */
  acceptance: [acceptance: Acceptance];
  /** The talliers sealed a final block: this runner keeps it for ever. */
  sealed: [seal: Seal];
  /** A block arrived after the seal and was kept out (not stored). */
  late: [hash: string, height: number];
  /** The result of the best branch is complete (emitted again if the best branch changes). */
  result: [state: ResultState];
  warning: [message: string];
}

/** What this runner's tallier key has done and refused, for status displays. */
export interface TallierDuties {
  /** Its acceptances, in the order signed. */
  readonly accepted: readonly { readonly round: number; readonly final: string }[];
  /** The final block whose tally it decrypted. */
  readonly decrypted?: string;
  /** Why it refuses to decrypt the best chain's tally, when it does. */
  readonly refusal?: string;
}

export class ElectionNode extends EventEmitter<NodeEvents> {
  readonly chain: Chain;
  readonly factors: FactorBook;
  readonly finality: FinalityBook;
  readonly tallierKey: TallierPublicKey;
  /** Per-voter rule: the pending ballots, and this runner's voter if it has a credential. */
  readonly casting: Casting | undefined;
  /** Threshold talliers: the pending dealings and complaints, and this runner's part in the ceremony. */
  readonly ceremony: KeyCeremony | undefined;
  /** What opening the data directory found wrong and repaired or skipped (later ones are events). */
  readonly startupWarnings: string[] = [];
  /**
   * Blocks that stored blocks wait for, lost to damage in the log: the network fetches them (a
   * sync of the best chain would miss one off it).
   */
  missingFromLog: readonly string[] = [];
  /** Started with the mining loop: an exporting or verifying process needs no worker threads. */
  private miner: Miner | undefined;
  private mining: Promise<void> | undefined;
  private idle: (() => void) | undefined;
  private closed = false;
  private lastResult: string | undefined;
  private readonly tallier: TallierSecretKey;
  /** The best final block, and since when (ms) it has been best: round 1 waits for it to settle. */
  private finalSince: { hash: string; at: number } | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  /**
   * Blocks, acceptances and factors are stored one at a time, each checked, then written, then
   * taken into memory.
   */
  private storing: Promise<unknown> = Promise.resolve();
  /** Set while the data folder's disk is full: nothing is stored or mined; a probe clears it. */
  private diskFull: { readonly probe: NodeJS.Timeout } | undefined;
  /** Set when the block log failed for good: nothing is stored or mined until a restart. */
  private logFailure: Error | undefined;
  /** Tallier duties run one at a time: signing and decrypting are never raced. */
  private duties: Promise<void> = Promise.resolve();
  private refusal: string | undefined;
  /** Factors whose proof failed, by their values: refused again without verifying. */
  private readonly refusedFactors = new Map<string, ValidationError>();
  /**
   * Per-block rule: the ballot blocks this runner mined, for its receipts: those stored from its
   * miner this run (with their vote), and, from the log, those carrying its miner label.
   */
  private readonly mined: { hash: string; height: number; tracker: string; vote?: VoteChoice }[] = [];
  /** Per-block rule: the trackers of the blocks with this runner's label found in the log, by hash. */
  private readonly trackers = new Map<string, string>();
  /** Per-voter rule: this runner's credential's endorsement of its tallier key (made once). */
  private endorsement: Endorsement | undefined;
  /** Per-voter rule: runs the voter's duty now and then (re-sending an uncounted ballot). */
  private voteTimer: NodeJS.Timeout | undefined;
  /** Threshold talliers: runs the ceremony duty now and then (re-sending what is not on the chain). */
  private ceremonyTimer: NodeJS.Timeout | undefined;
  /** Threshold talliers: the ceremony duty in progress, if any (one at a time). */
  private ceremonyRun: Promise<void> | undefined;

  private constructor(
    readonly genesis: Genesis,
    readonly dataDir: DataDir,
    private readonly log: RecordLog,
    private readonly journal: TallierJournal,
    private settingsValue: NodeSettings,
    /** Opened for inspection: no tallier duty is ever done. */
    private readonly inspecting: boolean,
    voter: VoterJournal | undefined,
  ) {
    super();
    // A vote this election does not allow (a saved file edited by hand, a --vote given before the
    // questions were known) is dropped with a warning: mining or casting it would only fail.
    if (settingsValue.vote !== undefined && !allowsVote(genesis, settingsValue.vote)) {
      const { vote: _, ...rest } = settingsValue;
      this.settingsValue = rest;
      this.startupWarnings.push('the vote given is not one this election allows: choose again');
    }
    this.chain = new Chain(genesis);
    if (genesis.ballotRule === 'per-voter')
      this.casting = new Casting(this.chain, voter, {
        cast: (cast, origin) => this.emit('cast', cast, origin),
        changed: () => this.wakeMiner(),
      });
    this.factors = new FactorBook(genesis.group, genesis.id, ballotRules(genesis));
    this.finality = new FinalityBook(genesis.group, genesis.id, this.chain);
    this.tallier = journal.key;
    if (hasThreshold(genesis))
      this.ceremony = new KeyCeremony(this.chain, this.tallier, journal, {
        relay: (message, origin) => this.emit('ceremony', message, origin),
        changed: () => this.wakeMiner(),
        warn: (message) => this.warn(message),
        corruptShare: () => this.settingsValue.corruptShare === true,
      });
    this.tallierKey = this.tallier.provePossession(genesis.id);
  }

  /**
   * Starts a new data directory for `genesis`. Refuses a directory that already holds one.
   * `credential`: this runner's voter credential (per-voter rule), written 0600 beside the genesis.
   */
  static async create(
    dir: string,
    genesis: Genesis,
    settings: NodeSettings,
    options: { readonly credential?: CredentialSecretKey } = {},
  ): Promise<ElectionNode> {
    const { dataDir } = await DataDir.open(dir);
    try {
      if (await dataDir.load('genesis')) throw new Error(`${dataDir.path} already holds an election`);
      await dataDir.save('genesis', encodeGenesis(genesis));
      await dataDir.save('settings', settings);
      if (options.credential) await VoterJournal.create(dataDir, options.credential);
    } finally {
      await dataDir.close();
    }
    return ElectionNode.open(dir, settings);
  }

  /**
   * Opens a data directory: the genesis, the tallier key (made on first use, file mode 0600), the
   * settings (overridden by `settings`), and the chain replayed from the block log.
   */
  /**
   * `inspect`: opened to be looked at (`status`, `export`), not run: the tallier key signs and
   * decrypts nothing, whatever the chain holds.
   */
  static async open(
    dir: string,
    settings: Partial<NodeSettings> = {},
    options: { readonly inspect?: boolean } = {},
  ): Promise<ElectionNode> {
    const { dataDir, warnings } = options.inspect ? await DataDir.inspect(dir) : await DataDir.open(dir);
    try {
      const genesisFile = await dataDir.load('genesis');
      if (!genesisFile) throw new Error(`${dataDir.path} holds no election (genesis.json is missing)`);
      const genesis = parseGenesis(genesisFile.value);
      if (genesis.version !== 2) {
        // Version 1's final-height rule let a late branch replace a result and read votes.
        throw new Error(
          `${dataDir.path} holds a protocol-version-1 election, which this runner no longer runs ` +
            `(its result could be rewritten after the fact); its record can still be checked with \`onion-election verify\``,
        );
      }
      const loaded = await TallierJournal.load(dataDir, genesis.group, { fixMode: !options.inspect });
      const journal = loaded?.journal ?? TallierJournal.fresh(dataDir, genesis.group);
      const saved = ((await dataDir.load('settings'))?.value ?? {}) as Partial<NodeSettings>;
      const tallierPk = toHex(journal.key.publicKey, genesis.group.byteWidth * 2);
      const merged = { name: 'runner', mining: true, threads: 1, ...saved, ...settings, tallierPk };
      const voter =
        genesis.ballotRule === 'per-voter'
          ? await VoterJournal.load(dataDir, genesis.group, { fixMode: !options.inspect })
          : undefined;
      const opened = await dataDir.openBlockLog();
      const node = new ElectionNode(
        genesis,
        dataDir,
        opened.log,
        journal,
        merged,
        options.inspect ?? false,
        voter?.journal,
      );
      node.startupWarnings.push(
        ...warnings,
        ...(loaded?.warnings ?? []),
        ...(voter?.warnings ?? []),
        ...opened.warnings,
      );
      if (voter && !node.casting?.registered)
        node.startupWarnings.push(
          "this runner's voter credential is not on the election's roster: it relays and mines, but cannot vote or stand as a tallier",
        );
      node.replay(opened.records);
      node.watchSettling();
      if (!loaded) {
        // No key file. If this folder's runner had a key and it stands on the chain, a new key
        // could never decrypt in its place: the result would wait for ever. Refuse, writing nothing.
        const lost = saved.tallierPk;
        if (lost && node.keyOnChain(lost)) {
          throw new Error(
            `${dataDir.file('tallierKey')} is missing, but this runner's tallier key (${lost.slice(0, 16)}…) is ` +
              'already on the chain: a new key could never decrypt in its place, and the result would wait for it ' +
              'for ever. Restore tallier-key.json from a backup into this folder, then start again.',
          );
        }
        if (!options.inspect) {
          await journal.persist();
          if (lost)
            node.startupWarnings.push(
              `${dataDir.file('tallierKey')} was missing: a new tallier key was made (the old one never stood on the chain)`,
            );
        }
      }
      if (!options.inspect) {
        await dataDir.save('settings', merged);
        // A joiner's request to the lobby that led here is done once the genesis is on disk (create
        // opens the folder through here; a stop between the two finds it at the next open).
        await dataDir.remove('joining');
      }
      node.afterFinality();
      if (node.casting?.voter && !options.inspect) {
        node.voteTimer = setInterval(() => node.voteDuty(), VOTE_DUTY_MS);
        node.voteTimer.unref?.();
        node.voteDuty();
      }
      if (node.ceremony && !options.inspect) {
        node.ceremonyTimer = setInterval(() => node.ceremonyDuty(), CEREMONY_RESEND_MS);
        node.ceremonyTimer.unref?.();
        node.ceremonyDuty();
      }
      return node;
    } catch (error) {
      await dataDir.close();
      throw error;
    }
  }

  get settings(): NodeSettings {
    return this.settingsValue;
  }

  /**
   * Rebuilds the chain, the finality rounds and the factors from the log; blocks were validated
   * before being logged. Blocks first, then acceptances, then factors, each kind in log order: a
   * block lost to damage and fetched again sits later in the log than the acceptances naming it
   * (and no block is ever stored after a seal, so taking the acceptances last changes nothing else).
   */
  private replay(records: readonly unknown[]): void {
    const acceptances: [number, unknown][] = [];
    const factors: unknown[] = [];
    const compensated: unknown[] = [];
    const { group } = this.genesis;
    const skipped = (i: number, error: unknown) =>
      this.startupWarnings.push(
        `data directory: record ${i} of the block log was skipped: ${(error as Error).message}`,
      );
    for (const [i, record] of records.entries()) {
      try {
        const type = (record as { type?: unknown } | null)?.type;
        if (type === 'block') {
          const { block } = exactObject(record, `log[${i}]`, ['type', 'block']);
          const result = this.chain.add(parseBlock(group, block, 'trusted'), { trusted: true });
          // A block whose parent was lost to damage in the log waits for it among the orphans (a
          // block fetched again later in the log connects them).
          if (result.status !== 'added' && result.status !== 'known' && result.status !== 'orphan')
            throw new Error(describeResult(result));
        } else if (type === 'acceptance') {
          acceptances.push([i, exactObject(record, `log[${i}]`, ['type', 'acceptance']).acceptance]);
        } else if (type === 'dec_factor') {
          factors.push(exactObject(record, `log[${i}]`, ['type', 'factor']).factor);
        } else if (type === 'compensated_factor') {
          compensated.push(exactObject(record, `log[${i}]`, ['type', 'factor']).factor);
        } else {
          throw new ValidationError(
            `log[${i}].type`,
            'is not "block", "acceptance", "dec_factor" or "compensated_factor"',
          );
        }
      } catch (error) {
        skipped(i, error);
      }
    }
    // In log order: each round's acceptances were stored after the rounds before it.
    for (const [i, acceptance] of acceptances) {
      try {
        this.finality.add(parseAcceptance(group, acceptance, 'acceptance', 'trusted'), 'acceptance', {
          trusted: true,
        });
        this.lockOnSeal();
      } catch (error) {
        skipped(i, error);
      }
    }
    const orphans = this.chain.orphanCount();
    this.missingFromLog = this.chain.orphanParents();
    if (orphans > 0) {
      this.startupWarnings.push(
        `data directory: ${orphans} stored blocks wait for blocks lost from the log; ` +
          'the missing blocks are fetched again from peers, and these connect once they arrive',
      );
    }
    for (const factor of factors) {
      try {
        this.addFactor(parseDecryptionFactor(group, factor, 'dec_factor', 'trusted', 2));
      } catch (error) {
        this.startupWarnings.push(
          `data directory: a stored decryption factor was skipped: ${(error as Error).message}`,
        );
      }
    }
    for (const factor of compensated) {
      try {
        const cf = parseCompensatedFactor(group, factor, 'compensated_factor', 'trusted');
        const final = this.checkCompensated(cf);
        if (final) this.factors.keepCompensated(final, cf);
      } catch (error) {
        this.startupWarnings.push(
          `data directory: a stored stand-in factor was skipped: ${(error as Error).message}`,
        );
      }
    }
  }

  /**
   * A block from a peer (JSON, validated here) or from the miner. Resolves once it, and any
   * orphans it connected, are durable; then announces them. Blocks are stored one at a time:
   * validated, written to disk, and only then added to the chain, so no block is served or
   * announced before it is on disk. While the disk is full every block is refused with a
   * DiskFullError (before any validation: a refusal costs nothing).
   */
  async submitBlock(value: unknown, source: BlockSource = 'push', origin?: string): Promise<AddResult> {
    if (source === 'self') return this.serially(() => this.storeBlock(value as Block, source, origin));
    // A copy of a block held costs a hash, not the group-membership checks of a full parse: the
    // trusted form checks everything but membership, enough to compute the hash.
    const hash = blockHash(this.genesis.group, parseBlock(this.genesis.group, value, 'trusted'));
    if (this.chain.has(hash)) return { status: 'known', hash };
    // No work, no membership tests (a ballot of 64 options has ~1,500 elements): the chain's rule 2.
    // A full disk is said first, as for every block (a refusal that costs nothing).
    this.refuseIfDiskFull();
    if (BigInt(`0x${hash}`) > this.genesis.target)
      return { status: 'invalid', hash, reason: 'proof of work: the block hash is above the target' };
    const block = parseBlock(this.genesis.group, value);
    return this.serially(() => this.storeBlock(block, source, origin));
  }

  /** Runs `job` after every store queued before it: blocks, acceptances and factors, one at a time. */
  private serially<T>(job: () => Promise<T>): Promise<T> {
    const run = this.storing.then(job);
    this.storing = run.catch(() => {});
    return run;
  }

  private async storeBlock(block: Block, source: BlockSource, origin?: string): Promise<AddResult> {
    this.refuseIfDiskFull();
    const checked = this.chain.validate(block);
    if (checked.status === 'late' && !checked.repeat) {
      this.warn(`block ${checked.hash.slice(0, 16)}… (height ${block.height}) kept out: ${checked.reason}`);
      this.emit('late', checked.hash, block.height);
    }
    if (checked.status === 'orphan') {
      // On a block the side-branch bound parked: with this one waiting on it, it may now be taken.
      const root = this.chain.parkedRoot(checked.hash);
      const again = root && (await this.storeBlock(root, source, origin));
      if (again?.status === 'added') return again;
    }
    if (checked.status !== 'valid') return checked;
    await this.write([{ type: 'block', block: encodeBlock(this.genesis.group, block) }]);
    const result = this.chain.add(block, { adoptOrphans: false });
    // Everything that changes the chain waits in the same queue, so this is 'added'; were it not,
    // the block would merely sit in the log unused (replay takes the same decision).
    if (result.status !== 'added') {
      this.warn(`a validated block was not taken: ${describeResult(result)}`);
      return result;
    }
    if (source === 'self' && block.payload.kind === 'ballot')
      this.mined.push({
        hash: checked.hash,
        height: block.height,
        tracker: ballotTracker(this.genesis.group, block.payload.ballot),
        ...(this.settingsValue.vote !== undefined ? { vote: this.settingsValue.vote } : {}),
      });
    this.emit('block', result.added[0]!, source, origin);
    if (result.best) this.onTip(result.reorg);
    // The orphans that waited for it, stored the same way (an orphan is validated only now).
    const added = [...result.added];
    for (const orphan of this.chain.takeOrphansOf(checked.hash)) {
      // The block itself is stored: an orphan that fails (a full disk) is fetched again later.
      const connected = await this.storeBlock(orphan, source, origin).catch(() => undefined);
      if (connected?.status === 'added') added.push(...connected.added);
    }
    return { ...result, added };
  }

  /**
   * Appends to the block log. A full disk pauses storing and mining (the records are not kept:
   * the log cuts them back off) until a probe finds room again; the caller gets a DiskFullError.
   */
  private async write(records: readonly unknown[]): Promise<void> {
    this.refuseIfDiskFull();
    if (this.logFailure) throw this.logFailure;
    try {
      await this.log.appendMany(records);
    } catch (error) {
      if (isDiskFull(error) && !this.log.failed) {
        this.pauseForDisk();
        throw new DiskFullError(this.dataDir.path);
      }
      // The log cannot take more (a failed fsync, or a full disk it could not cut back from):
      // stop storing and mining for good, and say so; only a restart re-reads what is on disk.
      if (!this.logFailure) {
        this.logFailure = new Error(
          `the block log failed (${(error as Error).message}): restart this runner`,
          {
            cause: error,
          },
        );
        this.warn(this.logFailure.message);
        this.wakeMiner();
      }
      throw this.logFailure;
    }
  }

  private refuseIfDiskFull(): void {
    if (this.diskFull) throw new DiskFullError(this.dataDir.path);
  }

  private pauseForDisk(): void {
    if (this.diskFull || this.closed) return;
    const probe = setInterval(() => void this.probeDisk(), DISK_PROBE_MS);
    probe.unref?.();
    this.diskFull = { probe };
    this.warn(
      `the disk holding ${this.dataDir.path} is full: this runner stores no block and mines nothing until ` +
        'space is freed there; it resumes by itself',
    );
    this.wakeMiner();
  }

  /**
   * Resumes once the data folder has room for a few hundred blocks again: found by writing that
   * much (and removing it), not by asking statfs, which knows neither a user's quota (EDQUOT) nor
   * the blocks a file system keeps for root, so it would resume too early or never.
   */
  private async probeDisk(): Promise<void> {
    const full = this.diskFull;
    if (!full) return;
    const probe = path.join(this.dataDir.path, SPACE_PROBE);
    try {
      const handle = await open(probe, 'w', 0o600);
      try {
        await handle.write(Buffer.alloc(MIN_FREE_BYTES));
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      return; // no room yet: asked again at the next probe
    } finally {
      await rm(probe, { force: true }).catch(() => {});
    }
    if (this.diskFull !== full) return;
    clearInterval(full.probe);
    this.diskFull = undefined;
    this.warn(`${this.dataDir.path} has room again: storing and mining resumed`);
    this.wakeMiner();
  }

  /** A decryption factor from a peer (JSON). Throws a ValidationError if it does not verify. */
  async submitFactor(value: unknown): Promise<'added' | 'known'> {
    const factor = parseDecryptionFactor(this.genesis.group, value, 'dec_factor', 'untrusted', 2);
    return this.serially(async () => {
      const final = this.checkFactor(factor);
      if (!final) return 'known';
      await this.write([{ type: 'dec_factor', factor: encodeDecryptionFactor(this.genesis.group, factor) }]);
      this.factors.keep(final, factor);
      this.emit('factor', factor);
      this.checkResult();
      return 'added';
    });
  }

  /**
   * A stand-in factor from a peer (JSON, threshold talliers): for a sealed final block, from a
   * qualified tallier for another. Throws a ValidationError if it does not verify.
   */
  async submitCompensated(value: unknown): Promise<'added' | 'known'> {
    const cf = parseCompensatedFactor(this.genesis.group, value);
    return this.serially(async () => {
      const final = this.checkCompensated(cf);
      if (!final) return 'known';
      await this.write([
        { type: 'compensated_factor', factor: encodeCompensatedFactor(this.genesis.group, cf) },
      ]);
      this.factors.keepCompensated(final, cf);
      this.emit('compensated', cf);
      this.checkResult();
      return 'added';
    });
  }

  /** As checkFactor, for a stand-in factor: the final block must be held and sealed here. */
  private checkCompensated(cf: CompensatedFactor): FinalTally | undefined {
    const meta = this.chain.get(cf.final);
    if (!meta || meta.height !== this.chain.finalHeight)
      throw new ValidationError('compensated_factor.final', 'is not a final block this runner holds');
    if (this.finality.sealOf(meta)?.final !== meta)
      throw new ValidationError('compensated_factor.final', 'is not sealed here');
    const final = this.chain.finalTally(meta)!;
    return this.factors.checkCompensated(final, cf) ? final : undefined;
  }

  /** Keeps a factor from the log (checked as one from a peer). */
  private addFactor(factor: DecryptionFactor): void {
    const final = this.checkFactor(factor);
    if (final) this.factors.keep(final, factor);
  }

  /**
   * Checks a factor for the final block it names, which must be sealed here (talliers decrypt only
   * a sealed block, and a runner learns the seal before it needs the factors): that block's tally
   * if the factor is new and verifies, undefined if it is known; throws a ValidationError else.
   */
  private checkFactor(factor: DecryptionFactor): FinalTally | undefined {
    const meta = factor.final === undefined ? undefined : this.chain.get(factor.final);
    if (!meta || meta.height !== this.chain.finalHeight) {
      throw new ValidationError('dec_factor.final', 'is not a final block this runner holds');
    }
    const final = this.chain.finalTally(meta)!;
    if (!final.talliers.includes(factor.pk)) {
      throw new ValidationError('dec_factor.pk', "is not an elected tallier of that final block's branch");
    }
    if (this.finality.sealOf(meta)?.final !== meta) {
      throw new ValidationError(
        'dec_factor.final',
        "is not sealed here: its talliers' acceptances have not all arrived (send them first), or they sealed another final block",
      );
    }
    // A proof that failed once fails for ever: remember the factor, so a peer repeating it costs
    // a lookup, not four exponentiations (bounded; the oldest are forgotten first).
    const key = factorKey(factor);
    const refused = this.refusedFactors.get(key);
    if (refused) throw refused;
    try {
      return this.factors.check(final, factor) ? final : undefined;
    } catch (error) {
      if (error instanceof ValidationError) {
        this.refusedFactors.set(key, error);
        if (this.refusedFactors.size > MAX_REFUSED_FACTORS)
          this.refusedFactors.delete(this.refusedFactors.keys().next().value!);
      }
      throw error;
    }
  }

  /**
   * The result of the best branch: undefined until it is final. `sealed` says whether its
   * talliers have sealed it; before that no factor is made and the result waits.
   */
  resultState(): (ResultState & { readonly sealed: boolean }) | undefined {
    const tip = this.chain.tip;
    const final = this.chain.finalTally(tip);
    if (!final) return undefined;
    const sealed = this.finality.sealOf(tip)?.final === tip;
    const state = this.factors.state(final);
    if (sealed) return { ...state, sealed };
    const { result: _, ...waiting } = state;
    return { ...waiting, sealed };
  }

  // ── Finality and the tallier's duties ───────────────────────────────────────────────────────

  /** An acceptance from a peer (JSON). Throws a ValidationError if it is refused. */
  async submitAcceptance(value: unknown): Promise<'added' | 'known'> {
    const acceptance = parseAcceptance(this.genesis.group, value);
    return this.storeAcceptance(acceptance);
  }

  /**
   * Checked, written, then kept: in the same queue as blocks, so that no acceptance counts
   * towards a seal (or is served) before it is on disk, and no seal locks the chain while a
   * block waits for its write.
   */
  private storeAcceptance(acceptance: Acceptance): Promise<'added' | 'known'> {
    return this.serially(async () => {
      if (this.finality.check(acceptance) === 'known') return 'known';
      await this.write([
        { type: 'acceptance', acceptance: encodeAcceptance(this.genesis.group, acceptance) },
      ]);
      this.finality.keep(acceptance);
      this.emit('acceptance', acceptance);
      this.afterFinality();
      return 'added';
    });
  }

  /** Whether a tallier key (hex) stands in any stored block, on any branch. */
  keyOnChain(pkHex: string): boolean {
    const pk = BigInt(`0x${pkHex}`);
    for (const meta of this.chain.all())
      if (meta.block?.payload.kind === 'tallier_key' && meta.block.payload.key.pk === pk) return true;
    return false;
  }

  /** The acceptances held in the best chain's key election, round by round. */
  acceptances(): Acceptance[] {
    return this.chain.tip.height === this.chain.finalHeight
      ? this.finality.acceptancesOf(this.chain.tip)
      : [];
  }

  /** The seal this runner keeps for ever, once its best chain's talliers sealed a final block. */
  seal(): Seal | undefined {
    const locked = this.chain.lockedFinal;
    return locked && this.finality.sealOf(locked);
  }

  /** What this runner's tallier key has done and refused. */
  tallierDuties(): TallierDuties {
    return {
      accepted: this.journal.entries.map(({ round, final }) => ({ round, final })),
      ...(this.journal.decrypted ? { decrypted: this.journal.decrypted } : {}),
      ...(this.refusal ? { refusal: this.refusal } : {}),
    };
  }

  /**
   * What this runner's tallier key still owes the election on the best chain, in words (empty when
   * nothing, or when it is not a tallier there): its backup pieces and complaints during the key
   * ceremony, then its acceptance of the final block, its factor and its stand-in factors.
   */
  tallierOwes(): string[] {
    const pk = this.tallier.publicKey;
    const tip = this.chain.tip;
    const owes: string[] = [];
    const ceremony = this.chain.ceremonyOf(tip);
    if (
      this.ceremony &&
      tip.height >= keyElectionHeight(this.genesis) &&
      tip.height < electionKeyHeight(this.genesis)
    ) {
      const elected = this.chain.candidatesOf(tip).talliers.some((k) => k.pk === pk);
      if (elected && !ceremony?.dealings.has(pk) && tip.height < lastDealingHeight(this.genesis))
        owes.push('its backup pieces for the other key holders (sent, not in a block yet)');
      const complaints = this.ceremony
        .all()
        .filter((m) => m.kind === 'complaint' && m.complaint.complainer === pk);
      if (complaints.length > 0)
        owes.push(
          `${complaints.length === 1 ? 'a complaint' : `${complaints.length} complaints`} about a wrong backup piece it received (sent, not in a block yet)`,
        );
    }
    const final = this.chain.finalTally(tip);
    if (!final?.talliers.includes(pk) || this.settingsValue.publishFactor === false) return owes;
    const seal = this.finality.sealOf(tip);
    if (!seal) {
      if (!this.finality.acceptancesOf(tip).some((a) => a.pk === pk && a.final === tip.hash))
        owes.push('its acceptance of the final block');
      return owes;
    }
    if (final.ballots === 0) return owes;
    if (!this.factors.factorsFor(final.final).some((f) => f.pk === pk)) owes.push('its decryption factor');
    const due = this.standInsDue(final).length;
    if (due > 0) owes.push(`stand-in factors for ${due} other key holder${due === 1 ? '' : 's'}`);
    return owes;
  }

  /**
   * A seal in the key election of the best chain makes its final block best for ever. Only that
   * key election's: a complete rival election sealed by its own talliers (a rewrite from below
   * height T) does not pull a runner away from the talliers its own chain elected.
   */
  private lockOnSeal(): Reorg | undefined | false {
    const tip = this.chain.tip;
    if (this.chain.lockedFinal || tip.height !== this.chain.finalHeight) return false;
    const seal = this.finality.sealOf(tip);
    if (!seal) return false;
    return this.chain.lock(seal.final.hash);
  }

  /** After anything that may change finality: lock on a seal, then do this tallier's duties. */
  private afterFinality(): void {
    const before = this.chain.tip;
    const locked = this.lockOnSeal();
    if (locked !== false) {
      this.emit('sealed', this.seal()!);
      if (this.chain.tip !== before) this.onTip(locked);
    }
    this.duties = this.duties
      .then(() => this.doDuties())
      .catch((error: unknown) => this.warn(`tallier: ${(error as Error).message}`));
    this.checkResult();
  }

  /** Signs what the finality rounds ask of this tallier, then decrypts the sealed tally. */
  private async doDuties(): Promise<void> {
    if (this.closed || this.inspecting) return;
    const pk = this.tallier.publicKey;
    const seal = this.seal();
    if (seal) {
      await this.decryptSealed(seal);
      return;
    }
    const tip = this.chain.tip;
    if (tip.height !== this.chain.finalHeight) return;
    const electionKey = this.finality.electionKeyOf(tip);
    const lastRound = Math.max(this.journal.lastRound(electionKey), this.finality.lastRound(pk, tip));
    // Recorded but never sent (a crash between the two): sign the same block in the same round.
    const recorded = lastRound > 0 ? this.journal.acceptedIn(electionKey, lastRound) : undefined;
    if (recorded && !this.finality.signedBy(pk, tip, lastRound)) {
      await this.storeAcceptance(this.tallier.accept(this.genesis.id, recorded, lastRound));
      return;
    }
    // Round 1 waits until the best final block has stood for SETTLE_MS: final blocks found at
    // about the same time (or on branches that elected other talliers) reach every runner, and
    // the lower-hash rule makes them agree before anyone signs.
    if (lastRound === 0 && !this.settled(tip)) return;
    const duty = this.finality.duty(pk, tip, lastRound);
    if (!duty) return;
    // Durable first: after a crash the key file says what this key signed in this round.
    await this.journal.recordAcceptance({ electionKey, round: duty.round, final: duty.final });
    await this.storeAcceptance(this.tallier.accept(this.genesis.id, duty.final, duty.round));
  }

  /**
   * Decrypts the sealed tally if this key is one of its talliers: once, ever, recorded first. With
   * threshold talliers it also stands in for every other qualified tallier whose factor is not in
   * yet (its shares of their keys decrypt this same tally, and nothing else, ever).
   */
  private async decryptSealed(seal: Seal): Promise<void> {
    const pk = this.tallier.publicKey;
    const final = this.chain.finalTally(seal.final)!;
    if (final.ballots === 0 || !final.talliers.includes(pk)) return;
    if (this.settingsValue.publishFactor === false) return;
    const ownDone = this.factors.factorsFor(final.final).some((f) => f.pk === pk);
    const standIns = this.standInsDue(final);
    if (ownDone && standIns.length === 0) return;
    const decrypted = this.journal.decrypted;
    if (decrypted !== undefined && decrypted !== final.final) {
      this.refusal = `this tallier decrypted the tally of block ${decrypted.slice(0, 16)}… and never decrypts another`;
      this.warn(this.refusal);
      return;
    }
    await this.journal.recordDecryption(final.final);
    if (process.env.ONION_ELECTION_TEST_CRASH_AFTER_DECRYPTION_CHOICE === '1')
      process.kill(process.pid, 'SIGKILL');
    if (!ownDone) {
      const factor = this.tallier.decryptionFactor(this.genesis.id, final.tallies, final.final);
      await this.submitFactor(encodeDecryptionFactor(this.genesis.group, factor));
    }
    const { group, id } = this.genesis;
    const setup = final.quorum!;
    for (const missing of standIns) {
      try {
        const dealing = setup.dealings.get(missing)!;
        const cf = this.tallier.compensatedFactor(id, dealing, setup.elected, final.tallies, final.final);
        await this.submitCompensated(encodeCompensatedFactor(group, cf));
      } catch (error) {
        // A wrong share this key could not complain about in time: the other talliers stand in.
        this.warn(
          `cannot stand in for tallier ${missing.toString(16).slice(0, 16)}…: ${(error as Error).message}`,
        );
      }
    }
  }

  /** Threshold talliers: the other qualified talliers this key should stand in for now. */
  private standInsDue(final: FinalTally): bigint[] {
    const setup = final.quorum;
    const pk = this.tallier.publicKey;
    if (!setup) return [];
    const direct = new Set(this.factors.factorsFor(final.final).map((f) => f.pk));
    const mine = new Set(
      this.factors
        .compensatedFor(final.final)
        .filter((cf) => cf.pk === pk)
        .map((cf) => cf.missing),
    );
    return setup.qualified.filter(
      (other) => other !== pk && !direct.has(other) && !mine.has(other) && this.canStandIn(setup, other),
    );
  }

  /**
   * Whether this key's share of `other`'s key is right (a dealer that sent it a wrong share and
   * was not proven wrong in time stays qualified, but this key cannot stand in for it).
   */
  private canStandIn(setup: NonNullable<FinalTally['quorum']>, other: bigint): boolean {
    return this.ceremony!.shareIsRight(setup.dealings.get(other)!, setup.elected);
  }

  private onTip(reorg: Reorg | undefined): void {
    this.emit('tip', this.chain.tip, reorg);
    this.casting?.onTip();
    this.ceremony?.onTip();
    this.ceremonyDuty();
    this.voteDuty();
    this.wakeMiner();
    this.watchSettling();
    this.afterFinality();
  }

  /** Whether the best final block `tip` has stood for SETTLE_MS. */
  private settled(tip: BlockMeta): boolean {
    return this.finalSince?.hash === tip.hash && Date.now() - this.finalSince.at >= SETTLE_MS;
  }

  /** A new best final block starts the settling time; its end brings the tallier's duties back. */
  private watchSettling(): void {
    const tip = this.chain.tip;
    if (tip.height !== this.chain.finalHeight || this.chain.lockedFinal || this.finalSince?.hash === tip.hash)
      return;
    this.finalSince = { hash: tip.hash, at: Date.now() };
    clearTimeout(this.settleTimer);
    // Not unref'd: a lone node waiting to settle has nothing else keeping its process alive.
    this.settleTimer = setTimeout(() => this.afterFinality(), SETTLE_MS + 10);
  }

  private checkResult(): void {
    const state = this.resultState();
    if (!state?.result) return;
    const key = `${this.chain.tip.hash}:${JSON.stringify(encodeResult(state.result))}`;
    if (key === this.lastResult) return;
    this.lastResult = key;
    this.emit('result', state);
  }

  // ── Mining ──────────────────────────────────────────────────────────────────────────────────

  /** Changes settings at run time (saved to the data directory); the miner follows at once. */
  async updateSettings(changes: Partial<NodeSettings>): Promise<void> {
    const threadsChanged = changes.threads !== undefined && changes.threads !== this.settingsValue.threads;
    this.settingsValue = { ...this.settingsValue, ...changes };
    await this.dataDir.save('settings', this.settingsValue);
    if (threadsChanged && this.miner) {
      // Workers are fixed per Miner: let the loop finish its job, then restart with the new count.
      const running = this.settingsValue.mining;
      await this.stopMining();
      await this.miner?.close();
      this.miner = undefined;
      if (running) this.startMining();
    }
    this.wakeMiner();
  }

  /**
   * The vote of ballots mined (or cast) from now on; undefined: no vote, so no ballots. Throws
   * ValidationError for a choice the election does not allow.
   */
  async setVote(vote: VoteChoice | undefined): Promise<void> {
    if (vote !== undefined) checkVote(this.genesis, vote);
    const { vote: _, ...rest } = this.settingsValue;
    this.settingsValue = vote === undefined ? rest : { ...rest, vote };
    await this.dataDir.save('settings', this.settingsValue);
    this.voteDuty();
    this.wakeMiner();
  }

  /**
   * A cast ballot from a peer (per-voter rule): verified, pooled and relayed, or 'known'. Throws
   * ValidationError for one that can never go in (a per-block election takes none).
   */
  submitCast(value: unknown, origin?: string): 'added' | 'known' {
    if (!this.casting)
      throw new ValidationError(
        'cast_ballot',
        'this election counts one ballot per block found, not per voter',
      );
    return this.casting.submit(value, origin);
  }

  /**
   * Per-block rule: the ballot blocks this runner mined (this run, and, from before, those with
   * its miner label), oldest first.
   */
  ownBallots(): readonly { hash: string; height: number; tracker: string; vote?: VoteChoice }[] {
    const seen = new Set(this.mined.map((m) => m.hash));
    // Receipts are rebuilt on every block: each block's digest is computed once.
    const trackerOf = (m: BlockMeta) => {
      let tracker = this.trackers.get(m.hash);
      if (tracker === undefined) {
        tracker = ballotTracker(this.genesis.group, (m.block!.payload as { ballot: AnyBallot }).ballot);
        this.trackers.set(m.hash, tracker);
      }
      return tracker;
    };
    const before = [...this.chain.all()]
      .filter(
        (m) =>
          m.block?.payload.kind === 'ballot' &&
          m.block.miner === this.settingsValue.name &&
          !seen.has(m.hash),
      )
      .map((m) => ({
        hash: m.hash,
        height: m.height,
        tracker: trackerOf(m),
      }));
    return [...before, ...this.mined];
  }

  /** Per-voter rule: casts or re-sends this runner's ballot when due (never while inspecting). */
  private voteDuty(): void {
    if (this.inspecting || this.closed || !this.casting?.voter) return;
    this.casting.castIfNeeded(this.settingsValue.vote).catch((error: unknown) => {
      this.warn(`your ballot could not be cast: ${(error as Error).message}`);
    });
  }

  /**
   * A dealing or complaint from a peer (threshold talliers): verified against the best chain,
   * pooled and relayed, or 'known'. Throws ValidationError for one that cannot go in.
   */
  submitCeremony(value: unknown, origin?: string): 'added' | 'known' {
    if (!this.ceremony)
      throw new ValidationError(
        'ceremony_message',
        'this election has no key ceremony (no threshold talliers)',
      );
    return this.ceremony.submit(value, origin);
  }

  /** Threshold talliers: deals, complains, re-sends, one run at a time (never while inspecting). */
  private ceremonyDuty(): void {
    if (this.inspecting || this.closed || !this.ceremony || this.ceremonyRun) return;
    this.ceremonyRun = this.ceremony
      .duty()
      .catch((error: unknown) => this.warn(`key ceremony: ${(error as Error).message}`))
      .finally(() => {
        this.ceremonyRun = undefined;
      });
  }

  /** Starts the mining loop; it follows the best tip until stopped or closed. */
  startMining(): void {
    this.settingsValue = { ...this.settingsValue, mining: true };
    this.miner ??= new Miner({ threads: this.settingsValue.threads });
    this.mining ??= this.mineLoop().finally(() => {
      this.mining = undefined;
    });
  }

  async stopMining(): Promise<void> {
    this.settingsValue = { ...this.settingsValue, mining: false };
    this.wakeMiner();
    await this.mining;
  }

  hashrate(): number {
    return this.miner?.hashrate() ?? 0;
  }

  /** Abandons the current job (or idle wait) so the loop rebuilds its template. */
  private wakeMiner(): void {
    this.miner?.cancel();
    const idle = this.idle;
    this.idle = undefined;
    idle?.();
  }

  private async mineLoop(): Promise<void> {
    while (!this.closed && this.settingsValue.mining) {
      let template: Omit<Block, 'nonce'> | undefined;
      try {
        template = this.diskFull || this.logFailure ? undefined : this.template();
      } catch (error) {
        // Never expected (the vote is checked when set): said, and the miner waits for a change.
        this.warn(`nothing could be mined: ${(error as Error).message}`);
      }
      if (!template) {
        // Nothing to mine (the final height, voting without a vote, or a full disk): wait for a change.
        await new Promise<void>((resolve) => {
          this.idle = resolve;
        });
        continue;
      }
      const found = await this.miner!.mine({
        prefix: headerPrefix(this.genesis.group, template),
        target: this.genesis.target,
      });
      if (!found || this.closed) continue; // cancelled: a new tip, new settings, or closing
      try {
        const result = await this.submitBlock({ ...template, nonce: found.nonce }, 'self');
        if (result.status !== 'added' && result.status !== 'known')
          this.warn(`own block refused: ${describeResult(result)}`);
      } catch (error) {
        // A full disk pauses the loop (the template waits for room); anything else is said, and
        // the loop goes on: a rejection here would end the process.
        if (!(error instanceof DiskFullError)) this.warn(`own block not stored: ${(error as Error).message}`);
      }
    }
  }

  /** The next block to mine on the best tip, or undefined when there is nothing to mine. */
  template(): Omit<Block, 'nonce'> | undefined {
    const tip = this.chain.tip;
    const height = tip.height + 1;
    const kind = expectedPayload(this.genesis, height);
    let payload: Payload;
    if (kind === 'tallier_key') {
      if (this.genesis.ballotRule === 'per-voter') {
        // Only a roster member stands, its credential vouching for its key (one key per voter).
        const voter = this.casting?.registered ? this.casting.voter : undefined;
        if (!voter) return undefined;
        this.endorsement ??= voter.credential.endorse(this.genesis.id, this.tallierKey);
        payload = { kind, key: this.tallierKey, endorsement: this.endorsement };
      } else payload = { kind, key: this.tallierKey };
    } else if (kind === 'confirmation') payload = { kind };
    else if (kind === 'ceremony') payload = { kind, messages: this.ceremony!.select(tip) };
    else if (kind === 'ballots') {
      const own = this.casting?.voter?.credential.publicKey;
      const ballots = this.casting!.select(tip);
      payload = {
        kind,
        ballots: this.settingsValue.censorBallots ? ballots.filter((c) => c.credential === own) : ballots,
      };
    } else if (kind === 'ballot' && this.settingsValue.vote !== undefined) {
      const h = this.chain.electionOf(tip).key;
      payload = {
        kind,
        ballot: encryptVote(this.genesis, this.genesis.id, h, this.settingsValue.vote),
      };
    } else return undefined; // the final height, or voting without a vote choice
    const timestamp = Math.max(Math.floor(Date.now() / 1000), this.chain.minChildTimestamp(tip));
    const miner = this.settingsValue.anonymous ? '' : this.settingsValue.name;
    return { height, prev: tip.hash, timestamp, miner, payload };
  }

  // ── Export and shutdown ─────────────────────────────────────────────────────────────────────

  /** The election record of the best chain (docs/PROTOCOL.md §8). */
  exportRecord(): ElectionRecord {
    const state = this.resultState();
    const seal = this.seal();
    return buildRecord({
      genesis: this.genesis,
      blocks: this.chain.branch().map((m) => m.block!),
      seal: seal?.acceptances ?? [],
      decFactors: state?.sealed ? state.factors : [],
      compensatedFactors: state?.sealed ? recordedStandIns(state) : [],
      result: state?.result ?? null,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.settleTimer);
    clearInterval(this.voteTimer);
    clearInterval(this.ceremonyTimer);
    await this.ceremonyRun;
    if (this.diskFull) clearInterval(this.diskFull.probe);
    await this.duties;
    this.wakeMiner();
    await this.mining;
    await this.miner?.close();
    await this.dataDir.close();
  }

  private warn(message: string): void {
    this.emit('warning', message);
  }
}

/** How often a voter's runner checks whether its ballot still needs casting or re-sending (ms). */
const VOTE_DUTY_MS = 5000;

/** How often a runner paused for a full disk looks for room again (ms). */
const DISK_PROBE_MS = 2000;
/** Free space a paused runner waits for: room for a few hundred blocks, not just one. */
const MIN_FREE_BYTES = 1 << 20;
/** The file a paused runner writes (and removes) to find room again. */
const SPACE_PROBE = 'space-probe.tmp';

/**
 * How long a best final block must stand before a tallier's first acceptance (ms): long enough
 * for final blocks found at about the same time to reach every runner over Tor, short beside an
 * election. Local policy, invisible to peers.
 */
export const SETTLE_MS = 3000;

/** Factors refused for their proof that a runner remembers. */
const MAX_REFUSED_FACTORS = 1024;

/** Every value of a factor: two factors with the same key are the same factor. */
function factorKey(f: DecryptionFactor): string {
  const p = f.decFactorPoc;
  // The lists' lengths are in the key: without them, values moved between the lists (a into the
  // factors, b_1 into a) would make another factor with the same key, and its refusal would be
  // remembered for the honest one.
  return [f.pk, f.final, f.factors.length, ...f.factors, p.a, p.b.length, ...p.b, p.challenge, p.response]
    .map(String)
    .join(':');
}

/** The stand-in factors a record needs: those for talliers whose own factor is not in. */
function recordedStandIns(state: ResultState): CompensatedFactor[] {
  const direct = new Set(state.factors.map((f) => f.pk));
  return state.compensated.filter((cf) => !direct.has(cf.missing));
}

function describeResult(result: AddResult): string {
  return 'reason' in result ? `${result.status}: ${result.reason}` : result.status;
}
