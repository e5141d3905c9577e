import './workspace-aliases';
import { resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ensureDatabase, resolvePostgres, resolveRedis, withDatabase } from '@rasoat/local-services';
import { adminQuery, TEST_ENV } from './test-services';

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
  const pg = await resolvePostgres({
    databaseUrl: process.env.TEST_DATABASE_URL,
    dataDir: `${dataDir}/postgres`,
    preferLocal: true,
    database: 'postgres',
  });
  stops.push(pg.stop);
  const redis = await resolveRedis({ redisUrl: process.env.TEST_REDIS_URL, dataDir });
  stops.push(redis.stop);

  process.env[TEST_ENV.pgServer] = pg.url;
  process.env[TEST_ENV.redisUrl] = redis.url;
  process.env[TEST_ENV.runId] = runId;
  process.env[TEST_ENV.jwtSecret] = randomBytes(48).toString('base64url');
  const template = `rasoat_tpl_${runId}`;
  process.env[TEST_ENV.template] = template;

  await adminQuery(`drop database if exists "${template}" with (force)`);
  const templateUrl = withDatabase(pg.url, template);
  await ensureDatabase(templateUrl);
  // Migrate in a child process: MikroORM's global metadata must not be created in jest's parent
  // process, or the test files' ORM breaks (mikro-orm/mikro-orm#3783).
  const root = resolve(__dirname, '../../..');
  execFileSync(process.execPath, [resolve(root, 'scripts/run.js'), 'apps/cli/src/main.ts', 'db', 'migrate'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: templateUrl, JWT_SECRET: process.env[TEST_ENV.jwtSecret] },
    stdio: 'inherit',
  });
  // eslint-disable-next-line no-console
  console.log(`\n[rasoat tests] PostgreSQL (${pg.source}), Redis (${redis.source}) at ${redis.url}`);
}
