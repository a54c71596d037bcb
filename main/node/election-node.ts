// An election runner without its network: the data directory, the chain rebuilt from it, the
// tallier key, the miner building the payload each phase needs, decryption factors and the result.
// Everything that changes state goes through here, is validated first, and is made durable before
// it is announced (events), so a listener that relays an event never relays what a crash loses.
import { EventEmitter } from 'node:events';
import { type Block, encodeBlock, headerPrefix, type Payload, parseBlock } from '../chain/block';
import { type AddResult, type BlockMeta, Chain, type Reorg } from '../chain/chain';
import { encodeGenesis, type Genesis, parseGenesis } from '../chain/genesis';
import { Miner } from '../chain/pow/miner';
import { FactorBook, type ResultState } from '../chain/results';
import { expectedPayload } from '../chain/rules';
import { encryptBallot } from '../crypto/ballot';
import { toHex } from '../crypto/bigint';
import { encodeDecryptionFactor, exactObject, fixedHex, parseDecryptionFactor } from '../crypto/codec';
import { ValidationError } from '../crypto/errors';
import { TallierSecretKey } from '../crypto/tallier';
import type { DecryptionFactor, TallierPublicKey } from '../crypto/types';
import { DataDir } from '../store/data-dir';
import type { RecordLog } from '../store/record-log';
import { buildRecord, type ElectionRecord } from '../verify/record';

export interface NodeSettings {
  /** The miner label written into every block found. */
  readonly name: string;
  /** The vote each ballot carries; without one the runner does not mine in the voting phase. */
  readonly vote?: 0 | 1;
  readonly mining: boolean;
  /** Mining worker threads. */
  readonly threads: number;
  /** Peers to reconnect to on the next start. */
  readonly peers?: readonly string[];
  /** The peer API's port on 127.0.0.1 when last started (for `status` while running). */
  readonly port?: number;
  /**
   * false: an elected tallier that withholds its decryption factor. Only for testing how everyone
   * else copes (the result then waits for it); a real tallier always publishes.
   */
  readonly publishFactor?: boolean;
}

/** Mined here, pushed by a peer, or pulled from a peer while syncing (not relayed again). */
export type BlockSource = 'self' | 'push' | 'sync';

export interface NodeEvents {
  /** A block was stored (after it was made durable). */
  block: [meta: BlockMeta, source: BlockSource];
  /** The best tip moved; `reorg` when it left the previous branch. */
  tip: [tip: BlockMeta, reorg: Reorg | undefined];
  /** A verified factor was stored: relay it. */
  factor: [factor: DecryptionFactor];
  /** The result of the best branch is complete (emitted again if the best branch changes). */
  result: [state: ResultState];
  warning: [message: string];
}

export class ElectionNode extends EventEmitter<NodeEvents> {
  readonly chain: Chain;
  readonly factors: FactorBook;
  readonly tallierKey: TallierPublicKey;
  /** What opening the data directory found wrong and repaired or skipped (later ones are events). */
  readonly startupWarnings: string[] = [];
  /** Started with the mining loop: an exporting or verifying process needs no worker threads. */
  private miner: Miner | undefined;
  private mining: Promise<void> | undefined;
  private idle: (() => void) | undefined;
  private closed = false;
  private lastResult: string | undefined;

  private constructor(
    readonly genesis: Genesis,
    readonly dataDir: DataDir,
    private readonly log: RecordLog,
    private readonly tallier: TallierSecretKey,
    private settingsValue: NodeSettings,
  ) {
    super();
    this.chain = new Chain(genesis);
    this.factors = new FactorBook(genesis.group, genesis.id);
    this.tallierKey = tallier.provePossession(genesis.id);
  }

  /** Starts a new data directory for `genesis`. Refuses a directory that already holds one. */
  static async create(dir: string, genesis: Genesis, settings: NodeSettings): Promise<ElectionNode> {
    const { dataDir } = await DataDir.open(dir);
    try {
      if (await dataDir.load('genesis')) throw new Error(`${dataDir.path} already holds an election`);
      await dataDir.save('genesis', encodeGenesis(genesis));
      await dataDir.save('settings', settings);
    } finally {
      await dataDir.close();
    }
    return ElectionNode.open(dir, settings);
  }

