import { MikroORM } from '@mikro-orm/postgresql';
import { withAdvisoryLock } from './advisory-lock';
import { ormOptions } from './orm-config';

/**
 * Applies pending migrations. Several processes may start at once against one database: a
 * PostgreSQL advisory lock lets the first migrate while the others wait, then find nothing to do.
 * `log` receives MikroORM's migrator lines (e.g. the process's JSON logger); default: its console output.
 */
export async function migrateDatabase(
  databaseUrl: string,
  options: { log?: (message: string) => void } = {},
): Promise<string[]> {
  return withAdvisoryLock(databaseUrl, 'rasoat-migrations', async () => {
    const orm = await MikroORM.init(
      ormOptions(databaseUrl, {
        pool: { min: 0, max: 2 },
        ...(options.log ? { logger: options.log, colors: false } : {}),
      }),
    );
    try {
      return (await orm.getMigrator().up()).map((m) => m.name);
    } finally {
      await orm.close(true);
    }
  });
}
