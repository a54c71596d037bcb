// Child process for the crash test: opens (or creates) a node in argv[2] for a long election,
// mines, and prints each block's hash once the node has made it durable.

import { testGenesis } from '../../chain/testing';
import { ElectionNode } from '../election-node';

const dir = process.argv[2]!;
const genesis = testGenesis({ nTalliers: 1, nTalliersBlocks: 2, nVoteBlocks: 5000, confirmations: 0 });
const settings = { name: 'crash-test', vote: 1 as const, mining: true, threads: 1 };
const node =
  process.argv[3] === 'create'
    ? await ElectionNode.create(dir, genesis, settings)
    : await ElectionNode.open(dir);
node.on('block', (meta) => process.stdout.write(`${meta.hash}\n`));
node.startMining();
