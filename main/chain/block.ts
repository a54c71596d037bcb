// Blocks: their JSON form, the canonical header that is hashed and mined, and parsing of blocks
// from outside. Byte layout: docs/PROTOCOL.md §3.
//
//   header = F("onion-election/v1/block") ‖ u32 height ‖ prev (32) ‖ u64 timestamp ‖ body_hash (32) ‖ u64 nonce
//   body   = F("onion-election/v1/body") ‖ F(miner label) ‖ payload fields
//
// The header has a fixed length (111 bytes): the 103-byte prefix before the nonce leaves the nonce
// and SHA-256 padding in one 64-byte block, so the miner hashes one block per nonce from a midstate.

import { isAnswers } from '../crypto/any-ballot';
import { toBytes, toHex } from '../crypto/bigint';
import {
  type AnyBallotJson,
  anyBallotKey,
  type CastBallotJson,
  type ComplaintJson,
  type DealingJson,
  type EndorsementJson,
  encodeAnyBallot,
  encodeCastBallot,
  encodeComplaint,
  encodeDealing,
  encodeEndorsement,
  encodeTallierKey,
  exactObject,
  fixedHex,
  parseAnyBallot,
  parseCastBallot,
  parseComplaint,
  parseDealing,
  parseEndorsement,
  parseTallierKey,
  type TallierKeyJson,
  type Trust,
} from '../crypto/codec';
import { check } from '../crypto/errors';
import { Framer } from '../crypto/framing';
import type { Group } from '../crypto/group';
import { readJson } from '../crypto/json';
import type {
  AnyBallot,
  Ballot,
  CastBallot,
  Endorsement,
  ProofBranch,
  TallierPublicKey,
} from '../crypto/types';
import type { CeremonyMessage } from './ceremony';
import { MAX_BALLOTS_PER_BLOCK, MAX_CEREMONY_MESSAGES_PER_BLOCK, MAX_MINER_LABEL_BYTES } from './limits';
import { checkText } from './text';

export { MAX_MINER_LABEL_BYTES };

/**
 * What a block carries. Per-block rule: a tallier key (phase 1), its miner's ballot (phase 2).
 * Per-voter rule: a roster member's endorsed tallier key (phase 1), 0…8 ballots cast by voters
 * (phase 2). Both: with threshold talliers, 0…3 dealings and complaints in the key ceremony between
 * the two; nothing in the confirmations.
 */
export type Payload =
  | { readonly kind: 'tallier_key'; readonly key: TallierPublicKey; readonly endorsement?: Endorsement }
  | { readonly kind: 'ceremony'; readonly messages: readonly CeremonyMessage[] }
  | { readonly kind: 'ballot'; readonly ballot: AnyBallot }
  | { readonly kind: 'ballots'; readonly ballots: readonly CastBallot[] }
  | { readonly kind: 'confirmation' };

export type PayloadKind = Payload['kind'];

export interface Block {
  readonly height: number;
  /** Hash of the parent block (the election id for height 1), 64 lowercase hex digits. */
  readonly prev: string;
  /** Unix time, seconds. */
  readonly timestamp: number;
  /** A free label the miner chooses (UTF-8, at most 64 bytes, no control characters). */
  readonly miner: string;
  readonly payload: Payload;
  readonly nonce: bigint;
}

export type PayloadJson =
  | ({ kind: 'tallier_key'; tallier_key: TallierKeyJson } & Partial<EndorsementJson>)
  | ({ kind: 'ballot' } & AnyBallotJson)
  | { kind: 'ballots'; ballots: CastBallotJson[] }
  | { kind: 'ceremony'; messages: CeremonyMessageJson[] }
  | { kind: 'confirmation' };

export type CeremonyMessageJson =
  | { kind: 'dealing'; dealing: DealingJson }
  | { kind: 'complaint'; complaint: ComplaintJson };

