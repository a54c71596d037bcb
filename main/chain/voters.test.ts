// The per-voter rule on the chain: roster, endorsed keys, cast ballots, revotes and the tally.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptBallot } from '../crypto/ballot';
import { CredentialSecretKey, voterContext } from '../crypto/credential';
import { decryptTally, yesNoResult } from '../crypto/decryption';
import { Group } from '../crypto/group';
import { TallierSecretKey } from '../crypto/tallier';
import type { CastBallot, TallierPublicKey } from '../crypto/types';
import { encodeBlock, type Payload, parseBlock } from './block';
import { type AddResult, type BlockMeta, Chain } from './chain';
import { encodeGenesis, parseGenesis } from './genesis';
import { MAX_BALLOTS_PER_BLOCK } from './limits';
import { confirmation, extend, makeBlock, testGenesis } from './testing';
import { VoterIndex } from './voters';

const group = Group.default();
const voters = Array.from({ length: 4 }, () => CredentialSecretKey.generate(group));
const outsider = CredentialSecretKey.generate(group);
const genesis = testGenesis({
  ballotRule: 'per-voter',
  roster: voters.map((v) => v.publicKey),
  nTalliersBlocks: 3,
  nVoteBlocks: 4,
});
const talliers = [TallierSecretKey.generate(group), TallierSecretKey.generate(group)];
const keys = talliers.map((t) => t.provePossession(genesis.id)) as [TallierPublicKey, TallierPublicKey];

function status(result: AddResult): string {
  return 'reason' in result ? `${result.status}: ${result.reason}` : result.status;
}

const endorsedKey = (key: TallierPublicKey, voter: CredentialSecretKey): Payload => ({
  kind: 'tallier_key',
  key,
  endorsement: voter.endorse(genesis.id, key),
});

/** Phase 1: voter 0 stands with key 0, voter 1 with key 1 (keys 0, 1, 0). */
function keyPhase(chain: Chain): BlockMeta {
  let tip = chain.genesisMeta;
  for (const [key, voter] of [
    [keys[0], voters[0]!],
    [keys[1], voters[1]!],
    [keys[0], voters[0]!],
  ] as const)
    tip = extend(chain, tip, endorsedKey(key, voter));
  return tip;
}

const cast = (chain: Chain, tip: BlockMeta, voter: CredentialSecretKey, vote: 0 | 1, seq = 1): CastBallot =>
  voter.cast(genesis.id, chain.electionOf(tip).key, vote, seq);

const ballots = (casts: CastBallot[]): Payload => ({ kind: 'ballots', ballots: casts });

function decrypt(chain: Chain, tip: BlockMeta) {
  const final = chain.finalTally(tip)!;
  const factors = talliers.map((t) => t.decryptionFactor(genesis.id, final.tallies, final.final));
  const counts = decryptTally(group, genesis.id, final.tallies, final.ballots, final.talliers, factors);
  return yesNoResult(counts, final.ballots);
}

describe('per-voter genesis', () => {
  test('the roster is part of the election id, kept sorted, and round-trips through JSON', () => {
    const json = JSON.parse(JSON.stringify(encodeGenesis(genesis)));
    assert.equal(json.ballot_rule, 'per-voter');
    assert.equal(json.roster.length, 4);
    const parsed = parseGenesis(json);
    assert.equal(parsed.idHex, genesis.idHex);
    assert.deepEqual(
      parsed.roster,
      [...parsed.roster].sort((a, b) => (a < b ? -1 : 1)),
    );
    const fewer = testGenesis({
      ballotRule: 'per-voter',
      roster: voters.slice(0, 3).map((v) => v.publicKey),
    });
    assert.notEqual(fewer.idHex, genesis.idHex);
    // A per-block genesis is encoded as before: no rule, no roster.
    const perBlock = encodeGenesis(testGenesis());
    assert.equal('ballot_rule' in perBlock || 'roster' in perBlock, false);
  });

  test('refused: a roster out of order or with a repeat, a non-element, per-voter in version 1, too few voting blocks', () => {
    const json = JSON.parse(JSON.stringify(encodeGenesis(genesis)));
    assert.throws(() => parseGenesis({ ...json, roster: [...json.roster].reverse() }), /ascending order/);
    assert.throws(
      () => parseGenesis({ ...json, roster: [json.roster[0], json.roster[0]] }),
      /ascending order/,
    );
    assert.throws(() => parseGenesis({ ...json, roster: [] }), /genesis.roster/);
    assert.throws(() => parseGenesis({ ...json, roster: [(group.p - 1n).toString(16)] }), /roster\[0\]/);
    assert.throws(() => parseGenesis({ ...json, ballot_rule: 'per-block' }), /ballot_rule/);
    assert.throws(() => parseGenesis({ ...json, version: 1 }), /version 2/);
    const many = Array.from(
      { length: MAX_BALLOTS_PER_BLOCK + 1 },
      () => CredentialSecretKey.generate(group).publicKey,
    );
    assert.throws(
      () => testGenesis({ ballotRule: 'per-voter', roster: many, nVoteBlocks: 1 }),
      /carry at most 8 ballots/,
    );
    assert.throws(
      () => testGenesis({ roster: [voters[0]!.publicKey] }),
      /only a per-voter election has a roster/,
    );
  });
});

