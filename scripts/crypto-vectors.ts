// Known-answer vectors for main/crypto: fixed secret keys and nonces, and the exact outputs they
// must produce. `npx tsx scripts/crypto-vectors.ts` rewrites docs/test-vectors/crypto-v1.json
// (the constructions of version 1) and crypto-v2.json (what version 2 added: the dec_factor_poc
// binding the final block, and the acceptance signature, each with its challenge input byte for
// byte); main/crypto/vectors.test.ts recomputes both and demands byte equality. The files list
// every input, so another implementation can check itself without this derivation.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromBytes, toBytes, toHex } from '../main/crypto/bigint';
import { yesNoResult } from '../main/crypto/decryption';
import { u32 } from '../main/crypto/framing';
import {
  type Ciphertext,
  decryptTally,
  electionKey,
  encodeAcceptance,
  encodeBallot,
  encodeCiphertext,
  encodeDecryptionFactor,
  encodeGroup,
  encodeTallierKey,
  encryptBallot,
  fixedRandomness,
  Group,
  PROOF_TAGS,
  TallierSecretKey,
  tallyBallots,
  type Vote,
} from '../main/crypto/index';

export const VECTORS_PATH = fileURLToPath(new URL('../docs/test-vectors/crypto-v1.json', import.meta.url));
export const VECTORS_V2_PATH = fileURLToPath(new URL('../docs/test-vectors/crypto-v2.json', import.meta.url));

/** A fixed "random" scalar in [1, q) derived from a label, so the vectors need no stored seed. */
export function fixedScalar(q: bigint, label: string): bigint {
  const wide = Buffer.concat([0, 1].map((i) => createHash('sha512').update(`${label}/${i}`).digest()));
  return (fromBytes(wide) % (q - 1n)) + 1n;
}

export function fixedChallenge(label: string): bigint {
  return fromBytes(createHash('sha256').update(label).digest());
}

/**
 * Two talliers whose secret keys and pk_pok nonces are fixed by labels `<prefix>tallier/<i>/…`, and
 * their election key: every vector file's talliers.
 */
export function fixedTalliers(group: Group, context: Uint8Array, prefix: string) {
  const talliers = [0, 1].map((i) => {
    const secretKey = fixedScalar(group.q, `${prefix}tallier/${i}/secret_key`);
    const nonce = fixedScalar(group.q, `${prefix}tallier/${i}/pk_pok/w`);
    const secret = TallierSecretKey.fromSecret(group, secretKey);
    return { secret, secretKey, nonce, key: secret.provePossession(context, fixedRandomness([nonce])) };
  });
  const h = electionKey(
    group,
    context,
    talliers.map((t) => t.key),
  );
  return { talliers, h };
}

export function buildCryptoVectors(group: Group = Group.default()): unknown {
  const { q } = group;
  const hex = (x: bigint) => toHex(x, group.byteWidth * 2);
  const context = createHash('sha256').update('onion-election test vector election id').digest();
  const votes: Vote[] = [1, 0, 1];

  const { talliers, h } = fixedTalliers(group, context, '');

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
    return {
      nonce,
      factor: t.secret.decryptionFactor(context, [tally], undefined, fixedRandomness([nonce])),
    };
  });
  const result = yesNoResult(
    decryptTally(
      group,
      context,
      [tally],
      ballots.length,
      talliers.map((t) => t.key.pk),
      factors.map((f) => f.factor),
    ),
    ballots.length,
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

// ── Version 2 ────────────────────────────────────────────────────────────────────────────────

/** One field of a challenge's hash input: its name and its bytes before framing, hex. */
export interface ChallengeField {
  name: string;
  bytes: string;
}

/** A challenge's hash input: its fields, and F(field_1) ‖ … ‖ F(field_n) whose SHA-256 is the challenge. */
export interface ChallengeInput {
  fields: ChallengeField[];
  bytes: string;
}

/**
 * Lays out a challenge input as docs/CRYPTO.md §2 specifies it, independently of
 * main/crypto/transcript.ts: F(b) = u32be(len(b)) ‖ b over tag, p, q, g, context, the bound byte
 * strings, then the values at the group's width.
 */
export function challengeInput(
  group: Group,
  tag: string,
  context: Uint8Array,
  bound: readonly [string, Uint8Array][],
  values: readonly [string, bigint][],
): ChallengeInput {
  const w = group.byteWidth;
  const fields: [string, Uint8Array][] = [
    ['tag', Buffer.from(tag, 'ascii')],
    ['p', toBytes(group.p, w)],
    ['q', toBytes(group.q, w)],
    ['g', toBytes(group.g, w)],
    ['context', context],
    ...bound,
    ...values.map(([name, x]): [string, Uint8Array] => [name, toBytes(x, w)]),
  ];
  const framed = fields.flatMap(([, bytes]) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return [length, Buffer.from(bytes)];
  });
  return {
    fields: fields.map(([name, bytes]) => ({ name, bytes: Buffer.from(bytes).toString('hex') })),
    bytes: Buffer.concat(framed).toString('hex'),
  };
}

/** SHA-256 of a challenge input, as the 64 hex digits of the challenge. */
export function challengeOf(input: ChallengeInput): string {
  return createHash('sha256').update(Buffer.from(input.bytes, 'hex')).digest('hex');
}