  /**
   * Opens a data directory: the genesis, the tallier key (made on first use, file mode 0600), the
   * settings (overridden by `settings`), and the chain replayed from the block log.
   */
  static async open(dir: string, settings: Partial<NodeSettings> = {}): Promise<ElectionNode> {
    const { dataDir, warnings } = await DataDir.open(dir);
    try {
      const genesisFile = await dataDir.load('genesis');
      if (!genesisFile) throw new Error(`${dataDir.path} holds no election (genesis.json is missing)`);
      const genesis = parseGenesis(genesisFile.value);
      const tallier = await loadOrCreateTallier(dataDir, genesis);
      const saved = ((await dataDir.load('settings'))?.value ?? {}) as Partial<NodeSettings>;
      const merged = { name: 'runner', mining: true, threads: 1, ...saved, ...settings };
      await dataDir.save('settings', merged);
      const opened = await dataDir.openBlockLog();
      const node = new ElectionNode(genesis, dataDir, opened.log, tallier, merged);
      node.startupWarnings.push(...warnings, ...opened.warnings);
      node.replay(opened.records);
      return node;
    } catch (error) {
      await dataDir.close();
      throw error;
    }
  }

  get settings(): NodeSettings {
    return this.settingsValue;
  }

  /** Rebuilds the chain and the factors from the log; blocks were validated before being logged. */
  private replay(records: readonly unknown[]): void {
    const factors: unknown[] = [];
    for (const [i, record] of records.entries()) {
      try {
        const type = (record as { type?: unknown } | null)?.type;
        if (type === 'block') {
          const { block } = exactObject(record, `log[${i}]`, ['type', 'block']);
          const result = this.chain.add(parseBlock(this.genesis.group, block, 'trusted'), { trusted: true });
          if (result.status !== 'added' && result.status !== 'known') throw new Error(describeResult(result));
        } else if (type === 'dec_factor') {
          factors.push(exactObject(record, `log[${i}]`, ['type', 'factor']).factor);
        } else {
          throw new ValidationError(`log[${i}].type`, 'is not "block" or "dec_factor"');
        }
      } catch (error) {
        this.startupWarnings.push(
          `data directory: record ${i} of the block log was skipped: ${(error as Error).message}`,
        );
      }
    }
    for (const factor of factors) {
      try {
        this.addFactor(parseDecryptionFactor(this.genesis.group, factor, 'dec_factor', 'trusted'));
      } catch (error) {
        this.startupWarnings.push(
          `data directory: a stored decryption factor was skipped: ${(error as Error).message}`,
        );
      }
    }
  }

  /**
   * A block from a peer (JSON, validated here) or from the miner. Resolves once it, and any
   * orphans it connected, are durable; then announces them.
   */
  async submitBlock(value: unknown, source: BlockSource = 'push'): Promise<AddResult> {
    const block = source === 'self' ? (value as Block) : parseBlock(this.genesis.group, value);
    const result = this.chain.add(block);
    if (result.status !== 'added') return result;
    await this.log.appendMany(
      result.added.map((m) => ({ type: 'block', block: encodeBlock(this.genesis.group, m.block!) })),
    );
    for (const meta of result.added) this.emit('block', meta, source);
    if (result.best) this.onTip(result.reorg);
    return result;
  }

  /** A decryption factor from a peer (JSON). Throws a ValidationError if it does not verify. */
  async submitFactor(value: unknown): Promise<'added' | 'known'> {
    const factor = parseDecryptionFactor(this.genesis.group, value);
    if (!this.addFactor(factor)) return 'known';
    await this.log.append({ type: 'dec_factor', factor: encodeDecryptionFactor(this.genesis.group, factor) });
    this.emit('factor', factor);
    this.checkResult();
    return 'added';
  }

