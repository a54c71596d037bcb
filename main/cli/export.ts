// `onion-election export`: the election record of a data directory's best chain (PROTOCOL §8).
import { writeFile } from 'node:fs/promises';
import { ElectionNode } from '../node/election-node';
import type { Command } from './command';
import { dataDirOf } from './options';

export const exportCommand: Command = {
  summary: 'write the election record (genesis, best chain, factors, result) as JSON',
  usage: 'onion-election [-n NAME | -d DIR] export [-o FILE]',
  description: [
    "Writes the election record of a runner's data folder: the genesis, the blocks of the best",
    'chain, the decryption factors and the result. `onion-election verify FILE` checks it.',
    'It only reads the folder (nothing is written or repaired), so it works beside a running runner.',
  ].join('\n'),
  options: ['name', 'data-dir', 'output'],
  async run(values) {
    const node = await ElectionNode.open(dataDirOf(values), {}, { inspect: true });
    try {
      const text = `${JSON.stringify(node.exportRecord(), null, 2)}\n`;
      if (values.output) {
        await writeFile(values.output, text);
        const state = node.chain.state();
        console.error(`wrote ${values.output}: ${state.tip.height} blocks, ${state.ballots} ballots`);
      } else {
        process.stdout.write(text);
      }
    } finally {
      await node.close();
    }
    return 0;
  },
};
