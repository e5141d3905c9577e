import 'reflect-metadata';
import { resolve } from 'node:path';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { loadConfig } from '@rasoat/config';
import { closeOnSignals, EngineBootstrap, EngineModule, signToken, systemClock } from '@rasoat/engine';
import { createHttpApp, HttpApiModule } from '@rasoat/http-api';
import { createAppLogger } from '@rasoat/observability';
import { resolvePostgres, resolveRedis } from '@rasoat/local-services';
import { migrateDatabase } from '@rasoat/persistence';
import { playDemoSeason } from '@rasoat/season';
import { WorkerModule } from '@rasoat/worker-runtime';

/**
 * `npm start`: the whole product in one process on embedded defaults — PostgreSQL from
 * DATABASE_URL or an embedded server under .data/, Redis from REDIS_URL or the local one or a
 * private redis-server — with the API, the workers and a seeded demo province whose season is
 * under way (played once, at the first start, in virtual time up to now: libs/season).
 */
async function main(): Promise<void> {
  const base = loadConfig();
  const dataDir = resolve(base.dataDir);
  const pg = await resolvePostgres({
    databaseUrl: base.databaseUrl,
    dataDir: `${dataDir}/postgres`,
    preferLocal: false,
    database: 'rasoat',
  });
  const databaseUrl = pg.url;
  const redis = await resolveRedis({ redisUrl: base.redisUrl, dataDir });
  const config = loadConfig(process.env, { databaseUrl, redisUrl: redis.url });

  const logger = createAppLogger(config);
  await migrateDatabase(databaseUrl, { log: (message) => logger.log(message, 'MikroORM') });
  // The demo's season, played once in virtual time up to now before this process's own workers start.
  await playDemoSeason({ config, now: systemClock.now(), log: (line) => logger.log(line, 'DemoSeason') });
  const engine = EngineModule.forRoot(config, systemClock);
  @Module({
    imports: [HttpApiModule.forRoot(config, systemClock, engine), WorkerModule.forRoot(config, systemClock, engine)],
  })
  class EmbeddedModule {}
  const app = await createHttpApp(EmbeddedModule as unknown as DynamicModule, { shutdownHooks: false, logger });
  await app.get(EngineBootstrap).run({ seedDemo: config.demo.seed });
  // Loopback unless HOST says otherwise: a default install answers this machine only.
  await app.listen(config.port, config.host);

  closeOnSignals(app, {
    timeoutMs: config.shutdownTimeoutMs,
    afterClose: async () => {
      await redis.stop();
      await pg.stop();
    },
  });

  const token = signToken(
    {
      sub: 'demo-province-committee',
      role: 'province_committee',
      unit: config.demo.provinceCode,
      name: 'Ban Chỉ đạo tỉnh (demo)',
    },
    config.jwtSecret,
    new Date(),
  );
  const log = new Logger('rasoat');
  log.log(`PostgreSQL: ${pg.source}; Redis: ${redis.source} (${redis.url})`);
  log.log(`rasoat đang chạy / is running at ${config.publicUrl}  (API docs: ${config.publicUrl}/api/docs)`);
  log.log(`demo token (Ban Chỉ đạo tỉnh ${config.demo.provinceCode}, 12 h):\n${token}`);
  log.log(`bảng theo dõi / dashboard (mở link này / open this link): ${config.publicUrl}/#token=${token}`);
  log.log(
    `try: curl -H "Authorization: Bearer <token>" "${config.publicUrl}/api/progress?unit=${config.demo.provinceCode}"`,
  );
}

main().catch((e) => {
  // eslint-disable-next-line no-console
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
