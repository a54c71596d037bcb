// The protocol's test vectors: a small complete election record that `onion-election verify`
// accepts, and invalid variants with the reason each must be refused. Everything is derived from
// fixed labels (keys, nonces, timestamps), so `npx tsx scripts/protocol-vectors.ts` rewrites
// docs/test-vectors/record-v1.json and record-v1-invalid.json identically, and
// scripts/protocol-vectors.test.ts checks both that and the verdicts.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Block, blockHash, type Payload } from '../main/chain/block';
import { type Genesis, makeGenesis } from '../main/chain/genesis';
import {
  decryptTally,
  electionKey,
  encodeDecryptionFactor,
  encryptBallot,
  fixedRandomness,
  Group,
  TallierSecretKey,
  tallyBallots,
  type Vote,
} from '../main/crypto/index';
import { buildRecord, type ElectionRecord } from '../main/verify/record';
import { fixedChallenge, fixedScalar } from './crypto-vectors';

export const RECORD_PATH = fileURLToPath(new URL('../docs/test-vectors/record-v1.json', import.meta.url));
export const INVALID_PATH = fileURLToPath(
  new URL('../docs/test-vectors/record-v1-invalid.json', import.meta.url),
);

const group = Group.default();
const { q } = group;
const CREATED_AT = 1_764_000_000;

