// Errors of requests, as the forms show them: the message for the user, and the field it is
// about when the engine named one (so the message goes next to that field).

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The message to show beside the field it names: the engine words a refusal as
 * "title: must not be empty", and beside the title field the "title: " says nothing.
 */
export function fieldMessage(error: unknown): string {
  const message = errorMessage(error);
  const field = errorField(error);
  const reason = field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
  return reason.charAt(0).toUpperCase() + reason.slice(1);
}

/** The field an error names, if any (a RequestError, or any error carrying a string `field`). */
export function errorField(error: unknown): string | undefined {
  const field = (error as { field?: unknown } | null)?.field;
  return typeof field === 'string' ? field : undefined;
}

/** A failure to reach a runner, in one plain sentence, with the engine's own words as details. */
export interface Explained {
  readonly sentence: string;
  /** The technical message, for a "details" disclosure (absent when the sentence is the message). */
  readonly details?: string;
}

const REACH_PROBLEMS: readonly [RegExp, string][] = [
  [
    /connection refused|ECONNREFUSED/i,
    'Nothing answered at that address. Check the address, and that the runner there is running.',
  ],
  [
    /no answer within|timed? ?out|ETIMEDOUT/i,
    'That runner did not answer in time. Over Tor this happens: try again in a minute.',
  ],
  [
    /Tor could not connect|SOCKS|host unreachable|ttl expired/i,
    'Tor could not reach that address yet. Check it, or try again in a minute: a runner that just started takes a while to be reachable.',
  ],
  [/no open lobby|\(404\)/i, 'That address holds no election to join any more: ask for a new invitation.'],
  [
    /no peer gave a valid genesis|did not answer|unreachable|ECONNRESET|connection broken/i,
    'Could not get the election from that address. Check the address and try again.',
  ],
];

/**
 * The engine's message about reaching a peer ("no peer gave a valid genesis (127.0.0.1:7199:
 * genesis …: connection refused (is the runner running?))") as one sentence a person acts on, the
 * message itself behind "details". Any other message is already meant for the user: kept as it is.
 */
export function explainError(message: string): Explained {
  for (const [pattern, sentence] of REACH_PROBLEMS)
    if (pattern.test(message)) return { sentence, details: message };
  return { sentence: message };
}
