// Tor in plain words: the main text never carries tor's codes or a relay's address (they go in
// the details), a fault is said once, and the starting screen says what is saved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TorView } from '../../main/api/contract';
import { forHowLong, lookupWait, savedSentence, startingTitle, torDetails, torWords } from './tor-words';

/** Without its `why` (exact optional properties: absent, not undefined). */
const withoutWhy = ({ why: _, ...rest }: TorView): TorView => rest;

const stuck: TorView = {
  mode: 'managed',
  stage: 'bootstrapping',
  progress: 14,
  summary: 'Handshaking with a relay',
  warning: 'the relay closed the connection (tor: DONE), 12 times, at 193.23.244.244:443',
  condition: 'unreachable',
  why: 'stuck at 14%: the relay closed the connection',
  since: 1_000_000,
};

test('can’t reach the Tor network: plain main text, what to try, tor’s words only in the details', () => {
  const words = torWords(stuck);
  assert.equal(words.title, 'Can’t reach the Tor network');
  assert.equal(words.short, 'Can’t reach Tor');
  assert.equal(words.tone, 'bad');
  assert.match(words.hint ?? '', /online.*date and time.*bridge in Connection settings/);
  assert.ok(words.settings);
  for (const text of [words.title, words.short, words.hint ?? ''])
    assert.doesNotMatch(text, /DONE|\d+\.\d+\.\d+\.\d+|bootstrap/i);
  assert.deepEqual(torDetails(stuck), [
    'Tor’s progress: 14% (Handshaking with a relay)',
    'Tor’s last warning: the relay closed the connection (tor: DONE), 12 times, at 193.23.244.244:443',
  ]);
});

test('each condition in words', () => {
  const { warning: _, ...base } = withoutWhy(stuck);
  assert.equal(torWords({ ...base, condition: 'connecting' }).title, 'Connecting to the Tor network… 14%');
  assert.equal(torWords({ ...base, condition: 'connected', stage: 'ready' }).short, 'Tor connected');
  assert.match(torWords({ ...base, condition: 'connected', stage: 'publishing' }).hint ?? '', /reachable/);
  assert.equal(torWords({ ...base, condition: 'reconnecting' }).title, 'Reconnecting to the Tor network…');
  assert.equal(torWords({ ...base, condition: 'failed' }).short, 'Tor stopped');
  assert.equal(torWords({ ...base, mode: 'off', condition: 'off' }).short, 'direct (no Tor)');
});

test('a failure is said once: its error, not the warning that led to it', () => {
  const failed: TorView = { ...stuck, stage: 'error', condition: 'failed', error: 'tor exited with code 1' };
  assert.deepEqual(torDetails(failed), [
    'Tor’s progress: 14% (Handshaking with a relay)',
    'What went wrong: tor exited with code 1',
  ]);
  // Connected: an old warning is history (the log has it), not news.
  assert.deepEqual(
    torDetails({ ...withoutWhy(stuck), progress: 100, summary: 'Done', condition: 'connected' }),
    ['Tor’s progress: 100% (Done)'],
  );
});

test('how long, what is saved, what the start and the look-up wait for', () => {
  assert.equal(forHowLong(0, 59_000), '');
  assert.equal(forHowLong(0, 3 * 60_000), ' for 3 min');
  assert.equal(forHowLong(0, 125 * 60_000), ' for 2 h 5 min');
  assert.equal(
    savedSentence({ kind: 'lobby', saved: 'lobby' }),
    'Your election is saved: you can start it again later.',
  );
  assert.match(savedSentence({ kind: 'join', saved: 'nothing' }), /^Nothing is saved yet/);
  assert.equal(
    startingTitle({ kind: 'lobby', saved: 'lobby', title: 'Lunch' }, undefined),
    'Opening “Lunch”…',
  );
  assert.equal(startingTitle(undefined, undefined), 'Starting the runner…');
  assert.equal(lookupWait(stuck), 'Waiting for Tor (see below), then asking the organizer’s runner…');
  assert.doesNotMatch(lookupWait(stuck), /Can’t reach/, 'said once, by the Tor card');
  assert.deepEqual(torDetails(withoutWhy({ ...stuck, warning: 'x' }))[1], 'Tor’s last warning: x');
  assert.deepEqual(
    torDetails({ ...stuck, warning: '' } as TorView)[1],
    'Why: stuck at 14%: the relay closed the connection',
  );
  assert.match(lookupWait({ ...stuck, condition: 'connected' }), /Asking the organizer’s runner/);
});
