import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptBallot } from '../crypto/ballot';
import { fixedRandomness } from '../crypto/random';
import { recipientsOf, signDealing } from '../crypto/threshold';
import type { Dealing } from '../crypto/types';
import { encodeBlock, type Payload, parseBlock } from './block';
import type { CeremonyMessage } from './ceremony';
import { type BlockMeta, Chain } from './chain';
import { encodeGenesis, type Genesis, parseGenesis } from './genesis';
import { electionKeyHeight, lastDealingHeight, phaseOf } from './phases';
import { FactorBook } from './results';
import { confirmation, extend, keyPayload, makeBlock, Talliers, testGenesis } from './testing';

/** 3 seats, any 2 decrypt; keys at 1–3, ceremony at 4–7 (dealings at 4–5), votes 8–10, final 11. */
function thresholdGenesis(overrides: Partial<Genesis> = {}): Genesis {
  return testGenesis({ nTalliers: 3, quorum: 2, nCeremonyBlocks: 4, nVoteBlocks: 3, ...overrides });
}

/** Empty ceremony blocks on `tip` up to the ceremony's last height (the election key's). */
function finish(chain: Chain, tip: BlockMeta): BlockMeta {
  let head = tip;
  while (head.height < electionKeyHeight(chain.genesis)) head = extend(chain, head, ceremony());
  return head;
}

const ceremony = (...messages: CeremonyMessage[]): Payload => ({ kind: 'ceremony', messages });
const dealingOf = (dealing: Dealing): CeremonyMessage => ({ kind: 'dealing', dealing });

/** A chain through the key election (height 3): tallier i's key in block i. */
function elected(genesis = thresholdGenesis()) {
  const chain = new Chain(genesis);
  const talliers = new Talliers(genesis, 3);
  let tip: BlockMeta = chain.genesisMeta;
  for (const key of talliers.keys) tip = extend(chain, tip, keyPayload(key));
  const pks = chain.candidatesOf(tip).talliers.map((k) => k.pk);
  const secretOf = (pk: bigint) => talliers.secrets[talliers.keys.findIndex((k) => k.pk === pk)]!;
  return { chain, genesis, tip, pks, secretOf };
}

function refused(chain: Chain, parent: BlockMeta, payload: Payload, reason: RegExp): void {
  const result = chain.add(makeBlock(chain, parent, payload));
  assert.equal(result.status, 'invalid', `${result.status}: ${'reason' in result ? result.reason : ''}`);
  assert.match((result as { reason: string }).reason, reason);
}

describe('threshold talliers: the genesis', () => {
  test('quorum and n_ceremony_blocks are encoded, hashed and parsed back; a plain genesis is unchanged', () => {
    const g = thresholdGenesis();
    const json = encodeGenesis(g);
    assert.equal(json.quorum, 2);
    assert.equal(json.n_ceremony_blocks, 4);
    const back = parseGenesis(JSON.parse(JSON.stringify(json)));
    assert.equal(back.idHex, g.idHex);
    assert.notEqual(testGenesis({ nTalliers: 3, nVoteBlocks: 3 }).idHex, g.idHex);
    assert.notEqual(thresholdGenesis({ quorum: 3 }).idHex, g.idHex);
    assert.equal('quorum' in encodeGenesis(testGenesis()), false);
  });

  test('impossible parameters are refused with the reason', () => {
    const bad = (o: Partial<Genesis>, reason: RegExp) => assert.throws(() => thresholdGenesis(o), reason);
    bad({ quorum: 4 }, /genesis.quorum: must be a whole number in \[1, 3\]/);
    bad({ quorum: 0 }, /genesis.quorum/);
    bad({ nCeremonyBlocks: 3 }, /genesis.n_ceremony_blocks: must be a whole number in \[4, 1000\]/);
    assert.throws(() => testGenesis({ nTalliers: 3, quorum: 2 }), /go together/);
    bad({ version: 1 }, /version 2/);
    bad(
      { nTalliers: 17, quorum: 9, nCeremonyBlocks: 20 },
      /genesis.n_talliers: must be a whole number in \[1, 16\]/,
    );
    bad(
      { nTalliers: 7, quorum: 4, nCeremonyBlocks: 4 },
      /too few: dealings go into the first 2 ceremony blocks, 3 a block/,
    );
    // Three dealing blocks carry seven dealings.
    assert.doesNotThrow(() => thresholdGenesis({ nTalliers: 7, quorum: 4, nCeremonyBlocks: 5 }));
    const json = { ...encodeGenesis(thresholdGenesis()) } as Record<string, unknown>;
    delete json.n_ceremony_blocks;
    assert.throws(() => parseGenesis(json), /genesis.n_ceremony_blocks: is missing/);
  });

  test('the phases: key, ceremony (dealings in its first half), vote, confirm', () => {
    const g = thresholdGenesis({ nCeremonyBlocks: 5 });
    assert.deepEqual(
      [1, 3, 4, 6, 8, 9, 11, 12].map((h) => phaseOf(g, h)),
      ['key', 'key', 'ceremony', 'ceremony', 'ceremony', 'vote', 'vote', 'confirm'],
    );
    assert.equal(lastDealingHeight(g), 6);
    assert.equal(electionKeyHeight(g), 8);
  });
});

