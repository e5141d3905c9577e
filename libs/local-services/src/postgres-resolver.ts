import { startEmbeddedPostgres } from './embedded-postgres-server';
import { answersQuery } from './pg-client';
import { ensureDatabase, withDatabase } from './postgres-database';
import { stderrLog, type ServiceLog } from './service-log';

/** Options of {@link resolvePostgres}. */
export interface ResolvePostgresOptions {
  /** Given (DATABASE_URL): used as is, after creating its database if missing. */
  databaseUrl?: string;
  /** Where the embedded server keeps its cluster. */
  dataDir: string;
  /** Try postgres://postgres@127.0.0.1:5432 (trust auth) before starting an embedded server. */
  preferLocal?: boolean;
  /** Database to create and use on a local or embedded server; default `rasoat`. */
  database?: string;
  log?: ServiceLog;
}

/** A PostgreSQL database ready for connections. */
export interface ResolvedPostgres {
  url: string;
  source: 'env' | 'local' | 'embedded';
  /** Stops the embedded server this call started; a no-op for the other sources. */
  stop(): Promise<void>;
}

const LOCAL_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const noop = async (): Promise<void> => undefined;

/** Picks a PostgreSQL: the given URL, else (when preferred) the machine's own, else an embedded one. */
export async function resolvePostgres(options: ResolvePostgresOptions): Promise<ResolvedPostgres> {
  const log = options.log ?? stderrLog;
  if (options.databaseUrl) {
    await ensureDatabase(options.databaseUrl);
    return { url: options.databaseUrl, source: 'env', stop: noop };
  }
  const database = options.database ?? 'rasoat';
  if (options.preferLocal && (await answersQuery(LOCAL_ADMIN_URL, 1_000))) {
    const url = withDatabase(LOCAL_ADMIN_URL, database);
    await ensureDatabase(url);
    return { url, source: 'local', stop: noop };
  }
  const server = await startEmbeddedPostgres({ dataDir: options.dataDir, log });
  const url = withDatabase(server.url, database);
  try {
    await ensureDatabase(url);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url, source: 'embedded', stop: () => server.stop() };
}
