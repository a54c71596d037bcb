// Test vectors of threshold talliers (PROTOCOL §2.2, §5.1; CRYPTO §11): a complete record in which
// five talliers are elected with a quorum of 3, E deals a wrong share to A and is excluded by A's
// complaint, D is absent at the end and A, B and C stand in for it (docs/test-vectors/
// record-threshold.json), and invalid variants with the reason each must be refused
// (record-threshold-invalid.json). Every key, nonce and timestamp comes from a fixed label, so
// `npx tsx scripts/threshold-vectors.ts` rewrites both files identically and
// scripts/threshold-vectors.test.ts checks that and the verdicts.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Block, blockHash, type Payload } from '../main/chain/block';
import type { CeremonyMessage } from '../main/chain/ceremony';
import { type Genesis, makeGenesis } from '../main/chain/genesis';
import { addToTally, EMPTY_TALLY, encryptBallot, type Vote } from '../main/crypto/ballot';
import { decryptWithQuorum, yesNoResult } from '../main/crypto/decryption';
import {
  electionKey,
  fixedRandomness,
  Group,
  type TallierPublicKey,
  TallierSecretKey,
} from '../main/crypto/index';
import { signDealing } from '../main/crypto/threshold';
import type { Ballot, Ciphertext, CompensatedFactor, Dealing, DecryptionFactor } from '../main/crypto/types';

import { buildRecord, type ElectionRecord } from '../main/verify/record';
import { fixedChallenge, fixedScalar } from './crypto-vectors';
import { type InvalidVector, variant } from './protocol-vectors';

const vectorPath = (name: string) => fileURLToPath(new URL(`../docs/test-vectors/${name}`, import.meta.url));
export const THRESHOLD_PATH = vectorPath('record-threshold.json');
export const THRESHOLD_INVALID_PATH = vectorPath('record-threshold-invalid.json');

const group = Group.default();
const { q } = group;
const CREATED_AT = 1_766_000_000;
const scalar = (label: string) => fixedScalar(q, `threshold/${label}`);
const rng = (...labels: string[]) => fixedRandomness(labels.map(scalar));
const QUORUM = 3;

/**
 * 5 talliers, any 3 decrypt; keys at 1–5, the ceremony at 6–9 (dealings at 6–7), ballots at
 * 10–12, the confirmation at 13.
 */
export const thresholdGenesis: Genesis = makeGenesis({
  title: 'Threshold test vector election',
  question: 'Adopt the proposal?',
  group,
  nTalliers: 5,
  nTalliersBlocks: 5,
  quorum: QUORUM,
  nCeremonyBlocks: 4,
  nVoteBlocks: 3,
  confirmations: 1,
  target: (1n << 252n) - 1n, // one hash in 16 meets it
  createdAt: CREATED_AT,
});
const { id } = thresholdGenesis;

const names = ['A', 'B', 'C', 'D', 'E'] as const;
const talliers = names.map((n) => TallierSecretKey.fromSecret(group, scalar(`tallier/${n}`)));
const keys = talliers.map((t, i) => t.provePossession(id, rng(`pk_pok/${i}`))) as TallierPublicKey[];
/** The key election: each key once, so the rank is the order of appearance (last height lower first). */
const elected = keys.map((k) => k.pk);
const [A, B, , , E] = talliers as [
  TallierSecretKey,
  TallierSecretKey,
  TallierSecretKey,
  TallierSecretKey,
  TallierSecretKey,
];

/** Tallier i's dealing: nonces a_1, a_2, r, w_x, w_r from its labels. */
const dealingOf = (i: number): Dealing =>
  talliers[i]!.deal(
    id,
    elected,
    QUORUM,
    rng(...['a1', 'a2', 'r', 'wx', 'wr'].map((n) => `deal/${names[i]}/${n}`)),
  );
const honestDealings = [0, 1, 2, 3].map(dealingOf);
/** E's dealing with A's share corrupted, signed as a cheating dealer would. */
const cheat: Dealing = (() => {
  const fair = dealingOf(4);
  const shares = fair.shares.map((e, k) => (k === 0 ? e ^ 1n : e)); // slot 0: A, E's first recipient
  return signDealing(
    group,
    id,
    { ...fair, shares },
    elected,
    E.exportSecret(),
    scalar('deal/E/r'),
    rng('deal/E/resign/wx', 'deal/E/resign/wr'),
  );
})();
const complaintByA = A.complain(id, cheat, rng('complain/A/E'));

const dealing = (d: Dealing): CeremonyMessage => ({ kind: 'dealing', dealing: d });
const ceremony = (...messages: CeremonyMessage[]): Payload => ({ kind: 'ceremony', messages });

