import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { applyHttpSecurity, bodyErrorsAsJson } from './http-security';
import { UNIT_FILE_CONTENT_TYPES } from '@rasoat/contracts';
import { HOUSEHOLD_FILE_CONTENT_TYPES } from '@rasoat/engine';
import { requestContextMiddleware } from './request-context';

const UNITS_IMPORT_PATH = '/api/admin/units/import';

/** The request's media type (without parameters) is one of `types`. */
function hasContentType(req: { headers: Record<string, string | string[] | undefined> }, types: readonly string[]) {
  const header = req.headers['content-type'];
  const media = (Array.isArray(header) ? header[0] : header)?.split(';')[0]?.trim().toLowerCase();
  return media !== undefined && types.includes(media);
}

/**
 * Creates the Nest HTTP application around a root module, with OpenAPI at /api/docs. `logger`:
 * the process's logger (`createAppLogger(config)`: JSON lines or pretty), or log levels of Nest's
 * console logger. Every request gets an `X-Request-Id` and one log line (request-context.ts).
 */
export async function createHttpApp(
  rootModule: unknown,
  options: { logger?: LoggerService | false | LogLevel[]; shutdownHooks?: boolean } = {},
): Promise<INestApplication> {
  // Body parsers are registered by applyHttpSecurity, with the configured limit.
  const app = await NestFactory.create<NestExpressApplication>(rootModule as never, {
    logger: options.logger ?? ['log', 'error', 'warn'],
    bufferLogs: false,
    bodyParser: false,
  });
  // First in the chain: request id, log context, request log line.
  app.use(requestContextMiddleware());
  const config = app.get<AppConfig>(APP_CONFIG, { strict: false });
  // Trusted proxies, security headers (helmet), JSON and form bodies up to the limit (http-security.ts).
  applyHttpSecurity(app, config);
  // Units files arrive as raw bodies on POST /api/admin/units/import, up to their own limit; this
  // parser comes first, and the next one finds such a body already read.
  app.useBodyParser('raw', {
    type: (req) => req.url?.startsWith(UNITS_IMPORT_PATH) === true && hasContentType(req, UNIT_FILE_CONTENT_TYPES),
    limit: config.uploads.unitsFile.maxBytes,
  });
  // Household files (CSV/XLSX) arrive as raw bodies on POST /api/cases/:id/households/import;
  // a larger one is refused (413) as soon as its Content-Length, or the bytes read, pass the limit.
  app.useBodyParser('raw', { type: [...HOUSEHOLD_FILE_CONTENT_TYPES], limit: config.uploads.householdFile.maxBytes });
  // The embedded entry point handles signals itself, to stop its databases after the app.
  if (options.shutdownHooks !== false) app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('rasoat API')
      .setDescription(
        'Rà soát hộ nghèo, hộ cận nghèo — workflow engine API. Every route except /health needs a bearer token (`npm run -s rasoat -- token --role ROLE --unit CODE`).',
      )
      .setVersion('0.1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document);
  // After every body parser above: their errors (too large, malformed…) in the API's JSON shape.
  app.use(bodyErrorsAsJson);
  return app;
}