export const vectorGenesis: Genesis = makeGenesis({
  version: 1,
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
const id = vectorGenesis.id;

const secrets = ['A', 'B', 'C'].map((name) =>
  TallierSecretKey.fromSecret(group, fixedScalar(q, `protocol/tallier/${name}`)),
);
const [A, B, C] = secrets.map((s, i) =>
  s.provePossession(id, fixedRandomness([fixedScalar(q, `protocol/pk_pok/${i}`)])),
) as [
  ReturnType<TallierSecretKey['provePossession']>,
  ReturnType<TallierSecretKey['provePossession']>,
  ReturnType<TallierSecretKey['provePossession']>,
];
// Keys A, B, C, A: A twice; B and C once, B last at height 2 < C's 3, so the talliers are A and B.
const KEYS = [A, B, C, A];
const VOTES: Vote[] = [1, 0, 1, 1];
const h = electionKey(group, id, [A, B]);

function ballot(i: number, vote: Vote) {
  const [r, w, t] = ['r', 'w', 't'].map((n) => fixedScalar(q, `protocol/ballot/${i}/${n}`)) as [
    bigint,
    bigint,
    bigint,
  ];
  const c = fixedChallenge(`protocol/ballot/${i}/c`);
  return encryptBallot(group, id, h, vote, fixedRandomness([r, w, c, t]));
}

const keyPayload = (k: typeof A): Payload => ({ kind: 'tallier_key', key: k });
const ballotPayload = (i: number, vote: Vote): Payload => ({ kind: 'ballot', ballot: ballot(i, vote) });
const HONEST: Payload[] = [
  ...KEYS.map(keyPayload),
  ...VOTES.map((v, i) => ballotPayload(i, v)),
  { kind: 'confirmation' },
];

/** Mines payloads into a linear chain from the genesis, one minute apart: no rule is checked here. */
function mineChain(payloads: readonly Payload[]): Block[] {
  const blocks: Block[] = [];
  let prev = vectorGenesis.idHex;
  for (const [i, payload] of payloads.entries()) {
    let block: Block;
    for (let nonce = 0n; ; nonce++) {
      block = {
        height: i + 1,
        prev,
        timestamp: CREATED_AT + 60 * (i + 1),
        miner: `runner-${i % 3}`,
        payload,
        nonce,
      };
      if (BigInt(`0x${blockHash(group, block)}`) <= vectorGenesis.target) break;
    }
    blocks.push(block);
    prev = blockHash(group, block);
  }
  return blocks;
}

function record(blocks: Block[], factorsOf: 'talliers' | 'none' = 'talliers'): ElectionRecord {
  const ballots = blocks.flatMap((b) => (b.payload.kind === 'ballot' ? [b.payload.ballot] : []));
  const tally = tallyBallots(group, ballots);
  const factors =
    factorsOf === 'none'
      ? []
      : [secrets[0]!, secrets[1]!].map((s, i) =>
          s.decryptionFactor(id, tally, undefined, fixedRandomness([fixedScalar(q, `protocol/factor/${i}`)])),
        );
  const result = factors.length
    ? decryptTally(group, id, tally, ballots.length, [A.pk, B.pk], factors)
    : null;
  return buildRecord({ genesis: vectorGenesis, blocks, decFactors: factors, result });
}

export interface InvalidVector {
  name: string;
  /** The rule broken, in words. */
  rule: string;
  /** A fragment of the verifier's message: implementations word theirs as they like. */
  error: string;
  record: ElectionRecord;
}

export function buildProtocolVectors(): { valid: ElectionRecord; invalid: InvalidVector[] } {
  const honestBlocks = mineChain(HONEST);
  const valid = record(honestBlocks);
  const variant = (name: string, rule: string, error: string, r: ElectionRecord): InvalidVector => ({
    name,
    rule,
    error,
    record: r,
  });
  const clone = () => structuredClone(valid);

  const lie = clone();
  lie.result = { yes: 2, no: 2, total: 4 };
  const foreign = clone();
  const tally = tallyBallots(
    group,
    honestBlocks.flatMap((b) => (b.payload.kind === 'ballot' ? [b.payload.ballot] : [])),
  );
  const factorOfC = secrets[2]!.decryptionFactor(
    id,
    tally,
    undefined,
    fixedRandomness([fixedScalar(q, 'protocol/factor/C')]),
  );
  foreign.dec_factors[1] = encodeDecryptionFactor(group, factorOfC);
  const forged = clone();
  const response = forged.dec_factors[0]!.dec_factor_poc.response;
  forged.dec_factors[0]!.dec_factor_poc.response =
    response.slice(0, -1) + ((Number.parseInt(response.at(-1)!, 16) + 1) % 16).toString(16);
  const badWork = clone();
  const last = badWork.blocks.at(-1)!;
  for (let n = 0; ; n++) {
    last.nonce = n.toString(16).padStart(16, '0');
    const block = { ...honestBlocks.at(-1)!, nonce: BigInt(n) };
    if (BigInt(`0x${blockHash(group, block)}`) > vectorGenesis.target) break;
  }

  const replayed = [...HONEST];
  replayed[5] = replayed[4]!; // height 6 repeats height 5's ballot
  const wrongKind = [...HONEST];
  wrongKind[4] = keyPayload(C); // height 5 is a voting height
  const tooLong = [...HONEST, { kind: 'confirmation' } as const];
  const badBallot = [...HONEST];
  const b = ballot(1, 0);
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
        record(mineChain(replayed)),
      ),
      variant(
        'wrong-payload-kind',
        'a voting height carries a ballot (PROTOCOL §1, §4.7)',
        'must carry a ballot',
        record(mineChain(wrongKind), 'none'),
      ),
      variant(
        'beyond-final-height',
        'no block above the final height (PROTOCOL §1, §4.3)',
        'final height',
        record(mineChain(tooLong), 'none'),
      ),
      variant(
        'tampered-ballot',
        'a ballot proof must verify (CRYPTO §4)',
        'ballot.proof',
        record(mineChain(badBallot), 'none'),
      ),
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { valid, invalid } = buildProtocolVectors();
  writeFileSync(RECORD_PATH, `${JSON.stringify(valid, null, 2)}\n`);
  writeFileSync(INVALID_PATH, `${JSON.stringify(invalid, null, 2)}\n`);
  console.log(`wrote ${RECORD_PATH} and ${INVALID_PATH}`);
}
