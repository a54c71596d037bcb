// A refused request, as every side of the engine API words it: a message for the user and, when
// the refusal is about one form field, that field's name. The engine throws it, the transports
// carry `{error, field}`, and the UI's transports throw it again on their side. Plain, no imports:
// compiled for Node, the sandboxed preload and the browser alike.
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