/** The election key: the four qualified talliers' (E is excluded). */
const qualified = elected.slice(0, 4);
const h = electionKey(group, id, keys.slice(0, 4));

function ballot(vote: Vote, label: string, key = h): Payload {
  const [r, w, t, s] = ['r', 'w', 't', 's'].map((n) => scalar(`ballot/${label}/${n}`)) as [
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return {
    kind: 'ballot',
    ballot: encryptBallot(
      group,
      id,
      key,
      vote,
      fixedRandomness([r, w, fixedChallenge(`threshold/ballot/${label}/c`), t, s]),
    ),
  };
}

const honest: Payload[] = [
  ...keys.map((key): Payload => ({ kind: 'tallier_key', key })),
  ceremony(dealing(honestDealings[0]!), dealing(honestDealings[1]!), dealing(honestDealings[2]!)),
  ceremony(dealing(honestDealings[3]!), dealing(cheat)),
  ceremony({ kind: 'complaint', complaint: complaintByA }),
  ceremony(),
  ballot(1, '10'),
  ballot(0, '11'),
  ballot(1, '12'),
  { kind: 'confirmation' },
];

function mineChain(payloads: readonly Payload[]): Block[] {
  const blocks: Block[] = [];
  let prev = thresholdGenesis.idHex;
  for (const [i, payload] of payloads.entries()) {
    for (let nonce = 0n; ; nonce++) {
      const block = { height: i + 1, prev, timestamp: CREATED_AT + 60 * (i + 1), miner: '', payload, nonce };
      const hash = blockHash(group, block);
      if (BigInt(`0x${hash}`) <= thresholdGenesis.target) {
        blocks.push(block);
        prev = hash;
        break;
      }
    }
  }
  return blocks;
}

function tallyOf(blocks: readonly Block[]): { tally: Ciphertext; count: number } {
  let tally = EMPTY_TALLY;
  let count = 0;
  for (const b of blocks)
    if (b.payload.kind === 'ballot') {
      tally = addToTally(group, tally, b.payload.ballot as Ballot);
      count++;
    }
  return { tally, count };
}

interface Parts {
  readonly sealBy?: readonly number[];
  readonly factorsBy?: readonly number[];
  /** [helper, missing] pairs. */
  readonly standIns?: readonly (readonly [number, number])[];
  readonly edit?: (parts: { factors: DecryptionFactor[]; standIns: CompensatedFactor[] }) => void;
  readonly claimed?: { yes: number; no: number; total: number } | null;
}

/** A record of `blocks`: sealed by A, B, C in round 1; factors of A, B, C; stand-ins for D by A, B, C. */
function record(blocks: Block[], parts: Parts = {}): ElectionRecord {
  const final = blockHash(group, blocks.at(-1)!);
  const { tally, count } = tallyOf(blocks);
  const sealBy = parts.sealBy ?? [0, 1, 2];
  const seal = sealBy.map((i) => talliers[i]!.accept(id, final, 1, rng(`acceptance/${names[i]}`)));
  const factors = (parts.factorsBy ?? [0, 1, 2]).map((i) =>
    talliers[i]!.decryptionFactor(id, [tally], final, rng(`factor/${names[i]}`)),
  );
  const dealings = new Map([...honestDealings, cheat].map((d) => [d.dealer, d]));
  const standIns = (
    parts.standIns ?? [
      [0, 3],
      [1, 3],
      [2, 3],
    ]
  ).map(([helper, missing]) =>
    talliers[helper]!.compensatedFactor(
      id,
      dealings.get(elected[missing]!)!,
      elected,
      [tally],
      final,
      rng(`stand-in/${names[helper]}/${names[missing]}`),
    ),
  );
  parts.edit?.({ factors, standIns });
  let result: { yes: number; no: number; total: number } | null = null;
  try {
    const counts = decryptWithQuorum(
      group,
      id,
      [tally],
      count,
      {
        elected,
        qualified,
        quorum: QUORUM,
        dealings: new Map(qualified.map((pk) => [pk, dealings.get(pk)!])),
      },
      factors,
      standIns,
    );
    result = yesNoResult(counts, count);
  } catch {
    result = { yes: count, no: 0, total: count }; // an invalid variant: the verifier refuses it before
  }
  return buildRecord({
    genesis: thresholdGenesis,
    blocks,
    seal,
    decFactors: factors,
    compensatedFactors: standIns,
    result: parts.claimed === undefined ? result : parts.claimed,
  });
}

export function buildThresholdVectors(): { valid: ElectionRecord; invalid: InvalidVector[] } {
  const chain = mineChain(honest);
  const valid = record(chain);
  const at = (height: number, payload: Payload, parts: Parts = {}) => {
    const changed = [...honest];
    changed[height - 1] = payload;
    return record(mineChain(changed), parts);
  };
  const forged = {
    ...honestDealings[3]!,
    commitments: [group.mul(honestDealings[3]!.commitments[0]!, group.g), honestDealings[3]!.commitments[1]!],
  };
  return {
    valid,
    invalid: [
      variant(
        'forged-dealing',
        'a dealing’s proof binds its commitments (CRYPTO §11)',
        'record.blocks[6] (height 7): block.payload.messages[0].dealing.proof.challenge',
        at(7, ceremony(dealing(forged), dealing(cheat))),
      ),
      variant(
        'dealing-after-the-window',
        'dealings go into the first half of the ceremony (PROTOCOL §5.1)',
        'record.blocks[7] (height 8): block.payload.messages[1].dealing: dealings go into heights up to 7',
        (() => {
          const changed = [...honest];
          changed[6] = ceremony(dealing(cheat));
          changed[7] = ceremony({ kind: 'complaint', complaint: complaintByA }, dealing(honestDealings[3]!));
          return record(mineChain(changed));
        })(),
      ),
      variant(
        'complaint-proving-nothing',
        'a complaint must prove its share wrong (CRYPTO §11)',
        'record.blocks[7] (height 8): block.payload.messages[0].complaint: proves nothing',
        at(
          8,
          ceremony({ kind: 'complaint', complaint: B.complain(id, honestDealings[0]!, rng('complain/B/A')) }),
        ),
      ),
      variant(
        'complaint-before-the-dealing',
        'a complaint names a dealing in an earlier block (PROTOCOL §5.1)',
        'record.blocks[5] (height 6): block.payload.messages[0].complaint.dealer: has no dealing in an earlier block',
        at(6, ceremony({ kind: 'complaint', complaint: complaintByA }, dealing(honestDealings[0]!))),
      ),
      variant(
        'ballot-under-the-elected-key',
        'ballots are encrypted under the qualified talliers’ key, fixed at the ceremony’s end (PROTOCOL §5.1)',
        'record.blocks[9] (height 10): block.payload.ballot',
        at(10, ballot(1, '10-all', electionKey(group, id, keys))),
      ),
      variant(
        'forged-stand-in',
        'a stand-in factor’s proof holds against the missing tallier’s commitments (CRYPTO §11)',
        'record.compensated_factors[1].proof.challenge',
        record(chain, {
          edit: ({ standIns }) => {
            standIns[1] = { ...standIns[1]!, factors: [group.mul(standIns[1]!.factors[0]!, group.g)] };
          },
        }),
      ),
      variant(
        'stand-in-from-an-excluded-tallier',
        'only qualified talliers stand in (PROTOCOL §7)',
        'record.compensated_factors[2].pk: is not a qualified tallier',
        record(chain, {
          standIns: [
            [0, 3],
            [1, 3],
            [4, 3],
          ],
        }),
      ),
      variant(
        'factor-from-an-excluded-tallier',
        'only qualified talliers decrypt (PROTOCOL §7)',
        'record.dec_factors[3].pk: is not a qualified tallier',
        record(chain, { factorsBy: [0, 1, 2, 4] }),
      ),
      variant(
        'stand-in-beside-the-own-factor',
        'a record carries stand-ins only for talliers whose own factor is missing (PROTOCOL §8)',
        'record.compensated_factors[3].missing: published its own factor',
        record(chain, {
          standIns: [
            [0, 3],
            [1, 3],
            [2, 3],
            [0, 1],
          ],
        }),
      ),
      variant(
        'seal-below-the-quorum',
        'a seal needs a majority of the qualified talliers, and at least the quorum (PROTOCOL §6)',
        'record.seal: holds 2 acceptances: a seal needs 3 of the 4 talliers',
        record(chain, { sealBy: [0, 1] }),
      ),
      variant(
        'result-from-too-few-stand-ins',
        'a missing tallier needs the quorum’s stand-ins: with two of three the result cannot be claimed (PROTOCOL §7)',
        'record.result: must be null',
        record(chain, {
          standIns: [
            [0, 3],
            [1, 3],
          ],
          claimed: { yes: 2, no: 1, total: 3 },
        }),
      ),
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const write = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  const built = buildThresholdVectors();
  write(THRESHOLD_PATH, built.valid);
  write(THRESHOLD_INVALID_PATH, built.invalid);
  console.log(`wrote ${THRESHOLD_PATH}, ${THRESHOLD_INVALID_PATH}`);
}
