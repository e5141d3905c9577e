import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@rasoat/config';
import { closeOnSignals, EngineBootstrap, EngineModule } from '@rasoat/engine';
import { createHttpApp, HttpApiModule } from '@rasoat/http-api';
import { createAppLogger } from '@rasoat/observability';
import { migrateDatabase } from '@rasoat/persistence';

/**
 * Production API process: HTTP only, enqueues work; run several side by side. Needs
 * DATABASE_URL and REDIS_URL (no embedded defaults here; `npm start` provides those).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createAppLogger(config);
  if (!config.databaseUrl || !config.redisUrl)
    throw new Error('The API process needs DATABASE_URL and REDIS_URL (use `npm start` for embedded defaults)');
  await migrateDatabase(config.databaseUrl, { log: (message) => logger.log(message, 'MikroORM') });
  // Fail-fast producers: a request never waits on Redis (EngineModule, ProducerPatience).
  const app = await createHttpApp(
    HttpApiModule.forRoot(config, undefined, EngineModule.forRoot(config, undefined, { producers: 'fail-fast' })),
    { logger, shutdownHooks: false },
  );
  closeOnSignals(app, { timeoutMs: config.shutdownTimeoutMs });
  await app.get(EngineBootstrap).run({ seedDemo: false });
  await app.listen(config.port, config.host);
  Logger.log(`API listening on ${config.host}:${config.port} (public address ${config.publicUrl})`, 'rasoat');
}

main().catch((e) => {
  // eslint-disable-next-line no-console
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