export function buildCryptoVectorsV2(group: Group = Group.default()): unknown {
  const { q } = group;
  const hex = (x: bigint) => toHex(x, group.byteWidth * 2);
  const context = createHash('sha256').update('onion-election test vector election id, version 2').digest();
  const final = createHash('sha256').update('onion-election test vector final block').digest('hex');
  const finalBytes = Buffer.from(final, 'hex');

  const { talliers, h } = fixedTalliers(group, context, 'v2/');

  // A tally standing for 3 ballots, 2 of them for 1: (α, β) = (g^r, g^2 · h^r).
  const ballotCount = 3;
  const plaintext = 2n;
  const r = fixedScalar(q, 'v2/tally/r');
  const tally: Ciphertext = {
    alpha: group.powG(r),
    beta: group.mul(group.powG(plaintext), group.pow(h, r)),
  };

  const mustMatch = (input: ChallengeInput, challenge: bigint, what: string) => {
    if (challengeOf(input) !== toHex(challenge, 64))
      throw new Error(`${what}: the challenge layout differs from main/crypto's`);
  };

  const factors = talliers.map((t, i) => {
    const nonce = fixedScalar(q, `v2/tallier/${i}/dec_factor_poc/w`);
    const factor = t.secret.decryptionFactor(context, [tally], final, fixedRandomness([nonce]));
    const { a, b, challenge } = factor.decFactorPoc;
    const input = challengeInput(
      group,
      PROOF_TAGS.decFactorPocV2,
      context,
      [['final', finalBytes]],
      [
        ['pk', factor.pk],
        ['alpha', tally.alpha],
        ['beta', tally.beta],
        ['d', factor.factors[0]!],
        ['a', a],
        ['b', b[0]!],
      ],
    );
    mustMatch(input, challenge, `dec_factor ${i}`);
    return { tallier: i, nonce, factor, input };
  });
  const result = yesNoResult(
    decryptTally(
      group,
      context,
      [tally],
      ballotCount,
      talliers.map((t) => t.key.pk),
      factors.map((f) => f.factor),
    ),
    ballotCount,
  );

  // Both talliers accept `final` in round 1 (a seal); tallier 0's round-2 acceptance of the same
  // block shows what the round changes.
  const acceptances = [
    [0, 1],
    [1, 1],
    [0, 2],
  ].map(([i, round]) => {
    const t = talliers[i!]!;
    const nonce = fixedScalar(q, `v2/tallier/${i}/acceptance/${round}/w`);
    const acceptance = t.secret.accept(context, final, round!, fixedRandomness([nonce]));
    const input = challengeInput(
      group,
      PROOF_TAGS.acceptance,
      context,
      [
        ['final', finalBytes],
        ['round', u32(round!)],
      ],
      [
        ['pk', acceptance.pk],
        ['a', acceptance.signature.commitment],
      ],
    );
    mustMatch(input, acceptance.signature.challenge, `acceptance ${i}/${round}`);
    return { tallier: i!, nonce, acceptance, input };
  });

  return {
    description:
      'Known-answer vectors for what version 2 of the Onion Election cryptography added (docs/CRYPTO.md ' +
      '§3.1, §5): the dec_factor_poc that binds the final block, and the acceptance signature. Every ' +
      'number is fixed-width lowercase hex; a block hash is 64 hex digits, hashed as its 32 bytes. ' +
      'Randomness is listed in the order each operation draws it. Each challenge_input lists the ' +
      'fields of the hash input (their bytes before framing) and `bytes`, F(field_1) ‖ … ‖ F(field_n) ' +
      'with F(b) = u32be(len(b)) ‖ b; the challenge is SHA-256(bytes).',
    group: encodeGroup(group),
    context: context.toString('hex'),
    final,
    talliers: talliers.map((t) => ({
      secret_key: hex(t.secretKey),
      pk_pok_randomness: { w: hex(t.nonce) },
      tallier_key: encodeTallierKey(group, t.key),
    })),
    election_key: hex(h),
    tally_randomness: { r: hex(r) },
    tally_plaintext: Number(plaintext),
    ballot_count: ballotCount,
    tally: encodeCiphertext(group, tally),
    dec_factors: factors.map((f) => ({
      tallier: f.tallier,
      randomness: { w: hex(f.nonce) },
      challenge_input: f.input,
      challenge: toHex(f.factor.decFactorPoc.challenge, 64),
      dec_factor: encodeDecryptionFactor(group, f.factor),
    })),
    result,
    acceptances: acceptances.map((a) => ({
      tallier: a.tallier,
      randomness: { w: hex(a.nonce) },
      challenge_input: a.input,
      challenge: toHex(a.acceptance.signature.challenge, 64),
      acceptance: encodeAcceptance(group, a.acceptance),
    })),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(VECTORS_PATH, `${JSON.stringify(buildCryptoVectors(), null, 2)}\n`);
  writeFileSync(VECTORS_V2_PATH, `${JSON.stringify(buildCryptoVectorsV2(), null, 2)}\n`);
  console.log(`wrote ${VECTORS_PATH} and ${VECTORS_V2_PATH}`);
}