export interface BlockJson {
  height: number;
  prev: string;
  timestamp: number;
  miner: string;
  payload: PayloadJson;
  nonce: string;
}

/**
 * No canonical block comes near this: a per-block ballot block is ~4.6 KB of JSON, a per-voter
 * block of 8 cast ballots ~49 KB. Below the peer API's 64 KB request limit.
 */
export const MAX_BLOCK_JSON_BYTES = 60 * 1024;
export const HEADER_PREFIX_BYTES = 103;

// ── Hashing ──────────────────────────────────────────────────────────────────────────────────

/**
 * body_hash = SHA-256(F(tag) ‖ F(miner) ‖ F(kind) ‖ payload fields), numbers at the group's width
 * (docs/PROTOCOL.md §3). The per-voter additions come after everything version 1 hashes: an
 * endorsed key appends its credential and endorsement; a `ballots` payload is u32(count) then, per
 * cast ballot, F(credential) ‖ u32(seq) ‖ the ballot's fields ‖ the signature's. A ballot of answers
 * (questions with choices) in either is u32(questions) ‖ per question u32(options) ‖ each option's
 * fields as a yes/no ballot's ‖ u32(sum branches) ‖ each branch's fields.
 */
export function bodyHash(group: Group, block: Pick<Block, 'miner' | 'payload'>): Buffer {
  const w = group.byteWidth;
  const num = (x: bigint) => toBytes(x, w);
  const f = new Framer().text('onion-election/v1/body').text(block.miner);
  const schnorr = (s: { commitment: bigint; challenge: bigint; response: bigint }) =>
    f.field(num(s.commitment)).field(toBytes(s.challenge, 32)).field(num(s.response));
  const branches = (proof: readonly ProofBranch[]) => {
    for (const b of proof)
      f.field(num(b.a)).field(num(b.b)).field(toBytes(b.challenge, 32)).field(num(b.response));
  };
  const yesNo = ({ alpha, beta, proof }: Ballot) => {
    f.field(num(alpha)).field(num(beta));
    branches(proof);
  };
  const ballot = (b: AnyBallot) => {
    if (!isAnswers(b)) return yesNo(b);
    f.u32(b.length);
    for (const answer of b) {
      f.u32(answer.choices.length);
      for (const choice of answer.choices) yesNo(choice);
      f.u32(answer.sumProof.length);
      branches(answer.sumProof);
    }
  };
  const { payload } = block;
  f.text(payload.kind);
  if (payload.kind === 'tallier_key') {
    f.field(num(payload.key.pk));
    schnorr(payload.key.pkPok);
    if (payload.endorsement) {
      f.field(num(payload.endorsement.credential));
      schnorr(payload.endorsement.signature);
    }
  } else if (payload.kind === 'ballot') {
    ballot(payload.ballot);
  } else if (payload.kind === 'ballots') {
    f.u32(payload.ballots.length);
    for (const cast of payload.ballots) {
      f.field(num(cast.credential)).u32(cast.seq);
      ballot(cast.ballot);
      schnorr(cast.signature);
    }
  } else if (payload.kind === 'ceremony') {
    f.u32(payload.messages.length);
    for (const message of payload.messages) {
      f.text(message.kind);
      if (message.kind === 'dealing') {
        const { dealing: d } = message;
        f.field(num(d.dealer)).u32(d.commitments.length);
        for (const c of d.commitments) f.field(num(c));
        f.field(num(d.ephemeral)).u32(d.shares.length);
        for (const e of d.shares) f.field(num(e));
        f.field(num(d.proof.keyCommitment))
          .field(num(d.proof.ephemeralCommitment))
          .field(toBytes(d.proof.challenge, 32))
          .field(num(d.proof.keyResponse))
          .field(num(d.proof.ephemeralResponse));
      } else {
        const { complaint: c } = message;
        f.field(num(c.complainer)).field(num(c.dealer)).field(num(c.sharedKey));
        f.field(num(c.proof.a))
          .field(num(c.proof.b))
          .field(toBytes(c.proof.challenge, 32))
          .field(num(c.proof.response));
      }
    }
  }
  return f.digest();
}

