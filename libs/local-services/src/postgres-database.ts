import { withPgClient, type PgError } from './pg-client';

// 42P04 duplicate_database; 23505 when two CREATE DATABASE race on pg_database's unique index.
const ALREADY_EXISTS = new Set(['42P04', '23505']);

/**
 * Creates the database named in `url` unless it exists, connecting to the `postgres` database of
 * the same server. Idempotent and safe when several processes call it at once.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!name) throw new Error(`The PostgreSQL URL names no database: ${redact(url)}`);
  await withPgClient(withDatabase(url, 'postgres'), 10_000, async (client) => {
    const { rows } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rows.length > 0) return;
    try {
      await client.query(`create database "${name.replace(/"/g, '""')}"`);
    } catch (error) {
      if (!ALREADY_EXISTS.has((error as PgError).code ?? '')) throw error;
    }
  });
}

/** `url` pointing at database `name` of the same server. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

/** `url` without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
