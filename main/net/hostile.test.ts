// The hostile catalogue: a named list of what a hostile peer throws at a runner's peer API, each
// entry with the answer it must get. Two real runners serve it over real HTTP on 127.0.0.1: one in
// the middle of voting, one whose talliers sealed the final block. After every entry the runner's
// state is compared with what it was before: chain, orphans, log on disk, peers, acceptances,
// factors and settings. A new attack found in review goes here, named.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Block, blockHash, encodeBlock } from '../chain/block';
import { type BlockMeta, Chain } from '../chain/chain';
import {
  ballotPayload,
  confirmation,
  extend,
  keyPayload,
  makeBlock,
  mine,
  Talliers,
  testGenesis,
} from '../chain/testing';
import { encryptBallot } from '../crypto/ballot';
import { encodeAcceptance, encodeDecryptionFactor } from '../crypto/codec';
import { TallierSecretKey } from '../crypto/tallier';
import type { Ballot } from '../crypto/types';
import { ElectionNode } from '../node/election-node';
import { createPeerApi, listenPeerApi, type PeerApiServer } from './api';
import { PeerBook } from './peer-book';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-hostile-'));
const genesis = testGenesis({ nTalliers: 2, nTalliersBlocks: 3, nVoteBlocks: 4, confirmations: 1 });
const group = genesis.group;
const talliers = new Talliers(genesis, 2);
const [k0, k1] = talliers.keys as [(typeof talliers.keys)[0], (typeof talliers.keys)[0]];

// The honest chain: keys at heights 1–3 (talliers k0, k1), ballots at 4–7, a confirmation at 8.
const chain = new Chain(genesis);
const honest: BlockMeta[] = [];
{
  let tip = chain.genesisMeta;
  const grow = (payload: ReturnType<typeof keyPayload>) => {
    tip = extend(chain, tip, payload);
    honest.push(tip);
  };
  for (const key of [k0, k1, k0]) grow(keyPayload(key));
  for (let i = 0; i < 4; i++) grow(ballotPayload(chain, tip, 1));
  grow(confirmation);
}
const at = (height: number) => honest[height - 1]!;
const json = (block: Block) => encodeBlock(group, block) as unknown as Record<string, unknown>;
/** A block re-mined after `change`, so that it has proof of work. */
const remined = (block: Block, change: Partial<Block>) => mine(genesis, { ...block, ...change });
const finalBlock = at(8);
const acceptances = talliers.secrets.map((s) => s.accept(genesis.id, finalBlock.hash, 1));

interface Runner {
  node: ElectionNode;
  api: PeerApiServer;
  peers: PeerBook;
  dir: string;
}
let voting: Runner; // holds heights 1–5
let sealed: Runner; // holds the whole chain and both acceptances

async function runner(name: string, upTo: number, accept: boolean): Promise<Runner> {
  const dir = path.join(tmp, name);
  const node = await ElectionNode.create(dir, genesis, { name, mining: false, threads: 1 });
  for (const meta of honest.slice(0, upTo)) await node.submitBlock(encodeBlock(group, meta.block!), 'sync');
  if (accept) for (const a of acceptances) await node.submitAcceptance(encodeAcceptance(group, a));
  const peers = new PeerBook();
  const api = await listenPeerApi(createPeerApi({ node, peers }), { port: 0, host: '127.0.0.1' });
  peers.setSelf(`127.0.0.1:${api.port}`);
  return { node, api, peers, dir };
}

before(async () => {
  voting = await runner('voting', 5, false);
  sealed = await runner('sealed', 8, true);
  assert.ok(sealed.node.seal(), 'the sealed runner holds the seal');
});
after(async () => {
  for (const r of [voting, sealed]) {
    await r?.api.close();
    await r?.node.close();
  }
  rmSync(tmp, { recursive: true, force: true });
});

