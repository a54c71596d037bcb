// Threshold talliers (docs/CRYPTO.md §11): any t of the elected talliers can stand in for a missing
// one, while the election key stays the product of the talliers' own public keys.
//
// Key ceremony. Tallier i (public key pk_i = g^x_i, index i = its 1-based rank among the elected)
// draws f_i(z) = x_i + a_1·z + … + a_{t−1}·z^{t−1} mod q and publishes a *dealing*: the Feldman
// commitments C_k = g^a_k (C_0 = pk_i is implied), and for every other elected tallier j the share
// f_i(j) encrypted to pk_j: one ephemeral R = g^r for the dealing, and for j the share's bytes
// XOR a SHA-256 keystream keyed by K_j = pk_j^r. A two-secret Schnorr proof shows the dealer knows
// x_i and r, and binds the whole dealing (commitments, R, every ciphertext, the recipients) to the
// election. Knowing r matters: a recipient that complains reveals R^x_j, which must not be a value
// the dealer could not compute itself (else a dealing would be a Diffie–Hellman oracle on x_j).
//
// Recipient j decrypts its share s and checks g^s = Π C_k^(j^k). A wrong share is proven wrong by
// a *complaint*: j reveals K_j with a Chaum–Pedersen proof that log_g pk_j = log_R K_j; anyone then
// decrypts the share and sees it fail the commitments. A complaint that proves nothing is refused.
//
// Decryption. Tallier ℓ stands in for a missing tallier j with a *compensated factor* α^(f_j(ℓ)),
// proven against the public share g^(f_j(ℓ)) = Π C_{j,k}^(ℓ^k); any t of them give
// α^x_j = Π M_ℓ^(λ_ℓ) with Lagrange coefficients at 0.
import { fromBytes, modInverse, toBytes } from './bigint';
import { check, ValidationError } from './errors';
import { checkFactorEquations, checkFactorShape, factorStatement, proveFactors } from './factor-proof';
import { Framer, u32 } from './framing';
import type { Group } from './group';
import { type Randomness, systemRandomness } from './random';
import { fiatShamirChallenge, PROOF_TAGS } from './transcript';
import type { Ciphertext, CompensatedFactor, Complaint, Dealing, DealingProof } from './types';

/** A tallier's index: its 1-based rank among the branch's elected talliers. */
export function tallierIndex(talliers: readonly bigint[], pk: bigint, field = 'pk'): number {
  const at = talliers.indexOf(pk);
  check(at >= 0, field, 'is not an elected tallier');
  return at + 1;
}

/** The dealer's recipients: every elected tallier but the dealer, in the talliers' order. */
export function recipientsOf(talliers: readonly bigint[], dealer: bigint): bigint[] {
  return talliers.filter((pk) => pk !== dealer);
}

/** f(z) = Σ coefficients[k]·z^k mod q, by Horner's rule. */
function evaluate(coefficients: readonly bigint[], z: bigint, q: bigint): bigint {
  let y = 0n;
  for (let k = coefficients.length - 1; k >= 0; k--) y = (y * z + coefficients[k]!) % q;
  return y;
}

/**
 * The keystream that hides the share for `recipient`: SHA-256 blocks of F("onion-election/v2/
 * share_stream") ‖ F(context) ‖ F(dealer) ‖ F(recipient) ‖ F(R) ‖ F(K) ‖ u32(counter), counter
 * 0, 1, …, cut to the group's width. Binding the dealer, the recipient and R means a ciphertext
 * moved to another slot or dealing decrypts to noise.
 */
