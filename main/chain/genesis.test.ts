import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../crypto/errors';
import { encodeGenesis, MIN_TARGET, parseGenesis } from './genesis';
import { MAX_TARGET } from './pow/target';
import { testGenesis } from './testing';

const refuses = (fn: () => unknown, field: string) =>
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && e.field === field);

describe('genesis', () => {
  const genesis = testGenesis();
  const json = encodeGenesis(genesis);

  test('encode → JSON → parse gives the same election id', () => {
    const parsed = parseGenesis(JSON.parse(JSON.stringify(json)));
    assert.equal(parsed.idHex, genesis.idHex);
    assert.match(genesis.idHex, /^[0-9a-f]{64}$/);
    assert.equal(parsed.group, genesis.group, 'the default group is one shared instance');
  });

  test('every parameter is in the id', () => {
    const variants = [
      { title: 'Other' },
      { question: 'Other?' },
      { nTalliers: 3 },
      { nTalliersBlocks: 4 },
      { nVoteBlocks: 5 },
      { confirmations: 2 },
      { target: genesis.target - 1n },
      { createdAt: genesis.createdAt + 1 },
    ];
    const ids = new Set([genesis.idHex, ...variants.map((v) => testGenesis(v).idHex)]);
    assert.equal(ids.size, variants.length + 1);
  });

  test('parameters out of range are refused, naming the field', () => {
    refuses(() => testGenesis({ title: '' }), 'genesis.title');
    refuses(() => testGenesis({ title: 'x'.repeat(201) }), 'genesis.title');
    refuses(() => testGenesis({ title: 'a\u0000b' }), 'genesis.title');
    refuses(() => testGenesis({ question: '\ud800' }), 'genesis.question');
    refuses(() => testGenesis({ nTalliers: 0 }), 'genesis.n_talliers');
    refuses(() => testGenesis({ nTalliers: 1.5 }), 'genesis.n_talliers');
    refuses(() => testGenesis({ nTalliersBlocks: 0 }), 'genesis.n_talliers_blocks');
    refuses(() => testGenesis({ nVoteBlocks: 100_001 }), 'genesis.n_vote_blocks');
    refuses(() => testGenesis({ confirmations: -1 }), 'genesis.confirmations');
    refuses(() => testGenesis({ target: MIN_TARGET - 1n }), 'genesis.target');
    // The bound is 2^222 − 1 exactly (PROTOCOL §2): its work is 2^34 expected hashes, the most allowed.
    assert.equal(MIN_TARGET, (1n << 222n) - 1n);
    assert.equal(testGenesis({ target: (1n << 222n) - 1n }).target, MIN_TARGET);
    assert.throws(() => testGenesis({ target: (1n << 222n) - 2n }), /must be in \[2\^222 − 1, 2\^256 − 1\]/);
    refuses(() => testGenesis({ target: MAX_TARGET + 1n }), 'genesis.target');
    refuses(() => testGenesis({ createdAt: -1 }), 'genesis.created_at');
  });

  test('malformed JSON is refused, naming the field', () => {
    refuses(() => parseGenesis({ ...json, version: 3 }), 'genesis.version');
    refuses(() => parseGenesis({ ...json, n_talliers: '2' }), 'genesis.n_talliers');
    refuses(() => parseGenesis({ ...json, target: 'f'.repeat(63) }), 'genesis.target');
    refuses(() => parseGenesis({ ...json, group: { ...json.group, g: json.group.p } }), 'genesis.group.g');
    refuses(() => parseGenesis({ ...json, extra: 1 }), 'genesis.extra');
    refuses(() => parseGenesis([]), 'genesis');
  });
});
