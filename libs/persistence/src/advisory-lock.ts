import { Client } from 'pg';

/**
 * Runs `work` while holding a PostgreSQL session advisory lock, so that of several processes
 * starting at once against one database only one does it at a time.
 */
export async function withAdvisoryLock<T>(databaseUrl: string, name: string, work: () => Promise<T>): Promise<T> {
  const lock = new Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock(hashtext($1))', [name]);
    return await work();
  } finally {
    await lock.query('select pg_advisory_unlock(hashtext($1))', [name]).catch(() => undefined);
    await lock.end();
  }
}
