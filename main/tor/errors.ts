// One error type for everything Tor: `kind` lets the runner and the dashboard react (ask the user to
// install tor, to check a password, to wait) without parsing messages. Messages never carry secrets
// (the control cookie, a password, an onion key): commands are named by their first word only.

export type TorErrorKind =
  /** No tor program was found, or the configured one is not executable. */
  | 'not-found'
  /** The control port could not be reached (refused, unreachable, no answer). */
  | 'connect'
  /** Tor refused our credentials, or none that it accepts were given. */
  | 'auth'
  /** A command or a wait ran out of time. */
  | 'timeout'
  /** Tor answered a command with an error status. */
  | 'reply'
  /** Tor sent something that is not the control protocol, or not what the command expects. */
  | 'protocol'
  /** The control connection ended (tor exited, or close() was called). */
  | 'closed'
  /** Tor could not start: bad configuration, a locked data directory. */
  | 'start'
  /** Tor could not start: a port it was told to use is taken. */
  | 'port-in-use'
  /** Tor's bootstrap made no progress for too long. */
  | 'bootstrap-stalled'
  /** The tor process exited while in use. */
  | 'exited'
  /** An onion service could not be published in time. */
  | 'publish';

export class TorError extends Error {
  override readonly name = 'TorError';
  constructor(
    readonly kind: TorErrorKind,
    message: string,
    /** Tor's reply status, for `reply` and `auth`. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
