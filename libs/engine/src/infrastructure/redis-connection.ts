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