/** Everything a hostile request must leave as it was. */
function state(r: Runner, withOrphans = true) {
  return {
    size: r.node.chain.size,
    tip: r.node.chain.tip.hash,
    ...(withOrphans ? { orphans: r.node.chain.orphanCount() } : {}),
    log: statSync(path.join(r.dir, 'blocks.log')).size,
    peers: r.peers.size,
    acceptances: r.node.acceptances().length,
    factors: r.node.resultState()?.factors.length ?? 0,
    settings: readFileSync(path.join(r.dir, 'settings.json'), 'utf8'),
  };
}

type Send =
  | {
      readonly method: string;
      readonly path: string;
      readonly body?: string | Buffer;
      readonly type?: string;
    }
  | { readonly raw: string };

interface Entry {
  readonly name: string;
  /** Which runner it is thrown at. */
  readonly at: 'voting' | 'sealed';
  readonly send: () => Send;
  readonly status: number;
  /** The error's reason (for refusals) or the body (for 200s). */
  readonly expect: RegExp | Record<string, unknown>;
  /** An orphan is kept aside by design: only the orphan pool may change. */
  readonly orphan?: boolean;
}

const post = (route: string, body: unknown): Send => ({
  method: 'POST',
  path: route,
  body: JSON.stringify(body),
  type: 'application/json',
});
const postText = (route: string, body: string | Buffer, type = 'application/json'): Send => ({
  method: 'POST',
  path: route,
  body,
  type,
});
const get = (route: string): Send => ({ method: 'GET', path: route });
const goodBlock = () => json(at(5).block!);
const goodText = () => JSON.stringify({ block: goodBlock() });
/** A ballot block for height 6 on the voting runner's tip, with `ballot` changed. */
const ballotBlock = (ballot: Record<string, unknown>) => {
  const base = ballotPayload(chain, at(5), 1);
  if (base.kind !== 'ballot') throw new Error('unreachable');
  const payload = { ...base, ballot: { ...base.ballot, ...ballot } };
  return json(makeBlock(chain, at(5), payload as typeof base, { miner: 'hostile' }));
};
const honestBallot = () => {
  const p = ballotPayload(chain, at(5), 1);
  if (p.kind !== 'ballot') throw new Error('unreachable');
  return p.ballot as Ballot;
};
const hex = (x: bigint) => x.toString(16).padStart(group.byteWidth * 2, '0');
const nonResidue = (() => {
  for (let x = 3n; ; x++) if (!group.isElement(x) && x > 1n) return x;
})();
const outsider = TallierSecretKey.generate(group);

