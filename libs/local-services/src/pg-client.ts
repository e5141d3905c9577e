// `pg` ships no type declarations and `@types/pg` is not a dependency: this is the typed slice
// of its API that the library uses.
interface PgClient {
  connect(): Promise<void>;
  query(sql: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): void;
}
interface PgModule {
  Client: new (config: { connectionString: string; connectionTimeoutMillis?: number }) => PgClient;
}
const pg = require('pg') as PgModule;

/** Error thrown by `pg` for a server-side failure; `code` is the SQLSTATE. */
export interface PgError extends Error {
  code?: string;
}

/** Opens a connection, runs `use`, and always closes the connection. */
export async function withPgClient<T>(
  url: string,
  timeoutMs: number,
  use: (client: PgClient) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A dropped connection is reported through the pending promise; without a listener it would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when the server at `url` answers `select 1` within `timeoutMs`. */
export async function answersQuery(url: string, timeoutMs: number): Promise<boolean> {
  try {
    await withPgClient(url, timeoutMs, (client) => client.query('select 1'));
    return true;
  } catch {
    return false;
  }
}
