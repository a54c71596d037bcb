// Known-answer vectors for main/crypto: fixed secret keys and nonces, and the exact outputs they
// must produce. `npx tsx scripts/crypto-vectors.ts` rewrites docs/test-vectors/crypto-v1.json;
// main/crypto/vectors.test.ts recomputes it and demands byte equality. The file lists every
// input, so another implementation can check itself without this derivation.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromBytes, toHex } from '../main/crypto/bigint';
import {
  decryptTally,
  electionKey,
  encodeBallot,
  encodeCiphertext,
  encodeDecryptionFactor,
  encodeGroup,
  encodeTallierKey,
  encryptBallot,
  fixedRandomness,
  Group,
  TallierSecretKey,
  tallyBallots,
  type Vote,
} from '../main/crypto/index';

export const VECTORS_PATH = fileURLToPath(new URL('../docs/test-vectors/crypto-v1.json', import.meta.url));

/** A fixed "random" scalar in [1, q) derived from a label, so the vectors need no stored seed. */
export function fixedScalar(q: bigint, label: string): bigint {
  const wide = Buffer.concat([0, 1].map((i) => createHash('sha512').update(`${label}/${i}`).digest()));
  return (fromBytes(wide) % (q - 1n)) + 1n;
}

export function fixedChallenge(label: string): bigint {
  return fromBytes(createHash('sha256').update(label).digest());
}

export function buildCryptoVectors(group: Group = Group.default()): unknown {
  const { q } = group;
  const hex = (x: bigint) => toHex(x, group.byteWidth * 2);
  const context = createHash('sha256').update('onion-election test vector election id').digest();
  const votes: Vote[] = [1, 0, 1];

  const talliers = [0, 1].map((i) => {
    const secretKey = fixedScalar(q, `tallier/${i}/secret_key`);
    const nonce = fixedScalar(q, `tallier/${i}/pk_pok/w`);
    const secret = TallierSecretKey.fromSecret(group, secretKey);
    return { secret, secretKey, nonce, key: secret.provePossession(context, fixedRandomness([nonce])) };
  });
  const h = electionKey(
    group,
    context,
    talliers.map((t) => t.key),
  );

  const ballots = votes.map((vote, i) => {
    const [r, w, t] = ['r', 'w', 't'].map((n) => fixedScalar(q, `ballot/${i}/${n}`)) as [
      bigint,
      bigint,
      bigint,
    ];
    const simulated = fixedChallenge(`ballot/${i}/simulated_challenge`);
    const ballot = encryptBallot(group, context, h, vote, fixedRandomness([r, w, simulated, t]));
    return {
      vote,
      randomness: { r: hex(r), w: hex(w), simulated_challenge: toHex(simulated, 64), t: hex(t) },
      ballot,
    };
  });
  const tally = tallyBallots(
    group,
    ballots.map((b) => b.ballot),
  );

  const factors = talliers.map((t, i) => {
    const nonce = fixedScalar(q, `tallier/${i}/dec_factor_poc/w`);
    return { nonce, factor: t.secret.decryptionFactor(context, tally, undefined, fixedRandomness([nonce])) };
  });
  const result = decryptTally(
    group,
    context,
    tally,
    ballots.length,
    talliers.map((t) => t.key.pk),
    factors.map((f) => f.factor),
  );

  return {
    description:
      'Known-answer vectors for the Onion Election cryptography v1 (docs/CRYPTO.md). Every number is ' +
      'fixed-width lowercase hex. Randomness is listed in the order each operation draws it.',
    group: encodeGroup(group),
    context: context.toString('hex'),
    talliers: talliers.map((t, i) => ({
      secret_key: hex(t.secretKey),
      pk_pok_randomness: { w: hex(t.nonce) },
      tallier_key: encodeTallierKey(group, t.key),
      dec_factor_randomness: { w: hex(factors[i]!.nonce) },
      dec_factor: encodeDecryptionFactor(group, factors[i]!.factor),
    })),
    election_key: hex(h),
    ballots: ballots.map((b) => ({
      vote: b.vote,
      randomness: b.randomness,
      ballot: encodeBallot(group, b.ballot),
    })),
    tally: encodeCiphertext(group, tally),
    result,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(VECTORS_PATH, `${JSON.stringify(buildCryptoVectors(), null, 2)}\n`);
  console.log(`wrote ${VECTORS_PATH}`);
}
