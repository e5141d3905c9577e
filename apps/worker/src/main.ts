import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@rasoat/config';
import { EngineBootstrap } from '@rasoat/engine';
import { migrateDatabase } from '@rasoat/persistence';
import { WorkerModule } from '@rasoat/worker-runtime';

/** Production worker process: queue processors, no HTTP; run several side by side. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl || !config.redisUrl) throw new Error('The worker process needs DATABASE_URL and REDIS_URL (use `npm start` for embedded defaults)');
  await migrateDatabase(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config));
  app.enableShutdownHooks();
  await app.get(EngineBootstrap).run({ seedDemo: false });
  Logger.log(`worker started (concurrency ${config.worker.concurrency})`, 'rasoat');
}

main().catch((e) => {
  // eslint-disable-next-line no-console
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