describe('per-voter chain', () => {
  test('each voter counts once, the last ballot counts, and turnout is the number of voters', () => {
    const chain = new Chain(genesis);
    let tip = keyPhase(chain);
    assert.deepEqual(
      chain.state().keyElection.talliers.map((k) => k.pk),
      [keys[0].pk, keys[1].pk],
    );
    tip = extend(
      chain,
      tip,
      ballots([
        cast(chain, tip, voters[0]!, 1),
        cast(chain, tip, voters[1]!, 0),
        cast(chain, tip, voters[2]!, 1),
      ]),
    );
    assert.equal(tip.ballots, 3);
    // Voter 0 changes its mind: the revote replaces its ballot; voter 3 never votes.
    tip = extend(chain, tip, ballots([cast(chain, tip, voters[0]!, 0, 2)]));
    assert.equal(tip.ballots, 3);
    tip = extend(chain, tip, ballots([]));
    tip = extend(chain, tip, ballots([]));
    tip = extend(chain, tip, confirmation);
    assert.equal(chain.state().final, true);
    assert.deepEqual(decrypt(chain, tip), { yes: 1, no: 2, total: 3 });
    const counted = voters.map((v) => chain.countedCast(v.publicKey, tip));
    assert.equal(counted.filter((c) => c !== undefined).length, 3);
    assert.equal(counted[0]?.seq, 2);
  });

  test('one miner carrying every block changes nothing: a voter counts once however many blocks it mines', () => {
    const chain = new Chain(genesis);
    let tip = keyPhase(chain);
    // The same voter's ballot cannot ride in block after block: the α replay rule and rising seq.
    const first = cast(chain, tip, voters[0]!, 1);
    tip = extend(chain, tip, ballots([first]), { miner: 'big miner' });
    assert.match(status(chain.add(makeBlock(chain, tip, ballots([first])))), /invalid: .*replay/);
    const again = cast(chain, tip, voters[0]!, 1, 1);
    assert.match(
      status(chain.add(makeBlock(chain, tip, ballots([again])))),
      /invalid: .*seq: 1 does not follow/,
    );
    for (let i = 0; i < 3; i++) tip = extend(chain, tip, ballots([]), { miner: 'big miner' });
    tip = extend(chain, tip, confirmation, { miner: 'big miner' });
    assert.deepEqual(decrypt(chain, tip), { yes: 1, no: 0, total: 1 });
  });

  test('refused: an unregistered voter, a forged or foreign signature, a copied ballot, two casts of one voter, a per-block ballot', () => {
    const chain = new Chain(genesis);
    const tip = keyPhase(chain);
    const h = chain.electionOf(tip).key;
    const refuse = (payload: Payload, pattern: RegExp) =>
      assert.match(status(chain.add(makeBlock(chain, tip, payload))), pattern);

    refuse(
      ballots([outsider.cast(genesis.id, h, 1, 1)]),
      /invalid: block.payload.ballots\[0\].credential: is not on the election's roster/,
    );
    const honest = cast(chain, tip, voters[1]!, 1);
    const forged = {
      ...honest,
      signature: { ...honest.signature, response: (honest.signature.response + 1n) % group.q },
    };
    refuse(ballots([forged]), /invalid: block.payload.ballots\[0\].signature/);
    // Signed for another election (same voter, same key): the challenge hashes the election id.
    const other = testGenesis({ ballotRule: 'per-voter', roster: genesis.roster, title: 'Another election' });
    const foreign = voters[1]!.sign(
      other.id,
      1,
      encryptBallot(group, voterContext(group, genesis.id, voters[1]!.publicKey), h, 1),
    );
    refuse(ballots([foreign]), /invalid: block.payload.ballots\[0\].signature.challenge/);
    // Voter 2 re-signs voter 1's ballot (to learn its vote from the tally, or to get it refused as a replay).
    const copied = voters[2]!.sign(genesis.id, 1, honest.ballot);
    refuse(ballots([copied]), /invalid: block.payload.ballots\[0\].ballot.proof/);
    refuse(
      ballots([cast(chain, tip, voters[1]!, 1), cast(chain, tip, voters[1]!, 0, 2)]),
      /casts twice in one block/,
    );
    refuse({ kind: 'ballot', ballot: honest.ballot }, /must carry a ballots, not a ballot/);
    // Nothing refused was counted: the honest ballot still goes in.
    assert.equal(chain.add(makeBlock(chain, tip, ballots([honest]))).status, 'added');
  });

  test('refused: a tallier key without endorsement, endorsed by a stranger, or a second key of one voter on a branch', () => {
    const chain = new Chain(genesis);
    const g = chain.genesisMeta;
    assert.match(
      status(chain.add(makeBlock(chain, g, { kind: 'tallier_key', key: keys[0] }))),
      /must be endorsed by a roster member/,
    );
    assert.match(
      status(chain.add(makeBlock(chain, g, endorsedKey(keys[0], outsider)))),
      /credential: is not on the election's roster/,
    );
    const stolen = { ...endorsedKey(keys[0], voters[0]!), key: keys[1] } as Payload;
    assert.match(status(chain.add(makeBlock(chain, g, stolen))), /endorsement.challenge/);
    const first = extend(chain, g, endorsedKey(keys[0], voters[0]!));
    assert.match(
      status(chain.add(makeBlock(chain, first, endorsedKey(keys[1], voters[0]!)))),
      /one key per voter/,
    );
    // On another branch voter 0 may stand with key 1.
    assert.equal(chain.add(makeBlock(chain, g, endorsedKey(keys[1], voters[0]!))).status, 'added');
    // And a per-block election refuses endorsements.
    const perBlock = new Chain(testGenesis());
    const key = talliers[0]!.provePossession(perBlock.genesis.id);
    const endorsement = voters[0]!.endorse(perBlock.genesis.id, key);
    assert.match(
      status(
        perBlock.add(makeBlock(perBlock, perBlock.genesisMeta, { kind: 'tallier_key', key, endorsement })),
      ),
      /per-block election's tallier keys carry no endorsement/,
    );
  });

  test('counting follows the branch: a reorg that drops a revote counts the earlier ballot again', () => {
    const chain = new Chain(genesis);
    const keysDone = keyPhase(chain);
    const first = extend(chain, keysDone, ballots([cast(chain, keysDone, voters[0]!, 1)]));
    const revote = extend(chain, first, ballots([cast(chain, first, voters[0]!, 0, 2)]));
    assert.equal(chain.countedCast(voters[0]!.publicKey, revote)?.seq, 2);
    // A longer branch from `first` without the revote.
    let side = extend(chain, first, ballots([cast(chain, first, voters[1]!, 1)]));
    side = extend(chain, side, ballots([]));
    assert.equal(chain.tip, side);
    assert.equal(chain.countedCast(voters[0]!.publicKey, side)?.seq, 1);
    assert.equal(side.ballots, 2);
    // The revote may be cast again on the new branch (seq 2 follows seq 1 there).
    assert.equal(
      chain.add(makeBlock(chain, side, ballots([cast(chain, side, voters[0]!, 0, 2)]))).status,
      'added',
    );
  });

  test('a block of eight cast ballots round-trips through JSON within the size limit', () => {
    const roster = Array.from({ length: MAX_BALLOTS_PER_BLOCK }, () => CredentialSecretKey.generate(group));
    const g8 = testGenesis({ ballotRule: 'per-voter', roster: roster.map((v) => v.publicKey) });
    const chain = new Chain(g8);
    let tip = chain.genesisMeta;
    const key = talliers[0]!.provePossession(g8.id);
    for (let i = 0; i < 3; i++)
      tip = extend(chain, tip, { kind: 'tallier_key', key, endorsement: roster[0]!.endorse(g8.id, key) });
    const h = chain.electionOf(tip).key;
    const full = makeBlock(chain, tip, {
      kind: 'ballots',
      ballots: roster.map((v) => v.cast(g8.id, h, 1, 1)),
    });
    const text = JSON.stringify(encodeBlock(group, full));
    assert.ok(text.length < 60 * 1024, `${text.length} bytes`);
    assert.deepEqual(parseBlock(group, JSON.parse(text)), full);
    assert.equal(chain.add(full).status, 'added');
    const nine = {
      ...encodeBlock(group, full),
      payload: { kind: 'ballots', ballots: Array(9).fill(JSON.parse(text).payload.ballots[0]) },
    };
    assert.throws(() => parseBlock(group, nine), /at most 8 cast ballots/);
  });
});

describe('voter index', () => {
  test('a voter who revoted in every block costs one ancestry check on the best chain, not one per revote', () => {
    const index = new VoterIndex();
    const voter = voters[0]!;
    const ballot = { alpha: 4n, beta: 9n, proof: [] as never };
    for (let h = 1; h <= 2000; h++)
      index.addCasts(`b${h}`, h, [{ credential: voter.publicKey, seq: h, ballot, signature: {} as never }]);
    // A side branch's entry at a lower height arrives late: kept in height order.
    index.addCasts('side', 1500, [
      { credential: voter.publicKey, seq: 1500, ballot, signature: {} as never },
    ]);
    let checks = 0;
    const latest = index.latest(voter.publicKey, () => {
      checks++;
      return true;
    });
    assert.equal(latest?.seq, 2000);
    assert.equal(checks, 1);
    // On the side branch (forked below 1500), its own entry is found.
    const onSide = index.latest(voter.publicKey, (hash, height) => hash === 'side' || height < 1500);
    assert.equal(onSide?.block, 'side');
  });
});
