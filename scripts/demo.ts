// `npm run demo`: one election's cryptography from start to finish, in one process, narrated.
// (The network issue replaces this with four runner processes electing over HTTP.)
import { randomBytes } from 'node:crypto';
import {
  addToTally,
  decryptTally,
  EMPTY_TALLY,
  electionKey,
  encodeBallot,
  encryptBallot,
  Group,
  parseBallot,
  TallierSecretKey,
  type Vote,
  verifyBallot,
} from '../main/crypto/index';

const VOTERS = 12;
const TALLIERS = 3;
const short = (x: bigint) => `${x.toString(16).slice(0, 12)}…`;
const timed = <T>(fn: () => T): [T, string] => {
  const start = performance.now();
  const value = fn();
  return [value, `${(performance.now() - start).toFixed(0)} ms`];
};

const group = Group.default();
const electionId = randomBytes(32);
console.log(`Onion Election — cryptography demo`);
console.log(`group: RFC 3526 2048-bit MODP, exponentiation backend: ${group.backend.name}`);
console.log(`election id (the context of every proof): ${electionId.toString('hex').slice(0, 16)}…\n`);

console.log(`1. Key election: ${TALLIERS} talliers publish a public key with a proof of knowledge`);
const talliers = Array.from({ length: TALLIERS }, () => TallierSecretKey.generate(group));
const keys = talliers.map((t) => t.provePossession(electionId));
for (const [i, k] of keys.entries()) console.log(`   tallier ${i + 1}: pk ${short(k.pk)}`);
const [h, keyTime] = timed(() => electionKey(group, electionId, keys));
console.log(`   election key h = Π pk: ${short(h)} (every pk_pok checked, ${keyTime})\n`);

console.log(`2. Voting: ${VOTERS} ballots, each an encryption of 0 or 1 with a disjunctive proof`);
const votes: Vote[] = Array.from({ length: VOTERS }, () => (randomBytes(1)[0]! & 1 ? 1 : 0));
const [wire, encryptTime] = timed(() =>
  votes.map((v) => JSON.stringify(encodeBallot(group, encryptBallot(group, electionId, h, v)))),
);
console.log(
  `   encrypted in ${encryptTime} (the first builds h's fixed-base table); ballot size ${wire[0]!.length} bytes of JSON`,
);
const [tally, verifyTime] = timed(() =>
  wire.reduce((acc, json) => {
    const ballot = parseBallot(group, JSON.parse(json));
    verifyBallot(group, electionId, h, ballot);
    return addToTally(group, acc, ballot);
  }, EMPTY_TALLY),
);
console.log(`   every ballot parsed, checked and multiplied into the tally in ${verifyTime}\n`);

console.log('3. Result: each tallier publishes a proven decryption factor of the tally');
const factors = talliers.map((t) => t.decryptionFactor(electionId, tally));
const [result, decryptTime] = timed(() =>
  decryptTally(
    group,
    electionId,
    tally,
    wire.length,
    keys.map((k) => k.pk),
    factors,
  ),
);
console.log(`   factors checked, combined and decrypted in ${decryptTime}`);
console.log(`   yes ${result.yes} · no ${result.no} · total ${result.total}`);
const expected = votes.filter((v) => v === 1).length;
console.log(
  `   (the voters' plaintext votes held ${expected} yes: ${expected === result.yes ? 'match' : 'MISMATCH'})`,
);
if (expected !== result.yes) process.exit(1);
