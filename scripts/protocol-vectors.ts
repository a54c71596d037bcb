// The protocol's test vectors: small complete election records that `onion-election verify`
// accepts, and invalid variants with the reason each must be refused, for protocol version 1
// (docs/test-vectors/record-v1.json, record-v1-invalid.json) and version 2 (record-v2.json,
// record-v2-invalid.json: the talliers' seal of the final block, and factors naming it), and
// texts of record-v2.json that are not protocol JSON (record-v2-invalid-json.json).
// Everything is derived from fixed labels (keys, nonces, timestamps), so
// `npx tsx scripts/protocol-vectors.ts` rewrites all five files identically, and
// scripts/protocol-vectors.test.ts checks both that and the verdicts.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Block, blockHash, type Payload } from '../main/chain/block';
import { type Genesis, makeGenesis, type ProtocolVersion } from '../main/chain/genesis';
import { yesNoResult } from '../main/crypto/decryption';
import {
  type Acceptance,
  type Ballot,
  type Ciphertext,
  type DecryptionFactor,
  decryptTally,
  electionKey,
  encodeDecryptionFactor,
  encryptBallot,
  fixedRandomness,
  Group,
  type TallierPublicKey,
  TallierSecretKey,
  tallyBallots,
  type Vote,
} from '../main/crypto/index';
import { buildRecord, type ElectionRecord, RECORD_FORMATS } from '../main/verify/record';
import { fixedChallenge, fixedScalar } from './crypto-vectors';

const vectorPath = (name: string) => fileURLToPath(new URL(`../docs/test-vectors/${name}`, import.meta.url));
export const RECORD_PATH = vectorPath('record-v1.json');
export const INVALID_PATH = vectorPath('record-v1-invalid.json');
export const RECORD_V2_PATH = vectorPath('record-v2.json');
export const INVALID_V2_PATH = vectorPath('record-v2-invalid.json');
export const INVALID_JSON_PATH = vectorPath('record-v2-invalid-json.json');

const group = Group.default();
const { q } = group;
const CREATED_AT = 1_764_000_000;

/**
 * One version's election: the same parameters, keys A, B, C, A and votes 1, 0, 1, 1 in both. Every
 * label of version 1 starts `protocol/`, every label of version 2 `protocol/v2/` (so no nonce is
 * drawn twice, even by the same key in two elections).
 */
class VectorElection {
  readonly genesis: Genesis;
  readonly secrets: readonly [TallierSecretKey, TallierSecretKey, TallierSecretKey];
  readonly keys: readonly [TallierPublicKey, TallierPublicKey, TallierPublicKey];
  /** The election key of the talliers A and B. */
  readonly h: bigint;
  /** Heights 1…9: keys A, B, C, A; votes 1, 0, 1, 1; one confirmation. */
  readonly honest: readonly Payload[];

  constructor(version: ProtocolVersion) {
    this.prefix = version === 1 ? 'protocol' : 'protocol/v2';
    this.genesis = makeGenesis({
      version,
      title: 'Test vector election',
      question: 'Adopt the proposal?',
      group,
      nTalliers: 2,
      nTalliersBlocks: 4,
      nVoteBlocks: 4,
      confirmations: 1,
      target: (1n << 252n) - 1n, // one hash in 16 meets it
      createdAt: CREATED_AT,
    });
    const { id } = this.genesis;
    const secrets = ['A', 'B', 'C'].map((name) =>
      TallierSecretKey.fromSecret(group, this.scalar(`tallier/${name}`)),
    );
    this.secrets = secrets as [TallierSecretKey, TallierSecretKey, TallierSecretKey];
    this.keys = secrets.map((s, i) => s.provePossession(id, this.rng(`pk_pok/${i}`))) as [
      TallierPublicKey,
      TallierPublicKey,
      TallierPublicKey,
    ];
    const [A, B, C] = this.keys;
    this.h = electionKey(group, id, [A, B]);
    // Keys A, B, C, A: A twice; B and C once, B last at height 2 < C's 3, so the talliers are A and B.
    const votes: Vote[] = [1, 0, 1, 1];
    this.honest = [
      ...[A, B, C, A].map(keyPayload),
      ...votes.map((v, i): Payload => ({ kind: 'ballot', ballot: this.ballot(i, v) })),
      { kind: 'confirmation' },
    ];
  }

