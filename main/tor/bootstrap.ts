// Tor's bootstrap status, as GETINFO status/bootstrap-phase and STATUS_CLIENT events give it:
// `NOTICE BOOTSTRAP PROGRESS=50 TAG=loading_descriptors SUMMARY="Loading relay descriptors"`, or
// with WARN and `WARNING="…" REASON=… COUNT=… RECOMMENDATION=… HOSTADDR="…"` when something is in
// the way. WARNING is tor's word for why a connection ended (control-spec: for an OR connection
// it is the reason itself, so `WARNING="DONE" REASON=DONE` means "the relay closed the
// connection", not "done"), so the problem is told from REASON, in plain words.
import { parseArguments } from './control-protocol';

/** A bootstrap problem, from a `WARN BOOTSTRAP` status event. */
export interface BootstrapProblem {
  /** Tor's reason code: DONE, CONNECTREFUSED, TIMEOUT, NOROUTE, TLS_ERROR, … (MISC when none). */
  readonly reason: string;
  /** What happened, in plain words: "the relay closed the connection". */
  readonly words: string;
  /** Tor's own WARNING text ("DONE", "Connection refused", "unexpected eof while reading"). */
  readonly torWords: string;
  /** How many times it happened so far. */
  readonly count?: number;
  /** Tor's advice: `warn`, tell the user; `ignore`, tor expects to get past it. */
  readonly recommendation?: string;
  /** The relay or bridge it was talking to (host:port): for the details, never the main text. */
  readonly host?: string;
}

export interface BootstrapStatus {
  /** 0–100; 100 means tor can build circuits. */
  readonly progress: number;
  /** Tor's name for the phase, e.g. `conn`, `loading_descriptors`, `done`. */
  readonly tag: string;
  /** Tor's words for it, e.g. "Loading relay descriptors". */
  readonly summary: string;
  /**
   * With a WARN status, the problem in one line for the details and the log: "the relay closed
   * the connection (tor: DONE), 12 times, at 193.23.244.244:443".
   */
  readonly warning?: string;
  readonly problem?: BootstrapProblem;
}

export const BOOTSTRAP_UNKNOWN: BootstrapStatus = { progress: 0, tag: 'starting', summary: 'Starting' };

/** Tor's OR-connection end reasons (control-spec "ORCONN" REASON), in plain words. */
const REASONS: Readonly<Record<string, string>> = {
  DONE: 'the relay closed the connection',
  CONNECTREFUSED: 'the connection was refused',
  IDENTITY: 'a relay was not the one expected',
  CONNECTRESET: 'the connection was cut',
  TIMEOUT: 'the connection timed out',
  NOROUTE: 'no route to the relay (is this computer online?)',
  IOERROR: 'the connection failed while sending or receiving',
  RESOURCELIMIT: 'this computer ran out of connections',
  TLS_ERROR: 'the secure connection to the relay failed',
  PT_MISSING: 'the bridge needs a transport program that is missing',
  MISC: 'the connection failed',
};

/** Reads a bootstrap status line; undefined for other STATUS_CLIENT lines (CIRCUIT_ESTABLISHED, …). */
export function parseBootstrapStatus(text: string): BootstrapStatus | undefined {
  const { positional, named } = parseArguments(text);
  if (positional[1] !== 'BOOTSTRAP') return undefined;
  const progress = Number(named.get('PROGRESS'));
  if (!Number.isInteger(progress) || progress < 0 || progress > 100) return undefined;
  const status = { progress, tag: named.get('TAG') ?? '', summary: named.get('SUMMARY') ?? '' };
  const torWords = named.get('WARNING');
  if (positional[0] !== 'WARN' || torWords === undefined) return status;
  const reason = (named.get('REASON') ?? 'MISC').toUpperCase();
  const count = Number(named.get('COUNT'));
  const recommendation = named.get('RECOMMENDATION');
  const host = named.get('HOSTADDR');
  const problem: BootstrapProblem = {
    reason,
    words: REASONS[reason] ?? `the connection failed (${torWords})`,
    torWords,
    ...(Number.isSafeInteger(count) && count > 0 ? { count } : {}),
    ...(recommendation ? { recommendation } : {}),
    ...(host ? { host } : {}),
  };
  return { ...status, warning: describeProblem(problem), problem };
}

/** "the relay closed the connection (tor: DONE), 12 times, at 193.23.244.244:443". */
export function describeProblem(problem: BootstrapProblem): string {
  const tor =
    problem.torWords.toUpperCase() === problem.reason
      ? problem.reason
      : `${problem.torWords}, ${problem.reason}`;
  const times = problem.count && problem.count > 1 ? `, ${problem.count} times` : '';
  return `${problem.words} (tor: ${tor})${times}${problem.host ? `, at ${problem.host}` : ''}`;
}

export function describeBootstrap(status: BootstrapStatus): string {
  return `${status.progress}% (${status.summary || status.tag})`;
}
