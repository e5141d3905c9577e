import { Controller, Delete, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import type { Actor, UserRole } from '@rasoat/contracts';
import { CLOCK, signToken, type Clock } from '@rasoat/engine';
import { CurrentActor, Public, Roles } from './auth.guard';
import { DASHBOARD_PATH, SESSION_COOKIE } from './queue-dashboard';

/** Lifetime of the dashboard cookie (and of the token inside it). */
export const SESSION_TTL_SECONDS = 15 * 60;

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  // Path: sent to the dashboard only, never to the API. SameSite=Strict: never on a cross-site request.
  return [`${SESSION_COOKIE}=${value}`, `Path=${DASHBOARD_PATH}`, `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}

/**
 * A browser session for the queue dashboard: the admin calls this with their bearer token
 * (e.g. `fetch` from the browser console, or a tool) and the browser then opens /admin/queues
 * with the cookie. The cookie holds a fresh token of the same actor that expires in 15 minutes.
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
    description: `Sets an HttpOnly, SameSite=Strict cookie \`${SESSION_COOKIE}\` (path ${DASHBOARD_PATH}, ${SESSION_TTL_SECONDS / 60} minutes) so that a browser can open ${DASHBOARD_PATH}. National and province admins only.`,
  })
  open(@CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    const now = this.clock.now();
    const token = signToken({ sub: actor.sub, role: actor.role as UserRole, unit: actor.unit }, this.config.jwtSecret, now, SESSION_TTL_SECONDS);
    res.setHeader('Set-Cookie', cookie(token, SESSION_TTL_SECONDS, this.config.publicUrl.startsWith('https:')));
    res.setHeader('Cache-Control', 'no-store');
    return { dashboard: DASHBOARD_PATH, expiresAt: new Date(now.getTime() + SESSION_TTL_SECONDS * 1000).toISOString() };
  }

  @Delete()
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Đóng phiên xem hàng đợi / clear the dashboard cookie' })
  close(@Res({ passthrough: true }) res: Response): void {
    res.setHeader('Set-Cookie', cookie('', 0, this.config.publicUrl.startsWith('https:')));
  }
}
