// The promises behind POST /v1/inventory: one announcer at a time is asked for a body, and one
// that never sends it only delays the block (found in review: a hostile announcer racing to
// announce every block first used to withhold it for ever, renewing its promise by asking again).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WantedBodies } from './wanted-bodies';

const H = 'ab'.repeat(32);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function book(promiseMs = 100) {
  const held = new Set<string>();
  const fetched: [string, string][] = [];
  const bodies = new WantedBodies(
    (hash) => !held.has(hash),
    (hash, from) => fetched.push([hash, from]),
    promiseMs,
  );
  return { held, fetched, bodies };
}

describe('wanted bodies', () => {
  test('the first announcer is asked; others are not, for a while; a held block is asked of nobody', () => {
    const { held, bodies } = book();
    assert.deepEqual(bodies.answer([H], 'x'), [H]);
    assert.deepEqual(bodies.answer([H], 'y'), []);
    assert.deepEqual(bodies.answer([H], 'x'), [H], 'the same announcer is told again');
    held.add(H);
    assert.deepEqual(bodies.answer([H], 'z'), []);
    bodies.clear();
  });

  test('a promise not kept: the block is fetched from the next announcer, who is promised next', async () => {
    const { fetched, bodies } = book(100);
    bodies.answer([H], 'hostile');
    bodies.answer([H], 'honest-1');
    bodies.answer([H], 'honest-2');
    await wait(150);
    assert.deepEqual(fetched, [[H, 'honest-1']]);
    assert.deepEqual(bodies.answer([H], 'hostile'), [], 'now promised to honest-1');
    await wait(120);
    assert.deepEqual(fetched, [
      [H, 'honest-1'],
      [H, 'honest-2'],
    ]);
    bodies.clear();
  });

  test('asking again does not extend a promise', async () => {
    const { fetched, bodies } = book(100);
    bodies.answer([H], 'hostile');
    bodies.answer([H], 'honest');
    await wait(60);
    assert.deepEqual(bodies.answer([H], 'hostile'), [H]);
    await wait(60); // 120 ms after the promise: it ran out although renewed at 60 ms
    assert.deepEqual(fetched, [[H, 'honest']]);
    bodies.clear();
  });

  test('an anonymous announcer is told the truth but promised nothing', () => {
    const { bodies } = book();
    assert.deepEqual(bodies.answer([H], undefined), [H]);
    assert.deepEqual(bodies.answer([H], 'x'), [H], 'nobody was promised it');
    bodies.clear();
  });

  test('a block that arrived meanwhile is not fetched', async () => {
    const { held, fetched, bodies } = book(50);
    bodies.answer([H], 'x');
    bodies.answer([H], 'y');
    held.add(H);
    await wait(80);
    assert.deepEqual(fetched, []);
    bodies.clear();
  });
});
