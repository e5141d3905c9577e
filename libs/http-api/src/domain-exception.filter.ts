import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainException, type FailureKind } from '@rasoat/engine';
import { safeErrorStack } from '@rasoat/observability';
import type { AuthenticatedRequest } from './auth.guard';

const STATUS: Record<FailureKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

/** How the API answers a failure: its status, the `error` member of the body, and headers to set. */
export interface FailureAnswer {
  status: number;
  error: { code: string; message: string; details: Record<string, unknown> };
  headers?: Record<string, string>;
  /** Neither the caller's fault nor a known outage (a 500): worth a log line with the stack. */
  internal?: true;
}

/**
 * The one mapping of failures to answers: domain exceptions by kind, Nest's own HTTP exceptions
 * by status, body parser failures by their own 4xx, a lost database or Redis to 503 with a
 * retry hint, anything else to 500 without internals. Used by the filter for whole requests
 * and by the batch route for each of its items.
 */
export function failureAnswer(exception: unknown): FailureAnswer {
  if (exception instanceof DomainException) {
    const retryAfter = exception.kind === 'rate_limited' ? exception.details.retryAfterSeconds : undefined;
    return {
      status: STATUS[exception.kind],
      error: { code: exception.code, message: exception.message, details: exception.details },
      ...(typeof retryAfter === 'number' ? { headers: { 'Retry-After': String(retryAfter) } } : {}),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    // An HttpException built with `{ code, message }` (429, 413…) keeps its code.
    const body = exception.getResponse();
    const given = typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
    const code = typeof given === 'string' ? given : status === 404 ? 'ROUTE_NOT_FOUND' : `HTTP_${status}`;
    return { status, error: { code, message: exception.message, details: {} } };
  }
  // Body parser failures (too large, malformed JSON) carry a 4xx status of their own.
  const parser = exception as { status?: unknown; type?: unknown; message?: unknown };
  if (
    typeof parser?.status === 'number' &&
    parser.status >= 400 &&
    parser.status < 500 &&
    typeof parser.type === 'string'
  ) {
    const code = parser.type === 'entity.too.large' ? 'REQUEST_BODY_TOO_LARGE' : 'REQUEST_BODY_MALFORMED';
    return {
      status: parser.status,
      error: {
        code,
        message: `Nội dung yêu cầu không hợp lệ / bad request body: ${String(parser.message)}`,
        details: {},
      },
    };
  }
  if (isUnavailable(exception)) {
    return {
      status: 503,
      error: {
        code: 'SERVICE_UNAVAILABLE',
        message:
          'Cơ sở dữ liệu hoặc hàng đợi tạm thời không sẵn sàng, vui lòng thử lại / database or queue unavailable, retry later',
        details: {},
      },
      headers: { 'Retry-After': '5' },
    };
  }
  return {
    status: 500,
    error: { code: 'INTERNAL', message: 'Lỗi hệ thống / internal error', details: {} },
    internal: true,
  };
}

/** Maps every failure to one JSON shape `{ error: { code, message, details }, requestId }` (`failureAnswer`). */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<AuthenticatedRequest>();
    const requestId = String(request.headers['x-request-id'] ?? '');
    const answer = failureAnswer(exception);
    // safeErrorStack: a database error's message holds its SQL with the bound values (payloads, names).
    if (answer.internal)
      this.logger.error(`${request.method} ${request.path} failed (request ${requestId})`, safeErrorStack(exception));
    for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
    response.status(answer.status).json({ error: answer.error, requestId });
  }
}

function isUnavailable(e: unknown): boolean {
  const err = e as { code?: string; name?: string; message?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006', '08001'].includes(err?.code ?? '') ||
    err?.name === 'ConnectionException' ||
    // The pool could not hand out a connection in time (knex's acquire timeout): unreachable or
    // saturated database, a retry later may succeed — not a 500.
    err?.name === 'KnexTimeoutError' ||
    // "timeout expired": node-postgres gave up connecting (connectionTimeoutMillis, orm-config.ts).
    /Connection terminated|connect ECONNREFUSED|Connection is closed|MaxRetriesPerRequest|Timeout acquiring a connection|^timeout expired$/i.test(
      err?.message ?? '',
    ) ||
    // Redis through the requests' fail-fast connections (failFastRedisOptions): down, or not answering in time.
    /^Command timed out$|enableOfflineQueue options is false/.test(err?.message ?? '')
  );
}
