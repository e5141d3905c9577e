import { loadConfig } from '@rasoat/config';
import { migrateDatabase } from '@rasoat/persistence';
import type { CliCommand } from '../cli-command';

/** `rasoat db migrate`: applies pending migrations to DATABASE_URL (processes also do it at boot). */
export const dbCommand: CliCommand = {
  name: 'db',
  summary: 'apply pending database migrations to DATABASE_URL',
  usage: 'db migrate',
  async run(args, io) {
    if (args[0] !== 'migrate' || args.length !== 1) {
      io.stderr.write(`usage: ${this.usage}\n`);
      return 2;
    }
    const config = loadConfig();
    if (!config.databaseUrl) {
      io.stderr.write('DATABASE_URL is not set\n');
      return 2;
    }
    const applied = await migrateDatabase(config.databaseUrl);
    io.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
    return 0;
  },
};
