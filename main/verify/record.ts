// The election record: everything needed to re-check an election from scratch, as one JSON
// document. The runner exports it; the verifier (verify.ts) trusts nothing in it. Version 2 adds
// the talliers' seal of the final block (finality, docs/PROTOCOL.md §6) and factors that name it.

import { type Block, type BlockJson, encodeBlock } from '../chain/block';
import {
  encodeGenesis,
  type Genesis,
  type GenesisJson,
  hasThreshold,
  type ProtocolVersion,
} from '../chain/genesis';
import {
  type AcceptanceJson,
  type CompensatedFactorJson,
  type DecryptionFactorJson,
  type ElectionResultJson,
  encodeAcceptance,
  encodeCompensatedFactor,
  encodeDecryptionFactor,
  encodeResult,
} from '../crypto/codec';
import type { Acceptance, CompensatedFactor, DecryptionFactor, ElectionResult } from '../crypto/types';

export const RECORD_FORMATS = {
  1: 'onion-election/record/v1',
  2: 'onion-election/record/v2',
} as const satisfies Record<ProtocolVersion, string>;
/** The format a runner exports. */
export const RECORD_FORMAT = RECORD_FORMATS[2];

export const RECORD_KEYS = {
  1: ['format', 'genesis', 'blocks', 'dec_factors', 'result'],
  2: ['format', 'genesis', 'blocks', 'seal', 'dec_factors', 'result'],
} as const satisfies Record<ProtocolVersion, readonly string[]>;
/** A version-2 record of threshold talliers has one more key. */
export const THRESHOLD_RECORD_KEYS = [...RECORD_KEYS[2], 'compensated_factors'] as const;

export type ResultJson = ElectionResultJson;

export interface ElectionRecord {
  format: (typeof RECORD_FORMATS)[ProtocolVersion];
  genesis: GenesisJson;
  /** The best chain, heights 1…n in order. */
  blocks: BlockJson[];
  /**
   * Version 2: the talliers' acceptances that sealed the last block (one per elected tallier, one
   * round); empty until they all accepted it.
   */
  seal?: AcceptanceJson[];
  /** Decryption factors of the final tally; empty until the talliers publish them. */
  dec_factors: DecryptionFactorJson[];
  /**
   * Threshold talliers only (the genesis has a quorum): stand-in factors for the qualified talliers
   * whose own factor is not in the record, from other qualified talliers.
   */
  compensated_factors?: CompensatedFactorJson[];
  /** The decrypted count; null until every elected tallier's factor is in. */
  result: ResultJson | null;
}

export interface RecordParts {
  readonly genesis: Genesis;
  /** Heights 1…n in order. */
  readonly blocks: readonly Block[];
  /** Version 2: the seal of the last block. */
  readonly seal?: readonly Acceptance[];
  readonly decFactors?: readonly DecryptionFactor[];
  /** Threshold talliers: stand-in factors for talliers whose own factor is missing. */
  readonly compensatedFactors?: readonly CompensatedFactor[];
  readonly result?: ElectionResult | null;
}

/** Assembles a record through the canonical encoders (the exact JSON peers exchange). */
export function buildRecord({
  genesis,
  blocks,
  seal = [],
  decFactors = [],
  compensatedFactors = [],
  result = null,
}: RecordParts): ElectionRecord {
  const { group } = genesis;
  return {
    format: RECORD_FORMATS[genesis.version],
    genesis: encodeGenesis(genesis),
    blocks: blocks.map((block) => encodeBlock(group, block)),
    ...(genesis.version === 2 ? { seal: seal.map((a) => encodeAcceptance(group, a)) } : {}),
    dec_factors: decFactors.map((factor) => encodeDecryptionFactor(group, factor)),
    ...(hasThreshold(genesis)
      ? { compensated_factors: compensatedFactors.map((cf) => encodeCompensatedFactor(group, cf)) }
      : {}),
    // Copied field by field: an ElectionResult carrying more would make the record refuse itself.
    result: result && encodeResult(result),
  };
}
