// `onion-election verify FILE`: re-checks an election record from scratch.
import { readFile } from 'node:fs/promises';
import { ValidationError } from '../crypto/errors';
import { readJson } from '../crypto/json';
import { strictUtf8, Utf8Error } from '../store/utf8';
import { formatOutcome, type Outcome, verifyRecord } from '../verify/verify';
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
    let outcome: Outcome;
    try {
      // Strictly: the record checked must be the one in the file, byte for byte (UTF-8, protocol
      // JSON: no duplicate key, integers in plain decimal). A file that is not is an invalid record.
      outcome = await verifyRecord(readJson(strictUtf8(bytes, 'the file'), 'record'));
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof Utf8Error)) throw error;
      outcome = { status: 'invalid', error: error.message };
    }
    console.log(formatOutcome(outcome));
    return outcome.status === 'verified' ? 0 : outcome.status === 'incomplete' ? 2 : 1;
  },
};
