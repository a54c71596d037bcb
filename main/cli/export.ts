// `onion-election export`: the election record of a data directory's best chain (PROTOCOL §8).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ElectionNode } from '../node/election-node';
import { type Command, DATA_DIR_HELP, dataDirOf, dataDirOptions } from './command';

export const exportCommand: Command = {
  summary: 'write the election record (genesis, best chain, factors, result) as JSON',
  help: [
    'Usage: onion-election export [-n NAME | -d DIR] [-o FILE]',
    '',
    "Writes the election record of a runner's data directory: the genesis, the blocks of the best",
    'chain, the decryption factors and the result. `onion-election verify FILE` checks it.',
    'The runner must not be running (it holds the directory).',
    '',
    'Options:',
    DATA_DIR_HELP,
    '  -o, --output FILE     write to FILE instead of standard output',
  ].join('\n'),
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { ...dataDirOptions, output: { type: 'string', short: 'o' } },
    });
    const node = await ElectionNode.open(dataDirOf(values), {});
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
