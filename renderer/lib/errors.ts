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