const CATALOGUE: readonly Entry[] = [
  // ── Bodies that are not protocol JSON ──
  {
    name: 'body: JSON cut short',
    at: 'voting',
    send: () => postText('/v1/blocks', '{"block": '),
    status: 400,
    expect: /is not JSON/,
  },
  {
    name: 'body: a JSON array',
    at: 'voting',
    send: () => post('/v1/blocks', [goodBlock()]),
    status: 400,
    expect: /must be a JSON object/,
  },
  {
    name: 'body: null',
    at: 'voting',
    send: () => postText('/v1/blocks', 'null'),
    status: 400,
    expect: /malformed JSON/,
  },
  {
    name: 'body: a bare string',
    at: 'voting',
    send: () => postText('/v1/blocks', '"block"'),
    status: 400,
    expect: /malformed JSON|JSON object/,
  },
  {
    name: 'body: an unknown field',
    at: 'voting',
    send: () => post('/v1/blocks', { block: goodBlock(), evil: true }),
    status: 400,
    expect: /body\.evil: is not an allowed field/,
  },
  {
    name: 'body: a key given twice',
    at: 'voting',
    send: () => postText('/v1/blocks', goodText().replace('"miner":', '"miner":"x","miner":')),
    status: 400,
    expect: /duplicate key/,
  },
  {
    name: 'body: height written 5.0',
    at: 'voting',
    send: () => postText('/v1/blocks', goodText().replace('"height":5,', '"height":5.0,')),
    status: 400,
    expect: /plain decimal/,
  },
  {
    name: 'body: height written 5e0',
    at: 'voting',
    send: () => postText('/v1/blocks', goodText().replace('"height":5,', '"height":5e0,')),
    status: 400,
    expect: /plain decimal/,
  },
  {
    name: 'body: a byte-order mark',
    at: 'voting',
    send: () => postText('/v1/blocks', `\ufeff${goodText()}`),
    status: 400,
    expect: /./,
  },
  {
    name: 'body: bytes that are not UTF-8',
    at: 'voting',
    send: () =>
      postText(
        '/v1/peers',
        Buffer.concat([Buffer.from('{"address":"'), Buffer.from([0xff]), Buffer.from('"}')]),
      ),
    status: 400,
    expect: /not valid UTF-8/,
  },
  {
    name: 'body: nested 100 deep',
    at: 'voting',
    send: () => postText('/v1/blocks', `{"block":${'['.repeat(100)}${']'.repeat(100)}}`),
    status: 400,
    expect: /nests deeper/,
  },
  {
    name: 'body: sent as text/plain',
    at: 'voting',
    send: () => postText('/v1/blocks', goodText(), 'text/plain'),
    status: 415,
    expect: /JSON/,
  },
  {
    name: 'body: charset latin1',
    at: 'voting',
    send: () => postText('/v1/blocks', goodText(), 'application/json; charset=latin1'),
    status: 415,
    expect: /UTF-8/,
  },
  {
    name: 'body: 100 KiB',
    at: 'voting',
    send: () => post('/v1/blocks', { block: 'x'.repeat(100 * 1024) }),
    status: 413,
    expect: /larger than 65536 bytes/,
  },

  // ── Blocks: form ──
  {
    name: 'block: prev missing',
    at: 'voting',
    send: () => post('/v1/blocks', { block: { height: 6 } }),
    status: 400,
    expect: /block\.prev: is missing/,
  },
  {
    name: 'block: height as a string',
    at: 'voting',
    send: () => post('/v1/blocks', { block: { ...goodBlock(), height: '5' } }),
    status: 400,
    expect: /block\.height/,
  },
  {
    name: 'block: height 2^32',
    at: 'voting',
    send: () => post('/v1/blocks', { block: { ...goodBlock(), height: 2 ** 32 } }),
    status: 400,
    expect: /block\.height: must be a whole number in \[1, 2\^32 − 1\]/,
  },
  {
    name: 'block: uppercase prev',
    at: 'voting',
    send: () => post('/v1/blocks', { block: { ...goodBlock(), prev: at(4).hash.toUpperCase() } }),
    status: 400,
    expect: /block\.prev/,
  },
  {
    name: 'block: nonce of 15 hex digits',
    at: 'voting',
    send: () => post('/v1/blocks', { block: { ...goodBlock(), nonce: '0'.repeat(15) } }),
    status: 400,
    expect: /block\.nonce/,
  },
  {
    name: 'block: miner label with a control character',
    at: 'voting',
    send: () => post('/v1/blocks', { block: { ...goodBlock(), miner: 'a\u001b[31m' } }),
    status: 400,
    expect: /control characters/,
  },
  {
    name: 'block: miner label of 1,000 bytes',
    at: 'voting',
    send: () => post('/v1/blocks', { block: { ...goodBlock(), miner: 'm'.repeat(1000) } }),
    status: 400,
    expect: /block\.miner: must be at most/,
  },
  {
    name: 'block: unknown payload kind',
    at: 'voting',
    send: () => post('/v1/blocks', { block: { ...goodBlock(), payload: { kind: 'vote' } } }),
    status: 400,
    expect: /payload\.kind/,
  },
  {
    name: 'block: from is not a peer address',
    at: 'voting',
    send: () => post('/v1/blocks', { block: goodBlock(), from: 'example.com:80' }),
    status: 400,
    expect: /body\.from/,
  },

  // ── Blocks: chain rules ──
  {
    name: 'block: hash above the target',
    at: 'voting',
    send: () => {
      let b = { ...at(5).block!, miner: 'nowork' };
      while (BigInt(`0x${blockHash(group, b)}`) <= genesis.target) b = { ...b, nonce: b.nonce + 1n };
      return post('/v1/blocks', { block: json(b) });
    },
    status: 400,
    expect: /proof of work: the block hash is above the target/,
  },
  {
    name: 'block: beyond the final height',
    at: 'voting',
    send: () => post('/v1/blocks', { block: json(remined(at(5).block!, { height: 9 })) }),
    status: 400,
    expect: /beyond the election's final height 8/,
  },
  {
    name: 'block: wrong payload for its height',
    at: 'voting',
    send: () => post('/v1/blocks', { block: json(makeBlock(chain, at(5), confirmation)) }),
    status: 400,
    expect: /must carry a ballot, not a confirmation/,
  },
  {
    name: 'block: height does not follow its parent',
    at: 'voting',
    send: () =>
      post('/v1/blocks', {
        block: json(
          remined(makeBlock(chain, at(5), confirmation), {
            height: 7,
            payload: ballotPayload(chain, at(5), 0),
          }),
        ),
      }),
    status: 400,
    expect: /does not follow its parent's height/,
  },
  {
    name: 'block: timestamp not above the median',
    at: 'voting',
    send: () =>
      post('/v1/blocks', {
        block: json(makeBlock(chain, at(5), ballotPayload(chain, at(5), 0), { timestamp: at(1).timestamp })),
      }),
    status: 400,
    expect: /is not above the median/,
  },
  {
    name: 'block: timestamp an hour ahead',
    at: 'voting',
    send: () =>
      post('/v1/blocks', {
        block: json(
          makeBlock(chain, at(5), ballotPayload(chain, at(5), 0), {
            timestamp: Math.floor(Date.now() / 1000) + 3600,
          }),
        ),
      }),
    status: 400,
    expect: /ahead of this clock/,
  },
  {
    name: 'block: forged pk_pok (a side branch)',
    at: 'voting',
    send: () => {
      const forged = { ...k1, pkPok: { ...k1.pkPok, response: (k1.pkPok.response + 1n) % group.q } };
      return post('/v1/blocks', {
        block: json(makeBlock(chain, chain.genesisMeta, keyPayload(forged), { miner: 'forger' })),
      });
    },
    status: 400,
    expect: /pk_pok/,
  },
  {
    name: 'block: ballot encrypting 2',
    at: 'voting',
    send: () => {
      const b = honestBallot();
      return post('/v1/blocks', { block: ballotBlock({ beta: group.mul(b.beta, group.g) }) });
    },
    status: 400,
    expect: /payload\.ballot/,
  },
  {
    name: 'block: ballot under another key',
    at: 'voting',
    send: () =>
      post('/v1/blocks', {
        block: json(
          makeBlock(chain, at(5), { kind: 'ballot', ballot: encryptBallot(group, genesis.id, k0.pk, 1) }),
        ),
      }),
    status: 400,
    expect: /payload\.ballot/,
  },
  {
    name: 'block: replayed ballot (same α)',
    at: 'voting',
    send: () =>
      post('/v1/blocks', { block: json(makeBlock(chain, at(5), at(4).block!.payload, { miner: 'replay' })) }),
    status: 400,
    expect: /ballot replay/,
  },
  {
    name: 'block: ballot α not in the group',
    at: 'voting',
    // Mined with the non-residue in it: it has its work, so the membership test is what refuses it.
    send: () => post('/v1/blocks', { block: ballotBlock({ alpha: nonResidue }) }),
    status: 400,
    expect: /alpha/,
  },
  {
    name: 'block: ballot α = 1',
    at: 'voting',
    send: () => {
      const p = ballotBlock({});
      (p.payload as { ballot: { alpha: string } }).ballot.alpha = hex(1n);
      return post('/v1/blocks', { block: p });
    },
    status: 400,
    expect: /alpha/,
  },
  {
    name: 'block: a proof response of q',
    at: 'voting',
    send: () => {
      const p = ballotBlock({});
      (p.payload as { ballot: { proof: { response: string }[] } }).ballot.proof[0]!.response = hex(group.q);
      return post('/v1/blocks', { block: p });
    },
    status: 400,
    expect: /response/,
  },
  {
    name: 'block: unknown parent (kept aside as an orphan)',
    at: 'voting',
    orphan: true,
    send: () => post('/v1/blocks', { block: json(remined(at(6).block!, { prev: 'ab'.repeat(32) })) }),
    status: 200,
    expect: { status: 'orphan', missing: 'ab'.repeat(32) },
  },
  {
    name: 'block: off the sealed chain (late, not checked)',
    at: 'sealed',
    send: () => post('/v1/blocks', { block: json(makeBlock(chain, at(7), confirmation, { miner: 'late' })) }),
    status: 200,
    expect: { status: 'late', final: finalBlock.hash },
  },

  // ── Acceptances ──
  {
    name: 'acceptance: broken signature',
    at: 'sealed',
    send: () => {
      const a = acceptances[0]!;
      return post('/v1/acceptances', {
        acceptance: encodeAcceptance(group, {
          ...a,
          signature: { ...a.signature, response: (a.signature.response + 1n) % group.q },
        }),
      });
    },
    status: 400,
    expect: /acceptance\.signature/,
  },
  {
    name: 'acceptance: of a block nobody holds',
    at: 'sealed',
    send: () =>
      post('/v1/acceptances', {
        acceptance: encodeAcceptance(group, talliers.secrets[0]!.accept(genesis.id, 'ab'.repeat(32), 1)),
      }),
    status: 400,
    expect: /not a block this runner holds/,
  },
  {
    name: 'acceptance: round 0',
    at: 'sealed',
    send: () =>
      post('/v1/acceptances', { acceptance: { ...encodeAcceptance(group, acceptances[0]!), round: 0 } }),
    status: 400,
    expect: /round/,
  },
  {
    name: 'acceptance: round 9 (past the last)',
    at: 'sealed',
    send: () =>
      post('/v1/acceptances', {
        acceptance: encodeAcceptance(group, talliers.secrets[0]!.accept(genesis.id, finalBlock.hash, 9)),
      }),
    status: 400,
    expect: /round/,
  },
  {
    name: 'acceptance: signed by a key that is not a tallier',
    at: 'sealed',
    send: () =>
      post('/v1/acceptances', {
        acceptance: encodeAcceptance(group, outsider.accept(genesis.id, finalBlock.hash, 1)),
      }),
    status: 400,
    expect: /not an elected tallier/,
  },
  {
    name: 'acceptance: of a block below the final height',
    at: 'sealed',
    send: () =>
      post('/v1/acceptances', {
        acceptance: encodeAcceptance(group, talliers.secrets[0]!.accept(genesis.id, at(5).hash, 1)),
      }),
    status: 400,
    expect: /final/,
  },

  // ── Decryption factors ──
  {
    name: 'factor: value changed, proof fails',
    at: 'sealed',
    send: () => {
      const f = talliers.secrets[0]!.decryptionFactor(genesis.id, finalBlock.tallies, finalBlock.hash);
      return post('/v1/factors', {
        factor: encodeDecryptionFactor(group, { ...f, factors: [group.mul(f.factors[0]!, group.g)] }),
      });
    },
    status: 400,
    expect: /dec_factor/,
  },
  {
    name: 'factor: from a key that is not a tallier (a valid proof)',
    at: 'sealed',
    send: () =>
      post('/v1/factors', {
        factor: encodeDecryptionFactor(
          group,
          outsider.decryptionFactor(genesis.id, finalBlock.tallies, finalBlock.hash),
        ),
      }),
    status: 400,
    expect: /dec_factor\.pk: is not an elected tallier of that final block's branch/,
  },
  {
    name: 'factor: for a block nobody holds',
    at: 'sealed',
    send: () =>
      post('/v1/factors', {
        factor: encodeDecryptionFactor(
          group,
          talliers.secrets[0]!.decryptionFactor(genesis.id, finalBlock.tallies, 'ab'.repeat(32)),
        ),
      }),
    status: 400,
    expect: /dec_factor\.final: is not a final block this runner holds/,
  },
  {
    name: 'factor: to a runner still voting',
    at: 'voting',
    send: () =>
      post('/v1/factors', {
        factor: encodeDecryptionFactor(
          group,
          talliers.secrets[0]!.decryptionFactor(genesis.id, finalBlock.tallies, finalBlock.hash),
        ),
      }),
    status: 400,
    expect: /dec_factor\.final: is not a final block this runner holds/,
  },
  {
    name: 'factor: without final (a version-1 factor)',
    at: 'sealed',
    send: () => {
      const { final: _, ...v1 } = encodeDecryptionFactor(
        group,
        talliers.secrets[0]!.decryptionFactor(genesis.id, finalBlock.tallies, finalBlock.hash),
      ) as unknown as Record<string, unknown>;
      return post('/v1/factors', { factor: v1 });
    },
    status: 400,
    expect: /dec_factor\.final: is missing/,
  },
  {
    name: 'factor: missing altogether',
    at: 'sealed',
    send: () => post('/v1/factors', {}),
    status: 400,
    expect: /body\.factor: is missing/,
  },

  // ── Inventories ──
  {
    name: 'inventory: 17 hashes',
    at: 'voting',
    send: () =>
      post('/v1/inventory', {
        blocks: Array.from({ length: 17 }, (_, i) => i.toString(16).padStart(64, '0')),
      }),
    status: 400,
    expect: /body\.blocks: must be an array of 1 to 16 block hashes/,
  },
  {
    name: 'inventory: no hash',
    at: 'voting',
    send: () => post('/v1/inventory', { blocks: [] }),
    status: 400,
    expect: /body\.blocks/,
  },
  {
    name: 'inventory: an uppercase hash',
    at: 'voting',
    send: () => post('/v1/inventory', { blocks: ['AB'.repeat(32)] }),
    status: 400,
    expect: /body\.blocks\[0\]/,
  },
  {
    name: 'inventory: a hash twice',
    at: 'voting',
    send: () => post('/v1/inventory', { blocks: [at(1).hash, at(1).hash] }),
    status: 400,
    expect: /names a block twice/,
  },
  {
    name: 'inventory: from is not a peer address',
    at: 'voting',
    send: () => post('/v1/inventory', { blocks: [at(1).hash], from: 'example.com:80' }),
    status: 400,
    expect: /body\.from/,
  },
  {
    name: 'inventory: a block held is not wanted',
    at: 'voting',
    send: () => post('/v1/inventory', { blocks: [at(1).hash, at(5).hash] }),
    status: 200,
    expect: { wanted: [] },
  },
  {
    name: 'inventory: a block that could be is wanted',
    at: 'voting',
    send: () => post('/v1/inventory', { blocks: ['0c'.repeat(32)] }),
    status: 200,
    expect: { wanted: ['0c'.repeat(32)] },
  },
  {
    name: 'inventory: a hash above the target is no block',
    at: 'voting',
    send: () => post('/v1/inventory', { blocks: ['fc'.repeat(32)] }),
    status: 200,
    expect: { wanted: [] },
  },
  {
    name: 'inventory: nothing is wanted once sealed',
    at: 'sealed',
    send: () => post('/v1/inventory', { blocks: ['0c'.repeat(32)] }), // below the target
    status: 200,
    expect: { wanted: [] },
  },

  // ── Peer announcements ──
  {
    name: 'peer: a DNS name',
    at: 'voting',
    send: () => post('/v1/peers', { address: 'example.com:80' }),
    status: 400,
    expect: /onion v3/,
  },
  {
    name: 'peer: an onion v2 address',
    at: 'voting',
    send: () => post('/v1/peers', { address: 'expyuzz4wqqyqhjn.onion' }),
    status: 400,
    expect: /v2/,
  },
  {
    name: 'peer: a URL with a scheme',
    at: 'voting',
    send: () => post('/v1/peers', { address: 'http://127.0.0.1:1' }),
    status: 400,
    expect: /scheme/,
  },
  {
    name: 'peer: a number',
    at: 'voting',
    send: () => post('/v1/peers', { address: 42 }),
    status: 400,
    expect: /must be a string/,
  },

  // ── Routes and parameters ──
  {
    name: 'route: a short block hash',
    at: 'voting',
    send: () => get('/v1/blocks/xyz'),
    status: 400,
    expect: /hash: must be exactly 64/,
  },
  {
    name: 'route: an uppercase block hash',
    at: 'voting',
    send: () => get(`/v1/blocks/${'AB'.repeat(32)}`),
    status: 400,
    expect: /lowercase/,
  },
  {
    name: 'route: a bad %-escape',
    at: 'voting',
    send: () => get('/v1/blocks/%zz'),
    status: 400,
    expect: /bad request/,
  },
  {
    name: 'route: an unknown block',
    at: 'voting',
    send: () => get(`/v1/blocks/${'ab'.repeat(32)}`),
    status: 404,
    expect: /./,
  },
  {
    name: 'route: chain limit 101',
    at: 'voting',
    send: () => get('/v1/chain?limit=101'),
    status: 400,
    expect: /limit: must be in \[1, 100\]/,
  },
  {
    name: 'route: chain from twice',
    at: 'voting',
    send: () => get('/v1/chain?from=1&from=2'),
    status: 400,
    expect: /from/,
  },
  {
    name: 'route: an unknown parameter',
    at: 'voting',
    send: () => get('/v1/chain?evil=1'),
    status: 400,
    expect: /evil: is not a parameter/,
  },
  {
    name: 'route: unknown',
    at: 'voting',
    send: () => get('/v1/nothing'),
    status: 404,
    expect: /no such route/,
  },
  {
    name: 'route: DELETE',
    at: 'voting',
    send: () => ({ method: 'DELETE', path: '/v1/status' }),
    status: 404,
    expect: /no such route/,
  },

  // ── Not even HTTP ──
  {
    name: 'raw: not HTTP',
    at: 'voting',
    send: () => ({ raw: 'HELLO THERE\r\n\r\n' }),
    status: 400,
    expect: /bad request/,
  },
  {
    name: 'raw: headers over 16 KiB',
    at: 'voting',
    send: () => ({ raw: `GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n` }),
    status: 431,
    expect: /./,
  },
  {
    name: 'raw: two Content-Length headers',
    at: 'voting',
    send: () => ({
      raw: 'POST /v1/blocks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    }),
    status: 400,
    expect: /./,
  },
  {
    name: 'raw: a bad chunk size',
    at: 'voting',
    send: () => ({
      raw: 'POST /v1/blocks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    }),
    status: 400,
    expect: /./,
  },
];

/** Sends raw bytes; the status line and body of the answer, once the server closes or answers. */
async function sendRaw(port: number, bytes: string): Promise<{ status: number; body: string }> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk.toString();
  });
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(bytes);
  const timer = setTimeout(() => socket.destroy(), 5000);
  await once(socket, 'close');
  clearTimeout(timer);
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? 0);
  return { status, body: text.slice(text.indexOf('\r\n\r\n') + 4) };
}

