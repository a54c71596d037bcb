// Canonical JSON forms of the cryptographic objects, and strict parsers for them.
//
// Every number is a string of lowercase hex digits of fixed width: group elements and scalars
// take 2·byteWidth digits (512 for a 2048-bit p), challenges 64. Exactly one string encodes each
// value, so anything else (upper case, missing or extra leading zeros, a "0x" prefix, a number
// instead of a string) is refused, as are missing and unknown keys. The parsers then check what
// the encoding cannot: elements are quadratic residues in (1, p), scalars are below q. A failure
// names the field, e.g. `ballot.proof[1].challenge`.
import { isAnswers } from './any-ballot';
import { toHex } from './bigint';
import { MAX_OPTIONS, MAX_QUESTIONS, MAX_TALLIES } from './choices';
import { check } from './errors';
import type { Group, GroupParams } from './group';
import type {
  Acceptance,
  Answer,
  AnyBallot,
  Ballot,
  CastBallot,
  ChaumPedersenProof,
  Ciphertext,
  CompensatedFactor,
  Complaint,
  Dealing,
  DecryptionFactor,
  ElectionResult,
  Endorsement,
  FactorProof,
  ProofBranch,
  SchnorrProof,
  TallierPublicKey,
} from './types';

export interface GroupJson {
  p: string;
  q: string;
  g: string;
}
export interface TallierKeyJson {
  pk: string;
  pk_pok: { commitment: string; challenge: string; response: string };
}
export interface CiphertextJson {
  alpha: string;
  beta: string;
}
export interface ProofBranchJson {
  a: string;
  b: string;
  challenge: string;
  response: string;
}
export interface BallotJson extends CiphertextJson {
  proof: [ProofBranchJson, ProofBranchJson];
}
/** A factor's proof: `b` one element for one tally, a list of them (one per tally) for several. */
export interface FactorProofJson {
  a: string;
  b: string | string[];
  challenge: string;
  response: string;
}
/**
 * A decryption factor: `factor` for one tally (a yes/no question), `factors` (one per tally) for
 * several (questions with choices).
 */
/** A ballot's answer to one question (questions with choices, docs/CRYPTO.md §12.2). */
export interface AnswerJson {
  choices: BallotJson[];
  sum_proof: ProofBranchJson[];
}
export interface DecryptionFactorJson {
  pk: string;
  /** Version 2 only: the final block whose tally the factor decrypts. */
  final?: string;
  factor?: string;
  factors?: string[];
  dec_factor_poc: FactorProofJson;
}
export interface SchnorrSignatureJson {
  commitment: string;
  challenge: string;
  response: string;
}
export interface AcceptanceJson {
  pk: string;
  final: string;
  round: number;
  signature: SchnorrSignatureJson;
}

/** A ballot of either form, under its key: `ballot` (yes/no) or `answers` (questions with choices). */
export type AnyBallotJson = { ballot: BallotJson } | { answers: AnswerJson[] };

/** A ballot cast under the per-voter rule (protocol version 2): `ballot` or `answers`. */
export type CastBallotJson = {
  credential: string;
  seq: number;
} & AnyBallotJson & {
    signature: SchnorrSignatureJson;
  };
/** A roster member's tallier key and its credential's endorsement (per-voter rule). */
export interface EndorsementJson {
  credential: string;
  endorsement: SchnorrSignatureJson;
}

/** Threshold talliers' key ceremony (docs/PROTOCOL.md §5.1). */
export interface DealingJson {
  dealer: string;
  commitments: string[];
  ephemeral: string;
  shares: string[];
  proof: {
    key_commitment: string;
    ephemeral_commitment: string;
    challenge: string;
    key_response: string;
    ephemeral_response: string;
  };
}
export interface ComplaintJson {
  complainer: string;
  dealer: string;
  shared_key: string;
  proof: ProofBranchJson;
}
export interface CompensatedFactorJson {
  pk: string;
  missing: string;
  final: string;
  factor?: string;
  factors?: string[];
  proof: FactorProofJson;
}

/** A dealing holds at most this many commitments and shares (n_talliers is at most 64). */
const MAX_DEALING_VALUES = 63;

const CHALLENGE_DIGITS = 64;

// ── Encoding ─────────────────────────────────────────────────────────────────────────────────

const num = (group: Group, x: bigint) => toHex(x, group.byteWidth * 2);
const chal = (c: bigint) => toHex(c, CHALLENGE_DIGITS);

