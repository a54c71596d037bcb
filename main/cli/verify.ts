// `onion-election verify FILE`: re-checks an election record from scratch.
import { readFile } from 'node:fs/promises';
import { strictUtf8 } from '../store/utf8';
import { formatOutcome, verifyRecord } from '../verify/verify';
import type { Command } from './command';
import { UsageError } from './options';

/** Exit codes: 0 verified, 1 invalid, 2 valid so far but incomplete (no result yet). */
export const verifyCommand: Command = {
  summary: 'check an election record: every block, proof, the tally and the result',
  usage: 'onion-election verify FILE',
  description: [
    'Re-checks an election record (from `onion-election export`) from scratch: every block hash,',
    'proof of work and timestamp, every tallier key and ballot proof, the tallier election with its',
    'tie rule, the tally, every decryption factor and the result. Prints the result or the first',
    'failure.',
    '',
    'Exit status: 0 verified, 1 invalid, 2 valid so far but incomplete (no result yet).',
  ].join('\n'),
  options: [],
  async run(_values, args) {
    if (args.length !== 1) throw new UsageError('verify takes exactly one FILE');
    const bytes = await readFile(args[0]!);
    let record: unknown;
    try {
      // Strictly: the record checked must be the one in the file, byte for byte.
      record = JSON.parse(strictUtf8(bytes, 'the file'));
    } catch (error) {
      console.error(`${args[0]}: not JSON (${(error as Error).message})`);
      return 1;
    }
    const outcome = await verifyRecord(record);
    console.log(formatOutcome(outcome));
    return outcome.status === 'verified' ? 0 : outcome.status === 'incomplete' ? 2 : 1;
  },
};
