export {
  startEmbeddedPostgres,
  findEmbeddedPostgres,
  localPostgresUrl,
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
} from './embedded-postgres-server';
export { ensureDatabase, withDatabase, redact } from './postgres-database';
export { resolvePostgres, type ResolvePostgresOptions, type ResolvedPostgres } from './postgres-resolver';
export { resolveRedis, pingRedis, type ResolveRedisOptions, type ResolvedRedis } from './redis-resolver';
export { stderrLog, type ServiceLog } from './service-log';
export { freePort } from './free-port';