export function encodeGroup(group: Group): GroupJson {
  return { p: num(group, group.p), q: num(group, group.q), g: num(group, group.g) };
}

/** A Schnorr proof or signature: the pk_pok and an acceptance's signature share this form. */
function encodeSchnorr(
  group: Group,
  { commitment, challenge, response }: SchnorrProof,
): SchnorrSignatureJson {
  return { commitment: num(group, commitment), challenge: chal(challenge), response: num(group, response) };
}

function parseSchnorr(group: Group, value: unknown, field: string, trust: Trust): SchnorrProof {
  const o = exactObject(value, field, ['commitment', 'challenge', 'response']);
  return {
    commitment: parseElement(group, o.commitment, `${field}.commitment`, trust),
    challenge: parseChallenge(o.challenge, `${field}.challenge`),
    response: parseScalar(group, o.response, `${field}.response`),
  };
}

export function encodeTallierKey(group: Group, key: TallierPublicKey): TallierKeyJson {
  return { pk: num(group, key.pk), pk_pok: encodeSchnorr(group, key.pkPok) };
}

export function encodeCiphertext(group: Group, c: Ciphertext): CiphertextJson {
  return { alpha: num(group, c.alpha), beta: num(group, c.beta) };
}

function encodeBranch(group: Group, branch: ProofBranch | ChaumPedersenProof): ProofBranchJson {
  return {
    a: num(group, branch.a),
    b: num(group, branch.b),
    challenge: chal(branch.challenge),
    response: num(group, branch.response),
  };
}

export function encodeBallot(group: Group, ballot: Ballot): BallotJson {
  return {
    ...encodeCiphertext(group, ballot),
    proof: [encodeBranch(group, ballot.proof[0]), encodeBranch(group, ballot.proof[1])],
  };
}

export function encodeAnswers(group: Group, answers: readonly Answer[]): AnswerJson[] {
  return answers.map((answer) => ({
    choices: answer.choices.map((choice) => encodeBallot(group, choice)),
    sum_proof: answer.sumProof.map((branch) => encodeBranch(group, branch)),
  }));
}

export function encodeDecryptionFactor(group: Group, share: DecryptionFactor): DecryptionFactorJson {
  return {
    pk: num(group, share.pk),
    ...(share.final === undefined ? {} : { final: share.final }),
    ...encodeFactors(group, share.factors, share.decFactorPoc, 'dec_factor_poc'),
  } as DecryptionFactorJson;
}

/** One tally: `factor` and `b` as single elements; several: `factors` and `b` as lists. */
function encodeFactors(
  group: Group,
  factors: readonly bigint[],
  proof: FactorProof,
  name: 'dec_factor_poc' | 'proof',
): Record<string, unknown> {
  check(proof.b.length === factors.length, name, 'must have one commitment b per factor');
  check(factors.length <= MAX_TALLIES, name, `decrypts at most ${MAX_TALLIES} tallies`);
  const one = factors.length === 1;
  const encoded: FactorProofJson = {
    a: num(group, proof.a),
    b: one ? num(group, proof.b[0]!) : proof.b.map((b) => num(group, b)),
    challenge: chal(proof.challenge),
    response: num(group, proof.response),
  };
  return one
    ? { factor: num(group, factors[0]!), [name]: encoded }
    : { factors: factors.map((d) => num(group, d)), [name]: encoded };
}

export function encodeAcceptance(group: Group, acceptance: Acceptance): AcceptanceJson {
  return {
    pk: num(group, acceptance.pk),
    final: acceptance.final,
    round: acceptance.round,
    signature: encodeSchnorr(group, acceptance.signature),
  };
}

/** A ballot of either form under its key: `{ballot}` or `{answers}`. */
export function encodeAnyBallot(group: Group, ballot: AnyBallot): AnyBallotJson {
  return isAnswers(ballot)
    ? { answers: encodeAnswers(group, ballot) }
    : { ballot: encodeBallot(group, ballot) };
}

export function encodeCastBallot(group: Group, cast: CastBallot): CastBallotJson {
  return {
    credential: num(group, cast.credential),
    seq: cast.seq,
    ...encodeAnyBallot(group, cast.ballot),
    signature: encodeSchnorr(group, cast.signature),
  };
}