  private readonly prefix: string;

  scalar(label: string): bigint {
    return fixedScalar(q, `${this.prefix}/${label}`);
  }

  /** One fixed nonce, for an operation that draws one scalar. */
  rng(label: string) {
    return fixedRandomness([this.scalar(label)]);
  }

  ballot(i: number, vote: Vote): Ballot {
    const [r, w, t] = ['r', 'w', 't'].map((n) => this.scalar(`ballot/${i}/${n}`)) as [bigint, bigint, bigint];
    const c = fixedChallenge(`${this.prefix}/ballot/${i}/c`);
    return encryptBallot(group, this.genesis.id, this.h, vote, fixedRandomness([r, w, c, t]));
  }

  /**
   * Payloads breaking the two rules about 1: keys g^x and g^(q−x) (each with a valid pk_pok)
   * elected together at heights 1…4, so the election key is 1 and height 4 is invalid; and the
   * honest chain with height 6's ballot made with the nonce q − r of height 5's, so that the
   * tally's α becomes 1 at height 6.
   */
  degenerate(): { keyIdentity: Payload[]; tallyIdentity: Payload[] } {
    const { id } = this.genesis;
    const x = this.scalar('tallier/X');
    const [X, Y] = [x, q - x].map((s, i) =>
      TallierSecretKey.fromSecret(group, s).provePossession(id, this.rng(`pk_pok/inverse/${i}`)),
    ) as [TallierPublicKey, TallierPublicKey];
    const [w, t] = ['w', 't'].map((n) => this.scalar(`ballot/inverse/${n}`)) as [bigint, bigint];
    const c = fixedChallenge(`${this.prefix}/ballot/inverse/c`);
    const inverse = encryptBallot(
      group,
      id,
      this.h,
      0,
      fixedRandomness([q - this.scalar('ballot/0/r'), w, c, t]),
    );
    const tallyIdentity = [...this.honest];
    tallyIdentity[5] = { kind: 'ballot', ballot: inverse };
    return { keyIdentity: [X, Y, X, Y].map(keyPayload), tallyIdentity };
  }

  /** Finds the first nonce from 0 that meets the target. */
  mine(unmined: Omit<Block, 'nonce'>): Block {
    for (let nonce = 0n; ; nonce++) {
      const block = { ...unmined, nonce };
      if (BigInt(`0x${blockHash(group, block)}`) <= this.genesis.target) return block;
    }
  }

  /** Mines payloads into a linear chain from the genesis, one minute apart: no rule is checked here. */
  mineChain(payloads: readonly Payload[]): Block[] {
    const blocks: Block[] = [];
    let prev = this.genesis.idHex;
    for (const [i, payload] of payloads.entries()) {
      const block = this.mine({
        height: i + 1,
        prev,
        timestamp: CREATED_AT + 60 * (i + 1),
        miner: `runner-${i % 3}`,
        payload,
      });
      blocks.push(block);
      prev = blockHash(group, block);
    }
    return blocks;
  }
}

const keyPayload = (k: TallierPublicKey): Payload => ({ kind: 'tallier_key', key: k });

function ballotsOf(blocks: readonly Block[]): Ballot[] {
  return blocks.flatMap((b) => (b.payload.kind === 'ballot' ? [b.payload.ballot as Ballot] : []));
}

export interface InvalidVector {
  name: string;
  /** The rule broken, in words. */
  rule: string;
  /** A fragment of the verifier's message: implementations word theirs as they like. */
  error: string;
  record: ElectionRecord;
}

