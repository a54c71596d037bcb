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
  usage: 'onion-election verify FILE [--tracker T]',
  description: [
    'Re-checks an election record (from `onion-election export`) from scratch: every block hash,',
    'proof of work and timestamp, every tallier key and ballot proof, the tallier election with its',
    'tie rule, the tally, every decryption factor and the result. Prints the result or the first',
    "failure. With --tracker (a ballot's receipt: its tracker, or its first 16 hex digits or more), says",
    'whether that ballot is counted.',
    '',
    'Exit status: 0 verified, 1 invalid, 2 valid so far but incomplete (no result yet), 3 verified',
    'but the --tracker ballot is not counted.',
  ].join('\n'),
  options: ['tracker'],
  async run(values, args) {
    if (args.length !== 1) throw new UsageError('verify takes exactly one FILE');
    const tracker = values.tracker as string | undefined;
    if (tracker !== undefined && !/^[0-9a-fA-F]{16,64}$/.test(tracker))
      throw new UsageError('--tracker takes a ballot tracker: 16 to 64 hex digits');
    const bytes = await readFile(args[0]!);
    let outcome: Outcome;
    try {
      // Strictly: the record checked must be the one in the file, byte for byte (UTF-8, protocol
      // JSON: no duplicate key, integers in plain decimal). A file that is not is an invalid record.
      outcome = await verifyRecord(
        readJson(strictUtf8(bytes, 'the file'), 'record'),
        tracker === undefined ? {} : { tracker },
      );
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof Utf8Error)) throw error;
      outcome = { status: 'invalid', error: error.message };
    }
    console.log(formatOutcome(outcome));
    if (
      outcome.status === 'verified' &&
      outcome.summary.tracker?.state !== undefined &&
      outcome.summary.tracker.state !== 'counted'
    )
      return 3;
    return outcome.status === 'verified' ? 0 : outcome.status === 'incomplete' ? 2 : 1;
  },
};