export function encodeEndorsement(group: Group, endorsement: Endorsement): EndorsementJson {
  return {
    credential: num(group, endorsement.credential),
    endorsement: encodeSchnorr(group, endorsement.signature),
  };
}

export function encodeDealing(group: Group, d: Dealing): DealingJson {
  return {
    dealer: num(group, d.dealer),
    commitments: d.commitments.map((c) => num(group, c)),
    ephemeral: num(group, d.ephemeral),
    shares: d.shares.map((e) => num(group, e)),
    proof: {
      key_commitment: num(group, d.proof.keyCommitment),
      ephemeral_commitment: num(group, d.proof.ephemeralCommitment),
      challenge: chal(d.proof.challenge),
      key_response: num(group, d.proof.keyResponse),
      ephemeral_response: num(group, d.proof.ephemeralResponse),
    },
  };
}

export function encodeComplaint(group: Group, c: Complaint): ComplaintJson {
  return {
    complainer: num(group, c.complainer),
    dealer: num(group, c.dealer),
    shared_key: num(group, c.sharedKey),
    proof: encodeBranch(group, c.proof),
  };
}

export function encodeCompensatedFactor(group: Group, cf: CompensatedFactor): CompensatedFactorJson {
  return {
    pk: num(group, cf.pk),
    missing: num(group, cf.missing),
    final: cf.final,
    ...encodeFactors(group, cf.factors, cf.proof, 'proof'),
  } as CompensatedFactorJson;
}

// ── Parsing ──────────────────────────────────────────────────────────────────────────────────

/** A plain JSON object with exactly `keys`. */
export function exactObject(value: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  check(typeof value === 'object' && value !== null && !Array.isArray(value), field, 'must be a JSON object');
  const record = value as Record<string, unknown>;
  for (const key of keys) check(Object.hasOwn(record, key), `${field}.${key}`, 'is missing');
  for (const key of Object.keys(record))
    check(keys.includes(key), `${field}${fieldKey(key)}`, 'is not an allowed field');
  return record;
}

/**
 * A key from outside as it appears in an error: `.name` for a plain name, else `["…"]` in JSON
 * form, so a key holding control characters (a terminal escape) or dots prints as text.
 */
function fieldKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** The value of exactly `digits` lowercase hex digits. */
export function fixedHex(value: unknown, digits: number, field: string): bigint {
  check(typeof value === 'string', field, 'must be a string of hex digits');
  check(
    value.length === digits && /^[0-9a-f]*$/.test(value),
    field,
    `must be exactly ${digits} lowercase hex digits`,
  );
  return BigInt(`0x${value}`);
}

/**
 * How much to check. `untrusted` (the default) is for everything from outside. `trusted` skips the
 * membership test (the Jacobi symbol), and only that, for records this runner itself validated
 * and stored under a checksum: reloading 10,000 blocks must not cost 60,000 Jacobi symbols. The
 * record verifier also parses ballots trusted, and then tests membership with checkMember
 * (checkBallotMembers) beside their proofs: one parse, the same checks.
 */
export type Trust = 'untrusted' | 'trusted';

export function parseElement(
  group: Group,
  value: unknown,
  field: string,
  trust: Trust = 'untrusted',
): bigint {
  const x = fixedHex(value, group.byteWidth * 2, field);
  check(x > 1n && x < group.p, field, 'is not an element of the group (must be in (1, p))');
  if (trust === 'untrusted') checkMember(group, x, field);
  return x;
}

/** What an untrusted parse adds to a trusted one for x, an integer in (1, p): membership of G_q. */
export function checkMember(group: Group, x: bigint, field: string): void {
  check(group.isElement(x), field, 'is not an element of the group (a quadratic residue in (1, p))');
}

/**
 * checkMember for each element of a ballot parsed trusted, in the order parseBallot meets them:
 * the first failure is the error an untrusted parse would have given.
 */
export function checkBallotMembers(group: Group, ballot: Ballot, field = 'ballot'): void {
  checkMember(group, ballot.alpha, `${field}.alpha`);
  checkMember(group, ballot.beta, `${field}.beta`);
  for (const [j, branch] of ballot.proof.entries()) {
    checkMember(group, branch.a, `${field}.proof[${j}].a`);
    checkMember(group, branch.b, `${field}.proof[${j}].b`);
  }
}

export function parseScalar(group: Group, value: unknown, field: string): bigint {
  const s = fixedHex(value, group.byteWidth * 2, field);
  check(group.isScalar(s), field, 'must be below q');
  return s;
}

