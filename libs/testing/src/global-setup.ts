import { resolve } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { ensureDatabase, resolvePostgres, resolveRedis } from '@rasoat/local-services';
import { ormOptions } from '@rasoat/persistence';
import { adminQuery, TEST_ENV, withDatabase } from './test-services';

type Stop = () => Promise<void>;
const stops: Stop[] = [];
(globalThis as { __rasoatStops?: Stop[] }).__rasoatStops = stops;

/**
 * Starts (or finds) PostgreSQL and Redis once per jest run and migrates a template database
 * that each test file clones. Uses TEST_DATABASE_URL / TEST_REDIS_URL when given, else the
 * local servers on the standard ports, else an embedded PostgreSQL and a private redis-server.
 */
export default async function globalSetup(): Promise<void> {
  const dataDir = resolve(__dirname, '../../../.data/test');
  const runId = `${process.pid}`;
  const pg = await resolvePostgres({ databaseUrl: process.env.TEST_DATABASE_URL, dataDir: `${dataDir}/postgres`, preferLocal: true });
  stops.push(pg.stop);
  const redis = await resolveRedis({ redisUrl: process.env.TEST_REDIS_URL, dataDir: `${dataDir}/redis` });
  stops.push(redis.stop);

  process.env[TEST_ENV.pgServer] = pg.url;
  process.env[TEST_ENV.redisUrl] = redis.url;
  process.env[TEST_ENV.runId] = runId;
  const template = `rasoat_tpl_${runId}`;
  process.env[TEST_ENV.template] = template;

  await adminQuery(`drop database if exists "${template}" with (force)`);
  const templateUrl = withDatabase(pg.url, template);
  await ensureDatabase(templateUrl);
  const orm = await MikroORM.init(ormOptions(templateUrl, { pool: { min: 0, max: 2 } }));
  try {
    await orm.getMigrator().up();
  } finally {
    await orm.close(true);
  }
  // eslint-disable-next-line no-console
  console.log(`\n[rasoat tests] PostgreSQL (${pg.source}), Redis (${redis.source}) at ${redis.url}`);
}
