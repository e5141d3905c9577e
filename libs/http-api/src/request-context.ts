import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { UUID_PATTERN } from '@rasoat/contracts';
import { runWithLogContext } from '@rasoat/observability';
import type { AuthenticatedRequest } from './auth.guard';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** A caller's id is kept when it is a plain token (letters, digits, `._:-`, ≤ 128); anything else is replaced. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const CASE_PATH = new RegExp(`^/api/cases/(${UUID_PATTERN.source.slice(1, -1)})(?:/|$)`, 'i');
/** Scrapes and probes: logged at debug level, so that they do not drown the request log. */
const QUIET_PATHS = new Set(['/metrics', '/health']);

export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given && ACCEPTABLE_ID.test(given) ? given : randomUUID();
}

/**
 * The first middleware of the HTTP app: gives every request an id (the caller's `X-Request-Id`
 * when it is a plain token, else a new UUID), echoes it in the response, runs the rest of the
 * request in a log context carrying it (and the case id of `/api/cases/:id…` routes), and logs
 * one line per request when the response is finished: method, route, status, duration, request
 * id and the caller's role and unit. Never the token, the query string or a body.
 */
export function requestContextMiddleware(logger = new Logger('HTTP')) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requestId = requestIdOf(req.headers['x-request-id']);
    // The exception filter reads it from here for error bodies.
    req.headers['x-request-id'] = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const caseId = CASE_PATH.exec(req.path)?.[1]?.toLowerCase();
    const started = process.hrtime.bigint();
    const path = req.path;
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const actor = (req as AuthenticatedRequest).actor;
      const line = {
        msg: `${req.method} ${routeOf(req, path)} ${res.headersSent ? res.statusCode : 'aborted'}`,
        method: req.method,
        route: routeOf(req, path),
        status: res.headersSent ? res.statusCode : null,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        requestId,
        caseId,
        role: actor?.role,
        unit: actor?.unit,
      };
      if (QUIET_PATHS.has(path)) logger.debug(line);
      else if (res.statusCode >= 500) logger.warn(line);
      else logger.log(line);
    };
    res.once('finish', done);
    res.once('close', done);
    runWithLogContext({ requestId, caseId }, next);
  };
}

/**
 * The matched route pattern (`/api/cases/:id/events`), or the dashboard's mount. An unmatched
 * path is not logged as sent: a caller may put anything in a URL.
 */
function routeOf(req: Request, path: string): string {
  const route = (req as Request & { route?: { path?: unknown } }).route?.path;
  if (typeof route === 'string') return `${req.baseUrl ?? ''}${route}`;
  if (path === '/admin/queues' || path.startsWith('/admin/queues/')) return '/admin/queues/*';
  if (QUIET_PATHS.has(path) || path.startsWith('/api/docs')) return path;
  return '(unmatched)';
}