export function parseChallenge(value: unknown, field: string): bigint {
  return fixedHex(value, CHALLENGE_DIGITS, field);
}

/**
 * Group parameters as numbers; the caller validates them with Group.fromParams. All three share
 * the width of p, whose leading byte must be non-zero.
 */
export function parseGroupParams(value: unknown, field = 'group'): GroupParams {
  const o = exactObject(value, field, ['p', 'q', 'g']);
  check(
    typeof o.p === 'string' && o.p.length % 2 === 0 && o.p.length >= 2,
    `${field}.p`,
    'must be hex bytes',
  );
  const digits = o.p.length;
  const p = fixedHex(o.p, digits, `${field}.p`);
  check(p >> BigInt(digits * 4 - 8) !== 0n, `${field}.p`, 'must have no leading zero byte');
  return { p, q: fixedHex(o.q, digits, `${field}.q`), g: fixedHex(o.g, digits, `${field}.g`) };
}

export function parseTallierKey(
  group: Group,
  value: unknown,
  field = 'tallier_key',
  trust: Trust = 'untrusted',
): TallierPublicKey {
  const o = exactObject(value, field, ['pk', 'pk_pok']);
  return {
    pk: parseElement(group, o.pk, `${field}.pk`, trust),
    pkPok: parseSchnorr(group, o.pk_pok, `${field}.pk_pok`, trust),
  };
}

export function parseCiphertext(
  group: Group,
  value: unknown,
  field = 'ciphertext',
  trust: Trust = 'untrusted',
): Ciphertext {
  const o = exactObject(value, field, ['alpha', 'beta']);
  return {
    alpha: parseElement(group, o.alpha, `${field}.alpha`, trust),
    beta: parseElement(group, o.beta, `${field}.beta`, trust),
  };
}

function parseBranch(group: Group, value: unknown, field: string, trust: Trust = 'untrusted'): ProofBranch {
  const o = exactObject(value, field, ['a', 'b', 'challenge', 'response']);
  return {
    a: parseElement(group, o.a, `${field}.a`, trust),
    b: parseElement(group, o.b, `${field}.b`, trust),
    challenge: parseChallenge(o.challenge, `${field}.challenge`),
    response: parseScalar(group, o.response, `${field}.response`),
  };
}

export function parseBallot(
  group: Group,
  value: unknown,
  field = 'ballot',
  trust: Trust = 'untrusted',
): Ballot {
  const o = exactObject(value, field, ['alpha', 'beta', 'proof']);
  const { alpha, beta } = parseCiphertext(group, { alpha: o.alpha, beta: o.beta }, field, trust);
  check(Array.isArray(o.proof) && o.proof.length === 2, `${field}.proof`, 'must be an array of two branches');
  const proof: [ProofBranch, ProofBranch] = [
    parseBranch(group, o.proof[0], `${field}.proof[0]`, trust),
    parseBranch(group, o.proof[1], `${field}.proof[1]`, trust),
  ];
  return { alpha, beta, proof };
}

/**
 * A ballot's answers (questions with choices), in form: 1 to 16 answers, each of 1 to 64 choices
 * (each a ballot) and a sum proof of at most 64 branches, 256 choices in all. Every shape is
 * checked before any number is read, so an oversized ballot costs nothing. Whether the answers fit
 * the election's questions is verifyAnswers' check (choices.ts), which knows the rules.
 */
export function parseAnswers(
  group: Group,
  value: unknown,
  field = 'answers',
  trust: Trust = 'untrusted',
): Answer[] {
  check(
    Array.isArray(value) && value.length >= 1 && value.length <= MAX_QUESTIONS,
    field,
    `must be an array of 1 to ${MAX_QUESTIONS} answers, one per question`,
  );
  const shapes = (value as unknown[]).map((item, question) => {
    const where = `${field}[${question}]`;
    const o = exactObject(item, where, ['choices', 'sum_proof']);
    check(
      Array.isArray(o.choices) && o.choices.length >= 1 && o.choices.length <= MAX_OPTIONS,
      `${where}.choices`,
      `must be an array of 1 to ${MAX_OPTIONS} choices, one per option`,
    );
    // 65 allowed sums would be every sum of 64 options: then there is no sum proof.
    check(
      Array.isArray(o.sum_proof) && o.sum_proof.length <= MAX_OPTIONS,
      `${where}.sum_proof`,
      `must be an array of at most ${MAX_OPTIONS} branches, one per allowed sum`,
    );
    return { where, choices: o.choices as unknown[], sumProof: o.sum_proof as unknown[] };
  });
  const choices = shapes.reduce((n, shape) => n + shape.choices.length, 0);
  check(choices <= MAX_TALLIES, field, `must hold at most ${MAX_TALLIES} choices in all, not ${choices}`);
  return shapes.map(({ where, choices, sumProof }) => ({
    choices: choices.map((c, i) => parseBallot(group, c, `${where}.choices[${i}]`, trust)),
    sumProof: sumProof.map((b, i) => parseBranch(group, b, `${where}.sum_proof[${i}]`, trust)),
  }));
}

