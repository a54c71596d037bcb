// Chain benchmarks: reloading a data directory of 10,000 blocks (issue floor: report it), and
// validating one ballot block. The 10,000-block directory takes ~90 s of ballot encryption to
// build, so it is built once and kept in the system temp folder for later runs.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeBlock } from '../main/chain/block';
import { Chain } from '../main/chain/chain';
import { encodeGenesis } from '../main/chain/genesis';
import { ballotPayload, extend, keyPayload, makeBlock, Talliers, testGenesis } from '../main/chain/testing';
import { ElectionNode } from '../main/node/election-node';
import { DataDir } from '../main/store/data-dir';
import { medianMs, type Suite } from './harness';

const BLOCKS = 10_000;
const genesis = testGenesis({
  title: 'Reload benchmark',
  nTalliers: 2,
  nTalliersBlocks: 3,
  nVoteBlocks: BLOCKS,
  confirmations: 0,
});
const FIXTURE = path.join(os.tmpdir(), `onion-election-bench-reload-${genesis.idHex.slice(0, 12)}`);

async function buildFixture(report: (text: string) => void): Promise<void> {
  if (existsSync(path.join(FIXTURE, 'complete'))) return;
  rmSync(FIXTURE, { recursive: true, force: true });
  report(`building ${BLOCKS} blocks in ${FIXTURE} (once)…`);
  const chain = new Chain(genesis);
  const { keys } = new Talliers(genesis, 2);
  let tip = chain.genesisMeta;
  for (const key of [keys[0]!, keys[1]!, keys[0]!]) tip = extend(chain, tip, keyPayload(key));
  const { dataDir } = await DataDir.open(FIXTURE);
  await dataDir.save('genesis', encodeGenesis(genesis));
  const { log } = await dataDir.openBlockLog();
  const records = chain.branch().map((m) => ({ type: 'block', block: encodeBlock(genesis.group, m.block!) }));
  while (tip.height < BLOCKS) {
    const block = makeBlock(chain, tip, ballotPayload(chain, tip, (tip.height % 2) as 0 | 1), {
      timestamp: tip.timestamp + 1,
    });
    const result = chain.add(block);
    if (result.status !== 'added') throw new Error(`fixture block refused: ${result.status}`);
    tip = result.added[0]!;
    records.push({ type: 'block', block: encodeBlock(genesis.group, block) });
    if (records.length >= 500) await log.appendMany(records.splice(0));
  }
  await log.appendMany(records);
  await dataDir.close();
  mkdirSync(path.join(FIXTURE, 'complete'));
}

export const chainSuite: Suite = {
  name: 'chain',
  async run(report) {
    await buildFixture((text) => console.log(`  ${text}`));
    const reloads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const node = await ElectionNode.open(FIXTURE, { mining: false });
      reloads.push((performance.now() - start) / 1000);
      if (node.chain.tip.height !== BLOCKS) throw new Error(`reloaded to height ${node.chain.tip.height}`);
      await node.close();
    }
    const reload = reloads.sort((a, b) => a - b)[1]!;
    report.metric({
      name: 'store_reload_10000_blocks_s',
      value: reload,
      unit: 's',
      note: 'open data dir, replay 10,000 blocks (median of 3)',
    });

    const chain = new Chain(genesis);
    const { keys } = new Talliers(genesis, 2);
    let tip = chain.genesisMeta;
    for (const key of keys) tip = extend(chain, tip, keyPayload(key));
    tip = extend(chain, tip, keyPayload(keys[0]!));
    const blocks = Array.from({ length: 60 }, (_, i) =>
      makeBlock(chain, tip, ballotPayload(chain, tip, 1), { miner: `m${i}` }),
    );
    let next = 0;
    const addMs = await medianMs(() => chain.add(blocks[next++]!), 50, 5);
    report.metric({
      name: 'chain_add_ballot_block_ms',
      value: addMs,
      unit: 'ms',
      note: 'validate (proofs included) and store one ballot block',
    });
  },
};
