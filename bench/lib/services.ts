import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { resolvePostgres, resolveRedis, withDatabase } from '@rasoat/local-services';
import { migrateDatabase } from '@rasoat/persistence';

export const ROOT = resolve(__dirname, '../..');

/** PostgreSQL and Redis for one bench run: a fresh database and a private queue prefix. */
export interface BenchServices {
  /** The run's own database, migrated. */
  databaseUrl: string;
  database: string;
  redisUrl: string;
  queuePrefix: string;
  jwtSecret: string;
  postgres: { source: string; version: string };
  redis: { source: string; version: string; pid?: number };
  /**
   * An empty extra database on the same server, `<database>_<suffix>` (not migrated), with a
   * queue prefix of its own, for a scenario that needs a world of its own (the national
   * season); `cleanup` drops it too.
   */
  scratchDatabase(suffix: string): Promise<{ databaseUrl: string; database: string; queuePrefix: string }>;
  /** Drops the database, deletes the run's Redis keys, stops embedded servers. */
  cleanup(): Promise<void>;
}

/**
 * Finds the services the same way the product and the tests do (libs/local-services): the
 * local PostgreSQL on 5432 and Redis on 6379 when they answer, an embedded PostgreSQL and a
 * private redis-server otherwise. BENCH_DATABASE_URL / BENCH_REDIS_URL override.
 */
export async function startServices(log: (line: string) => void): Promise<BenchServices> {
  const dataDir = resolve(ROOT, '.data/bench');
  const database = `rasoat_bench_${process.pid}`;
  const pg = await resolvePostgres({
    databaseUrl: process.env.BENCH_DATABASE_URL ? withDatabase(process.env.BENCH_DATABASE_URL, database) : undefined,
    dataDir: `${dataDir}/postgres`,
    preferLocal: true,
    database,
  });
  const stops: (() => Promise<void>)[] = [pg.stop];
  let redisStop: (() => Promise<void>) | undefined;
  try {
    const redis = await resolveRedis({ redisUrl: process.env.BENCH_REDIS_URL, dataDir });
    redisStop = redis.stop;
    stops.unshift(redis.stop);
    const queuePrefix = `rasoat-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
    log(
      `PostgreSQL ${pg.source}, database ${database}; Redis ${redis.source} (${redis.url}), queue prefix ${queuePrefix}`,
    );
    const migrated = await migrateDatabase(pg.url);
    log(`migrated: ${migrated.join(', ') || '(nothing to do)'}`);

    const pgVersion = await withPg(
      pg.url,
      async (c) => (await c.query<{ v: string }>('select version() as v')).rows[0].v,
    );
    const client = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    const info = await client.info('server');
    await client.quit();
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    const redisVersion = field('redis_version') ?? 'unknown';
    const redisPid = Number(field('process_id')) || undefined;

    const scratch: string[] = [];
    return {
      databaseUrl: pg.url,
      database,
      redisUrl: redis.url,
      queuePrefix,
      jwtSecret: randomBytes(32).toString('hex'),
      postgres: { source: pg.source, version: pgVersion },
      redis: {
        source: redis.source,
        version: `${field('server_name') === 'valkey' ? 'Valkey' : 'Redis'} ${redisVersion}`,
        pid: redisPid,
      },
      scratchDatabase: async (suffix) => {
        const name = `${database}_${suffix}`;
        await withPg(withDatabase(pg.url, 'postgres'), async (c) => {
          await c.query(`drop database if exists "${name}" with (force)`);
          await c.query(`create database "${name}"`);
        });
        scratch.push(name);
        return { databaseUrl: withDatabase(pg.url, name), database: name, queuePrefix: `${queuePrefix}-${suffix}` };
      },
      cleanup: async () => {
        for (const name of scratch)
          await dropDatabase(pg.url, name).catch((e) => log(`could not drop ${name}: ${(e as Error).message}`));
        await dropDatabase(pg.url, database).catch((e) => log(`could not drop ${database}: ${(e as Error).message}`));
        await deleteKeys(redis.url, queuePrefix).catch((e) =>
          log(`could not delete Redis keys ${queuePrefix}*: ${(e as Error).message}`),
        );
        for (const stop of stops) await stop();
      },
    };
  } catch (e) {
    await dropDatabase(pg.url, database).catch(() => undefined);
    if (redisStop) await redisStop();
    await pg.stop();
    throw e;
  }
}

async function withPg<T>(url: string, use: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function dropDatabase(url: string, database: string): Promise<void> {
  await withPg(withDatabase(url, 'postgres'), (c) => c.query(`drop database if exists "${database}" with (force)`));
}

/** Deletes every key under the run's prefix (BullMQ keys are `<prefix>:<queue>:…`). */
async function deleteKeys(url: string, prefix: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 3 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
  return deleted;
}