export const variant = (
  name: string,
  rule: string,
  error: string,
  record: ElectionRecord,
): InvalidVector => ({
  name,
  rule,
  error,
  record,
});

/** A fixed-width hex string with its last digit changed, still canonical in form. */
export function bumpLastDigit(hex: string): string {
  return hex.slice(0, -1) + ((Number.parseInt(hex.at(-1)!, 16) + 1) % 16).toString(16);
}

// ── Version 1 ────────────────────────────────────────────────────────────────────────────────

const V1 = new VectorElection(1);
export const vectorGenesis: Genesis = V1.genesis;

function recordV1(blocks: Block[], factorsOf: 'talliers' | 'none' = 'talliers'): ElectionRecord {
  const { genesis, secrets, keys } = V1;
  const ballots = ballotsOf(blocks);
  const tally = tallyBallots(group, ballots);
  const factors =
    factorsOf === 'none'
      ? []
      : [secrets[0], secrets[1]].map((s, i) =>
          s.decryptionFactor(genesis.id, [tally], undefined, V1.rng(`factor/${i}`)),
        );
  const result = factors.length
    ? yesNoResult(
        decryptTally(group, genesis.id, [tally], ballots.length, [keys[0].pk, keys[1].pk], factors),
        ballots.length,
      )
    : null;
  return buildRecord({ genesis, blocks, decFactors: factors, result });
}

export function buildProtocolVectors(): { valid: ElectionRecord; invalid: InvalidVector[] } {
  const { genesis, secrets, keys, honest } = V1;
  const { id } = genesis;
  const honestBlocks = V1.mineChain(honest);
  const valid = recordV1(honestBlocks);
  const clone = () => structuredClone(valid);

  const lie = clone();
  lie.result = { yes: 2, no: 2, total: 4 };
  const foreign = clone();
  const tally = tallyBallots(group, ballotsOf(honestBlocks));
  const factorOfC = secrets[2].decryptionFactor(id, [tally], undefined, V1.rng('factor/C'));
  foreign.dec_factors[1] = encodeDecryptionFactor(group, factorOfC);
  const forged = clone();
  forged.dec_factors[0]!.dec_factor_poc.response = bumpLastDigit(
    forged.dec_factors[0]!.dec_factor_poc.response,
  );
  const badWork = clone();
  const last = badWork.blocks.at(-1)!;
  for (let n = 0; ; n++) {
    last.nonce = n.toString(16).padStart(16, '0');
    const block = { ...honestBlocks.at(-1)!, nonce: BigInt(n) };
    if (BigInt(`0x${blockHash(group, block)}`) > genesis.target) break;
  }

  const replayed = [...honest];
  replayed[5] = replayed[4]!; // height 6 repeats height 5's ballot
  const wrongKind = [...honest];
  wrongKind[4] = keyPayload(keys[2]); // height 5 is a voting height
  const tooLong = [...honest, { kind: 'confirmation' } as const];
  const badBallot = [...honest];
  const b = V1.ballot(1, 0);
  badBallot[5] = { kind: 'ballot', ballot: { ...b, beta: group.mul(b.beta, group.g) } }; // now encrypts 1 with a proof for 0

  return {
    valid,
    invalid: [
      variant(
        'wrong-result',
        'the result must be the decryption of the tally (PROTOCOL §7)',
        'record.result',
        lie,
      ),
      variant(
        'factor-from-non-tallier',
        'only elected talliers decrypt (PROTOCOL §7)',
        'is not an elected tallier',
        foreign,
      ),
      variant(
        'forged-factor',
        'a factor must carry a valid dec_factor_poc (CRYPTO §5)',
        'dec_factor_poc',
        forged,
      ),
      variant(
        'proof-of-work',
        'the block hash must be ≤ target (PROTOCOL §3, §4.2)',
        'proof of work',
        badWork,
      ),
      variant(
        'ballot-replay',
        'no ballot may repeat an earlier α on its branch (PROTOCOL §4.8)',
        'replay',
        recordV1(V1.mineChain(replayed)),
      ),
      variant(
        'wrong-payload-kind',
        'a voting height carries a ballot (PROTOCOL §1, §4.7)',
        'must carry a ballot',
        recordV1(V1.mineChain(wrongKind), 'none'),
      ),
      variant(
        'beyond-final-height',
        'no block above the final height (PROTOCOL §1, §4.3)',
        'final height',
        recordV1(V1.mineChain(tooLong), 'none'),
      ),
      variant(
        'tampered-ballot',
        'a ballot proof must verify (CRYPTO §4)',
        'ballot.proof',
        recordV1(V1.mineChain(badBallot), 'none'),
      ),
      ...degenerateVariants(V1, (blocks) => recordV1(blocks, 'none')),
    ],
  };
}

