import type { RedisOptions } from 'bullmq';

/**
 * ioredis options for a `redis://` or `rediss://` URL. `maxRetriesPerRequest: null` is what
 * BullMQ workers need to survive Redis restarts (BullMQ "going to production").
 */
export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(times * 200, 5_000),
  };
}

/**
 * ioredis options for the queues a request uses (producers, health, metrics, the dashboard),
 * BullMQ's advice for producers: a command that cannot be sent now (Redis down, reconnecting)
 * fails at once instead of waiting in the offline queue, and one sent but not answered (a hung
 * server) fails after `timeoutMs`. Never for workers: their blocking reads wait longer than that
 * on purpose. (No `socketTimeout`: a stalled event loop would read as a silent socket and drop
 * the connection with every command on it; a timed-out command fails alone.)
 */
export function failFastRedisOptions(url: string, timeoutMs: number): RedisOptions {
  return {
    ...redisOptions(url),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
  };
}
