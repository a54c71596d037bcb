// Threshold talliers under attack over real HTTP on 127.0.0.1: forged or misattributed dealings,
// complaints and stand-in factors, and the same from non-talliers, each refused with its reason;
// after every entry the runner's chain, pool, log and factors are what they were.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encodeBlock, encodeCeremonyMessage, type Payload } from '../chain/block';
import type { CeremonyMessage } from '../chain/ceremony';
import { type BlockMeta, Chain } from '../chain/chain';
import { ballotPayload, confirmation, extend, keyPayload, Talliers, testGenesis } from '../chain/testing';
import { encodeAcceptance, encodeCompensatedFactor } from '../crypto/codec';
import { fixedRandomness } from '../crypto/random';
import { TallierSecretKey } from '../crypto/tallier';
import { signDealing } from '../crypto/threshold';
import type { CompensatedFactor, Dealing } from '../crypto/types';
import { ElectionNode } from '../node/election-node';
import { createPeerApi, listenPeerApi, type PeerApiServer } from './api';
import { PeerBook } from './peer-book';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-threshold-hostile-'));
// Keys at 1–5 (five talliers), the ceremony at 6–9 (dealings at 6–7), ballots at 10–12, final 13.
const genesis = testGenesis({
  nTalliers: 5,
  nTalliersBlocks: 5,
  quorum: 3,
  nCeremonyBlocks: 4,
  nVoteBlocks: 3,
});
const { group, id } = genesis;
const talliers = new Talliers(genesis, 5);
const chain = new Chain(genesis);
const honest: BlockMeta[] = [];
let tip = chain.genesisMeta;
const grow = (payload: Payload) => {
  tip = extend(chain, tip, payload);
  honest.push(tip);
};
for (const key of talliers.keys) grow(keyPayload(key));
const pks = chain.candidatesOf(tip).talliers.map((k) => k.pk);
const secretOf = (pk: bigint) => talliers.secrets[talliers.keys.findIndex((k) => k.pk === pk)]!;
const dealings = pks.map((pk) => secretOf(pk).deal(id, pks, 3));
const dealingMessage = (d: Dealing): CeremonyMessage => ({ kind: 'dealing', dealing: d });
grow({ kind: 'ceremony', messages: dealings.slice(0, 3).map(dealingMessage) });
grow({ kind: 'ceremony', messages: dealings.slice(3).map(dealingMessage) });
grow({ kind: 'ceremony', messages: [] });
grow({ kind: 'ceremony', messages: [] });
for (let i = 0; i < 3; i++) grow(ballotPayload(chain, tip, 1));
grow(confirmation);
const final = tip;
const tally = chain.finalTally(final)!.tallies[0]!;
const outsider = TallierSecretKey.generate(group);

interface Runner {
  node: ElectionNode;
  api: PeerApiServer;
  dir: string;
}
let ceremony: Runner; // at height 6: dealings of the first three talliers are on the chain
let sealed: Runner; // the whole chain, sealed by talliers 1–3, no factor yet

async function runner(name: string, upTo: number, sealBy: number[]): Promise<Runner> {
  const dir = path.join(tmp, name);
  const node = await ElectionNode.create(dir, genesis, { name, mining: false, threads: 1 });
  for (const meta of honest.slice(0, upTo)) await node.submitBlock(encodeBlock(group, meta.block!), 'sync');
  for (const i of sealBy)
    await node.submitAcceptance(encodeAcceptance(group, secretOf(pks[i]!).accept(id, final.hash, 1)));
  const api = await listenPeerApi(createPeerApi({ node, peers: new PeerBook() }), {
    port: 0,
    host: '127.0.0.1',
  });
  return { node, api, dir };
}

before(async () => {
  ceremony = await runner('ceremony', 6, []);
  sealed = await runner('sealed', 13, [0, 1, 2]);
  assert.ok(sealed.node.seal(), 'three of five seal (the seal quorum)');
});
after(async () => {
  for (const r of [ceremony, sealed]) {
    await r?.api.close();
    await r?.node.close();
  }
  rmSync(tmp, { recursive: true, force: true });
});

function state(r: Runner) {
  return {
    size: r.node.chain.size,
    tip: r.node.chain.tip.hash,
    log: statSync(path.join(r.dir, 'blocks.log')).size,
    pool: r.node.ceremony?.size ?? 0,
    factors: r.node.resultState()?.factors.length ?? 0,
    standIns: r.node.resultState()?.compensated.length ?? 0,
  };
}