async function throwAt(r: Runner, send: Send): Promise<{ status: number; body: string }> {
  if ('raw' in send) return sendRaw(r.api.port, send.raw);
  const response = await fetch(`http://127.0.0.1:${r.api.port}${send.path}`, {
    method: send.method,
    ...(send.type ? { headers: { 'content-type': send.type } } : {}),
    ...(send.body !== undefined ? { body: send.body } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}

describe('the hostile catalogue', { concurrency: false }, () => {
  test('has distinct names', () => {
    assert.equal(new Set(CATALOGUE.map((e) => e.name)).size, CATALOGUE.length);
  });

  for (const entry of CATALOGUE) {
    test(entry.name, async () => {
      const r = entry.at === 'voting' ? voting : sealed;
      const before = state(r, !entry.orphan);
      const { status, body } = await throwAt(r, entry.send());
      assert.equal(status, entry.status, body);
      if (entry.expect instanceof RegExp) {
        if (status !== 431 && !('raw' in entry.send() && status === 400 && body === '')) {
          const { error } = JSON.parse(body) as { error?: string };
          assert.equal(typeof error, 'string', body);
          assert.match(error!, entry.expect);
          assert.doesNotMatch(error!, /\n\s+at |node_modules|\.ts:\d/, 'no stack trace');
        }
      } else assert.deepEqual(JSON.parse(body), entry.expect);
      assert.deepEqual(state(r, !entry.orphan), before, 'the runner changed');
    });
  }
});
