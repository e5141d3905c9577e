import { Global, Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { QueueName } from '@rasoat/contracts';
import { ObservabilityModule } from '@rasoat/observability';
import { ormOptions } from '@rasoat/persistence';
import { CLOCK, systemClock, type Clock } from './clock';
import { JobQueue } from './job-queue';
import { producerQueueProviders, type ProducerPatience } from './producer-queues';
import { QueueReader } from './queue-reader';
import { redisOptions } from './redis-connection';

/**
 * Configuration, clock, PostgreSQL (MikroORM), Redis (BullMQ) and metrics for every process. The
 * database and Redis URLs are resolved before Nest starts (embedded defaults or env). The queues
 * are registered with patient connections (the workers' options); producers add jobs through
 * `JobQueue` and requests read them through `QueueReader`, fail-fast or patient as `producers`
 * says. Job options are the contract's (`JOBS`), set on each job, not defaults of the queues.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(
    config: AppConfig,
    clock: Clock = systemClock,
    producers: ProducerPatience = 'fail-fast',
  ): DynamicModule {
    if (!config.databaseUrl || !config.redisUrl) throw new Error('CoreModule needs resolved databaseUrl and redisUrl');
    const databaseUrl = config.databaseUrl;
    const redisUrl = config.redisUrl;
    return {
      module: CoreModule,
      imports: [
        MikroOrmModule.forRoot({
          ...ormOptions(databaseUrl, {}, Math.max(10, config.worker.concurrency + 4)),
          registerRequestContext: false,
        }),
        BullModule.forRoot({
          connection: redisOptions(redisUrl),
          prefix: config.queuePrefix,
        }),
        BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name }))),
        ObservabilityModule,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        ...producerQueueProviders(producers),
        JobQueue,
        QueueReader,
      ],
      exports: [APP_CONFIG, CLOCK, BullModule, JobQueue, QueueReader],
    };
  }
}