async function post(r: Runner, route: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${r.api.port}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const wire = (m: CeremonyMessage) => encodeCeremonyMessage(group, m);
const bump = (x: bigint) => group.mul(x, group.g);
/** Tallier 3's dealing (not yet on the ceremony runner's chain), changed and re-signed or not. */
const fourth = dealings[3]!;
const standIn = (helper: number, missing: number): CompensatedFactor =>
  secretOf(pks[helper]!).compensatedFactor(id, dealings[missing]!, pks, [tally], final.hash);
const hex = (x: bigint) => x.toString(16).padStart(group.byteWidth * 2, '0');
const nonResidue = (() => {
  for (let x = 3n; ; x++) if (!group.isElement(x)) return x;
})();

interface Entry {
  readonly name: string;
  readonly at: () => Runner;
  readonly route: string;
  readonly body: () => unknown;
  readonly reason: RegExp;
}

const CATALOGUE: readonly Entry[] = [
  {
    name: 'dealing: a commitment changed after signing',
    at: () => ceremony,
    route: '/v1/ceremony',
    body: () => ({
      message: wire(
        dealingMessage({ ...fourth, commitments: [bump(fourth.commitments[0]!), fourth.commitments[1]!] }),
      ),
    }),
    reason: /ceremony_message\.dealing\.proof\.challenge: is not the hash of the statement/,
  },
  {
    name: 'dealing: an encrypted share changed after signing',
    at: () => ceremony,
    route: '/v1/ceremony',
    body: () => ({
      message: wire(
        dealingMessage({ ...fourth, shares: [fourth.shares[0]! ^ 1n, ...fourth.shares.slice(1)] }),
      ),
    }),
    reason: /proof\.challenge: is not the hash of the statement/,
  },
  {
    name: 'dealing: a tallier’s dealing under another tallier’s key',
    at: () => ceremony,
    route: '/v1/ceremony',
    body: () => ({ message: wire(dealingMessage({ ...fourth, dealer: pks[4]! })) }),
    reason: /proof\.challenge: is not the hash of the statement/,
  },
  {
    name: 'dealing: from a non-tallier, validly signed',
    at: () => ceremony,
    route: '/v1/ceremony',
    body: () => ({
      message: wire(dealingMessage(outsider.deal(id, [...pks.slice(0, 4), outsider.publicKey], 3))),
    }),
    reason: /dealing\.dealer: is not an elected tallier of this branch/,
  },
  {
    name: 'dealing: for another quorum',
    at: () => ceremony,
    route: '/v1/ceremony',
    body: () => ({ message: wire(dealingMessage(secretOf(pks[3]!).deal(id, pks, 4))) }),
    reason: /dealing\.commitments: must hold 2 commitments \(quorum 3\)/,
  },
  {
    name: 'dealing: a commitment that is not a group element',
    at: () => ceremony,
    route: '/v1/ceremony',
    body: () => {
      const m = wire(dealingMessage(fourth)) as { dealing: { commitments: string[] } };
      m.dealing.commitments[0] = hex(nonResidue);
      return { message: m };
    },
    reason: /dealing\.commitments\[0\]: is not an element of the group/,
  },
  {
    name: 'dealing: a second one by a tallier who dealt (a different polynomial)',
    at: () => ceremony,
    route: '/v1/ceremony',
    body: () => ({ message: wire(dealingMessage(secretOf(pks[0]!).deal(id, pks, 3))) }),
    reason: /^$/, // answered 'known': nothing to add, nothing changed (checked below)
  },
  {
    name: 'complaint: against a right share (proves nothing)',
    at: () => ceremony,
    route: '/v1/ceremony',
    body: () => ({
      message: wire({ kind: 'complaint', complaint: secretOf(pks[1]!).complain(id, dealings[0]!) }),
    }),
    reason: /complaint: proves nothing/,
  },
  {
    name: 'complaint: a forged shared key',
    at: () => ceremony,
    route: '/v1/ceremony',
    body: () => {
      const c = secretOf(pks[1]!).complain(id, dealings[0]!);
      return { message: wire({ kind: 'complaint', complaint: { ...c, sharedKey: bump(c.sharedKey) } }) };
    },
    reason: /complaint\.proof\.challenge: is not the hash of the statement/,
  },
  {
    name: 'complaint: from a non-tallier',
    at: () => ceremony,
    route: '/v1/ceremony',
    body: () => ({ message: wire({ kind: 'complaint', complaint: outsider.complain(id, dealings[0]!) }) }),
    reason: /complaint\.complainer: is not an elected tallier of this branch/,
  },
  {
    name: 'complaint: about a tallier who has not dealt on this branch',
    at: () => ceremony,
    route: '/v1/ceremony',
    body: () => ({ message: wire({ kind: 'complaint', complaint: secretOf(pks[0]!).complain(id, fourth) }) }),
    reason: /complaint\.dealer: has no dealing in an earlier block of this branch/,
  },
  {
    name: 'ceremony message: the ceremony is over',
    at: () => sealed,
    route: '/v1/ceremony',
    body: () => ({ message: wire(dealingMessage(fourth)) }),
    reason: /the key ceremony is not under way/,
  },
  {
    name: 'stand-in: its factor changed',
    at: () => sealed,
    route: '/v1/compensated-factors',
    body: () => {
      const cf = standIn(0, 3);
      return {
        compensated_factor: encodeCompensatedFactor(group, { ...cf, factors: [bump(cf.factors[0]!)] }),
      };
    },
    reason: /compensated_factor\.proof\.challenge: is not the hash of the statement/,
  },
  {
    name: 'stand-in: claimed by another helper',
    at: () => sealed,
    route: '/v1/compensated-factors',
    body: () => ({ compensated_factor: encodeCompensatedFactor(group, { ...standIn(0, 3), pk: pks[1]! }) }),
    reason: /proof\.challenge: is not the hash of the statement/,
  },
  {
    name: 'stand-in: from a non-tallier',
    at: () => sealed,
    route: '/v1/compensated-factors',
    body: () => ({
      compensated_factor: encodeCompensatedFactor(group, { ...standIn(0, 3), pk: outsider.publicKey }),
    }),
    reason: /compensated_factor\.pk: is not a qualified tallier/,
  },
  {
    name: 'stand-in: for a block that is not the sealed final block',
    at: () => sealed,
    route: '/v1/compensated-factors',
    body: () => ({
      compensated_factor: encodeCompensatedFactor(group, { ...standIn(0, 3), final: honest[11]!.hash }),
    }),
    reason: /compensated_factor\.final: is not a final block this runner holds/,
  },
  {
    name: 'stand-in: a tallier standing in for itself',
    at: () => sealed,
    route: '/v1/compensated-factors',
    body: () => ({
      compensated_factor: encodeCompensatedFactor(group, { ...standIn(0, 3), missing: pks[0]! }),
    }),
    reason: /cannot stand in for itself|challenge/,
  },
  {
    name: 'stand-in: a wrong share, proven against the commitments (a cheating dealer’s recipient)',
    at: () => sealed,
    route: '/v1/compensated-factors',
    body: () => {
      // A helper that uses a share other than the committed one: its proof is for the wrong S.
      const liar = TallierSecretKey.fromSecret(group, 987654321n);
      const f = liar.decryptionFactor(id, [tally], final.hash, fixedRandomness([5n]));
      const cf = { ...standIn(0, 3), factors: f.factors, proof: f.decFactorPoc };
      return { compensated_factor: encodeCompensatedFactor(group, cf) };
    },
    reason: /proof\.challenge: is not the hash of the statement/,
  },
];

describe('threshold talliers: the hostile catalogue', () => {
  for (const entry of CATALOGUE) {
    test(entry.name, async () => {
      const r = entry.at();
      const before = state(r);
      const { status, body } = await post(r, entry.route, entry.body());
      if (entry.reason.source === '^$') {
        assert.equal(status, 200);
        assert.deepEqual(body, { status: 'known' });
      } else {
        assert.equal(status, 400, JSON.stringify(body));
        assert.match((body as { error: string }).error, entry.reason);
      }
      assert.deepEqual(state(r), before, 'nothing changed');
    });
  }

  test('a cheating dealer’s signed dealing is taken (its proof holds); its recipient’s complaint then is too', async () => {
    const cheat = secretOf(pks[3]!);
    const fair = cheat.deal(id, pks, 3, fixedRandomness([11n, 12n, 13n, 14n, 15n]));
    const victim = pks[0]!;
    const shares = fair.shares.map((e, k) => (k === 0 ? e ^ 1n : e)); // slot 0: the first other tallier
    const bad = signDealing(group, id, { ...fair, shares }, pks, cheat.exportSecret(), 13n);
    const before = state(ceremony);
    assert.deepEqual((await post(ceremony, '/v1/ceremony', { message: wire(dealingMessage(bad)) })).body, {
      status: 'added',
    });
    assert.equal(state(ceremony).pool, before.pool + 1);
    assert.equal(secretOf(victim).openShare(id, bad, pks).ok, false, 'the victim finds it wrong');
    // The same dealer's other dealings, however many, take no more room: the first one stays.
    const pooled = state(ceremony);
    for (const other of [fourth, cheat.deal(id, pks, 3)])
      assert.deepEqual(
        (await post(ceremony, '/v1/ceremony', { message: wire(dealingMessage(other)) })).body,
        {
          status: 'known',
        },
      );
    assert.deepEqual(state(ceremony), pooled);
  });

  test('an honest stand-in is taken once, then known', async () => {
    const body = { compensated_factor: encodeCompensatedFactor(group, standIn(1, 4)) };
    assert.deepEqual((await post(sealed, '/v1/compensated-factors', body)).body, { status: 'added' });
    assert.deepEqual((await post(sealed, '/v1/compensated-factors', body)).body, { status: 'known' });
  });
});
