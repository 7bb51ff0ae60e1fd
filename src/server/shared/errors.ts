/** A field-level problem: which field (a JSON pointer-like path) and why. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
  /** For a submission of many rows (a file, a batch of events): the 1-based row. */
  readonly row?: number;
  readonly event_id?: string | undefined;
}

/**
 * An expected failure, mapped in one place (app.ts) to RFC 9457 application/problem+json.
 * `code` is stable for clients; `detail` is a sentence a person can act on.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: readonly FieldError[] = [],
    /** Values the code refers to, for clients that word the message themselves (e.g. a limit's name and value). */
    readonly params?: Readonly<Record<string, string | number>>,
  ) {
    super(detail);
    this.name = 'DomainError';
  }
}

export const invalid = (detail: string, errors: readonly FieldError[] = []): DomainError =>
  new DomainError(422, 'invalid', detail, errors);
export const invalidField = (field: string, message: string): DomainError =>
  new DomainError(422, 'invalid', `${field}: ${message}`, [{ field, message }]);
export const notFound = (what: string): DomainError => new DomainError(404, 'not_found', `${what} was not found.`);
export const forbidden = (detail: string): DomainError => new DomainError(403, 'forbidden', detail);
export const unauthenticated = (detail = 'Sign in first.'): DomainError =>
  new DomainError(401, 'unauthenticated', detail);
export const conflict = (detail: string, errors: readonly FieldError[] = []): DomainError =>
  new DomainError(409, 'conflict', detail, errors);

/** An impossible state: a bug, never a user's mistake. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`Assertion failed: ${message}`);
}
