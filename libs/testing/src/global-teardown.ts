import './workspace-aliases';
import { Client } from 'pg';
import { withDatabase } from '@rasoat/local-services';
import { TEST_ENV } from './test-services';

/** Drops this run's databases and stops what the setup started. */
export default async function globalTeardown(): Promise<void> {
  const server = process.env[TEST_ENV.pgServer];
  const runId = process.env[TEST_ENV.runId];
  if (server && runId) {
    const client = new Client({ connectionString: withDatabase(server, 'postgres') });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>(
        `select datname from pg_database where datname like $1 or datname = $2`,
        [`rasoat\\_t\\_${runId}\\_%`, process.env[TEST_ENV.template]],
      );
      for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
    } finally {
      await client.end();
    }
  }
  for (const stop of ((globalThis as { __rasoatStops?: (() => Promise<void>)[] }).__rasoatStops ?? []).reverse())
    await stop();
}
