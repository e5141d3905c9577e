import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { redact, resolvePostgres, resolveRedis, withDatabase, type ServiceLog } from '@rasoat/local-services';

/** Where a simulation runs: its own database and queue prefix on shared servers. */
export interface SimulationServices {
  databaseUrl: string;
  database: string;
  redisUrl: string;
  queuePrefix: string;
  /** One line for the log: which servers, which database. */
  description: string;
  /** Drops the database (unless kept), deletes the run's Redis keys, stops servers this run started. */
  cleanup(options: { keepDatabase: boolean }): Promise<void>;
}

/**
 * Finds PostgreSQL and Redis like the product does (libs/local-services): DATABASE_URL's server
 * and REDIS_URL when set, else the machine's own on the standard ports, else an embedded
 * PostgreSQL (the cluster of `npm start`, under `<dataDir>/postgres`) and a private
 * redis-server. The run gets a fresh database `rasoat_sim_<pid>_<random>` and a queue
 * prefix of its own, so it never touches another run's data.
 */
export async function startSimulationServices(options: {
  databaseUrl?: string;
  redisUrl?: string;
  dataDir: string;
  log: ServiceLog;
}): Promise<SimulationServices> {
  const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const database = `rasoat_sim_${tag}`;
  const pg = await resolvePostgres({
    databaseUrl: options.databaseUrl ? withDatabase(options.databaseUrl, database) : undefined,
    dataDir: resolve(options.dataDir, 'postgres'),
    preferLocal: true,
    database,
    log: options.log,
  });
  try {
    await relaxDurability(pg.url, database).catch((e: Error) =>
      options.log(`synchronous_commit stays on: ${e.message}`),
    );
    const redis = await resolveRedis({ redisUrl: options.redisUrl, dataDir: options.dataDir, log: options.log });
    const queuePrefix = `rasoat-sim-${tag}`;
    return {
      databaseUrl: pg.url,
      database,
      redisUrl: redis.url,
      queuePrefix,
      description: `PostgreSQL ${pg.source} (${redact(pg.url)}), Redis ${redis.source} (${redis.url}), queue prefix ${queuePrefix}`,
      cleanup: async ({ keepDatabase }) => {
        const problems: string[] = [];
        if (!keepDatabase)
          await dropDatabase(pg.url, database).catch((e: Error) =>
            problems.push(`could not drop ${database}: ${e.message}`),
          );
        await deleteKeys(redis.url, queuePrefix).catch((e: Error) =>
          problems.push(`could not delete Redis keys ${queuePrefix}*: ${e.message}`),
        );
        await redis.stop();
        await pg.stop();
        for (const p of problems) options.log(p);
      },
    };
  } catch (error) {
    await dropDatabase(pg.url, database).catch(() => undefined);
    await pg.stop();
    throw error;
  }
}

/**
 * The database is thrown away at the end, so its commits need not wait for the WAL flush
 * (`synchronous_commit = off`: a crash may lose the last few transactions, never corrupt).
 * Everything else — transactions, locks, constraints — is as in production.
 */
async function relaxDurability(url: string, database: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    await client.query(`alter database "${database.replace(/"/g, '""')}" set synchronous_commit = off`);
  } finally {
    await client.end();
  }
}

async function dropDatabase(url: string, database: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    await client.query(`drop database if exists "${database.replace(/"/g, '""')}" with (force)`);
  } finally {
    await client.end();
  }
}

/** Deletes every key under the run's prefix (BullMQ keys are `<prefix>:<queue>:…`). */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: true });
  await client.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
