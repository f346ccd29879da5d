// Errors are values with a stable code (one of core/error-codes.ts), a message for a person,
// and the facts (file, field, tensor, expected, found). They are thrown at the boundary where
// bad input is detected and never swallowed.

import type { ErrorCode } from "./error-codes.ts";

export class RefuteError extends Error {
  constructor(
    readonly code: ErrorCode,
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
