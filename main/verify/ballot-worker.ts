// Worker-thread entry of the record verifier: checks the lists of ballots it is sent (checkBallots)
// and answers each with its first failure, in the order received.
import { parentPort, workerData } from 'node:worker_threads';
import { Group } from '../crypto/group';
import { type BallotCheckInit, checkBallots } from './ballots';
import type { BallotJob, BallotReply } from './pool';

const init = workerData as BallotCheckInit;
const port = parentPort;
if (!port) throw new Error('ballot-worker must run in a worker thread');
// The parent validated these parameters already; fromParams validates again (instantly for the
// default group) because it is the only way to make a Group.
const group = Group.fromParams(init.group);

port.on('message', (job: BallotJob) => {
  const reply: BallotReply = { id: job.id, failure: checkBallots(group, init, job.ballots) };
  port.postMessage(reply);
});
