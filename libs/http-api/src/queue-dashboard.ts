import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { QueueName, type UserRole } from '@rasoat/contracts';
import {
  ActorLevelCheck,
  AuthErrorCode,
  AuthException,
  CLOCK,
  QueueReader,
  TokenAudience,
  verifyToken,
  type Clock,
  type TokenClaims,
} from '@rasoat/engine';
import { AuthFailureLimiter, TOO_MANY_AUTH_FAILURES, TooManyAuthFailuresException } from './auth-failure-limiter';
import type { AuthenticatedRequest } from './auth.guard';

/** Where the queue dashboard (Bull Board) is mounted. */
export const DASHBOARD_PATH = '/admin/queues';
/** The cookie `POST /api/admin/session` sets, so that a browser can open the dashboard. */
export const SESSION_COOKIE = 'rasoat_token';
/** Who may open it: national admins with every action, province admins read-only. */
export const DASHBOARD_ROLES: readonly UserRole[] = ['national_admin', 'province_admin'];

const DASHBOARD_QUEUES = [QueueName.CaseEvents, QueueName.Timers, QueueName.Notifications];

/** The value of one cookie of a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}

/**
 * Authenticates a dashboard request with an API bearer token or, since a browser navigating to
 * a page cannot send a header, the `rasoat_token` cookie, which must hold a dashboard session
 * token (`POST /api/admin/session`; an API token there is refused). 401 without a valid token,
 * 403 for a role other than national or province admin, or one not at its level's unit (as the
 * API's guard); the same error body as the API's. A bad or expired token counts as a failed
 * authentication of the client, as on the API: past the limit the answer is 429 with Retry-After.
 */
export function dashboardAuth(
  config: AppConfig,
  clock: Clock,
  failures: AuthFailureLimiter,
  levels: ActorLevelCheck,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const token = bearer ?? readCookie(req.headers.cookie, SESSION_COOKIE);
    const requestId = String(req.headers['x-request-id'] ?? '');
    const fail = (status: number, code: string, message: string) => {
      res.setHeader('Cache-Control', 'no-store');
      if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      res.status(status).json({ error: { code, message, details: {} }, requestId });
    };
    if (!token) {
      fail(
        401,
        AuthErrorCode.MissingToken,
        'Cần đăng nhập: gửi Authorization: Bearer … hoặc mở phiên bằng POST /api/admin/session / authentication required: send a bearer token, or open a session with POST /api/admin/session',
      );
      return;
    }
    let claims: TokenClaims;
    try {
      claims = verifyToken(
        token,
        config.jwtSecret,
        clock.now(),
        bearer === undefined ? TokenAudience.QueueDashboard : undefined,
      );
    } catch (e) {
      if (!(e instanceof AuthException)) {
        next(e);
        return;
      }
      // 401 as usual, or 429 once this client has failed too often this minute.
      failures.recordFailure(req, res).then(
        () => fail(401, e.code, e.message),
        (limited: unknown) => {
          if (limited instanceof TooManyAuthFailuresException) fail(429, TOO_MANY_AUTH_FAILURES, limited.message);
          else next(limited);
        },
      );
      return;
    }
    const actor = { sub: claims.sub, role: claims.role, unit: claims.unit };
    (req as AuthenticatedRequest).actor = actor;
    if (!DASHBOARD_ROLES.includes(claims.role)) {
      fail(
        403,
        AuthErrorCode.RoleNotAllowed,
        `Vai trò ${claims.role} không được xem hàng đợi / role not allowed; needs ${DASHBOARD_ROLES.join(', ')}`,
      );
      return;
    }
    levels.assert(actor).then(
      () => {
        res.setHeader('Cache-Control', 'no-store');
        next();
      },
      (e: unknown) => (e instanceof AuthException ? fail(403, e.code, e.message) : next(e)),
    );
  };
}

/**
 * Mounts Bull Board at /admin/queues on the HTTP server, over the case-events, timers and
 * notifications queues, behind `dashboardAuth`. National admins get the full board (retry,
 * promote, clean); province admins a read-only one, since the queues are shared by every
 * province, without the Redis server's details (version, memory, clients: its
 * `/api/redis/stats` answers 403), which are the operators' business. Mounted on the underlying
 * Express app while Nest initialises, after Nest's routes and before its not-found handler.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  private readonly logger = new Logger('QueueDashboard');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly queues: QueueReader,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly failures: AuthFailureLimiter,
    private readonly levels: ActorLevelCheck,
  ) {}

  onModuleInit(): void {
    const http = this.adapterHost.httpAdapter;
    if (!http) return; // an application context without HTTP
    const queues = this.queues.forDashboard(DASHBOARD_QUEUES);
    const full = this.board(queues, false);
    const readOnly = this.board(queues, true);
    const app = http.getInstance<Express>();
    app.use(
      DASHBOARD_PATH,
      dashboardAuth(this.config, this.clock, this.failures, this.levels),
      (req: Request, res: Response, next: NextFunction) =>
        ((req as AuthenticatedRequest).actor?.role === 'national_admin' ? full : readOnly)(req, res, next),
    );
    this.logger.log(`queue dashboard at ${DASHBOARD_PATH} (national_admin, province_admin read-only)`);
  }

  private board(queues: Queue[], readOnlyMode: boolean): RequestHandler {
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(DASHBOARD_PATH);
    createBullBoard({
      queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode, allowRetries: !readOnlyMode })),
      serverAdapter,
      options: {
        uiConfig: {
          boardTitle: readOnlyMode ? 'rasoat — hàng đợi (chỉ xem)' : 'rasoat — hàng đợi',
          hideDocsLink: true,
          hideRedisDetails: readOnlyMode,
        },
      },
    });
    return serverAdapter.getRouter() as RequestHandler;
  }
}
