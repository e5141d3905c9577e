import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@rasoat/config';
import { closeOnSignals, EngineBootstrap } from '@rasoat/engine';
import { createAppLogger, Metrics, startMetricsServer } from '@rasoat/observability';
import { migrateDatabase } from '@rasoat/persistence';
import { WorkerModule } from '@rasoat/worker-runtime';

/** Production worker process: queue processors, no HTTP; run several side by side. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createAppLogger(config);
  if (!config.databaseUrl || !config.redisUrl)
    throw new Error('The worker process needs DATABASE_URL and REDIS_URL (use `npm start` for embedded defaults)');
  await migrateDatabase(config.databaseUrl, { log: (message) => logger.log(message, 'MikroORM') });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
  // Bounded: a worker closing while Redis hangs would otherwise wait for it forever.
  closeOnSignals(app, { timeoutMs: config.shutdownTimeoutMs });
  await app.get(EngineBootstrap).run({ seedDemo: false });
  Logger.log(`worker started (concurrency ${config.worker.concurrency})`, 'rasoat');
  // No HTTP otherwise: an optional listener serves this process's counters (WORKER_METRICS_PORT).
  if (config.worker.metricsPort !== undefined) {
    const metrics = await startMetricsServer(app.get(Metrics), {
      port: config.worker.metricsPort,
      host: config.host,
      metricsToken: config.metricsToken,
    });
    Logger.log(
      `worker metrics at http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${metrics.port}/metrics`,
      'rasoat',
    );
  }
}

main().catch((e) => {
  // eslint-disable-next-line no-console
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