/** A result's JSON: `{yes, no, total}`, or `{total, counts}` for questions with choices. */
export type ElectionResultJson =
  | { yes: number; no: number; total: number }
  | { total: number; counts: number[][] };

/** Copied field by field: a result object carrying more must not reach a record or a response. */
export function encodeResult(result: ElectionResult): ElectionResultJson {
  return 'counts' in result
    ? { total: result.total, counts: result.counts.map((c) => [...c]) }
    : { yes: result.yes, no: result.no, total: result.total };
}

/**
 * A result from outside, in form: counts are whole numbers, yes + no = total, an option's count
 * at most the total, at most 16 questions of 64 options. Whether it is the election's result is
 * the verifier's (or the runner's) to decide.
 */
export function parseResult(value: unknown, field: string): ElectionResult {
  const choices = typeof value === 'object' && value !== null && Object.hasOwn(value, 'counts');
  const o = exactObject(value, field, choices ? ['total', 'counts'] : ['yes', 'no', 'total']);
  const count = (n: unknown, where: string) => {
    check(typeof n === 'number' && Number.isSafeInteger(n) && n >= 0, where, 'must be a count');
    return n as number;
  };
  const total = count(o.total, `${field}.total`);
  if (!choices) {
    const yes = count(o.yes, `${field}.yes`);
    const no = count(o.no, `${field}.no`);
    check(yes + no === total, field, 'yes + no must equal total');
    return { yes, no, total };
  }
  check(
    Array.isArray(o.counts) && o.counts.length >= 1 && o.counts.length <= MAX_QUESTIONS,
    `${field}.counts`,
    `must be an array of 1 to ${MAX_QUESTIONS} questions' counts`,
  );
  const counts = (o.counts as unknown[]).map((q, i) => {
    check(
      Array.isArray(q) && q.length >= 1 && q.length <= MAX_OPTIONS,
      `${field}.counts[${i}]`,
      `must be an array of 1 to ${MAX_OPTIONS} counts, one per option`,
    );
    return (q as unknown[]).map((n, j) => {
      const c = count(n, `${field}.counts[${i}][${j}]`);
      check(c <= total, `${field}.counts[${i}][${j}]`, 'must not exceed the total');
      return c;
    });
  });
  return { total, counts };
}

/** The membership tests a trusted parse of a ballot of either form left out (in `holder` field). */
export function checkAnyBallotMembers(group: Group, ballot: AnyBallot, holder: string): void {
  if (isAnswers(ballot)) checkAnswersMembers(group, ballot, `${holder}.answers`);
  else checkBallotMembers(group, ballot, `${holder}.ballot`);
}

/**
 * The key a ballot of either form is held under in `holder` (a cast ballot, a block's payload):
 * `answers` if the holder has it, else `ballot` (exactObject then names whatever else is there).
 */
export function anyBallotKey(holder: unknown): 'ballot' | 'answers' {
  return typeof holder === 'object' && holder !== null && Object.hasOwn(holder, 'answers')
    ? 'answers'
    : 'ballot';
}

/** The ballot of either form held in `holder` (already checked by exactObject with anyBallotKey). */
export function parseAnyBallot(
  group: Group,
  holder: Record<string, unknown>,
  field: string,
  trust: Trust = 'untrusted',
): AnyBallot {
  return anyBallotKey(holder) === 'answers'
    ? parseAnswers(group, holder.answers, `${field}.answers`, trust)
    : parseBallot(group, holder.ballot, `${field}.ballot`, trust);
}