/** The header without its nonce: what the miner hashes with each candidate nonce appended. */
export function headerPrefix(group: Group, block: Omit<Block, 'nonce'>): Buffer {
  const bytes = new Framer(true)
    .text('onion-election/v1/block')
    .u32(block.height)
    .raw(Buffer.from(block.prev, 'hex'))
    .u64(block.timestamp)
    .raw(bodyHash(group, block))
    .bytes();
  if (bytes.length !== HEADER_PREFIX_BYTES) throw new Error('header prefix has the wrong length');
  return bytes;
}

export function headerBytes(group: Group, block: Block): Buffer {
  const nonce = Buffer.alloc(8);
  nonce.writeBigUInt64BE(block.nonce);
  return Buffer.concat([headerPrefix(group, block), nonce]);
}

/** The block hash: SHA-256 of the header, as 64 lowercase hex digits. */
export function blockHash(group: Group, block: Block): string {
  return new Framer().raw(headerBytes(group, block)).digest().toString('hex');
}

// ── JSON ─────────────────────────────────────────────────────────────────────────────────────

export function encodePayload(group: Group, payload: Payload): PayloadJson {
  switch (payload.kind) {
    case 'tallier_key':
      return {
        kind: 'tallier_key',
        tallier_key: encodeTallierKey(group, payload.key),
        ...(payload.endorsement ? encodeEndorsement(group, payload.endorsement) : {}),
      };
    case 'ballot':
      return { kind: 'ballot', ...encodeAnyBallot(group, payload.ballot) };
    case 'ballots':
      return { kind: 'ballots', ballots: payload.ballots.map((cast) => encodeCastBallot(group, cast)) };
    case 'ceremony':
      return { kind: 'ceremony', messages: payload.messages.map((m) => encodeCeremonyMessage(group, m)) };
    case 'confirmation':
      return { kind: 'confirmation' };
  }
}

export function encodeCeremonyMessage(group: Group, message: CeremonyMessage): CeremonyMessageJson {
  return message.kind === 'dealing'
    ? { kind: 'dealing', dealing: encodeDealing(group, message.dealing) }
    : { kind: 'complaint', complaint: encodeComplaint(group, message.complaint) };
}

/** A dealing or a complaint, in a block or gossiped on its own. */
export function parseCeremonyMessage(
  group: Group,
  value: unknown,
  field: string,
  trust: Trust,
): CeremonyMessage {
  const kind = exactObject(value, field, Object.keys(value ?? {})).kind;
  if (kind === 'dealing') {
    const o = exactObject(value, field, ['kind', 'dealing']);
    return { kind, dealing: parseDealing(group, o.dealing, `${field}.dealing`, trust) };
  }
  check(kind === 'complaint', `${field}.kind`, 'must be "dealing" or "complaint"');
  const o = exactObject(value, field, ['kind', 'complaint']);
  return { kind: 'complaint', complaint: parseComplaint(group, o.complaint, `${field}.complaint`, trust) };
}

export function encodeBlock(group: Group, block: Block): BlockJson {
  return {
    height: block.height,
    prev: block.prev,
    timestamp: block.timestamp,
    miner: block.miner,
    payload: encodePayload(group, block.payload),
    nonce: toHex(block.nonce, 16),
  };
}

