// Tor's bootstrap status, as GETINFO status/bootstrap-phase and STATUS_CLIENT events give it:
// `NOTICE BOOTSTRAP PROGRESS=50 TAG=loading_descriptors SUMMARY="Loading relay descriptors"`, or
// with WARN and `WARNING="…" REASON=… HOSTADDR="…"` when something is in the way.
import { parseArguments } from './control-protocol';

export interface BootstrapStatus {
  /** 0–100; 100 means tor can build circuits. */
  readonly progress: number;
  /** Tor's name for the phase, e.g. `conn`, `loading_descriptors`, `done`. */
  readonly tag: string;
  /** Tor's words for it, e.g. "Loading relay descriptors". */
  readonly summary: string;
  /** With a WARN status: what went wrong, e.g. "Connection refused (CONNECTREFUSED) at 127.0.0.1:1". */
  readonly warning?: string;
}

export const BOOTSTRAP_UNKNOWN: BootstrapStatus = { progress: 0, tag: 'starting', summary: 'Starting' };

/** Reads a bootstrap status line; undefined for other STATUS_CLIENT lines (CIRCUIT_ESTABLISHED, …). */
export function parseBootstrapStatus(text: string): BootstrapStatus | undefined {
  const { positional, named } = parseArguments(text);
  if (positional[1] !== 'BOOTSTRAP') return undefined;
  const progress = Number(named.get('PROGRESS'));
  if (!Number.isInteger(progress) || progress < 0 || progress > 100) return undefined;
  const status = { progress, tag: named.get('TAG') ?? '', summary: named.get('SUMMARY') ?? '' };
  const warning = named.get('WARNING');
  if (positional[0] !== 'WARN' || warning === undefined) return status;
  const reason = named.get('REASON');
  const host = named.get('HOSTADDR');
  return {
    ...status,
    warning: `${warning}${reason ? ` (${reason})` : ''}${host ? ` at ${host}` : ''}`,
  };
}

export function describeBootstrap(status: BootstrapStatus): string {
  return `${status.progress}% (${status.summary || status.tag})`;
}
