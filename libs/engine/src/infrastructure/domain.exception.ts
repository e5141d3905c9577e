/**
 * How a domain failure maps to HTTP; the API's exception filter maps each kind exhaustively.
 * `rate_limited` (429) puts `details.retryAfterSeconds` into Retry-After.
 */
export type FailureKind =
  'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'unavailable';

/**
 * The base of each bounded context's exception: a stable code clients can switch on, a
 * message in Vietnamese and English, and details (e.g. the fields that were wrong).
 */
export class DomainException extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
