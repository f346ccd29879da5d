// Errors are values with a stable code, a message for a person, and the facts
// (file, field, tensor, expected, found). They are thrown at the boundary where bad input
// is detected and never swallowed.

export class RefuteError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly facts: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "RefuteError";
  }
}

export function isRefuteError(e: unknown): e is RefuteError {
  return e instanceof RefuteError;
}
