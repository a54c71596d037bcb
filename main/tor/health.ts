// What the user is told about tor, decided from what tor says (docs/TOR.md §3a, "What the user is
// told"): connecting, connected, can't reach the Tor network, or reconnecting. Pure, so the rule is
// tested on its own (health.test.ts) and TorManager only feeds it facts and the time.

/**
 * connecting: bootstrapping, making progress; connected: bootstrapped, circuits work;
 * unreachable: bootstrapping and stuck (the rule below); reconnecting: it was connected, and now
 * tor says its circuits stopped working, or tor stopped answering.
 */
export type TorCondition = 'connecting' | 'connected' | 'unreachable' | 'reconnecting';

export interface TorHealth {
  readonly condition: TorCondition;
  /** Tor's words (or ours) for why, for the details: never the main text. */
  readonly why?: string;
}

/** Stuck this long after tor reported a bootstrap problem: can't reach the network. */
export const UNREACHABLE_AFTER_PROBLEM_MS = 10_000;
/** Stuck this long without a word from tor (packets dropped in silence): can't reach it either. */
export const UNREACHABLE_QUIET_MS = 60_000;
/** A control command unanswered this long: tor is not running (a sleeping laptop, SIGSTOP). */
export const NOT_ANSWERING_MS = 10_000;

export interface HealthFacts {
  /** Bootstrap progress, 0–100. */
  readonly progress: number;
  /** When the progress last moved (or tor started). */
  readonly progressAt: number;
  /** The last bootstrap problem tor reported since the progress last moved, if any. */
  readonly problem?: { readonly at: number; readonly words: string };
  /** False from a CIRCUIT_NOT_ESTABLISHED status until the next CIRCUIT_ESTABLISHED. */
  readonly circuits: boolean;
  /** Tor's reason for CIRCUIT_NOT_ESTABLISHED (CLOCK_JUMPED, DIR_ALL_UNREACHABLE, …). */
  readonly circuitsWhy?: string;
  /** Since when a control command has been waiting for tor's answer, if one is. */
  readonly unansweredSince?: number;
}

/**
 * The rule. Bootstrapping (below 100 %): can't reach the Tor network once the progress has not
 * moved for 10 s after tor reported a problem (a `WARN BOOTSTRAP` event: refused, closed, timed
 * out…), or for 60 s without any word; otherwise connecting. Bootstrapped: reconnecting while tor
 * says its circuits do not work (CIRCUIT_NOT_ESTABLISHED: the clock jumped after a sleep, every
 * directory unreachable) or has not answered a command for 10 s; otherwise connected.
 */
export function torHealth(facts: HealthFacts, now: number): TorHealth {
  // No durations in the words: they change only when the condition does (the view has `since`).
  const silent =
    facts.unansweredSince !== undefined && now - facts.unansweredSince >= NOT_ANSWERING_MS
      ? `tor has not answered for over ${NOT_ANSWERING_MS / 1000} s`
      : undefined;
  if (facts.progress >= 100) {
    if (silent) return { condition: 'reconnecting', why: silent };
    if (!facts.circuits)
      return {
        condition: 'reconnecting',
        why: `tor says its circuits stopped working${facts.circuitsWhy ? ` (${facts.circuitsWhy})` : ''}`,
      };
    return { condition: 'connected' };
  }
  const stuck = now - facts.progressAt;
  const at = `stuck at ${facts.progress}%`;
  if (facts.problem && facts.problem.at >= facts.progressAt && stuck >= UNREACHABLE_AFTER_PROBLEM_MS)
    return { condition: 'unreachable', why: `${at}: ${facts.problem.words}` };
  if (stuck >= UNREACHABLE_QUIET_MS)
    return {
      condition: 'unreachable',
      why: silent ? `${at}; ${silent}` : `${at} for over ${UNREACHABLE_QUIET_MS / 1000} s`,
    };
  return { condition: 'connecting' };
}

/** `CIRCUIT_ESTABLISHED` → true, `CIRCUIT_NOT_ESTABLISHED REASON=…` → false with the reason. */
export function parseCircuitStatus(text: string): { circuits: boolean; why?: string } | undefined {
  const m = /^\S+ (CIRCUIT_ESTABLISHED|CIRCUIT_NOT_ESTABLISHED)\b(?:.*\bREASON=(\S+))?/.exec(text);
  if (!m) return undefined;
  if (m[1] === 'CIRCUIT_ESTABLISHED') return { circuits: true };
  return m[2] ? { circuits: false, why: m[2] } : { circuits: false };
}
