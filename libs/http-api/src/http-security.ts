import { HttpException, HttpStatus } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '@rasoat/config';

/**
 * Security headers (helmet) for every response. The Content-Security-Policy lets pages load
 * scripts only from this origin and never inline: the Swagger UI at /api/docs, the queue
 * dashboard and the web dashboard all load their scripts as files. Inline styles stay allowed
 * (Swagger UI and Bull Board ship `<style>` blocks and `style=` attributes); pages that need
 * less set a stricter policy of their own (the web dashboard does). HSTS and
 * `upgrade-insecure-requests` only when the public URL is https: on a plain-http intranet
 * address they would break the site. `Referrer-Policy: no-referrer`, `X-Content-Type-Options:
 * nosniff`, and no `X-Powered-By`.
 */
export function securityHeaders(publicUrl: string) {
  const https = new URL(publicUrl).protocol === 'https:';
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", 'https:', "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'frame-ancestors': ["'self'"],
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    strictTransportSecurity: https ? { maxAge: 365 * 24 * 3600, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xContentTypeOptions: true,
    xPoweredBy: false,
  });
}

/** Codes of request-body failures (body-parser's `type`), each with its status. */
const BODY_FAILURES: Record<string, { code: string; status: number; vi: string; en: string }> = {
  'entity.too.large': {
    code: 'REQUEST_BODY_TOO_LARGE',
    status: HttpStatus.PAYLOAD_TOO_LARGE,
    vi: 'Nội dung yêu cầu quá lớn',
    en: 'request body too large',
  },
  'parameters.too.many': {
    code: 'REQUEST_BODY_TOO_LARGE',
    status: HttpStatus.PAYLOAD_TOO_LARGE,
    vi: 'Quá nhiều tham số',
    en: 'too many parameters',
  },
  'entity.parse.failed': {
    code: 'REQUEST_BODY_MALFORMED',
    status: HttpStatus.BAD_REQUEST,
    vi: 'Nội dung yêu cầu không phải JSON hợp lệ',
    en: 'request body is not valid JSON',
  },
  'charset.unsupported': {
    code: 'REQUEST_BODY_UNSUPPORTED',
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    vi: 'Bảng mã không được hỗ trợ (dùng UTF-8)',
    en: 'unsupported charset (use UTF-8)',
  },
  'encoding.unsupported': {
    code: 'REQUEST_BODY_UNSUPPORTED',
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    vi: 'Kiểu nén không được hỗ trợ',
    en: 'unsupported content encoding',
  },
};

/**
 * An Express error handler that turns the body parsers' errors (too large, malformed JSON, an unknown charset or encoding, a
 * broken gzip stream) into HTTP exceptions with a code, so that the exception filter answers
 * them in the API's JSON shape instead of a 500.
 */
export const bodyErrorsAsJson: ErrorRequestHandler = (err: unknown, _req, _res, next) => {
  if (err instanceof HttpException) return next(err);
  const e = err as { status?: unknown; type?: unknown; message?: unknown; limit?: unknown; expose?: unknown };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  if (status === undefined || status < 400 || status >= 500) return next(err);
  const known = typeof e.type === 'string' ? BODY_FAILURES[e.type] : undefined;
  const detail =
    known?.code === 'REQUEST_BODY_TOO_LARGE' && typeof e.limit === 'number'
      ? ` (max ${e.limit} bytes)`
      : e.expose === true && typeof e.message === 'string'
        ? `: ${e.message}`
        : '';
  const message = known
    ? `${known.vi} / ${known.en}${detail}`
    : `Không đọc được nội dung yêu cầu / unreadable request body${detail}`;
  next(new HttpException({ code: known?.code ?? 'REQUEST_BODY_MALFORMED', message }, known?.status ?? status));
};

/** U+0000, or half of a surrogate pair without its other half (`"\\ud800"` in JSON). */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a parsed body holds unstorable text in a string or a key (walked without recursion: bodies may nest deeply). */
function holdsUnstorableText(body: unknown): boolean {
  const stack: unknown[] = [body];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (UNSTORABLE.test(key)) return true;
        stack.push(item);
      }
    }
  }
  return false;
}

/**
 * Refuses, with 400, text PostgreSQL cannot store: U+0000 in the URL (`%00`), or U+0000 or a lone
 * UTF-16 surrogate anywhere in a JSON or form body (text and jsonb columns reject both). Such a
 * request would otherwise fail as a 500 deep in a query; test/fuzz-http.e2e-spec.ts found
 * `GET /api/units/%00`, and an event payload `{"householdRef": "H\\ud800"}` did the same.
 */
export const refuseUnstorableText: RequestHandler = (req, _res, next) => {
  const where = /%00/i.test(req.originalUrl) ? 'url' : holdsUnstorableText(req.body) ? 'body' : undefined;
  if (where === undefined) return next();
  next(
    new HttpException(
      {
        code: 'REQUEST_INVALID',
        message: `Yêu cầu chứa ký tự không lưu được (NUL U+0000 hoặc nửa cặp UTF-16) trong ${where === 'url' ? 'địa chỉ' : 'nội dung'} / the request ${where} holds a character that cannot be stored (NUL U+0000 or a lone UTF-16 surrogate)`,
      },
      HttpStatus.BAD_REQUEST,
    ),
  );
};

/**
 * The HTTP hardening of every API process: trusted proxies, security headers, JSON and form
 * bodies up to `http.bodyLimit` (a route that needs more, such as a file upload, brings its own
 * parser), no text the database cannot store. Call before the first request; register `bodyErrorsAsJson` after the last parser.
 */
export function applyHttpSecurity(app: NestExpressApplication, config: AppConfig): void {
  app.set('trust proxy', config.http.trustProxy);
  app.disable('x-powered-by');
  app.use(securityHeaders(config.publicUrl));
  app.useBodyParser('json', { limit: config.http.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.http.bodyLimit, extended: true });
  app.use(refuseUnstorableText);
}