/** The membership tests a trusted parse of answers left out (checkBallotMembers, for answers). */
export function checkAnswersMembers(group: Group, answers: readonly Answer[], field = 'answers'): void {
  for (const [question, answer] of answers.entries()) {
    const where = `${field}[${question}]`;
    for (const [i, choice] of answer.choices.entries())
      checkBallotMembers(group, choice, `${where}.choices[${i}]`);
    for (const [j, branch] of answer.sumProof.entries()) {
      checkMember(group, branch.a, `${where}.sum_proof[${j}].a`);
      checkMember(group, branch.b, `${where}.sum_proof[${j}].b`);
    }
  }
}

/**
 * A decryption factor of protocol `version` 1 (`{pk, factor, dec_factor_poc}`) or 2 (with `final`,
 * the hash of the final block it decrypts).
 */
export function parseDecryptionFactor(
  group: Group,
  value: unknown,
  field = 'dec_factor',
  trust: Trust = 'untrusted',
  version: 1 | 2 = 1,
): DecryptionFactor {
  const many = manyFactors(value);
  const keys = ['pk', ...(version === 1 ? [] : ['final']), many ? 'factors' : 'factor', 'dec_factor_poc'];
  const o = exactObject(value, field, keys);
  const pk = parseElement(group, o.pk, `${field}.pk`, trust);
  const [factors, decFactorPoc] = parseFactors(group, o, many, 'dec_factor_poc', field, trust);
  return version === 1
    ? { pk, factors, decFactorPoc }
    : { pk, final: parseHash(o.final, `${field}.final`), factors, decFactorPoc };
}

/** Whether a factor object is of the several-tallies form (`factors`, not `factor`). */
function manyFactors(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'factors');
}

/** The factor(s) and their proof, in either form (encodeFactors); how many is the caller's check. */
function parseFactors(
  group: Group,
  o: Record<string, unknown>,
  many: boolean,
  name: 'dec_factor_poc' | 'proof',
  field: string,
  trust: Trust,
): [bigint[], FactorProof] {
  const list = (value: unknown, where: string): bigint[] => {
    check(
      Array.isArray(value) && value.length >= 2 && value.length <= MAX_TALLIES,
      where,
      // One tally is written in the single form: each factor has one way to be written.
      `must be an array of 2 to ${MAX_TALLIES} group elements`,
    );
    return (value as unknown[]).map((x, i) => parseElement(group, x, `${where}[${i}]`, trust));
  };
  const factors = many
    ? list(o.factors, `${field}.factors`)
    : [parseElement(group, o.factor, `${field}.factor`, trust)];
  const where = `${field}.${name}`;
  const p = exactObject(o[name], where, ['a', 'b', 'challenge', 'response']);
  const a = parseElement(group, p.a, `${where}.a`, trust);
  const b = many ? list(p.b, `${where}.b`) : [parseElement(group, p.b, `${where}.b`, trust)];
  const proof: FactorProof = {
    a,
    b,
    challenge: parseChallenge(p.challenge, `${where}.challenge`),
    response: parseScalar(group, p.response, `${where}.response`),
  };
  return [factors, proof];
}

/** A round or a sequence number: a JSON integer in [1, 2^32 − 1] (a u32 in what is hashed). */
export function isPositiveU32(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= 0xffffffff;
}

/** A block hash: exactly 64 lowercase hex digits, kept as that string. */
export function parseHash(value: unknown, field: string): string {
  fixedHex(value, 64, field);
  return value as string;
}

export function parseAcceptance(
  group: Group,
  value: unknown,
  field = 'acceptance',
  trust: Trust = 'untrusted',
): Acceptance {
  const o = exactObject(value, field, ['pk', 'final', 'round', 'signature']);
  check(isPositiveU32(o.round), `${field}.round`, 'must be a whole number in [1, 2^32)');
  return {
    pk: parseElement(group, o.pk, `${field}.pk`, trust),
    final: parseHash(o.final, `${field}.final`),
    round: o.round as number,
    signature: parseSchnorr(group, o.signature, `${field}.signature`, trust),
  };
}

export function parseCastBallot(
  group: Group,
  value: unknown,
  field = 'cast_ballot',
  trust: Trust = 'untrusted',
): CastBallot {
  const o = exactObject(value, field, ['credential', 'seq', anyBallotKey(value), 'signature']);
  check(isPositiveU32(o.seq), `${field}.seq`, 'must be a whole number in [1, 2^32 − 1]');
  return {
    credential: parseElement(group, o.credential, `${field}.credential`, trust),
    seq: o.seq as number,
    ballot: parseAnyBallot(group, o, field, trust),
    signature: parseSchnorr(group, o.signature, `${field}.signature`, trust),
  };
}