/** The two rules about 1 (PROTOCOL §4.8, §5), for either version. */
function degenerateVariants(
  election: VectorElection,
  record: (blocks: Block[]) => ElectionRecord,
): InvalidVector[] {
  const { keyIdentity, tallyIdentity } = election.degenerate();
  return [
    variant(
      'election-key-identity',
      'the block at height T is invalid when the keys it elects multiply to 1 (PROTOCOL §4.8, §5; CRYPTO §3)',
      'record.blocks[3] (height 4): talliers: the elected keys multiply to 1',
      record(election.mineChain(keyIdentity)),
    ),
    variant(
      'tally-alpha-identity',
      'a ballot may not bring its branch’s tally α to 1: height 6’s nonce is q − r of height 5’s (PROTOCOL §4.8)',
      'record.blocks[5] (height 6): block.payload.ballot.alpha: brings the tally’s α to 1',
      record(election.mineChain(tallyIdentity)),
    ),
  ];
}

// ── Version 2 ────────────────────────────────────────────────────────────────────────────────

const V2 = new VectorElection(2);
export const vectorGenesisV2: Genesis = V2.genesis;
/** The miner label of the rival final block: the honest last block re-mined by someone else. */
export const RIVAL_MINER = 'late-runner';

/**
 * The version-2 election: the honest chain; its last block `final`; a rival final block (the same
 * height-9 confirmation re-mined with another miner label, so the same tally); and the talliers'
 * acceptances and factors of each. Nonce labels name the signer, the block ('final' or 'rival')
 * and the round.
 */
function electionV2() {
  const { genesis, secrets } = V2;
  const { id } = genesis;
  const blocks = V2.mineChain(V2.honest);
  const lastBlock = blocks.at(-1)!;
  const rivalBlock = V2.mine({
    height: lastBlock.height,
    prev: lastBlock.prev,
    timestamp: lastBlock.timestamp,
    miner: RIVAL_MINER,
    payload: lastBlock.payload,
  });
  const rivalBlocks = [...blocks.slice(0, -1), rivalBlock];
  const hashes = { final: blockHash(group, lastBlock), rival: blockHash(group, rivalBlock) };
  const ballots = ballotsOf(blocks);
  const tally: Ciphertext = tallyBallots(group, ballots);
  const names = ['A', 'B', 'C'] as const;
  const accept = (who: 0 | 1 | 2, block: keyof typeof hashes, round: number): Acceptance =>
    secrets[who].accept(id, hashes[block], round, V2.rng(`acceptance/${names[who]}/${block}/${round}`));
  const factor = (who: 0 | 1 | 2, block: keyof typeof hashes): DecryptionFactor =>
    secrets[who].decryptionFactor(id, [tally], hashes[block], V2.rng(`factor/${names[who]}/${block}`));
  const talliers = [V2.keys[0].pk, V2.keys[1].pk];
  const result = (factors: readonly DecryptionFactor[]) =>
    yesNoResult(decryptTally(group, id, [tally], ballots.length, talliers, factors), ballots.length);
  return { genesis, blocks, rivalBlocks, hashes, tally, accept, factor, result };
}

