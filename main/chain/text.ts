// The rules every free text of an election follows (title, question, option labels, a miner's
// label): well-formed UTF-8 of bounded length with no control characters, so it hashes, prints
// and round-trips through JSON the same everywhere.
import { check } from '../crypto/errors';

export function checkText(
  value: unknown,
  maxBytes: number,
  field: string,
  allowEmpty = false,
): asserts value is string {
  check(typeof value === 'string', field, 'must be a string');
  check(allowEmpty || value.length > 0, field, 'must not be empty');
  check(Buffer.byteLength(value, 'utf8') <= maxBytes, field, `must be at most ${maxBytes} bytes of UTF-8`);
  // A lone surrogate does not survive a UTF-8 round trip.
  check(Buffer.from(value, 'utf8').toString('utf8') === value, field, 'must be well-formed Unicode');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  check(!/[\u0000-\u001f\u007f]/.test(value), field, 'must not contain control characters');
}
