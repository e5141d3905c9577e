import { DomainException, type FailureKind } from '../infrastructure';

export const AuthErrorCode = {
  MissingToken: 'AUTH_MISSING_TOKEN',
  InvalidToken: 'AUTH_INVALID_TOKEN',
  ExpiredToken: 'AUTH_EXPIRED_TOKEN',
  /** A token minted for another use (the dashboard's cookie sent to the API, an API token in the cookie). */
  WrongAudience: 'AUTH_TOKEN_WRONG_AUDIENCE',
  OutOfScope: 'AUTH_OUT_OF_SCOPE',
  RoleNotAllowed: 'AUTH_ROLE_NOT_ALLOWED',
  RoleLevelMismatch: 'AUTH_ROLE_LEVEL_MISMATCH',
  UnknownUnit: 'AUTH_UNKNOWN_UNIT',
} as const;

export class AuthException extends DomainException {
  constructor(
    kind: Extract<FailureKind, 'unauthenticated' | 'forbidden'>,
    code: (typeof AuthErrorCode)[keyof typeof AuthErrorCode],
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(kind, code, message, details);
  }
}
