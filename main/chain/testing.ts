// Fixtures for chain tests: a small election, and blocks built by hand on any parent. The easy
// target lets almost any nonce pass; `mine` searches the few it takes.
import { encryptBallot, type Vote } from '../crypto/ballot';
import { Group } from '../crypto/group';
import { TallierSecretKey } from '../crypto/tallier';
import type { TallierPublicKey } from '../crypto/types';
import { type Block, blockHash, type Payload } from './block';
import type { BlockMeta, Chain } from './chain';
import { type ElectionParams, type Genesis, makeGenesis } from './genesis';

/** One hash in 4 meets it: proof of work is exercised, and mining takes microseconds. */
export const EASY_TARGET = (1n << 254n) - 1n;
export const T0 = 1_700_000_000;

export function testGenesis(overrides: Partial<ElectionParams> = {}): Genesis {
  return makeGenesis({
    title: 'Test election',
    question: 'Adopt the proposal?',
    group: Group.default(),
    nTalliers: 2,
    nTalliersBlocks: 3,
    nVoteBlocks: 4,
    confirmations: 1,
    target: EASY_TARGET,
    createdAt: T0,
    ...overrides,
  });
}

export class Talliers {
  readonly secrets: TallierSecretKey[];
  readonly keys: TallierPublicKey[];
  constructor(genesis: Genesis, n: number) {
    this.secrets = Array.from({ length: n }, () => TallierSecretKey.generate(genesis.group));
    this.keys = this.secrets.map((s) => s.provePossession(genesis.id));
  }
}

/** Finds a nonce meeting the target (a few tries with EASY_TARGET). */
export function mine(genesis: Genesis, unmined: Omit<Block, 'nonce'>): Block {
  for (let nonce = 0n; ; nonce++) {
    const block = { ...unmined, nonce };
    if (BigInt(`0x${blockHash(genesis.group, block)}`) <= genesis.target) return block;
  }
}

export function makeBlock(
  chain: Chain,
  parent: BlockMeta,
  payload: Payload,
  extra: Partial<Pick<Block, 'timestamp' | 'miner'>> = {},
): Block {
  return mine(chain.genesis, {
    height: parent.height + 1,
    prev: parent.hash,
    timestamp: extra.timestamp ?? parent.timestamp + 10,
    miner: extra.miner ?? 'tester',
    payload,
  });
}

export const keyPayload = (key: TallierPublicKey): Payload => ({ kind: 'tallier_key', key });
export const confirmation: Payload = { kind: 'confirmation' };

export function ballotPayload(chain: Chain, parent: BlockMeta, vote: Vote): Payload {
  const h = chain.electionOf(parent).key;
  return { kind: 'ballot', ballot: encryptBallot(chain.genesis.group, chain.genesis.id, h, vote) };
}

/** Adds a block and insists it was accepted; returns its metadata. */
export function extend(
  chain: Chain,
  parent: BlockMeta,
  payload: Payload,
  extra: Parameters<typeof makeBlock>[3] = {},
): BlockMeta {
  const result = chain.add(makeBlock(chain, parent, payload, extra));
  if (result.status !== 'added') throw new Error(`block refused: ${JSON.stringify(result)}`);
  return result.added[0]!;
}
