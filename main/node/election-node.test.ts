import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeBlock } from '../chain/block';
import { Chain, MAX_SIDE_BLOCKS } from '../chain/chain';
import type { ResultState } from '../chain/results';
import { ballotPayload, confirmation, extend, keyPayload, makeBlock, testGenesis } from '../chain/testing';
import { DataDir } from '../store/data-dir';
import { ElectionNode } from './election-node';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-node-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const genesis = testGenesis({ nTalliers: 1, nTalliersBlocks: 2, nVoteBlocks: 5, confirmations: 1 });
const settings = { name: 'solo', vote: 1 as const, mining: true, threads: 1 };

describe('election node', () => {
  test('a lone runner mines the whole election, decrypts as sole tallier, and restarts into the same state', async () => {
    const dir = path.join(tmp, 'solo');
    const node = await ElectionNode.create(dir, genesis, settings);
    const result = once(node, 'result') as Promise<[ResultState]>;
    node.startMining();
    const [state] = await result;
    assert.deepEqual(state.result, { yes: 5, no: 0, total: 5 });
    assert.equal(node.chain.tip.height, node.chain.finalHeight);
    assert.equal(statSync(node.dataDir.file('tallierKey')).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const tip = node.chain.tip.hash;
    await node.close();

    const reopened = await ElectionNode.open(dir);
    assert.equal(reopened.chain.tip.hash, tip);
    assert.deepEqual(reopened.resultState()?.result, { yes: 5, no: 0, total: 5 });
    assert.equal(reopened.tallierKey.pk, state.final.talliers[0]);
    await reopened.close();
  });

  test('3,000 side blocks from a peer: at most MAX_SIDE_BLOCKS are validated and stored, the rest declined', async () => {
    const dir = path.join(tmp, 'side-flood');
    const node = await ElectionNode.create(dir, genesis, { ...settings, mining: false });
    try {
      // The peer's own chain: the best chain here is three blocks long.
      const chain = new Chain(genesis);
      let tip = chain.genesisMeta;
      for (let i = 0; i < 3; i++)
        tip = extend(chain, tip, i < 2 ? keyPayload(node.tallierKey) : ballotPayload(chain, tip, 1));
      for (const m of chain.branch(tip)) await node.submitBlock(encodeBlock(genesis.group, m.block!), 'sync');
      const logBefore = statSync(path.join(dir, 'blocks.log')).size;
      // Then 3,000 valid siblings of the first block, each with its own proof of work.
      const counts = new Map<string, number>();
      for (let i = 0; i < 3000; i++) {
        const block = makeBlock(chain, chain.genesisMeta, keyPayload(node.tallierKey), {
          miner: `flood${i}`,
        });
        const result = await node.submitBlock(encodeBlock(genesis.group, block));
        counts.set(result.status, (counts.get(result.status) ?? 0) + 1);
      }
      assert.deepEqual(Object.fromEntries(counts), {
        added: MAX_SIDE_BLOCKS,
        declined: 3000 - MAX_SIDE_BLOCKS,
      });
      assert.equal(node.chain.tip.hash, tip.hash);
      assert.equal(node.chain.size, 1 + 3 + MAX_SIDE_BLOCKS);
      // The log grew by the stored blocks only (a key block is ~1.6 KB).
      const grown = statSync(path.join(dir, 'blocks.log')).size - logBefore;
      assert.ok(grown < MAX_SIDE_BLOCKS * 2500, `log grew by ${grown} bytes`);
    } finally {
      await node.close();
    }
  });

  test('an anonymous runner mines blocks with an empty miner label', async () => {
    const node = await ElectionNode.create(path.join(tmp, 'anonymous'), genesis, {
      ...settings,
      mining: false,
      anonymous: true,
    });
    try {
      assert.equal(node.template()?.miner, '');
      await node.updateSettings({ anonymous: false });
      assert.equal(node.template()?.miner, settings.name);
    } finally {
      await node.close();
    }
  });

  test('a torn last record is dropped with a warning and the node carries on', async () => {
    const dir = path.join(tmp, 'torn');
    const node = await ElectionNode.create(dir, genesis, { ...settings, vote: 0 });
    node.startMining();
    await once(node, 'result');
    const height = node.chain.tip.height;
    await node.close();
    appendFileSync(path.join(dir, 'blocks.log'), Buffer.from([0, 0, 0x12, 0x34, 1, 2, 3]));
    const reopened = await ElectionNode.open(dir);
    assert.equal(reopened.startupWarnings.length, 1);
    assert.match(reopened.startupWarnings[0]!, /discarded the last 7 bytes/);
    assert.equal(reopened.chain.tip.height, height);
    assert.deepEqual(reopened.resultState()?.result, { yes: 0, no: 5, total: 5 });
    await reopened.close();
  });

  test('a bad block from a peer is refused and changes nothing', async () => {
    const dir = path.join(tmp, 'bad');
    const node = await ElectionNode.create(dir, genesis, settings);
    const before = node.chain.size;
    await assert.rejects(node.submitBlock({ height: 1 }), /block\.prev: is missing/);
    await assert.rejects(node.submitFactor({}), /dec_factor\.pk: is missing/);
    assert.equal(node.chain.size, before);
    await node.close();
  });

  test('kill -9 while mining: every block announced as durable is there after a restart', async () => {
    const dir = path.join(tmp, 'crash');
    const script = fileURLToPath(new URL('./testdata/mine-and-report.ts', import.meta.url));
    const run = async (mode: 'create' | 'open', atLeast: number) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, dir, mode], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const acknowledged: string[] = [];
      let buffer = '';
      const enough = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${acknowledged.length} blocks in 30 s`)),
          30_000,
        );
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          acknowledged.push(...lines);
          if (acknowledged.length >= atLeast) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      try {
        await enough;
      } finally {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
      return acknowledged;
    };
    const first = await run('create', 40);
    const second = await run('open', 20);
    const node = await ElectionNode.open(dir);
    try {
      for (const hash of [...first, ...second])
        assert.ok(node.chain.has(hash), `block ${hash} was acknowledged, then lost`);
      const best = node.chain.branch();
      assert.ok(best.length >= first.length + second.length);
      assert.equal(node.chain.state().ballots, best.length - 2);
    } finally {
      await node.close();
    }
  });

  test('a tallier key that decrypted one tally never decrypts another: the node refuses, says why, and publishes nothing', async () => {
    const dir = path.join(tmp, 'used-key');
    // A key file that already decrypted some other final block (of this election or a copy of it).
    const first = await ElectionNode.create(dir, genesis, { ...settings, mining: false });
    await first.close();
    const keyFile = path.join(dir, 'tallier-key.json');
    const used = 'ab'.repeat(32);
    const key = JSON.parse(readFileSync(keyFile, 'utf8'));
    writeFileSync(keyFile, JSON.stringify({ ...key, decrypted: used }), { mode: 0o600 });

    const node = await ElectionNode.open(dir);
    const sealed = once(node, 'sealed');
    node.startMining();
    await sealed; // the lone tallier accepts its own final block: sealed at once
    await new Promise((r) => setTimeout(r, 300)); // its duties run after the seal
    assert.deepEqual(node.factors.factorsFor(node.chain.tip.hash), [], 'no factor made');
    assert.equal(node.resultState()?.result, undefined);
    assert.match(
      node.tallierDuties().refusal ?? '',
      /decrypted the tally of block abababababababab… and never decrypts another/,
    );
    assert.equal(node.tallierDuties().decrypted, used);
    await node.close();
    assert.equal(
      JSON.parse(readFileSync(keyFile, 'utf8')).decrypted,
      used,
      'the key file still names the first block',
    );
  });

  test('the key file records each acceptance and the one decryption before they leave, and survives a restart', async () => {
    const dir = path.join(tmp, 'journal');
    const node = await ElectionNode.create(dir, genesis, settings);
    const result = once(node, 'result') as Promise<[ResultState]>;
    node.startMining();
    const [state] = await result;
    const final = node.chain.tip.hash;
    await node.close();
    const file = JSON.parse(readFileSync(path.join(dir, 'tallier-key.json'), 'utf8'));
    assert.deepEqual(Object.keys(file), ['secret_key', 'accepted', 'decrypted']);
    assert.equal(file.decrypted, final);
    assert.deepEqual(
      file.accepted.map((a: { round: number; final: string }) => [a.round, a.final]),
      [[1, final]],
    );
    assert.equal(state.factors[0]?.final, final, 'the factor names the sealed block');

    const reopened = await ElectionNode.open(dir);
    assert.equal(reopened.seal()?.final.hash, final, 'the seal is replayed from the log');
    assert.equal(reopened.chain.lockedFinal?.hash, final);
    assert.deepEqual(reopened.resultState()?.result, state.result);
    await reopened.close();
  });

  test('opened for inspection (status, export), a tallier at the final height signs and decrypts nothing', async () => {
    const dir = path.join(tmp, 'inspect');
    const created = await ElectionNode.create(dir, genesis, { ...settings, mining: false });
    const key = created.tallierKey;
    await created.close();
    // Its whole election, mined elsewhere with its key, arrives while the folder is inspected.
    const chain = new Chain(genesis);
    let tip = chain.genesisMeta;
    while (tip.height < chain.finalHeight) {
      const h = tip.height + 1;
      tip = extend(
        chain,
        tip,
        h <= genesis.nTalliersBlocks ? keyPayload(key) : h <= 7 ? ballotPayload(chain, tip, 1) : confirmation,
      );
    }
    // Written straight into the folder's log, as a runner that stored them would have.
    const { dataDir } = await DataDir.open(dir);
    const { log } = await dataDir.openBlockLog();
    await log.appendMany(
      chain.branch().map((m) => ({ type: 'block', block: encodeBlock(genesis.group, m.block!) })),
    );
    await dataDir.close();
    const inspected = await ElectionNode.open(dir, {}, { inspect: true });
    assert.equal(inspected.chain.tip.height, inspected.chain.finalHeight);
    await assert.rejects(inspected.dataDir.save('settings', {}), /inspection only/);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(inspected.acceptances(), []);
    await inspected.close();
    const file = JSON.parse(readFileSync(path.join(dir, 'tallier-key.json'), 'utf8'));
    assert.deepEqual([file.accepted, file.decrypted], [[], null]);
    // Run for real: it accepts, seals (the only tallier) and decrypts.
    const running = await ElectionNode.open(dir);
    const [state] = (await once(running, 'result')) as [ResultState];
    assert.deepEqual(state.result, { yes: 5, no: 0, total: 5 });
    await running.close();
  });

  test('a deleted tallier key file: refused once the key stands on the chain, nothing written; a loose one is made 0600', async () => {
    const dir = path.join(tmp, 'lost-key');
    const node = await ElectionNode.create(dir, genesis, settings);
    const onChain = once(node, 'block');
    node.startMining();
    await onChain; // height 1: this runner's key block
    await node.close();
    const keyFile = path.join(dir, 'tallier-key.json');
    const settingsBefore = readFileSync(path.join(dir, 'settings.json'), 'utf8');

    chmodSync(keyFile, 0o644);
    const loose = await ElectionNode.open(dir, { mining: false });
    assert.ok(
      loose.startupWarnings.some((w) =>
        /tallier-key\.json was readable by other users: its mode is now 600/.test(w),
      ),
    );
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    await loose.close();

    const backup = readFileSync(keyFile);
    rmSync(keyFile);
    await assert.rejects(
      ElectionNode.open(dir, { mining: false }),
      /tallier-key\.json is missing, but this runner's tallier key \([0-9a-f]{16}…\) is already on the chain.*Restore tallier-key\.json from a backup/,
    );
    assert.equal(existsSync(keyFile), false, 'no new key was written');
    assert.equal(
      JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')).tallierPk,
      JSON.parse(settingsBefore).tallierPk,
    );
    writeFileSync(keyFile, backup, { mode: 0o600 });
    const restored = await ElectionNode.open(dir, { mining: false });
    assert.equal(
      restored.tallierKey.pk.toString(16).padStart(512, '0'),
      JSON.parse(settingsBefore).tallierPk,
    );
    await restored.close();
  });

  test('a deleted key file whose key never stood on the chain is replaced, with a warning', async () => {
    const dir = path.join(tmp, 'lost-unused-key');
    const node = await ElectionNode.create(dir, genesis, { ...settings, mining: false });
    const old = node.tallierKey.pk;
    await node.close();
    rmSync(path.join(dir, 'tallier-key.json'));
    const reopened = await ElectionNode.open(dir);
    assert.notEqual(reopened.tallierKey.pk, old);
    assert.ok(reopened.startupWarnings.some((w) => /was missing: a new tallier key was made/.test(w)));
    await reopened.close();
    assert.equal(statSync(path.join(dir, 'tallier-key.json')).mode & 0o777, 0o600);
  });
});
