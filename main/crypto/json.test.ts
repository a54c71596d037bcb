import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from './errors';
import { MAX_JSON_DEPTH, readJson } from './json';

/** The ValidationError message readJson gives for `text`. */
function refusal(text: string, root = 'body'): string {
  try {
    readJson(text, root);
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error.message;
  }
  assert.fail(`${JSON.stringify(text)} was accepted`);
}

describe('readJson: what it reads is what JSON.parse reads', () => {
  test('every kind of value, with whitespace, escapes and nesting', () => {
    for (const text of [
      '{}',
      '[]',
      ' \t\r\n{ "a" : [ 1 , -2 , 0 , 9007199254740991 , -9007199254740991 ] } \n',
      '{"s":"plain","e":"q\\"b\\\\s\\/n\\n\\r\\t\\b\\f","u":"\\u00e9\\u20AC\\ud83d\\ude00","raw":"é€😀"}',
      '{"t":true,"f":false,"n":null,"nested":{"deeper":[{"x":[[]]}]}}',
      '"just a string"',
      '42',
      '{"__proto__":{"polluted":1},"constructor":2}',
      '{"a":"x\\"y","b":"\\\\"}',
    ]) {
      assert.deepEqual(readJson(text, 'body'), JSON.parse(text), text);
    }
  });

  test('"__proto__" is an own member, as JSON.parse makes it, never the prototype', () => {
    const value = readJson('{"__proto__":{"polluted":1}}', 'body') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('the canonical JSON of a large record reads as JSON.parse reads it', () => {
    const hex = 'ab'.repeat(256);
    const block = (h: number) => ({
      height: h,
      prev: 'cd'.repeat(32),
      timestamp: 1_764_000_000 + h,
      miner: `runner-${h} «é»`,
      payload: { kind: 'ballot', ballot: { alpha: hex, beta: hex, proof: [{ a: hex }, { b: hex }] } },
      nonce: '00000000a1b2c3d4',
    });
    const text = JSON.stringify({ blocks: Array.from({ length: 200 }, (_, i) => block(i + 1)) }, null, 2);
    assert.deepEqual(readJson(text, 'record'), JSON.parse(text));
  });
});

describe('readJson: refusals name the place', () => {
  test('a duplicate key, at any depth, even spelled with an escape', () => {
    assert.match(refusal('{"a":1,"a":1}'), /^body\.a: is a duplicate key/);
    assert.match(
      refusal('{"block":{"payload":{"kind":"x","kind":"y"}}}'),
      /^body\.block\.payload\.kind: is a duplicate key: .*\(at character 32\)$/,
    );
    assert.match(
      refusal('[{"ok":1},{"h\\u0065ight":1,"height":2}]'),
      /^body\[1\]\.height: is a duplicate key/,
    );
    assert.match(refusal('{"x y":1,"x y":2}'), /^body\["x y"\]: is a duplicate key/);
  });

  test('a number that is not an integer in plain decimal', () => {
    for (const [lexeme, text] of [
      ['5.0', '{"height":5.0}'],
      ['5e0', '{"height":5e0}'],
      ['5E+0', '{"height":5E+0}'],
      ['1.764e9', '{"height":1.764e9}'],
      ['-0', '{"height":-0}'],
      ['05', '{"height":05}'],
      ['-01', '{"height":-01}'],
      ['0.5', '{"height":0.5}'],
    ] as const) {
      assert.match(
        refusal(text),
        new RegExp(`^body\\.height: ${lexeme.replace(/[.+]/g, '\\$&')} is not an integer in plain decimal`),
        text,
      );
    }
    assert.match(refusal('{"height":+5}'), /^body\.height: is not JSON: unexpected "\+"/);
    assert.match(refusal('{"height":-}'), /^body\.height: is not JSON: a minus sign/);
  });

  test('an integer beyond 2^53 − 1 in magnitude, which a double would round', () => {
    assert.equal(readJson('9007199254740991', 'n'), 2 ** 53 - 1);
    assert.match(
      refusal('{"timestamp":9007199254740992}'),
      /^body\.timestamp: 9007199254740992 is beyond 2\^53/,
    );
    assert.match(refusal('[-9007199254740993]'), /^body\[0\]: -9007199254740993 is beyond/);
    assert.match(refusal('[1000000000000000000000000]'), /is beyond 2\^53/);
  });

  test('a byte-order mark, and nesting deeper than the limit', () => {
    assert.match(refusal('\ufeff{}', 'record'), /^record: is not JSON: it starts with a byte-order mark/);
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    assert.ok(Array.isArray(readJson(deep(MAX_JSON_DEPTH), 'body')));
    assert.match(refusal(deep(MAX_JSON_DEPTH + 1)), /nests deeper than 64 levels/);
    assert.match(refusal(deep(100_000)), /nests deeper than 64 levels/); // no stack overflow
  });

  test('whatever RFC 8259 refuses', () => {
    for (const text of [
      '',
      ' ',
      '{',
      '{"a":1,}',
      '[1,]',
      '[1 2]',
      '{"a" 1}',
      '{a:1}',
      "{'a':1}",
      '{"a":"unclosed}',
      '{"a":"tab\there"}',
      '{"a":"\\x41"}',
      '{"a":"\\u12"}',
      'NaN',
      'Infinity',
      'tru',
      '{"a":1} {}',
      '{"a":1}x',
      '\u00a0{}',
    ]) {
      assert.throws(() => JSON.parse(text), SyntaxError, `JSON.parse accepts ${JSON.stringify(text)}`);
      assert.match(refusal(text), /is not JSON/, text);
    }
  });

  test('a control character in a string is named, with its position', () => {
    assert.equal(
      refusal('{"miner":"a\u0001b"}'),
      'body.miner: is not JSON: a control character must be escaped in a string (at character 11)',
    );
  });
});
