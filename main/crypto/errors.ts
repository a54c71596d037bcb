// One error type for everything that arrives from outside and fails a check. `field` names the
// offending part (e.g. `ballot.proof[1].challenge`) so a peer, a file or a user is told exactly
// what was wrong; `reason` says why in words.

export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** Throws a ValidationError unless `condition` holds. */
export function check(condition: boolean, field: string, reason: string): asserts condition {
  if (!condition) throw new ValidationError(field, reason);
}