/** The credential and endorsement beside a tallier key in a block (per-voter rule). */
export function parseEndorsement(
  group: Group,
  credential: unknown,
  endorsement: unknown,
  field: string,
  trust: Trust = 'untrusted',
): Endorsement {
  return {
    credential: parseElement(group, credential, `${field}.credential`, trust),
    signature: parseSchnorr(group, endorsement, `${field}.endorsement`, trust),
  };
}

function parseElements(group: Group, value: unknown, field: string, trust: Trust): bigint[] {
  check(
    Array.isArray(value) && value.length <= MAX_DEALING_VALUES,
    field,
    `must be an array of at most ${MAX_DEALING_VALUES} group elements`,
  );
  return (value as unknown[]).map((x, i) => parseElement(group, x, `${field}[${i}]`, trust));
}

/**
 * A dealing (threshold talliers). Its encrypted shares are byte strings of the group's width (any
 * value: a keystream XOR a scalar), not group elements; how many of each it must hold is the
 * chain's check, which knows the branch's talliers and quorum.
 */
export function parseDealing(
  group: Group,
  value: unknown,
  field = 'dealing',
  trust: Trust = 'untrusted',
): Dealing {
  const o = exactObject(value, field, ['dealer', 'commitments', 'ephemeral', 'shares', 'proof']);
  const dealer = parseElement(group, o.dealer, `${field}.dealer`, trust);
  const commitments = parseElements(group, o.commitments, `${field}.commitments`, trust);
  const ephemeral = parseElement(group, o.ephemeral, `${field}.ephemeral`, trust);
  check(
    Array.isArray(o.shares) && o.shares.length <= MAX_DEALING_VALUES,
    `${field}.shares`,
    `must be an array of at most ${MAX_DEALING_VALUES} encrypted shares`,
  );
  const shares = (o.shares as unknown[]).map((e, i) =>
    fixedHex(e, group.byteWidth * 2, `${field}.shares[${i}]`),
  );
  const p = exactObject(o.proof, `${field}.proof`, [
    'key_commitment',
    'ephemeral_commitment',
    'challenge',
    'key_response',
    'ephemeral_response',
  ]);
  return {
    dealer,
    commitments,
    ephemeral,
    shares,
    proof: {
      keyCommitment: parseElement(group, p.key_commitment, `${field}.proof.key_commitment`, trust),
      ephemeralCommitment: parseElement(
        group,
        p.ephemeral_commitment,
        `${field}.proof.ephemeral_commitment`,
        trust,
      ),
      challenge: parseChallenge(p.challenge, `${field}.proof.challenge`),
      keyResponse: parseScalar(group, p.key_response, `${field}.proof.key_response`),
      ephemeralResponse: parseScalar(group, p.ephemeral_response, `${field}.proof.ephemeral_response`),
    },
  };
}

export function parseComplaint(
  group: Group,
  value: unknown,
  field = 'complaint',
  trust: Trust = 'untrusted',
): Complaint {
  const o = exactObject(value, field, ['complainer', 'dealer', 'shared_key', 'proof']);
  return {
    complainer: parseElement(group, o.complainer, `${field}.complainer`, trust),
    dealer: parseElement(group, o.dealer, `${field}.dealer`, trust),
    sharedKey: parseElement(group, o.shared_key, `${field}.shared_key`, trust),
    proof: parseBranch(group, o.proof, `${field}.proof`, trust),
  };
}

export function parseCompensatedFactor(
  group: Group,
  value: unknown,
  field = 'compensated_factor',
  trust: Trust = 'untrusted',
): CompensatedFactor {
  const many = manyFactors(value);
  const o = exactObject(value, field, ['pk', 'missing', 'final', many ? 'factors' : 'factor', 'proof']);
  const pk = parseElement(group, o.pk, `${field}.pk`, trust);
  const missing = parseElement(group, o.missing, `${field}.missing`, trust);
  const final = parseHash(o.final, `${field}.final`);
  const [factors, proof] = parseFactors(group, o, many, 'proof', field, trust);
  return { pk, missing, final, factors, proof };
}
