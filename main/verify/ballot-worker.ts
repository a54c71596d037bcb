// Worker-thread entry of the record verifier: says when it is ready, then checks the lists of
// ballots it is sent (checkBallots) and answers each with its first failure, in the order received.
import { parentPort, workerData } from 'node:worker_threads';
import { type BallotCheckInit, checkBallots, verifierGroup } from './ballots';
import type { BallotJob, BallotReply } from './pool';

const init = workerData as BallotCheckInit;
const port = parentPort;
if (!port) throw new Error('ballot-worker must run in a worker thread');
const group = verifierGroup(init.group);

port.on('message', (job: BallotJob) => {
  const reply: BallotReply = { id: job.id, failure: checkBallots(group, init, job.ballots) };
  port.postMessage(reply);
});
port.postMessage('ready');
