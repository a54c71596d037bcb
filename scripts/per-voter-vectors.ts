// Test vectors of the per-voter ballot rule (protocol version 2, PROTOCOL §7.1): a complete record
// with a revote and an abstention (docs/test-vectors/record-per-voter.json), and invalid variants
// with the reason each must be refused (record-per-voter-invalid.json). Every key, nonce and
// timestamp comes from a fixed label, so `npx tsx scripts/per-voter-vectors.ts` rewrites both files
// identically and scripts/per-voter-vectors.test.ts checks that and the verdicts.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Block, blockHash, type Payload } from '../main/chain/block';
import { type Genesis, makeGenesis } from '../main/chain/genesis';
import { addToTally, EMPTY_TALLY, type Vote } from '../main/crypto/ballot';
import { CredentialSecretKey } from '../main/crypto/credential';
import { yesNoResult } from '../main/crypto/decryption';
import {
  type CastBallot,
  type Ciphertext,
  decryptTally,
  electionKey,
  fixedRandomness,
  Group,
  type TallierPublicKey,
  TallierSecretKey,
} from '../main/crypto/index';
import type { Ballot } from '../main/crypto/types';
import { buildRecord, type ElectionRecord } from '../main/verify/record';
import { fixedChallenge, fixedScalar } from './crypto-vectors';
import { type InvalidVector, variant } from './protocol-vectors';

const vectorPath = (name: string) => fileURLToPath(new URL(`../docs/test-vectors/${name}`, import.meta.url));
export const PER_VOTER_PATH = vectorPath('record-per-voter.json');
export const PER_VOTER_INVALID_PATH = vectorPath('record-per-voter-invalid.json');

const group = Group.default();
const { q } = group;
const CREATED_AT = 1_765_000_000;
const scalar = (label: string) => fixedScalar(q, `per-voter/${label}`);
const rng = (...labels: string[]) => fixedRandomness(labels.map(scalar));

/** Voters V0…V3 on the roster, and V4, who is not. */
const credentials = [0, 1, 2, 3, 4].map((i) => CredentialSecretKey.fromSecret(group, scalar(`voter/${i}`)));
const [V0, V1, V2, V3, OUTSIDER] = credentials as [
  CredentialSecretKey,
  CredentialSecretKey,
  CredentialSecretKey,
  CredentialSecretKey,
  CredentialSecretKey,
];

export const perVoterGenesis: Genesis = makeGenesis({
  title: 'Per-voter test vector election',
  question: 'Adopt the proposal?',
  group,
  ballotRule: 'per-voter',
  roster: [V0, V1, V2, V3].map((v) => v.publicKey),
  nTalliers: 2,
  nTalliersBlocks: 3,
  nVoteBlocks: 3,
  confirmations: 1,
  target: (1n << 252n) - 1n, // one hash in 16 meets it
  createdAt: CREATED_AT,
});
const { id } = perVoterGenesis;

const talliers = ['A', 'B'].map((n) => TallierSecretKey.fromSecret(group, scalar(`tallier/${n}`))) as [
  TallierSecretKey,
  TallierSecretKey,
];
const keys = talliers.map((t, i) => t.provePossession(id, rng(`pk_pok/${i}`))) as [
  TallierPublicKey,
  TallierPublicKey,
];
const h = electionKey(group, id, keys);

/** A key endorsed by a voter: nonce labels name both. */
const endorsed = (key: TallierPublicKey, k: number, voter: CredentialSecretKey, v: string): Payload => ({
  kind: 'tallier_key',
  key,
  endorsement: voter.endorse(id, key, rng(`endorse/${k}/${v}`)),
});