export function buildProtocolVectorsV2(): { valid: ElectionRecord; invalid: InvalidVector[] } {
  const { genesis, blocks, rivalBlocks, hashes, tally, accept, factor, result } = electionV2();
  const seal = [accept(0, 'final', 1), accept(1, 'final', 1)];
  const factors = [factor(0, 'final'), factor(1, 'final')];
  const record = (parts: {
    blocks?: readonly Block[];
    seal?: readonly Acceptance[];
    factors?: readonly DecryptionFactor[];
  }): ElectionRecord =>
    buildRecord({
      genesis,
      blocks: parts.blocks ?? blocks,
      seal: parts.seal ?? seal,
      decFactors: parts.factors ?? factors,
      result: result(factors),
    });
  const valid = record({});

  const forged = record({});
  const signature = forged.seal![1]!.signature;
  signature.response = bumpLastDigit(signature.response);

  // A version-1 factor of A for the same tally: its proof verifies under the version-1 tag.
  const v1Factor = V2.secrets[0].decryptionFactor(genesis.id, [tally], undefined, V2.rng('factor/A/v1'));

  // A record whose format says version 1 around this version-2 election (no `seal`: the v1 keys).
  const { seal: _seal, ...rest } = valid;
  const mislabelled: ElectionRecord = { ...rest, format: RECORD_FORMATS[1] };

  return {
    valid,
    invalid: [
      variant(
        'seal-missing-tallier',
        'a seal holds one acceptance by every elected tallier (PROTOCOL §6.3, §8 step 4)',
        'a seal needs every one',
        record({ seal: [seal[0]!] }),
      ),
      variant(
        'seal-from-non-tallier',
        'only elected talliers accept (PROTOCOL §6.2, §8 step 4)',
        'record.seal[1].pk: is not an elected tallier',
        record({ seal: [seal[0]!, accept(2, 'final', 1)] }),
      ),
      variant(
        'seal-duplicate-tallier',
        'one acceptance per tallier in a seal (PROTOCOL §8 step 4)',
        'has more than one acceptance',
        record({ seal: [seal[0]!, seal[0]!] }),
      ),
      variant(
        'seal-mixed-rounds',
        'a seal is every tallier’s acceptance in one round (PROTOCOL §6.3, §8 step 4)',
        'a seal is one round',
        record({ seal: [seal[0]!, accept(1, 'final', 2)] }),
      ),
      variant(
        'forged-acceptance',
        'an acceptance carries a valid signature by its tallier key (CRYPTO §3.1)',
        'record.seal[1].signature.response',
        forged,
      ),
      variant(
        'seal-of-replaced-chain',
        'the seal names the record’s last block: a chain replaced after the result cannot stand (PROTOCOL §6.3, §8)',
        'released after the result',
        record({ blocks: rivalBlocks }),
      ),
      variant(
        'factor-for-another-block',
        'a version-2 factor names the record’s last block (PROTOCOL §7, §8 step 5)',
        'record.dec_factors[1].final: names final block',
        record({ factors: [factors[0]!, factor(1, 'rival')] }),
      ),
      variant(
        'factor-without-final',
        'a version-2 factor names its final block: a version-1 factor is refused (CRYPTO §5, §6)',
        'record.dec_factors[0].final: is missing',
        record({ factors: [v1Factor, factors[1]!] }),
      ),
      variant(
        'factor-relabelled',
        'a factor’s dec_factor_poc binds the final block it was made for (CRYPTO §5)',
        'record.dec_factors[1].dec_factor_poc.challenge',
        record({
          blocks: rivalBlocks,
          seal: [accept(0, 'rival', 1), accept(1, 'rival', 1)],
          factors: [factor(0, 'rival'), { ...factors[1]!, final: hashes.rival }],
        }),
      ),
      variant(
        'factor-without-seal',
        'talliers decrypt only a sealed final block (PROTOCOL §7, §8 step 4)',
        'talliers decrypt only a sealed final block',
        record({ seal: [] }),
      ),
      variant(
        'genesis-version-mismatch',
        'the genesis’s version is the record format’s (PROTOCOL §8 step 1)',
        "record.genesis.version: is 2, but the record's format is version 1",
        mislabelled,
      ),
      ...degenerateVariants(V2, (blocks) => record({ blocks, seal: [], factors: [] })),
    ],
  };
}

