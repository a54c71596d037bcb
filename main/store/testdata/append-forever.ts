// Fixture for record-log.crash.test.ts (run as a child process, not a test): appends numbered
// records to the log given as argument, continuing after those already there, until killed.
// Prints each record's number once its append has resolved, i.e. once it is acknowledged.
// Eight appends stay in flight so the kill also lands inside group commits.
import { RecordLog } from '../record-log';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: append-forever.ts <log file>');
const { log, records } = await RecordLog.open(file);
let next = records.length;
const IN_FLIGHT = 8;
// ~4.5 KB, like a block, so that writes straddle pages and a kill can tear a record.
const pad = 'ab01'.repeat(1125);

async function appendLoop(): Promise<never> {
  for (;;) {
    const i = next++;
    await log.append({ i, pad });
    process.stdout.write(`${i}\n`);
  }
}

// Each loop takes the next number synchronously before awaiting, so appends are queued in order
// and, the queue being FIFO, acknowledged in order.
await Promise.all(Array.from({ length: IN_FLIGHT }, appendLoop));
