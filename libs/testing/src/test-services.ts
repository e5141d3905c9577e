import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { withDatabase } from '@rasoat/local-services';

/**
 * What the jest global setup started, passed to test files through the environment
 * (jest workers inherit it).
 */
export const TEST_ENV = {
  pgServer: 'RASOAT_TEST_PG_SERVER',
  template: 'RASOAT_TEST_TEMPLATE_DB',
  redisUrl: 'RASOAT_TEST_REDIS_URL',
  runId: 'RASOAT_TEST_RUN_ID',
  jwtSecret: 'RASOAT_TEST_JWT_SECRET',
} as const;

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run this test through jest's integration or e2e project (its globalSetup starts PostgreSQL and Redis)`,
    );
  return value;
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(required(TEST_ENV.pgServer), 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database for one test file, cloned from the run's template (fast). */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `rasoat_t_${required(TEST_ENV.runId)}_${randomUUID().slice(0, 8)}`;
  await adminQuery(`create database "${name}" template "${required(TEST_ENV.template)}"`);
  return {
    url: withDatabase(required(TEST_ENV.pgServer), name),
    drop: () => adminQuery(`drop database if exists "${name}" with (force)`),
  };
}

export function testRedisUrl(): string {
  return required(TEST_ENV.redisUrl);
}

/** A BullMQ prefix no other test file uses, so that queues never see each other's jobs. */
export function testQueuePrefix(): string {
  return `rasoat-test-${randomUUID().slice(0, 8)}`;
}

/**
 * The JWT secret of this test run, random (made by the global setup): test engines sign and
 * verify with it and spawned processes get it as JWT_SECRET, so no test depends on a fixed one.
 */
export function testJwtSecret(): string {
  return required(TEST_ENV.jwtSecret);
}