function parsePayload(group: Group, value: unknown, trust: Trust): Payload {
  const field = 'block.payload';
  const kind = exactObject(value, field, Object.keys(value ?? {})).kind;
  switch (kind) {
    case 'tallier_key': {
      const endorsed = Object.hasOwn(value as object, 'credential');
      const o = exactObject(
        value,
        field,
        endorsed ? ['kind', 'tallier_key', 'credential', 'endorsement'] : ['kind', 'tallier_key'],
      );
      const key = parseTallierKey(group, o.tallier_key, `${field}.tallier_key`, trust);
      if (!endorsed) return { kind, key };
      return { kind, key, endorsement: parseEndorsement(group, o.credential, o.endorsement, field, trust) };
    }
    case 'ballot': {
      const o = exactObject(value, field, ['kind', anyBallotKey(value)]);
      return { kind, ballot: parseAnyBallot(group, o, field, trust) };
    }
    case 'ballots': {
      const o = exactObject(value, field, ['kind', 'ballots']);
      check(
        Array.isArray(o.ballots) && o.ballots.length <= MAX_BALLOTS_PER_BLOCK,
        `${field}.ballots`,
        `must be an array of at most ${MAX_BALLOTS_PER_BLOCK} cast ballots`,
      );
      const ballots = (o.ballots as unknown[]).map((cast, i) =>
        parseCastBallot(group, cast, `${field}.ballots[${i}]`, trust),
      );
      return { kind, ballots };
    }
    case 'ceremony': {
      const o = exactObject(value, field, ['kind', 'messages']);
      check(
        Array.isArray(o.messages) && o.messages.length <= MAX_CEREMONY_MESSAGES_PER_BLOCK,
        `${field}.messages`,
        `must be an array of at most ${MAX_CEREMONY_MESSAGES_PER_BLOCK} dealings and complaints`,
      );
      const messages = (o.messages as unknown[]).map((m, i) =>
        parseCeremonyMessage(group, m, `${field}.messages[${i}]`, trust),
      );
      return { kind, messages };
    }
    case 'confirmation':
      exactObject(value, field, ['kind']);
      return { kind };
    default:
      return check(
        false,
        `${field}.kind`,
        'must be "tallier_key", "ballot", "ballots", "ceremony" or "confirmation"',
      ) as never;
  }
}

export function checkMinerLabel(miner: unknown, field = 'block.miner'): asserts miner is string {
  checkText(miner, MAX_MINER_LABEL_BYTES, field, true);
}

/**
 * Parses a block from outside: shape, canonical forms, ranges and (unless `trusted`) group
 * membership. Chain rules (proof of work, parent, phase, proofs) are checked by Chain.
 */
export function parseBlock(group: Group, value: unknown, trust: Trust = 'untrusted'): Block {
  const o = exactObject(value, 'block', ['height', 'prev', 'timestamp', 'miner', 'payload', 'nonce']);
  // The header holds the height as a u32 and the timestamp as a u64 (docs/PROTOCOL.md §3); a
  // timestamp is bounded by the JSON integers every reader holds exactly, 2^53 − 1.
  check(
    typeof o.height === 'number' && Number.isSafeInteger(o.height) && o.height >= 1 && o.height <= 0xffffffff,
    'block.height',
    'must be a whole number in [1, 2^32 − 1]',
  );
  const prev = fixedHex(o.prev, 64, 'block.prev');
  check(
    typeof o.timestamp === 'number' && Number.isSafeInteger(o.timestamp) && o.timestamp >= 0,
    'block.timestamp',
    'must be a Unix time in whole seconds, in [0, 2^53 − 1]',
  );
  checkMinerLabel(o.miner);
  return {
    height: o.height,
    prev: toHex(prev, 64),
    timestamp: o.timestamp,
    miner: o.miner,
    payload: parsePayload(group, o.payload, trust),
    nonce: fixedHex(o.nonce, 16, 'block.nonce'),
  };
}

/** Parses a block from JSON text, refusing oversized text before parsing it. */
export function parseBlockText(group: Group, text: string, trust: Trust = 'untrusted'): Block {
  check(
    Buffer.byteLength(text, 'utf8') <= MAX_BLOCK_JSON_BYTES,
    'block',
    `larger than ${MAX_BLOCK_JSON_BYTES} bytes`,
  );
  return parseBlock(group, readJson(text, 'block'), trust);
}