  /**
   * Adds a factor for whichever final branch it fits: the best one or a side branch (a reorg may
   * make it best later). Returns false if already known.
   */
  private addFactor(factor: DecryptionFactor): boolean {
    const finals = this.chain.finalTips();
    let lastError: unknown = new ValidationError('dec_factor', 'no branch has reached the final height yet');
    for (const tip of finals) {
      const final = this.chain.finalTally(tip)!;
      if (!final.talliers.includes(factor.pk)) continue;
      try {
        return this.factors.add(final, factor);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** The result of the best branch: undefined until it is final. */
  resultState(): ResultState | undefined {
    const final = this.chain.finalTally();
    return final && this.factors.state(final);
  }

  private onTip(reorg: Reorg | undefined): void {
    this.emit('tip', this.chain.tip, reorg);
    this.wakeMiner();
    void this.publishOwnFactor().catch((error) =>
      this.warn(`could not publish this tallier's factor: ${error}`),
    );
    this.checkResult();
  }

  /** When the best branch is final and this runner is one of its talliers, it decrypts its share. */
  private async publishOwnFactor(): Promise<void> {
    const final = this.chain.finalTally();
    if (!final || final.ballots === 0 || !final.talliers.includes(this.tallier.publicKey)) return;
    if (this.settingsValue.publishFactor === false) return;
    if (this.factors.factorsFor(final.tally).some((f) => f.pk === this.tallier.publicKey)) return;
    const factor = this.tallier.decryptionFactor(this.genesis.id, final.tally);
    await this.submitFactor(encodeDecryptionFactor(this.genesis.group, factor));
  }

  private checkResult(): void {
    const state = this.resultState();
    if (!state?.result) return;
    const key = `${this.chain.tip.hash}:${state.result.yes}/${state.result.total}`;
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

  /** The vote of ballots mined from now on; undefined: no vote, so no ballots. */
  async setVote(vote: 0 | 1 | undefined): Promise<void> {
    const { vote: _, ...rest } = this.settingsValue;
    this.settingsValue = vote === undefined ? rest : { ...rest, vote };
    await this.dataDir.save('settings', this.settingsValue);
    this.wakeMiner();
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
      const template = this.template();
      if (!template) {
        // Nothing to mine (the final height, or voting without a vote): wait for a change.
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
      const result = await this.submitBlock({ ...template, nonce: found.nonce }, 'self');
      if (result.status !== 'added' && result.status !== 'known')
        this.warn(`own block refused: ${describeResult(result)}`);
    }
  }

  /** The next block to mine on the best tip, or undefined when there is nothing to mine. */
  template(): Omit<Block, 'nonce'> | undefined {
    const tip = this.chain.tip;
    const height = tip.height + 1;
    const kind = expectedPayload(this.genesis, height);
    let payload: Payload;
    if (kind === 'tallier_key') payload = { kind, key: this.tallierKey };
    else if (kind === 'confirmation') payload = { kind };
    else if (kind === 'ballot' && this.settingsValue.vote !== undefined) {
      const h = this.chain.electionOf(tip).key;
      payload = {
        kind,
        ballot: encryptBallot(this.genesis.group, this.genesis.id, h, this.settingsValue.vote),
      };
    } else return undefined; // the final height, or voting without a vote choice
    const timestamp = Math.max(Math.floor(Date.now() / 1000), this.chain.minChildTimestamp(tip));
    return { height, prev: tip.hash, timestamp, miner: this.settingsValue.name, payload };
  }

  // ── Export and shutdown ─────────────────────────────────────────────────────────────────────

  /** The election record of the best chain (docs/PROTOCOL.md §8). */
  exportRecord(): ElectionRecord {
    const state = this.resultState();
    return buildRecord({
      genesis: this.genesis,
      blocks: this.chain.branch().map((m) => m.block!),
      decFactors: state?.factors ?? [],
      result: state?.result ?? null,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeMiner();
    await this.mining;
    await this.miner?.close();
    await this.dataDir.close();
  }

  private warn(message: string): void {
    this.emit('warning', message);
  }
}

function describeResult(result: AddResult): string {
  return 'reason' in result ? `${result.status}: ${result.reason}` : result.status;
}

/** The tallier key file holds the secret scalar; it is created 0600 and never logged. */
async function loadOrCreateTallier(dataDir: DataDir, genesis: Genesis): Promise<TallierSecretKey> {
  const stored = await dataDir.load('tallierKey');
  if (stored) {
    const o = exactObject(stored.value, 'tallier-key.json', ['secret_key']);
    const x = fixedHex(o.secret_key, genesis.group.byteWidth * 2, 'tallier-key.json.secret_key');
    return TallierSecretKey.fromSecret(genesis.group, x);
  }
  const key = TallierSecretKey.generate(genesis.group);
  await dataDir.save('tallierKey', { secret_key: toHex(key.exportSecret(), genesis.group.byteWidth * 2) });
  return key;
}