// ── Protocol JSON ────────────────────────────────────────────────────────────────────────────

/** A record's text as the vector files (and a runner's export) write it. */
export const recordText = (record: ElectionRecord): string => `${JSON.stringify(record, null, 2)}\n`;

export interface InvalidJsonVector {
  name: string;
  rule: string;
  /** A fragment of the reader's message: where and why. */
  error: string;
  /** The whole record as JSON text: record-v2.json with one change. */
  text: string;
}

/**
 * record-v2.json's text with one change each that the protocol's JSON refuses (PROTOCOL.md,
 * "Protocol JSON"). JSON.parse reads the duplicate keys, the fraction and the exponent as the
 * valid record itself: a lenient reader would verify those.
 */
export function buildJsonVectors(valid: ElectionRecord): InvalidJsonVector[] {
  const text = recordText(valid);
  const changed = (name: string, rule: string, error: string, from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`${name}: ${from} is not in the record`);
    return { name, rule, error, text: text.replace(from, to) };
  };
  const createdAt = `"created_at": ${valid.genesis.created_at}`;
  return [
    changed(
      'duplicate-key',
      'an object names each member once, at any depth',
      'record.blocks[0].height: is a duplicate key',
      '"height": 1,',
      '"height": 1,\n      "height": 1,',
    ),
    changed(
      'duplicate-key-escaped',
      'an object names each member once, compared after unescaping',
      'record.genesis.title: is a duplicate key',
      '"title": ',
      `"t\\u0069tle": ${JSON.stringify(valid.genesis.title)},\n    "title": `,
    ),
    changed(
      'number-fraction',
      'every number is an integer in plain decimal: no fraction',
      'record.blocks[0].height: 1.0 is not an integer in plain decimal',
      '"height": 1,',
      '"height": 1.0,',
    ),
    changed(
      'number-exponent',
      'every number is an integer in plain decimal: no exponent',
      'record.genesis.created_at: 1.764e9 is not an integer in plain decimal',
      createdAt,
      '"created_at": 1.764e9',
    ),
    changed(
      'number-leading-zero',
      'every number is an integer in plain decimal: no leading zero (RFC 8259 refuses it too)',
      'record.genesis.n_talliers: 02 is not an integer in plain decimal',
      '"n_talliers": 2',
      '"n_talliers": 02',
    ),
    changed(
      'number-beyond-2^53',
      'every number is at most 2^53 − 1 in magnitude (what an IEEE double holds exactly)',
      'record.genesis.created_at: 9007199254740992 is beyond 2^53 − 1',
      createdAt,
      '"created_at": 9007199254740992',
    ),
    {
      name: 'byte-order-mark',
      rule: 'a byte-order mark is not JSON',
      error: 'byte-order mark',
      text: `\ufeff${text}`,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const write = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  const v1 = buildProtocolVectors();
  write(RECORD_PATH, v1.valid);
  write(INVALID_PATH, v1.invalid);
  const v2 = buildProtocolVectorsV2();
  write(RECORD_V2_PATH, v2.valid);
  write(INVALID_V2_PATH, v2.invalid);
  write(INVALID_JSON_PATH, buildJsonVectors(v2.valid));
  console.log(
    `wrote ${[RECORD_PATH, INVALID_PATH, RECORD_V2_PATH, INVALID_V2_PATH, INVALID_JSON_PATH].join(', ')}`,
  );
}
