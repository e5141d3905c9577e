import {
  Inject,
  Injectable,
  SetMetadata,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import type { Actor, UserRole } from '@rasoat/contracts';
import {
  ActorLevelCheck,
  AuthErrorCode,
  AuthException,
  CLOCK,
  verifyToken,
  type Clock,
  type TokenClaims,
} from '@rasoat/engine';
import { AuthFailureLimiter } from './auth-failure-limiter';

const PUBLIC = 'rasoat:public';
const ROLES = 'rasoat:roles';

/** Marks a route that needs no token (health, docs). Everything else is authenticated. */
export const Public = () => SetMetadata(PUBLIC, true);
/** Restricts a route to some roles (scope is still checked by the services). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);

/** A request after the AuthGuard: its actor, and when the bearer token that authenticated it expires. */
export type AuthenticatedRequest = Request & { actor?: Actor; tokenExpiresAt?: Date };

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  if (!actor)
    throw new AuthException('unauthenticated', AuthErrorCode.MissingToken, 'Cần đăng nhập / authentication required');
  return actor;
});

/**
 * Verifies the bearer token of every request and attaches the actor; failed attempts are rate
 * limited per client IP. Only API access tokens pass: a queue-dashboard session token (the
 * cookie's) is refused with 401 `AUTH_TOKEN_WRONG_AUDIENCE`. A valid token whose role does not
 * act from its unit's level (or whose unit does not exist) is refused here, before any service
 * sees it.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly failures: AuthFailureLimiter,
    private readonly levels: ActorLevelCheck,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer '))
      throw new AuthException(
        'unauthenticated',
        AuthErrorCode.MissingToken,
        'Thiếu mã truy cập (Authorization: Bearer …) / missing bearer token',
      );
    let claims: TokenClaims;
    try {
      claims = verifyToken(header.slice(7).trim(), this.config.jwtSecret, this.clock.now());
    } catch (e) {
      // 401 as usual, or 429 once this client has failed too often this minute.
      if (e instanceof AuthException)
        await this.failures.recordFailure(request, context.switchToHttp().getResponse<Response>());
      throw e;
    }
    request.actor = { sub: claims.sub, role: claims.role, unit: claims.unit };
    request.tokenExpiresAt = new Date(claims.exp * 1000);
    await this.levels.assert(request.actor);
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(claims.role)) {
      throw new AuthException(
        'forbidden',
        AuthErrorCode.RoleNotAllowed,
        `Vai trò ${claims.role} không được dùng chức năng này / role not allowed; needs ${roles.join(', ')}`,
      );
    }
    return true;
  }
}
