/**
 * Errors thrown by the database driver carry the failed SQL statement with its bound values
 * interpolated (knex: "insert into … values (…) - duplicate key …"), and bound values are event
 * payloads, household names and ID numbers. Anything that logs an error goes through these
 * helpers, which keep the error's class, code and call stack and drop such statements.
 */
const SQL_STATEMENT = /\b(select|insert\s+into|update|delete\s+from|with)\b[\s\S]*\s-\s/i;

function isDriverError(e: {
  name?: unknown;
  sql?: unknown;
  query?: unknown;
  sqlState?: unknown;
  message?: unknown;
}): boolean {
  return (
    e.sql !== undefined ||
    e.query !== undefined ||
    e.sqlState !== undefined ||
    (typeof e.message === 'string' && SQL_STATEMENT.test(e.message))
  );
}

/** The error's message, or `Name [code] (SQL statement and values omitted)` for a database error. */
export function safeErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : `non-error thrown (${typeof error})`;
  const e = error as Error & { code?: unknown };
  if (!isDriverError(e)) return e.message;
  const code = typeof e.code === 'string' || typeof e.code === 'number' ? ` [${e.code}]` : '';
  return `${e.name}${code} (SQL statement and values omitted)`;
}

/** The error's stack with its message replaced by `safeErrorMessage` (frames kept). */
export function safeErrorStack(error: unknown): string {
  if (!(error instanceof Error)) return safeErrorMessage(error);
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at\s/.test(line));
  return [`${error.name}: ${safeErrorMessage(error)}`, ...frames].join('\n');
}