/** Voter `v`'s cast number `seq` for `vote`: nonces r, w, c, t of the ballot, then the signature's. */
function cast(voter: CredentialSecretKey, v: string, vote: Vote, seq: number, tag = ''): CastBallot {
  const label = `cast/${v}/${seq}${tag}`;
  const [r, w, t, s] = ['r', 'w', 't', 's'].map((n) => scalar(`${label}/${n}`)) as [
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return voter.cast(id, h, vote, seq, fixedRandomness([r, w, fixedChallenge(`per-voter/${label}/c`), t, s]));
}

const ballots = (casts: CastBallot[]): Payload => ({ kind: 'ballots', ballots: casts });

/**
 * Heights 1–3: keys A (V0), B (V1), A (V0). Height 4: V0 yes, V1 no, V2 yes. Height 5: V0 revotes
 * no. Height 6: empty (V3 abstains). Height 7: the confirmation. Result: 1 yes, 2 no, 3 of 4 voted.
 */
const honest: Payload[] = [
  endorsed(keys[0], 0, V0, 'V0'),
  endorsed(keys[1], 1, V1, 'V1'),
  endorsed(keys[0], 2, V0, 'V0'),
  ballots([cast(V0, 'V0', 1, 1), cast(V1, 'V1', 0, 1), cast(V2, 'V2', 1, 1)]),
  ballots([cast(V0, 'V0', 0, 2)]),
  ballots([]),
  { kind: 'confirmation' },
];

function mineChain(payloads: readonly Payload[]): Block[] {
  const blocks: Block[] = [];
  let prev = perVoterGenesis.idHex;
  for (const [i, payload] of payloads.entries()) {
    for (let nonce = 0n; ; nonce++) {
      const block = { height: i + 1, prev, timestamp: CREATED_AT + 60 * (i + 1), miner: '', payload, nonce };
      const hash = blockHash(group, block);
      if (BigInt(`0x${hash}`) <= perVoterGenesis.target) {
        blocks.push(block);
        prev = hash;
        break;
      }
    }
  }
  return blocks;
}

/** The counted tally of a chain: each voter's last ballot (the rule under test, computed plainly). */
function countedTally(blocks: readonly Block[]): { tally: Ciphertext; voters: number } {
  const last = new Map<bigint, Ciphertext>();
  for (const b of blocks)
    if (b.payload.kind === 'ballots')
      for (const c of b.payload.ballots) last.set(c.credential, c.ballot as Ballot);
  let tally = EMPTY_TALLY;
  for (const ballot of last.values()) tally = addToTally(group, tally, ballot);
  return { tally, voters: last.size };
}

/** A sealed, decrypted record of `blocks` (which need not be valid: the verifier decides). */
function record(blocks: Block[], claimed?: { yes: number; no: number; total: number }): ElectionRecord {
  const final = blockHash(group, blocks.at(-1)!);
  const { tally, voters } = countedTally(blocks);
  const seal = talliers.map((t, i) => t.accept(id, final, 1, rng(`acceptance/${i}`)));
  const factors = talliers.map((t, i) => t.decryptionFactor(id, [tally], final, rng(`factor/${i}`)));
  const counts = decryptTally(
    group,
    id,
    [tally],
    voters,
    keys.map((k) => k.pk),
    factors,
  );
  const result = yesNoResult(counts, voters);
  return buildRecord({
    genesis: perVoterGenesis,
    blocks,
    seal,
    decFactors: factors,
    result: claimed ?? result,
  });
}

export function buildPerVoterVectors(): { valid: ElectionRecord; invalid: InvalidVector[] } {
  const valid = record(mineChain(honest));
  const at = (height: number, payload: Payload) => {
    const changed = [...honest];
    changed[height - 1] = payload;
    return record(mineChain(changed));
  };
  const first = honest[3] as Extract<Payload, { kind: 'ballots' }>;
  const [c0, c1] = first.ballots as [CastBallot, CastBallot, CastBallot];
  const forged = { ...c1, signature: { ...c1.signature, response: (c1.signature.response + 1n) % q } };
  return {
    valid,
    invalid: [
      variant(
        'unregistered-credential',
        'a cast ballot’s credential is on the roster (PROTOCOL §7.1)',
        "record.blocks[5] (height 6): block.payload.ballots[0].credential: is not on the election's roster",
        at(6, ballots([cast(OUTSIDER, 'V4', 1, 1)])),
      ),
      variant(
        'forged-signature',
        'a cast ballot carries its credential’s signature (CRYPTO §9)',
        'record.blocks[3] (height 4): block.payload.ballots[1].signature.response',
        at(4, ballots([c0, forged, first.ballots[2]!])),
      ),
      variant(
        'revote-counted-twice',
        'each voter’s last ballot counts, once: the result counts the revote and the ballot it replaced (PROTOCOL §7.1)',
        'record.result',
        record(mineChain(honest), { yes: 2, no: 2, total: 4 }),
      ),
      variant(
        'replaced-ballot-replayed',
        'a ballot replaced by a revote cannot be cast again: its α is on the chain (PROTOCOL §4.8)',
        'record.blocks[5] (height 6): block.payload.ballots[0].ballot.alpha: ballot replay',
        at(6, ballots([c0])),
      ),
      variant(
        'stale-sequence-number',
        'a voter’s sequence numbers rise along the chain (PROTOCOL §7.1)',
        'record.blocks[5] (height 6): block.payload.ballots[0].seq: 1 does not follow',
        at(6, ballots([cast(V0, 'V0', 1, 1, '/stale')])),
      ),
      variant(
        'copied-ballot',
        'a ballot’s proof is bound to its credential: another voter cannot cast it (CRYPTO §9)',
        'record.blocks[3] (height 4): block.payload.ballots[1].ballot.proof',
        at(4, ballots([c0, V3.sign(id, 1, c1.ballot, rng('copy/V3')), first.ballots[2]!])),
      ),
      variant(
        'two-casts-in-one-block',
        'a block carries at most one ballot per voter (PROTOCOL §7.1)',
        'casts twice in one block',
        at(6, ballots([cast(V3, 'V3', 1, 1), cast(V3, 'V3', 0, 2)])),
      ),
      variant(
        'tallier-key-not-endorsed-by-roster',
        'a tallier key is endorsed by a roster member (PROTOCOL §7.1)',
        "record.blocks[1] (height 2): block.payload.credential: is not on the election's roster",
        at(2, endorsed(keys[1], 1, OUTSIDER, 'V4')),
      ),
      variant(
        'tallier-key-without-endorsement',
        'a per-voter tallier key carries its endorsement (PROTOCOL §7.1)',
        'must be endorsed by a roster member',
        at(2, { kind: 'tallier_key', key: keys[1] }),
      ),
      variant(
        'second-key-of-one-voter',
        'a voter stands with one tallier key (PROTOCOL §7.1)',
        'one key per voter',
        at(2, endorsed(keys[1], 1, V0, 'V0')),
      ),
      variant(
        'per-block-ballot',
        'a per-voter voting block carries cast ballots, not a miner’s ballot (PROTOCOL §7.1)',
        'must carry a ballots, not a ballot',
        at(6, { kind: 'ballot', ballot: c0.ballot }),
      ),
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const write = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  const built = buildPerVoterVectors();
  write(PER_VOTER_PATH, built.valid);
  write(PER_VOTER_INVALID_PATH, built.invalid);
  console.log(`wrote ${PER_VOTER_PATH}, ${PER_VOTER_INVALID_PATH}`);
}
