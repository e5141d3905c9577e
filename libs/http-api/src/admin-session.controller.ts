import { Controller, Delete, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import type { Actor, UserRole } from '@rasoat/contracts';
import { AuthErrorCode, AuthException, CLOCK, signToken, TokenAudience, type Clock } from '@rasoat/engine';
import { CurrentActor, Public, Roles, type AuthenticatedRequest } from './auth.guard';
import { DASHBOARD_PATH, SESSION_COOKIE } from './queue-dashboard';

/** Longest lifetime of the dashboard cookie (and of the token inside it); never past the opener's token. */
export const SESSION_TTL_SECONDS = 15 * 60;

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  // Path: sent to the dashboard only, never to the API. SameSite=Strict: never on a cross-site request.
  return [
    `${SESSION_COOKIE}=${value}`,
    `Path=${DASHBOARD_PATH}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/**
 * A browser session for the queue dashboard: the admin calls this with their bearer token
 * (e.g. `fetch` from the browser console, or a tool) and the browser then opens /admin/queues
 * with the cookie. The cookie holds a token of the same actor for the dashboard alone
 * (`aud` = queue dashboard): the API refuses it as a bearer token, so it cannot open another
 * session either, and it ends 15 minutes after opening or when the opener's token expires,
 * whichever comes first — a session never outlives the credential that opened it.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin/session')
export class AdminSessionController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(200)
  @Roles('national_admin', 'province_admin')
  @ApiOperation({
    summary: 'Mở phiên xem hàng đợi (cookie) / open a queue-dashboard session (cookie)',
    description:
      `Sets an HttpOnly, SameSite=Strict cookie \`${SESSION_COOKIE}\` (path ${DASHBOARD_PATH}, at most ${SESSION_TTL_SECONDS / 60} minutes and never past the bearer token's own expiry) ` +
      `so that a browser can open ${DASHBOARD_PATH}. The cookie's token opens the dashboard only: the API refuses it (401 AUTH_TOKEN_WRONG_AUDIENCE). National and province admins only.`,
  })
  open(@CurrentActor() actor: Actor, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    const now = this.clock.now();
    const iat = Math.floor(now.getTime() / 1000);
    // The AuthGuard set the opener's expiry with the actor: the session ends by then at the latest.
    const ttl = Math.min(SESSION_TTL_SECONDS, Math.floor((req.tokenExpiresAt?.getTime() ?? 0) / 1000) - iat);
    if (ttl < 1)
      throw new AuthException('unauthenticated', AuthErrorCode.ExpiredToken, 'Mã truy cập đã hết hạn / token expired');
    const claims = {
      sub: actor.sub,
      role: actor.role as UserRole,
      unit: actor.unit,
      aud: TokenAudience.QueueDashboard,
    };
    const token = signToken(claims, this.config.jwtSecret, now, ttl);
    res.setHeader('Set-Cookie', cookie(token, ttl, this.config.publicUrl.startsWith('https:')));
    res.setHeader('Cache-Control', 'no-store');
    return { dashboard: DASHBOARD_PATH, expiresAt: new Date((iat + ttl) * 1000).toISOString() };
  }

  @Delete()
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Đóng phiên xem hàng đợi / clear the dashboard cookie' })
  close(@Res({ passthrough: true }) res: Response): void {
    res.setHeader('Set-Cookie', cookie('', 0, this.config.publicUrl.startsWith('https:')));
  }
}
