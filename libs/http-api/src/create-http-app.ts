import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { HOUSEHOLD_FILE_CONTENT_TYPES, HOUSEHOLD_FILE_MAX_BYTES } from '@rasoat/engine';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Creates the Nest HTTP application around a root module, with OpenAPI at /api/docs. */
export async function createHttpApp(rootModule: unknown, options: { logger?: false | ('log' | 'error' | 'warn')[]; shutdownHooks?: boolean } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule as never, { logger: options.logger ?? ['log', 'error', 'warn'], bufferLogs: false });
  // Household files (CSV/XLSX) arrive as raw bodies on POST /api/cases/:id/households/import.
  app.useBodyParser('raw', { type: [...HOUSEHOLD_FILE_CONTENT_TYPES], limit: HOUSEHOLD_FILE_MAX_BYTES });
  // The embedded entry point handles signals itself, to stop its databases after the app.
  if (options.shutdownHooks !== false) app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('rasoat API')
      .setDescription('Rà soát hộ nghèo, hộ cận nghèo — workflow engine API. Every route except /health needs a bearer token (`npm run -s rasoat -- token --role ROLE --unit CODE`).')
      .setVersion('0.1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document);
  return app;
}