describe('threshold talliers: the key ceremony on the chain', () => {
  test('three dealings, then a quiet block: every tallier qualifies; 2 of 3 decrypt the result', () => {
    const { chain, genesis, tip, pks, secretOf } = elected();
    const dealings = pks.map((pk) => secretOf(pk).deal(genesis.id, pks, 2));
    const b4 = extend(chain, tip, ceremony(...dealings.map(dealingOf)));
    // The block round-trips through JSON (the body hash covers every field).
    const wire = JSON.parse(JSON.stringify(encodeBlock(genesis.group, b4.block!)));
    assert.deepEqual(parseBlock(genesis.group, wire), b4.block);
    const b5 = finish(chain, b4);
    const branch = chain.electionOf(b5);
    assert.deepEqual(branch.qualified, pks);
    assert.equal(branch.quorum, 2);
    assert.equal(
      branch.key,
      pks.reduce((h, pk) => genesis.group.mul(h, pk), 1n),
    );
    // Voting under that key, then the result from two talliers and stand-ins for the third.
    let head = b5;
    for (const vote of [1, 1, 0] as const)
      head = extend(chain, head, {
        kind: 'ballot',
        ballot: encryptBallot(genesis.group, genesis.id, branch.key, vote),
      });
    const final = extend(chain, head, confirmation);
    const tally = chain.finalTally(final)!;
    assert.ok(tally.quorum, 'the final tally carries its backups');
    const book = new FactorBook(genesis.group, genesis.id);
    const [a, b, gone] = pks as [bigint, bigint, bigint];
    book.add(tally, secretOf(a).decryptionFactor(genesis.id, tally.tallies, final.hash));
    book.add(tally, secretOf(b).decryptionFactor(genesis.id, tally.tallies, final.hash));
    assert.deepEqual(book.state(tally).awaiting, [gone]);
    const standIn = (helper: bigint) =>
      secretOf(helper).compensatedFactor(genesis.id, dealings[2]!, pks, tally.tallies, final.hash);
    book.addCompensated(tally, standIn(a));
    assert.deepEqual(book.state(tally).awaiting, [gone], 'one stand-in is not a quorum of 2');
    book.addCompensated(tally, standIn(b));
    const state = book.state(tally);
    assert.deepEqual(state.awaiting, []);
    assert.deepEqual(state.result, { yes: 2, no: 1, total: 3 });
    // A stand-in for another final block, or for this one from a non-tallier, is refused.
    assert.throws(() => book.addCompensated({ ...tally, final: 'e'.repeat(64) }, standIn(a)), /final/);
  });

  test('a wrong share: its recipient complains in the second half, the dealer is excluded from the key', () => {
    const { chain, genesis, tip, pks, secretOf } = elected();
    const [a, b, c] = pks as [bigint, bigint, bigint];
    const honest = [a, b].map((pk) => secretOf(pk).deal(genesis.id, pks, 2));
    // c deals a wrong share to a and signs it as a cheating dealer would: with a known ephemeral r
    // (deal draws a_1, r, then the proof's two nonces), a's ciphertext corrupted, the body re-signed.
    const r = 77n;
    const fair = secretOf(c).deal(genesis.id, pks, 2, fixedRandomness([5n, r, 9n, 10n]));
    const recipients = recipientsOf(pks, c);
    const corrupted = fair.shares.map((e, k) => (recipients[k] === a ? e ^ 2n : e));
    const bad = signDealing(
      genesis.group,
      genesis.id,
      { ...fair, shares: corrupted },
      pks,
      secretOf(c).exportSecret(),
      r,
    );
    const b4 = extend(chain, tip, ceremony(...honest.map(dealingOf), dealingOf(bad)));
    assert.equal(secretOf(a).openShare(genesis.id, bad, pks).ok, false);
    // The complaint must come after the dealing's block: in the same block it has nothing to prove.
    const complaint = secretOf(a).complain(genesis.id, bad);
    const b5 = finish(chain, extend(chain, b4, ceremony({ kind: 'complaint', complaint })));
    const branch = chain.electionOf(b5);
    assert.deepEqual(branch.qualified, [a, b]);
    assert.deepEqual([...branch.ceremony!.convicted], [c]);
    assert.equal(branch.key, genesis.group.mul(a, b));
    // Both qualified talliers decrypt: one is missing → the other alone is not a quorum of 2.
    assert.equal(branch.quorum, 2);
  });

  test('hostile ceremony blocks are refused with the rule they break', () => {
    const { chain, genesis, tip, pks, secretOf } = elected();
    const [a, b, c] = pks as [bigint, bigint, bigint];
    const outsider = new Talliers(genesis, 1).secrets[0]!;
    const da = secretOf(a).deal(genesis.id, pks, 2);
    refused(
      chain,
      tip,
      ceremony(dealingOf(outsider.deal(genesis.id, [...pks, outsider.publicKey], 2))),
      /not an elected tallier/,
    );
    refused(chain, tip, ceremony(dealingOf(da), dealingOf(da)), /has dealt already/);
    refused(chain, tip, ceremony(dealingOf(secretOf(a).deal(genesis.id, pks, 3))), /must hold 1 commitment/);
    refused(chain, tip, ceremony(dealingOf(secretOf(a).deal(genesis.id, [b, a, c], 2))), /challenge/);
    refused(chain, tip, ceremony(dealingOf({ ...da, dealer: b })), /challenge/);
    refused(
      chain,
      tip,
      { kind: 'ballot', ballot: encryptBallot(genesis.group, genesis.id, a, 1) },
      /ceremony phase and must carry a ceremony/,
    );
    const b4 = extend(chain, extend(chain, tip, ceremony(dealingOf(da))), ceremony());
    // Height 6 is past the dealing window (4–5).
    refused(
      chain,
      b4,
      ceremony(dealingOf(secretOf(b).deal(genesis.id, pks, 2))),
      /dealings go into heights up to 5/,
    );
    // A complaint that proves nothing, one against a tallier who has not dealt, one from an outsider.
    refused(
      chain,
      b4,
      ceremony({ kind: 'complaint', complaint: secretOf(b).complain(genesis.id, da) }),
      /proves nothing/,
    );
    const db = secretOf(b).deal(genesis.id, pks, 2);
    refused(
      chain,
      b4,
      ceremony({ kind: 'complaint', complaint: secretOf(a).complain(genesis.id, db) }),
      /no dealing in an earlier block/,
    );
    refused(
      chain,
      b4,
      ceremony({ kind: 'complaint', complaint: outsider.complain(genesis.id, da) }),
      /not an elected tallier/,
    );
    // Nothing above changed the branch: the ceremony ends with a alone standing, fewer than the
    // quorum of 2, so the key is every elected tallier's and everyone is needed (a alone must never
    // hold the whole key).
    const b5 = finish(chain, b4);
    assert.deepEqual(chain.electionOf(b5).ceremony!.standing, [a]);
    assert.deepEqual(chain.electionOf(b5).qualified, pks);
    assert.equal(chain.electionOf(b5).quorum, 3);
  });

  test('nobody deals: every elected tallier is needed, as without a ceremony', () => {
    const { chain, tip, pks } = elected();
    const b5 = finish(chain, tip);
    const branch = chain.electionOf(b5);
    assert.deepEqual(branch.qualified, pks);
    assert.equal(branch.quorum, 3);
  });
});
