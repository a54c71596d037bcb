// What the user is told about tor: tor's bootstrap lines read in plain words (the `DONE` warning
// included), and the rule that turns tor's status into connecting, connected, can't reach the Tor
// network, or reconnecting (docs/TOR.md §3a).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeBootstrap, parseBootstrapStatus } from './bootstrap';
import {
  type HealthFacts,
  NOT_ANSWERING_MS,
  parseCircuitStatus,
  torHealth,
  UNREACHABLE_AFTER_PROBLEM_MS,
  UNREACHABLE_QUIET_MS,
} from './health';

describe('bootstrap lines', () => {
  test('tor\'s "DONE" warning is a closed connection, not success; the relay stays in the details', () => {
    // What a user behind a blocked network saw as "⚠ bootstrap: DONE (DONE) at 193.23.244.244:443".
    const status = parseBootstrapStatus(
      'WARN BOOTSTRAP PROGRESS=14 TAG=handshake SUMMARY="Handshaking with a relay" WARNING="DONE" REASON=DONE COUNT=12 RECOMMENDATION=warn HOSTID="9695DFC35FFEB861329B9F1AB04C46397020CE31" HOSTADDR="193.23.244.244:443"',
    );
    assert.ok(status);
    assert.equal(status.progress, 14);
    assert.equal(status.summary, 'Handshaking with a relay');
    assert.deepEqual(status.problem, {
      reason: 'DONE',
      words: 'the relay closed the connection',
      torWords: 'DONE',
      count: 12,
      recommendation: 'warn',
      host: '193.23.244.244:443',
    });
    assert.equal(
      status.warning,
      'the relay closed the connection (tor: DONE), 12 times, at 193.23.244.244:443',
    );
    assert.doesNotMatch(
      status.problem.words,
      /DONE|\d+\.\d+\.\d+\.\d+/,
      'the main words: no code, no address',
    );
  });

  test("other reasons, in plain words; tor's own text kept beside its code", () => {
    const refused = parseBootstrapStatus(
      'WARN BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY="Connecting to a relay" WARNING="Connection refused" REASON=CONNECTREFUSED COUNT=1 RECOMMENDATION=ignore HOSTID="BBBB" HOSTADDR="127.0.0.1:1"',
    );
    assert.equal(refused?.problem?.words, 'the connection was refused');
    assert.equal(
      refused?.warning,
      'the connection was refused (tor: Connection refused, CONNECTREFUSED), at 127.0.0.1:1',
    );
    const tls = parseBootstrapStatus(
      'WARN BOOTSTRAP PROGRESS=10 TAG=conn_done SUMMARY="Connected to a relay" WARNING="unexpected eof while reading" REASON=TLS_ERROR COUNT=2 RECOMMENDATION=warn HOSTID="0000" HOSTADDR="127.0.0.1:44045"',
    );
    assert.equal(tls?.problem?.words, 'the secure connection to the relay failed');
    const unknown = parseBootstrapStatus(
      'WARN BOOTSTRAP PROGRESS=0 TAG=starting SUMMARY="Starting" WARNING="odd" REASON=NEWTHING',
    );
    assert.equal(unknown?.problem?.words, 'the connection failed (odd)');
    assert.equal(describeBootstrap(tls!), '10% (Connected to a relay)');
  });

  test('progress lines carry no problem; other status lines are not bootstrap lines', () => {
    assert.deepEqual(parseBootstrapStatus('NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"'), {
      progress: 100,
      tag: 'done',
      summary: 'Done',
    });
    assert.equal(parseBootstrapStatus('NOTICE CIRCUIT_ESTABLISHED'), undefined);
  });

  test('circuit status events', () => {
    assert.deepEqual(parseCircuitStatus('NOTICE CIRCUIT_ESTABLISHED'), { circuits: true });
    assert.deepEqual(parseCircuitStatus('NOTICE CIRCUIT_NOT_ESTABLISHED REASON=CLOCK_JUMPED'), {
      circuits: false,
      why: 'CLOCK_JUMPED',
    });
    assert.deepEqual(parseCircuitStatus('WARN CIRCUIT_NOT_ESTABLISHED'), { circuits: false });
    assert.equal(parseCircuitStatus('NOTICE BOOTSTRAP PROGRESS=5 TAG=conn'), undefined);
    assert.equal(parseCircuitStatus('NOTICE ENOUGH_DIR_INFO'), undefined);
  });
});

describe('the rule: connecting, connected, unreachable, reconnecting', () => {
  const t0 = 1_000_000;
  const fresh: HealthFacts = { progress: 14, progressAt: t0, circuits: true };

  test('bootstrapping with progress: connecting', () => {
    assert.deepEqual(torHealth(fresh, t0 + 5000), { condition: 'connecting' });
  });

  test("a reported problem and no progress for 10 s: unreachable, with tor's reason as the why", () => {
    const facts = { ...fresh, problem: { at: t0 + 2000, words: 'the relay closed the connection' } };
    assert.equal(torHealth(facts, t0 + UNREACHABLE_AFTER_PROBLEM_MS - 1).condition, 'connecting');
    assert.deepEqual(torHealth(facts, t0 + UNREACHABLE_AFTER_PROBLEM_MS), {
      condition: 'unreachable',
      why: 'stuck at 14%: the relay closed the connection',
    });
    // Progress again: connecting (the problem was before it).
    assert.equal(
      torHealth({ ...facts, progress: 50, progressAt: t0 + 20_000 }, t0 + 21_000).condition,
      'connecting',
    );
  });

  test('no progress and no word for 60 s: unreachable too', () => {
    assert.equal(torHealth(fresh, t0 + UNREACHABLE_QUIET_MS - 1).condition, 'connecting');
    assert.deepEqual(torHealth(fresh, t0 + UNREACHABLE_QUIET_MS), {
      condition: 'unreachable',
      why: 'stuck at 14% for over 60 s',
    });
  });

  test('bootstrapped: connected; circuits lost or tor silent: reconnecting; back: connected', () => {
    const done: HealthFacts = { progress: 100, progressAt: t0, circuits: true };
    assert.deepEqual(torHealth(done, t0 + 3_600_000), { condition: 'connected' });
    assert.deepEqual(torHealth({ ...done, circuits: false, circuitsWhy: 'CLOCK_JUMPED' }, t0), {
      condition: 'reconnecting',
      why: 'tor says its circuits stopped working (CLOCK_JUMPED)',
    });
    const asleep = { ...done, unansweredSince: t0 + 1000 };
    assert.equal(torHealth(asleep, t0 + 1000 + NOT_ANSWERING_MS - 1).condition, 'connected');
    assert.deepEqual(torHealth(asleep, t0 + 1000 + NOT_ANSWERING_MS), {
      condition: 'reconnecting',
      why: 'tor has not answered for over 10 s',
    });
    assert.equal(torHealth(done, t0 + 1000 + NOT_ANSWERING_MS).condition, 'connected');
  });
});
