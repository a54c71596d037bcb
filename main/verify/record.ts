// The election record: everything needed to re-check an election from scratch, as one JSON
// document. The runner exports it; the verifier (verify.ts) trusts nothing in it.

import { type Block, type BlockJson, encodeBlock } from '../chain/block';
import { encodeGenesis, type Genesis, type GenesisJson } from '../chain/genesis';
import { type DecryptionFactorJson, encodeDecryptionFactor } from '../crypto/codec';
import type { DecryptionFactor, ElectionResult } from '../crypto/types';

export const RECORD_FORMAT = 'onion-election/record/v1';

export const RECORD_KEYS = ['format', 'genesis', 'blocks', 'dec_factors', 'result'] as const;

export interface ResultJson {
  yes: number;
  no: number;
  total: number;
}

export interface ElectionRecord {
  format: typeof RECORD_FORMAT;
  genesis: GenesisJson;
  /** The best chain, heights 1…n in order. */
  blocks: BlockJson[];
  /** Decryption factors of the final tally; empty until the talliers publish them. */
  dec_factors: DecryptionFactorJson[];
  /** The decrypted count; null until every elected tallier's factor is in. */
  result: ResultJson | null;
}

export interface RecordParts {
  readonly genesis: Genesis;
  /** Heights 1…n in order. */
  readonly blocks: readonly Block[];
  readonly decFactors?: readonly DecryptionFactor[];
  readonly result?: ElectionResult | null;
}

/** Assembles a record through the canonical encoders (the exact JSON peers exchange). */
export function buildRecord({
  genesis,
  blocks,
  decFactors = [],
  result = null,
}: RecordParts): ElectionRecord {
  const { group } = genesis;
  return {
    format: RECORD_FORMAT,
    genesis: encodeGenesis(genesis),
    blocks: blocks.map((block) => encodeBlock(group, block)),
    dec_factors: decFactors.map((factor) => encodeDecryptionFactor(group, factor)),
    // Copied field by field: an ElectionResult carrying more would make the record refuse itself.
    result: result && { yes: result.yes, no: result.no, total: result.total },
  };
}
