import { defineConfig, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/**
 * The MikroORM options for a database URL; the same for API, worker, CLI and tests. `poolMax`:
 * connections per process — give a worker at least its job concurrency, or jobs queue for a
 * connection (each drain holds one for its transaction).
 */
export function ormOptions(databaseUrl: string, extra: Partial<Options> = {}, poolMax = 10): Options {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      path: 'libs/persistence/src/migrations',
      pathTs: 'libs/persistence/src/migrations',
      fileName: (timestamp: string, name?: string) => `migration-${timestamp}${name ? `-${name}` : ''}`,
    },
    // Timestamps are instants; civil dates stay strings so the host's zone never shifts them.
    timezone: '+00:00',
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
    pool: { min: 0, max: poolMax },
    // A server that accepts TCP but does not answer (frozen, overloaded, a fail-over in progress):
    // without a connect timeout each new connection waits for the pool's 30 s create timeout and
    // the request then fails as a 500 (test/faults-postgres-outage.e2e-spec.ts, report). With it,
    // the attempt fails after 5 s with "Connection terminated due to connection timeout", which
    // the API maps to 503 + Retry-After and the worker retries. A stopped server refuses at once.
    driverOptions: { connection: { connectionTimeoutMillis: 5_000 } },
    ...extra,
  });
}