function shareStream(
  group: Group,
  context: Uint8Array,
  dealer: bigint,
  recipient: bigint,
  ephemeral: bigint,
  sharedKey: bigint,
): Buffer {
  const w = group.byteWidth;
  const blocks: Buffer[] = [];
  for (let counter = 0; counter * 32 < w; counter++) {
    blocks.push(
      new Framer()
        .text('onion-election/v2/share_stream')
        .field(context)
        .field(toBytes(dealer, w))
        .field(toBytes(recipient, w))
        .field(toBytes(ephemeral, w))
        .field(toBytes(sharedKey, w))
        .u32(counter)
        .digest(),
    );
  }
  return Buffer.concat(blocks).subarray(0, w);
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * The dealing proof's challenge: H(dealing, group, context, [u32(t)], pk, C_1…C_{t−1}, R,
 * e_1…e_{n−1}, the elected talliers' keys in rank order, a_x, a_r). Every ciphertext and every
 * tallier's index is in the statement, so the proof signs the dealing as a whole, for one ranking.
 */
function dealingChallenge(
  group: Group,
  context: Uint8Array,
  dealing: Omit<Dealing, 'proof'>,
  talliers: readonly bigint[],
  keyCommitment: bigint,
  ephemeralCommitment: bigint,
): bigint {
  return fiatShamirChallenge(
    group,
    PROOF_TAGS.dealing,
    context,
    [
      dealing.dealer,
      ...dealing.commitments,
      dealing.ephemeral,
      ...dealing.shares,
      ...talliers,
      keyCommitment,
      ephemeralCommitment,
    ],
    [u32(dealing.commitments.length + 1)],
  );
}

/**
 * Deals the secret `x` among `talliers` (the branch's elected talliers, the dealer among them) for
 * any `quorum` of them. Randomness drawn, in order: a_1…a_{t−1}, r, w_x, w_r. Secret exponents
 * go through powSecret/pow (the backend's constant-time path).
 */
export function deal(
  group: Group,
  context: Uint8Array,
  x: bigint,
  talliers: readonly bigint[],
  quorum: number,
  rng: Randomness = systemRandomness,
): Dealing {
  const { q } = group;
  const dealer = group.powSecret(x);
  check(talliers.includes(dealer), 'dealer', 'is not an elected tallier');
  check(
    Number.isSafeInteger(quorum) && quorum >= 1 && quorum <= talliers.length,
    'quorum',
    `must be a whole number in [1, ${talliers.length}]`,
  );
  const coefficients = [x];
  for (let k = 1; k < quorum; k++) coefficients.push(rng.scalar(q));
  const commitments = coefficients.slice(1).map((a) => group.powSecret(a));
  const r = rng.scalar(q);
  const ephemeral = group.powSecret(r);
  const recipients = recipientsOf(talliers, dealer);
  const shares = recipients.map((pk) => {
    const share = evaluate(coefficients, BigInt(tallierIndex(talliers, pk)), q);
    const sharedKey = group.pow(pk, r);
    const stream = shareStream(group, context, dealer, pk, ephemeral, sharedKey);
    return fromBytes(xor(toBytes(share, group.byteWidth), stream));
  });
  return signDealing(group, context, { dealer, commitments, ephemeral, shares }, talliers, x, r, rng);
}

/**
 * Proves knowledge of x (pk = g^x) and r (R = g^r) over the whole dealing body: a_x = g^w_x,
 * a_r = g^w_r, c = the dealing challenge, s_x = w_x + c·x, s_r = w_r + c·r. Randomness drawn: w_x,
 * w_r. (Separate from `deal` so that tests can sign a tampered body, as a cheating dealer would.)
 */
export function signDealing(
  group: Group,
  context: Uint8Array,
  body: Omit<Dealing, 'proof'>,
  talliers: readonly bigint[],
  x: bigint,
  r: bigint,
  rng: Randomness = systemRandomness,
): Dealing {
  const { q } = group;
  const wx = rng.scalar(q);
  const wr = rng.scalar(q);
  const keyCommitment = group.powSecret(wx);
  const ephemeralCommitment = group.powSecret(wr);
  const challenge = dealingChallenge(group, context, body, talliers, keyCommitment, ephemeralCommitment);
  const proof: DealingProof = {
    keyCommitment,
    ephemeralCommitment,
    challenge,
    keyResponse: (wx + challenge * x) % q,
    ephemeralResponse: (wr + challenge * r) % q,
  };
  return { ...body, proof };
}

/**
 * Checks a dealing's form and proof for the branch whose elected talliers are `talliers` and whose
 * quorum is `quorum`: t − 1 commitments, one ciphertext per other tallier, and g^s_x = a_x·pk^c,
 * g^s_r = a_r·R^c. Whether each share is right is only its recipient's to know (verifyComplaint).
 */
export function verifyDealing(
  group: Group,
  context: Uint8Array,
  dealing: Dealing,
  talliers: readonly bigint[],
  quorum: number,
  field = 'dealing',
): void {
  tallierIndex(talliers, dealing.dealer, `${field}.dealer`);
  check(
    dealing.commitments.length === quorum - 1,
    `${field}.commitments`,
    `must hold ${quorum - 1} commitment${quorum === 2 ? '' : 's'} (quorum ${quorum})`,
  );
  const recipients = recipientsOf(talliers, dealing.dealer);
  check(
    dealing.shares.length === recipients.length,
    `${field}.shares`,
    `must hold one encrypted share for each of the ${recipients.length} other talliers`,
  );
  const { proof } = dealing;
  const expected = dealingChallenge(
    group,
    context,
    dealing,
    talliers,
    proof.keyCommitment,
    proof.ephemeralCommitment,
  );
  check(proof.challenge === expected, `${field}.proof.challenge`, 'is not the hash of the statement');
  check(
    group.powG(proof.keyResponse) ===
      group.mul(proof.keyCommitment, group.pow(dealing.dealer, proof.challenge)),
    `${field}.proof`,
    'fails g^s_x = a_x·pk^c',
  );
  check(
    group.powG(proof.ephemeralResponse) ===
      group.mul(proof.ephemeralCommitment, group.pow(dealing.ephemeral, proof.challenge)),
    `${field}.proof`,
    'fails g^s_r = a_r·R^c',
  );
}

/** g^(f(index)) from the commitments: pk · Π C_k^(index^k). Public. */
export function publicShare(
  group: Group,
  dealing: Pick<Dealing, 'dealer' | 'commitments'>,
  index: number,
): bigint {
  const z = BigInt(index);
  let power = 1n;
  let product = dealing.dealer;
  for (const commitment of dealing.commitments) {
    power = (power * z) % group.q;
    product = group.mul(product, group.pow(commitment, power));
  }
  return product;
}

/**
 * Reads the share a dealing holds for `recipient` given K = R^x_recipient: the share if it
 * decrypts to a scalar below q matching the commitments, otherwise the reason it is wrong.
 */
export function readShare(
  group: Group,
  context: Uint8Array,
  dealing: Dealing,
  talliers: readonly bigint[],
  recipient: bigint,
  sharedKey: bigint,
): { ok: true; share: bigint } | { ok: false; reason: string } {
  const slot = recipientsOf(talliers, dealing.dealer).indexOf(recipient);
  check(slot >= 0, 'recipient', 'is not a recipient of this dealing');
  const stream = shareStream(group, context, dealing.dealer, recipient, dealing.ephemeral, sharedKey);
  const share = fromBytes(xor(toBytes(dealing.shares[slot]!, group.byteWidth), stream));
  if (share >= group.q) return { ok: false, reason: 'the share decrypts to a number not below q' };
  const index = tallierIndex(talliers, recipient);
  // The share is a secret (its recipient's, until a complaint publishes it): constant-time path.
  if (group.powSecret(share) !== publicShare(group, dealing, index))
    return { ok: false, reason: 'the share does not match the dealer’s commitments' };
  return { ok: true, share };
}

/** H(complaint, group, context, dealer, complainer, R, K, a, b). */
function complaintChallenge(
  group: Group,
  context: Uint8Array,
  c: Omit<Complaint, 'proof'>,
  ephemeral: bigint,
  a: bigint,
  b: bigint,
): bigint {
  return fiatShamirChallenge(group, PROOF_TAGS.complaint, context, [
    c.dealer,
    c.complainer,
    ephemeral,
    c.sharedKey,
    a,
    b,
  ]);
}

/**
 * A complaint by the holder of `x` against `dealing`: K = R^x with a Chaum–Pedersen proof that
 * log_g pk = log_R K (a = g^w, b = R^w, s = w + c·x). Randomness drawn: w. The caller complains
 * only about a share readShare found wrong.
 */
export function complain(
  group: Group,
  context: Uint8Array,
  x: bigint,
  dealing: Dealing,
  rng: Randomness = systemRandomness,
): Complaint {
  const complainer = group.powSecret(x);
  const sharedKey = group.pow(dealing.ephemeral, x);
  const w = rng.scalar(group.q);
  const a = group.powSecret(w);
  const b = group.pow(dealing.ephemeral, w);
  const body = { complainer, dealer: dealing.dealer, sharedKey };
  const challenge = complaintChallenge(group, context, body, dealing.ephemeral, a, b);
  return { ...body, proof: { a, b, challenge, response: (w + challenge * x) % group.q } };
}

/**
 * Checks that `complaint` proves `dealing` wrong: the complainer is one of its recipients, K is
 * proven to be R^x_complainer, and the share K opens is not the one the commitments promise.
 * Throws a ValidationError with the reason otherwise (a complaint against a right share proves
 * nothing and is refused).
 */
export function verifyComplaint(
  group: Group,
  context: Uint8Array,
  dealing: Dealing,
  talliers: readonly bigint[],
  complaint: Complaint,
  field = 'complaint',
): void {
  check(complaint.dealer === dealing.dealer, `${field}.dealer`, 'is not the dealing’s dealer');
  check(
    recipientsOf(talliers, dealing.dealer).includes(complaint.complainer),
    `${field}.complainer`,
    'is not a recipient of this dealing',
  );
  const { proof } = complaint;
  const expected = complaintChallenge(group, context, complaint, dealing.ephemeral, proof.a, proof.b);
  check(proof.challenge === expected, `${field}.proof.challenge`, 'is not the hash of the statement');
  check(
    group.powG(proof.response) === group.mul(proof.a, group.pow(complaint.complainer, proof.challenge)),
    `${field}.proof`,
    'fails g^s = a·pk^c',
  );
  check(
    group.pow(dealing.ephemeral, proof.response) ===
      group.mul(proof.b, group.pow(complaint.sharedKey, proof.challenge)),
    `${field}.proof`,
    'fails R^s = b·K^c',
  );
  const read = readShare(group, context, dealing, talliers, complaint.complainer, complaint.sharedKey);
  check(!read.ok, field, 'proves nothing: the share it opens matches the dealer’s commitments');
}

/** H(compensated_factor, group, context, [final], helper, missing, S, α_1, β_1, M_1, …, a, b_1, …). */
function compensatedChallenge(
  group: Group,
  context: Uint8Array,
  tallies: readonly Ciphertext[],
  cf: Pick<CompensatedFactor, 'pk' | 'missing' | 'final'>,
  share: bigint,
  factors: readonly bigint[],
  a: bigint,
  b: readonly bigint[],
): bigint {
  return fiatShamirChallenge(
    group,
    PROOF_TAGS.compensatedFactor,
    context,
    [cf.pk, cf.missing, share, ...factorStatement(tallies, factors, a, b)],
    [Buffer.from(cf.final, 'hex')],
  );
}

/**
 * The holder `pk` of the share s = f_missing(index) stands in for tallier `missing`: M_i = α_i^s
 * with a proof that log_g S = log_α_i M_i (factor-proof.ts), S = g^s the public share. Randomness
 * drawn: w.
 */
export function compensate(
  group: Group,
  context: Uint8Array,
  pk: bigint,
  missing: bigint,
  share: bigint,
  tallies: readonly Ciphertext[],
  final: string,
  rng: Randomness = systemRandomness,
): CompensatedFactor {
  check(/^[0-9a-f]{64}$/.test(final), 'final', 'must be a block hash: 64 lowercase hex digits');
  const body = { pk, missing, final };
  const publicShare = group.powSecret(share);
  const { factors, proof } = proveFactors(
    group,
    share,
    tallies,
    (d, a, b) => compensatedChallenge(group, context, tallies, body, publicShare, d, a, b),
    rng,
  );
  return { ...body, factors, proof };
}

/**
 * Checks a compensated factor for `tallies` against the missing tallier's dealing: `pk` is another
 * elected tallier, and the proof holds for the public share S = g^(f_missing(index of pk)).
 */
export function verifyCompensatedFactor(
  group: Group,
  context: Uint8Array,
  tallies: readonly Ciphertext[],
  cf: CompensatedFactor,
  dealing: Dealing,
  talliers: readonly bigint[],
  field = 'compensated_factor',
): void {
  check(cf.missing === dealing.dealer, `${field}.missing`, 'is not the dealing’s dealer');
  check(cf.pk !== cf.missing, `${field}.pk`, 'cannot stand in for itself');
  const index = tallierIndex(talliers, cf.pk, `${field}.pk`);
  const share = publicShare(group, dealing, index);
  const { proof } = cf;
  checkFactorShape(tallies, cf.factors, proof, `${field}.factors`);
  const expected = compensatedChallenge(group, context, tallies, cf, share, cf.factors, proof.a, proof.b);
  check(proof.challenge === expected, `${field}.proof.challenge`, 'is not the hash of the statement');
  checkFactorEquations(group, share, tallies, cf.factors, proof, `${field}.proof`, { key: 'S', factor: 'M' });
}

/** λ_i = Π_{m ≠ i} m / (m − i) mod q for each index i of `indices` (distinct, ≥ 1). */
export function lagrangeAtZero(indices: readonly number[], q: bigint): bigint[] {
  return indices.map((i) => {
    let num = 1n;
    let den = 1n;
    for (const m of indices) {
      if (m === i) continue;
      num = (num * BigInt(m)) % q;
      den = (den * (((BigInt(m - i) % q) + q) % q)) % q;
    }
    return (num * modInverse(den, q)) % q;
  });
}

/**
 * α_i^x_missing for each tally i, from exactly-verified compensated factors of distinct helpers:
 * Π M_ℓ,i^(λ_ℓ) over the first `quorum` of them by index (any quorum gives the same value; the
 * first is the rule, so that every runner does the same work).
 */
export function combineCompensated(
  group: Group,
  talliers: readonly bigint[],
  factors: readonly CompensatedFactor[],
  quorum: number,
): bigint[] {
  const byIndex = factors
    .map((cf) => ({ index: tallierIndex(talliers, cf.pk), factors: cf.factors }))
    .sort((a, b) => a.index - b.index);
  for (let k = 1; k < byIndex.length; k++)
    if (byIndex[k]!.index === byIndex[k - 1]!.index)
      throw new ValidationError('compensated_factors', 'two factors from one tallier');
  check(quorum >= 1, 'quorum', 'must be at least 1');
  check(byIndex.length >= quorum, 'compensated_factors', `needs ${quorum}, has ${byIndex.length}`);
  check(
    byIndex.every((c) => c.factors.length === byIndex[0]!.factors.length),
    'compensated_factors',
    'must each decrypt the same tallies',
  );
  const chosen = byIndex.slice(0, quorum);
  const lambdas = lagrangeAtZero(
    chosen.map((c) => c.index),
    group.q,
  );
  return chosen[0]!.factors.map((_, i) =>
    chosen.reduce((acc, c, k) => group.mul(acc, group.pow(c.factors[i]!, lambdas[k]!)), 1n),
  );
}
