import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { QueueName } from '@rasoat/contracts';
import { failFastRedisOptions } from './redis-connection';

/**
 * How the queues that producers and requests use treat a Redis that does not answer:
 * - `fail-fast` (a process that serves HTTP): their own connections fail a command at once when
 *   Redis is down and after `redisCommandTimeoutMs` when it hangs, so no request waits on Redis;
 * - `wait` (a worker-only process): they are the queues the workers were registered with, whose
 *   commands wait in ioredis's offline queue until Redis is back.
 * The workers always keep their own, patient connections (BullMQ: `maxRetriesPerRequest: null`).
 */
export type ProducerPatience = 'fail-fast' | 'wait';

/** Injection token of one producer queue; `PRODUCER_QUEUES` gathers them. */
export function producerQueueToken(name: QueueName): string {
  return `rasoat:producer-queue:${name}`;
}

/**
 * Injection token of the producer queues by name (`ReadonlyMap<QueueName, Queue>`): `JobQueue`
 * adds jobs to them, `QueueReader` reads them for health, metrics and the dashboard. Nothing
 * else takes a queue.
 */
export const PRODUCER_QUEUES = 'rasoat:producer-queues';

/**
 * The fail-fast queues: one more Queue per queue name, with the registered queue's prefix and
 * job options on a fail-fast connection. The application starts only once they reached Redis
 * (BullMQ holds a queue's commands until its connection was ready once: the requests must not
 * be the ones that wait); closed with the application.
 */
@Injectable()
export class FailFastQueues implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly queues = new Map<QueueName, Queue>();
  private lastErrorLoggedAt = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The fail-fast twin of the queue registered as `registered`. */
  twin(registered: Queue): Queue {
    const name = registered.name as QueueName;
    const existing = this.queues.get(name);
    if (existing) return existing;
    const queue = new Queue(name, {
      ...registered.opts,
      connection: failFastRedisOptions(this.config.redisUrl as string, this.config.redisCommandTimeoutMs),
    });
    // A Redis outage makes every command fail: one line a minute says so, not one per request.
    queue.on('error', (e: Error) => {
      if (Date.now() - this.lastErrorLoggedAt < 60_000) return;
      this.lastErrorLoggedAt = Date.now();
      this.logger.warn(`Redis unavailable to requests (further errors within a minute are not logged): ${e.message}`);
    });
    this.queues.set(name, queue);
    return queue;
  }

  async onApplicationBootstrap(): Promise<void> {
    const ready = Promise.all([...this.queues.values()].map((q) => q.waitUntilReady()));
    const waiting = setInterval(() => this.logger.warn(`waiting for Redis before serving requests`), 10_000);
    try {
      await ready;
    } finally {
      clearInterval(waiting);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

/** The providers of the producer queues, one per queue name, for `patience`, and of their map (`PRODUCER_QUEUES`). */
export function producerQueueProviders(patience: ProducerPatience): Provider[] {
  const names = Object.values(QueueName);
  const byName: Provider = {
    provide: PRODUCER_QUEUES,
    useFactory: (...queues: Queue[]) => new Map(names.map((name, i) => [name, queues[i]])),
    inject: names.map(producerQueueToken),
  };
  if (patience === 'wait')
    return [byName, ...names.map((name) => ({ provide: producerQueueToken(name), useExisting: getQueueToken(name) }))];
  return [
    FailFastQueues,
    byName,
    ...names.map((name) => ({
      provide: producerQueueToken(name),
      useFactory: (queues: FailFastQueues, registered: Queue) => queues.twin(registered),
      inject: [FailFastQueues, getQueueToken(name)],
    })),
  ];
}
