import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '@rasoat/persistence';
import { createTestDatabase } from './test-services';

// Apart from test-services.ts, which jest's global setup imports: MikroORM's entity metadata must
// not be created in jest's parent process (mikro-orm/mikro-orm#3783).
/** A fresh, migrated database with an ORM on it: what a repository's test needs, for one test. */
export interface TestOrm {
  orm: MikroORM;
  /** The root EntityManager; repositories fork it per call. */
  em: EntityManager;
  /** Runs one statement on a forked EntityManager (set up rows, read them back). */
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Creates a database cloned from the run's template and opens MikroORM on it (two connections). */
export async function createTestOrm(): Promise<TestOrm> {
  const db = await createTestDatabase();
  const orm = await MikroORM.init(ormOptions(db.url, {}, 2));
  return {
    orm,
    em: orm.em,
    sql: <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
      orm.em.fork().execute<T[]>(query, params),
    async close() {
      await orm.close(true);
      await db.drop();
    },
  };
}
